// SPDX-License-Identifier: BSD-2-Clause
/*
 * sendtime.c - each message's sender time.  The framing is checked whole in
 * sendtime_begin(), so that a datagram cut short yields no half of its
 * messages: either all of them or none.
 */
#include <string.h>

#include "sendtime.h"

#define MDP3_HDR	12
#define MDP3_MSG_MIN	10
#define MOLD_HDR	20
#define MOLD_END	0xffffu
#define ITCH_TS_OFF	5
#define ITCH_HDR	11 /* type, locate, tracking number, timestamp */
#define PITCH_HDR	8
#define PITCH_TIME	0x20
#define PITCH_FIELD_END 6 /* length, type, a u32 */
#define NS_PER_S	1000000000ull

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int begin_mdp3(struct sendtime_iter *it)
{
	size_t off = MDP3_HDR;

	if (it->len < MDP3_HDR + MDP3_MSG_MIN)
		return SENDTIME_UNDECODABLE;
	while (off < it->len) {
		size_t size;

		if (it->len - off < 2)
			return SENDTIME_UNDECODABLE;
		size = (size_t)le(it->p + off, 2);
		if (size < MDP3_MSG_MIN || size > it->len - off)
			return SENDTIME_UNDECODABLE;
		off += size;
	}
	if (le(it->p, 4) == 0)
		return SENDTIME_UNDECODABLE; /* MsgSeqNum 0: not MDP, as for seqdec */
	it->left = 1;
	return SENDTIME_OK;
}

static int begin_mold(struct sendtime_iter *it)
{
	unsigned int count, i;
	size_t off = MOLD_HDR;

	if (it->len < MOLD_HDR)
		return SENDTIME_UNDECODABLE;
	count = (unsigned int)be(it->p + 18, 2);
	if (count == 0 || count == MOLD_END)
		return it->len == MOLD_HDR ? SENDTIME_OK : SENDTIME_UNDECODABLE;
	for (i = 0; i < count; i++) {
		size_t mlen;

		if (it->len - off < 2)
			return SENDTIME_UNDECODABLE;
		mlen = (size_t)be(it->p + off, 2);
		off += 2;
		if (it->len - off < mlen)
			return SENDTIME_UNDECODABLE;
		off += mlen;
	}
	if (off != it->len)
		return SENDTIME_UNDECODABLE;
	/* As seqdec: sequence 0, or one running past the largest, is not MoldUDP64. */
	if (be(it->p + 10, 8) == 0 || be(it->p + 10, 8) > UINT64_MAX - count)
		return SENDTIME_UNDECODABLE;
	it->left = count;
	it->off = MOLD_HDR;
	return SENDTIME_OK;
}

static int begin_pitch(struct sendtime_iter *it)
{
	unsigned int count, i;
	size_t off = PITCH_HDR;

	if (it->len < PITCH_HDR || le(it->p, 2) != it->len)
		return SENDTIME_UNDECODABLE;
	count = it->p[2];
	for (i = 0; i < count; i++) {
		if (off >= it->len || it->p[off] < 2 || it->p[off] > it->len - off)
			return SENDTIME_UNDECODABLE;
		off += it->p[off];
	}
	if (off != it->len)
		return SENDTIME_UNDECODABLE;
	it->left = count;
	it->off = PITCH_HDR;
	return SENDTIME_OK;
}

int sendtime_begin(struct sendtime_iter *it, enum sendtime_proto proto, const uint8_t *p,
		   size_t len)
{
	int r = SENDTIME_UNDECODABLE;

	memset(it, 0, sizeof(*it));
	it->p = p;
	it->len = len;
	it->proto = proto;
	switch (proto) {
	case SENDTIME_MDP3:
		r = begin_mdp3(it);
		break;
	case SENDTIME_ITCH50:
		r = begin_mold(it);
		break;
	case SENDTIME_PITCH:
		r = begin_pitch(it);
		break;
	}
	if (r != SENDTIME_OK)
		it->left = 0;
	return r;
}

static void next_itch(struct sendtime_iter *it, struct sendtime_msg *m)
{
	size_t mlen = (size_t)be(it->p + it->off, 2);
	const uint8_t *msg = it->p + it->off + 2;

	it->off += 2 + mlen;
	if (mlen < ITCH_HDR)
		return;
	m->ns = be(msg + ITCH_TS_OFF, 6);
	m->kind = m->ns && m->ns < SENDTIME_DAY_MAX_NS ? SENDTIME_OF_DAY : SENDTIME_UNKNOWN;
	if (m->kind == SENDTIME_UNKNOWN)
		m->ns = 0;
}

static void next_pitch(struct sendtime_iter *it, struct sendtime_msg *m)
{
	const uint8_t *msg = it->p + it->off;
	uint64_t v;

	it->off += msg[0];
	m->unit = it->p[3];
	if (msg[0] < PITCH_FIELD_END) {
		/* A Time message without its seconds takes the base away all the same. */
		m->kind = msg[1] == PITCH_TIME ? SENDTIME_PITCH_BAD : SENDTIME_UNKNOWN;
		return;
	}
	v = le(msg + 2, 4);
	if (msg[1] == PITCH_TIME) {
		m->kind = v * NS_PER_S < SENDTIME_DAY_MAX_NS ? SENDTIME_PITCH_BASE
							     : SENDTIME_PITCH_BAD;
		m->ns = m->kind == SENDTIME_PITCH_BASE ? v * NS_PER_S : 0;
	} else if (v < NS_PER_S) {
		m->kind = SENDTIME_PITCH_OFFSET;
		m->ns = v;
	}
}

int sendtime_next(struct sendtime_iter *it, struct sendtime_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (!it->left)
		return 0;
	it->left--;
	switch (it->proto) {
	case SENDTIME_MDP3:
		m->ns = le(it->p + 4, 8);
		m->kind = m->ns ? SENDTIME_UTC : SENDTIME_UNKNOWN;
		break;
	case SENDTIME_ITCH50:
		next_itch(it, m);
		break;
	case SENDTIME_PITCH:
		next_pitch(it, m);
		break;
	}
	return 1;
}
