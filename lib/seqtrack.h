/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seqtrack.h - sequence analysis of one feed: gaps with their ranges,
 * duplicates, out-of-order packets, resets and session changes, from what
 * the decoders (seqdec.h) say each datagram carries.
 *
 * Definitions.  "expected" is one past the highest message seen in the
 * current session.  For a datagram carrying messages [first, first+count):
 *  - first == expected: in order.
 *  - first > expected: a gap.  [expected, first) become missing: gaps + 1,
 *    missing + (first - expected), the range is listed.
 *  - first < expected, and some of its messages are missing: out of order.
 *    They are no longer missing (missing and the ranges shrink, recovered
 *    grows); a range filled completely is one gap less, one split in two is
 *    one more.
 *  - first < expected, none of its messages missing: a duplicate, unless
 *    first <= 1 (a feed starting over) or it lies more than SEQTRACK_WINDOW
 *    behind expected: then it is a reset, and numbering starts again there.
 *  - a session id (MoldUDP64 session, PITCH unit) different from the
 *    current one: a session change; numbering starts again there.
 *  - heartbeats (and MoldUDP64's end of session) carry the next sequence
 *    number: one ahead of expected reveals a gap as a data packet would.
 *  - unsequenced datagrams (PITCH sequence 0) are only counted.
 * gaps and missing are "still open": they can go down.  On a reset or a
 * session change the open ranges are closed: they stay in gaps and missing
 * but are no longer listed or fillable.
 *
 * Bounded memory: at most SEQTRACK_MAX_RANGES open ranges are listed; when
 * a new one would exceed that, the oldest is closed (it stays counted, and
 * ranges_closed says how many are no longer listed).
 */
#ifndef CAPD_SEQTRACK_H
#define CAPD_SEQTRACK_H

#include <stdint.h>

#include "seqdec.h"

#define SEQTRACK_MAX_RANGES 4096u
#define SEQTRACK_WINDOW	    (1ull << 24)

struct seqtrack_range {
	uint64_t first, last; /* inclusive */
};

enum seqtrack_verdict {
	SEQTRACK_IN_ORDER,
	SEQTRACK_GAP,
	SEQTRACK_OUT_OF_ORDER,
	SEQTRACK_DUPLICATE,
	SEQTRACK_RESET,
	SEQTRACK_SESSION, /* a new session (or the first packet) */
	SEQTRACK_OTHER,	  /* heartbeat, end of session, unsequenced */
};

struct seqtrack {
	uint64_t packets;  /* sequenced datagrams, heartbeats included */
	uint64_t messages; /* distinct messages received */
	uint64_t heartbeats;
	uint64_t ends; /* end-of-session datagrams */
	uint64_t unsequenced;
	uint64_t gaps;	       /* open gaps */
	uint64_t missing;      /* messages in open gaps */
	uint64_t recovered;    /* messages that came after a gap was seen */
	uint64_t duplicates;   /* datagrams */
	uint64_t out_of_order; /* datagrams */
	uint64_t resets;
	uint64_t session_changes;
	uint64_t ranges_closed; /* open gaps that are no longer listed */
	uint64_t expected;	/* valid when started */
	int started;
	uint8_t session[SEQDEC_SESSION_MAX];
	uint8_t session_len;
	struct seqtrack_range *ranges; /* open gaps, ascending */
	unsigned int nranges;
};

/* @return 0 or -ENOMEM. */
int seqtrack_init(struct seqtrack *t);
void seqtrack_free(struct seqtrack *t);

/* Account for one decoded datagram. */
enum seqtrack_verdict seqtrack_add(struct seqtrack *t, const struct seqdec_msg *m);

#endif
