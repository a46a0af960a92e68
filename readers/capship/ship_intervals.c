// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship_intervals.h"
#include "ship_jsonl.h"

#define CHUNK (64u << 10)

struct row {
	char feed[64];
	bool fed, lat;
	uint64_t interval_ns, packets, bytes, gaps, missing;
	bool a2w;
	int64_t a2w_p50, a2w_p99, lat_p50, lat_p99;
};

struct group {
	uint64_t end_ns;
	struct row *r;
	unsigned int n, cap;
};

/* The file, read forward in chunks; lines handed out whole. */
struct reader {
	int fd;
	uint64_t off; /* file offset of buf[0] */
	char *buf;
	size_t len, cap;
	bool eof;
};

static int fill(struct reader *rd, size_t want)
{
	ssize_t n;

	if (rd->eof)
		return 0;
	if (rd->cap < want) {
		char *b = realloc(rd->buf, want);

		if (!b)
			return -ENOMEM;
		rd->buf = b;
		rd->cap = want;
	}
	while (rd->len < rd->cap) {
		n = pread(rd->fd, rd->buf + rd->len, rd->cap - rd->len, (off_t)(rd->off + rd->len));
		if (n < 0)
			return -errno;
		if (!n) {
			rd->eof = true;
			break;
		}
		rd->len += (size_t)n;
	}
	return 0;
}

static void consume(struct reader *rd, size_t n)
{
	if (n >= rd->len) {
		rd->len = 0; /* a line too long: passed over unread */
	} else {
		memmove(rd->buf, rd->buf + n, rd->len - n);
		rd->len -= n;
	}
	rd->off += n;
}

/*
 * The next complete line at rd->off: *line, *len (no newline), *total with
 * it.  @return 1, 0 at the end of the complete lines, 2 for a line too long
 * (its bytes in *total, to be passed over), -errno.
 */
static int next_line(struct reader *rd, const char **line, size_t *len, size_t *total)
{
	char *nl;
	int r;

	for (;;) {
		nl = rd->len ? memchr(rd->buf, '\n', rd->len) : NULL;
		if (nl) {
			*line = rd->buf;
			*len = (size_t)(nl - rd->buf);
			*total = *len + 1;
			return *len > SHIP_INTERVALS_LINE_MAX ? 2 : 1;
		}
		if (rd->eof)
			return 0;
		if (rd->len > SHIP_INTERVALS_LINE_MAX) {
			/* too long: find its end without keeping it */
			static char tmp[CHUNK];
			uint64_t pos = rd->off + rd->len;
			ssize_t n;

			for (;;) {
				n = pread(rd->fd, tmp, sizeof(tmp), (off_t)pos);
				if (n < 0)
					return -errno;
				if (!n)
					return 0; /* not complete yet */
				nl = memchr(tmp, '\n', (size_t)n);
				if (nl) {
					*line = NULL;
					*len = 0;
					*total = (size_t)(pos + (uint64_t)(nl - tmp) + 1 - rd->off);
					return 2;
				}
				pos += (uint64_t)n;
			}
		}
		r = fill(rd, rd->len + CHUNK > rd->cap ? rd->len + CHUNK : rd->cap);
		if (r)
			return r;
	}
}

static struct row *group_row(struct group *g, const char *feed)
{
	unsigned int i;

	for (i = 0; i < g->n; i++)
		if (!strcmp(g->r[i].feed, feed))
			return &g->r[i];
	if (g->n == SHIP_INTERVALS_FEEDS)
		return NULL;
	if (g->n == g->cap) {
		unsigned int cap = g->cap ? g->cap * 2 : 16;
		struct row *r = realloc(g->r, cap * sizeof(*r));

		if (!r)
			return NULL;
		g->r = r;
		g->cap = cap;
	}
	memset(&g->r[g->n], 0, sizeof(*g->r));
	snprintf(g->r[g->n].feed, sizeof(g->r->feed), "%s", feed);
	return &g->r[g->n++];
}

static void group_add(struct group *g, const struct ship_jsonl *j)
{
	struct row *r = group_row(g, j->feed);

	if (!r)
		return;
	g->end_ns = j->end_ns;
	if (j->type == SHIP_JSONL_FEED) {
		r->fed = true;
		r->interval_ns = j->interval_ns;
		r->packets = j->packets;
		r->bytes = j->bytes;
		r->gaps = j->gaps;
		r->missing = j->missing;
		r->a2w = j->a2w;
		r->a2w_p50 = j->a2w_p50_ns;
		r->a2w_p99 = j->a2w_p99_ns;
	} else if (j->lat) {
		r->lat = true;
		r->lat_p50 = j->lat_p50_ns;
		r->lat_p99 = j->lat_p99_ns;
	}
}

static int group_emit(struct group *g, const struct ship_rows_id *id, struct ship_batch *b)
{
	unsigned int i;
	int r;

	for (i = 0; i < g->n; i++) {
		const struct row *w = &g->r[i];
		FILE *o = ship_batch_row(b, SHIP_INTERVALS);

		if (!o)
			return -ENOMEM;
		ship_batch_str(o, "box", id->box, 1);
		ship_batch_str(o, "point", id->point, 0);
		ship_batch_str(o, "feed", w->feed, 0);
		ship_batch_u64(o, "end_ns", g->end_ns);
		ship_batch_u64(o, "interval_ns", w->interval_ns);
		ship_batch_u64(o, "packets", w->packets);
		ship_batch_u64(o, "bytes", w->bytes);
		ship_batch_u64(o, "gaps", w->gaps);
		ship_batch_u64(o, "missing", w->missing);
		ship_batch_i64(o, "lat_p50_ns", w->lat ? w->lat_p50 : w->a2w ? w->a2w_p50 : 0);
		ship_batch_i64(o, "lat_p99_ns", w->lat ? w->lat_p99 : w->a2w ? w->a2w_p99 : 0);
		ship_batch_u64(o, "shipped_ns", id->shipped_ns);
		r = ship_batch_end(b, SHIP_INTERVALS);
		if (r)
			return r;
	}
	g->n = 0;
	g->end_ns = 0;
	return 0;
}

int ship_intervals_file(const char *path, uint64_t from, const struct ship_rows_id *id,
			struct ship_batch *b, size_t max_rows, uint64_t *upto, uint64_t *bad,
			char *why, size_t whylen)
{
	struct reader rd = { .fd = -1, .off = from };
	struct group g = { 0 };
	struct ship_jsonl j;
	struct stat st;
	uint64_t done = from;
	const char *line = NULL;
	size_t len = 0, total = 0;
	char jwhy[128];
	int r;

	*upto = from;
	*bad = 0;
	rd.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (rd.fd < 0 || fstat(rd.fd, &st) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(why, whylen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size < from) {
		r = -ESTALE;
		snprintf(why, whylen, "%s: shorter than what was shipped of it", path);
		goto out;
	}
	for (;;) {
		r = next_line(&rd, &line, &len, &total);
		if (r < 0) {
			snprintf(why, whylen, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (!r)
			break;
		if (r == 2 || ship_jsonl_parse(line, len, &j, jwhy, sizeof(jwhy))) {
			(*bad)++;
			j.type = SHIP_JSONL_OTHER;
			j.end_ns = 0;
		}
		if ((j.type == SHIP_JSONL_FEED || j.type == SHIP_JSONL_LATENCY) && g.n &&
		    j.end_ns != g.end_ns) {
			/* the interval before is complete */
			r = group_emit(&g, id, b);
			if (r)
				goto nomem;
			done = rd.off;
			if (ship_batch_rows(b) >= max_rows)
				break;
		}
		if (j.type == SHIP_JSONL_FEED || j.type == SHIP_JSONL_LATENCY) {
			group_add(&g, &j);
		} else if (j.type == SHIP_JSONL_SUMMARY) {
			r = group_emit(&g, id, b);
			if (r)
				goto nomem;
			done = rd.off + total;
		} else if (!g.n) {
			done = rd.off + total; /* nothing waits for this line */
		}
		consume(&rd, total);
	}
	*upto = done;
	r = 0;
	goto out;
nomem:
	r = -ENOMEM;
	snprintf(why, whylen, "out of memory");
out:
	if (rd.fd >= 0)
		close(rd.fd);
	free(rd.buf);
	free(g.r);
	return r;
}
