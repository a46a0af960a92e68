/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_report.h - what a replay did, counted as it goes and printed at
 * its end (also after Ctrl-C): packets and bytes sent; each packet's send
 * error, the time it was handed to the kernel minus the time it was due
 * (p50, p99, max, and that of the last packet sent: the drift); packets
 * more than 10 us and 100 us late; packets not sent, by cause.
 *
 * Every packet selected is either sent or counted under one cause, so
 * selected * loops == sent + sum(not sent) at a normal end.
 *
 * The functions below count what they are given; the program sets the
 * rest itself: selected, loops_asked, loops_done, skipped[], out_of_order,
 * start_wall, elapsed_ns, cpu_ns, spun_ns, the stalls and interrupted.
 * A packet sent before it was due counts as 0 late; percentiles are
 * hist.h's (at most 1.6 % above the true value).
 */
#ifndef CAPD_REPLAY_REPORT_H
#define CAPD_REPLAY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"

/* Why a selected packet was not sent (besides a send error). */
enum replay_skip {
	REPLAY_SKIP_TRUNCATED, /* captured shorter than it was on the wire */
	REPLAY_SKIP_NOT_UDP,   /* payload mode: not a UDP datagram (or a fragment) */
	REPLAY_SKIP_TOO_BIG,   /* frame mode: longer than the interface's MTU allows
				* after the link header; payload mode: more than
				* one IP datagram holds (a payload above the MTU
				* is sent, fragmented by the kernel) */
	REPLAY_SKIP_N,
};

#define REPLAY_REPORT_ERRNOS 16 /* distinct send errors counted by name */

struct replay_report {
	/* input */
	uint64_t selected;    /* packets a pass selects */
	uint64_t loops_asked; /* --loop (1 without it) */
	uint64_t loops_done;  /* passes completed */
	/* output */
	uint64_t sent, sent_bytes; /* bytes: payloads (payload mode) or frames */
	uint64_t skipped[REPLAY_SKIP_N];
	struct {
		int err; /* errno value */
		uint64_t count;
	} send_err[REPLAY_REPORT_ERRNOS];
	uint64_t send_err_other; /* errors beyond REPLAY_REPORT_ERRNOS distinct ones */
	/* timing: send time - due time, ns, of each packet sent */
	struct hist err;
	uint64_t late_10us, late_100us;
	uint64_t last_err;     /* of the last packet sent: the drift */
	uint64_t out_of_order; /* packets whose time was before the previous one's */
	/* run */
	uint64_t start_wall;   /* CLOCK_REALTIME ns when the first packet was due */
	uint64_t elapsed_ns;   /* first packet due .. last packet sent */
	uint64_t cpu_ns;       /* user + system CPU time of the process */
	uint64_t spun_ns;      /* of the waits: spinning (replay_wait) */
	uint64_t stalls_5us;   /* while spinning, the core taken (replay_wait.h) */
	uint64_t stalls_20us;  /* of them for 20 us or more */
	uint64_t stalled_ns;   /* their total */
	uint64_t stall_max_ns; /* the longest */
	bool interrupted;      /* stopped by a signal before the end */
};

/* Zero r (its histogram empty). */
void replay_report_init(struct replay_report *r);

/* A packet of bytes handed to the kernel at CLOCK_MONOTONIC at, due at due. */
void replay_report_sent(struct replay_report *r, uint64_t due, uint64_t at, uint32_t bytes);

/* A packet the kernel refused with err (a positive errno value). */
void replay_report_error(struct replay_report *r, int err);

/* The total of send errors. */
uint64_t replay_report_errors(const struct replay_report *r);

/*
 * The report as text for a person (one line per item, times in us with
 * 3 decimals), or as one JSON object with ns integers, with a newline.
 * mode "payload" or "frame", ifname the interface.  Send errors are named
 * by errno ("ENOBUFS", "E<number>" for one without a name), those beyond
 * the table as "other"; the JSON also carries spun_ns.
 */
void replay_report_text(FILE *f, const struct replay_report *r, const char *mode,
			const char *ifname);
void replay_report_json(FILE *f, const struct replay_report *r, const char *mode,
			const char *ifname);

#endif
