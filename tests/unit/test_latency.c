// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_latency - latency between two capture points: exact counts of
 * messages seen at both, A only, B only; percentiles of known latencies;
 * sessions matched apart; reordering; the window; feeds by name or address.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "latency.h"
#include "test.h"

static struct seqdec_msg msg(uint64_t seq, uint32_t count, const char *sess)
{
	struct seqdec_msg m;

	memset(&m, 0, sizeof(m));
	m.seq = seq;
	m.count = count;
	m.session_len = (uint8_t)strlen(sess);
	memcpy(m.session, sess, m.session_len);
	return m;
}

static int64_t pct(const struct latency *l, unsigned int i, bool iv, double q)
{
	static struct hist neg, pos;

	latency_hist(l, i, iv, &neg, &pos);
	return hist_percentile_signed(&neg, &pos, q);
}

/* 1000 messages; latency 400 us + (seq % 41 - 20) us; every 100th lost
 * between A and B; B's messages 17 and 18 also seen at B only. */
static void test_counts_and_percentiles(void)
{
	static struct latency l;
	struct latency_counts c;
	struct seqdec_msg m;
	uint64_t s, t = 1000000000;
	int f;

	f = latency_feed(&l, "feed1", "239.1.1.1:5000");
	T_EQ(f, 0);
	T_EQ(latency_feed(&l, "", "239.1.1.1:5000"), 0);
	T_EQ(latency_feed(&l, "feed1", ""), 0);
	T_EQ(latency_feed(&l, "feed2", "239.1.1.2:5000"), 1);
	for (s = 1; s <= 1000; s++, t += 10000) {
		int64_t d = 400000 + ((int64_t)(s % 41) - 20) * 1000;

		m = msg(s, 1, "S1");
		if (s != 17 && s != 18)
			latency_add(&l, f, LATENCY_A, &m, t);
		if (s % 100)
			latency_add(&l, f, LATENCY_B, &m, t + (uint64_t)d);
		latency_expire(&l, t);
	}
	latency_finish(&l);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.both, 1000 - 10 - 2);
	T_EQ(c.a_only, 10);
	T_EQ(c.b_only, 2);
	T_EQ(c.neither, 0);
	T_EQ(c.late, 0);
	T_EQ(c.sessions, 1);
	/* 380..420 us, evenly: the median 400 us within a bucket (1.6 %). */
	T_ASSERT(pct(&l, 0, false, 0.5) >= 399000 && pct(&l, 0, false, 0.5) <= 406500);
	{
		static struct hist neg, pos;

		latency_hist(&l, 0, false, &neg, &pos);
		T_EQ(neg.n, 0);
		T_EQ(pos.n, c.both);
		T_EQ(pos.min, 380000);
		T_EQ(pos.max, 420000);
		T_EQ(pct(&l, 0, false, 1), 420000);
	}
	latency_free(&l);
}

/* Datagrams of several messages, B ahead of A (negative latency), B's
 * datagrams reordered: every message counts, each with its datagram's time. */
static void test_reorder_and_counts(void)
{
	static struct latency l;
	struct latency_counts c;
	struct seqdec_msg m;
	uint64_t s, t = 5000000;
	int f = latency_feed(&l, "", "239.1.1.1:5000");

	for (s = 1; s <= 400; s += 8, t += 100000) {
		m = msg(s + 4, 4, "");
		latency_add(&l, f, LATENCY_B, &m, t - 2000);
		m = msg(s, 4, "");
		latency_add(&l, f, LATENCY_B, &m, t - 1000);
		m = msg(s, 8, "");
		latency_add(&l, f, LATENCY_A, &m, t);
	}
	latency_finish(&l);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.both, 400);
	T_EQ(c.a_only + c.b_only + c.neither + c.late, 0);
	T_EQ(pct(&l, 0, false, 0.5), -2000);
	T_EQ(pct(&l, 0, false, 0.51), -1000);
	T_EQ(pct(&l, 0, false, 1), -1000);
	latency_free(&l);
}

/* Two sessions interleaved with the same numbers: matched apart; a third
 * retires the least recent. */
static void test_sessions(void)
{
	static struct latency l;
	struct latency_counts c;
	struct seqdec_msg m;
	uint64_t s, t = 1000;
	int f = latency_feed(&l, "mold", "239.1.1.1:5000");

	for (s = 1; s <= 100; s++, t += 1000) {
		m = msg(s, 1, "SESSION001");
		latency_add(&l, f, LATENCY_A, &m, t);
		m = msg(s, 1, "SESSION002");
		latency_add(&l, f, LATENCY_A, &m, t);
		if (s != 50) {
			m = msg(s, 1, "SESSION001");
			latency_add(&l, f, LATENCY_B, &m, t + 100);
		}
		m = msg(s, 1, "SESSION002");
		latency_add(&l, f, LATENCY_B, &m, t + 200);
	}
	m = msg(1, 1, "SESSION003");
	latency_add(&l, f, LATENCY_A, &m, t);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.sessions, 3);
	T_EQ(c.both, 199);
	T_EQ(c.a_only, 1);
	T_EQ(c.pending, 1);
	latency_finish(&l);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.a_only, 2);
	T_EQ(pct(&l, 0, false, 0.25), 100);
	T_EQ(pct(&l, 0, false, 0.75), 200);
	latency_free(&l);
}

/* One-sided by time (ABARB_HOLD_NS) and by the window; intervals. */
static void test_window_and_intervals(void)
{
	static struct latency l;
	struct latency_counts c;
	struct seqdec_msg m;
	uint64_t t = 1000000000;
	int f = latency_feed(&l, "w", "239.1.1.1:5000");

	m = msg(1, 10, "");
	latency_add(&l, f, LATENCY_A, &m, t);
	latency_expire(&l, t + ABARB_HOLD_NS - 1);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.pending, 10);
	/* B's copy comes after the hold: A only, and B's is late. */
	latency_expire(&l, t + ABARB_HOLD_NS + 10000000);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.a_only, 10);
	m = msg(1, 10, "");
	latency_add(&l, f, LATENCY_B, &m, t + ABARB_HOLD_NS + 10000000);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.late, 10);
	latency_interval(&l);
	/* A window's worth and more at A only, within the hold: forced. */
	t += 2 * ABARB_HOLD_NS;
	m = msg(11, ABARB_WINDOW, "");
	latency_add(&l, f, LATENCY_A, &m, t);
	m = msg(11 + ABARB_WINDOW, 5, "");
	latency_add(&l, f, LATENCY_A, &m, t);
	m = msg(11 + ABARB_WINDOW, 5, "");
	latency_add(&l, f, LATENCY_B, &m, t + 7000);
	latency_counts(&l, 0, true, &c);
	T_EQ(c.forced, 5);
	T_EQ(c.a_only, 5);
	T_EQ(c.late, 0);
	latency_finish(&l);
	latency_counts(&l, 0, true, &c);
	T_EQ(c.a_only, ABARB_WINDOW);
	T_EQ(c.both, 5);
	T_EQ(pct(&l, 0, true, 0.5), 7000);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.a_only, ABARB_WINDOW + 10);
	latency_free(&l);
}

/* After the end of A's input: B completes only what A saw. */
static void test_after_end(void)
{
	static struct latency l;
	struct latency_counts c;
	struct seqdec_msg m;
	int f = latency_feed(&l, "e", "239.1.1.1:5000");

	m = msg(1, 10, "S");
	latency_add(&l, f, LATENCY_A, &m, 1000);
	m = msg(1, 4, "S");
	latency_add(&l, f, LATENCY_B, &m, 2000);
	/* 5..10 wait for B; B's 5..14 come after A's end: 6 taken, 4 not. */
	m = msg(5, 10, "S");
	latency_add_after_end(&l, f, LATENCY_B, &m, 3000);
	m = msg(1, 3, "T");
	latency_add_after_end(&l, f, LATENCY_B, &m, 3000);
	T_EQ(l.after_end, 4 + 3);
	latency_finish(&l);
	latency_counts(&l, 0, false, &c);
	T_EQ(c.both, 10);
	T_EQ(c.a_only + c.b_only + c.neither, 0);
	T_EQ(c.sessions, 1);
	T_EQ(pct(&l, 0, false, 1), 2000);
	latency_free(&l);
}

/* Feeds beyond the table, and unsequenced datagrams, are counted. */
static void test_limits(void)
{
	static struct latency l;
	struct seqdec_msg m = msg(1, 3, "");
	char name[32];
	unsigned int i;

	for (i = 0; i < LATENCY_MAX_FEEDS; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		T_EQ(latency_feed(&l, name, ""), i);
	}
	T_EQ(latency_feed(&l, "more", ""), -ENOSPC);
	latency_add(&l, -ENOSPC, LATENCY_A, &m, 1);
	T_EQ(l.untracked, 3);
	m.flags = SEQDEC_F_UNSEQUENCED;
	latency_add(&l, 0, LATENCY_A, &m, 1);
	T_EQ(l.feed[0]->unsequenced, 1);
	latency_free(&l);
}

int main(void)
{
	test_counts_and_percentiles();
	test_reorder_and_counts();
	test_sessions();
	test_window_and_intervals();
	test_after_end();
	test_limits();
	return T_EXIT_PASS;
}
