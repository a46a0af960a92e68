/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_rows.h - the rows of an archive's files for ClickHouse, from their
 * indexes (capindex.h): per file one row of files_local, per feed of its
 * feed table one of feeds_local, per gap one of gaps_local (the gaps the
 * index lists inside the file, at most CAPINDEX_GAPS_MAX per feed, and the
 * gap before the file across its boundary), per pause of a feed one of
 * pauses_local (those the index lists, at most CAPINDEX_PAUSES_MAX per
 * feed: feeds_local's pauses counts them all, npauses the listed ones);
 * and the removals_local row of a file shipped before and gone now.
 * Column names and meanings are the schema's (docs/clickhouse/README.md).
 *
 * The files' drops (if_drop, os_drop: the increase of the ISB counters
 * over the previous file of the recording, summed over the interfaces
 * whose increase is known) and the boundary gaps are those capdump --list
 * reports for the same files (capindex_chain.h): the caller gives every
 * file of an archive in listing order (filelist.h), those it does not
 * ship too (emit false), so that each file is compared with the one
 * before it; after a file whose index cannot be trusted it calls
 * ship_rows_forget(), as --list does after a file it cannot read.
 *
 * A file's rows depend only on its index and its predecessors', so rows
 * sent again are the same rows but for shipped_ns.
 */
#ifndef CAPD_SHIP_ROWS_H
#define CAPD_SHIP_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "capindex.h"
#include "capindex_chain.h"
#include "ship_batch.h"

#define SHIP_ROWS_FEEDS_MAX 4096u /* feed names followed across an archive, as --list */

/* What every row carries. */
struct ship_rows_id {
	const char *box, *point;
	uint64_t shipped_ns;
};

/* One archive's walk: what the next file continues from. */
struct ship_rows_chain {
	struct {
		char name[64];
		struct capindex_chain_feed c;
	} * feeds;
	unsigned int nfeeds, feeds_cap;
	struct capindex_chain_ifaces ifs;
};

/* The rows one file has (the bound a batch may pass batch_rows by). */
#define SHIP_ROWS_FILE_MAX \
	(1u + CAPINDEX_FEEDS_MAX * (2u + CAPINDEX_GAPS_MAX + CAPINDEX_PAUSES_MAX))

/*
 * File path's index ix, next in the archive's listing: its place in the
 * chain, and with emit its rows into b.
 * @return 0 or -ENOMEM.
 */
int ship_rows_file(struct ship_rows_chain *c, const struct ship_rows_id *id, const char *path,
		   const struct capindex *ix, bool emit, struct ship_batch *b);

/* A file that could not be read: nothing continues across it. */
void ship_rows_forget(struct ship_rows_chain *c);

/* Free the chain (zeroed: a new archive). */
void ship_rows_chain_free(struct ship_rows_chain *c);

/* The removals_local row of a file shipped and gone.  @return 0 or -ENOMEM. */
int ship_rows_removal(const struct ship_rows_id *id, const char *path, uint64_t mtime_ns,
		      uint64_t size, uint64_t removed_ns, struct ship_batch *b);

#endif
