/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * feedstat.h - traffic figures of one feed: counts, rates and their peaks,
 * inter-arrival time percentiles, and microbursts.
 *
 * Definitions (docs/capstat.md has them for users):
 *  - bytes are frame bytes as on the wire (wirelen, no FCS);
 *  - an interval is closed by feedstat_interval(); pps and bps are its
 *    packets and bits divided by its length, peak_pps and peak_bps the
 *    largest of those over the closed intervals.  Two intervals are open
 *    at a time, the current one and the next, so that a packet stamped
 *    before a boundary but seen after a later one still counts where its
 *    timestamp says (the caller decides when an interval is over);
 *  - the inter-arrival time is the difference of consecutive timestamps;
 *  - a microburst window of width W: burst[w] holds the largest number of
 *    packets (and, separately, of bytes) whose timestamps lie within any
 *    half-open span [t, t + W).  Exact: every packet of the last W is kept
 *    (up to FEEDSTAT_QUEUE_MAX of them; past that, capped is set and the
 *    figures are lower bounds).
 * A timestamp older than the previous one of the feed is taken as equal to
 * it (merged queues can reorder by a little), and counted in backwards.
 */
#ifndef CAPD_FEEDSTAT_H
#define CAPD_FEEDSTAT_H

#include <stdint.h>

#include "hist.h"

#define FEEDSTAT_NWIN	   4
#define FEEDSTAT_QUEUE_MAX (1u << 18) /* packets kept for the widest window */

/* 1 us, 10 us, 100 us, 1 ms; and their names in output. */
extern const uint64_t feedstat_win_ns[FEEDSTAT_NWIN];
extern const char *const feedstat_win_name[FEEDSTAT_NWIN];

struct feedstat_burst {
	uint64_t packets;
	uint64_t bytes;
};

struct feedstat {
	uint64_t packets, bytes;		    /* since the start */
	uint64_t first_ts, last_ts;		    /* ns; valid when packets > 0 */
	uint64_t backwards;			    /* timestamps older than the previous one */
	double pps, bps;			    /* of the last closed interval */
	double peak_pps, peak_bps;		    /* largest over the closed intervals */
	struct hist iat;			    /* inter-arrival times since the start */
	struct hist iat_iv;			    /* ... in the current interval */
	struct hist iat_last;			    /* ... in the last closed interval */
	struct hist iat_next;			    /* ... in the next interval */
	uint64_t iv_packets, iv_bytes;		    /* in the current interval */
	uint64_t next_packets, next_bytes;	    /* in the next interval */
	uint64_t last_packets, last_bytes;	    /* in the last closed interval */
	struct feedstat_burst burst[FEEDSTAT_NWIN]; /* since the start */
	int capped; /* the queue overflowed once: bursts are lower bounds */

	/* The sliding windows: packets of the widest window, oldest first. */
	uint64_t *q_ts;
	uint32_t *q_len;
	uint32_t q_cap;			 /* power of two */
	uint64_t q_head;		 /* absolute index of the next packet */
	uint64_t q_start[FEEDSTAT_NWIN]; /* absolute index of each window's oldest */
	uint64_t q_bytes[FEEDSTAT_NWIN]; /* bytes in each window */
};

/* @return 0 or -ENOMEM. */
int feedstat_init(struct feedstat *f);
void feedstat_free(struct feedstat *f);

/* One packet of bytes at ts (ns), in the current interval. */
void feedstat_add(struct feedstat *f, uint64_t ts, uint32_t bytes);

/* The same, in the current interval (next = 0) or the next one (1). */
void feedstat_add_iv(struct feedstat *f, uint64_t ts, uint32_t bytes, int next);

/*
 * Close the current interval, secs long: set pps/bps, last_packets,
 * last_bytes and the peaks, keep its inter-arrival times in iat_last; the
 * next interval becomes the current one.
 */
void feedstat_interval(struct feedstat *f, double secs);

#endif
