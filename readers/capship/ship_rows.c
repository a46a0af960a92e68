// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ship_rows.h"

static struct capindex_chain_feed *chain_feed(struct ship_rows_chain *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nfeeds; i++)
		if (!strcmp(c->feeds[i].name, name))
			return &c->feeds[i].c;
	if (c->nfeeds == SHIP_ROWS_FEEDS_MAX)
		return NULL;
	if (c->nfeeds == c->feeds_cap) {
		unsigned int cap = c->feeds_cap ? c->feeds_cap * 2 : 16;
		void *n = realloc(c->feeds, cap * sizeof(*c->feeds));

		if (!n)
			return NULL;
		c->feeds = n;
		c->feeds_cap = cap;
	}
	memset(&c->feeds[c->nfeeds], 0, sizeof(*c->feeds));
	snprintf(c->feeds[c->nfeeds].name, sizeof(c->feeds->name), "%s", name);
	return &c->feeds[c->nfeeds++].c;
}

void ship_rows_forget(struct ship_rows_chain *c)
{
	unsigned int i;

	for (i = 0; i < c->nfeeds; i++)
		c->feeds[i].c.prev = false;
	capindex_chain_ifaces_forget(&c->ifs);
}

void ship_rows_chain_free(struct ship_rows_chain *c)
{
	free(c->feeds);
	capindex_chain_ifaces_free(&c->ifs);
	memset(c, 0, sizeof(*c));
}

static FILE *row(struct ship_batch *b, enum ship_table t, const struct ship_rows_id *id)
{
	FILE *f = ship_batch_row(b, t);

	if (f) {
		ship_batch_str(f, "box", id->box, 1);
		ship_batch_str(f, "point", id->point, 0);
	}
	return f;
}

static int gap_row(struct ship_batch *b, const struct ship_rows_id *id, const char *path,
		   uint64_t mtime, const struct capindex_feed *f, uint64_t from, uint64_t to,
		   uint64_t ts_ns, int boundary)
{
	FILE *o = row(b, SHIP_GAPS, id);

	if (!o)
		return -ENOMEM;
	ship_batch_str(o, "feed", f->name, 0);
	ship_batch_str(o, "path", path, 0);
	ship_batch_u64(o, "data_mtime_ns", mtime);
	ship_batch_u64(o, "seq_from", from);
	ship_batch_u64(o, "seq_to", to);
	ship_batch_u64(o, "ts_ns", ts_ns);
	ship_batch_u64(o, "boundary", (uint64_t)boundary);
	ship_batch_u64(o, "shipped_ns", id->shipped_ns);
	return ship_batch_end(b, SHIP_GAPS);
}

static int pause_row(struct ship_batch *b, const struct ship_rows_id *id, const char *path,
		     uint64_t mtime, const struct capindex_feed *f, const struct capindex_pause *p)
{
	FILE *o = row(b, SHIP_PAUSES, id);

	if (!o)
		return -ENOMEM;
	ship_batch_str(o, "feed", f->name, 0);
	ship_batch_str(o, "path", path, 0);
	ship_batch_u64(o, "data_mtime_ns", mtime);
	ship_batch_u64(o, "from_ns", p->from_ns);
	ship_batch_u64(o, "to_ns", p->to_ns);
	ship_batch_u64(o, "shipped_ns", id->shipped_ns);
	return ship_batch_end(b, SHIP_PAUSES);
}

static int feed_rows(struct ship_rows_chain *c, const struct ship_rows_id *id, const char *path,
		     uint64_t mtime, const struct capindex_feed *f, bool emit, struct ship_batch *b)
{
	struct capindex_chain_feed *a = chain_feed(c, f->name);
	bool seq = capindex_chain_decoded(f), across = false;
	uint64_t from = 0, to = 0;
	uint32_t g;
	FILE *o;
	int r;

	/* a feed beyond SHIP_ROWS_FEEDS_MAX names has no boundary, as in --list */
	if (a && seq)
		across = capindex_chain_gap(a, f, &from, &to);
	if (!emit)
		return 0;
	o = row(b, SHIP_FEEDS, id);
	if (!o)
		return -ENOMEM;
	ship_batch_str(o, "path", path, 0);
	ship_batch_u64(o, "data_mtime_ns", mtime);
	ship_batch_str(o, "feed", f->name, 0);
	ship_batch_str(o, "proto", capindex_proto_name(f->proto), 0);
	ship_batch_u64(o, "packets", f->packets);
	ship_batch_u64(o, "bytes_wire", f->bytes_wire);
	ship_batch_u64(o, "first_ns", f->first_ns);
	ship_batch_u64(o, "last_ns", f->last_ns);
	ship_batch_u64(o, "seq_first", seq ? f->seq_first : 0);
	ship_batch_u64(o, "seq_last", seq ? f->seq_last : 0);
	ship_batch_u64(o, "seq_min", f->seq_msg_packets ? f->seq_min : 0);
	ship_batch_u64(o, "seq_max", f->seq_msg_packets ? f->seq_max : 0);
	ship_batch_u64(o, "gaps", seq ? f->gaps : 0);
	ship_batch_u64(o, "missing", seq ? f->missing : 0);
	ship_batch_u64(o, "late", seq ? f->late : 0);
	ship_batch_u64(o, "sessions", seq ? f->sessions : 0);
	ship_batch_u64(o, "pauses", f->pauses);
	ship_batch_u64(o, "npauses", f->npauses);
	ship_batch_u64(o, "shipped_ns", id->shipped_ns);
	r = ship_batch_end(b, SHIP_FEEDS);
	if (r)
		return r;
	for (g = 0; g < f->npauses; g++) {
		r = pause_row(b, id, path, mtime, f, &f->pause[g]);
		if (r)
			return r;
	}
	if (!seq)
		return 0;
	if (across) {
		r = gap_row(b, id, path, mtime, f, from, to, f->first_ns, 1);
		if (r)
			return r;
	}
	for (g = 0; g < f->ngaps; g++) {
		r = gap_row(b, id, path, mtime, f, f->gap[g].from, f->gap[g].to, f->gap[g].ts_ns,
			    0);
		if (r)
			return r;
	}
	return 0;
}

int ship_rows_file(struct ship_rows_chain *c, const struct ship_rows_id *id, const char *path,
		   const struct capindex *ix, bool emit, struct ship_batch *b)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	uint64_t ifdrop_sum = 0, osdrop_sum = 0;
	bool ts = h->packets > h->packets_nots;
	uint32_t k;
	FILE *o;
	int r;

	for (k = 0; k < h->nifaces; k++) {
		const struct capindex_iface *ci = capindex_iface(ix, k);
		struct capindex_chain_iface *a = capindex_chain_ifaces_at(&c->ifs, ci->if_id);
		struct capindex_chain_iface none = { 0 };
		uint64_t ifdrop = 0, osdrop = 0;

		if (!ci->packets && !(ci->present & CAPINDEX_ISB_SEEN))
			continue;
		if (capindex_chain_drops(a ? a : &none, ci, &ifdrop, &osdrop)) {
			ifdrop_sum += ifdrop;
			osdrop_sum += osdrop;
		}
		capindex_chain_iface_next(a, ci);
	}
	if (emit) {
		o = row(b, SHIP_FILES, id);
		if (!o)
			return -ENOMEM;
		ship_batch_str(o, "path", path, 0);
		ship_batch_u64(o, "data_size", h->data_size);
		ship_batch_u64(o, "data_mtime_ns", h->data_mtime_ns);
		ship_batch_u64(o, "span_start_ns", h->span_start_ns);
		ship_batch_u64(o, "span_end_ns", h->span_end_ns);
		ship_batch_u64(o, "first_ns", ts ? h->first_ns : 0);
		ship_batch_u64(o, "last_ns", ts ? h->last_ns : 0);
		ship_batch_u64(o, "packets", h->packets);
		ship_batch_u64(o, "bytes_cap", h->bytes_cap);
		ship_batch_u64(o, "bytes_wire", h->bytes_wire);
		ship_batch_u64(o, "if_drop", ifdrop_sum);
		ship_batch_u64(o, "os_drop", osdrop_sum);
		ship_batch_u64(o, "shipped_ns", id->shipped_ns);
		r = ship_batch_end(b, SHIP_FILES);
		if (r)
			return r;
	}
	for (k = 0; k < h->nfeeds; k++) {
		r = feed_rows(c, id, path, h->data_mtime_ns, capindex_feed(ix, k), emit, b);
		if (r)
			return r;
	}
	return 0;
}

int ship_rows_removal(const struct ship_rows_id *id, const char *path, uint64_t mtime_ns,
		      uint64_t size, uint64_t removed_ns, struct ship_batch *b)
{
	FILE *o = row(b, SHIP_REMOVALS, id);

	if (!o)
		return -ENOMEM;
	ship_batch_str(o, "path", path, 0);
	ship_batch_u64(o, "data_mtime_ns", mtime_ns);
	ship_batch_u64(o, "removed_ns", removed_ns);
	ship_batch_u64(o, "data_size", size);
	ship_batch_u64(o, "shipped_ns", id->shipped_ns);
	return ship_batch_end(b, SHIP_REMOVALS);
}
