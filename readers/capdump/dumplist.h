/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dumplist.h - capdump --list: what an archive of capture files holds, from
 * their indexes (readers/common/capindex.h) alone.  Per file its span,
 * packets, bytes, drops per interface and per feed its packets, times,
 * sequence range and gaps; per archive the totals, the gaps of each feed
 * across file boundaries and the holes in time between files.  Text for
 * people or one JSON document (keys in docs/capdump.md, "Listing").
 *
 * Files are taken in the order -r reads them (filelist.h: the paths in
 * argument order, a directory's capture files and a glob's matches in
 * byte order of their names); "previous file" means the previous one
 * listed.  One index is read at a time and per file only what its
 * successor is compared with is kept (per feed its last message number
 * and that message's session, per interface its last ISB), so memory does
 * not grow with the number of files but for the names of one argument's
 * files.  A gap before a file is counted only when its first message is
 * numbered in the session the previous file's last message was: a new
 * session at the boundary is a new numbering.
 *
 * A file without a trusted index is read through once (one warning line
 * on standard error) and its index stored beside it when the directory
 * is writable, as --index would.
 */
#ifndef CAPD_DUMPLIST_H
#define CAPD_DUMPLIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DUMPLIST_HOLE_NS 1000000000ull /* --hole default: 1 s */

struct dumplist_opts {
	bool json;
	/* Only files whose time (span and packets) meets [start_ns, end_ns);
	 * 0 = unbounded. */
	uint64_t start_ns, end_ns;
	/* A hole: consecutive files' times further apart than this. */
	uint64_t hole_ns;
};

/*
 * List the files of paths[0..n) (files, directories, glob patterns when no
 * file of that name exists) on out; warnings on standard error.
 * @return 0, or 1 if some file or path could not be read (it is listed
 *	   with its error).
 */
int dumplist_command(char *const *paths, int n, const struct dumplist_opts *o, FILE *out);

#endif
