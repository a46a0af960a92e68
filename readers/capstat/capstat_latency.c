// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_latency.c - capstat's two capture points: which packets are
 * point A and which point B, the second input read alongside the first,
 * the clock of each point, and the matcher (latency.h) fed in packet-time
 * order.
 *
 * The second input (--latency-to) runs its own reader loop in a thread of
 * its own, so that a ring it reads is drained as any reader drains it; the
 * thread decodes and passes compact entries through a bounded queue.  The
 * main thread, before it handles a packet of the first input stamped t,
 * takes the second input's entries up to t, waiting for them when the
 * queue is empty and the second input has not yet shown it is past t (its
 * packets, or live its idle ticks): the two inputs are merged by time
 * whatever their speeds, and a full queue holds the second input back.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capstat_latency.h"
#include "clock_ns.h"
#include "filter.h"
#include "frame.h"
#include "pcapng.h"
#include "pcapng_clock.h"
#include "readloop.h"

#define QUEUE_LEN 65536u /* entries between the second input and the matcher */
/*
 * Live, an idle ring says its next record is stamped after its tick's
 * time less this: above capd's batching delay, so the first input seldom
 * waits for nothing (a packet merged late is still matched: only its
 * order in time is off, far less than ABARB_HOLD_NS).
 */
#define IDLE_MARGIN_NS 20000000ull
#define WAIT_NS	       50000 /* between looks at an empty queue, after */
#define SPINS_BUSY     16    /* ... this many short busy waits, then */
#define SPINS	       64    /* ... this many sched_yield()s */
#define PUBLISH_EVERY  1024u
#define HEAD_BATCH     256 /* entries taken before the producer is told */

struct lat_entry {
	uint64_t ts, seq;
	uint32_t count, flags;
	uint16_t feed; /* index into the second input's feeds */
	uint8_t session_len;
	uint8_t session[SEQDEC_SESSION_MAX];
};

struct capstat_latency {
	struct latency m;
	struct capstat_latency_point pt[2];
	bool ifaces; /* --latency-ifaces: one input, two interfaces */
	char ifname[2][64];
	enum latency_point cur; /* point of the packet being handled */
	bool cur_valid;

	/* --latency-to */
	struct capstat *csb; /* the second input's feeds (naming, decoders) */
	struct filter *fltb;
	struct readopt_input in; /* the second input; the loop keeps using it */
	struct readloop *rlb;
	pthread_t th;
	bool th_started;
	struct lat_entry *q;
	/* The queue's ends, each on a cache line of its own with what its
	 * side keeps of the other end (the other side's line read only when
	 * what it kept says empty or full). */
	struct {
		uint64_t head; /* atomic: next entry to take */
		uint64_t tail_seen;
		uint64_t b_ts; /* the time of the last entry taken */
	} __attribute__((aligned(64))) c;
	struct {
		uint64_t tail; /* atomic: next entry to fill */
		uint64_t head_seen;
		uint64_t wm; /* atomic: the second input is past this time */
		int done;    /* atomic: its loop has ended */
	} __attribute__((aligned(64))) p;
	int rc;	       /* its loop's result, once done */
	char err[512]; /* ... and the line that goes with it */
	volatile sig_atomic_t stopb;
	/* The second input's point as its thread counts it, copied to pt[B]
	 * under lock every PUBLISH_EVERY packets, on its ticks and at its end. */
	struct capstat_latency_point ptb;
	uint64_t ptb_unpublished;
	pthread_mutex_t lock; /* pt[LATENCY_B] with --latency-to */
	bool lock_init;
	const volatile sig_atomic_t *stop; /* the program's */
	int lat_of_b[CAPSTAT_MAX_FEEDS];   /* latency feed + 1, of csb's feeds */
	const struct ringsrc *src;	   /* the first input's rings, while open */
	uint64_t a_last;		   /* the first input's latest packet time */
	bool final;			   /* the input has ended: verdict is final */
	enum capstat_latency_clock verdict;
};

int capstat_latency_opt(struct capstat_opts *o, int which, char *arg)
{
	const char *eq;

	if (which == CAPSTAT_LATENCY_TO) {
		if (!arg[0])
			return -EINVAL;
		o->latency_to = arg;
		return 0;
	}
	eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1] || strchr(eq + 1, '=') || (size_t)(eq - arg) >= 64 ||
	    strlen(eq + 1) >= 64)
		return -EINVAL;
	o->latency_ifaces = arg;
	return 0;
}

/* The clock option of a file's interface (its IDB), if it has one. */
static bool file_clock(const struct capfile_iface *ci, struct pcapng_clock *c)
{
	const uint8_t *p = ci->opts, *end = ci->opts + ci->optlen;

	while (p && end - p >= 4) {
		uint16_t code, len;

		memcpy(&code, p, 2);
		memcpy(&len, p + 2, 2);
		if ((size_t)(end - p - 4) < len)
			break;
		if (code == PCAPNG_OPT_CUSTOM_BIN && len >= 4 + sizeof(*c)) {
			uint32_t pen;

			memcpy(&pen, p + 4, 4);
			if (pen == PCAPNG_PEN && !pcapng_clock_decode(p + 8, len - 4u, c))
				return true;
		}
		p += 4 + ((len + 3u) & ~3u);
	}
	return false;
}

/* What a packet says of the clock of its point. */
static void point_clock(struct capstat_latency_point *pt, const struct readloop_pkt *p)
{
	pt->records++;
	if (p->rec) {
		pt->rings = true;
		if (p->rec->flags & RING_REC_F_UNSYNCED)
			pt->unsynced++;
		if (!pt->seen) {
			pt->ts_source = p->rec->ts_source;
			pt->ring = p->rec->ring;
		} else if (pt->ts_source != p->rec->ts_source) {
			pt->mixed = true;
		}
		pt->seen = true;
		return;
	}
	if (p->file && p->frec) {
		/* The option is read once per interface of a file. */
		if (p->file != pt->last_file || p->if_id != pt->last_if) {
			const struct capfile_iface *ci = capfile_iface(p->file, p->if_id);
			struct pcapng_clock c;

			pt->last_file = p->file;
			pt->last_if = p->if_id;
			pt->last_state = 0;
			if (ci && file_clock(ci, &c)) {
				pt->last_state = c.synced ? 1 : 2;
				pt->last_source = c.ts_source;
			}
		}
		if (!pt->last_state) {
			pt->no_clock++;
			return;
		}
		if (pt->last_state == 2)
			pt->unsynced++;
		if (!pt->seen)
			pt->ts_source = pt->last_source;
		else if (pt->ts_source != pt->last_source)
			pt->mixed = true;
		pt->seen = true;
	}
}

/* ---- the second input, in its own thread ---- */

struct b_ctx {
	struct capstat_latency *cl;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Wait a little: spin first (the other side is likely running on the other
 * core and a queue entry is a few hundred ns away), then yield, then sleep.
 */
static void wait_a_bit(unsigned int *spins)
{
	unsigned int i;

	if (++*spins < SPINS_BUSY) {
		for (i = 0; i < 64; i++)
			cpu_relax();
	} else if (*spins < SPINS_BUSY + SPINS)
		sched_yield();
	else
		nanosleep(&(struct timespec){ .tv_nsec = WAIT_NS }, NULL);
}

static void push(struct capstat_latency *cl, const struct lat_entry *e)
{
	uint64_t tail = cl->p.tail;
	unsigned int spins = 0;

	while (tail - cl->p.head_seen >= QUEUE_LEN) {
		cl->p.head_seen = __atomic_load_n(&cl->c.head, __ATOMIC_ACQUIRE);
		if (tail - cl->p.head_seen < QUEUE_LEN)
			break;
		if (readloop_stopped(&cl->stopb))
			return;
		wait_a_bit(&spins);
	}
	cl->q[tail % QUEUE_LEN] = *e;
	__atomic_store_n(&cl->p.tail, tail + 1, __ATOMIC_RELEASE);
}

static void publish(struct capstat_latency *cl)
{
	pthread_mutex_lock(&cl->lock);
	cl->pt[LATENCY_B] = cl->ptb;
	pthread_mutex_unlock(&cl->lock);
	cl->ptb_unpublished = 0;
}

static uint32_t udp_len(const uint8_t *p, const struct frame_info *fi)
{
	uint32_t ulen = (uint32_t)p[fi->l4_off + 4] << 8 | p[fi->l4_off + 5];

	return ulen >= 8 && ulen - 8 < fi->payload_len ? ulen - 8 : fi->payload_len;
}

static int b_packet(void *ctx, const struct readloop_pkt *p)
{
	struct capstat_latency *cl = ctx;
	struct capstat *csb = cl->csb;
	struct capstat_latency_point *pt = &cl->ptb;
	struct capstat_feed *f;
	struct frame_info fi;
	struct seqdec_msg m;
	struct lat_entry e;
	unsigned int i;

	point_clock(pt, p);
	pt->lost += p->lost;
	if (++cl->ptb_unpublished == PUBLISH_EVERY)
		publish(cl);
	if (!filter_match(cl->fltb, p->data, p->caplen, p->wirelen) ||
	    frame_decode(p->data, p->caplen, &fi) < 0 || fi.proto != 17 || !fi.payload_off)
		goto no_entry;
	f = capstat_feed_get(csb, fi.family, fi.dst, fi.dport, p->feed, p->file);
	if (!f || !f->has_dec ||
	    seqdec_decode(&f->dec, p->data + fi.payload_off, udp_len(p->data, &fi), &m) !=
		    SEQDEC_OK)
		goto no_entry;
	for (i = 0; i < csb->nfeeds && csb->feeds[i] != f; i++)
		;
	e = (struct lat_entry){ .ts = p->ts,
				.seq = m.seq,
				.count = m.count,
				.flags = m.flags,
				.feed = (uint16_t)i,
				.session_len = m.session_len };
	memcpy(e.session, m.session, sizeof(e.session));
	push(cl, &e);
	return readloop_stopped(&cl->stopb) ? 1 : 0;
no_entry:
	/* No entry says how far this input is: the mark does. */
	__atomic_store_n(&cl->p.wm, p->ts, __ATOMIC_RELEASE);
	return readloop_stopped(&cl->stopb) ? 1 : 0;
}

static int b_tick(void *ctx, uint64_t now, bool idle)
{
	struct capstat_latency *cl = ctx;

	publish(cl);
	if (idle && now > IDLE_MARGIN_NS)
		__atomic_store_n(&cl->p.wm, now - IDLE_MARGIN_NS, __ATOMIC_RELEASE);
	return readloop_stopped(&cl->stopb) ? 1 : 0;
}

static int b_file(void *ctx, const struct capfile *f, bool end)
{
	struct capstat_latency *cl = ctx;

	(void)f;
	(void)end;
	cl->ptb.last_file = NULL;
	return 0;
}

static void *b_thread(void *arg)
{
	static const struct readloop_ops ops = { .packet = b_packet,
						 .tick = b_tick,
						 .file = b_file };
	struct capstat_latency *cl = arg;
	int r;

	r = readloop_run(cl->rlb, &ops, cl, &cl->stopb, cl->err, sizeof(cl->err));
	publish(cl);
	cl->rc = r;
	__atomic_store_n(&cl->p.done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int capstat_latency_open(struct capstat *cs, int argc, char **argv, char *err, size_t errlen)
{
	struct capstat_latency *cl;
	char e2[512];
	unsigned int i;
	int r;

	if (!cs->o.latency_to && !cs->o.latency_ifaces)
		return 0;
	snprintf(err, errlen, "latency: out of memory");
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	err[0] = '\0';
	cs->lat = cl;
	if (cs->o.latency_ifaces) {
		const char *eq = strchr(cs->o.latency_ifaces, '=');

		cl->ifaces = true;
		snprintf(cl->ifname[0], sizeof(cl->ifname[0]), "%.*s",
			 (int)(eq - cs->o.latency_ifaces), cs->o.latency_ifaces);
		snprintf(cl->ifname[1], sizeof(cl->ifname[1]), "%s", eq + 1);
		return 0;
	}
	/* The second input: as -i or -r takes it, from where the first starts. */
	cl->in.from = cs->o.in.from;
	cl->in.from_set = cs->o.in.from_set;
	cl->in.back_secs = cs->o.in.back_secs;
	cl->in.wait = cs->o.in.wait;
	r = readopt_input_take(&cl->in, cs->o.in.nrings ? 'i' : 'r', cs->o.latency_to);
	if (r > 0)
		r = readopt_input_check(&cl->in, e2, sizeof(e2));
	else
		snprintf(e2, sizeof(e2), "not an input");
	if (r < 0) {
		snprintf(err, errlen, "--latency-to %s: %s", cs->o.latency_to, e2);
		return r < 0 ? r : -EINVAL;
	}
	/* Files are opened as they are read: a missing one is said now, before
	 * any output, rather than at the end. */
	for (i = 0; i < cl->in.nfiles; i++) {
		if (!strcmp(cl->in.files[i], "-")) {
			snprintf(err, errlen, "--latency-to: standard input cannot be point B");
			return -EINVAL;
		}
		if (access(cl->in.files[i], R_OK) < 0) {
			r = -errno;
			snprintf(err, errlen, "--latency-to: %s: %s", cl->in.files[i],
				 strerror(-r));
			return r;
		}
	}
	cl->csb = calloc(1, sizeof(*cl->csb));
	cl->q = calloc(QUEUE_LEN, sizeof(*cl->q));
	if (!cl->csb || !cl->q) {
		snprintf(err, errlen, "latency: out of memory");
		return -ENOMEM;
	}
	memcpy(cl->csb->o.protos, cs->o.protos, sizeof(cs->o.protos));
	cl->csb->o.nprotos = cs->o.nprotos;
	r = filter_open(cs->o.expr, 1 /* Ethernet */, 65535, &cl->fltb, e2, sizeof(e2));
	if (r < 0) {
		snprintf(err, errlen, "%s", e2);
		return r;
	}
	r = readloop_open(&cl->rlb, &cl->in, e2, sizeof(e2));
	if (r < 0) {
		snprintf(err, errlen, "--latency-to: %s", e2);
		return r;
	}
	if (readloop_announce(cl->rlb, "capstat", argc, argv, e2, sizeof(e2)) < 0)
		snprintf(err, errlen, "%s", e2); /* a warning only */
	pthread_mutex_init(&cl->lock, NULL);
	cl->lock_init = true;
	r = -pthread_create(&cl->th, NULL, b_thread, cl);
	if (r < 0) {
		snprintf(err, errlen, "--latency-to: thread: %s", strerror(-r));
		return r;
	}
	cl->th_started = true;
	return 0;
}

/* The latency feed of feed f of a point; -errno if none. */
static int lat_feed(struct capstat_latency *cl, int *cache, const struct capstat_feed *f)
{
	int r;

	if (*cache)
		return *cache - 1;
	r = latency_feed(&cl->m, f->base[0] ? f->name : "", f->addr);
	if (r >= 0)
		*cache = r + 1;
	return r;
}

/* Take the second input's entries stamped up to t, waiting as needed. */
static void pump(struct capstat *cs, uint64_t t, bool wait, bool after_end)
{
	struct capstat_latency *cl = cs->lat;
	unsigned int spins = 0;

	for (;;) {
		if (cl->c.head == cl->c.tail_seen) {
			/* Let the second input see the room made, then look again. */
			__atomic_store_n(&cl->c.head, cl->c.head, __ATOMIC_RELEASE);
			cl->c.tail_seen = __atomic_load_n(&cl->p.tail, __ATOMIC_ACQUIRE);
		}
		if (cl->c.head != cl->c.tail_seen) {
			const struct lat_entry *e = &cl->q[cl->c.head % QUEUE_LEN];
			struct capstat_feed *f;
			struct seqdec_msg m;

			if (e->ts > t)
				return;
			memset(&m, 0, sizeof(m));
			m.seq = e->seq;
			m.count = e->count;
			m.flags = e->flags;
			m.session_len = e->session_len;
			memcpy(m.session, e->session, sizeof(m.session));
			f = e->feed < CAPSTAT_MAX_FEEDS ? cl->csb->feeds[e->feed] : NULL;
			if (after_end && e->ts > cl->a_last)
				latency_add_after_end(&cl->m,
						      f ? lat_feed(cl, &cl->lat_of_b[e->feed], f)
							: -ENOENT,
						      LATENCY_B, &m, e->ts);
			else
				latency_add(&cl->m,
					    f ? lat_feed(cl, &cl->lat_of_b[e->feed], f) : -ENOENT,
					    LATENCY_B, &m, e->ts);
			latency_expire(&cl->m, e->ts);
			cl->c.b_ts = e->ts;
			/* A slot is free once head has passed it: published in
			 * batches, and whenever the queue looks empty. */
			if (++cl->c.head % HEAD_BATCH == 0)
				__atomic_store_n(&cl->c.head, cl->c.head, __ATOMIC_RELEASE);
			spins = 0;
			continue;
		}
		if (!wait || cl->c.b_ts >= t || __atomic_load_n(&cl->p.done, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&cl->p.wm, __ATOMIC_ACQUIRE) >= t || *cl->stop)
			return;
		wait_a_bit(&spins);
	}
}

/* The point of a packet of the one input: its interface's name or number. */
static bool iface_point(struct capstat_latency *cl, struct readloop_pkt const *p,
			const struct ringsrc *src, enum latency_point *pt)
{
	const char *name = "";
	char num[16];
	int k;

	if (p->rec && src) {
		const struct ring_stats *st =
			ringsrc_stats(src, ringsrc_set_first(src, p->rec->ring));

		if (st && p->rec->iface < RING_MAX_IFACES && p->rec->iface < st->niface)
			name = st->ifaces[p->rec->iface].name;
	} else if (p->file) {
		const struct capfile_iface *ci = capfile_iface(p->file, p->if_id);

		name = ci ? ci->name : "";
	}
	snprintf(num, sizeof(num), "%u", p->if_id);
	for (k = 0; k < 2; k++)
		if (!strcmp(cl->ifname[k], num) || (name[0] && !strcmp(cl->ifname[k], name))) {
			*pt = (enum latency_point)k;
			return true;
		}
	return false;
}

void capstat_latency_packet(struct capstat *cs, const struct readloop_pkt *p,
			    const struct ringsrc *src, const volatile sig_atomic_t *stop)
{
	struct capstat_latency *cl = cs->lat;

	cl->stop = stop;
	cl->src = src;
	cl->cur_valid = false;
	if (cl->ifaces) {
		if (!iface_point(cl, p, src, &cl->cur))
			return;
	} else {
		pump(cs, p->ts, true, false);
		cl->cur = LATENCY_A;
		if (p->ts > cl->a_last)
			cl->a_last = p->ts;
	}
	cl->cur_valid = true;
	point_clock(&cl->pt[cl->cur], p);
	cl->pt[cl->cur].lost += p->lost;
	latency_expire(&cl->m, p->ts);
}

void capstat_latency_file(struct capstat *cs)
{
	cs->lat->pt[LATENCY_A].last_file = NULL;
	if (cs->lat->ifaces)
		cs->lat->pt[LATENCY_B].last_file = NULL;
}

void capstat_latency_msg(struct capstat *cs, struct capstat_feed *f, const struct seqdec_msg *m,
			 uint64_t ts)
{
	struct capstat_latency *cl = cs->lat;

	if (!cl->cur_valid)
		return;
	latency_add(&cl->m, lat_feed(cl, &f->lat, f), cl->cur, m, ts);
}

void capstat_latency_tick(struct capstat *cs, uint64_t now, const volatile sig_atomic_t *stop)
{
	struct capstat_latency *cl = cs->lat;

	cl->stop = stop;
	if (now <= IDLE_MARGIN_NS)
		return;
	if (!cl->ifaces)
		pump(cs, now - IDLE_MARGIN_NS, false, false);
	latency_expire(&cl->m, now - IDLE_MARGIN_NS);
}

int capstat_latency_end(struct capstat *cs, bool complete, const volatile sig_atomic_t *stop,
			char *err, size_t errlen)
{
	struct capstat_latency *cl = cs->lat;
	int r = 0;

	if (!cl)
		return 0;
	cl->stop = stop;
	if (cl->th_started) {
		/*
		 * Read to its end, the first input: the second is read to its
		 * end too.  Stopped (signal, -c): of what the second input has
		 * read, the packets stamped after the first one's last are taken
		 * only to complete messages the first one saw.
		 */
		if (complete)
			pump(cs, UINT64_MAX, true, false);
		__atomic_store_n(&cl->stopb, 1, __ATOMIC_RELAXED);
		while (!__atomic_load_n(&cl->p.done, __ATOMIC_ACQUIRE)) {
			pump(cs, UINT64_MAX, false, !complete);
			nanosleep(&(struct timespec){ .tv_nsec = WAIT_NS }, NULL);
		}
		pthread_join(cl->th, NULL);
		cl->th_started = false;
		pump(cs, UINT64_MAX, false, !complete);
		if (cl->rc < 0 && cl->err[0]) {
			snprintf(err, errlen, "--latency-to: %s", cl->err);
			r = cl->rc;
		}
	}
	latency_finish(&cl->m);
	cl->verdict = capstat_latency_verdict(cs);
	cl->final = true;
	cl->src = NULL;
	return r;
}

void capstat_latency_close(struct capstat *cs)
{
	struct capstat_latency *cl = cs->lat;

	if (!cl)
		return;
	if (cl->th_started) {
		__atomic_store_n(&cl->stopb, 1, __ATOMIC_RELAXED);
		pthread_join(cl->th, NULL);
	}
	readloop_close(cl->rlb);
	readopt_input_free(&cl->in);
	filter_close(cl->fltb);
	if (cl->csb) {
		capstat_feeds_free(cl->csb);
		free(cl->csb);
	}
	free(cl->q);
	if (cl->lock_init)
		pthread_mutex_destroy(&cl->lock);
	latency_free(&cl->m);
	free(cl);
	cs->lat = NULL;
}

const struct latency *capstat_latency_matcher(const struct capstat *cs)
{
	return cs->lat ? &cs->lat->m : NULL;
}

/* A point's clock: a host clock (kernel or capd TAI), or PHC n (-1 unknown). */
static int point_phc(const struct capstat_latency_point *pt, const struct ringsrc *src)
{
	struct ring_clock c;

	if (!src || pt->ts_source != RING_TS_PHC)
		return -1;
	ringsrc_clock(src, pt->ring, &c);
	return c.phc_index;
}

/*
 * The clock verdict of both points (docs/latency.md).  Same clock: both
 * points from rings, which are on this host, stamped by the host's clock
 * (kernel or capd TAI) or by one PHC; or two interfaces of one file
 * stamped by the host's clock.  Else synced when every packet of both
 * points was stamped synced; unsynced when one was not; unknown when a
 * point says nothing of its clock.
 */
enum capstat_latency_clock capstat_latency_verdict(const struct capstat *cs)
{
	const struct capstat_latency *cl = cs->lat;
	struct capstat_latency_point pt[2];
	const struct capstat_latency_point *a = &pt[0], *b = &pt[1];
	const struct ringsrc *sb;
	bool one, host;

	if (cl->final)
		return cl->verdict;
	capstat_latency_points(cs, pt);
	one = a->seen && b->seen && !a->mixed && !b->mixed && a->ts_source == b->ts_source;
	host = one && (a->ts_source == RING_TS_KERNEL_TAI || a->ts_source == RING_TS_USER_TAI);
	sb = cl->ifaces ? cl->src : cl->rlb ? readloop_rings(cl->rlb) : NULL;
	if (host && a->rings && b->rings)
		return CAPSTAT_LATENCY_SAME_CLOCK;
	if (host && cl->ifaces && !a->rings && !b->rings)
		return CAPSTAT_LATENCY_SAME_CLOCK;
	if (one && a->rings && b->rings && point_phc(a, cl->src) >= 0 &&
	    point_phc(a, cl->src) == point_phc(b, sb))
		return CAPSTAT_LATENCY_SAME_CLOCK;
	if (a->unsynced || b->unsynced)
		return CAPSTAT_LATENCY_UNSYNCED;
	if (!a->seen || !b->seen || a->no_clock || b->no_clock)
		return CAPSTAT_LATENCY_UNKNOWN;
	return CAPSTAT_LATENCY_SYNCED;
}

const char *capstat_latency_clock_name(enum capstat_latency_clock c)
{
	static const char *const name[] = { "unknown", "synced", "same-clock", "unsynced" };

	return (unsigned int)c < 4 ? name[c] : "unknown";
}

void capstat_latency_interval(struct capstat *cs)
{
	latency_interval(&cs->lat->m);
}

void capstat_latency_points(const struct capstat *cs, struct capstat_latency_point *pt)
{
	struct capstat_latency *cl = cs->lat;

	if (cl->lock_init)
		pthread_mutex_lock(&cl->lock);
	memcpy(pt, cl->pt, sizeof(cl->pt));
	if (cl->lock_init)
		pthread_mutex_unlock(&cl->lock);
}
