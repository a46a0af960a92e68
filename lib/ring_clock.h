/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_clock.h - the ring's clock page: seqlock access and the conversion
 * of record timestamps to UTC.
 *
 * Writer (capd's housekeeping thread, the only one):
 *	ring_clock_write_begin(c);  update fields;  ring_clock_write_end(c);
 * Readers copy with ring_clock_read(), which retries while an update is in
 * progress (seq odd) or happened during the copy (seq changed).
 */
#ifndef CAPD_RING_CLOCK_H
#define CAPD_RING_CLOCK_H

#include <stdint.h>
#include <string.h>

#include "ring_format.h"

static inline void ring_clock_write_begin(struct ring_clock *c)
{
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELAXED);
	/* seq is odd before any field changes */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void ring_clock_write_end(struct ring_clock *c)
{
	/* every field is written before seq is even again */
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
}

/* Consistent copy of *c into *out. */
static inline void ring_clock_read(const struct ring_clock *c, struct ring_clock *out)
{
	uint32_t s0, s1;

	do {
		s0 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		memcpy(out, c, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
	} while ((s0 & 1) || s0 != s1);
}

/*
 * UTC nanoseconds for a record timestamp of source ts_source, given the
 * clock page snapshot c.  PHC stamps on the PTP timescale use the PTP UTC
 * offset when it is valid; every other TAI stamp uses the kernel's TAI
 * offset (0 when nothing set it, then CLOCK_TAI == CLOCK_REALTIME).
 */
static inline uint64_t ring_clock_to_utc(const struct ring_clock *c, uint8_t ts_source, uint64_t ts)
{
	int64_t off = c->kernel_tai_offset;

	if (ts_source == RING_TS_PHC && (c->time_flags & RING_TIME_PTP_TIMESCALE) &&
	    (c->time_flags & RING_TIME_UTC_OFF_VALID))
		off = c->utc_offset;
	return ts - (uint64_t)(off * 1000000000LL);
}

#endif
