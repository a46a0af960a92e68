/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inet_csum.h - the Internet checksum (RFC 1071) of IPv4 headers and UDP
 * datagrams, in two steps so that a pseudo-header and a datagram add up:
 *
 *	sum = inet_csum_add(0, pseudo, plen);
 *	sum = inet_csum_add(sum, udp, ulen);
 *	csum = inet_csum_fold(sum);	(0 over data that verifies)
 */
#ifndef CAPD_INET_CSUM_H
#define CAPD_INET_CSUM_H

#include <stdint.h>

/* Add n bytes at p, as 16-bit big-endian words (an odd last byte padded
 * with a zero), to sum; n up to 65535 cannot overflow it. */
uint32_t inet_csum_add(uint32_t sum, const uint8_t *p, uint32_t n);

/* The one's complement of sum folded to 16 bits: the checksum to store. */
uint16_t inet_csum_fold(uint32_t sum);

#endif
