// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_report - counting (late means more than 10 us / 100 us; an
 * early send is 0 late; the drift is the last packet's), the errno table
 * (more than REPLAY_REPORT_ERRNOS distinct errors go to "other"), and the
 * text report line by line.  With --json it prints the JSON report of the
 * same run for capreplay_report_json.sh to parse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "replay_report.h"
#include "test.h"

#define DUE 5000000000ull /* a due time (CLOCK_MONOTONIC ns) */

/* A run: 100 packets, 4 of them late, 2 skipped, 21 distinct send errors. */
static void run(struct replay_report *r)
{
	int e;
	unsigned int i;

	replay_report_init(r);
	r->selected = 60;
	r->loops_asked = 2;
	r->loops_done = 1;
	for (i = 0; i < 95; i++)
		replay_report_sent(r, DUE + i * 1000, DUE + i * 1000 + 500, 100);
	replay_report_sent(r, DUE, DUE + 10000, 100);	    /* exactly 10 us: not late */
	replay_report_sent(r, DUE, DUE + 10001, 100);	    /* late */
	replay_report_sent(r, DUE, DUE + 100000, 100);	    /* late, not 100 us late */
	replay_report_sent(r, DUE, DUE + 100001, 100);	    /* both */
	replay_report_sent(r, DUE + 1000, DUE + 999, 1400); /* early: 0 */
	r->skipped[REPLAY_SKIP_TRUNCATED] = 1;
	r->skipped[REPLAY_SKIP_NOT_UDP] = 2;
	/* ENOBUFS 3 times, then 20 other distinct values, EPERM (1) twice. */
	for (i = 0; i < 3; i++)
		replay_report_error(r, ENOBUFS);
	for (e = 1; e <= 20; e++)
		replay_report_error(r, e);
	replay_report_error(r, EPERM);
	replay_report_error(r, 4095); /* no name: E4095, one too many: "other" */
	r->out_of_order = 7;
	r->start_wall = 1767225600123456789ull;
	r->elapsed_ns = 2700000000ull;
	r->cpu_ns = 1234000000ull;
	r->spun_ns = 1100000000ull;
	r->stalls_5us = 12;
	r->stalls_20us = 5;
	r->stalled_ns = 345678;
	r->stall_max_ns = 98765;
	r->interrupted = true;
}

static void test_counting(void)
{
	struct replay_report r;
	unsigned int i;

	run(&r);
	T_EQ(r.sent, 100);
	T_EQ(r.sent_bytes, 99 * 100 + 1400);
	T_EQ(r.late_10us, 3);
	T_EQ(r.late_100us, 1);
	T_EQ(r.last_err, 0);
	T_EQ(r.err.n, 100);
	T_EQ(r.err.min, 0);
	T_EQ(r.err.max, 100001);
	replay_report_sent(&r, DUE, DUE + 123456, 1);
	T_EQ(r.last_err, 123456);
	T_EQ(r.late_100us, 2);

	/* The table: ENOBUFS first, then 1..15 in order; the rest is "other". */
	T_EQ(r.send_err[0].err, ENOBUFS);
	T_EQ(r.send_err[0].count, 3);
	for (i = 1; i < REPLAY_REPORT_ERRNOS; i++) {
		T_EQ(r.send_err[i].err, (int)i);
		T_EQ(r.send_err[i].count, i == EPERM ? 2 : 1);
	}
	/* 16..20 and 4095 are beyond the table. */
	T_EQ(r.send_err_other, 6);
	T_EQ(replay_report_errors(&r), 3 + 20 + 1 + 1);
}

/* The text report of run(), one line at a time. */
static void test_text(void)
{
	struct replay_report r;
	char *buf = NULL, p50[32], p99[32], line[256];
	size_t len = 0;
	FILE *f;
	uint64_t v;

	run(&r);
	f = open_memstream(&buf, &len);
	T_ASSERT(f);
	replay_report_text(f, &r, "payload", "veth0");
	T_EQ(fclose(f), 0);
	/*
	 * p50 is a 500, p99 the 99th of 100 samples (100000), each shown as
	 * the top of its histogram bucket (hist.h: at most 1/HIST_SUB above).
	 */
	v = hist_percentile(&r.err, 0.5);
	T_ASSERT(v >= 500 && v <= 500 + 500 / HIST_SUB);
	snprintf(p50, sizeof(p50), "0.%03llu", (unsigned long long)v);
	v = hist_percentile(&r.err, 0.99);
	T_ASSERT(v >= 100000 && v <= 100001);
	snprintf(p99, sizeof(p99), "%llu.%03llu", (unsigned long long)(v / 1000),
		 (unsigned long long)(v % 1000));
	snprintf(line, sizeof(line), "send error: p50 %s us, p99 %s us, max 100.001 us\n", p50,
		 p99);
	{
		const char *want[] = {
			"mode: payload\n",
			"interface: veth0\n",
			"selected: 60 packets per pass\n",
			"passes: 1 of 2\n",
			"sent: 100 packets, 11300 bytes\n",
			line,
			"drift: 0.000 us\n",
			"late: 3 > 10 us, 1 > 100 us\n",
			"out of order: 7\n",
			"not sent: 1 truncated, 2 not UDP, 0 too big\n",
			NULL, /* send errors: below */
			"start: 2026-01-01T00:00:00.123456789Z\n",
			"elapsed: 2.700 s\n",
			"cpu: 1.234 s (45.7 % of 2.7 s elapsed), spinning 1.1 s\n",
			"core taken while spinning: 12 times >= 5 us (5 >= 20 us), 345.678 us in "
			"all, longest 98.765 us\n",
			"interrupted: yes\n",
		};
		const char *p = buf;
		unsigned int i;

		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			const char *nl = strchr(p, '\n');

			T_ASSERT(nl);
			if (!want[i]) {
				T_ASSERT(!strncmp(
					p, "send errors: 25 (ENOBUFS 3, EPERM 2, ENOENT 1,", 46));
				T_ASSERT(strstr(p, ", ENOTBLK 1, other 6)\n") == nl - 21);
			} else if (strncmp(p, want[i], strlen(want[i])) ||
				   (size_t)(nl + 1 - p) != strlen(want[i])) {
				T_FAIL("line %u: \"%.*s\", not \"%s\"", i + 1, (int)(nl - p), p,
				       want[i]);
			}
			p = nl + 1;
		}
		T_EQ(*p, '\0');
	}
	free(buf);

	/* Nothing at all: no division by zero, no errors listed, until stopped. */
	replay_report_init(&r);
	buf = NULL;
	f = open_memstream(&buf, &len);
	T_ASSERT(f);
	replay_report_text(f, &r, "frame", "eth1");
	T_EQ(fclose(f), 0);
	T_ASSERT(strstr(buf, "\npasses: 0 (until stopped)\n"));
	T_ASSERT(strstr(buf, "\nsend error: p50 0.000 us, p99 0.000 us, max 0.000 us\n"));
	T_ASSERT(strstr(buf, "\nsend errors: 0\n"));
	T_ASSERT(strstr(buf, "\ncpu: 0.000 s (0.0 % of 0.0 s elapsed), spinning 0.0 s\n"));
	T_ASSERT(strstr(buf, "\ninterrupted: no\n"));
	free(buf);
}

int main(int argc, char **argv)
{
	struct replay_report r;

	if (argc > 1 && !strcmp(argv[1], "--json")) {
		/* An interface name a JSON string must escape. */
		run(&r);
		replay_report_json(stdout, &r, "payload", argc > 2 ? argv[2] : "veth0");
		return fflush(stdout) ? T_EXIT_FAIL : T_EXIT_PASS;
	}
	test_counting();
	test_text();
	return T_EXIT_PASS;
}
