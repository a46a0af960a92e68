// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_pitch.c - CBOE (BATS) PITCH sequenced unit header. */
#include <string.h>

#include "seqdec.h"

#define PITCH_HDR 8

int seqdec_pitch(const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	unsigned int hdr_len, count, i;
	size_t off = PITCH_HDR;

	memset(m, 0, sizeof(*m));
	if (len < PITCH_HDR)
		return SEQDEC_UNDECODABLE;
	hdr_len = (unsigned int)p[0] | (unsigned int)p[1] << 8;
	count = p[2];
	if (hdr_len != len)
		return SEQDEC_UNDECODABLE;
	for (i = 0; i < count; i++) {
		if (off >= len || p[off] < 2 || p[off] > len - off)
			return SEQDEC_UNDECODABLE;
		off += p[off];
	}
	if (off != len)
		return SEQDEC_UNDECODABLE;
	m->seq = (uint64_t)p[4] | (uint64_t)p[5] << 8 | (uint64_t)p[6] << 16 | (uint64_t)p[7] << 24;
	m->session[0] = p[3];
	m->session_len = 1;
	if (m->seq == 0)
		m->flags = SEQDEC_F_UNSEQUENCED;
	else if (count == 0)
		m->flags = SEQDEC_F_HEARTBEAT;
	m->count = m->seq ? count : 0;
	return SEQDEC_OK;
}
