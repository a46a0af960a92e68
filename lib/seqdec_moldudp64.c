// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_moldudp64.c - NASDAQ MoldUDP64 downstream packets. */
#include <endian.h>
#include <string.h>

#include "seqdec.h"
#include "seqdec_mold.h"

/* one load, not eight: every packet of a feed is read here */
static uint64_t be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

int seqdec_moldudp64(const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	unsigned int count;

	memset(m, 0, sizeof(*m));
	if (len < SEQDEC_MOLD_HDR)
		return SEQDEC_UNDECODABLE;
	count = (unsigned int)p[18] << 8 | p[19];
	m->seq = be64(p + 10);
	memcpy(m->session, p, 10);
	m->session_len = 10;
	if (count == 0 || count == SEQDEC_MOLD_END) {
		/* Heartbeat and end of session carry the next sequence number only. */
		if (len != SEQDEC_MOLD_HDR)
			return SEQDEC_UNDECODABLE;
		m->flags = count ? SEQDEC_F_END : SEQDEC_F_HEARTBEAT;
		return SEQDEC_OK;
	}
	if (!seqdec_mold_blocks_fill(p, len, count))
		return SEQDEC_UNDECODABLE;
	/* A packet that would run past the largest sequence number is not real. */
	if (m->seq == 0 || m->seq > UINT64_MAX - count)
		return SEQDEC_UNDECODABLE;
	m->count = count;
	return SEQDEC_OK;
}
