/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_jsonl.h - one line of capstat --json output (docs/capstat.md, "JSON
 * schema"; docs/latency.md) read into what an intervals_local row needs.
 * The line is hostile input: any JSON is walked to its end within bounds
 * (nesting, length), anything malformed is refused with a reason.
 *
 * Of a "feed" object: its feed, time (end of the interval), interval_s,
 * interval_packets, interval_bytes, seq.gaps and seq.missing (capstat's,
 * since it started), app2wire.p50_ns and p99_ns.  Of a "latency" object
 * (capstat --latency-to): feed, time, latency_ns.p50 and p99 (only with
 * comparable clocks: latency_unsynced_ns is not taken).  Other objects
 * ("ab", "clock", "summary") give their type and time only.
 */
#ifndef CAPD_SHIP_JSONL_H
#define CAPD_SHIP_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHIP_JSONL_DEPTH 16 /* nesting refused beyond */

enum ship_jsonl_type { SHIP_JSONL_OTHER, SHIP_JSONL_FEED, SHIP_JSONL_LATENCY, SHIP_JSONL_SUMMARY };

struct ship_jsonl {
	enum ship_jsonl_type type;
	char feed[64];
	uint64_t end_ns; /* 0: no time */
	uint64_t interval_ns;
	uint64_t packets, bytes, gaps, missing;
	bool a2w, lat; /* app2wire / latency_ns figures present */
	int64_t a2w_p50_ns, a2w_p99_ns, lat_p50_ns, lat_p99_ns;
};

/* Read one line (len bytes, no newline).  @return 0, or -EBADMSG (why set). */
int ship_jsonl_parse(const char *line, size_t len, struct ship_jsonl *out, char *why,
		     size_t whylen);

/* "2026-05-01T12:00:01.000000000Z" (1 to 9 digits of fraction, or none)
 * as UTC ns.  @return 0 or -EINVAL. */
int ship_jsonl_utc(const char *s, uint64_t *ns);

#endif
