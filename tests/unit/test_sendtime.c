// SPDX-License-Identifier: BSD-2-Clause
/* test_sendtime - each message's sender time, and every bounds path of each format. */
#include <stdint.h>
#include <string.h>

#include "sendtime.h"
#include "test.h"

/* Walk p and return the messages in out[]; @return their number, -1 undecodable. */
static int walk(enum sendtime_proto proto, const uint8_t *p, size_t len, struct sendtime_msg *out,
		int max)
{
	struct sendtime_iter it;
	int n = 0;

	if (sendtime_begin(&it, proto, p, len) != SENDTIME_OK)
		return -1;
	while (n < max && sendtime_next(&it, &out[n]))
		n++;
	T_EQ(sendtime_next(&it, &out[max - 1 < n ? max - 1 : n]), 0);
	return n;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[n - 1 - i] = (uint8_t)(v >> (8 * i));
}

static void test_mdp3(void)
{
	uint8_t p[32] = { 0 };
	struct sendtime_msg m[4];

	put_le(p, 7, 4);
	put_le(p + 4, 1767225600123456789ull, 8);
	put_le(p + 12, 10, 2); /* one 10-byte message */
	T_EQ(walk(SENDTIME_MDP3, p, 22, m, 4), 1);
	T_EQ(m[0].kind, SENDTIME_UTC);
	T_EQ(m[0].ns, 1767225600123456789ull);
	/* Two messages: still one time for the datagram. */
	put_le(p + 22, 10, 2);
	T_EQ(walk(SENDTIME_MDP3, p, 32, m, 4), 1);
	/* Bounds: header only, a size past the end, a size too small, an odd byte. */
	T_EQ(walk(SENDTIME_MDP3, p, 12, m, 4), -1);
	T_EQ(walk(SENDTIME_MDP3, p, 21, m, 4), -1);
	T_EQ(walk(SENDTIME_MDP3, p, 23, m, 4), -1);
	put_le(p + 12, 9, 2);
	T_EQ(walk(SENDTIME_MDP3, p, 22, m, 4), -1);
	put_le(p + 12, 10, 2);
	/* MsgSeqNum 0: not MDP (seqdec says so too). */
	put_le(p, 0, 4);
	T_EQ(walk(SENDTIME_MDP3, p, 22, m, 4), -1);
	put_le(p, 7, 4);
	/* SendingTime zero: a message with no time. */
	put_le(p + 4, 0, 8);
	T_EQ(walk(SENDTIME_MDP3, p, 22, m, 4), 1);
	T_EQ(m[0].kind, SENDTIME_UNKNOWN);
}

/* A MoldUDP64 packet of ITCH messages of length lens[i], timestamps ts[i]. */
static size_t itch(uint8_t *p, const unsigned int *lens, const uint64_t *ts, unsigned int n)
{
	size_t off = 20;
	unsigned int i;

	memset(p, 0, 512);
	memcpy(p, "SESSION001", 10);
	put_be(p + 10, 100, 8);
	put_be(p + 18, n, 2);
	for (i = 0; i < n; i++) {
		put_be(p + off, lens[i], 2);
		p[off + 2] = 'A';
		if (lens[i] >= 11)
			put_be(p + off + 2 + 5, ts[i], 6);
		off += 2 + lens[i];
	}
	return off;
}

static void test_itch(void)
{
	static const unsigned int lens[] = { 36, 11, 10, 0, 36, 36 };
	static const uint64_t ts[] = { 34200000000001ull, 1, 5, 0, 0, SENDTIME_DAY_MAX_NS };
	uint8_t p[512];
	struct sendtime_msg m[8];
	size_t len;

	len = itch(p, lens, ts, 6);
	T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), 6);
	T_EQ(m[0].kind, SENDTIME_OF_DAY);
	T_EQ(m[0].ns, 34200000000001ull);
	T_EQ(m[1].kind, SENDTIME_OF_DAY); /* exactly the header: still a time */
	T_EQ(m[1].ns, 1);
	T_EQ(m[2].kind, SENDTIME_UNKNOWN); /* one byte short of the timestamp */
	T_EQ(m[3].kind, SENDTIME_UNKNOWN); /* empty message */
	T_EQ(m[4].kind, SENDTIME_UNKNOWN); /* zero */
	T_EQ(m[5].kind, SENDTIME_UNKNOWN); /* past the longest day */
	T_EQ(m[5].ns, 0);
	/* The last time of day there is. */
	{
		const uint64_t t = SENDTIME_DAY_MAX_NS - 1;

		len = itch(p, lens, &t, 1);
		T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), 1);
		T_EQ(m[0].ns, SENDTIME_DAY_MAX_NS - 1);
	}
	/* Sequence 0, and one whose messages run past the largest number. */
	len = itch(p, lens, ts, 2);
	put_be(p + 10, 0, 8);
	T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), -1);
	put_be(p + 10, UINT64_MAX - 1, 8);
	T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), -1);
	put_be(p + 10, UINT64_MAX - 2, 8);
	T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), 2);
	/* Framing: one byte short, one byte more, count past the blocks. */
	T_EQ(walk(SENDTIME_ITCH50, p, len - 1, m, 8), -1);
	T_EQ(walk(SENDTIME_ITCH50, p, len + 1, m, 8), -1);
	put_be(p + 18, 3, 2);
	T_EQ(walk(SENDTIME_ITCH50, p, len, m, 8), -1);
	/* A length field cut in half. */
	put_be(p + 18, 3, 2);
	T_EQ(walk(SENDTIME_ITCH50, p, len + 1, m, 8), -1);
	T_EQ(walk(SENDTIME_ITCH50, p, 19, m, 8), -1);
	/* Heartbeat and end of session: no messages; with bytes after: undecodable. */
	put_be(p + 18, 0, 2);
	T_EQ(walk(SENDTIME_ITCH50, p, 20, m, 8), 0);
	T_EQ(walk(SENDTIME_ITCH50, p, 21, m, 8), -1);
	put_be(p + 18, 0xffff, 2);
	T_EQ(walk(SENDTIME_ITCH50, p, 20, m, 8), 0);
}

static void test_pitch(void)
{
	uint8_t p[256] = { 0 };
	struct sendtime_msg m[8];
	size_t off = 8;

	p[2] = 7;
	p[3] = 4; /* unit */
	put_le(p + 4, 1000, 4);
	/* Time 34200 s */
	p[off] = 6, p[off + 1] = 0x20, put_le(p + off + 2, 34200, 4), off += 6;
	/* Add Order, offset 999999999 */
	p[off] = 26, p[off + 1] = 0x21, put_le(p + off + 2, 999999999, 4), off += 26;
	/* offset 1e9: out of range */
	p[off] = 6, p[off + 1] = 0x22, put_le(p + off + 2, 1000000000, 4), off += 6;
	/* too short for an offset */
	p[off] = 5, p[off + 1] = 0x22, off += 5;
	/* Time too short, Time past the longest day, the last second of it */
	p[off] = 5, p[off + 1] = 0x20, off += 5;
	p[off] = 6, p[off + 1] = 0x20, put_le(p + off + 2, 90000, 4), off += 6;
	p[off] = 6, p[off + 1] = 0x20, put_le(p + off + 2, 89999, 4), off += 6;
	put_le(p, off, 2);
	T_EQ(walk(SENDTIME_PITCH, p, off, m, 8), 7);
	T_EQ(m[0].kind, SENDTIME_PITCH_BASE);
	T_EQ(m[0].ns, 34200000000000ull);
	T_EQ(m[0].unit, 4);
	T_EQ(m[1].kind, SENDTIME_PITCH_OFFSET);
	T_EQ(m[1].ns, 999999999);
	T_EQ(m[2].kind, SENDTIME_UNKNOWN);
	T_EQ(m[3].kind, SENDTIME_UNKNOWN);
	T_EQ(m[4].kind, SENDTIME_PITCH_BAD);
	T_EQ(m[5].kind, SENDTIME_PITCH_BAD);
	T_EQ(m[6].kind, SENDTIME_PITCH_BASE);
	T_EQ(m[6].ns, 89999000000000ull);
	/* Framing: HdrLength not the datagram's, a message past the end, length < 2,
	 * count short of the bytes, the header cut. */
	T_EQ(walk(SENDTIME_PITCH, p, off - 1, m, 8), -1);
	put_le(p, off - 1, 2);
	T_EQ(walk(SENDTIME_PITCH, p, off - 1, m, 8), -1);
	put_le(p, off, 2);
	p[2] = 8;
	T_EQ(walk(SENDTIME_PITCH, p, off, m, 8), -1);
	p[2] = 6;
	T_EQ(walk(SENDTIME_PITCH, p, off, m, 8), -1);
	p[2] = 7;
	p[8] = 1;
	T_EQ(walk(SENDTIME_PITCH, p, off, m, 8), -1);
	p[8] = 6;
	T_EQ(walk(SENDTIME_PITCH, p, 7, m, 8), -1);
	/* A header alone: no messages. */
	put_le(p, 8, 2);
	p[2] = 0;
	T_EQ(walk(SENDTIME_PITCH, p, 8, m, 8), 0);
}

int main(void)
{
	struct sendtime_iter it;
	struct sendtime_msg m;

	test_mdp3();
	test_itch();
	test_pitch();
	/* An unknown format walks nothing. */
	T_EQ(sendtime_begin(&it, (enum sendtime_proto)99, (const uint8_t *)"", 0),
	     SENDTIME_UNDECODABLE);
	T_EQ(sendtime_next(&it, &m), 0);
	return 0;
}
