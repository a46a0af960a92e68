// SPDX-License-Identifier: BSD-2-Clause
/* readopt.c - the reader programs' common command-line pieces. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readopt.h"
#include "ringlist.h"

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
		if (in->nfiles == READOPT_MAX_INPUTS)
			return -EINVAL;
		in->files[in->nfiles++] = arg;
		return 1;
	case 'T':
		in->back_secs = strtod(arg, &end);
		return *end || !(in->back_secs > 0) ? -EINVAL : 1;
	case READOPT_FROM:
		return readopt_from(arg, &in->from) < 0 ? -EINVAL : 1;
	case READOPT_WAIT:
		in->wait = true;
		return 1;
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
	in->notice = readopt_notice;
	if (!in->nrings == !in->nfiles) {
		snprintf(err, errlen, "give either -i RING or -r FILE");
		return -EINVAL;
	}
	return 0;
}

static volatile sig_atomic_t readopt_stop;

static void readopt_on_signal(int sig)
{
	(void)sig;
	readopt_stop = 1;
}

const volatile sig_atomic_t *readopt_signals(void)
{
	struct sigaction sa = { .sa_handler = readopt_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return &readopt_stop;
}
