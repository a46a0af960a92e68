/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_batch.h - rows waiting to be inserted, as JSONEachRow text (one JSON
 * object a line), one buffer per ClickHouse table of the schema
 * (docs/clickhouse/schema.sql).  Rows are added whole; the caller sends a
 * table's buffer with ship_http and empties it.
 */
#ifndef CAPD_SHIP_BATCH_H
#define CAPD_SHIP_BATCH_H

#include <stdint.h>
#include <stdio.h>

enum ship_table {
	SHIP_FILES,
	SHIP_FEEDS,
	SHIP_GAPS,
	SHIP_PAUSES,
	SHIP_REMOVALS,
	SHIP_INTERVALS,
	SHIP_TABLES
};

struct ship_batch_table {
	FILE *f; /* open_memstream over buf, or NULL when empty */
	char *buf;
	size_t len;
	size_t rows;
};

struct ship_batch {
	struct ship_batch_table t[SHIP_TABLES];
};

/* "files_local", ... (the local table rows are inserted into). */
const char *ship_batch_table_name(enum ship_table t);

/*
 * Start a row of table t: "{" on a new line; the caller prints the
 * fields with the helpers below, then ship_batch_end().
 * @return the stream, or NULL without memory.
 */
FILE *ship_batch_row(struct ship_batch *b, enum ship_table t);

/* ,"key":value; the first field of a row without the comma. */
void ship_batch_str(FILE *f, const char *key, const char *s, int first);
void ship_batch_u64(FILE *f, const char *key, uint64_t v);
void ship_batch_i64(FILE *f, const char *key, int64_t v);

/* Close the row.  @return 0, or -ENOMEM (the stream failed). */
int ship_batch_end(struct ship_batch *b, enum ship_table t);

/* Table t's text so far (NUL terminated; "" when empty), and its rows. */
const char *ship_batch_text(struct ship_batch *b, enum ship_table t, size_t *len);

size_t ship_batch_rows(const struct ship_batch *b);		/* of all tables */
void ship_batch_clear(struct ship_batch *b, enum ship_table t); /* forget t's rows */
void ship_batch_free(struct ship_batch *b);			/* all; may be reused */

#endif
