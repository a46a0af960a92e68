/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_payload.h - test records whose every field and payload byte is a
 * function of the record's sequence number, so any reader can check a
 * record it was handed without knowing what else the writer wrote.
 */
#ifndef CAPD_TEST_RING_PAYLOAD_H
#define CAPD_TEST_RING_PAYLOAD_H

#include <stdint.h>
#include <string.h>

#include "ring_format.h"

#define PAYLOAD_CAPLEN_MIN 60u
#define PAYLOAD_CAPLEN_MAX 9000u
#define PAYLOAD_TS0	   1700000000000000000ull

/* splitmix64's finaliser: neighbouring seqs give unrelated values. */
static inline uint64_t payload_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint32_t payload_caplen(uint64_t seq)
{
	return PAYLOAD_CAPLEN_MIN + (uint32_t)(payload_mix(seq ^ 0x5bd1e995u) %
					       (PAYLOAD_CAPLEN_MAX - PAYLOAD_CAPLEN_MIN + 1));
}

static inline uint64_t payload_xorshift(uint64_t s)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static inline void payload_fill(uint8_t *p, uint32_t len, uint64_t seq)
{
	uint64_t s = payload_mix(seq) | 1;
	uint32_t i;

	for (i = 0; i < len; i += 8) {
		s = payload_xorshift(s);
		memcpy(p + i, &s, len - i < 8 ? len - i : 8);
	}
}

/* @return the offset of the first wrong byte, or -1 if all are right. */
static inline long payload_check(const uint8_t *p, uint32_t len, uint64_t seq)
{
	uint64_t s = payload_mix(seq) | 1;
	uint32_t i, n;

	for (i = 0; i < len; i += 8) {
		s = payload_xorshift(s);
		n = len - i < 8 ? len - i : 8;
		if (memcmp(p + i, &s, n))
			return i;
	}
	return -1;
}

/* Header fields other than seq (the writer assigns it at commit). */
static inline void payload_rec_fill(struct ring_rec *rec, uint64_t seq)
{
	rec->ts_ns = PAYLOAD_TS0 + seq * 1000;
	rec->caplen = payload_caplen(seq);
	rec->wirelen = rec->caplen + (uint32_t)(seq % 3) * 100;
	rec->iface = (uint16_t)(seq % 4);
	rec->queue = (uint16_t)((seq >> 2) % 8);
	rec->feed = seq % 5 ? (uint16_t)(seq % 5) : RING_FEED_NONE;
	rec->ts_source = RING_TS_USER_TAI;
	rec->flags = seq % 7 ? 0 : RING_REC_F_UNSYNCED;
}

/* @return 1 if every header field matches what payload_rec_fill() wrote. */
static inline int payload_rec_ok(const struct ring_rec *rec)
{
	struct ring_rec want;

	memset(&want, 0, sizeof(want));
	want.seq = rec->seq;
	payload_rec_fill(&want, rec->seq);
	return !memcmp(&want, rec, sizeof(want));
}

#endif
