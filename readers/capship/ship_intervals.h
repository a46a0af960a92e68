/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_intervals.h - capstat's interval summaries (capstat --json written
 * into a file of capstat_dir) as intervals_local rows: one row per feed
 * per interval, its "feed" object's packets, bytes, gaps and missing
 * (since capstat started, as capstat counts them), its latency p50/p99:
 * the one-way latency of a "latency" object of the same feed and interval
 * (capstat --latency-to, comparable clocks only), else the feed's
 * app-to-wire latency, else 0.
 *
 * A file is read from a byte offset (what was shipped) to its last
 * complete line; an interval is taken once the line after its last
 * object has been written (a later interval's, or the summary), so that
 * its feed and latency objects become one row.  Lines that are not JSON
 * are counted and passed over; a line longer than SHIP_INTERVALS_LINE_MAX
 * too.
 */
#ifndef CAPD_SHIP_INTERVALS_H
#define CAPD_SHIP_INTERVALS_H

#include <stddef.h>
#include <stdint.h>

#include "ship_batch.h"
#include "ship_rows.h"

#define SHIP_INTERVALS_LINE_MAX (1u << 20)
#define SHIP_INTERVALS_FEEDS	4096u /* feeds of one interval; more are not shipped */

/*
 * Rows of file path from byte offset from into b, interval by interval,
 * until b holds max_rows rows or more or the complete intervals end.
 * @return 0 and *upto, the offset after the last line whose interval is in
 *	   b (from when none); *bad, the lines passed over; -ESTALE when the
 *	   file is shorter than from (another file now: start again at 0);
 *	   -ENOMEM or the -errno of reading (why set).
 */
int ship_intervals_file(const char *path, uint64_t from, const struct ship_rows_id *id,
			struct ship_batch *b, size_t max_rows, uint64_t *upto, uint64_t *bad,
			char *why, size_t whylen);

#endif
