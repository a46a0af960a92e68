// SPDX-License-Identifier: BSD-2-Clause
/* abarb.c - A/B arbitration by message number. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abarb.h"

#define SLOT(a, n) (&(a)->slot[(n) & (ABARB_WINDOW - 1)])

int abarb_init(struct abarb *a)
{
	memset(a, 0, sizeof(*a));
	a->slot = calloc(ABARB_WINDOW, sizeof(*a->slot));
	return a->slot ? 0 : -ENOMEM;
}

void abarb_free(struct abarb *a)
{
	free(a->slot);
	a->slot = NULL;
}

/* Count message base and move past it. */
static void decide_one(struct abarb *a)
{
	struct abarb_slot *s = SLOT(a, a->base);

	if (s->ts[ABARB_A] && s->ts[ABARB_B]) {
		int64_t skew = (int64_t)(s->ts[ABARB_B] - s->ts[ABARB_A]);

		a->both++;
		if (skew > 0)
			a->a_first++;
		else if (skew < 0)
			a->b_first++;
		else
			a->ties++;
		if (skew < 0)
			hist_add(&a->skew_neg, (uint64_t)-skew);
		else
			hist_add(&a->skew_pos, (uint64_t)skew);
		if (skew < 0 && a->also_neg)
			hist_add(a->also_neg, (uint64_t)-skew);
		else if (skew >= 0 && a->also_pos)
			hist_add(a->also_pos, (uint64_t)skew);
	} else if (s->ts[ABARB_A]) {
		a->lost_b++;
	} else if (s->ts[ABARB_B]) {
		a->lost_a++;
	} else {
		a->lost_both++;
	}
	memset(s, 0, sizeof(*s));
	a->base++;
}

void abarb_finish(struct abarb *a)
{
	while (a->started && a->base < a->top)
		decide_one(a);
}

/* Numbers up to end become known at ts (never seen ones wait from ts). */
static void extend(struct abarb *a, uint64_t end, uint64_t ts)
{
	while (a->top < end) {
		if (a->top - a->base == ABARB_WINDOW) {
			a->forced++;
			decide_one(a);
		}
		SLOT(a, a->top)->t0 = ts;
		a->top++;
	}
}

void abarb_add(struct abarb *a, enum abarb_line line, uint64_t seq, uint32_t count, uint64_t ts)
{
	uint64_t n, end = seq + count;

	if (a->started && (seq >= a->top + ABARB_WINDOW || seq + ABARB_WINDOW < a->base)) {
		abarb_finish(a);
		a->restarts++;
		a->started = 0;
	}
	if (!a->started) {
		a->started = 1;
		a->base = a->top = seq;
	}
	/* Before anything was decided, the start may still move down. */
	if (seq < a->base && a->top - seq <= ABARB_WINDOW && !a->both && !a->lost_a && !a->lost_b &&
	    !a->lost_both) {
		for (n = seq; n < a->base; n++) {
			memset(SLOT(a, n), 0, sizeof(struct abarb_slot));
			SLOT(a, n)->t0 = ts;
		}
		a->base = seq;
	}
	extend(a, end > seq ? end : seq, ts);
	for (n = seq; n < end; n++) {
		struct abarb_slot *s;

		if (n < a->base) {
			a->late++;
			continue;
		}
		s = SLOT(a, n);
		if (s->ts[line]) {
			a->late++;
			continue;
		}
		/* 0 means "not delivered": a timestamp of 0 becomes 1 ns. */
		s->ts[line] = ts ? ts : 1;
		if (!s->ts[!line])
			s->t0 = ts;
	}
	while (a->base < a->top && SLOT(a, a->base)->ts[ABARB_A] && SLOT(a, a->base)->ts[ABARB_B])
		decide_one(a);
}

uint32_t abarb_complete(struct abarb *a, enum abarb_line line, uint64_t seq, uint32_t count,
			uint64_t ts)
{
	uint32_t taken = 0;
	uint64_t n;

	for (n = seq; a->started && n < seq + count; n++) {
		struct abarb_slot *s;

		if (n < a->base || n >= a->top)
			continue;
		s = SLOT(a, n);
		if (!s->ts[!line] || s->ts[line])
			continue;
		s->ts[line] = ts ? ts : 1;
		taken++;
	}
	while (a->base < a->top && SLOT(a, a->base)->ts[ABARB_A] && SLOT(a, a->base)->ts[ABARB_B])
		decide_one(a);
	return taken;
}

void abarb_expire(struct abarb *a, uint64_t now)
{
	while (a->started && a->base < a->top && SLOT(a, a->base)->t0 + ABARB_HOLD_NS <= now)
		decide_one(a);
}

int64_t abarb_skew(const struct abarb *a, double q)
{
	return hist_percentile_signed(&a->skew_neg, &a->skew_pos, q);
}
