// SPDX-License-Identifier: BSD-2-Clause
/*
 * capship - ships this box's archive indexes, gaps and removals into
 * ClickHouse (capship(8)): a scan every interval, a backoff while
 * ClickHouse fails, one log line when its state changes.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ship_conf.h"
#include "ship_http.h"
#include "ship_scan.h"
#include "ship_state.h"

enum exit_code { EXIT_ALL = 0, EXIT_CONFIG = 1, EXIT_RETRY = 2 };

/* What the last pass ended in; a log line when it changes. */
enum health { H_START, H_OK, H_UNREACHABLE, H_SERVER, H_STATE };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: capship [-c CONFIG] [--once] [--check]\n"
		   "  -c, --config FILE  configuration (default " SHIP_CONF_PATH_DEFAULT ")\n"
		   "      --once         ship what there is now, then exit (0 all shipped,\n"
		   "                     1 configuration or credentials, 2 retry later)\n"
		   "      --check        check configuration and credentials, show what\n"
		   "                     would be shipped, exit\n"
		   "  -V, --version      the version\n");
}

static void warn_line(void *arg, const char *line)
{
	(void)arg;
	pr_warn("%s", line);
}

static int send_http(void *arg, enum ship_table t, const char *body, size_t len, char *why,
		     size_t whylen)
{
	return ship_http_insert(arg, ship_batch_table_name(t), body, len, why, whylen);
}

static enum health health_of(int r)
{
	switch (r) {
	case 0:
		return H_OK;
	case -EHOSTUNREACH:
		return H_UNREACHABLE;
	case -EIO:
		return H_SERVER;
	default:
		return H_STATE;
	}
}

/* What a line of a configuration's fault starts with. */
static const char *config_prefix(int r)
{
	if (r == -EACCES || r == -EINVAL)
		return "clickhouse refused: ";
	if (r == -EKEYREJECTED)
		return "clickhouse's certificate refused: ";
	return "";
}

static bool failing(enum health h)
{
	return h == H_UNREACHABLE || h == H_SERVER;
}

/* One line per change of health, none per retry: a server that answers
 * 500 as it stops, then refuses connections, is one fault. */
static void report(enum health *h, enum health now, const char *why, size_t pending)
{
	if (now == *h || (failing(now) && failing(*h)))
		return;
	switch (now) {
	case H_OK:
		if (*h == H_STATE)
			pr_notice("state written again, %zu rows pending", pending);
		else if (*h != H_START)
			pr_notice("clickhouse reachable again, %zu rows pending", pending);
		break;
	case H_UNREACHABLE:
		pr_warn("clickhouse unreachable: %s", why);
		break;
	case H_SERVER:
		pr_warn("clickhouse server error: %s", why);
		break;
	case H_STATE:
		pr_err("%s", why);
		break;
	case H_START:
		break;
	}
	*h = now;
}

/* Temporaries of a state write a kill interrupted (ship_state_save()). */
static void remove_temporaries(const char *state_path)
{
	char pattern[PATH_MAX + 16];
	glob_t g;
	size_t i;

	if (snprintf(pattern, sizeof(pattern), "%s.??????", state_path) >= (int)sizeof(pattern) ||
	    glob(pattern, GLOB_NOSORT, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}

/* Sleep s seconds, or until a signal asks to stop. */
static void nap(unsigned int s)
{
	struct timespec ts = { .tv_sec = s };

	while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int check(const struct ship_conf *c, struct ship_scan *sc, const char *state_path)
{
	char why[512];
	unsigned int a;

	printf("box %s, point \"%s\", %s database %s as user %s (password from %s)\n", c->box,
	       c->point, c->url, c->database, c->user, c->password_file);
	printf("state %s: %zu files shipped\n", state_path, ship_state_nfiles(sc->st));
	for (a = 0; a < c->narchives; a++) {
		struct ship_conf one = *c;

		one.narchives = 1;
		memcpy(one.archives[0], c->archives[a], sizeof(one.archives[0]));
		sc->conf = &one;
		ship_scan_run(sc, why, sizeof(why));
		printf("archive %s: %llu files, %llu to ship, %llu without a trusted index\n",
		       c->archives[a], (unsigned long long)sc->files,
		       (unsigned long long)sc->files_new, (unsigned long long)sc->files_untrusted);
	}
	sc->conf = c;
	if (c->capstat_dir[0])
		printf("capstat_dir %s: capstat --json files (*.json), %zu of them shipped in "
		       "part\n",
		       c->capstat_dir, ship_state_noffsets(sc->st));
	return EXIT_ALL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'n' },	    { "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	const char *conf_path = SHIP_CONF_PATH_DEFAULT;
	char err[PATH_MAX + 512], password[SHIP_CONF_SECRET_MAX + 1], state_path[PATH_MAX];
	struct ship_scan sc = { .warn = warn_line, .stop = &stop, .send = send_http };
	struct ship_http *http = NULL;
	struct ship_conf *c = NULL;
	enum health health = H_START;
	unsigned int backoff = 1;
	bool once = false, dry = false;
	int opt, r, rc = EXIT_CONFIG;

	log_init("capship", LOG_INFO);
	while ((opt = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			once = true;
			break;
		case 'n':
			dry = true;
			break;
		case 'V':
			printf("capship %s\n", CAPD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		pr_err("out of memory");
		return EXIT_CONFIG;
	}
	r = ship_conf_load(c, conf_path, err, sizeof(err));
	if (r) {
		pr_err("%s", err);
		goto out;
	}
	r = ship_conf_secret(c->password_file, password, sizeof(password), err, sizeof(err));
	if (r) {
		pr_err("%s", err);
		goto out;
	}
	if (snprintf(state_path, sizeof(state_path), "%s/%s", ship_conf_state_dir(c),
		     SHIP_STATE_NAME) >= (int)sizeof(state_path)) {
		pr_err("state directory %s: path too long", ship_conf_state_dir(c));
		goto out;
	}
	if (!dry)
		remove_temporaries(state_path);
	r = ship_state_load(state_path, (size_t)c->state_max_mb << 20, &sc.st, err, sizeof(err));
	if (r == -EBADMSG || r == -EFBIG) {
		pr_warn("%s: refused (%s); starting over: rows shipped before are sent again "
			"and collapse in ClickHouse",
			state_path, err);
	} else if (r && r != -ENOENT) {
		pr_err("%s: %s", state_path, strerror(-r));
		goto out;
	}
	if (!sc.st && !(sc.st = ship_state_new())) {
		pr_err("out of memory");
		goto out;
	}
	sc.conf = c;
	sc.state_path = state_path;
	if (dry) {
		sc.dry = true;
		rc = check(c, &sc, state_path);
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("libcurl: initialisation failed");
		goto out;
	}
	r = ship_http_open(&http, &(struct ship_http_opts){ .url = c->url,
							    .database = c->database,
							    .user = c->user,
							    .password = password,
							    .ca_file = c->ca_file,
							    .timeout = c->timeout });
	explicit_bzero(password, sizeof(password));
	if (r) {
		pr_err("out of memory");
		goto cleanup;
	}
	sc.send_arg = http;
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	pr_info("shipping box %s to %s database %s", c->box, c->url, c->database);
	for (;;) {
		r = ship_scan_run(&sc, err, sizeof(err));
		if (r == -EACCES || r == -EINVAL || r == -EKEYREJECTED || r == -EFBIG ||
		    r == -ENOMEM) {
			/* the configuration's, the credentials', the schema's */
			pr_err("%s%s", config_prefix(r), err);
			rc = EXIT_CONFIG;
			break;
		}
		report(&health, health_of(r), err, r ? sc.rows_pending : sc.rows_sent);
		if (once || stop) {
			rc = r ? EXIT_RETRY : EXIT_ALL;
			break;
		}
		if (r) {
			nap(backoff);
			backoff = backoff * 2 > c->backoff_max ? c->backoff_max : backoff * 2;
		} else {
			backoff = 1;
			nap(c->interval);
		}
		if (stop) {
			rc = EXIT_ALL;
			break;
		}
	}
cleanup:
	ship_http_close(http);
	curl_global_cleanup();
out:
	explicit_bzero(password, sizeof(password));
	ship_scan_free(&sc);
	ship_state_free(sc.st);
	free(c);
	return rc;
}
