/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_sched.h - when each packet of a replay is due: an offset in ns
 * from the start of the run, computed from the packet alone (its time, its
 * index, its pass), never by adding up gaps, so that rounding and late
 * sends cannot accumulate into drift.
 *
 * Pacing:
 *   REPLAY_PACE_ORIG  the recorded timing, scaled by 1/speed:
 *                     offset = (ts - first_ts + loop * period) / speed,
 *                     exactly (integer arithmetic on speed in millionths).
 *   REPLAY_PACE_PPS   a fixed rate: offset = (loop * npkts + i) * 1e9 / pps,
 *                     exactly (no rounding carried from packet to packet).
 *   REPLAY_PACE_TOP   as fast as possible: every offset is 0.
 *
 * A pass (one --loop) of npkts packets spanning first_ts..last_ts of
 * packet time lasts period = (last_ts - first_ts) + the mean gap
 * (last_ts - first_ts) / (npkts - 1), so that --loop N keeps the recorded
 * mean rate across the seams; a pass of one packet, or of packets all at
 * one time, lasts 1 ms.
 *
 * A packet whose time is before first_ts (input not in time order) gets
 * the pass's start; the engine never sends a packet before the one read
 * ahead of it (it clamps offsets to be non-decreasing and counts them).
 */
#ifndef CAPD_REPLAY_SCHED_H
#define CAPD_REPLAY_SCHED_H

#include <stdint.h>

enum replay_pace {
	REPLAY_PACE_ORIG,
	REPLAY_PACE_PPS,
	REPLAY_PACE_TOP,
};

#define REPLAY_SPEED_UNIT   1000000u	     /* speed is kept in millionths */
#define REPLAY_SPEED_MIN    1u		     /* 0.000001x */
#define REPLAY_SPEED_MAX    1000000000000ull /* 1000000x */
#define REPLAY_PPS_MAX	    100000000ull     /* 100 Mpps */
#define REPLAY_LOOP_PERIOD1 1000000ull	     /* ns a pass of one instant lasts */

struct replay_sched {
	enum replay_pace pace;
	uint64_t speed_u;	    /* ORIG: speed in millionths (2x = 2000000) */
	uint64_t pps;		    /* PPS: packets per second */
	uint64_t first_ts, last_ts; /* packet time (ns) of a pass's first and last packet */
	uint64_t npkts;		    /* packets in a pass (> 0) */
	uint64_t period;	    /* ns of packet time a pass lasts (see above) */
};

/*
 * Set s up for pace (speed_u only for ORIG, pps only for PPS) over passes
 * of npkts packets, first_ts..last_ts.
 * @return 0, or -EINVAL (npkts 0, last_ts < first_ts, speed or pps 0 or
 *         above its maximum).
 */
int replay_sched_init(struct replay_sched *s, enum replay_pace pace, uint64_t speed_u, uint64_t pps,
		      uint64_t first_ts, uint64_t last_ts, uint64_t npkts);

/*
 * The offset (ns from the run's start) at which packet i (0-based, within
 * its pass) of pass loop (0-based), of packet time ts, is due; saturates at
 * UINT64_MAX rather than wrapping.
 */
uint64_t replay_sched_offset(const struct replay_sched *s, uint64_t loop, uint64_t i, uint64_t ts);

/*
 * "2", "0.5", "10x", "1.25": a speed multiple, at most 6 decimals, into
 * *speed_u (millionths).  @return 0, or -EINVAL (not a number, 0, out of
 * REPLAY_SPEED_MIN..REPLAY_SPEED_MAX).
 */
int replay_sched_parse_speed(const char *s, uint64_t *speed_u);

#endif
