// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_feedstat - microburst maxima (exact, against a brute force count),
 * rates and peaks, inter-arrival percentiles, and the histogram's bound.
 */
#include <stdint.h>
#include <stdlib.h>

#include "feedstat.h"
#include "hist.h"
#include "test.h"

/* The largest packet and byte counts in any [t, t + w), by brute force. */
static void brute(const uint64_t *ts, const uint32_t *len, unsigned int n, uint64_t w, uint64_t *pk,
		  uint64_t *by)
{
	unsigned int i, j;

	*pk = *by = 0;
	for (i = 0; i < n; i++) {
		uint64_t p = 0, b = 0;

		for (j = i; j < n && ts[j] - ts[i] < w; j++) {
			p++;
			b += len[j];
		}
		if (p > *pk)
			*pk = p;
		if (b > *by)
			*by = b;
	}
}

static void test_known_burst(void)
{
	struct feedstat f;
	uint64_t t = 1000000000ull;
	unsigned int i;

	T_EQ(feedstat_init(&f), 0);
	/* Idle traffic every 2 ms, then 50 packets 100 ns apart, then idle again. */
	for (i = 0; i < 10; i++, t += 2000000)
		feedstat_add(&f, t, 100);
	for (i = 0; i < 50; i++, t += 100)
		feedstat_add(&f, t, 200);
	for (t += 2000000, i = 0; i < 10; i++, t += 2000000)
		feedstat_add(&f, t, 100);
	T_EQ(f.packets, 70);
	T_EQ(f.burst[0].packets, 10); /* 1 us: 10 packets at 100 ns spacing */
	T_EQ(f.burst[0].bytes, 2000);
	T_EQ(f.burst[1].packets, 50); /* the whole burst lasts 4.9 us */
	T_EQ(f.burst[1].bytes, 10000);
	T_EQ(f.burst[2].packets, 50);
	/* 1 ms: the burst and nothing else (the idle packets are 2 ms away). */
	T_EQ(f.burst[3].packets, 50);
	T_EQ(f.burst[3].bytes, 10000);
	T_EQ(f.capped, 0);
	feedstat_free(&f);
}

static void test_random_vs_brute(void)
{
	enum { N = 3000 };
	static uint64_t ts[N];
	static uint32_t len[N];
	struct feedstat f;
	uint64_t t = 5, pk, by;
	unsigned int i, w;

	srand(7);
	T_EQ(feedstat_init(&f), 0);
	for (i = 0; i < N; i++) {
		/* Clusters and pauses at every scale. */
		t += (uint64_t)(rand() % 4 == 0 ? rand() % 200000 : rand() % 700);
		ts[i] = t;
		len[i] = 60 + (uint32_t)(rand() % 1400);
		feedstat_add(&f, ts[i], len[i]);
	}
	for (w = 0; w < FEEDSTAT_NWIN; w++) {
		brute(ts, len, N, feedstat_win_ns[w], &pk, &by);
		T_EQ(f.burst[w].packets, pk);
		T_EQ(f.burst[w].bytes, by);
	}
	feedstat_free(&f);
}

static void test_rates_and_iat(void)
{
	struct feedstat f;
	uint64_t t = 0;
	unsigned int i;

	T_EQ(feedstat_init(&f), 0);
	/* 1000 packets of 125 bytes, 1 ms apart: 1000 pps, 1 Mbit/s. */
	for (i = 0; i < 1000; i++, t += 1000000)
		feedstat_add(&f, t + 1, 125);
	feedstat_interval(&f, 1.0);
	T_EQ(f.pps, 1000);
	T_EQ(f.bps, 1000000);
	T_EQ(hist_percentile(&f.iat, 0.5), 1000000);
	T_EQ(f.iat.max, 1000000);
	T_EQ(f.iat_iv.n, 0); /* a new interval */
	T_EQ(f.iat_last.n, 999);
	T_EQ(hist_percentile(&f.iat_last, 0.99), 1000000);
	/* A slower second: the peak stays. */
	for (i = 0; i < 10; i++, t += 100000000)
		feedstat_add(&f, t, 125);
	feedstat_interval(&f, 1.0);
	T_EQ(f.pps, 10);
	T_EQ(f.peak_pps, 1000);
	T_EQ(f.peak_bps, 1000000);
	/* A timestamp going back counts as no time passing. */
	feedstat_add(&f, 5, 1);
	T_EQ(f.backwards, 1);
	T_EQ(f.last_ts, t - 100000000);
	feedstat_free(&f);
}

static void test_hist(void)
{
	static struct hist h, n;
	uint64_t v;
	int64_t s;

	hist_reset(&h);
	T_EQ(hist_percentile(&h, 0.5), 0);
	for (v = 1; v <= 100; v++)
		hist_add(&h, v);
	T_EQ(hist_percentile(&h, 0.5), 50); /* below HIST_SUB: exact */
	T_EQ(hist_percentile(&h, 0.99), 99);
	T_EQ(hist_percentile(&h, 1), 100);
	T_EQ(hist_percentile(&h, 0.01), 1);
	/* Large values: never below the true value, at most 1/HIST_SUB above. */
	hist_reset(&h);
	for (v = 1; v <= 1000000; v += 7)
		hist_add(&h, v * 1013);
	for (v = 1; v < 100; v += 7) {
		double q = (double)v / 100;
		uint64_t want = (((uint64_t)(q * 142858 + 0.999999) - 1) * 7 + 1) * 1013;
		uint64_t got = hist_percentile(&h, q);

		if (got < want || got > want + want / HIST_SUB)
			T_FAIL("q %.2f: %llu, true %llu", q, (unsigned long long)got,
			       (unsigned long long)want);
	}
	T_EQ(h.max, 1000000ull * 1013);
	/* Signed: -30..-1 in neg, 0..69 in pos. */
	hist_reset(&h);
	hist_reset(&n);
	for (s = -30; s < 70; s++)
		hist_add(s < 0 ? &n : &h, (uint64_t)(s < 0 ? -s : s));
	T_EQ(hist_percentile_signed(&n, &h, 0.01), -30);
	T_EQ(hist_percentile_signed(&n, &h, 0.30), -1);
	T_EQ(hist_percentile_signed(&n, &h, 0.31), 0);
	T_EQ(hist_percentile_signed(&n, &h, 0.5), 19);
	T_EQ(hist_percentile_signed(&n, &h, 1), 69);
}

int main(void)
{
	test_known_burst();
	test_random_vs_brute();
	test_rates_and_iat();
	test_hist();
	return T_EXIT_PASS;
}
