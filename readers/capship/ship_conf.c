// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship_conf.h"

enum key_type { K_STR, K_UINT, K_PATHS };

/* A string's check: NULL when fine, else what is wrong. */
typedef const char *(*key_check)(const char *s);

struct key {
	const char *name;
	enum key_type type;
	size_t off, size; /* of the field; K_STR: its bytes */
	const char *def;  /* K_STR */
	unsigned int udef, min, max;
	bool required;
	key_check check;
};

/* Header values and row keys: printable ASCII (no CR/LF to inject). */
static const char *check_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return "only printable ASCII characters";
	return NULL;
}

static const char *check_ident(const char *s)
{
	if (!*s)
		return "must not be empty";
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return "a ClickHouse identifier: a letter or _ first";
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return "a ClickHouse identifier: letters, digits, _";
	return NULL;
}

static const char *check_url(const char *s)
{
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return "must start with http:// or https://";
	if (strchr(s, '?') || strchr(s, '#'))
		return "no query or fragment: capship adds the query";
	return check_printable(s);
}

static const char *check_abs(const char *s)
{
	if (*s && *s != '/')
		return "must be an absolute path";
	return NULL;
}

#define KS(n, f, d, chk, req)                                                          \
	{                                                                              \
		.name = n, .type = K_STR, .off = offsetof(struct ship_conf, f),        \
		.size = sizeof(((struct ship_conf *)0)->f), .def = d, .required = req, \
		.check = chk                                                           \
	}
#define KU(n, f, d, lo, hi)                                                                 \
	{                                                                                   \
		.name = n, .type = K_UINT, .off = offsetof(struct ship_conf, f),            \
		.size = sizeof(((struct ship_conf *)0)->f), .udef = d, .min = lo, .max = hi \
	}

/* The keys, their defaults and ranges (capship(8) lists them). */
static const struct key keys[] = {
	KS("box", box, "", check_printable, true),
	KS("point", point, "", check_printable, false),
	KS("url", url, "http://127.0.0.1:8123/", check_url, false),
	KS("ca_file", ca_file, "", check_abs, false),
	KS("database", database, "capd", check_ident, false),
	KS("user", user, "default", check_printable, false),
	KS("password_file", password_file, "/etc/capd/capship.secret", check_abs, false),
	{ .name = "archives", .type = K_PATHS },
	KS("capstat_dir", capstat_dir, "", check_abs, false),
	KS("state_dir", state_dir, "", check_abs, false),
	KU("interval", interval, 10, 1, 86400),
	KU("backoff_max", backoff_max, 300, 1, 86400),
	KU("batch_rows", batch_rows, 10000, 1, 1000000),
	KU("timeout", timeout, 30, 1, 3600),
	KU("state_max_mb", state_max_mb, 64, 1, 4096),
	{ .name = NULL },
};

/* "/a/b/" as "/a/b": the paths of its files are then "/a/b/NAME", as the
 * state records them. */
static void trim_slashes(char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
}

static int fail(char *err, size_t errlen, const char *name, const config_setting_t *s,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, const config_setting_t *s,
		const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "%s:%u: %s", name, s ? config_setting_source_line(s) : 0,
			 msg);
	return -EINVAL;
}

void ship_conf_defaults(struct ship_conf *c)
{
	const struct key *k;

	memset(c, 0, sizeof(*c));
	for (k = keys; k->name; k++) {
		char *p = (char *)c + k->off;

		if (k->type == K_STR)
			snprintf(p, k->size, "%s", k->def);
		else if (k->type == K_UINT)
			*(unsigned int *)(void *)p = k->udef;
	}
}

static int parse_key(struct ship_conf *c, const struct key *k, const config_setting_t *s,
		     const char *name, char *err, size_t errlen)
{
	char *p = (char *)c + k->off;
	const char *str, *why;
	long long v;
	int i, n;

	switch (k->type) {
	case K_STR:
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return fail(err, errlen, name, s, "%s: must be a string", k->name);
		str = config_setting_get_string(s);
		if (strlen(str) >= k->size)
			return fail(err, errlen, name, s, "%s: longer than %zu bytes", k->name,
				    k->size - 1);
		if (k->check && (why = k->check(str)))
			return fail(err, errlen, name, s, "%s: %s", k->name, why);
		snprintf(p, k->size, "%s", str);
		return 0;
	case K_UINT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return fail(err, errlen, name, s, "%s: must be an integer", k->name);
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max)
			return fail(err, errlen, name, s, "%s: %lld out of range %u..%u", k->name,
				    v, k->min, k->max);
		*(unsigned int *)(void *)p = (unsigned int)v;
		return 0;
	case K_PATHS:
		if (!config_setting_is_aggregate(s))
			return fail(err, errlen, name, s, "%s: must be a list of directories",
				    k->name);
		n = config_setting_length(s);
		if (n > SHIP_CONF_ARCHIVES_MAX)
			return fail(err, errlen, name, s, "%s: more than %u directories", k->name,
				    SHIP_CONF_ARCHIVES_MAX);
		for (i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
			int j;

			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return fail(err, errlen, name, e, "%s: must be strings", k->name);
			str = config_setting_get_string(e);
			if (*str != '/')
				return fail(err, errlen, name, e,
					    "%s: \"%s\": must be an absolute path", k->name, str);
			if (strlen(str) >= PATH_MAX)
				return fail(err, errlen, name, e, "%s: path too long", k->name);
			snprintf(c->archives[i], PATH_MAX, "%s", str);
			trim_slashes(c->archives[i]);
			for (j = 0; j < i; j++)
				if (!strcmp(c->archives[j], c->archives[i]))
					return fail(err, errlen, name, e, "%s: \"%s\" twice",
						    k->name, str);
		}
		c->narchives = (unsigned int)n;
		return 0;
	}
	return -EINVAL;
}

int ship_conf_parse(struct ship_conf *c, const char *text, const char *name, char *err,
		    size_t errlen)
{
	config_setting_t *root, *s;
	struct ship_conf *tmp;
	const struct key *k;
	config_t cfg;
	int r = 0, i;

	if (err && errlen)
		err[0] = '\0';
	tmp = malloc(sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	ship_conf_defaults(tmp);
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		if (err && errlen)
			snprintf(err, errlen, "%s:%d: %s", name, config_error_line(&cfg),
				 config_error_text(&cfg) ? config_error_text(&cfg) : "parse error");
		r = -EINVAL;
		goto out;
	}
	root = config_root_setting(&cfg);
	for (i = 0; (s = config_setting_get_elem(root, (unsigned int)i)); i++) {
		const char *sn = config_setting_name(s);

		for (k = keys; k->name && strcmp(k->name, sn); k++)
			;
		if (!k->name) {
			r = fail(err, errlen, name, s, "%s: unknown key", sn);
			goto out;
		}
		r = parse_key(tmp, k, s, name, err, errlen);
		if (r)
			goto out;
	}
	for (k = keys; k->name; k++)
		if (k->required && !config_lookup(&cfg, k->name)) {
			r = fail(err, errlen, name, NULL, "%s: required", k->name);
			goto out;
		}
	if (!tmp->box[0]) {
		r = fail(err, errlen, name, config_lookup(&cfg, "box"), "box: must not be empty");
		goto out;
	}
	trim_slashes(tmp->capstat_dir);
	if (!tmp->narchives && !tmp->capstat_dir[0]) {
		r = fail(err, errlen, name, NULL, "nothing to ship: no archives, no capstat_dir");
		goto out;
	}
	memcpy(c, tmp, sizeof(*c));
out:
	config_destroy(&cfg);
	free(tmp);
	return r;
}

int ship_conf_load(struct ship_conf *c, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	buf = malloc(SHIP_CONF_TEXT_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((n = read(fd, buf + len, SHIP_CONF_TEXT_MAX + 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (len > SHIP_CONF_TEXT_MAX || memchr(buf, '\0', len)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: not a configuration (a NUL byte, or over %u bytes)",
			 path, SHIP_CONF_TEXT_MAX);
		goto out;
	}
	buf[len] = '\0';
	r = ship_conf_parse(c, buf, path, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

int ship_conf_secret(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t i;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path,
			 r == -ELOOP ? "a symbolic link: name the file itself" : strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	r = -EINVAL;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	r = -EPERM;
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, must be owned by uid %u (this user)",
			 path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	if ((st.st_mode & 07777) != 0600) {
		snprintf(err, errlen, "%s: mode %04o, must be 0600 (chmod 600 %s)", path,
			 (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	r = -EFBIG;
	if (st.st_size < 0 || (size_t)st.st_size >= len || st.st_size > SHIP_CONF_SECRET_MAX) {
		snprintf(err, errlen, "%s: longer than %u bytes", path, SHIP_CONF_SECRET_MAX);
		goto out;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if ((size_t)n == len - 1) {
		snprintf(err, errlen, "%s: longer than %u bytes", path, SHIP_CONF_SECRET_MAX);
		goto out;
	}
	if (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	r = -EINVAL;
	for (i = 0; i < (size_t)n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			snprintf(err, errlen,
				 "%s: a control character or a second line: one line, the password",
				 path);
			memset(buf, 0, len);
			goto out;
		}
	r = 0;
out:
	close(fd);
	return r;
}

const char *ship_conf_state_dir(const struct ship_conf *c)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (c->state_dir[0])
		return c->state_dir;
	/* systemd's StateDirectory=capship; several are ':'-separated */
	if (env && *env == '/' && !strchr(env, ':'))
		return env;
	return SHIP_CONF_STATE_DIR;
}
