/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capindex_build.h - making the index of a capture file (capindex.h), the
 * same way whether capdump feeds it the packets as it writes them or the
 * rebuild reads them back from the closed file: every field is a function
 * of what the file holds (its feed table, its packet blocks in order with
 * their stream offsets, timestamps, bytes and epb_dropcount, its ISBs), so
 * both give byte-identical indexes.
 *
 * A packet belongs to the first feed of the table (in table order) whose
 * prefix holds its IPv4/IPv6 destination and whose ports (none = any) hold
 * its UDP destination port, as frame_decode() reads an Ethernet frame;
 * frames of other link types belong to no feed.
 */
#ifndef CAPD_CAPINDEX_BUILD_H
#define CAPD_CAPINDEX_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "capindex.h"
#include "ring_format.h"
#include "seqdec.h"

struct capfile;
struct capindex_build;

/* A packet block as the file holds it. */
struct capindex_build_pkt {
	uint64_t offset; /* where its block starts in the decompressed stream */
	uint32_t if_id;
	uint16_t linktype; /* LINKTYPE_* of its interface */
	bool has_ts;	   /* false for an SPB */
	uint64_t ts_ns;	   /* UTC ns as capfile reads it */
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint64_t dropcount; /* epb_dropcount, 0 if absent */
};

int capindex_build_new(struct capindex_build **b);
void capindex_build_free(struct capindex_build *b); /* NULL is ok */

/* Start the index of a new file (no feed table yet). */
void capindex_build_begin(struct capindex_build *b);

/*
 * The file's feed table: feeds[0..n) (at most CAPINDEX_FEEDS_MAX: more are
 * left out, the same on both paths).  Set before its first packet.
 * @return 0, or -EBUSY once a packet was added.
 */
int capindex_build_feeds(struct capindex_build *b, const struct ring_feed *feeds, unsigned int n);

/*
 * Feed i's sequence decoder.  Until the feed table carries a protocol
 * (capindex_build_feed_proto()), tests set one here; NULL removes it.
 */
void capindex_build_set_proto(struct capindex_build *b, unsigned int i, const struct seqdec *d);

/* The next packet block of the file, in file order. */
void capindex_build_packet(struct capindex_build *b, const struct capindex_build_pkt *p);

/*
 * An ISB about interface if_id: its counters (present says which, as
 * enum capindex_isb_bits; CAPINDEX_ISB_SEEN is implied).  The last one of
 * an interface in the file is what the index keeps.
 */
void capindex_build_isb(struct capindex_build *b, uint32_t if_id, uint32_t present, uint64_t ifrecv,
			uint64_t ifdrop, uint64_t osdrop, uint64_t filteraccept, uint64_t usrdeliv);

/*
 * An ISB's isb_starttime (has_start) and isb_endtime (has_end), in UTC ns
 * as pcapng_ts_ns() reads them with their interface's units: the file's
 * span is the lowest start and the highest end of all its ISBs (each the
 * first/last packet time when none has it).
 */
void capindex_build_span(struct capindex_build *b, bool has_start, uint64_t start_ns, bool has_end,
			 uint64_t end_ns);

/* As capindex_build_isb() and capindex_build_span() from a whole ISB in
 * host byte order (capfile's carried blocks, capdump's copies of them),
 * its interface's if_tsresol (as in the file) and if_tsoffset.  A
 * malformed one is ignored. */
void capindex_build_isb_block(struct capindex_build *b, uint32_t if_id, const uint8_t *blk,
			      uint32_t len, uint8_t tsresol, int64_t tsoffset);

/*
 * Encode what was built (host-order parts, for tests): capindex_encode()
 * with the identity of data file fd.  @return as capindex_encode(), or the
 * -errno of identifying fd.
 */
int capindex_build_encode(struct capindex_build *b, int fd, uint8_t **buf, size_t *len);

/*
 * Write the index of data_path, which must be complete and closed
 * (capindex_store()).  @return 0 or -errno.
 */
int capindex_build_write(struct capindex_build *b, const char *data_path);

/*
 * The feed table of file f, as it describes it (the feeds capdump wrote
 * into it).  @return the number of feeds put in out (at most max).
 */
unsigned int capindex_build_file_feeds(const struct capfile *f, struct ring_feed *out,
				       unsigned int max);

/*
 * The feed table capdump writes into its files for the feeds in[0..n) of
 * its rings (in ring order), as capindex_build_file_feeds() reads it back.
 * @return the number of feeds put in out (at most max).
 */
unsigned int capindex_build_ring_feeds(const struct ring_feed *in, unsigned int n,
				       struct ring_feed *out, unsigned int max);

/*
 * The sequence decoder of feed f, when the feed table says its protocol.
 * @return true and *d set, or false.
 */
bool capindex_build_feed_proto(const struct ring_feed *f, struct seqdec *d);

/*
 * Read data file path through and write its index.  A file that does not
 * read to its end without error gets none.
 * @return 0; -EAGAIN if the file changed while it was read; or the -errno
 *	   of reading it (one line in err) or of writing the index.
 */
int capindex_build_file(const char *path, char *err, size_t errlen);

#endif
