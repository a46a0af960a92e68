// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_seqtrack - exact counts for skipped, duplicated, reordered, reset
 * and session-changing sequences, and the bound on listed gaps.
 */
#include <string.h>

#include "seqtrack.h"
#include "test.h"

static struct seqdec_msg msg(const char *session, uint64_t seq, uint32_t count)
{
	struct seqdec_msg m = { .seq = seq, .count = count };

	if (session) {
		m.session_len = (uint8_t)strlen(session);
		memcpy(m.session, session, m.session_len);
	}
	if (!count)
		m.flags = SEQDEC_F_HEARTBEAT;
	return m;
}

static enum seqtrack_verdict add(struct seqtrack *t, uint64_t seq, uint32_t count)
{
	struct seqdec_msg m = msg("S1", seq, count);

	return seqtrack_add(t, &m);
}

static void expect_ranges(const struct seqtrack *t, const uint64_t *r, unsigned int n)
{
	unsigned int i;

	T_EQ(t->nranges, n);
	for (i = 0; i < n; i++) {
		T_EQ(t->ranges[i].first, r[2 * i]);
		T_EQ(t->ranges[i].last, r[2 * i + 1]);
	}
}

static void test_gaps_dups_reorder(void)
{
	struct seqtrack t;
	uint64_t s;

	T_EQ(seqtrack_init(&t), 0);
	/* 1..100 one message each, with 10, 20-22, 50 skipped. */
	for (s = 1; s <= 100; s++)
		if (s != 10 && s != 20 && s != 21 && s != 22 && s != 50)
			add(&t, s, 1);
	T_EQ(t.gaps, 3);
	T_EQ(t.missing, 5);
	{
		const uint64_t r[] = { 10, 10, 20, 22, 50, 50 };

		expect_ranges(&t, r, 3);
	}
	T_EQ(t.messages, 95);
	T_EQ(t.expected, 101);
	/* Duplicates: below expected, already seen. */
	T_EQ(add(&t, 40, 1), SEQTRACK_DUPLICATE);
	T_EQ(add(&t, 100, 1), SEQTRACK_DUPLICATE);
	T_EQ(t.duplicates, 2);
	/* Out of order: 21 fills the middle of 20-22, which splits. */
	T_EQ(add(&t, 21, 1), SEQTRACK_OUT_OF_ORDER);
	T_EQ(t.gaps, 4);
	T_EQ(t.missing, 4);
	{
		const uint64_t r[] = { 10, 10, 20, 20, 22, 22, 50, 50 };

		expect_ranges(&t, r, 4);
	}
	T_EQ(add(&t, 10, 1), SEQTRACK_OUT_OF_ORDER);
	T_EQ(add(&t, 10, 1), SEQTRACK_DUPLICATE);
	T_EQ(t.gaps, 3);
	T_EQ(t.missing, 3);
	T_EQ(t.out_of_order, 2);
	T_EQ(t.recovered, 2);
	T_EQ(t.duplicates, 3);
	T_EQ(t.messages, 97);
	/* A packet of 5 covering 48-52: fills 50, the rest repeated. */
	T_EQ(add(&t, 48, 5), SEQTRACK_OUT_OF_ORDER);
	T_EQ(t.missing, 2);
	T_EQ(t.gaps, 2);
	/* A heartbeat ahead of expected reveals a gap; behind, nothing. */
	T_EQ(add(&t, 105, 0), SEQTRACK_GAP);
	T_EQ(add(&t, 103, 0), SEQTRACK_OTHER);
	T_EQ(t.heartbeats, 2);
	T_EQ(t.missing, 6);
	T_EQ(add(&t, 105, 3), SEQTRACK_IN_ORDER);
	T_EQ(t.expected, 108);
	/* A packet straddling expected: late part fills, the rest is new. */
	T_EQ(add(&t, 103, 10), SEQTRACK_OUT_OF_ORDER);
	T_EQ(t.expected, 113);
	{
		const uint64_t r[] = { 20, 20, 22, 22, 101, 102 };

		expect_ranges(&t, r, 3);
	}
	T_EQ(t.missing, 4);
	seqtrack_free(&t);
}

static void test_reset_and_session(void)
{
	struct seqtrack t;
	struct seqdec_msg m;
	uint64_t s;

	T_EQ(seqtrack_init(&t), 0);
	for (s = 1; s <= 50; s++)
		if (s != 7)
			add(&t, s, 1);
	T_EQ(t.gaps, 1);
	/* Starting over at 1: a reset; the open gap stays counted, unlisted. */
	T_EQ(add(&t, 1, 1), SEQTRACK_RESET);
	T_EQ(t.resets, 1);
	T_EQ(t.gaps, 1);
	T_EQ(t.missing, 1);
	T_EQ(t.nranges, 0);
	T_EQ(t.ranges_closed, 1);
	T_EQ(add(&t, 2, 1), SEQTRACK_IN_ORDER);
	/* A new session: numbering starts again, not a gap or duplicate. */
	m = msg("S3", SEQTRACK_WINDOW + 1000, 1);
	T_EQ(seqtrack_add(&t, &m), SEQTRACK_SESSION);
	T_EQ(t.session_changes, 1);
	T_EQ(t.gaps, 1);
	/* Far behind (more than the window) and not missing: a reset too. */
	m = msg("S3", 50, 1);
	T_EQ(seqtrack_add(&t, &m), SEQTRACK_RESET);
	T_EQ(t.resets, 2);
	m = msg("S2", 1000, 2);
	T_EQ(seqtrack_add(&t, &m), SEQTRACK_SESSION);
	T_EQ(t.session_changes, 2);
	T_EQ(add(&t, 5, 1), SEQTRACK_SESSION); /* back to S1 */
	T_EQ(t.session_changes, 3);
	T_EQ(t.expected, 6);
	T_EQ(t.duplicates, 0);
	/* Unsequenced datagrams are only counted. */
	m = msg("S1", 0, 0);
	m.flags = SEQDEC_F_UNSEQUENCED;
	T_EQ(seqtrack_add(&t, &m), SEQTRACK_OTHER);
	T_EQ(t.unsequenced, 1);
	T_EQ(t.expected, 6);
	seqtrack_free(&t);
}

static void test_bounded(void)
{
	struct seqtrack t;
	uint64_t s, n = SEQTRACK_MAX_RANGES + 10;

	T_EQ(seqtrack_init(&t), 0);
	/* Every other message lost: one gap each. */
	for (s = 1; s <= 2 * n + 1; s += 2)
		add(&t, s, 1);
	T_EQ(t.gaps, n);
	T_EQ(t.missing, n);
	T_EQ(t.nranges, SEQTRACK_MAX_RANGES);
	T_EQ(t.ranges_closed, 10);
	T_EQ(t.ranges[0].first, 22); /* 2..20 closed: oldest first */
	/* A closed gap cannot be filled: its late message is a duplicate. */
	T_EQ(add(&t, 2, 1), SEQTRACK_DUPLICATE);
	T_EQ(add(&t, 22, 1), SEQTRACK_OUT_OF_ORDER);
	T_EQ(t.gaps, n - 1);
	T_EQ(t.missing, n - 1);
	seqtrack_free(&t);

	/* Splitting a range when the list is full closes the oldest. */
	T_EQ(seqtrack_init(&t), 0);
	add(&t, 1, 1);
	add(&t, 100, 1); /* 2-99 */
	for (s = 102; s < 102 + 2 * (SEQTRACK_MAX_RANGES - 1); s += 2)
		add(&t, s, 1);
	T_EQ(t.nranges, SEQTRACK_MAX_RANGES);
	T_EQ(add(&t, 50, 1), SEQTRACK_OUT_OF_ORDER); /* 2-49 closed, 51-99 listed */
	T_EQ(t.nranges, SEQTRACK_MAX_RANGES);
	T_EQ(t.ranges[0].first, 51);
	T_EQ(t.ranges[0].last, 99);
	T_EQ(t.gaps, SEQTRACK_MAX_RANGES + 1);
	T_EQ(t.missing, 97 + SEQTRACK_MAX_RANGES - 1);
	T_EQ(add(&t, 103, 1), SEQTRACK_OUT_OF_ORDER); /* splits nothing: whole range */
	T_EQ(add(&t, 60, 1), SEQTRACK_OUT_OF_ORDER);  /* splits 51-99 while not full */
	T_EQ(t.ranges[0].last, 59);
	T_EQ(t.ranges[1].first, 61);
	seqtrack_free(&t);
}

int main(void)
{
	test_gaps_dups_reorder();
	test_reset_and_session();
	test_bounded();
	return T_EXIT_PASS;
}
