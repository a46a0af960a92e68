// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ship_conf - capship's configuration: the contract's example with
 * every key, the defaults, each bad value refused with its key and line;
 * the credentials file: 0600 and owned by this user read (one line, its
 * newline dropped), any other mode, a symbolic link, a directory, a
 * second line refused with one line naming the file and what is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship_conf.h"
#include "test.h"

static struct ship_conf c;

static void bad(const char *text, const char *msg)
{
	char err[512] = "";

	ship_conf_defaults(&c);
	if (ship_conf_parse(&c, text, "t.conf", err, sizeof(err)) != -EINVAL)
		T_FAIL("accepted: %s", text);
	if (!strstr(err, msg))
		T_FAIL("\"%s\": error \"%s\" lacks \"%s\"", text, err, msg);
}

static void secret_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	T_EQ(chmod(path, mode), 0);
}

static void secret_bad(const char *path, int want, const char *msg)
{
	char pw[SHIP_CONF_SECRET_MAX + 1], err[600] = "";
	int r = ship_conf_secret(path, pw, sizeof(pw), err, sizeof(err));

	if (r != want)
		T_FAIL("%s: %d, expected %d (%s)", path, r, want, err);
	if (!strstr(err, path) || !strstr(err, msg) || strchr(err, '\n'))
		T_FAIL("error \"%s\" should be one line naming %s and \"%s\"", err, path, msg);
}

int main(void)
{
	const char *dir = t_tmpdir("test_ship_conf");
	char err[512], pw[SHIP_CONF_SECRET_MAX + 1], path[300], link[300];
	static const char example[] =
		"box = \"nyc1-a\";\npoint = \"nasdaq-A\";\nurl = \"https://ch.example:8443/\";\n"
		"ca_file = \"/etc/ssl/ch.pem\";\ndatabase = \"capd\";\nuser = \"shipper\";\n"
		"password_file = \"/etc/capd/capship.secret\";\n"
		"archives = ( \"/var/lib/capdump/a\", \"/var/lib/capdump/b\" );\n"
		"capstat_dir = \"/var/lib/capstat\";\ninterval = 5; backoff_max = 60;\n"
		"batch_rows = 500; timeout = 7; state_max_mb = 8;\n";

	ship_conf_defaults(&c);
	T_EQ(ship_conf_parse(&c, example, "t.conf", err, sizeof(err)), 0);
	T_ASSERT(!strcmp(c.box, "nyc1-a") && !strcmp(c.point, "nasdaq-A"));
	T_ASSERT(!strcmp(c.url, "https://ch.example:8443/") && !strcmp(c.user, "shipper"));
	T_EQ(c.narchives, 2u);
	T_ASSERT(!strcmp(c.archives[1], "/var/lib/capdump/b"));
	T_EQ(c.interval, 5u);
	T_EQ(c.backoff_max, 60u);
	T_EQ(c.batch_rows, 500u);
	T_EQ(c.timeout, 7u);
	T_EQ(c.state_max_mb, 8u);

	/* a trailing '/' is not part of the name its files are listed under */
	T_EQ(ship_conf_parse(&c, "box = \"b\"; archives = [ \"/a/\", \"/\" ];", "t.conf", err,
			     sizeof(err)),
	     0);
	T_ASSERT(!strcmp(c.archives[0], "/a") && !strcmp(c.archives[1], "/"));

	/* the defaults of the contract */
	T_EQ(ship_conf_parse(&c, "box = \"b\"; archives = [ \"/a\" ];", "t.conf", err, sizeof(err)),
	     0);
	T_ASSERT(!strcmp(c.url, "http://127.0.0.1:8123/") && !strcmp(c.database, "capd"));
	T_ASSERT(!strcmp(c.user, "default") && !c.point[0] && !c.capstat_dir[0]);
	T_ASSERT(!strcmp(c.password_file, "/etc/capd/capship.secret"));
	T_EQ(c.interval, 10u);
	T_EQ(c.backoff_max, 300u);
	T_EQ(c.batch_rows, 10000u);
	T_EQ(c.timeout, 30u);
	T_EQ(c.state_max_mb, 64u);
	unsetenv("STATE_DIRECTORY");
	T_ASSERT(!strcmp(ship_conf_state_dir(&c), "/var/lib/capship"));
	setenv("STATE_DIRECTORY", "/var/lib/capship2", 1);
	T_ASSERT(!strcmp(ship_conf_state_dir(&c), "/var/lib/capship2"));

	bad("archives = [ \"/a\" ];", "box: required");
	bad("box = \"\"; archives = [ \"/a\" ];", "box: must not be empty");
	bad("box = \"b\";", "nothing to ship");
	bad("box = \"b\"; archives = [ \"/a\" ];\nfoo = 1;", "t.conf:2: foo: unknown key");
	bad("box = \"b\"; archives = [ \"/a\" ];\ninterval = 0;",
	    "t.conf:2: interval: 0 out of range");
	bad("box = \"b\"; archives = [ \"/a\" ]; batch_rows = 2000000;", "batch_rows: 2000000 out");
	bad("box = \"b\"; archives = [ \"/a\" ]; timeout = \"5\";", "timeout: must be an integer");
	bad("box = \"b\"; archives = [ \"/a\" ]; url = \"ftp://x/\";", "url: must start with");
	bad("box = \"b\"; archives = [ \"/a\" ]; url = \"http://x/?user=a\";", "no query");
	bad("box = \"b\"; archives = [ \"/a\" ]; database = \"capd;drop\";", "identifier");
	bad("box = \"b\"; archives = [ \"/a\" ]; database = \"1x\";", "identifier");
	bad("box = \"b\"; archives = [ \"/a\" ]; user = \"a\\nX-Evil: 1\";", "printable ASCII");
	bad("box = \"b\"; archives = [ \"a\" ];", "must be an absolute path");
	bad("box = \"b\"; archives = [ \"/a\", \"/a\" ];", "twice");
	bad("box = \"b\"; archives = [ \"/a\", \"/a//\" ];", "twice");
	bad("box = \"b\"; archives = \"/a\";", "must be a list");
	bad("box = \"b\"; archives = [ 1 ];", "must be strings");
	bad("box = \"b\"; archives = [ \"/a\" ]; password_file = \"s\";", "absolute path");
	bad("box = \"b\" archives", "t.conf:1: syntax error");

	/* the file */
	snprintf(path, sizeof(path), "%s/capship.conf", dir);
	secret_file(path, example, 0644);
	T_EQ(ship_conf_load(&c, path, err, sizeof(err)), 0);
	T_EQ(ship_conf_load(&c, "/nonexistent/capship.conf", err, sizeof(err)), -ENOENT);
	T_ASSERT(strstr(err, "/nonexistent/capship.conf: "));

	/* credentials */
	snprintf(path, sizeof(path), "%s/secret", dir);
	secret_file(path, "s3cr%t pw\n", 0600);
	T_EQ(ship_conf_secret(path, pw, sizeof(pw), err, sizeof(err)), 0);
	T_ASSERT(!strcmp(pw, "s3cr%t pw"));
	secret_file(path, "pw", 0600);
	T_EQ(ship_conf_secret(path, pw, sizeof(pw), err, sizeof(err)), 0);
	T_ASSERT(!strcmp(pw, "pw"));
	secret_file(path, "", 0600);
	T_EQ(ship_conf_secret(path, pw, sizeof(pw), err, sizeof(err)), 0);
	T_ASSERT(!pw[0]);
	secret_file(path, "pw\n", 0644);
	secret_bad(path, -EPERM, "mode 0644, must be 0600");
	secret_file(path, "pw\n", 0640);
	secret_bad(path, -EPERM, "mode 0640, must be 0600");
	secret_file(path, "pw\n", 0604);
	secret_bad(path, -EPERM, "mode 0604");
	secret_file(path, "pw\n", 0400);
	secret_bad(path, -EPERM, "mode 0400");
	secret_file(path, "pw\n", 01600);
	secret_bad(path, -EPERM, "mode 1600");
	secret_file(path, "pw\nsecond\n", 0600);
	secret_bad(path, -EINVAL, "one line");
	secret_file(path, "pw\n", 0600);
	snprintf(link, sizeof(link), "%s/link", dir);
	T_EQ(symlink(path, link), 0);
	secret_bad(link, -ELOOP, "symbolic link");
	snprintf(link, sizeof(link), "%s/sub", dir);
	T_EQ(mkdir(link, 0700), 0);
	secret_bad(link, -EINVAL, "not a regular file");
	snprintf(link, sizeof(link), "%s/none", dir);
	secret_bad(link, -ENOENT, "No such file");
	{
		char big[SHIP_CONF_SECRET_MAX + 10];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		secret_file(path, big, 0600);
		secret_bad(path, -EFBIG, "longer than");
	}
	/* another owner: only root can make that file */
	if (geteuid() == 0) {
		secret_file(path, "pw\n", 0600);
		T_EQ(chown(path, 65534, 65534), 0);
		secret_bad(path, -EPERM, "owned by uid 65534");
	}
	return 0;
}
