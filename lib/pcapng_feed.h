/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_feed.h - a capture file's feed table: one pcapng custom option
 * (code 2989, copyable binary, PEN PCAPNG_PEN) per feed, on the NRB that
 * capdump writes after the IDBs of every file it records from rings
 * (docs/pcapng-profile.md).  An NRB, because `capdump -r` carries NRBs
 * with their options into its output, and into every file of a rotated
 * output, where it writes an SHB of its own.
 *
 * The option's data after the PEN is struct pcapng_feed: little-endian,
 * `kind` and `version` first.  Later versions only append fields, so a
 * reader takes the fields it knows from any version >= 1.
 */
#ifndef CAPD_PCAPNG_FEED_H
#define CAPD_PCAPNG_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "ring_format.h"

#define PCAPNG_FEED_KIND    0x46 /* 'F': tells this option from the PEN's others */
#define PCAPNG_FEED_VERSION 1

/* The fields of a struct ring_feed, in a fixed byte order. */
struct pcapng_feed {
	uint8_t kind;	     /* PCAPNG_FEED_KIND */
	uint8_t version;     /* PCAPNG_FEED_VERSION */
	uint8_t family;	     /* 4 or 6 */
	uint8_t prefix_len;  /* of the group address */
	uint8_t nports;	     /* 0 = any port */
	uint8_t proto;	     /* enum ring_feed_proto */
	uint8_t seq_width;   /* RING_PROTO_SEQ */
	uint8_t seq_flags;   /* RING_PROTO_SEQ: enum ring_feed_seq_flags */
	uint16_t seq_offset; /* RING_PROTO_SEQ */
	uint16_t ports[RING_FEED_MAX_PORTS];
	uint8_t addr[16];	       /* network order; IPv4 in addr[0..3] */
	char name[RING_FEED_NAME_LEN]; /* NUL padded; may fill it (no NUL) */
} __attribute__((__packed__));

_Static_assert(sizeof(struct pcapng_feed) == 90, "pcapng feed option v1");
_Static_assert(offsetof(struct pcapng_feed, ports) == 10, "pcapng feed option v1");
_Static_assert(offsetof(struct pcapng_feed, name) == 58, "pcapng feed option v1");

/* Fill *o from the feed table entry f (little-endian whatever the host). */
void pcapng_feed_encode(struct pcapng_feed *o, const struct ring_feed *f);

/*
 * Decode the option data after the PEN into a feed table entry (its name
 * NUL terminated, control characters as '?'; the values as the file has
 * them: ring_feed.h's functions judge them).
 * @return 0, or -EBADMSG when it is not this option (kind), version 0, or
 *	   shorter than version 1, or its family is neither 4 nor 6.
 */
int pcapng_feed_decode(const void *data, size_t len, struct ring_feed *f);

#endif
