/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_feed.h - a feed table entry (struct ring_feed, ring_format.h) as
 * readers use it: its sequence protocol as a decoder (seqdec.h), and which
 * entry a datagram belongs to.  The same entries come from a ring's feed
 * table and from a file's (capfile_feeds(), docs/pcapng-profile.md).
 *
 * An entry is hostile input (another process wrote it): every function
 * here takes any bytes and never trusts a value it does not know.
 */
#ifndef CAPD_RING_FEED_H
#define CAPD_RING_FEED_H

#include <stdint.h>

#include "ring_format.h"
#include "seqdec.h"

/*
 * Set rf's protocol fields (proto, seq_*) from d; d NULL: none.
 * @return 0, or -EINVAL if d cannot be carried (an offset beyond 65535).
 */
int ring_feed_set_proto(struct ring_feed *rf, const struct seqdec *d);

/*
 * The decoder of rf's protocol.
 * @return 0 and *d set; -ENOENT if rf names none, or a value this reader
 *	   does not know (a protocol, a width, a flag): no protocol.
 */
int ring_feed_seqdec(const struct ring_feed *rf, struct seqdec *d);

/*
 * The entry of feeds[0..n) a UDP datagram to addr (family 4 or 6; 4 or 16
 * bytes, network order), port belongs to: among the entries whose group or
 * prefix holds addr and whose ports hold port (or any port), the longest
 * prefix; at equal length one that lists the port before one of any port;
 * then the first.  Entries of another family, a prefix too long for their
 * family or more than RING_FEED_MAX_PORTS ports never match.
 * @return its index, or -ENOENT.
 */
int ring_feed_match(const struct ring_feed *feeds, unsigned int n, int family, const uint8_t *addr,
		    uint16_t port);

#endif
