/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_clock.h - the ring's clock page: seqlock access and the conversion
 * of record timestamps to UTC.
 *
 * Writer (capd's housekeeping thread, the only one):
 *	ring_clock_write_begin(c);  update fields;  ring_clock_write_end(c);
 * Readers copy with ring_clock_read(), which retries while an update is in
 * progress (seq odd) or happened during the copy (seq changed), for a
 * bounded time: a writer killed in the middle of an update leaves seq odd
 * for good, and its successor's first update makes it even again.
 */
#ifndef CAPD_RING_CLOCK_H
#define CAPD_RING_CLOCK_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "clock_ns.h"
#include "ring.h"
#include "ring_format.h"

/* How long a reader waits for an update to end before it gives up. */
#define RING_CLOCK_READ_WAIT_NS 100000000ULL

static inline void ring_clock_write_begin(struct ring_clock *c)
{
	/* odd even if a killed writer left it odd */
	ring_store_relaxed32(&c->seq, (c->seq + 1) | 1);
	/* seq is odd before any field changes */
	ring_fence_release();
}

static inline void ring_clock_write_end(struct ring_clock *c)
{
	/* every field is written before seq is even again */
	ring_store_release32(&c->seq, c->seq + 1);
}

/*
 * Consistent copy of *c into *out.
 * @return 0; or -EAGAIN if no consistent copy came within
 *         RING_CLOCK_READ_WAIT_NS (a writer killed in the middle of an
 *         update): *out is then zeroed, which reads as "nothing known,
 *         not synced".
 */
static inline int ring_clock_read(const struct ring_clock *c, struct ring_clock *out)
{
	uint64_t deadline = 0;
	uint32_t s0, s1, tries = 0;

	for (;;) {
		s0 = ring_load_acquire32(&c->seq);
		memcpy(out, c, sizeof(*out));
		ring_fence_acquire();
		s1 = ring_load_relaxed32(&c->seq);
		if (!(s0 & 1) && s0 == s1)
			return 0;
		/* The clock is read only every 1024th try: updates are short. */
		if (++tries % 1024 == 0) {
			uint64_t now = clock_ns(CLOCK_MONOTONIC);

			if (!deadline)
				deadline = now + RING_CLOCK_READ_WAIT_NS;
			else if (now > deadline)
				break;
		}
		ring_cpu_relax();
	}
	memset(out, 0, sizeof(*out));
	return -EAGAIN;
}

/* How ring_clock_to_utc() converted a stamp. */
enum ring_utc_how {
	RING_UTC_AS_IS = 0,  /* no valid offset known: the stamp is unchanged (TAI) */
	RING_UTC_PTP = 1,    /* PTP timescale minus the valid PTP UTC offset */
	RING_UTC_ARB = 2,    /* ARB timescale: the grandmaster's time is UTC already */
	RING_UTC_KERNEL = 3, /* CLOCK_TAI minus the kernel's TAI offset */
};

/* TAI - UTC in seconds for PTP-timescale time tai_ns, leap second aware. */
static inline int64_t ring_clock_ptp_offset(const struct ring_clock *c, uint64_t tai_ns)
{
	if (c->leap_tai_ns)
		return tai_ns < c->leap_tai_ns ? c->leap_offset_before : c->leap_offset_after;
	return c->utc_offset;
}

/*
 * TAI - UTC in seconds for TAI time tai_ns, whichever clock made it: the
 * valid PTP UTC offset (leap second aware), else the kernel's TAI offset;
 * 0 when neither is known.
 */
static inline int64_t ring_clock_tai_offset(const struct ring_clock *c, uint64_t tai_ns)
{
	if (c->time_flags & RING_TIME_UTC_OFF_VALID)
		return ring_clock_ptp_offset(c, tai_ns);
	return c->kernel_tai_offset;
}

/*
 * UTC nanoseconds for a record timestamp ts of source ts_source, given the
 * clock page snapshot c; how it was done in *how (may be NULL).
 *
 * PHC stamps follow the grandmaster's timescale: PTP (TAI) stamps need a
 * valid PTP UTC offset, applied per stamp so that stamps on either side of
 * a leap second convert with their own offset (an inserted second repeats
 * 23:59:59 in UTC, as the kernel's clock does); without a valid offset the
 * kernel's TAI offset is used if something set it, else nothing.  Kernel
 * and capd stamps are CLOCK_TAI, which is CLOCK_REALTIME plus the kernel's
 * TAI offset by definition (0 when nothing set it).
 */
static inline uint64_t ring_clock_to_utc_how(const struct ring_clock *c, uint8_t ts_source,
					     uint64_t ts, enum ring_utc_how *how)
{
	enum ring_utc_how h = RING_UTC_KERNEL;
	int64_t off = c->kernel_tai_offset;

	if (ts_source == RING_TS_NONE) {
		h = RING_UTC_AS_IS;
		off = 0;
	} else if (ts_source == RING_TS_PHC) {
		if (!(c->time_flags & RING_TIME_PTP_TIMESCALE)) {
			h = RING_UTC_ARB;
			off = 0;
		} else {
			off = ring_clock_tai_offset(c, ts);
			if (c->time_flags & RING_TIME_UTC_OFF_VALID)
				h = RING_UTC_PTP;
			else if (!off)
				h = RING_UTC_AS_IS;
		}
	}
	if (how)
		*how = h;
	return ts - (uint64_t)(off * 1000000000LL);
}

static inline uint64_t ring_clock_to_utc(const struct ring_clock *c, uint8_t ts_source, uint64_t ts)
{
	return ring_clock_to_utc_how(c, ts_source, ts, NULL);
}

#endif
