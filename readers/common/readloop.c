// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "pcapng.h"
#include "pcapng_clock.h"
#include "pcapng_wirets.h"
#include "readloop.h"
#include "ringlist.h"

#define READLOOP_WAIT_MS     100
#define READLOOP_TICK_EVERY  256	  /* records between ticks while busy */
#define READLOOP_TICK_NS     10000000ull  /* and at least this often */
#define READLOOP_CHECK_NS    200000000ull /* how often idle rings' writers are looked at */
#define READLOOP_WIRE_IFACES 65536u	  /* if_ids counted (CAPFILE_IFACES_MAX) */
#define READLOOP_FRAME_MAX   (16u << 20)  /* CAPFILE_BLOCK_MAX: no frame is longer */

/* What the loop knows of an interface's stamps from the wire. */
struct readloop_wire_if {
	struct readloop_wire_counts c;
	bool seen;	 /* c counts something, or the interface has a kind */
	bool resolved;	 /* files: kind and tai_off taken from this file's IDB */
	uint8_t kind;	 /* enum wirets_kind the frames carry */
	int64_t tai_off; /* files: TAI - UTC from the IDB's clock option, s; 0 unknown */
};

struct readloop {
	struct readopt_input in;
	struct ringsrc *src;
	struct announce *ann;
	struct reader_status_archive archive; /* readloop_archive() */
	uint32_t if_base[RINGSRC_MAX];
	/* each ring's interfaces when if_base was numbered */
	uint32_t niface[RINGSRC_MAX];
	char ifname[RINGSRC_MAX][RING_MAX_IFACES][RING_IFNAME_LEN];
	/* each ring's writer state as last told (notice()) */
	enum ringlist_state told[RINGSRC_MAX];
	uint64_t next_check; /* CLOCK_MONOTONIC */
	uint64_t *skip;	     /* files: readloop_file_skip(), or NULL */
	/* by if_id; nwire entries allocated */
	struct readloop_wire_if *wire;
	uint32_t nwire;
	struct wirets w; /* the packet's decoded stamp (readloop_pkt.wire) */
	uint8_t *strip;	 /* room for a frame without its stamp (readloop_pkt.orig) */
	uint32_t strip_cap;
};

static void notice(const struct readloop *rl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line for the operator through in.notice, if the program gave one. */
static void notice(const struct readloop *rl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!rl->in.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rl->in.notice(line);
}

/*
 * Without --wait, a ring whose writer is not running and that holds
 * nothing more for this reader has nothing to read: say why and end
 * (-ESRCH), rather than wait in silence or end as if all went well.
 */
static int check_running(struct readloop *rl, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < ringsrc_count(rl->src); i++) {
		const struct ring_hdr *h = ringsrc_hdr(rl->src, i);
		struct ringlist_ring r;

		/* Just attached: mapped whole, file_size checked by the reader. */
		ringlist_inspect(h, ringsrc_reader(rl->src, i)->file_size, &r);
		rl->told[i] = r.state;
		if (r.state == RINGLIST_RUNNING ||
		    ringsrc_reader(rl->src, i)->pos < ring_load_acquire64(&h->tail))
			continue;
		ringlist_not_running(ringsrc_name(rl->src, i), ringsrc_path(rl->src, i), &r, 0, err,
				     errlen);
		snprintf(err + strlen(err), errlen - strlen(err),
			 ": nothing to read (--wait waits for it)");
		return -ESRCH;
	}
	return 0;
}

/* Wait (--wait) for every ring to be there with its writer running. */
static int wait_rings(struct readloop *rl, char *err, size_t errlen)
{
	const volatile sig_atomic_t *stop = readopt_signals();
	char path[4096];
	unsigned int i;
	int r;

	for (i = 0; i < rl->in.nrings; i++) {
		r = ring_file_resolve(rl->in.rings[i], path, sizeof(path));
		if (r < 0) {
			snprintf(err, errlen, "ring '%s': %s", rl->in.rings[i], strerror(-r));
			return r;
		}
		r = ringlist_wait(path, &(volatile sig_atomic_t){ 1 }, err, errlen);
		if (r == -EINTR) { /* not running yet: one line, then wait */
			notice(rl, "ring %s: waiting for capd to run it (%s)", rl->in.rings[i],
			       path);
			r = ringlist_wait(path, stop, err, errlen);
		}
		if (r == -EINTR) {
			snprintf(err, errlen, "ring %s: stopped while waiting for capd",
				 rl->in.rings[i]);
			r = -ESRCH; /* nothing read: capd did not run it */
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int open_rings(struct readloop *rl, char *err, size_t errlen)
{
	const struct readopt_input *in = &rl->in;
	uint32_t n = 0, k;
	unsigned int i;
	int r;

	if (in->wait) {
		r = wait_rings(rl, err, errlen);
		if (r < 0)
			return r;
	}
	r = ringsrc_open(&rl->src, in->rings, in->nrings, err, errlen);
	if (r == -ENOENT) {
		char path[4096];

		/* A ring given that is not there; else a member of a set, which
		 * err names already. */
		for (i = 0; i < in->nrings; i++)
			if (ring_file_resolve(in->rings[i], path, sizeof(path)) == 0 &&
			    access(path, F_OK) < 0)
				break;
		if (i < in->nrings)
			ringlist_not_running(in->rings[i], path, NULL, r, err, errlen);
		return -ESRCH;
	}
	if (r < 0)
		return r;
	if (in->back_secs > 0)
		r = ringsrc_seek(rl->src, RING_SEEK_TIME,
				 clock_ns(CLOCK_REALTIME) - (uint64_t)(in->back_secs * 1e9));
	else
		r = ringsrc_seek(rl->src, in->from, 0);
	if (r < 0) {
		snprintf(err, errlen, "seeking in the ring: %s", strerror(-r));
		return r;
	}
	for (i = 0; i < ringsrc_count(rl->src); i++) {
		const struct ring_stats *st = ringsrc_stats(rl->src, i);

		/* The rings of a set share ring 0's interface table: a set
		 * numbers its interfaces once, as one ring would. */
		if (ringsrc_set_first(rl->src, i) != i) {
			unsigned int f = ringsrc_set_first(rl->src, i);

			rl->if_base[i] = rl->if_base[f];
			rl->niface[i] = rl->niface[f];
			memcpy(rl->ifname[i], rl->ifname[f], sizeof(rl->ifname[i]));
			continue;
		}
		rl->if_base[i] = n;
		rl->niface[i] = st->niface < RING_MAX_IFACES ? st->niface : RING_MAX_IFACES;
		for (k = 0; k < rl->niface[i]; k++)
			memcpy(rl->ifname[i][k], st->ifaces[k].name, RING_IFNAME_LEN);
		n += st->niface ? st->niface : 1;
	}
	if (!in->wait)
		return check_running(rl, err, errlen);
	/* wait_rings() saw each writer run: nothing to tell about them yet. */
	for (i = 0; i < ringsrc_count(rl->src); i++)
		rl->told[i] = RINGLIST_RUNNING;
	return 0;
}

/*
 * Ring i is read from a new file (RING_EV_REPLACED).  Its packets keep
 * their interface numbers only if it captures the same interfaces, in the
 * same order: else this reader cannot go on without misnaming them.
 */
static int check_replaced(struct readloop *rl, unsigned int i, char *err, size_t errlen)
{
	const struct ring_stats *st = ringsrc_stats(rl->src, i);
	uint32_t k, n = st->niface < RING_MAX_IFACES ? st->niface : RING_MAX_IFACES;

	for (k = 0; k < n && n == rl->niface[i]; k++)
		if (memcmp(rl->ifname[i][k], st->ifaces[k].name, RING_IFNAME_LEN))
			break;
	if (n == rl->niface[i] && k == n)
		return 0;
	if (n != rl->niface[i])
		snprintf(err, errlen,
			 "%s: the ring was replaced by one that captures %u interfaces, not %u: "
			 "start the reader again to read it",
			 ringsrc_path(rl->src, i), n, rl->niface[i]);
	else
		snprintf(err, errlen,
			 "%s: the ring was replaced by one that captures other interfaces (%.*s "
			 "instead of %.*s): start the reader again to read it",
			 ringsrc_path(rl->src, i), RING_IFNAME_LEN, st->ifaces[k].name,
			 RING_IFNAME_LEN, rl->ifname[i][k]);
	return -ENODEV;
}

int readloop_open(struct readloop **ret, const struct readopt_input *in, char *err, size_t errlen)
{
	struct readloop *rl;
	int r = 0;

	*ret = NULL;
	rl = calloc(1, sizeof(*rl));
	if (!rl) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rl->in = *in;
	if (in->nfiles && !(rl->skip = calloc(in->nfiles, sizeof(*rl->skip)))) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		r = -ENOMEM;
	}
	if (!r && in->nrings)
		r = open_rings(rl, err, errlen);
	if (r < 0) {
		readloop_close(rl);
		return r;
	}
	*ret = rl;
	return 0;
}

struct ringsrc *readloop_rings(const struct readloop *rl)
{
	return rl->src;
}

int readloop_file_skip(struct readloop *rl, unsigned int i, uint64_t offset)
{
	if (i >= rl->in.nfiles || !rl->skip)
		return -EINVAL;
	rl->skip[i] = offset;
	return 0;
}

uint32_t readloop_if_base(const struct readloop *rl, unsigned int i)
{
	return i < RINGSRC_MAX ? rl->if_base[i] : 0;
}

int readloop_announce(struct readloop *rl, const char *program, int argc, char **argv, char *err,
		      size_t errlen)
{
	int r;

	if (!rl->src)
		return 0;
	r = announce_open(&rl->ann, rl->src, program, argc, argv, err, errlen);
	if (rl->archive.present)
		announce_archive(rl->ann, &rl->archive);
	return r;
}

void readloop_archive(struct readloop *rl, const struct reader_status_archive *ar)
{
	rl->archive = *ar;
	announce_archive(rl->ann, ar);
}

static const struct ring_feed *feed_of(const struct ringsrc *src, const struct ringsrc_rec *rec)
{
	const struct ring_feeds *rf = ringsrc_feeds(src, rec->ring);

	if (rec->feed == RING_FEED_NONE || rec->feed >= rf->nfeeds || rec->feed >= RING_MAX_FEEDS)
		return NULL;
	return &rf->feeds[rec->feed];
}

/*
 * Tell what became of the rings' writers since last told: a reader that
 * waits in silence looks like one that has nothing to read.
 */
static void check_writers(struct readloop *rl, bool now)
{
	uint64_t t = clock_ns(CLOCK_MONOTONIC), age;
	unsigned int i;
	char when[40];

	if (!now && t < rl->next_check)
		return;
	rl->next_check = t + READLOOP_CHECK_NS;
	for (i = 0; i < ringsrc_count(rl->src); i++) {
		const struct ring_hdr *h = ringsrc_hdr(rl->src, i);
		enum ringlist_state st = ringlist_hdr_state(h, &age);
		uint32_t pid = ring_load_relaxed32(&h->writer_pid);

		if (st == rl->told[i])
			continue;
		rl->told[i] = st;
		if (age != UINT64_MAX)
			clock_text_utc(clock_ns(CLOCK_REALTIME) - age, 3, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "?");
		if (st == RINGLIST_RUNNING)
			notice(rl, "ring %s: capd runs it again (pid %u)", ringsrc_name(rl->src, i),
			       pid);
		else if (st == RINGLIST_STOPPED)
			notice(rl, "ring %s: capd stopped at %s (pid %u): read to its end",
			       ringsrc_name(rl->src, i), when, pid);
		else if (st == RINGLIST_DEAD)
			notice(rl,
			       "ring %s: capd was killed or crashed (pid %u, last heartbeat %s): "
			       "read to its end; waiting for capd to come back (Ctrl-C to stop)",
			       ringsrc_name(rl->src, i), pid, when);
	}
}

/* The record of interface if_id, made on first use; NULL beyond the
 * interfaces counted or without memory (the packet keeps the host's time). */
static struct readloop_wire_if *wire_if(struct readloop *rl, uint32_t if_id)
{
	struct readloop_wire_if *n;
	uint32_t cap;

	if (if_id < rl->nwire)
		return &rl->wire[if_id];
	if (if_id >= READLOOP_WIRE_IFACES)
		return NULL;
	cap = rl->nwire ? rl->nwire : 8;
	while (cap <= if_id)
		cap *= 2;
	n = realloc(rl->wire, cap * sizeof(*n));
	if (!n)
		return NULL;
	memset(n + rl->nwire, 0, (cap - rl->nwire) * sizeof(*n));
	rl->wire = n;
	rl->nwire = cap;
	return &rl->wire[if_id];
}

/* Count the stamp decoded (rl->w) and say which time the packet has. */
static void wire_count(struct readloop_wire_if *wi, struct readloop_pkt *p)
{
	const struct wirets *w = p->wire;
	struct readloop_wire_counts *c = &wi->c;

	wi->seen = true;
	c->kind = w->kind;
	if (w->flags & WIRETS_F_DEGRADED)
		c->degraded++;
	if (w->flags & WIRETS_F_DUPLICATE)
		c->duplicate++;
	switch (w->status) {
	case WIRETS_OK:
		if (w->flags & WIRETS_F_TAI) /* wire_time() could not make it UTC */
			c->no_utc++;
		else
			c->ok++;
		break;
	case WIRETS_ABSENT:
		c->absent++;
		break;
	case WIRETS_TRUNCATED:
		c->truncated++;
		break;
	default:
		c->malformed++;
		break;
	}
}

/*
 * The wire time of w into p->ts, a TAI stamp made UTC with TAI - UTC off
 * seconds (w->ts_ns too, WIRETS_F_TAI cleared); with off 0 (not known) a
 * TAI stamp keeps its flag and the packet the host's time.
 */
static void wire_time(struct readloop_pkt *p, struct wirets *w, int64_t off)
{
	if (w->status != WIRETS_OK)
		return;
	if (w->flags & WIRETS_F_TAI) {
		if (!off)
			return;
		w->ts_ns -= (uint64_t)(off * 1000000000LL);
		w->flags &= (uint16_t)~WIRETS_F_TAI;
	}
	p->ts = w->ts_ns;
}

/* Whether a packet with stamp w gets p->orig, as readloop_pkt says. */
static bool wire_strips(const struct readloop *rl, const struct wirets *w)
{
	return w->status == WIRETS_OK &&
	       (rl->in.strip_wire || w->kind == WIRETS_ARISTA64 || w->kind == WIRETS_ARISTA48);
}

/* p->orig: the frame without its stamp, where readloop_pkt says. */
static void wire_strip(struct readloop *rl, struct readloop_pkt *p)
{
	const struct wirets *w = p->wire;

	if (!w || !w->cut_len || !wire_strips(rl, w))
		return;
	if (rl->strip_cap < p->caplen) {
		uint32_t cap = p->caplen < 2048 ? 2048 : p->caplen;
		uint8_t *n;

		if (p->caplen > READLOOP_FRAME_MAX || !(n = realloc(rl->strip, cap)))
			return; /* the frame as captured: the filter sees it so */
		rl->strip = n;
		rl->strip_cap = cap;
	}
	p->orig_wirelen = p->wirelen;
	p->orig_caplen = wirets_strip(w, p->data, p->caplen, rl->strip, &p->orig_wirelen);
	p->orig = rl->strip;
}

/* A ring's packet: decode the stamp of its interface's kind. */
static void wire_ring(struct readloop *rl, const struct ringsrc_rec *rec, struct readloop_pkt *p)
{
	const struct ring_stats *st = ringsrc_stats(rl->src, rec->ring);
	struct readloop_wire_if *wi;
	struct ring_clock c;
	int64_t off = 0;
	uint8_t kind;

	if (rec->iface >= st->niface || rec->iface >= RING_MAX_IFACES)
		return;
	kind = st->ifaces[rec->iface].wire_ts;
	if (kind == WIRETS_NONE || kind > WIRETS_KIND_MAX || !(wi = wire_if(rl, p->if_id)))
		return;
	wirets_decode(kind, p->data, p->caplen, p->wirelen, p->host_ts, &rl->w);
	p->wire = &rl->w;
	if (rl->w.status == WIRETS_OK && (rl->w.flags & WIRETS_F_TAI)) {
		ringsrc_clock(rl->src, rec->ring, &c);
		off = ring_clock_tai_offset(&c, rl->w.ts_ns);
	}
	wire_time(p, &rl->w, off);
	wi->kind = kind;
	wire_count(wi, p);
	wire_strip(rl, p);
}

/* The kind and TAI offset of file f's interface if_id: --wire-ts, else its IDB. */
static void wire_file_if(const struct readloop *rl, const struct capfile *f, uint32_t if_id,
			 struct readloop_wire_if *wi)
{
	const struct capfile_iface *ci = capfile_iface(f, if_id);
	enum wirets_kind kind = (enum wirets_kind)rl->in.wire_ts;
	const uint8_t *v = NULL;
	struct pcapng_clock clk;
	uint16_t n;

	wi->resolved = true;
	wi->tai_off = 0;
	if (!ci)
		return;
	if (!kind && pcapng_wirets_if_find(ci->opts, ci->optlen, &kind) < 0)
		kind = WIRETS_NONE;
	wi->kind = (uint8_t)kind;
	while ((v = pcapng_opts_custom(ci->opts, ci->optlen, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v,
				       &n)))
		if (pcapng_clock_decode(v, n, &clk) == 0) {
			wi->tai_off = (clk.time_flags & RING_TIME_UTC_OFF_VALID)
					      ? clk.utc_offset
					      : clk.kernel_tai_offset;
			break;
		}
}

/*
 * The option holds no cut: the frame has it where the stamp decodes again
 * to the time recorded (a stripped frame has none, a -r copy of a foreign
 * file no IDB that says the kind).
 */
static void wire_cut(struct readloop *rl, const struct readloop_pkt *p, int64_t tai_off)
{
	struct wirets d;

	if (rl->w.status != WIRETS_OK || (rl->w.flags & WIRETS_F_TAI))
		return;
	if (wirets_decode((enum wirets_kind)rl->w.kind, p->data, p->caplen, p->wirelen, p->host_ts,
			  &d) != WIRETS_OK)
		return;
	/* A TAI stamp was made UTC with the offset the IDB's clock option has. */
	if (d.flags & WIRETS_F_TAI) {
		if (!tai_off)
			return;
		d.ts_ns -= (uint64_t)(tai_off * 1000000000LL);
	}
	if (d.ts_ns == p->ts) {
		rl->w.cut_off = d.cut_off;
		rl->w.cut_len = d.cut_len;
	}
}

/*
 * A file's packet: the stamp as capdump recorded it (its EPB option), else
 * decoded from the frame if the interface has a kind.
 */
static void wire_file(struct readloop *rl, const struct capfile *f, const struct capfile_rec *rec,
		      struct readloop_pkt *p)
{
	struct readloop_wire_if *wi = wire_if(rl, p->if_id);
	uint64_t host;

	if (!wi)
		return;
	if (!wi->resolved)
		wire_file_if(rl, f, p->if_id, wi);
	if (rec->optlen && pcapng_wirets_find(rec->opts, rec->optlen, &rl->w, &host) == 0) {
		/* The EPB's time is the one chosen when it was written: the
		 * wire's when ok and made UTC (no WIRETS_F_TAI left). */
		rl->w.ts_ns = p->ts;
		p->host_ts = host;
		p->wire = &rl->w;
		if (rl->w.status != WIRETS_OK || (rl->w.flags & WIRETS_F_TAI))
			p->ts = host;
		wire_count(wi, p);
		/* Only p->orig needs the cut: decode the frame again for it alone. */
		if (wire_strips(rl, &rl->w))
			wire_cut(rl, p, wi->tai_off);
		wire_strip(rl, p);
		return;
	}
	if (!wi->kind || !rec->has_ts)
		return;
	wirets_decode((enum wirets_kind)wi->kind, p->data, p->caplen, p->wirelen, p->host_ts,
		      &rl->w);
	p->wire = &rl->w;
	wire_time(p, &rl->w, wi->tai_off);
	wire_count(wi, p);
	wire_strip(rl, p);
}

uint32_t readloop_wire_ifaces(const struct readloop *rl)
{
	uint32_t n = rl->nwire;

	while (n && !rl->wire[n - 1].seen)
		n--;
	return n;
}

const struct readloop_wire_counts *readloop_wire_counts(const struct readloop *rl, uint32_t if_id)
{
	return if_id < rl->nwire && rl->wire[if_id].seen ? &rl->wire[if_id].c : NULL;
}

static int run_rings(struct readloop *rl, const struct readloop_ops *ops, void *ctx,
		     const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	uint64_t delivered = 0, last_tick = 0;
	int r = 0;

	while (!readloop_stopped(stop)) {
		struct ringsrc_rec rec;
		bool idle;

		r = ringsrc_next(rl->src, &rec, READLOOP_WAIT_MS);
		announce_update(rl->ann, r == 0);
		if (r == 0)
			check_writers(rl, false);
		if (r == -EPIPE) {
			check_writers(rl, true);
			return 0;
		}
		if (r < 0) {
			snprintf(err, errlen, "reading the ring: %s",
				 *ringsrc_error(rl->src) ? ringsrc_error(rl->src) : strerror(-r));
			return r;
		}
		idle = r == 0;
		if (!idle && (rec.events & RING_EV_REPLACED)) {
			r = check_replaced(rl, rec.ring, err, errlen);
			if (r < 0)
				return r;
		}
		if (!idle) {
			struct readloop_pkt p = {
				.ts = rec.ts_utc,
				.host_ts = rec.ts_utc,
				.data = rec.data,
				.caplen = rec.caplen,
				.wirelen = rec.wirelen,
				.orig = rec.data,
				.orig_caplen = rec.caplen,
				.orig_wirelen = rec.wirelen,
				.if_id = readloop_if_base(rl, rec.ring) + rec.iface,
				.queue = rec.queue,
				.lost = rec.lost,
				.feed = feed_of(rl->src, &rec),
				.rec = &rec,
			};

			wire_ring(rl, &rec, &p);

			r = ops->packet(ctx, &p);
			if (r != 0)
				return r;
			delivered++;
		}
		/* The coarse clock (a few ms) is cheap enough for every record. */
		if (ops->tick && !idle && delivered % READLOOP_TICK_EVERY &&
		    clock_ns(CLOCK_REALTIME_COARSE) - last_tick < READLOOP_TICK_NS)
			continue;
		if (ops->tick) {
			last_tick = clock_ns(CLOCK_REALTIME_COARSE);
			r = ops->tick(ctx, clock_ns(CLOCK_REALTIME), idle);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

static int open_file(const char *path, struct capfile **f, char *err, size_t errlen)
{
	int r = capfile_open(path, f);

	if (r == -EINVAL)
		snprintf(err, errlen, "%s: not a pcapng, pcap or zstd capture file (%s)", path,
			 capfile_error(NULL));
	else if (r < 0)
		snprintf(err, errlen, "%s", capfile_error(NULL));
	return r;
}

static int run_file(struct readloop *rl, struct capfile *f, const struct readloop_ops *ops,
		    void *ctx, const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct capfile_rec rec;
	uint32_t i;
	int r = 0;

	/* Interfaces are numbered per file: each file says its own kinds. */
	for (i = 0; i < rl->nwire; i++)
		rl->wire[i].resolved = false;

	if (ops->block)
		capfile_carry(f, true);
	if (ops->file && (r = ops->file(ctx, f, false)) != 0)
		return r;
	while (!readloop_stopped(stop)) {
		r = capfile_next(f, &rec);
		if (r <= 0)
			break;
		if (r == 2) { /* a block to carry */
			r = ops->block(ctx, f, &rec);
			if (r != 0)
				return r;
			continue;
		}
		struct readloop_pkt p = {
			.ts = rec.ts_ns,
			.host_ts = rec.ts_ns,
			.data = rec.data,
			.caplen = rec.caplen,
			.wirelen = rec.wirelen,
			.orig = rec.data,
			.orig_caplen = rec.caplen,
			.orig_wirelen = rec.wirelen,
			.if_id = rec.if_id,
			.queue = READLOOP_NO_QUEUE,
			.epb_flags = rec.epb_flags,
			.lost = rec.dropcount,
			.file = f,
			.frec = &rec,
		};

		wire_file(rl, f, &rec, &p);
		r = ops->packet(ctx, &p);
		if (r != 0)
			return r;
	}
	if (r < 0)
		snprintf(err, errlen, "%s", capfile_error(f));
	/* What the file described up to its end or its damage is written too. */
	if (ops->file) {
		int e = ops->file(ctx, f, true);

		if (e != 0 && r >= 0)
			return e;
	}
	return r < 0 ? r : 0;
}

int readloop_run(struct readloop *rl, const struct readloop_ops *ops, void *ctx,
		 const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	unsigned int i;
	int r = 0;

	err[0] = '\0';
	if (rl->src)
		return run_rings(rl, ops, ctx, stop, err, errlen);
	for (i = 0; i < rl->in.nfiles && !readloop_stopped(stop) && r == 0; i++) {
		struct capfile *f;

		r = open_file(rl->in.files[i], &f, err, errlen);
		if (r < 0)
			return r;
		if (rl->skip[i])
			capfile_skip_packets_before(f, rl->skip[i]);
		r = run_file(rl, f, ops, ctx, stop, err, errlen);
		capfile_close(f);
	}
	return r;
}

void readloop_close(struct readloop *rl)
{
	if (!rl)
		return;
	announce_close(rl->ann);
	ringsrc_close(rl->src);
	free(rl->skip);
	free(rl->wire);
	free(rl->strip);
	free(rl);
}
