// SPDX-License-Identifier: BSD-2-Clause
/* test_seqdec - the --proto parser and each decoder, on good and bad datagrams. */
#include <stdint.h>
#include <string.h>

#include "seqdec.h"
#include "test.h"

static void test_parse(void)
{
	static const char *const bad[] = { "",
					   "mold",
					   "seq:",
					   "seq:1",
					   "seq:1:3:be",
					   "seq:-1:4:be",
					   "seq:1:4:xe",
					   "seq:1:4:be:",
					   "seq: 1:4:be",
					   "seq:70000:4:le",
					   "seq:1:+4:le",
					   "MDP3" };
	struct seqdec d;
	char buf[64];
	unsigned int i;

	T_EQ(seqdec_parse("moldudp64", &d), 0);
	T_EQ(d.proto, SEQDEC_MOLDUDP64);
	T_EQ(seqdec_parse("mdp3", &d), 0);
	T_EQ(d.proto, SEQDEC_MDP3);
	T_EQ(seqdec_parse("pitch", &d), 0);
	T_EQ(d.proto, SEQDEC_PITCH);
	T_EQ(seqdec_parse("seq:12:4:le", &d), 0);
	T_EQ(d.proto, SEQDEC_GENERIC);
	T_EQ(d.offset, 12);
	T_EQ(d.width, 4);
	T_EQ(d.big_endian, 0);
	T_ASSERT(!strcmp(seqdec_name(&d, buf, sizeof(buf)), "seq:12:4:le"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (seqdec_parse(bad[i], &d) != -EINVAL)
			T_FAIL("'%s' accepted", bad[i]);
}

/* MoldUDP64 packet with count messages of 3 bytes each. */
static size_t mold(uint8_t *p, const char *session, uint64_t seq, unsigned int count)
{
	size_t n = 20;
	unsigned int i;

	memcpy(p, session, 10);
	for (i = 0; i < 8; i++)
		p[10 + i] = (uint8_t)(seq >> (56 - 8 * i));
	p[18] = (uint8_t)(count >> 8);
	p[19] = (uint8_t)count;
	if (count == 0xffff)
		return n;
	for (i = 0; i < count; i++) {
		p[n] = 0;
		p[n + 1] = 3;
		memset(p + n + 2, 'x', 3);
		n += 5;
	}
	return n;
}

static void test_moldudp64(void)
{
	uint8_t p[512];
	struct seqdec_msg m;
	size_t n;

	n = mold(p, "SESSIONABC", 1000, 4);
	T_EQ(n, 40);
	T_EQ(seqdec_moldudp64(p, n, &m), SEQDEC_OK);
	T_EQ(m.seq, 1000);
	T_EQ(m.count, 4);
	T_EQ(m.flags, 0);
	T_EQ(m.session_len, 10);
	T_ASSERT(!memcmp(m.session, "SESSIONABC", 10));
	/* Blocks must tile the datagram exactly. */
	T_EQ(seqdec_moldudp64(p, n - 1, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_moldudp64(p, n + 1, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_moldudp64(p, 19, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_moldudp64(p, 0, &m), SEQDEC_UNDECODABLE);
	/* Heartbeat and end of session: 20 bytes, the next sequence number. */
	n = mold(p, "SESSIONABC", 77, 0);
	T_EQ(seqdec_moldudp64(p, n, &m), SEQDEC_OK);
	T_EQ(m.count, 0);
	T_EQ(m.flags, SEQDEC_F_HEARTBEAT);
	T_EQ(m.seq, 77);
	T_EQ(seqdec_moldudp64(p, n + 2, &m), SEQDEC_UNDECODABLE);
	n = mold(p, "SESSIONABC", 78, 0xffff);
	T_EQ(seqdec_moldudp64(p, n, &m), SEQDEC_OK);
	T_EQ(m.flags, SEQDEC_F_END);
	/* Sequence 0, or one that would wrap, is not a real data packet. */
	n = mold(p, "SESSIONABC", 0, 1);
	T_EQ(seqdec_moldudp64(p, n, &m), SEQDEC_UNDECODABLE);
	n = mold(p, "SESSIONABC", UINT64_MAX, 2);
	T_EQ(seqdec_moldudp64(p, n, &m), SEQDEC_UNDECODABLE);
}

static size_t mdp3(uint8_t *p, uint32_t seq, uint64_t t, unsigned int nmsg, unsigned int size)
{
	size_t n = 12;
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(seq >> (8 * i));
	for (i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(t >> (8 * i));
	for (i = 0; i < nmsg; i++) {
		p[n] = (uint8_t)size;
		p[n + 1] = (uint8_t)(size >> 8);
		memset(p + n + 2, 0, size - 2);
		n += size;
	}
	return n;
}

static void test_mdp3(void)
{
	uint8_t p[512];
	struct seqdec_msg m;
	size_t n;

	n = mdp3(p, 0x01020304, 1700000000123456789ull, 3, 20);
	T_EQ(seqdec_mdp3(p, n, &m), SEQDEC_OK);
	T_EQ(m.seq, 0x01020304);
	T_EQ(m.count, 1);
	T_EQ(m.send_ns, 1700000000123456789ull);
	T_EQ(m.session_len, 0);
	T_EQ(seqdec_mdp3(p, n - 1, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_mdp3(p, n + 5, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_mdp3(p, 12, &m), SEQDEC_UNDECODABLE);
	n = mdp3(p, 5, 1, 1, 9); /* smaller than an SBE header */
	T_EQ(seqdec_mdp3(p, n, &m), SEQDEC_UNDECODABLE);
	n = mdp3(p, 0, 1, 1, 10);
	T_EQ(seqdec_mdp3(p, n, &m), SEQDEC_UNDECODABLE);
}

static size_t pitch(uint8_t *p, uint8_t unit, uint32_t seq, unsigned int count, uint8_t mlen)
{
	size_t n = 8;
	unsigned int i;

	p[2] = (uint8_t)count;
	p[3] = unit;
	for (i = 0; i < 4; i++)
		p[4 + i] = (uint8_t)(seq >> (8 * i));
	for (i = 0; i < count; i++) {
		p[n] = mlen;
		p[n + 1] = 0x21;
		memset(p + n + 2, 0, mlen - 2u);
		n += mlen;
	}
	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	return n;
}

static void test_pitch(void)
{
	uint8_t p[1024];
	struct seqdec_msg m;
	size_t n;

	n = pitch(p, 7, 123456, 5, 14);
	T_EQ(seqdec_pitch(p, n, &m), SEQDEC_OK);
	T_EQ(m.seq, 123456);
	T_EQ(m.count, 5);
	T_EQ(m.flags, 0);
	T_EQ(m.session_len, 1);
	T_EQ(m.session[0], 7);
	T_EQ(seqdec_pitch(p, n - 1, &m), SEQDEC_UNDECODABLE); /* HdrLength disagrees */
	p[8] = 1; /* a message shorter than its length and type */
	T_EQ(seqdec_pitch(p, n, &m), SEQDEC_UNDECODABLE);
	n = pitch(p, 7, 99, 0, 2);
	T_EQ(seqdec_pitch(p, n, &m), SEQDEC_OK);
	T_EQ(m.flags, SEQDEC_F_HEARTBEAT);
	T_EQ(m.seq, 99);
	n = pitch(p, 0, 0, 2, 10);
	T_EQ(seqdec_pitch(p, n, &m), SEQDEC_OK);
	T_EQ(m.flags, SEQDEC_F_UNSEQUENCED);
	T_EQ(m.count, 0);
	n = pitch(p, 1, 5, 3, 10);
	p[2] = 4; /* count says more than there is */
	T_EQ(seqdec_pitch(p, n, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_pitch(p, 7, &m), SEQDEC_UNDECODABLE);
}

static void test_generic(void)
{
	const uint8_t p[] = { 0xaa, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
	struct seqdec d;
	struct seqdec_msg m;

	T_EQ(seqdec_parse("seq:1:8:be", &d), 0);
	T_EQ(seqdec_decode(&d, p, sizeof(p), &m), SEQDEC_OK);
	T_EQ(m.seq, 0x0102030405060708ll);
	T_EQ(m.count, 1);
	T_EQ(seqdec_decode(&d, p, 8, &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_parse("seq:1:4:le", &d), 0);
	T_EQ(seqdec_decode(&d, p, sizeof(p), &m), SEQDEC_OK);
	T_EQ(m.seq, 0x04030201);
	T_EQ(seqdec_parse("seq:8:1:le", &d), 0);
	T_EQ(seqdec_decode(&d, p, sizeof(p), &m), SEQDEC_OK);
	T_EQ(m.seq, 8);
	T_EQ(seqdec_parse("seq:9:1:le", &d), 0);
	T_EQ(seqdec_decode(&d, p, sizeof(p), &m), SEQDEC_UNDECODABLE);
	T_EQ(seqdec_parse("seq:2:2:be", &d), 0);
	T_EQ(seqdec_decode(&d, p, sizeof(p), &m), SEQDEC_OK);
	T_EQ(m.seq, 0x0203);
}

int main(void)
{
	test_parse();
	test_moldudp64();
	test_mdp3();
	test_pitch();
	test_generic();
	return T_EXIT_PASS;
}
