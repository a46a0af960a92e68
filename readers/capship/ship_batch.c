// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "json_out.h"
#include "ship_batch.h"

const char *ship_batch_table_name(enum ship_table t)
{
	static const char *const names[SHIP_TABLES] = {
		[SHIP_FILES] = "files_local",	    [SHIP_FEEDS] = "feeds_local",
		[SHIP_GAPS] = "gaps_local",	    [SHIP_PAUSES] = "pauses_local",
		[SHIP_REMOVALS] = "removals_local", [SHIP_INTERVALS] = "intervals_local",
	};

	return t < SHIP_TABLES ? names[t] : "?";
}

FILE *ship_batch_row(struct ship_batch *b, enum ship_table t)
{
	struct ship_batch_table *bt = &b->t[t];

	if (!bt->f) {
		bt->f = open_memstream(&bt->buf, &bt->len);
		if (!bt->f)
			return NULL;
	}
	fputc('{', bt->f);
	return bt->f;
}

void ship_batch_str(FILE *f, const char *key, const char *s, int first)
{
	fprintf(f, "%s\"%s\":", first ? "" : ",", key);
	json_out_str(f, s);
}

void ship_batch_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ",\"%s\":%" PRIu64, key, v);
}

void ship_batch_i64(FILE *f, const char *key, int64_t v)
{
	fprintf(f, ",\"%s\":%" PRId64, key, v);
}

int ship_batch_end(struct ship_batch *b, enum ship_table t)
{
	struct ship_batch_table *bt = &b->t[t];

	fputs("}\n", bt->f);
	if (fflush(bt->f) || ferror(bt->f))
		return -ENOMEM;
	bt->rows++;
	return 0;
}

const char *ship_batch_text(struct ship_batch *b, enum ship_table t, size_t *len)
{
	struct ship_batch_table *bt = &b->t[t];

	if (!bt->f) {
		*len = 0;
		return "";
	}
	fflush(bt->f);
	*len = bt->len;
	return bt->buf;
}

size_t ship_batch_rows(const struct ship_batch *b)
{
	size_t n = 0;
	int t;

	for (t = 0; t < SHIP_TABLES; t++)
		n += b->t[t].rows;
	return n;
}

void ship_batch_clear(struct ship_batch *b, enum ship_table t)
{
	struct ship_batch_table *bt = &b->t[t];

	if (bt->f)
		fclose(bt->f);
	free(bt->buf);
	*bt = (struct ship_batch_table){ 0 };
}

void ship_batch_free(struct ship_batch *b)
{
	int t;

	for (t = 0; t < SHIP_TABLES; t++)
		ship_batch_clear(b, (enum ship_table)t);
}
