/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp_frame.h - a multicast datagram as the index and the listing see
 * one: Ethernet + IPv4 + UDP from 10.0.0.1 to group 239.1.1.g, port
 * 30000 + g; the payload a u32 big-endian seq, then extra zero bytes.
 */
#ifndef CAPD_TEST_UDP_FRAME_H
#define CAPD_TEST_UDP_FRAME_H

#include <stdint.h>
#include <string.h>

/* Into f (at least 46 + extra bytes).  @return the frame's length. */
static inline uint32_t udp_frame(uint8_t *f, unsigned int g, uint32_t seq, uint32_t extra)
{
	uint32_t udp = 8 + 4 + extra, ip = 20 + udp;

	memset(f, 0, 14 + ip);
	f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e, f[5] = (uint8_t)g;
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip >> 8), f[17] = (uint8_t)ip;
	f[22] = 1, f[23] = 17;
	f[26] = 10, f[29] = 1;
	f[30] = 239, f[31] = 1, f[32] = 1, f[33] = (uint8_t)g;
	f[34] = 0x30, f[35] = 0x39;
	f[36] = (uint8_t)((30000 + g) >> 8), f[37] = (uint8_t)(30000 + g);
	f[38] = (uint8_t)(udp >> 8), f[39] = (uint8_t)udp;
	f[42] = (uint8_t)(seq >> 24), f[43] = (uint8_t)(seq >> 16);
	f[44] = (uint8_t)(seq >> 8), f[45] = (uint8_t)seq;
	return 14 + ip;
}

#endif
