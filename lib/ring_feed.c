// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_feed.c - a feed table entry's protocol and address match.  The
 * protocol fields were reserved (zero) bytes, so anything but a value known
 * here is "no protocol", never a guess.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ring_feed.h"

int ring_feed_set_proto(struct ring_feed *rf, const struct seqdec *d)
{
	rf->proto = RING_PROTO_NONE;
	rf->seq_offset = 0;
	rf->seq_width = 0;
	rf->seq_flags = 0;
	if (!d)
		return 0;
	switch (d->proto) {
	case SEQDEC_MOLDUDP64:
		rf->proto = RING_PROTO_MOLDUDP64;
		return 0;
	case SEQDEC_MDP3:
		rf->proto = RING_PROTO_MDP3;
		return 0;
	case SEQDEC_PITCH:
		rf->proto = RING_PROTO_PITCH;
		return 0;
	case SEQDEC_GENERIC:
		if (d->offset > UINT16_MAX)
			return -EINVAL;
		rf->proto = RING_PROTO_SEQ;
		rf->seq_offset = (uint16_t)d->offset;
		rf->seq_width = d->width;
		rf->seq_flags = d->big_endian ? RING_SEQ_BIG_ENDIAN : 0;
		return 0;
	}
	return -EINVAL;
}

int ring_feed_seqdec(const struct ring_feed *shared, struct seqdec *d)
{
	struct ring_feed c, *rf = &c;

	/* A ring's table is shared memory: judge one copy, not bytes that
	 * may change between the check and the use. */
	memcpy(&c, shared, sizeof(c));
	memset(d, 0, sizeof(*d));
	switch (rf->proto) {
	case RING_PROTO_MOLDUDP64:
		d->proto = SEQDEC_MOLDUDP64;
		return 0;
	case RING_PROTO_MDP3:
		d->proto = SEQDEC_MDP3;
		return 0;
	case RING_PROTO_PITCH:
		d->proto = SEQDEC_PITCH;
		return 0;
	case RING_PROTO_SEQ:
		if (rf->seq_width != 1 && rf->seq_width != 2 && rf->seq_width != 4 &&
		    rf->seq_width != 8)
			break;
		if (rf->seq_flags & ~RING_SEQ_BIG_ENDIAN)
			break;
		d->proto = SEQDEC_GENERIC;
		d->offset = rf->seq_offset;
		d->width = rf->seq_width;
		d->big_endian = !!(rf->seq_flags & RING_SEQ_BIG_ENDIAN);
		return 0;
	default:
		break;
	}
	memset(d, 0, sizeof(*d));
	return -ENOENT;
}

static bool holds(const struct ring_feed *f, int family, const uint8_t *addr)
{
	unsigned int bits = family == 6 ? 128 : 32, full, rest;

	if (f->family != family || f->prefix_len > bits)
		return false;
	full = f->prefix_len / 8;
	rest = f->prefix_len % 8;
	if (memcmp(f->addr, addr, full))
		return false;
	return !rest || !((f->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

/* 2: lists port; 1: any port; 0: not this port (or a hostile count). */
static int port_rank(const struct ring_feed *f, uint16_t port)
{
	unsigned int i;

	if (f->nports > RING_FEED_MAX_PORTS)
		return 0;
	if (!f->nports)
		return 1;
	for (i = 0; i < f->nports; i++)
		if (f->ports[i] == port)
			return 2;
	return 0;
}

int ring_feed_match(const struct ring_feed *feeds, unsigned int n, int family, const uint8_t *addr,
		    uint16_t port)
{
	int best = -ENOENT, best_len = -1, best_rank = 0, rank;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct ring_feed f;

		memcpy(&f, &feeds[i], sizeof(f)); /* as ring_feed_seqdec() */
		if (!holds(&f, family, addr))
			continue;
		rank = port_rank(&f, port);
		if (!rank)
			continue;
		if (f.prefix_len > best_len || (f.prefix_len == best_len && rank > best_rank)) {
			best = (int)i;
			best_len = f.prefix_len;
			best_rank = rank;
		}
	}
	return best;
}
