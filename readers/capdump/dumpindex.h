/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dumpindex.h - capdump's indexes (readers/common/capindex.h): built while
 * it writes each file, from the packets and ISBs as they go in, and written
 * beside the file when it is closed under its final name; and the --index
 * command, which checks and rebuilds the indexes of closed files.
 *
 * What capdump feeds it must be what a rebuild reads back from the file,
 * so that both give the same bytes: the file's feed table (from the rings'
 * feeds; from -r, the input's as of the output file's first packet; none
 * in pcap), each packet's block offset, timestamp as the file holds it,
 * bytes and epb_dropcount, each ISB's counters.  Where capdump cannot know
 * that table (several -r inputs) or the file lost its tail (a write error),
 * the index is built by reading the closed file back instead.
 */
#ifndef CAPD_DUMPINDEX_H
#define CAPD_DUMPINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "capindex_build.h"
#include "pcapng.h"

struct capfile;
struct dumpindex;

/* Where an output file's feed table comes from. */
enum dumpindex_table {
	DUMPINDEX_RINGS,  /* the rings' feeds, the same in every file */
	DUMPINDEX_INPUT,  /* the one -r input's, at the file's first packet */
	DUMPINDEX_RESCAN, /* unknown: read each closed file back */
	DUMPINDEX_NONE,	  /* pcap: no feed table in the file */
};

/* feeds: the rings' (DUMPINDEX_RINGS), in ring order.  @return 0 or -ENOMEM. */
int dumpindex_new(struct dumpindex **x, enum dumpindex_table how, const struct ring_feed *feeds,
		  unsigned int n);
void dumpindex_free(struct dumpindex *x); /* NULL is ok */

/* A packet written into the current file; in: its -r input (else NULL). */
void dumpindex_packet(struct dumpindex *x, const struct capfile *in,
		      const struct capindex_build_pkt *p);

/* The counters and times of an ISB capdump writes (the last call per
 * interface before the file closes is the one written); tsresol, tsoffset:
 * its interface's units (dumpfile_iface_ts()). */
void dumpindex_isb_info(struct dumpindex *x, uint32_t if_id, const struct pcapng_isb_info *isb,
			uint8_t tsresol, int64_t tsoffset);

/* An ISB carried into the current file (host order, whole block); tsresol,
 * tsoffset as above. */
void dumpindex_isb_block(struct dumpindex *x, uint32_t if_id, const void *blk, uint32_t len,
			 uint8_t tsresol, int64_t tsoffset);

/*
 * The current file is complete as path: write its index (failed: it holds
 * less than was written, so it is read back).  A failure is warned about
 * in one line; the recording goes on.  The next packet starts a new file.
 */
void dumpindex_closed(struct dumpindex *x, const char *path, bool failed);

/* Index path, a file closed outside this run (--resume finished it). */
void dumpindex_file(const char *path);

/*
 * capdump --index [--force] FILE|DIR...: every capture file named, and
 * every capture file in a directory named (filelist.h), whose index is
 * missing or not trusted (all with
 * force) gets a new one; one line per file on standard output.
 * @return 0 if every file has a trusted index at the end, 1 if not.
 */
int dumpindex_command(char *const *paths, int n, bool force);

#endif
