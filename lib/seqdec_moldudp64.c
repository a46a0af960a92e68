// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_moldudp64.c - NASDAQ MoldUDP64 downstream packets. */
#include <endian.h>
#include <string.h>

#include "seqdec.h"

#define MOLD_HDR 20
#define MOLD_END 0xffffu

/* one load, not eight: every packet of a feed is read here */
static uint64_t be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

int seqdec_moldudp64(const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	const uint8_t *q, *end = p + len;
	unsigned int count, i;

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
	/* the message blocks must fill the datagram exactly */
	q = p + MOLD_HDR;
	for (i = 0; i < count; i++) {
		size_t mlen;

		if (end - q < 2)
			return SEQDEC_UNDECODABLE;
		mlen = (size_t)q[0] << 8 | q[1];
		q += 2;
		if ((size_t)(end - q) < mlen)
			return SEQDEC_UNDECODABLE;
		q += mlen;
	}
	if (q != end)
		return SEQDEC_UNDECODABLE;
	/* A packet that would run past the largest sequence number is not real. */
	if (m->seq == 0 || m->seq > UINT64_MAX - count)
		return SEQDEC_UNDECODABLE;
	m->count = count;
	return SEQDEC_OK;
}
