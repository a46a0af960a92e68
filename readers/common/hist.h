/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.h - log-linear histogram of non-negative integers (nanoseconds) for
 * percentiles in bounded memory, whatever the number of samples.
 *
 * Values below HIST_SUB are counted exactly; above, each power of two is cut
 * into HIST_SUB equal buckets, so a percentile is reported as the highest
 * value of its bucket: never below the true value and at most 1/HIST_SUB
 * (1.6 %) above it.  The minimum and maximum are kept exactly.
 */
#ifndef CAPD_HIST_H
#define CAPD_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t n;
	uint64_t min, max; /* valid when n > 0 */
	uint64_t b[HIST_BUCKETS];
};

void hist_reset(struct hist *h);

/* The highest value that falls into bucket i (< HIST_BUCKETS). */
uint64_t hist_bucket_value(unsigned int i);
void hist_add(struct hist *h, uint64_t v);

/* Add every sample of src to h. */
void hist_merge(struct hist *h, const struct hist *src);

/*
 * The nearest-rank q-quantile (0 < q <= 1): the smallest bucket value with
 * at least ceil(q * n) samples at or below it, capped at the maximum.
 * @return 0 when h is empty.
 */
uint64_t hist_percentile(const struct hist *h, double q);

/*
 * The same over a signed distribution kept as two histograms: neg holds
 * the magnitudes of the negative samples, pos the others.
 */
int64_t hist_percentile_signed(const struct hist *neg, const struct hist *pos, double q);

#endif
