// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_sched - the schedule's offsets against their exact formulas:
 * the recorded timing at 1x, 2x, 0.5x and 3x (no drift over 10^7 packets),
 * passes and their period (also of one packet and of one instant), a fixed
 * rate (packet 10^9 at 3 pps), top speed, saturation, input out of time
 * order, and --speed's accepted and refused words.
 */
#include <errno.h>
#include <stdint.h>

#include "replay_sched.h"
#include "test.h"

#define T0 1700000000123456789ull /* a first packet time (ns since 1970) */

/* T_EQ compares as long long: offsets near UINT64_MAX need their own. */
#define T_EQU(a, b)                                                                      \
	do {                                                                             \
		uint64_t _a = (a), _b = (b);                                             \
		if (_a != _b)                                                            \
			T_FAIL("%s == %s: %llu != %llu", #a, #b, (unsigned long long)_a, \
			       (unsigned long long)_b);                                  \
	} while (0)

static void test_orig_speeds(void)
{
	struct replay_sched s;

	/* 5 packets 1000 ns apart: span 4000, mean gap 1000, period 5000. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(s.period, 5000);
	T_EQU(replay_sched_offset(&s, 0, 0, T0), 0);
	T_EQU(replay_sched_offset(&s, 0, 3, T0 + 3000), 3000);
	T_EQU(replay_sched_offset(&s, 0, 4, T0 + 4000), 4000);

	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 2000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 0, 3, T0 + 3001), 1500); /* 3001 / 2, down */
	T_EQU(replay_sched_offset(&s, 0, 4, T0 + 4000), 2000);

	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 500000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 0, 3, T0 + 3001), 6002);
	T_EQU(replay_sched_offset(&s, 0, 4, T0 + 4000), 8000);
}

/* 3x: each offset is its own floor((ts - first) / 3), never a sum of gaps. */
static void test_orig_no_drift(void)
{
	const uint64_t n = 10000000, gap = 1001; /* 1001 / 3 is not whole */
	struct replay_sched s;
	uint64_t i, sum = 0;

	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 3000000, 0, T0, T0 + (n - 1) * gap, n), 0);
	for (i = 0; i < n; i++) {
		uint64_t o = replay_sched_offset(&s, 0, i, T0 + i * gap);

		if (o != i * gap / 3)
			T_FAIL("packet %llu: %llu != %llu", (unsigned long long)i,
			       (unsigned long long)o, (unsigned long long)(i * gap / 3));
		if (i)
			sum += gap / 3; /* what summing rounded gaps would give */
	}
	/* The sum would be 10^7 / 3 ns (3.3 ms) short by now; the schedule is not. */
	T_EQU(replay_sched_offset(&s, 0, n - 1, T0 + (n - 1) * gap), (n - 1) * gap / 3);
	T_ASSERT((n - 1) * gap / 3 - sum > 3000000);
	/* Large times: the product needs more than 64 bits, the result does not. */
	T_EQU(replay_sched_offset(&s, 0, 0, T0 + 9000000000000000000ull),
	      9000000000000000000ull / 3);
}

static void test_orig_loops(void)
{
	struct replay_sched s;

	/* 5 packets over 4000 ns: pass k starts at k * 5000 (a mean gap after the last). */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 1, 0, T0), 5000);
	T_EQU(replay_sched_offset(&s, 1, 4, T0 + 4000), 9000);
	T_EQU(replay_sched_offset(&s, 7, 2, T0 + 2000), 37000);
	/* At 2x the seams shrink with the gaps. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 2000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 1, 0, T0), 2500);
	T_EQU(replay_sched_offset(&s, 3, 4, T0 + 4000), 9500);
	/* A mean gap that is not whole is rounded down: 10 ns over 4 gaps. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0 + 10, 5), 0);
	T_EQU(s.period, 12);
	/* One packet: a pass lasts 1 ms. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0, 1), 0);
	T_EQU(s.period, REPLAY_LOOP_PERIOD1);
	T_EQU(replay_sched_offset(&s, 0, 0, T0), 0);
	T_EQU(replay_sched_offset(&s, 3, 0, T0), 3 * REPLAY_LOOP_PERIOD1);
	/* Several packets at one instant: the same. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 2000000, 0, T0, T0, 50), 0);
	T_EQU(s.period, REPLAY_LOOP_PERIOD1);
	T_EQU(replay_sched_offset(&s, 0, 49, T0), 0);
	T_EQU(replay_sched_offset(&s, 2, 49, T0), REPLAY_LOOP_PERIOD1); /* 2 ms at 2x */
}

static void test_pps(void)
{
	struct replay_sched s;

	T_EQ(replay_sched_init(&s, REPLAY_PACE_PPS, 0, 3, T0, T0 + 5, 10), 0);
	T_EQU(replay_sched_offset(&s, 0, 0, 0), 0);
	T_EQU(replay_sched_offset(&s, 0, 1, 0), 333333333);
	T_EQU(replay_sched_offset(&s, 0, 2, 0), 666666666);
	T_EQU(replay_sched_offset(&s, 0, 3, 0), 1000000000);
	/* 10^9 * 10^9 / 3 needs 128 bits on the way; exact, not a sum of 1/3 s. */
	T_EQU(replay_sched_offset(&s, 0, 1000000000, 0), 333333333333333333ull);
	/* Passes continue the count exactly: pass 1's first is packet 10. */
	T_EQU(replay_sched_offset(&s, 1, 0, 0), replay_sched_offset(&s, 0, 10, 0));
	T_EQU(replay_sched_offset(&s, 1, 0, 0), 3333333333ull);
	T_EQU(replay_sched_offset(&s, 100000000, 9, 0), 333333336333333333ull);
	/* The packet's time does not matter. */
	T_EQU(replay_sched_offset(&s, 0, 5, T0 + 12345), replay_sched_offset(&s, 0, 5, 0));
	/* The highest rate: 10 ns apart. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_PPS, 0, REPLAY_PPS_MAX, T0, T0, 1), 0);
	T_EQU(replay_sched_offset(&s, 0, 7, 0), 70);
	T_EQU(replay_sched_offset(&s, 9, 0, 0), 90);
}

static void test_top(void)
{
	struct replay_sched s;

	T_EQ(replay_sched_init(&s, REPLAY_PACE_TOP, 0, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 0, 4, T0 + 4000), 0);
	T_EQU(replay_sched_offset(&s, 99, 4, T0 + 4000), 0);
}

static void test_saturation(void)
{
	struct replay_sched s;

	/* 0.000001x: every ns of packet time is 10^6 ns of run. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, REPLAY_SPEED_MIN, 0, 0, 1000000000000ull, 2),
	     0);
	T_EQU(replay_sched_offset(&s, 0, 1, 1000000000000ull), 1000000000000000000ull);
	T_EQU(replay_sched_offset(&s, 0, 1, 100000000000000ull), UINT64_MAX);
	T_EQU(replay_sched_offset(&s, UINT64_MAX, 0, 0), UINT64_MAX);
	T_EQU(replay_sched_offset(&s, 0, 0, UINT64_MAX), UINT64_MAX);
	/* At 1x, time itself saturates. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, 0, 10, 2), 0);
	T_EQU(replay_sched_offset(&s, UINT64_MAX / 20, 0, 0), UINT64_MAX / 20 * 20);
	T_EQU(replay_sched_offset(&s, UINT64_MAX / 20 + 1, 0, 0), UINT64_MAX);
	T_EQU(replay_sched_offset(&s, 0, 0, UINT64_MAX), UINT64_MAX);
	/* PPS: the count saturates, and the time. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_PPS, 0, 1, 0, 0, 1000), 0);
	T_EQU(replay_sched_offset(&s, UINT64_MAX / 100, 0, 0), UINT64_MAX);
	T_EQU(replay_sched_offset(&s, 0, UINT64_MAX, 0), UINT64_MAX);
	T_EQU(replay_sched_offset(&s, 0, 18446744073ull, 0), 18446744073000000000ull);
	T_EQU(replay_sched_offset(&s, 0, 18446744074ull, 0), UINT64_MAX);
}

static void test_before_first(void)
{
	struct replay_sched s;

	/* Out of time order: the pass's start, never a wrapped huge offset. */
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 0, 3, T0 - 1), 0);
	T_EQU(replay_sched_offset(&s, 2, 3, T0 - 1000000), 10000);
	T_EQU(replay_sched_offset(&s, 0, 3, 0), 0);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 2000000, 0, T0, T0 + 4000, 5), 0);
	T_EQU(replay_sched_offset(&s, 2, 3, T0 - 1), 5000);
}

static void test_init_refused(void)
{
	struct replay_sched s;

	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0, 0), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 1000000, 0, T0, T0 - 1, 2), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, 0, 0, T0, T0, 1), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, REPLAY_SPEED_MAX + 1, 0, T0, T0, 1), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_ORIG, REPLAY_SPEED_MAX, 0, T0, T0, 1), 0);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_PPS, 1000000, 0, T0, T0, 1), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_PPS, 0, REPLAY_PPS_MAX + 1, T0, T0, 1), -EINVAL);
	T_EQ(replay_sched_init(&s, REPLAY_PACE_TOP, 0, 0, T0, T0, 0), -EINVAL);
	T_EQ(replay_sched_init(&s, (enum replay_pace)42, 1000000, 1, T0, T0, 1), -EINVAL);
}

static void test_parse_speed(void)
{
	static const struct {
		const char *word;
		uint64_t speed_u;
	} ok[] = {
		{ "2", 2000000 },
		{ "0.5", 500000 },
		{ "10x", 10000000 },
		{ "1.25", 1250000 },
		{ "1.000001", 1000001 },
		{ "0.000001", 1 },
		{ "1000000", 1000000000000ull },
		{ "1000000.000000x", 1000000000000ull },
		{ "3X", 3000000 },
		{ "007.50", 7500000 },
	};
	static const char *const bad[] = {
		"0",	   "-1",	"1e3",	    "",	  "1.0000001", "1000000.000001",
		"1000001", "0.0000001", "0.000000", "x",  "2.",	       "+2",
		" 2",	   "2 ",	"2xx",	    ".5", "0x10",      "99999999999999999999999",
		"1.5.5",   "nan",
	};
	uint64_t v;
	unsigned int i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 0;
		if (replay_sched_parse_speed(ok[i].word, &v) != 0 || v != ok[i].speed_u)
			T_FAIL("\"%s\": %llu, not %llu", ok[i].word, (unsigned long long)v,
			       (unsigned long long)ok[i].speed_u);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (replay_sched_parse_speed(bad[i], &v) != -EINVAL || v != 12345)
			T_FAIL("\"%s\" was not refused", bad[i]);
	}
}

int main(void)
{
	test_orig_speeds();
	test_orig_no_drift();
	test_orig_loops();
	test_pps();
	test_top();
	test_saturation();
	test_before_first();
	test_init_refused();
	test_parse_speed();
	return T_EXIT_PASS;
}
