/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abarb.h - A/B line arbitration: two feeds carrying the same sequenced
 * messages, compared message by message.
 *
 * Each message number from the first one seen (on either line) up to the
 * highest one seen is decided once, when
 *  - both lines have delivered it, or
 *  - ABARB_HOLD_NS of packet time has passed since it was first delivered
 *    (or, for a message neither line delivered, since a later one was), or
 *  - ABARB_WINDOW newer message numbers have been seen, or
 *  - abarb_finish() is called (end of input);
 * and counted as: delivered by both (then which line was first and the
 * skew tB - tA go into the figures), lost on A only, lost on B only, or
 * lost on both.  A line delivering a message after its decision (or twice)
 * does not change it.  A message number more than ABARB_WINDOW away from
 * the current ones (a reset, a new session) decides everything pending and
 * starts afresh there (restarts counts it).
 */
#ifndef CAPD_ABARB_H
#define CAPD_ABARB_H

#include <stdint.h>

#include "hist.h"

#define ABARB_WINDOW  (1u << 18)    /* message numbers pending at most */
#define ABARB_HOLD_NS 1000000000ull /* how long a line may lag */

enum abarb_line { ABARB_A, ABARB_B };

struct abarb_slot {
	uint64_t ts[2]; /* first delivery on A, B; 0 = not (yet) */
	uint64_t t0;	/* when the message became known */
};

struct abarb {
	uint64_t both;	 /* delivered by both lines */
	uint64_t lost_a; /* lost on A only (B delivered it) */
	uint64_t lost_b; /* lost on B only */
	uint64_t lost_both;
	uint64_t a_first, b_first, ties; /* among both */
	uint64_t late;			 /* deliveries after the decision */
	uint64_t restarts;
	uint64_t forced;		/* decided because ABARB_WINDOW newer numbers came */
	struct hist skew_neg, skew_pos; /* tB - tA, ns: magnitudes of <0, and >=0 */
	/* When set (by the user, after abarb_init()), each skew also goes
	 * into these: figures of an interval kept beside the totals. */
	struct hist *also_neg, *also_pos;

	int started;
	uint64_t base;		 /* lowest message number not decided */
	uint64_t top;		 /* one past the highest message number known */
	struct abarb_slot *slot; /* ABARB_WINDOW, indexed by number % ABARB_WINDOW */
};

/* @return 0 or -ENOMEM. */
int abarb_init(struct abarb *a);
void abarb_free(struct abarb *a);

/*
 * Line delivered messages [seq, seq + count) at ts (ns).  count 0 (a
 * heartbeat) only says that the messages below seq exist.
 */
void abarb_add(struct abarb *a, enum abarb_line line, uint64_t seq, uint32_t count, uint64_t ts);

/*
 * Line delivered messages [seq, seq + count) at ts, taken only for those
 * the other line delivered and that are not decided: when the input of
 * this line has gone on past the end of the other's.
 * @return the messages taken.
 */
uint32_t abarb_complete(struct abarb *a, enum abarb_line line, uint64_t seq, uint32_t count,
			uint64_t ts);

/* Decide what has waited ABARB_HOLD_NS at time now (packet time, ns). */
void abarb_expire(struct abarb *a, uint64_t now);

/* Decide everything pending (end of the input). */
void abarb_finish(struct abarb *a);

/* Signed skew percentile tB - tA in ns (0 < q <= 1). */
int64_t abarb_skew(const struct abarb *a, double q);

#endif
