// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_mdp3.c - CME MDP 3.0 binary packet header. */
#include <string.h>

#include "seqdec.h"

#define MDP3_HDR     12
#define MDP3_MSG_MIN 10 /* message size field + SBE message header */

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

int seqdec_mdp3(const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	size_t off = MDP3_HDR;

	memset(m, 0, sizeof(*m));
	if (len < MDP3_HDR + MDP3_MSG_MIN)
		return SEQDEC_UNDECODABLE;
	/* Message sizes include the size field itself and tile the datagram. */
	while (off < len) {
		size_t size;

		if (len - off < 2)
			return SEQDEC_UNDECODABLE;
		size = (size_t)le(p + off, 2);
		if (size < MDP3_MSG_MIN || size > len - off)
			return SEQDEC_UNDECODABLE;
		off += size;
	}
	m->seq = le(p, 4);
	m->send_ns = le(p + 4, 8);
	if (m->seq == 0)
		return SEQDEC_UNDECODABLE;
	m->count = 1;
	return SEQDEC_OK;
}
