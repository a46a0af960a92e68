/* SPDX-License-Identifier: BSD-2-Clause */
/* clock_ns.h - a clock read in nanoseconds, the unit of every time in capd. */
#ifndef CAPD_CLOCK_NS_H
#define CAPD_CLOCK_NS_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC, _REALTIME and _TAI come from the vDSO: no system call. */
static inline uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
