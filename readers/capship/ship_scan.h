/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_scan.h - one pass of the shipper: every archive's files against
 * the state (ship_state.h), the rows of the files not shipped yet whose
 * index is trusted (ship_rows.h), the removals of files shipped and gone,
 * sent in batches, each batch marked shipped in the state only after
 * ClickHouse acknowledged all of it; then the interval summaries of the
 * capstat files in capstat_dir (ship_intervals.h), each from the offset
 * the state gives, the offset advanced when the batch is acknowledged.
 *
 * A batch is sent once it holds batch_rows rows or more, after a whole
 * file (a file's rows go out in one batch: at most SHIP_ROWS_FILE_MAX, so
 * memory stays bounded by batch_rows plus one file's rows).  The archives
 * are only read: a file without a trusted index (none yet, corrupt,
 * stale) is skipped, reported once through warn(), and looked at again on
 * the next pass; capdump builds and stores indexes.
 */
#ifndef CAPD_SHIP_SCAN_H
#define CAPD_SHIP_SCAN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ship_batch.h"
#include "ship_conf.h"
#include "ship_rows.h"
#include "ship_state.h"

/* Send one table's rows: 0 when acknowledged, else ship_http_insert()'s. */
typedef int (*ship_scan_send)(void *arg, enum ship_table t, const char *body, size_t len, char *why,
			      size_t whylen);

/* Where the last walk of an archive ended (private to ship_scan). */
struct ship_scan_saved {
	struct ship_rows_chain chain;
	char *last; /* the last file walked; NULL: walk from the first */
};

struct ship_scan {
	const struct ship_conf *conf;
	struct ship_state *st;
	const char *state_path;
	ship_scan_send send;
	void *send_arg;
	/* one line for the operator (a file skipped, an archive unreadable) */
	void (*warn)(void *arg, const char *line);
	void *warn_arg;
	const volatile sig_atomic_t *stop; /* set: end after the current batch */
	bool dry;			   /* count only (--check): nothing sent or written */
	/* private: files already warned about, each archive's last walk */
	struct ship_state *warned;
	struct ship_scan_saved saved[SHIP_CONF_ARCHIVES_MAX];
	/* what this pass found and did */
	uint64_t files, files_shipped, files_new, files_untrusted;
	uint64_t rows_sent, batches, removals;
	uint64_t interval_files; /* capstat files whose offset advanced */
	size_t rows_pending;	 /* rows of the batch that failed */
};

/*
 * One pass.  @return 0 (everything there was is shipped, or stop was
 * set); with one line in why: the send's error (nothing of the failed
 * batch marked), -ENOSPC or another -errno of writing the state
 * ("state: ..."), -EFBIG (the state would pass state_max_mb), -ENOMEM.
 */
int ship_scan_run(struct ship_scan *s, char *why, size_t whylen);

void ship_scan_free(struct ship_scan *s); /* its private parts */

#endif
