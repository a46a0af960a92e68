/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dumpselect.h - what an extraction takes from capture files or rings:
 * packets in a time window (--start, --end), of named feeds (--feed), or
 * carrying messages in a sequence range of a feed (--seq FEED:FROM-TO);
 * and which files of an archive it need not open, proved by their indexes
 * (capindex.h).
 *
 * A packet's feed is decided as the index decides it (capindex_build.h):
 * in an Ethernet frame, the first entry of the file's feed table by
 * ring_feed_match() for its IPv4/IPv6 destination and UDP destination
 * port; from a ring, the ring's feed.  Its messages are what the feed's
 * protocol (in the feed table) decodes: a packet is in --seq's range when
 * it carries at least one sequenced message numbered FROM..TO, in any
 * session.  A packet without a timestamp (SPB) is in no time window.
 *
 * So a file whose trusted index has no packet in the window, none of the
 * feeds named, or no message of the range holds nothing selected:
 * skipping it changes nothing in the output.
 */
#ifndef CAPD_DUMPSELECT_H
#define CAPD_DUMPSELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "ring_format.h"
#include "seqdec.h"

struct capfile;
struct capindex;
struct readloop_pkt;
struct readopt_input;

#define DUMPSELECT_FEEDS_MAX 64 /* --feed given this many times at most */

struct dumpselect {
	uint64_t start_ns, end_ns; /* [start, end), UTC; 0 = open */
	const char *feed[DUMPSELECT_FEEDS_MAX];
	unsigned int nfeeds;
	const char *seq_feed; /* --seq's feed, or NULL */
	uint64_t seq_from, seq_to;
};

/*
 * Take --feed NAME, --seq FEED:FROM-TO (FROM-TO inclusive; or FEED:N).
 * arg must outlive s.  @return 0, or -EINVAL with a line in err.
 */
int dumpselect_take_feed(struct dumpselect *s, const char *arg, char *err, size_t errlen);
int dumpselect_take_seq(struct dumpselect *s, const char *arg, char *err, size_t errlen);

/* Whether anything but a filter expression selects (a selective read). */
bool dumpselect_active(const struct dumpselect *s);

/*
 * Whether packet p (from a ring or a file) is selected.  Its feed table is
 * the file's as read so far (capfile_feeds()), or the ring's.
 */
bool dumpselect_packet(const struct dumpselect *s, const struct readloop_pkt *p);

/*
 * Whether the file an index describes can hold no selected packet.
 * ix must be trusted (capindex_load() of that file).
 */
bool dumpselect_index_excludes(const struct dumpselect *s, const struct capindex *ix);

/*
 * A selective read of files (in->files, once readopt_input_check() has
 * expanded them): leave out those whose trusted index shows they hold no
 * selected packet, keeping the others in order (in->nfiles becomes the
 * number kept; the list still owns every name); *start_at (malloc()ed, one
 * per file kept) is where in that file the packets may start, by the
 * index's position for s->start_ns (0: the start), for
 * readloop_file_skip().  A file without a trusted index is kept whole, and
 * warn() gets one line for the operator saying so, why, and how to make
 * one; warn may be NULL.  Without memory, every file is kept whole (*start_at NULL),
 * which selects the same.
 * @return the number of files left out.
 */
unsigned int dumpselect_prune(const struct dumpselect *s, struct readopt_input *in,
			      uint64_t **start_at, void (*warn)(const char *line));

#endif
