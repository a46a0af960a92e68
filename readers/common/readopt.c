// SPDX-License-Identifier: BSD-2-Clause
/* readopt.c - the reader programs' common command-line pieces. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock_ns.h"
#include "readopt.h"

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
	default:
		return 0;
	}
}

int readopt_input_check(const struct readopt_input *in, char *err, size_t errlen)
{
	if (!in->nrings == !in->nfiles) {
		snprintf(err, errlen, "give either -i RING or -r FILE");
		return -EINVAL;
	}
	return 0;
}

int readopt_open_rings(struct ringsrc **src, const struct readopt_input *in, char *err,
		       size_t errlen)
{
	int r;

	r = ringsrc_open(src, in->rings, in->nrings, err, errlen);
	if (r < 0)
		return r;
	if (in->back_secs > 0)
		r = ringsrc_seek(*src, RING_SEEK_TIME,
				 clock_ns(CLOCK_REALTIME) - (uint64_t)(in->back_secs * 1e9));
	else
		r = ringsrc_seek(*src, in->from, 0);
	if (r < 0) {
		snprintf(err, errlen, "seeking in the ring: %s", strerror(-r));
		ringsrc_close(*src);
		*src = NULL;
	}
	return r;
}

int readopt_open_file(const char *path, struct capfile **f, char *err, size_t errlen)
{
	int r = capfile_open(path, f);

	if (r == -EINVAL)
		snprintf(err, errlen, "%s: not a pcapng, pcap or zstd capture file (%s)", path,
			 capfile_error(NULL));
	else if (r < 0)
		snprintf(err, errlen, "%s", capfile_error(NULL));
	return r;
}

void readopt_signals(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
