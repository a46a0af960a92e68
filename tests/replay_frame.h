/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_frame.h - UDP frames for capreplay's tests, IPv4 or IPv6, with or
 * without a VLAN tag, their checksums right; and the checks of those
 * checksums, written here from RFC 1071 apart from replay_map.c's.
 */
#ifndef CAPD_TEST_REPLAY_FRAME_H
#define CAPD_TEST_REPLAY_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct rf_spec {
	bool v6, vlan;
	const uint8_t *dst; /* 4 or 16 bytes */
	uint16_t dport;
	uint8_t ttl;
	bool no_csum;  /* IPv4: UDP checksum 0 */
	uint32_t plen; /* payload bytes: 0, 1, 2, ... */
};

/* The one's complement sum of n bytes from p, as 16-bit big-endian words. */
static inline uint64_t rf_sum(uint64_t acc, const uint8_t *p, uint32_t n)
{
	while (n >= 2) {
		acc += ((uint64_t)p[0] << 8) + p[1];
		p += 2;
		n -= 2;
	}
	if (n)
		acc += (uint64_t)p[0] << 8;
	return acc;
}

static inline uint16_t rf_fold(uint64_t acc)
{
	while (acc > 0xffff)
		acc = (acc >> 16) + (acc & 0xffff);
	return (uint16_t)acc;
}

/* The IP header (l3) and, if UDP, the datagram at l4: checksums verify. */
static inline bool rf_ip4_ok(const uint8_t *ip)
{
	return rf_fold(rf_sum(0, ip, (uint32_t)(ip[0] & 15) * 4)) == 0xffff;
}

/* The UDP checksum verifies (an IPv4 0 is "none" and verifies). */
static inline bool rf_udp_ok(bool v6, const uint8_t *ip, const uint8_t *udp)
{
	uint32_t ulen = (uint32_t)(udp[4] << 8 | udp[5]);
	uint64_t acc = 17 + ulen;

	if (!v6 && !udp[6] && !udp[7])
		return true;
	acc = v6 ? rf_sum(acc, ip + 8, 32) : rf_sum(acc, ip + 12, 8);
	return rf_fold(rf_sum(acc, udp, ulen)) == 0xffff;
}

/* Into f (at least 62 + plen bytes).  @return the frame's length. */
static inline uint32_t rf_build(uint8_t *f, const struct rf_spec *s)
{
	static const uint8_t src4[4] = { 10, 0, 0, 1 };
	static const uint8_t src6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint32_t o = 12, ulen = 8 + s->plen, i;
	uint8_t *ip, *udp;
	uint16_t c;

	memset(f, 0, 62 + s->plen);
	f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e, f[5] = 0x01;
	f[6] = 0x02, f[11] = 0x01;
	if (s->vlan) {
		f[12] = 0x81, f[14] = 0x00, f[15] = 0x64; /* VLAN 100 */
		o = 16;
	}
	f[o] = s->v6 ? 0x86 : 0x08;
	f[o + 1] = s->v6 ? 0xdd : 0x00;
	ip = f + o + 2;
	if (s->v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)(ulen >> 8), ip[5] = (uint8_t)ulen;
		ip[6] = 17, ip[7] = s->ttl;
		memcpy(ip + 8, src6, 16);
		memcpy(ip + 24, s->dst, 16);
		udp = ip + 40;
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)((20 + ulen) >> 8), ip[3] = (uint8_t)(20 + ulen);
		ip[4] = 0x12, ip[5] = 0x34, ip[6] = 0x40; /* DF */
		ip[8] = s->ttl, ip[9] = 17;
		memcpy(ip + 12, src4, 4);
		memcpy(ip + 16, s->dst, 4);
		c = (uint16_t)~rf_fold(rf_sum(0, ip, 20));
		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
		udp = ip + 20;
	}
	udp[0] = 0x30, udp[1] = 0x39;
	udp[2] = (uint8_t)(s->dport >> 8), udp[3] = (uint8_t)s->dport;
	udp[4] = (uint8_t)(ulen >> 8), udp[5] = (uint8_t)ulen;
	for (i = 0; i < s->plen; i++)
		udp[8 + i] = (uint8_t)(i * 7 + 3);
	if (s->v6 || !s->no_csum) {
		uint64_t acc = 17 + ulen;

		acc = s->v6 ? rf_sum(acc, ip + 8, 32) : rf_sum(acc, ip + 12, 8);
		c = (uint16_t)~rf_fold(rf_sum(acc, udp, ulen));
		if (!c)
			c = 0xffff;
		udp[6] = (uint8_t)(c >> 8), udp[7] = (uint8_t)c;
	}
	return (uint32_t)(udp - f) + ulen;
}

#endif
