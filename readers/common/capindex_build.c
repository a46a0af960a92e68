// SPDX-License-Identifier: BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capfile.h"
#include "capindex_build.h"
#include "ring_feed.h"
#include "frame.h"
#include "pcapng.h"
#include "seqdec_mold.h"

/* Per feed, beyond its record: the sequence state. */
struct feed_state {
	bool has_proto, have_seq;
	bool mold_next_ok; /* MoldUDP64, in order so far: mold_next is set */
	struct seqdec dec;
	uint64_t expected;		     /* the next message number */
	uint8_t mold_next[SEQDEC_MOLD_NEXT]; /* seqdec_mold_next()'s */
};

/*
 * A destination's feed, remembered: ring_feed_match() walks the whole
 * table, and every packet of a busy feed asks again for the same answer.
 * Direct-mapped by one word of family, port and address (an IPv6
 * address's last four bytes, the rest compared beside); cleared when the
 * table changes.
 */
#define FEED_CACHE 64 /* 1 << (64 - 58): the hash below */
struct feed_hit {
	uint64_t key;	  /* dest_key(); 0: empty */
	uint8_t addr[16]; /* IPv6 */
	/* the feed's record and state; NULL: no feed */
	struct capindex_feed *f;
	struct feed_state *s;
};

struct capindex_build {
	struct capindex_hdr h;
	struct feed_hit hit[FEED_CACHE];
	struct ring_feed defs[CAPINDEX_FEEDS_MAX];
	struct capindex_feed feeds[CAPINDEX_FEEDS_MAX];
	struct feed_state fs[CAPINDEX_FEEDS_MAX];
	/* a packet's frame and messages: here, not on the stack of every packet */
	struct frame_info fi;
	struct seqdec_msg msg;
	struct capindex_iface *ifs;
	uint32_t ifs_cap;
	struct capindex_pos *pos;
	uint32_t pos_cap;
	uint64_t slot;		 /* pos_ns slot of the last entry */
	uint64_t slot_end;	 /* where the next slot starts: no division a packet */
	uint64_t pos_next;	 /* the last entry's offset + pos_bytes; 0 before the first */
	uint64_t first_ns;	 /* the lowest timestamp so far, UINT64_MAX before one */
	bool has_start, has_end; /* an ISB had isb_starttime, isb_endtime */
	uint64_t start_ns, end_ns;
};

int capindex_build_new(struct capindex_build **b)
{
	*b = calloc(1, sizeof(**b));
	return *b ? 0 : -ENOMEM;
}

void capindex_build_free(struct capindex_build *b)
{
	if (!b)
		return;
	free(b->ifs);
	free(b->pos);
	free(b);
}

/* The decoder of a feed's protocol, from the feed table (capd.conf's feeds[].proto). */
bool capindex_build_feed_proto(const struct ring_feed *f, struct seqdec *d)
{
	return ring_feed_seqdec(f, d) == 0;
}

static uint8_t proto_code(const struct seqdec *d)
{
	switch (d->proto) {
	case SEQDEC_MOLDUDP64:
		return CAPINDEX_PROTO_MOLDUDP64;
	case SEQDEC_MDP3:
		return CAPINDEX_PROTO_MDP3;
	case SEQDEC_PITCH:
		return CAPINDEX_PROTO_PITCH;
	default:
		return CAPINDEX_PROTO_GENERIC;
	}
}

void capindex_build_set_proto(struct capindex_build *b, unsigned int i, const struct seqdec *d)
{
	struct capindex_feed *f = &b->feeds[i];

	if (i >= b->h.nfeeds)
		return;
	b->fs[i].has_proto = d != NULL;
	b->fs[i].mold_next_ok = false;
	f->proto = CAPINDEX_PROTO_NONE;
	f->proto_offset = 0;
	f->proto_width = f->proto_be = 0;
	if (!d)
		return;
	b->fs[i].dec = *d;
	f->proto = proto_code(d);
	if (d->proto == SEQDEC_GENERIC) {
		f->proto_offset = d->offset;
		f->proto_width = d->width;
		f->proto_be = d->big_endian;
	}
}

static void set_slot(struct capindex_build *b, uint64_t slot)
{
	b->slot = slot;
	b->slot_end = slot >= UINT64_MAX / b->h.pos_ns - 1 ? UINT64_MAX : (slot + 1) * b->h.pos_ns;
}

void capindex_build_begin(struct capindex_build *b)
{
	memset(&b->h, 0, sizeof(b->h));
	memset(b->hit, 0, sizeof(b->hit));
	memset(b->feeds, 0, sizeof(b->feeds));
	memset(b->fs, 0, sizeof(b->fs));
	b->slot = 0;
	b->pos_next = 0;
	b->first_ns = UINT64_MAX;
	b->has_start = b->has_end = false;
	b->start_ns = b->end_ns = 0;
	b->h.pos_bytes = CAPINDEX_POS_BYTES;
	b->h.pos_ns = CAPINDEX_POS_NS;
	set_slot(b, 0);
}

int capindex_build_feeds(struct capindex_build *b, const struct ring_feed *feeds, unsigned int n)
{
	struct seqdec d;
	unsigned int i;

	if (b->h.packets)
		return -EBUSY;
	memset(b->hit, 0, sizeof(b->hit));
	memset(b->feeds, 0, sizeof(b->feeds));
	memset(b->fs, 0, sizeof(b->fs));
	b->h.nfeeds = n < CAPINDEX_FEEDS_MAX ? n : CAPINDEX_FEEDS_MAX;
	for (i = 0; i < b->h.nfeeds; i++) {
		const struct ring_feed *rf = &feeds[i];
		struct capindex_feed *f = &b->feeds[i];
		unsigned int k;

		b->defs[i] = *rf;
		/* What another process wrote: bounded before it is used. */
		b->defs[i].family = rf->family == 6 ? 6 : 4;
		if (b->defs[i].prefix_len > (b->defs[i].family == 6 ? 128 : 32))
			b->defs[i].prefix_len = b->defs[i].family == 6 ? 128 : 32;
		if (b->defs[i].nports > RING_FEED_MAX_PORTS)
			b->defs[i].nports = RING_FEED_MAX_PORTS;
		snprintf(f->name, sizeof(f->name), "%.*s", (int)sizeof(rf->name), rf->name);
		memcpy(f->addr, rf->addr, sizeof(f->addr));
		f->family = b->defs[i].family;
		f->prefix_len = b->defs[i].prefix_len;
		f->nports = b->defs[i].nports;
		for (k = 0; k < f->nports && k < 16; k++)
			f->ports[k] = rf->ports[k];
		if (capindex_build_feed_proto(rf, &d))
			capindex_build_set_proto(b, i, &d);
	}
	return 0;
}

/*
 * What a packet is attributed and decoded by: its destination, its UDP
 * port (0 if none) and payload, as frame_decode() reads them.
 */
struct dest {
	int fam; /* 4 or 6; 0: not IP */
	const uint8_t *addr;
	uint64_t key; /* dest_key() */
	uint16_t port;
	uint32_t payload_off, payload_len; /* payload_off 0: no UDP payload */
};

/* The feed cache's key: family, port and the address's last four bytes in one word. */
static uint64_t dest_key(int fam, const uint8_t *addr, uint16_t port)
{
	uint32_t a32;

	memcpy(&a32, addr + (fam == 6 ? 12 : 0), 4);
	return (uint64_t)fam << 48 | (uint64_t)port << 32 | a32;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Nearly every packet of a capture box is Ethernet, IPv4 without options,
 * UDP: read at fixed offsets what frame_decode() would, and leave anything
 * else (a tag, options, IPv6, a fragment, a short frame) to it.
 */
static bool dest_fast(const uint8_t *p, uint32_t caplen, struct dest *d)
{
	uint32_t ulen;

	if (caplen < 14 + 20 + 8 || get16(p + 12) != 0x0800 || p[14] != 0x45 || p[23] != 17 ||
	    (get16(p + 20) & 0x1fff))
		return false;
	d->fam = 4;
	d->addr = p + 30;
	d->port = get16(p + 36);
	d->key = dest_key(4, d->addr, d->port);
	d->payload_off = 14 + 20 + 8;
	d->payload_len = caplen - d->payload_off;
	ulen = get16(p + 38);
	if (ulen >= 8 && ulen - 8 < d->payload_len)
		d->payload_len = ulen - 8;
	return true;
}

/* @return 0, or -EPROTO for a frame that is not IP (frame_decode(), into
 * *fi, which d then points into). */
static int dest_of(const uint8_t *p, uint32_t caplen, struct frame_info *fi, struct dest *d)
{
	if (dest_fast(p, caplen, d))
		return 0;
	if (frame_decode(p, caplen, fi) < 0)
		return -EPROTO;
	d->fam = fi->family == AF_INET ? 4 : fi->family == AF_INET6 ? 6 : 0;
	d->addr = fi->dst;
	/* UDP's port and payload, when its header is there (proto 17, no fragment) */
	d->port = fi->payload_off ? fi->dport : 0;
	d->key = dest_key(d->fam, d->addr, d->port);
	d->payload_off = fi->payload_off;
	d->payload_len = fi->payload_len;
	return 0;
}

/* The feed of destination d, by capd's own rule (ring_feed_match()): its
 * cache entry (h->f NULL: none), or NULL for a frame that is not IP. */
static const struct feed_hit *feed_of(struct capindex_build *b, const struct dest *d)
{
	/* Fibonacci hashing: groups and ports that step together
	 * (239.1.1.N, 3000N) spread */
	struct feed_hit *h = &b->hit[(d->key * 0x9e3779b97f4a7c15ull) >> 58];
	int r;

	if (!d->fam)
		return NULL;
	if (h->key == d->key && (d->fam == 4 || !memcmp(h->addr, d->addr, 16)))
		return h;
	r = ring_feed_match(b->defs, b->h.nfeeds, d->fam, d->addr, d->port);
	h->key = d->key;
	if (d->fam == 6)
		memcpy(h->addr, d->addr, 16);
	h->f = r < 0 ? NULL : &b->feeds[r];
	h->s = r < 0 ? NULL : &b->fs[r];
	return h;
}

/* Every packet asks, and its answer is nearly always yes: MoldUDP64's
 * session (the longest) compared in two loads, others a byte at a time. */
static bool same_session(const struct capindex_feed *f, const struct seqdec_msg *m)
{
	uint64_t a8, b8;
	uint16_t a2, b2;
	unsigned int i;

	_Static_assert(SEQDEC_SESSION_MAX == 10 && sizeof(f->session) >= 10, "8 + 2 bytes");
	if (m->session_len != f->session_len)
		return false;
	if (m->session_len == SEQDEC_SESSION_MAX) {
		memcpy(&a8, m->session, 8);
		memcpy(&b8, f->session, 8);
		memcpy(&a2, m->session + 8, 2);
		memcpy(&b2, f->session + 8, 2);
		return a8 == b8 && a2 == b2;
	}
	for (i = 0; i < m->session_len; i++)
		if (m->session[i] != f->session[i])
			return false;
	return true;
}

/* A gap, a late packet, a new session: from the messages of a sequenced
 * packet m, any of them. */
static __attribute__((noinline)) void seq_step(struct capindex_feed *f, struct feed_state *s,
					       const struct seqdec_msg *m, uint64_t ts_ns)
{
	uint64_t n = m->seq, end = n + m->count;

	f->seq_packets++;
	if (m->count) {
		/* a last message past 2^64 - 1 is clamped: still an upper bound */
		uint64_t last = n > UINT64_MAX - (m->count - 1) ? UINT64_MAX : n + (m->count - 1);

		if (!f->seq_msg_packets || n < f->seq_min)
			f->seq_min = n;
		if (!f->seq_msg_packets || last > f->seq_max)
			f->seq_max = last;
		f->seq_msg_packets++;
	}
	if (!same_session(f, m)) {
		if (s->have_seq) {
			f->sessions++;
			s->have_seq = false;
		}
		f->session_len =
			m->session_len < sizeof(f->session) ? m->session_len : sizeof(f->session);
		memcpy(f->session, m->session, f->session_len);
	}
	if (f->seq_packets == 1) {
		f->first_session_len = f->session_len;
		memcpy(f->first_session, f->session, f->session_len);
	}
	if (!s->have_seq) {
		if (f->seq_packets == 1)
			f->seq_first = n;
		s->have_seq = true;
		s->expected = end;
	} else if (n > s->expected) {
		if (f->ngaps < CAPINDEX_GAPS_MAX)
			f->gap[f->ngaps++] = (struct capindex_gap){ .from = s->expected,
								    .to = n,
								    .ts_ns = ts_ns };
		f->gaps++;
		f->missing += n - s->expected;
		s->expected = end;
	} else if (m->count && end <= s->expected) {
		f->late++;
	} else if (end > s->expected) {
		s->expected = end;
	}
}

/*
 * The usual packet, in short: what seq_step() does with count (> 0)
 * messages from the one expected, in the session of the feed's last
 * packet, when it had messages (seq_msg_packets) and nothing overflows.
 */
static void seq_next(struct capindex_feed *f, struct feed_state *s, uint64_t count)
{
	uint64_t n = s->expected, end = n + count;

	f->seq_packets++;
	f->seq_msg_packets++;
	if (n < f->seq_min)
		f->seq_min = n;
	if (end - 1 > f->seq_max)
		f->seq_max = end - 1;
	s->expected = end;
}

static void seq_track(struct capindex_feed *f, struct feed_state *s, const struct seqdec_msg *m,
		      uint64_t ts_ns)
{
	uint64_t n = m->seq, end = n + m->count;

	if (m->flags & SEQDEC_F_UNSEQUENCED)
		return;
	if (m->count && s->have_seq && n == s->expected && end > n && f->seq_msg_packets &&
	    same_session(f, m))
		seq_next(f, s, m->count);
	else
		seq_step(f, s, m, ts_ns);
}

/* Where seq_next() applies to a MoldUDP64 packet: seqdec_mold_next()'s header. */
static void mold_expect(const struct capindex_feed *f, struct feed_state *s)
{
	uint64_t be = htobe64(s->expected);

	s->mold_next_ok = s->have_seq && f->seq_msg_packets && f->session_len == 10;
	memcpy(s->mold_next, f->session, 10);
	memcpy(s->mold_next + 10, &be, 8);
}

/* A pause of feed f from from_ns to to_ns, listed after the others. */
static __attribute__((noinline)) void pause_add(struct capindex_feed *f, uint64_t from_ns,
						uint64_t to_ns)
{
	f->pauses++;
	if (f->npauses < CAPINDEX_PAUSES_MAX)
		f->pause[f->npauses++] = (struct capindex_pause){ from_ns, to_ns };
}

/* A packet stamped ts_ns, before the feed's last: no longer silent there. */
static __attribute__((noinline)) void pause_split(struct capindex_feed *f, uint64_t ts_ns)
{
	struct capindex_pause *a;
	bool left, right;
	uint32_t k;

	for (k = 0; k < f->npauses && f->pause[k].to_ns <= ts_ns; k++)
		;
	if (k == f->npauses || f->pause[k].from_ns >= ts_ns)
		return;
	a = &f->pause[k];
	left = ts_ns - a->from_ns >= CAPINDEX_PAUSE_NS;
	right = a->to_ns - ts_ns >= CAPINDEX_PAUSE_NS;
	if (left && right) {
		f->pauses++;
		/* the list keeps its first ones: the last falls out */
		if (k + 1 == CAPINDEX_PAUSES_MAX) {
			a->to_ns = ts_ns;
			return;
		}
		if (f->npauses == CAPINDEX_PAUSES_MAX)
			f->npauses--;
		memmove(a + 1, a, (f->npauses - k) * sizeof(*a));
		f->npauses++;
		a[0].to_ns = ts_ns;
		a[1].from_ns = ts_ns;
	} else if (left) {
		a->to_ns = ts_ns;
	} else if (right) {
		a->from_ns = ts_ns;
	} else {
		f->pauses--;
		memmove(a, a + 1, (f->npauses - k - 1) * sizeof(*a));
		f->npauses--;
	}
}

/* Any other sequenced packet: decoded, then tracked. */
static __attribute__((noinline)) void seq_decode(struct capindex_build *b, struct capindex_feed *f,
						 struct feed_state *s, const uint8_t *pl,
						 uint32_t len, uint64_t ts_ns)
{
	struct seqdec_msg *m = &b->msg;
	int r;

	if (s->dec.proto == SEQDEC_MOLDUDP64)
		r = seqdec_moldudp64(pl, len, m);
	else
		r = seqdec_decode(&s->dec, pl, len, m);
	if (r != SEQDEC_OK)
		f->seq_undecodable++;
	else
		seq_track(f, s, m, ts_ns);
	if (s->dec.proto == SEQDEC_MOLDUDP64)
		mold_expect(f, s);
}

static void feed_packet(struct capindex_build *b, const struct capindex_build_pkt *p)
{
	const struct feed_hit *h = NULL;
	struct capindex_feed *f;
	struct feed_state *s;
	const uint8_t *pl;
	unsigned int count;
	struct dest d;
	uint64_t be;

	/* no feed table (pcap): nothing to decode */
	if (b->h.nfeeds && p->linktype == PCAPNG_LINKTYPE_ETHERNET &&
	    !dest_of(p->data, p->caplen, &b->fi, &d))
		h = feed_of(b, &d);
	if (!h || !h->f) {
		b->h.unattributed++;
		return;
	}
	f = h->f;
	s = h->s;
	f->packets++;
	f->bytes_cap += p->caplen;
	f->bytes_wire += p->wirelen;
	if (p->has_ts) {
		if (!f->first_ns || p->ts_ns < f->first_ns)
			f->first_ns = p->ts_ns;
		if (p->ts_ns > f->last_ns) {
			if (f->last_ns && p->ts_ns - f->last_ns >= CAPINDEX_PAUSE_NS)
				pause_add(f, f->last_ns, p->ts_ns);
			f->last_ns = p->ts_ns;
		} else if (p->ts_ns < f->last_ns && f->npauses) {
			pause_split(f, p->ts_ns);
		}
	}
	if (!d.payload_off)
		return;
	pl = p->data + d.payload_off;
	/* the usual packet of the usual feed: no seqdec_msg to fill */
	if (s->mold_next_ok && (count = seqdec_mold_next(pl, d.payload_len, s->mold_next))) {
		seq_next(f, s, count);
		be = htobe64(s->expected);
		memcpy(s->mold_next + 10, &be, 8);
		return;
	}
	if (s->has_proto)
		seq_decode(b, f, s, pl, d.payload_len, p->has_ts ? p->ts_ns : 0);
}

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t size, uint32_t max)
{
	uint32_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -E2BIG;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	if (n < need)
		return -E2BIG;
	p = realloc(*arr, (size_t)n * size);
	if (!p)
		return -ENOMEM;
	memset((uint8_t *)p + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
	*arr = p;
	*cap = n;
	return 0;
}

static uint64_t pos_after(const struct capindex_build *b, uint64_t offset)
{
	return offset > UINT64_MAX - b->h.pos_bytes ? UINT64_MAX : offset + b->h.pos_bytes;
}

/* Every other entry dropped, the steps doubled: the list stays bounded. */
static void pos_thin(struct capindex_build *b)
{
	uint32_t i, n = 0;

	for (i = 0; i < b->h.npos; i += 2)
		b->pos[n++] = b->pos[i];
	b->h.npos = n;
	b->h.pos_bytes *= 2;
	b->h.pos_ns *= 2;
	set_slot(b, b->pos[n - 1].ts_ns / b->h.pos_ns);
	b->pos_next = pos_after(b, b->pos[n - 1].offset);
}

/* pos_packet()'s rare part: a packet that may start a new entry. */
static __attribute__((noinline)) void pos_add(struct capindex_build *b,
					      const struct capindex_build_pkt *p)
{
	const struct capindex_pos *last;

	if (b->h.npos) {
		last = &b->pos[b->h.npos - 1];
		if (p->offset < last->offset + b->h.pos_bytes &&
		    (!p->has_ts || p->ts_ns < b->slot_end))
			return;
		if (b->h.npos == CAPINDEX_POS_MAX) {
			pos_thin(b);
			last = &b->pos[b->h.npos - 1];
			if (p->offset < last->offset + b->h.pos_bytes &&
			    (!p->has_ts || p->ts_ns < b->slot_end))
				return;
		}
		/* Offsets only grow in a stream; a caller's that does not is ignored. */
		if (p->offset <= last->offset)
			return;
	}
	if (grow((void **)&b->pos, &b->pos_cap, b->h.npos + 1, sizeof(*b->pos), CAPINDEX_POS_MAX) <
	    0)
		return; /* no memory: coarser positions, still true ones */
	b->pos[b->h.npos++] = (struct capindex_pos){
		.offset = p->offset,
		.packet = b->h.packets,
		.ts_ns = p->has_ts ? p->ts_ns : 0,
		.max_before = b->h.last_ns, /* the highest so far */
	};
	b->pos_next = pos_after(b, p->offset);
	if (p->has_ts)
		set_slot(b, p->ts_ns / b->h.pos_ns);
}

static void pos_packet(struct capindex_build *b, const struct capindex_build_pkt *p)
{
	if (p->offset < b->pos_next && (!p->has_ts || p->ts_ns < b->slot_end))
		return;
	pos_add(b, p);
}

static struct capindex_iface *iface(struct capindex_build *b, uint32_t if_id)
{
	uint32_t k;

	if (if_id < b->h.nifaces)
		return &b->ifs[if_id];
	if (if_id >= CAPINDEX_IFACES_MAX || grow((void **)&b->ifs, &b->ifs_cap, if_id + 1,
						 sizeof(*b->ifs), CAPINDEX_IFACES_MAX) < 0)
		return NULL;
	for (k = b->h.nifaces; k <= if_id; k++)
		b->ifs[k] = (struct capindex_iface){ .if_id = k };
	if (if_id >= b->h.nifaces)
		b->h.nifaces = if_id + 1;
	return &b->ifs[if_id];
}

void capindex_build_packet(struct capindex_build *b, const struct capindex_build_pkt *p)
{
	struct capindex_iface *i = iface(b, p->if_id);

	pos_packet(b, p);
	b->h.packets++;
	b->h.bytes_cap += p->caplen;
	b->h.bytes_wire += p->wirelen;
	if (!p->has_ts) {
		b->h.packets_nots++;
	} else {
		if (p->ts_ns < b->first_ns)
			b->first_ns = p->ts_ns;
		if (p->ts_ns > b->h.last_ns)
			b->h.last_ns = p->ts_ns;
	}
	if (i) {
		i->packets++;
		i->dropcount += p->dropcount;
	}
	feed_packet(b, p);
}

void capindex_build_isb(struct capindex_build *b, uint32_t if_id, uint32_t present, uint64_t ifrecv,
			uint64_t ifdrop, uint64_t osdrop, uint64_t filteraccept, uint64_t usrdeliv)
{
	struct capindex_iface *i = iface(b, if_id);

	if (!i)
		return;
	i->present = present | CAPINDEX_ISB_SEEN;
	i->ifrecv = present & CAPINDEX_IFRECV ? ifrecv : 0;
	i->ifdrop = present & CAPINDEX_IFDROP ? ifdrop : 0;
	i->osdrop = present & CAPINDEX_OSDROP ? osdrop : 0;
	i->filteraccept = present & CAPINDEX_FILTERACCEPT ? filteraccept : 0;
	i->usrdeliv = present & CAPINDEX_USRDELIV ? usrdeliv : 0;
}

void capindex_build_span(struct capindex_build *b, bool has_start, uint64_t start_ns, bool has_end,
			 uint64_t end_ns)
{
	if (has_start && (!b->has_start || start_ns < b->start_ns))
		b->start_ns = start_ns;
	if (has_end && (!b->has_end || end_ns > b->end_ns))
		b->end_ns = end_ns;
	b->has_start |= has_start;
	b->has_end |= has_end;
}

void capindex_build_isb_block(struct capindex_build *b, uint32_t if_id, const uint8_t *blk,
			      uint32_t len, uint8_t tsresol, int64_t tsoffset)
{
	uint64_t v[PCAPNG_ISB_USRDELIV + 1] = { 0 };
	uint32_t present = 0, off = sizeof(struct pcapng_isb_hdr), end, hi, lo;
	bool has[PCAPNG_ISB_ENDTIME + 1] = { false };
	struct pcapng_opt_hdr o;

	if (len < off + 4)
		return;
	end = len - 4; /* the trailing length */
	while (off + sizeof(o) <= end) {
		memcpy(&o, blk + off, sizeof(o));
		off += sizeof(o);
		if (o.code == PCAPNG_OPT_ENDOFOPT || o.len > end - off)
			break;
		if ((o.code == PCAPNG_ISB_STARTTIME || o.code == PCAPNG_ISB_ENDTIME) &&
		    o.len == 8) {
			/* two u32, the high one first */
			memcpy(&hi, blk + off, 4);
			memcpy(&lo, blk + off + 4, 4);
			v[o.code] = pcapng_ts_ns((uint64_t)hi << 32 | lo, tsresol, tsoffset);
			has[o.code] = true;
		}
		if (o.code >= PCAPNG_ISB_IFRECV && o.code <= PCAPNG_ISB_USRDELIV && o.len == 8) {
			memcpy(&v[o.code], blk + off, 8);
			present |= o.code == PCAPNG_ISB_IFRECV	       ? CAPINDEX_IFRECV
				   : o.code == PCAPNG_ISB_IFDROP       ? CAPINDEX_IFDROP
				   : o.code == PCAPNG_ISB_OSDROP       ? CAPINDEX_OSDROP
				   : o.code == PCAPNG_ISB_FILTERACCEPT ? CAPINDEX_FILTERACCEPT
								       : CAPINDEX_USRDELIV;
		}
		off += (uint32_t)PCAPNG_PAD(o.len);
	}
	capindex_build_isb(b, if_id, present, v[PCAPNG_ISB_IFRECV], v[PCAPNG_ISB_IFDROP],
			   v[PCAPNG_ISB_OSDROP], v[PCAPNG_ISB_FILTERACCEPT],
			   v[PCAPNG_ISB_USRDELIV]);
	capindex_build_span(b, has[PCAPNG_ISB_STARTTIME], v[PCAPNG_ISB_STARTTIME],
			    has[PCAPNG_ISB_ENDTIME], v[PCAPNG_ISB_ENDTIME]);
}

int capindex_build_encode(struct capindex_build *b, int fd, uint8_t **buf, size_t *len)
{
	unsigned int i;
	int r;

	r = capindex_identify(fd, &b->h.data_size, &b->h.data_mtime_ns, &b->h.data_tail_hash);
	if (r < 0)
		return r;
	/* what the packets' step leaves to the end */
	b->h.first_ns = b->h.packets > b->h.packets_nots ? b->first_ns : 0;
	for (i = 0; i < b->h.nfeeds; i++)
		b->feeds[i].seq_last = b->fs[i].expected ? b->fs[i].expected - 1 : 0;
	b->h.span_start_ns = b->has_start ? b->start_ns : b->h.first_ns;
	b->h.span_end_ns = b->has_end ? b->end_ns : b->h.last_ns;
	/* A file whose ISBs end before they start: the span is where they start. */
	if (b->h.span_end_ns < b->h.span_start_ns)
		b->h.span_end_ns = b->h.span_start_ns;
	return capindex_encode(&b->h, b->ifs, b->feeds, b->pos, buf, len);
}

int capindex_build_write(struct capindex_build *b, const char *data_path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(data_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = capindex_build_encode(b, fd, &buf, &len);
	close(fd);
	if (!r)
		r = capindex_store(data_path, buf, len);
	free(buf);
	return r;
}

int capindex_build_read(const char *path, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	struct ring_feed feeds[CAPINDEX_FEEDS_MAX];
	uint64_t size0, mtime0, hash0, size1, mtime1, hash1;
	struct capindex_build *b = NULL;
	struct capfile *f = NULL;
	struct capfile_rec rec;
	uint8_t *buf = NULL;
	size_t len = 0;
	unsigned int n;
	int fd, r;

	*out = NULL;
	*outlen = 0;
	err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = capindex_identify(fd, &size0, &mtime0, &hash0);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 r == -ENXIO ? "not a regular file" : strerror(-r));
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || (r = capindex_build_new(&b)) < 0) {
		r = r < 0 ? r : -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	r = capfile_open_fd(fd, path, &f);
	if (r < 0) {
		snprintf(err, errlen, "%s", capfile_error(NULL));
		goto out;
	}
	capfile_carry(f, true);
	n = capindex_build_file_feeds(f, feeds, CAPINDEX_FEEDS_MAX);
	capindex_build_begin(b);
	capindex_build_feeds(b, feeds, n);
	while ((r = capfile_next(f, &rec)) > 0) {
		if (r == 2) {
			if (rec.kind == CAPFILE_ISB)
				capindex_build_isb_block(b, rec.if_id, rec.data, rec.caplen,
							 capfile_iface(f, rec.if_id)->tsresol,
							 capfile_iface(f, rec.if_id)->tsoffset);
			continue;
		}
		capindex_build_packet(b, &(struct capindex_build_pkt){
						 .offset = capfile_block_offset(f),
						 .if_id = rec.if_id,
						 .linktype = capfile_iface(f, rec.if_id)->linktype,
						 .has_ts = rec.has_ts,
						 .ts_ns = rec.ts_ns,
						 .data = rec.data,
						 .caplen = rec.caplen,
						 .wirelen = rec.wirelen,
						 .dropcount = rec.dropcount,
					 });
	}
	if (r < 0) {
		snprintf(err, errlen, "%s; not indexed", capfile_error(f));
		goto out;
	}
	/* The file read must be the file the index names. */
	r = capindex_build_encode(b, fd, &buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	r = capindex_identify(fd, &size1, &mtime1, &hash1);
	if (!r && (size1 != size0 || mtime1 != mtime0 || hash1 != hash0))
		r = -EAGAIN;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 r == -EAGAIN ? "changed while it was read; not indexed" : strerror(-r));
		goto out;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	capfile_close(f);
	capindex_build_free(b);
	close(fd);
	return r;
}

int capindex_build_file(const char *path, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int r;

	r = capindex_build_read(path, &buf, &len, err, errlen);
	if (r < 0)
		return r;
	r = capindex_store(path, buf, len);
	if (r < 0)
		snprintf(err, errlen, "%s" CAPINDEX_SUFFIX ": %s", path, strerror(-r));
	free(buf);
	return r;
}
