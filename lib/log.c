// SPDX-License-Identifier: BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static const char *log_prog = "capd";
static int log_max = LOG_INFO;
static int log_journal;

void log_init(const char *prog, int max_level)
{
	log_prog = prog;
	log_max = max_level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_msg(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines of two threads never interleave. */
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, buf);
	else
		fprintf(stderr, "%s: %s\n", log_prog, buf);
}
