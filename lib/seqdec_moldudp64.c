// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_moldudp64.c - NASDAQ MoldUDP64 downstream packets. */
#include <string.h>

#include "seqdec.h"

#define MOLD_HDR 20
#define MOLD_END 0xffffu

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int seqdec_moldudp64(const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	unsigned int count, i;
	size_t off = MOLD_HDR;

	memset(m, 0, sizeof(*m));
	if (len < MOLD_HDR)
		return SEQDEC_UNDECODABLE;
	count = (unsigned int)p[18] << 8 | p[19];
	m->seq = be64(p + 10);
	memcpy(m->session, p, 10);
	m->session_len = 10;
	if (count == 0 || count == MOLD_END) {
		/* Heartbeat and end of session carry the next sequence number only. */
		if (len != MOLD_HDR)
			return SEQDEC_UNDECODABLE;
		m->flags = count ? SEQDEC_F_END : SEQDEC_F_HEARTBEAT;
		return SEQDEC_OK;
	}
	for (i = 0; i < count; i++) {
		size_t mlen;

		if (len - off < 2)
			return SEQDEC_UNDECODABLE;
		mlen = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (len - off < mlen)
			return SEQDEC_UNDECODABLE;
		off += mlen;
	}
	if (off != len)
		return SEQDEC_UNDECODABLE;
	/* A packet that would run past the largest sequence number is not real. */
	if (m->seq == 0 || m->seq > UINT64_MAX - count)
		return SEQDEC_UNDECODABLE;
	m->count = count;
	return SEQDEC_OK;
}
