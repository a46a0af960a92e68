// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_abarb - A/B arbitration: exact lost-on-A/B/both counts for known
 * drop sets, first line and skew, time-based decisions, restarts.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abarb.h"
#include "test.h"

static bool in(const uint64_t *set, unsigned int n, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

static void test_drop_sets(void)
{
	static const uint64_t drop_a[] = { 5, 6, 7, 40, 41, 99, 150 };
	static const uint64_t drop_b[] = { 7, 8, 60, 99, 120, 121, 122 };
	static struct abarb a;
	uint64_t s, t = 1000;

	T_EQ(abarb_init(&a), 0);
	/* Packets of 2 messages, 1..200; B 3 us after A, except every 10th first. */
	for (s = 1; s <= 200; s++, t += 10000) {
		bool late_a = s % 10 == 0;

		if (!in(drop_a, 7, s) && !late_a)
			abarb_add(&a, ABARB_A, s, 1, t);
		if (!in(drop_b, 7, s))
			abarb_add(&a, ABARB_B, s, 1, t + 3000);
		if (!in(drop_a, 7, s) && late_a)
			abarb_add(&a, ABARB_A, s, 1, t + 5000);
	}
	abarb_finish(&a);
	/* Both: 7 and 99.  A only lost: 5, 6, 40, 41, 150.  B only: 8, 60, 120-122. */
	T_EQ(a.lost_both, 2);
	T_EQ(a.lost_a, 5);
	T_EQ(a.lost_b, 5);
	T_EQ(a.both, 200 - 12);
	/* Every 10th (20 of them; 40 and 150 lost on A, 60 and 120 on B) came first on B. */
	T_EQ(a.b_first, 16);
	T_EQ(a.a_first, a.both - 16);
	T_EQ(abarb_skew(&a, 0.5), 3000);
	T_EQ(abarb_skew(&a, 0), -2000);
	T_EQ(abarb_skew(&a, 1), 3000);
	T_EQ(a.late, 0);
	abarb_free(&a);
}

static void test_messages_and_time(void)
{
	static struct abarb a;

	T_EQ(abarb_init(&a), 0);
	/* B starts first at 10; A delivers 1-9 afterwards: the start moves down. */
	abarb_add(&a, ABARB_B, 10, 5, 100); /* 10-14 */
	abarb_add(&a, ABARB_A, 1, 14, 200); /* 1-14 */
	/* Decided in order: 10-14 wait behind 1-9, which wait for B. */
	T_EQ(a.both, 0);
	abarb_expire(&a, 200 + ABARB_HOLD_NS - 1);
	T_EQ(a.lost_b, 0);
	/* After the hold time 1-9 are lost on B. */
	abarb_expire(&a, 200 + ABARB_HOLD_NS);
	T_EQ(a.lost_b, 9);
	T_EQ(a.both, 5);
	T_EQ(a.b_first, 5);
	/* Too late now. */
	abarb_add(&a, ABARB_B, 3, 1, 300 + ABARB_HOLD_NS);
	T_EQ(a.late, 1);
	/* A heartbeat at 20: 15-19 exist; nobody delivers them. */
	abarb_add(&a, ABARB_A, 20, 0, 400 + ABARB_HOLD_NS);
	abarb_add(&a, ABARB_A, 20, 1, 500 + ABARB_HOLD_NS);
	abarb_add(&a, ABARB_B, 20, 1, 400 + ABARB_HOLD_NS);
	T_EQ(a.lost_both, 0);
	abarb_finish(&a);
	T_EQ(a.lost_both, 5);
	T_EQ(a.both, 6);
	T_EQ(a.b_first, 6);
	/* Far away: everything pending decided, a fresh start. */
	abarb_add(&a, ABARB_A, 1ull << 40, 1, 600 + ABARB_HOLD_NS);
	T_EQ(a.restarts, 1);
	abarb_add(&a, ABARB_B, 1ull << 40, 1, 600 + ABARB_HOLD_NS);
	T_EQ(a.both, 7);
	T_EQ(a.ties, 1);
	/* Beyond the window: the oldest are decided to make room. */
	abarb_add(&a, ABARB_A, (1ull << 40) + 1, ABARB_WINDOW, 700 + ABARB_HOLD_NS);
	abarb_add(&a, ABARB_A, (1ull << 40) + 1 + ABARB_WINDOW, 10, 700 + ABARB_HOLD_NS);
	T_EQ(a.lost_b, 9 + 10);
	abarb_free(&a);
}

int main(void)
{
	test_drop_sets();
	test_messages_and_time();
	return T_EXIT_PASS;
}
