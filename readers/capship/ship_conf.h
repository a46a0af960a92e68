/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_conf.h - capship's configuration (/etc/capd/capship.conf, libconfig)
 * and its credentials file.  Every key, its default and range is one row of
 * the table in ship_conf.c; capship(8) lists them.
 *
 * Errors are one line in a caller buffer ("FILE:LINE: key: message" for
 * the configuration, "FILE: what is wrong" for the credentials); nothing
 * here prints or exits.
 */
#ifndef CAPD_SHIP_CONF_H
#define CAPD_SHIP_CONF_H

#include <limits.h>
#include <stddef.h>

#define SHIP_CONF_ARCHIVES_MAX 32
#define SHIP_CONF_NAME_MAX     64   /* box, point, database, user (NUL included) */
#define SHIP_CONF_URL_MAX      1024 /* NUL included */
#define SHIP_CONF_SECRET_MAX   1024 /* bytes of the credentials file */
#define SHIP_CONF_TEXT_MAX     (1u << 20)
#define SHIP_CONF_PATH_DEFAULT "/etc/capd/capship.conf"
#define SHIP_CONF_STATE_DIR    "/var/lib/capship" /* without $STATE_DIRECTORY or state_dir */

struct ship_conf {
	char box[SHIP_CONF_NAME_MAX];	/* required: this box's name */
	char point[SHIP_CONF_NAME_MAX]; /* capture point, may be "" */
	char url[SHIP_CONF_URL_MAX];	/* http:// or https:// */
	char ca_file[PATH_MAX];		/* "" = libcurl's CA store */
	char database[SHIP_CONF_NAME_MAX];
	char user[SHIP_CONF_NAME_MAX];
	char password_file[PATH_MAX];
	char archives[SHIP_CONF_ARCHIVES_MAX][PATH_MAX];
	unsigned int narchives;
	char capstat_dir[PATH_MAX]; /* "" = no interval summaries */
	char state_dir[PATH_MAX];   /* "" = $STATE_DIRECTORY, else SHIP_CONF_STATE_DIR */
	unsigned int interval;	    /* s between scans */
	unsigned int backoff_max;   /* s */
	unsigned int batch_rows;
	unsigned int timeout;	   /* s per HTTP request */
	unsigned int state_max_mb; /* bound on the state file */
};

/* Every key's default (archives none, box ""). */
void ship_conf_defaults(struct ship_conf *c);

/*
 * Parse a configuration text (name is what errors call the file).  On
 * error *c is untouched.  @return 0, -EINVAL (err set), -ENOMEM.
 */
int ship_conf_parse(struct ship_conf *c, const char *text, const char *name, char *err,
		    size_t errlen);

/* Read and parse the file path.  @return 0 or -errno (err set). */
int ship_conf_load(struct ship_conf *c, const char *path, char *err, size_t errlen);

/*
 * Read the password from the credentials file path: a regular file (not
 * followed through a symbolic link), owned by the effective uid, mode
 * exactly 0600, at most SHIP_CONF_SECRET_MAX bytes, one line (a final
 * newline is not part of it) without control characters.  Anything else
 * is refused with one line naming the file and what is wrong.
 * @return 0 and the password in buf; -EPERM (owner, mode), -EINVAL
 *	   (type, content), -EFBIG, or the -errno of opening it.
 */
int ship_conf_secret(const char *path, char *buf, size_t len, char *err, size_t errlen);

/* The state directory c names (state_dir, $STATE_DIRECTORY, the default). */
const char *ship_conf_state_dir(const struct ship_conf *c);

#endif
