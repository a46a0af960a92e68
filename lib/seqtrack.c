// SPDX-License-Identifier: BSD-2-Clause
/* seqtrack.c - gaps, duplicates, reordering, resets, session changes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seqtrack.h"

int seqtrack_init(struct seqtrack *t)
{
	memset(t, 0, sizeof(*t));
	t->ranges = calloc(SEQTRACK_MAX_RANGES, sizeof(*t->ranges));
	return t->ranges ? 0 : -ENOMEM;
}

void seqtrack_free(struct seqtrack *t)
{
	free(t->ranges);
	t->ranges = NULL;
}

static void close_range(struct seqtrack *t, unsigned int i)
{
	memmove(&t->ranges[i], &t->ranges[i + 1], (t->nranges - i - 1) * sizeof(*t->ranges));
	t->nranges--;
}

/* Make room for one more range by closing the oldest, if full. */
static void room_for_one(struct seqtrack *t)
{
	if (t->nranges < SEQTRACK_MAX_RANGES)
		return;
	close_range(t, 0);
	t->ranges_closed++;
}

static void add_gap(struct seqtrack *t, uint64_t first, uint64_t end)
{
	room_for_one(t);
	t->ranges[t->nranges].first = first;
	t->ranges[t->nranges].last = end - 1;
	t->nranges++;
	t->gaps++;
	t->missing += end - first;
}

/* Remove [a, b] from the open ranges. @return messages removed. */
static uint64_t fill(struct seqtrack *t, uint64_t a, uint64_t b)
{
	uint64_t filled = 0;
	unsigned int lo = 0, hi = t->nranges, i;

	/* The first range whose end is at or after a. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->ranges[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < t->nranges && t->ranges[i].first <= b;) {
		struct seqtrack_range *r = &t->ranges[i];
		uint64_t from = r->first > a ? r->first : a;
		uint64_t to = r->last < b ? r->last : b;

		filled += to - from + 1;
		if (from == r->first && to == r->last) {
			close_range(t, i);
			t->gaps--;
			continue;
		}
		if (from == r->first) {
			r->first = to + 1;
		} else if (to == r->last) {
			r->last = from - 1;
		} else {
			/* A hole in the middle: the range splits in two. */
			struct seqtrack_range upper = { to + 1, r->last };

			t->gaps++;
			if (t->nranges == SEQTRACK_MAX_RANGES && i == 0) {
				/* No room, and the lower part is the oldest: closed. */
				t->ranges_closed++;
				*r = upper;
				continue;
			}
			r->last = from - 1;
			if (t->nranges == SEQTRACK_MAX_RANGES) {
				room_for_one(t);
				i--;
			}
			memmove(&t->ranges[i + 2], &t->ranges[i + 1],
				(t->nranges - i - 1) * sizeof(*t->ranges));
			t->ranges[i + 1] = upper;
			t->nranges++;
			i++;
		}
		i++;
	}
	t->missing -= filled;
	t->recovered += filled;
	return filled;
}

/* Numbering starts again at m: open ranges are closed, still counted. */
static void restart(struct seqtrack *t, const struct seqdec_msg *m)
{
	t->ranges_closed += t->nranges;
	t->nranges = 0;
	t->expected = m->seq + m->count;
	t->started = 1;
	memcpy(t->session, m->session, sizeof(t->session));
	t->session_len = m->session_len;
}

enum seqtrack_verdict seqtrack_add(struct seqtrack *t, const struct seqdec_msg *m)
{
	uint64_t end = m->seq + m->count;

	if (m->flags & SEQDEC_F_UNSEQUENCED) {
		t->unsequenced++;
		return SEQTRACK_OTHER;
	}
	t->packets++;
	t->heartbeats += !!(m->flags & SEQDEC_F_HEARTBEAT);
	t->ends += !!(m->flags & SEQDEC_F_END);
	if (!t->started || t->session_len != m->session_len ||
	    memcmp(t->session, m->session, m->session_len)) {
		t->session_changes += t->started;
		restart(t, m);
		t->messages += m->count;
		return SEQTRACK_SESSION;
	}
	if (!m->count) {
		/* Heartbeat or end: the next sequence number, nothing more. */
		if (m->seq > t->expected) {
			add_gap(t, t->expected, m->seq);
			t->expected = m->seq;
			return SEQTRACK_GAP;
		}
		return SEQTRACK_OTHER;
	}
	if (m->seq == t->expected) {
		t->expected = end;
		t->messages += m->count;
		return SEQTRACK_IN_ORDER;
	}
	if (m->seq > t->expected) {
		add_gap(t, t->expected, m->seq);
		t->expected = end;
		t->messages += m->count;
		return SEQTRACK_GAP;
	}
	/* Behind: late, repeated, or a new start. */
	{
		uint64_t last = (end < t->expected ? end : t->expected) - 1;
		uint64_t filled = fill(t, m->seq, last);

		if (filled) {
			t->out_of_order++;
			t->messages += filled;
		} else if (m->seq <= 1 || t->expected - m->seq > SEQTRACK_WINDOW) {
			t->resets++;
			restart(t, m);
			t->messages += m->count;
			return SEQTRACK_RESET;
		} else {
			t->duplicates++;
		}
		if (end > t->expected) {
			t->messages += end - t->expected;
			t->expected = end;
		}
		return filled ? SEQTRACK_OUT_OF_ORDER : SEQTRACK_DUPLICATE;
	}
}
