// SPDX-License-Identifier: BSD-2-Clause
/* readopt.c - the reader programs' common command-line pieces. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "readopt.h"
#include "ringlist.h"
#include "wirets.h"

char *readopt_expr(int argc, char **argv, int first)
{
	size_t len = 0;
	char *expr;
	int i;

	for (i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	expr = calloc(1, len + 1);
	if (!expr)
		return NULL;
	for (i = first; i < argc; i++) {
		if (i > first)
			strcat(expr, " ");
		strcat(expr, argv[i]);
	}
	return expr;
}

static int readopt_from(const char *arg, enum ring_seek *from)
{
	if (!strcmp(arg, "oldest"))
		*from = RING_SEEK_OLDEST;
	else if (!strcmp(arg, "newest"))
		*from = RING_SEEK_NEWEST;
	else
		return -EINVAL;
	return 0;
}

/* -D: the rings, one line each, on standard output; the exit status. */
static int readopt_list_rings(void)
{
	char err[512];

	if (ringlist_print(stdout, err, sizeof(err)) < 0) {
		fflush(stdout);
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

int readopt_input_take(struct readopt_input *in, int c, char *arg)
{
	char *end;

	switch (c) {
	case 'i':
		if (in->nrings == READOPT_MAX_INPUTS)
			return -EINVAL;
		in->rings[in->nrings++] = arg;
		return 1;
	case 'r':
		/* Expanded with the other checks, where a failure has its line. */
		if (in->file_args.n == UINT_MAX || filelist_append(&in->file_args, arg) < 0)
			return -EINVAL;
		return 1;
	case 'T':
		in->back_secs = strtod(arg, &end);
		return *end || !(in->back_secs > 0) ? -EINVAL : 1;
	case READOPT_FROM:
		in->from_set = true;
		return readopt_from(arg, &in->from) < 0 ? -EINVAL : 1;
	case READOPT_WAIT:
		in->wait = true;
		return 1;
	case READOPT_WIRE_TS: {
		enum wirets_kind k;

		if (wirets_kind_parse(arg, &k) < 0 || k == WIRETS_NONE)
			return -EINVAL;
		in->wire_ts = (uint8_t)k;
		return 1;
	}
	case 'D':
		exit(readopt_list_rings());
	default:
		return 0;
	}
}

void readopt_help_version(int c, const char *program, void (*usage)(FILE *f))
{
	if (c == 'h') {
		usage(stdout);
		exit(0);
	}
	if (c == 'V') {
		printf("%s %s\n", program, CAPD_VERSION);
		exit(0);
	}
}

static void readopt_notice(const char *line)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, line);
}

int readopt_input_check(struct readopt_input *in, char *err, size_t errlen)
{
	size_t i;
	int r;

	in->notice = readopt_notice;
	if (!in->nrings == !in->file_args.n) {
		snprintf(err, errlen, "give either -i RING or -r FILE");
		return -EINVAL;
	}
	if (in->from_set && in->back_secs > 0) {
		snprintf(err, errlen,
			 "--from and -T both say where to start in the ring: give one of them");
		return -EINVAL;
	}
	if (in->file_args.n && (in->from_set || in->back_secs > 0)) {
		snprintf(err, errlen, "%s: where to start in a ring; files (-r) are read whole",
			 in->from_set ? "--from" : "-T");
		return -EINVAL;
	}
	if (in->nrings && in->wire_ts) {
		snprintf(err, errlen,
			 "--wire-ts: for files (-r); a ring says which stamp each interface's "
			 "frames carry (capd.conf timestamp)");
		return -EINVAL;
	}
	filelist_free(&in->flist);
	for (i = 0; i < in->file_args.n; i++) {
		r = filelist_add(&in->flist, in->file_args.path[i], err, errlen);
		if (r < 0)
			return r;
	}
	if (in->flist.n > UINT_MAX) {
		snprintf(err, errlen, "more than %u files", UINT_MAX);
		return -E2BIG;
	}
	in->files = in->flist.path;
	in->nfiles = (unsigned int)in->flist.n;
	return 0;
}

void readopt_input_free(struct readopt_input *in)
{
	filelist_free(&in->file_args);
	filelist_free(&in->flist);
	in->files = NULL;
	in->nfiles = 0;
}

void readopt_try_help(const char *program)
{
	fprintf(stderr, "Try '%s --help' for the options.\n", program);
}

void readopt_bad_value(const char *program, const char *option, const char *arg, const char *why)
{
	fprintf(stderr, "%s: %s %s: %s\n", program, option, arg, why);
	readopt_try_help(program);
}

bool readopt_count(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return *s >= '0' && *s <= '9' && !*end && !errno && *v <= max;
}

void readopt_input_bad(const char *program, int c, const char *arg)
{
	if (c == 'T')
		readopt_bad_value(program, "-T", arg, "not a positive number of seconds");
	else if (c == READOPT_FROM)
		readopt_bad_value(program, "--from", arg, "give newest or oldest");
	else if (c == READOPT_WIRE_TS)
		readopt_bad_value(program, "--wire-ts", arg,
				  "give metamako, exablaze, arista64 or arista48");
	else
		readopt_bad_value(program, c == 'i' ? "-i" : "-r", arg, "too many inputs");
}

/* Readers map a ring capd fills: what tcpdump sets up to capture is capd's. */
static const struct {
	char opt;
	const char *why;
} readopt_refusals[] = {
	{ 'I', "capd captures; monitor mode is not a reader's (nor an Ethernet NIC's)" },
	{ 'p', "capd captures; what its NICs receive is capd's configuration (capd.conf(5))" },
	{ 'B', "capd captures; the buffer is capd's ring (ring.size in capd.conf(5))" },
	{ 'y', "capd captures Ethernet only; there is no other link type to choose" },
	{ 'L', "capd captures Ethernet only; there is no other link type to list" },
	{ 'j', "capd stamps every packet itself (capd.conf(5), docs/clock.md)" },
	{ 'J', "capd stamps every packet itself (capd.conf(5), docs/clock.md)" },
	{ 'Z', "readers drop no privileges: they run as the user who starts them" },
	{ 'E', "no ESP decryption" },
	{ 'M', "no TCP-MD5 (RFC 2385) checking" },
	{ 'Q', "capd captures inbound packets only" },
};

int readopt_refused(int c, const char *program)
{
	size_t i;

	for (i = 0; i < sizeof(readopt_refusals) / sizeof(readopt_refusals[0]); i++)
		if (c == readopt_refusals[i].opt) {
			fprintf(stderr, "%s: -%c: not supported: %s\n", program, c,
				readopt_refusals[i].why);
			return -ENOTSUP;
		}
	return 0;
}

static volatile sig_atomic_t readopt_stop, readopt_pipe;

static void readopt_on_signal(int sig)
{
	if (sig == SIGPIPE)
		readopt_pipe = 1;
	readopt_stop = 1;
}

const volatile sig_atomic_t *readopt_signals(void)
{
	struct sigaction sa = { .sa_handler = readopt_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	return &readopt_stop;
}

bool readopt_pipe_closed(void)
{
	return readopt_pipe;
}

static void *readopt_watcher(void *arg)
{
	struct pollfd pfd = { .fd = (int)(intptr_t)arg, .events = 0 };

	/* A pipe's writer sees POLLERR, a socket's POLLHUP, once the reader
	 * is gone; POLLNVAL: the program closed fd itself, nothing to watch. */
	while (poll(&pfd, 1, -1) < 0 || !(pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
		;
	if (!(pfd.revents & POLLNVAL))
		kill(getpid(), SIGPIPE);
	return NULL;
}

int readopt_watch_pipe(int fd)
{
	pthread_attr_t attr;
	sigset_t all, old;
	struct stat st;
	pthread_t t;
	int r;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return 0;
	/* The signals are the main thread's to take, not the watcher's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = -pthread_create(&t, &attr, readopt_watcher, (void *)(intptr_t)fd);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Exact: the decimals are taken as digits, never through a double. */
int readopt_time(const char *s, uint64_t *out)
{
	struct tm tm = { 0 };
	const char *rest;
	char *end;
	uint64_t frac = 0, scale = 100000000u, t;

	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (rest) {
		time_t secs = timegm(&tm);

		if (*rest == '.')
			for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
				frac += (uint64_t)(*rest - '0') * scale;
		if (*rest == 'Z')
			rest++;
		if (*rest || secs < 0)
			return -EINVAL;
		*out = (uint64_t)secs * 1000000000u + frac;
		return 0;
	}
	/* Seconds since 1970, with up to 9 decimals, exactly (no double). */
	errno = 0;
	t = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	rest = end;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (uint64_t)(*rest - '0') * scale;
	if (*rest)
		return -EINVAL;
	*out = t * 1000000000u + frac;
	return 0;
}
