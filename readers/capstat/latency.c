// SPDX-License-Identifier: BSD-2-Clause
/* latency.c - latency between two capture points, message by message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

/* How often (packet time) the arbiters look for what has waited too long:
 * far below ABARB_HOLD_NS, so the window stays what the header says. */
#define EXPIRE_STEP_NS 1000000ull

int latency_feed(struct latency *l, const char *name, const char *addr)
{
	struct latency_feed *f;
	unsigned int i;

	for (i = 0; i < l->nfeeds; i++) {
		f = l->feed[i];
		if ((name[0] && !strcmp(f->name, name)) || (addr[0] && !strcmp(f->addr, addr)))
			return (int)i;
	}
	if (l->nfeeds == LATENCY_MAX_FEEDS)
		return -ENOSPC;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	snprintf(f->name, sizeof(f->name), "%s", name[0] ? name : addr);
	snprintf(f->addr, sizeof(f->addr), "%s", addr);
	l->feed[l->nfeeds] = f;
	return (int)l->nfeeds++;
}

static void add_counts(struct latency_counts *c, const struct abarb *a)
{
	c->both += a->both;
	c->a_only += a->lost_b;
	c->b_only += a->lost_a;
	c->neither += a->lost_both;
	c->late += a->late;
	c->forced += a->forced;
	c->restarts += a->restarts;
	c->pending += a->started ? a->top - a->base : 0;
}

/* Decide what s has pending, keep its figures in done, free it. */
static void sess_retire(struct latency_feed *f, struct latency_sess *s)
{
	abarb_finish(&s->ab);
	add_counts(&f->done, &s->ab);
	hist_merge(&f->done_neg, &s->ab.skew_neg);
	hist_merge(&f->done_pos, &s->ab.skew_pos);
	abarb_free(&s->ab);
	memset(s, 0, sizeof(*s));
}

/* The session of m: a known one, a free slot, or the least recent retired. */
static struct latency_sess *sess_get(struct latency_feed *f, const struct seqdec_msg *m)
{
	struct latency_sess *s, *old = NULL;
	unsigned int i;

	for (i = 0; i < LATENCY_SESSIONS; i++) {
		s = &f->sess[i];
		if (s->used && s->len == m->session_len && !memcmp(s->id, m->session, s->len))
			return s;
	}
	for (i = 0; i < LATENCY_SESSIONS; i++) {
		s = &f->sess[i];
		if (!s->used)
			break;
		if (!old || s->last_ts < old->last_ts)
			old = s;
	}
	if (i == LATENCY_SESSIONS) {
		sess_retire(f, old);
		s = old;
	}
	if (abarb_init(&s->ab) < 0)
		return NULL;
	s->ab.also_neg = &f->iv_neg;
	s->ab.also_pos = &f->iv_pos;
	s->used = true;
	s->len = m->session_len <= SEQDEC_SESSION_MAX ? m->session_len : SEQDEC_SESSION_MAX;
	memcpy(s->id, m->session, s->len);
	f->sessions++;
	return s;
}

void latency_add(struct latency *l, int feed, enum latency_point pt, const struct seqdec_msg *m,
		 uint64_t ts)
{
	struct latency_feed *f;
	struct latency_sess *s;

	if (feed < 0 || (unsigned int)feed >= l->nfeeds) {
		l->untracked += m->count;
		return;
	}
	f = l->feed[feed];
	if (m->flags & SEQDEC_F_UNSEQUENCED) {
		f->unsequenced++;
		return;
	}
	s = sess_get(f, m);
	if (!s) {
		l->untracked += m->count;
		return;
	}
	if (ts > s->last_ts)
		s->last_ts = ts;
	abarb_add(&s->ab, (enum abarb_line)pt, m->seq, m->count, ts);
}

void latency_add_after_end(struct latency *l, int feed, enum latency_point pt,
			   const struct seqdec_msg *m, uint64_t ts)
{
	uint32_t taken = 0;
	unsigned int j;

	if (feed >= 0 && (unsigned int)feed < l->nfeeds && !(m->flags & SEQDEC_F_UNSEQUENCED)) {
		struct latency_feed *f = l->feed[feed];

		for (j = 0; j < LATENCY_SESSIONS; j++) {
			struct latency_sess *s = &f->sess[j];

			if (s->used && s->len == m->session_len &&
			    !memcmp(s->id, m->session, s->len)) {
				taken = abarb_complete(&s->ab, (enum abarb_line)pt, m->seq,
						       m->count, ts);
				break;
			}
		}
	}
	l->after_end += m->count - taken;
}

void latency_expire(struct latency *l, uint64_t now)
{
	unsigned int i, j;

	if (now < l->expired_at + EXPIRE_STEP_NS)
		return;
	l->expired_at = now;
	for (i = 0; i < l->nfeeds; i++)
		for (j = 0; j < LATENCY_SESSIONS; j++)
			if (l->feed[i]->sess[j].used)
				abarb_expire(&l->feed[i]->sess[j].ab, now);
}

void latency_finish(struct latency *l)
{
	unsigned int i, j;

	for (i = 0; i < l->nfeeds; i++)
		for (j = 0; j < LATENCY_SESSIONS; j++)
			if (l->feed[i]->sess[j].used)
				abarb_finish(&l->feed[i]->sess[j].ab);
}

static void counts_all(const struct latency_feed *f, struct latency_counts *c)
{
	unsigned int j;

	*c = f->done;
	for (j = 0; j < LATENCY_SESSIONS; j++)
		if (f->sess[j].used)
			add_counts(c, &f->sess[j].ab);
	c->sessions = f->sessions;
	c->unsequenced = f->unsequenced;
}

void latency_counts(const struct latency *l, unsigned int i, bool interval,
		    struct latency_counts *c)
{
	const struct latency_feed *f = l->feed[i];
	const struct latency_counts *b = &f->iv_base;

	counts_all(f, c);
	if (!interval)
		return;
	c->both -= b->both;
	c->a_only -= b->a_only;
	c->b_only -= b->b_only;
	c->neither -= b->neither;
	c->late -= b->late;
	c->forced -= b->forced;
	c->restarts -= b->restarts;
	c->sessions -= b->sessions;
	c->unsequenced -= b->unsequenced;
	/* pending is a level, not a count: as it is now */
}

void latency_hist(const struct latency *l, unsigned int i, bool interval, struct hist *neg,
		  struct hist *pos)
{
	const struct latency_feed *f = l->feed[i];
	unsigned int j;

	if (interval) {
		*neg = f->iv_neg;
		*pos = f->iv_pos;
		return;
	}
	*neg = f->done_neg;
	*pos = f->done_pos;
	for (j = 0; j < LATENCY_SESSIONS; j++) {
		if (!f->sess[j].used)
			continue;
		hist_merge(neg, &f->sess[j].ab.skew_neg);
		hist_merge(pos, &f->sess[j].ab.skew_pos);
	}
}

void latency_interval(struct latency *l)
{
	unsigned int i;

	for (i = 0; i < l->nfeeds; i++) {
		struct latency_feed *f = l->feed[i];

		counts_all(f, &f->iv_base);
		hist_reset(&f->iv_neg);
		hist_reset(&f->iv_pos);
	}
}

void latency_free(struct latency *l)
{
	unsigned int i, j;

	for (i = 0; i < l->nfeeds; i++) {
		for (j = 0; j < LATENCY_SESSIONS; j++)
			if (l->feed[i]->sess[j].used)
				abarb_free(&l->feed[i]->sess[j].ab);
		free(l->feed[i]);
	}
	memset(l, 0, sizeof(*l));
}
