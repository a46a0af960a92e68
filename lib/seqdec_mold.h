/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seqdec_mold.h - MoldUDP64's framing, inline for the per-packet paths: the
 * check that a packet's message blocks fill it (seqdec_moldudp64() uses it
 * too), and a feed's usual packet recognised without a struct seqdec_msg.
 */
#ifndef CAPD_SEQDEC_MOLD_H
#define CAPD_SEQDEC_MOLD_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SEQDEC_MOLD_HDR	 20u	 /* Session (10) + SequenceNumber (8) + MessageCount (2) */
#define SEQDEC_MOLD_NEXT 18u	 /* the header but its count */
#define SEQDEC_MOLD_END	 0xffffu /* MessageCount of the end of a session */

/*
 * Whether count message blocks (u16 BE length + message) fill the datagram
 * p of len bytes exactly, from its header on.  One bound check a block: a
 * block that overruns leaves off past len, which the next block's check or
 * the last one refuses; off never wraps (at most len + 2 + 65535).
 */
static inline bool seqdec_mold_blocks_fill(const uint8_t *p, size_t len, unsigned int count)
{
	size_t off = SEQDEC_MOLD_HDR;
	uint16_t be;

	for (; count; count--) {
		if (off + 2 > len)
			return false;
		memcpy(&be, p + off, 2);
		off += 2 + (size_t)be16toh(be);
	}
	return off == len;
}

/*
 * A feed's usual packet: next holds the header a packet continuing the
 * numbering starts with (its session, then the next sequence number,
 * big-endian, as on the wire).
 * @return the number of messages of p when p starts with next and
 *	   seqdec_moldudp64() would decode it as carrying messages (then with
 *	   that session, that seq and this count); 0 for anything else (a gap,
 *	   a new session, a heartbeat, a malformed packet): decode it then.
 */
static inline unsigned int seqdec_mold_next(const uint8_t *p, size_t len,
					    const uint8_t next[SEQDEC_MOLD_NEXT])
{
	unsigned int count;
	uint64_t seq;

	if (len < SEQDEC_MOLD_HDR || memcmp(p, next, SEQDEC_MOLD_NEXT))
		return 0;
	count = (unsigned int)p[18] << 8 | p[19];
	memcpy(&seq, p + 10, sizeof(seq));
	seq = be64toh(seq);
	/* as seqdec_moldudp64() refuses them, or decodes them without messages */
	if (count == 0 || count == SEQDEC_MOLD_END || seq == 0 || seq > UINT64_MAX - count ||
	    !seqdec_mold_blocks_fill(p, len, count))
		return 0;
	return count;
}

#endif
