// SPDX-License-Identifier: BSD-2-Clause
/* feedstat.c - rates, inter-arrival times, exact sliding-window microbursts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feedstat.h"

#define QUEUE_START 1024u

const uint64_t feedstat_win_ns[FEEDSTAT_NWIN] = { 1000, 10000, 100000, 1000000 };
const char *const feedstat_win_name[FEEDSTAT_NWIN] = { "1us", "10us", "100us", "1ms" };

int feedstat_init(struct feedstat *f)
{
	memset(f, 0, sizeof(*f));
	f->q_ts = malloc(QUEUE_START * sizeof(*f->q_ts));
	f->q_len = malloc(QUEUE_START * sizeof(*f->q_len));
	if (!f->q_ts || !f->q_len) {
		feedstat_free(f);
		return -ENOMEM;
	}
	f->q_cap = QUEUE_START;
	return 0;
}

void feedstat_free(struct feedstat *f)
{
	free(f->q_ts);
	free(f->q_len);
	f->q_ts = NULL;
	f->q_len = NULL;
}

/* Double the queue, keeping its absolute indices. @return 0 or -ENOMEM. */
static int queue_grow(struct feedstat *f)
{
	uint32_t cap = f->q_cap * 2, i;
	uint64_t *ts;
	uint32_t *len;
	uint64_t a;

	if (cap > FEEDSTAT_QUEUE_MAX)
		return -ENOMEM;
	ts = malloc(cap * sizeof(*ts));
	len = malloc(cap * sizeof(*len));
	if (!ts || !len) {
		free(ts);
		free(len);
		return -ENOMEM;
	}
	for (a = f->q_start[FEEDSTAT_NWIN - 1]; a < f->q_head; a++) {
		i = (uint32_t)(a & (f->q_cap - 1));
		ts[a & (cap - 1)] = f->q_ts[i];
		len[a & (cap - 1)] = f->q_len[i];
	}
	free(f->q_ts);
	free(f->q_len);
	f->q_ts = ts;
	f->q_len = len;
	f->q_cap = cap;
	return 0;
}

static void max_burst(struct feedstat_burst *b, uint64_t packets, uint64_t bytes)
{
	if (packets > b->packets)
		b->packets = packets;
	if (bytes > b->bytes)
		b->bytes = bytes;
}

void feedstat_add(struct feedstat *f, uint64_t ts, uint32_t bytes)
{
	feedstat_add_iv(f, ts, bytes, 0);
}

void feedstat_add_iv(struct feedstat *f, uint64_t ts, uint32_t bytes, int next)
{
	const unsigned int wide = FEEDSTAT_NWIN - 1;
	uint32_t mask;
	unsigned int w;

	if (f->packets) {
		if (ts < f->last_ts) {
			f->backwards++;
			ts = f->last_ts;
		}
		hist_add(&f->iat, ts - f->last_ts);
		hist_add(next ? &f->iat_next : &f->iat_iv, ts - f->last_ts);
	} else {
		f->first_ts = ts;
	}
	f->last_ts = ts;
	f->packets++;
	f->bytes += bytes;
	if (next) {
		f->next_packets++;
		f->next_bytes += bytes;
	} else {
		f->iv_packets++;
		f->iv_bytes += bytes;
	}

	if (f->q_head - f->q_start[wide] == f->q_cap && queue_grow(f) < 0) {
		/* Beyond any real rate: drop the oldest and say so. */
		f->capped = 1;
		for (w = 0; w < FEEDSTAT_NWIN; w++)
			if (f->q_start[w] == f->q_start[wide]) {
				f->q_bytes[w] -= f->q_len[f->q_start[w] & (f->q_cap - 1)];
				f->q_start[w]++;
			}
	}
	mask = f->q_cap - 1;
	f->q_ts[f->q_head & mask] = ts;
	f->q_len[f->q_head & mask] = bytes;
	f->q_head++;
	/* Each window ends at this packet and holds what is less than W older. */
	for (w = 0; w < FEEDSTAT_NWIN; w++) {
		f->q_bytes[w] += bytes;
		while (ts - f->q_ts[f->q_start[w] & mask] >= feedstat_win_ns[w]) {
			f->q_bytes[w] -= f->q_len[f->q_start[w] & mask];
			f->q_start[w]++;
		}
		max_burst(&f->burst[w], f->q_head - f->q_start[w], f->q_bytes[w]);
	}
}

void feedstat_interval(struct feedstat *f, double secs)
{
	if (secs > 0) {
		f->pps = (double)f->iv_packets / secs;
		f->bps = (double)f->iv_bytes * 8 / secs;
		if (f->pps > f->peak_pps)
			f->peak_pps = f->pps;
		if (f->bps > f->peak_bps)
			f->peak_bps = f->bps;
	}
	f->last_packets = f->iv_packets;
	f->last_bytes = f->iv_bytes;
	f->iv_packets = f->next_packets;
	f->iv_bytes = f->next_bytes;
	f->next_packets = 0;
	f->next_bytes = 0;
	f->iat_last = f->iat_iv;
	f->iat_iv = f->iat_next;
	hist_reset(&f->iat_next);
}
