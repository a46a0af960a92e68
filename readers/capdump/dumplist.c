// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "capindex.h"
#include "capindex_build.h"
#include "capindex_chain.h"
#include "clock_text.h"
#include "dumplist.h"
#include "filelist.h"
#include "json_out.h"
#include "log.h"

#define FEEDS_MAX 4096u /* feed names tracked across the archive; more are not summed */

/* A feed (by name) across the archive, and where its previous file ended. */
struct feed_acc {
	char name[64];
	uint64_t packets, bytes, first_ns, last_ns;
	uint64_t seq_min, seq_max, seq_msg_packets;
	uint64_t gaps, missing, late, gaps_across, missing_across;
	bool listed; /* in a file listed (not only in files outside --start/--end) */
	struct capindex_chain_feed chain;
};

struct dumplist {
	const struct dumplist_opts *o;
	FILE *out;
	int rc;
	unsigned int nlisted; /* files (and errors) written out */
	/* the archive */
	uint64_t files, unreadable, packets, bytes;
	uint64_t first_ns, last_ns; /* of the files' times (span and packets) */
	uint64_t dropcount, ifdrop, osdrop, isb_unknown;
	uint64_t holes, hole_ns;
	bool prev_time; /* prev_hi is the end of the previous file's time */
	uint64_t prev_hi;
	struct feed_acc *feeds;
	unsigned int nfeeds, feeds_cap;
	uint64_t feeds_untracked;
	struct capindex_chain_ifaces ifs;
};

/* "2026-12-06T14:00:00.000312000Z", or "-" for 0 (no time). */
static const char *utc(uint64_t ns, char buf[40])
{
	if (!ns)
		return strcpy(buf, "-");
	return clock_text_utc(ns, 9, buf, 40);
}

/* A time as "KEY_ns": N, "KEY": "ISO" (null, null for none). */
static void jtime(FILE *f, const char *key, uint64_t ns)
{
	char b[40];

	if (!ns) {
		fprintf(f, "\"%s_ns\":null,\"%s\":null", key, key);
		return;
	}
	fprintf(f, "\"%s_ns\":%llu,\"%s\":\"%s\"", key, (unsigned long long)ns, key, utc(ns, b));
}

static struct feed_acc *feed_acc(struct dumplist *l, const char *name)
{
	struct feed_acc *a;
	unsigned int i;

	for (i = 0; i < l->nfeeds; i++)
		if (!strcmp(l->feeds[i].name, name))
			return &l->feeds[i];
	if (l->nfeeds == FEEDS_MAX)
		return NULL;
	if (l->nfeeds == l->feeds_cap) {
		unsigned int cap = l->feeds_cap ? l->feeds_cap * 2 : 16;

		a = realloc(l->feeds, cap * sizeof(*a));
		if (!a)
			return NULL;
		l->feeds = a;
		l->feeds_cap = cap;
	}
	a = &l->feeds[l->nfeeds++];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

/* After a file that could not be read nothing is known to continue. */
static void forget_previous(struct dumplist *l)
{
	unsigned int i;

	for (i = 0; i < l->nfeeds; i++)
		l->feeds[i].chain.prev = false;
	capindex_chain_ifaces_forget(&l->ifs);
	l->prev_time = false;
}

static void sep(struct dumplist *l)
{
	if (l->o->json)
		fputs(l->nlisted++ ? ",\n" : "\n", l->out);
}

static void list_error(struct dumplist *l, const char *path, const char *err)
{
	size_t len = strlen(path);

	/* the readers' messages start with the path */
	if (!strncmp(err, path, len) && !strncmp(err + len, ": ", 2))
		err += len + 2;
	pr_warn("%s: not listed: %s", path, err);
	l->unreadable++;
	l->rc = 1;
	forget_previous(l);
	sep(l);
	if (l->o->json) {
		fputs("{\"name\":", l->out);
		json_out_str(l->out, path);
		fputs(",\"error\":", l->out);
		json_out_str(l->out, err);
		fputs("}", l->out);
	} else {
		fprintf(l->out, "%s: not listed: %s\n", path, err);
	}
}

static void list_ifaces(struct dumplist *l, const struct capindex *ix)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	uint32_t k;
	bool any = false;

	if (l->o->json)
		fputs(",\"interfaces\":[", l->out);
	for (k = 0; k < h->nifaces; k++) {
		const struct capindex_iface *c = capindex_iface(ix, k);
		struct capindex_chain_iface *a = capindex_chain_ifaces_at(&l->ifs, c->if_id);
		struct capindex_chain_iface none = { 0 };
		uint64_t ifdrop = 0, osdrop = 0;
		bool known;

		if (!c->packets && !(c->present & CAPINDEX_ISB_SEEN))
			continue;
		known = capindex_chain_drops(a ? a : &none, c, &ifdrop, &osdrop);
		l->dropcount += c->dropcount;
		if (known) {
			l->ifdrop += ifdrop;
			l->osdrop += osdrop;
		} else {
			l->isb_unknown++;
		}
		capindex_chain_iface_next(a, c);
		if (l->o->json) {
			fprintf(l->out,
				"%s{\"if_id\":%u,\"packets\":%llu,\"epb_dropcount\":%llu,\"isb\":%"
				"s",
				any ? "," : "", c->if_id, (unsigned long long)c->packets,
				(unsigned long long)c->dropcount,
				c->present & CAPINDEX_ISB_SEEN ? "true" : "false");
			if (known)
				fprintf(l->out, ",\"ifdrop\":%llu,\"osdrop\":%llu}",
					(unsigned long long)ifdrop, (unsigned long long)osdrop);
			else
				fputs(",\"ifdrop\":null,\"osdrop\":null}", l->out);
		} else {
			fprintf(l->out, "  interface %u: %llu packets, drops: epb_dropcount %llu",
				c->if_id, (unsigned long long)c->packets,
				(unsigned long long)c->dropcount);
			if (known)
				fprintf(l->out, ", ifdrop %llu, osdrop %llu\n",
					(unsigned long long)ifdrop, (unsigned long long)osdrop);
			else
				fprintf(l->out, ", ifdrop ?, osdrop ? (%s)\n",
					c->present & CAPINDEX_ISB_SEEN
						? "no previous file of its recording"
						: "no ISB counters");
		}
		any = true;
	}
	if (l->o->json)
		fputs("]", l->out);
}

/* A feed's pauses in a file, one line each. */
static void text_pauses(struct dumplist *l, const struct capindex_feed *f)
{
	char b1[40], b2[40];
	uint32_t g;

	for (g = 0; g < f->npauses; g++)
		fprintf(l->out, "    pause %s .. %s (%.3f s)\n", utc(f->pause[g].from_ns, b1),
			utc(f->pause[g].to_ns, b2),
			(double)(f->pause[g].to_ns - f->pause[g].from_ns) / 1e9);
	if (f->pauses > f->npauses)
		fprintf(l->out, "    (%llu more pauses not listed)\n",
			(unsigned long long)(f->pauses - f->npauses));
}

static void list_feed(struct dumplist *l, const struct capindex_feed *f, bool comma)
{
	struct feed_acc *a = feed_acc(l, f->name);
	bool seq = capindex_chain_decoded(f);
	bool across = false;
	uint64_t from = 0, to = 0;
	char b1[40], b2[40];
	uint32_t g;

	if (!a) {
		l->feeds_untracked++;
	} else {
		a->listed = true;
		a->packets += f->packets;
		a->bytes += f->bytes_cap;
		if (f->first_ns && (!a->first_ns || f->first_ns < a->first_ns))
			a->first_ns = f->first_ns;
		if (f->last_ns > a->last_ns)
			a->last_ns = f->last_ns;
		if (f->seq_msg_packets) {
			if (!a->seq_msg_packets || f->seq_min < a->seq_min)
				a->seq_min = f->seq_min;
			if (!a->seq_msg_packets || f->seq_max > a->seq_max)
				a->seq_max = f->seq_max;
			a->seq_msg_packets += f->seq_msg_packets;
		}
		a->gaps += f->gaps;
		a->missing += f->missing;
		a->late += f->late;
	}
	/* Across the boundary: where the file starts in the session the
	 * previous one ended in (capindex_chain.h). */
	if (a && seq && capindex_chain_gap(&a->chain, f, &from, &to)) {
		across = true;
		a->gaps_across++;
		a->missing_across += to - from;
	}
	if (l->o->json) {
		fprintf(l->out, "%s{\"name\":", comma ? "," : "");
		json_out_str(l->out, f->name);
		fprintf(l->out, ",\"packets\":%llu,\"bytes\":%llu,", (unsigned long long)f->packets,
			(unsigned long long)f->bytes_cap);
		jtime(l->out, "first", f->first_ns);
		fputc(',', l->out);
		jtime(l->out, "last", f->last_ns);
		fprintf(l->out, ",\"pauses\":%llu,\"pause_list\":[", (unsigned long long)f->pauses);
		for (g = 0; g < f->npauses; g++) {
			fputs(g ? ",{" : "{", l->out);
			jtime(l->out, "from", f->pause[g].from_ns);
			fputc(',', l->out);
			jtime(l->out, "to", f->pause[g].to_ns);
			fputc('}', l->out);
		}
		fprintf(l->out, "],\"proto\":\"%s\"", capindex_proto_name(f->proto));
		if (!seq) {
			fputs(",\"seq\":null}", l->out);
			return;
		}
		fprintf(l->out,
			",\"seq\":{\"first\":%llu,\"last\":%llu,\"min\":%llu,\"max\":%llu,"
			"\"packets\":%llu,\"undecodable\":%llu,\"sessions\":%llu,\"gaps\":%llu,"
			"\"missing\":%llu,\"late\":%llu,\"gap_list\":[",
			(unsigned long long)f->seq_first, (unsigned long long)f->seq_last,
			(unsigned long long)f->seq_min, (unsigned long long)f->seq_max,
			(unsigned long long)f->seq_packets, (unsigned long long)f->seq_undecodable,
			(unsigned long long)f->sessions, (unsigned long long)f->gaps,
			(unsigned long long)f->missing, (unsigned long long)f->late);
		for (g = 0; g < f->ngaps; g++) {
			fprintf(l->out, "%s{\"first\":%llu,\"last\":%llu,\"missing\":%llu,",
				g ? "," : "", (unsigned long long)f->gap[g].from,
				(unsigned long long)f->gap[g].to - 1,
				(unsigned long long)(f->gap[g].to - f->gap[g].from));
			jtime(l->out, "before", f->gap[g].ts_ns);
			fputc('}', l->out);
		}
		fputs("],\"gap_before_file\":", l->out);
		if (across)
			fprintf(l->out, "{\"first\":%llu,\"last\":%llu,\"missing\":%llu}",
				(unsigned long long)from, (unsigned long long)to - 1,
				(unsigned long long)(to - from));
		else
			fputs("null", l->out);
		fputs("}}", l->out);
		return;
	}
	fprintf(l->out, "  feed %s: %llu packets, %llu bytes, %s .. %s", f->name,
		(unsigned long long)f->packets, (unsigned long long)f->bytes_cap,
		utc(f->first_ns, b1), utc(f->last_ns, b2));
	if (!seq) {
		fprintf(l->out, ", %s\n",
			f->proto == CAPINDEX_PROTO_NONE ? "no protocol" : "no packet decoded");
		text_pauses(l, f);
		return;
	}
	fprintf(l->out,
		", %s seq %llu..%llu (min %llu, max %llu), gaps %llu (%llu missing), late %llu",
		capindex_proto_name(f->proto), (unsigned long long)f->seq_first,
		(unsigned long long)f->seq_last, (unsigned long long)f->seq_min,
		(unsigned long long)f->seq_max, (unsigned long long)f->gaps,
		(unsigned long long)f->missing, (unsigned long long)f->late);
	if (f->sessions)
		fprintf(l->out, ", %llu new sessions", (unsigned long long)f->sessions);
	if (f->seq_undecodable)
		fprintf(l->out, ", %llu undecodable", (unsigned long long)f->seq_undecodable);
	fputc('\n', l->out);
	if (across)
		fprintf(l->out, "    gap before this file: %llu..%llu (%llu missing)\n",
			(unsigned long long)from, (unsigned long long)to - 1,
			(unsigned long long)(to - from));
	for (g = 0; g < f->ngaps; g++)
		fprintf(l->out, "    gap %llu..%llu (%llu missing) before %s\n",
			(unsigned long long)f->gap[g].from, (unsigned long long)f->gap[g].to - 1,
			(unsigned long long)(f->gap[g].to - f->gap[g].from),
			utc(f->gap[g].ts_ns, b1));
	if (f->gaps > f->ngaps)
		fprintf(l->out, "    (%llu more gaps not listed)\n",
			(unsigned long long)(f->gaps - f->ngaps));
	text_pauses(l, f);
}

/* The time a file covers: its span and its packets' times (a packet of a
 * ring's backlog may be stamped before its file was opened). */
static bool file_time(const struct capindex_hdr *h, uint64_t *lo, uint64_t *hi)
{
	bool ts = h->packets > h->packets_nots;

	*lo = h->span_start_ns;
	*hi = h->span_end_ns;
	if (ts && h->first_ns < *lo)
		*lo = h->first_ns;
	if (ts && h->last_ns > *hi)
		*hi = h->last_ns;
	return *hi != 0;
}

/* A file outside --start/--end: not listed, but the next file listed
 * continues from it (its ISB counters, its feeds' last messages, its time). */
static void pass_index(struct dumplist *l, const struct capindex *ix, bool timed, uint64_t hi)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	uint32_t k;

	for (k = 0; k < h->nifaces; k++) {
		const struct capindex_iface *c = capindex_iface(ix, k);
		struct capindex_chain_iface *a = capindex_chain_ifaces_at(&l->ifs, c->if_id);

		capindex_chain_iface_next(a, c);
	}
	for (k = 0; k < h->nfeeds; k++) {
		const struct capindex_feed *f = capindex_feed(ix, k);
		struct feed_acc *a;

		uint64_t from, to;

		if (!capindex_chain_decoded(f) || !(a = feed_acc(l, f->name)))
			continue;
		capindex_chain_gap(&a->chain, f, &from, &to);
	}
	if (timed && (!l->prev_time || hi > l->prev_hi))
		l->prev_hi = hi;
	l->prev_time |= timed;
}

static void list_index(struct dumplist *l, const char *path, const struct capindex *ix,
		       const char *index_state)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	const struct capindex_iface *c;
	uint64_t lo, hi, epb = 0;
	bool timed = file_time(h, &lo, &hi), hole = false;
	char b1[40], b2[40];
	uint32_t k;

	if ((l->o->start_ns || l->o->end_ns) &&
	    (!timed || (l->o->start_ns && hi < l->o->start_ns) ||
	     (l->o->end_ns && lo >= l->o->end_ns))) {
		pass_index(l, ix, timed, hi);
		return;
	}
	if (timed && l->prev_time && lo > l->prev_hi && lo - l->prev_hi > l->o->hole_ns) {
		hole = true;
		l->holes++;
		l->hole_ns += lo - l->prev_hi;
	}
	l->files++;
	l->packets += h->packets;
	l->bytes += h->bytes_cap;
	if (timed) {
		if (!l->first_ns || lo < l->first_ns)
			l->first_ns = lo;
		if (hi > l->last_ns)
			l->last_ns = hi;
	}
	for (k = 0; (c = capindex_iface(ix, k)); k++)
		epb += c->dropcount;
	sep(l);
	if (l->o->json) {
		fputs("{\"name\":", l->out);
		json_out_str(l->out, path);
		fprintf(l->out, ",\"index\":\"%s\",", index_state);
		jtime(l->out, "span_start", h->span_start_ns);
		fputc(',', l->out);
		jtime(l->out, "span_end", h->span_end_ns);
		fputs(",\"hole_before\":", l->out);
		if (hole) {
			fputc('{', l->out);
			jtime(l->out, "start", l->prev_hi);
			fputc(',', l->out);
			jtime(l->out, "end", lo);
			fputc('}', l->out);
		} else {
			fputs("null", l->out);
		}
		fprintf(l->out, ",\"packets\":%llu,\"packets_without_time\":%llu,",
			(unsigned long long)h->packets, (unsigned long long)h->packets_nots);
		jtime(l->out, "first", h->packets > h->packets_nots ? h->first_ns : 0);
		fputc(',', l->out);
		jtime(l->out, "last", h->packets > h->packets_nots ? h->last_ns : 0);
		fprintf(l->out,
			",\"bytes\":%llu,\"bytes_wire\":%llu,\"unattributed\":%llu,"
			"\"epb_dropcount\":%llu",
			(unsigned long long)h->bytes_cap, (unsigned long long)h->bytes_wire,
			(unsigned long long)h->unattributed, (unsigned long long)epb);
	} else {
		if (hole)
			fprintf(l->out, "-- hole: %s .. %s (%.3f s) --\n", utc(l->prev_hi, b1),
				utc(lo, b2), (double)(lo - l->prev_hi) / 1e9);
		fprintf(l->out, "%s%s\n", path,
			!strcmp(index_state, "ok")	  ? ""
			: !strcmp(index_state, "rebuilt") ? " (read through, index stored)"
							  : " (read through, index not stored)");
		fprintf(l->out, "  span %s .. %s (%.3f s)\n", utc(h->span_start_ns, b1),
			utc(h->span_end_ns, b2), (double)(h->span_end_ns - h->span_start_ns) / 1e9);
		fprintf(l->out, "  %llu packets, %s .. %s, %llu bytes, %llu of no feed\n",
			(unsigned long long)h->packets,
			utc(h->packets > h->packets_nots ? h->first_ns : 0, b1),
			utc(h->packets > h->packets_nots ? h->last_ns : 0, b2),
			(unsigned long long)h->bytes_cap, (unsigned long long)h->unattributed);
	}
	list_ifaces(l, ix);
	if (l->o->json)
		fputs(",\"feeds\":[", l->out);
	for (k = 0; k < h->nfeeds; k++)
		list_feed(l, capindex_feed(ix, k), k > 0);
	if (l->o->json)
		fputs("]}", l->out);
	if (timed && (!l->prev_time || hi > l->prev_hi))
		l->prev_hi = hi;
	l->prev_time |= timed;
}

/* The index of path: trusted, or made by reading the file (and stored). */
static void list_file(struct dumplist *l, const char *path)
{
	char why[512], err[PATH_MAX + 256];
	struct capindex *ix = NULL;
	const char *state = "ok";
	uint8_t *buf = NULL;
	size_t len = 0;
	int r, lr;

	lr = capindex_load(path, &ix, why, sizeof(why));
	if (lr < 0) {
		r = capindex_build_read(path, &buf, &len, err, sizeof(err));
		if (r < 0) {
			list_error(l, path, err);
			return;
		}
		r = capindex_parse(buf, len, &ix, err, sizeof(err));
		if (r < 0) {
			free(buf);
			list_error(l, path, err);
			return;
		}
		/* Stored where it may be, as --index would; else only read. */
		r = capindex_store(path, buf, len);
		state = r < 0 ? "read" : "rebuilt";
		pr_warn("%s: %s%s%s; read the file, index %s%s", path,
			lr == -ENOENT ? "no index" : "index not trusted (",
			lr == -ENOENT ? "" : why, lr == -ENOENT ? "" : ")",
			r < 0 ? "not stored: " : "stored", r < 0 ? strerror(-r) : "");
		free(buf);
	}
	list_index(l, path, ix, state);
	capindex_free(ix);
}

static void list_archive(struct dumplist *l)
{
	char b1[40], b2[40];
	bool comma = false;
	unsigned int i;

	if (l->o->json) {
		fprintf(l->out, "\n],\n\"archive\":{\"files\":%llu,\"unreadable\":%llu,",
			(unsigned long long)l->files, (unsigned long long)l->unreadable);
		jtime(l->out, "start", l->first_ns);
		fputc(',', l->out);
		jtime(l->out, "end", l->last_ns);
		fprintf(l->out,
			",\"packets\":%llu,\"bytes\":%llu,\"epb_dropcount\":%llu,\"ifdrop\":%llu,"
			"\"osdrop\":%llu,\"isb_unknown\":%llu,\"holes\":%llu,\"hole_ns\":%llu,"
			"\"feeds_untracked\":%llu,\"feeds\":[",
			(unsigned long long)l->packets, (unsigned long long)l->bytes,
			(unsigned long long)l->dropcount, (unsigned long long)l->ifdrop,
			(unsigned long long)l->osdrop, (unsigned long long)l->isb_unknown,
			(unsigned long long)l->holes, (unsigned long long)l->hole_ns,
			(unsigned long long)l->feeds_untracked);
	} else {
		fprintf(l->out,
			"archive: %llu files, %llu not read, %s .. %s, %llu packets, %llu bytes\n",
			(unsigned long long)l->files, (unsigned long long)l->unreadable,
			utc(l->first_ns, b1), utc(l->last_ns, b2), (unsigned long long)l->packets,
			(unsigned long long)l->bytes);
		fprintf(l->out, "  drops: epb_dropcount %llu, ifdrop %llu, osdrop %llu",
			(unsigned long long)l->dropcount, (unsigned long long)l->ifdrop,
			(unsigned long long)l->osdrop);
		if (l->isb_unknown)
			fprintf(l->out, " (%llu interface(s) of files without known ISB increase)",
				(unsigned long long)l->isb_unknown);
		fprintf(l->out, "\n  holes: %llu (%.3f s)\n", (unsigned long long)l->holes,
			(double)l->hole_ns / 1e9);
	}
	for (i = 0; i < l->nfeeds; i++) {
		const struct feed_acc *a = &l->feeds[i];

		if (!a->listed)
			continue;
		if (l->o->json) {
			fprintf(l->out, "%s{\"name\":", comma ? "," : "");
			comma = true;
			json_out_str(l->out, a->name);
			fprintf(l->out, ",\"packets\":%llu,\"bytes\":%llu,",
				(unsigned long long)a->packets, (unsigned long long)a->bytes);
			jtime(l->out, "first", a->first_ns);
			fputc(',', l->out);
			jtime(l->out, "last", a->last_ns);
			if (a->seq_msg_packets)
				fprintf(l->out, ",\"seq_min\":%llu,\"seq_max\":%llu",
					(unsigned long long)a->seq_min,
					(unsigned long long)a->seq_max);
			else
				fputs(",\"seq_min\":null,\"seq_max\":null", l->out);
			fprintf(l->out,
				",\"gaps\":%llu,\"missing\":%llu,\"late\":%llu,\"gaps_across\":%"
				"llu,"
				"\"missing_across\":%llu}",
				(unsigned long long)a->gaps, (unsigned long long)a->missing,
				(unsigned long long)a->late, (unsigned long long)a->gaps_across,
				(unsigned long long)a->missing_across);
			continue;
		}
		fprintf(l->out, "  feed %s: %llu packets, %llu bytes, %s .. %s", a->name,
			(unsigned long long)a->packets, (unsigned long long)a->bytes,
			utc(a->first_ns, b1), utc(a->last_ns, b2));
		if (a->seq_msg_packets)
			fprintf(l->out,
				", seq min %llu max %llu, gaps in files %llu (%llu missing), "
				"across "
				"files %llu (%llu missing), late %llu",
				(unsigned long long)a->seq_min, (unsigned long long)a->seq_max,
				(unsigned long long)a->gaps, (unsigned long long)a->missing,
				(unsigned long long)a->gaps_across,
				(unsigned long long)a->missing_across, (unsigned long long)a->late);
		fputc('\n', l->out);
	}
	if (l->o->json)
		fputs("]}}\n", l->out);
}

int dumplist_command(char *const *paths, int n, const struct dumplist_opts *o, FILE *out)
{
	struct dumplist l = { .o = o, .out = out };
	char err[PATH_MAX + 256];
	size_t k;
	int i;

	if (o->json)
		fputs("{\"files\":[", out);
	for (i = 0; i < n; i++) {
		/* one argument's names at a time: a directory's at most */
		struct filelist fl = { 0 };

		if (filelist_add(&fl, paths[i], err, sizeof(err)) < 0)
			list_error(&l, paths[i], err);
		for (k = 0; k < fl.n; k++) {
			if (!strcmp(fl.path[k], "-"))
				list_error(&l, fl.path[k],
					   "standard input has no index: name the files");
			else
				list_file(&l, fl.path[k]);
		}
		filelist_free(&fl);
		fflush(out);
	}
	list_archive(&l);
	fflush(out);
	free(l.feeds);
	capindex_chain_ifaces_free(&l.ifs);
	return l.rc;
}
