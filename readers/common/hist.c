// SPDX-License-Identifier: BSD-2-Clause
/* hist.c - log-linear histogram percentiles. */
#include <math.h>
#include <string.h>

#include "hist.h"

static unsigned int hist_index(uint64_t v)
{
	unsigned int shift;

	if (v < HIST_SUB)
		return (unsigned int)v;
	shift = (unsigned int)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned int)((v >> shift) & (HIST_SUB - 1));
}

/* The highest value that falls into bucket i. */
static uint64_t hist_value(unsigned int i)
{
	unsigned int shift;

	if (i < HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	return (((uint64_t)HIST_SUB + i % HIST_SUB) << shift) + ((1ull << shift) - 1);
}

uint64_t hist_bucket_value(unsigned int i)
{
	return hist_value(i);
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void hist_add(struct hist *h, uint64_t v)
{
	if (!h->n || v < h->min)
		h->min = v;
	if (!h->n || v > h->max)
		h->max = v;
	h->n++;
	h->b[hist_index(v)]++;
}

void hist_merge(struct hist *h, const struct hist *src)
{
	unsigned int i;

	if (!src->n)
		return;
	if (!h->n || src->min < h->min)
		h->min = src->min;
	if (!h->n || src->max > h->max)
		h->max = src->max;
	h->n += src->n;
	for (i = 0; i < HIST_BUCKETS; i++)
		h->b[i] += src->b[i];
}

static uint64_t rank_of(uint64_t n, double q)
{
	double r = ceil(q * (double)n);

	if (r < 1)
		return 1;
	return r > (double)n ? n : (uint64_t)r;
}

/* The value of the sample of rank 1..h->n. */
static uint64_t value_at_rank(const struct hist *h, uint64_t rank)
{
	uint64_t seen = 0;
	unsigned int i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t v = hist_value(i);

			return v > h->max ? h->max : v < h->min ? h->min : v;
		}
	}
	return h->max;
}

uint64_t hist_percentile(const struct hist *h, double q)
{
	return h->n ? value_at_rank(h, rank_of(h->n, q)) : 0;
}

int64_t hist_percentile_signed(const struct hist *neg, const struct hist *pos, double q)
{
	uint64_t rank, seen = 0;
	unsigned int i;

	if (!neg->n && !pos->n)
		return 0;
	rank = rank_of(neg->n + pos->n, q);
	/* Most negative first: the largest magnitudes of neg come first. */
	for (i = HIST_BUCKETS; i-- > 0;) {
		seen += neg->b[i];
		if (seen >= rank) {
			/* Of a negative bucket, the value closest to zero. */
			uint64_t v = i ? hist_value(i - 1) + 1 : 0;

			v = v < neg->min ? neg->min : v > neg->max ? neg->max : v;
			return -(int64_t)v;
		}
	}
	return (int64_t)value_at_rank(pos, rank - seen);
}
