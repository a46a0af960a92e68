// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every block is built by one function that runs twice: first without a
 * buffer to measure, then, if the block fits, into the buffer.  Length
 * bookkeeping therefore cannot disagree with what is emitted (the failure
 * mode of writers with a separate length pass): the block's length is what
 * was put, filled in at its end.  A packet's block, when the buffer surely
 * holds it, is built once, straight into the buffer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "pcapng.h"

_Static_assert(sizeof(struct pcapng_block_hdr) == 8, "pcapng block header");
_Static_assert(sizeof(struct pcapng_shb_hdr) == 24, "pcapng SHB");
_Static_assert(offsetof(struct pcapng_shb_hdr, bom) == 8, "pcapng SHB byte-order magic");
_Static_assert(offsetof(struct pcapng_shb_hdr, section_len) == 16, "pcapng SHB section length");
_Static_assert(sizeof(struct pcapng_idb_hdr) == 16, "pcapng IDB");
_Static_assert(offsetof(struct pcapng_idb_hdr, snaplen) == 12, "pcapng IDB snaplen");
_Static_assert(sizeof(struct pcapng_epb_hdr) == 28, "pcapng EPB");
_Static_assert(offsetof(struct pcapng_epb_hdr, ts_high) == 12, "pcapng EPB timestamp");
_Static_assert(offsetof(struct pcapng_epb_hdr, caplen) == 20, "pcapng EPB caplen");
_Static_assert(sizeof(struct pcapng_spb_hdr) == 12, "pcapng SPB");
_Static_assert(sizeof(struct pcapng_pb_hdr) == 28, "pcapng PB");
_Static_assert(sizeof(struct pcapng_isb_hdr) == 20, "pcapng ISB");
_Static_assert(sizeof(struct pcapng_opt_hdr) == 4, "pcapng option header");
_Static_assert(sizeof(struct pcap_file_hdr) == 24, "pcap file header");
_Static_assert(offsetof(struct pcap_file_hdr, linktype) == 20, "pcap linktype");
_Static_assert(sizeof(struct pcap_rec_hdr) == 16, "pcap record header");

/*
 * w->p == NULL: measuring; only len advances.  The helpers that put bytes
 * are always inlined: in a packet's one-pass block (pcapng_epb()) w->p is
 * then known, and a fixed-size put is a store, not a call to memcpy.
 */
#define EMIT_INLINE static inline __attribute__((always_inline))

struct emit {
	uint8_t *p;
	size_t len;
	bool opts; /* an option was written: end the list */
};

EMIT_INLINE void put(struct emit *w, const void *src, size_t n)
{
	if (w->p && n) {
		if (src)
			memcpy(w->p + w->len, src, n);
		else
			memset(w->p + w->len, 0, n);
	}
	w->len += n;
}

EMIT_INLINE void put_u32(struct emit *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

EMIT_INLINE void put_pad(struct emit *w)
{
	put(w, NULL, PCAPNG_PAD(w->len) - w->len);
}

/* Longest prefix of s of at most max bytes that ends on a character boundary. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

EMIT_INLINE void opt_hdr(struct emit *w, uint16_t code, size_t len)
{
	struct pcapng_opt_hdr h = { .code = code, .len = (uint16_t)len };

	put(w, &h, sizeof(h));
	w->opts = true;
}

/* len <= PCAPNG_OPT_MAXLEN is the caller's to ensure. */
EMIT_INLINE void opt(struct emit *w, uint16_t code, const void *v, size_t len)
{
	opt_hdr(w, code, len);
	put(w, v, len);
	put_pad(w);
}

static void opt_u8(struct emit *w, uint16_t code, uint8_t v)
{
	opt(w, code, &v, sizeof(v));
}

EMIT_INLINE void opt_u32(struct emit *w, uint16_t code, uint32_t v)
{
	opt(w, code, &v, sizeof(v));
}

EMIT_INLINE void opt_u64(struct emit *w, uint16_t code, uint64_t v)
{
	opt(w, code, &v, sizeof(v));
}

/* A timestamp option is two u32 words, high first, like the EPB's. */
static void opt_ts(struct emit *w, uint16_t code, uint64_t ts)
{
	uint32_t v[2] = { (uint32_t)(ts >> 32), (uint32_t)ts };

	opt(w, code, v, sizeof(v));
}

static void opt_str(struct emit *w, uint16_t code, const char *s)
{
	size_t n;

	if (!s || !*s)
		return;
	n = utf8_prefix(s, strnlen(s, PCAPNG_OPT_MAXLEN + 1), PCAPNG_OPT_MAXLEN);
	opt(w, code, s, n);
}

static void opt_customs(struct emit *w, const struct pcapng_custom *c, size_t n)
{
	const size_t max = PCAPNG_OPT_MAXLEN - sizeof(uint32_t);
	size_t i, len;

	for (i = 0; c && i < n; i++) {
		len = c[i].data ? c[i].len : 0;
		if (c[i].code == PCAPNG_OPT_CUSTOM_STR || c[i].code == PCAPNG_OPT_CUSTOM_STR_NOCOPY)
			len = utf8_prefix(c[i].data, len, max);
		else if (len > max)
			len = max;
		opt_hdr(w, c[i].code, sizeof(uint32_t) + len);
		put_u32(w, c[i].pen);
		put(w, c[i].data, len);
		put_pad(w);
	}
}

/* The next option of a blob at *off, or false at its end (or malformed). */
static bool blob_next(const uint8_t *p, size_t len, size_t *off, struct pcapng_opt_hdr *h)
{
	if (len - *off < sizeof(*h))
		return false;
	memcpy(h, p + *off, sizeof(*h));
	if (PCAPNG_PAD(h->len) > len - *off - sizeof(*h))
		return false;
	*off += sizeof(*h) + PCAPNG_PAD(h->len);
	return true;
}

bool pcapng_opts_valid(const void *opts, size_t len)
{
	struct pcapng_opt_hdr h;
	size_t off = 0;

	if (len % 4 || (len && !opts))
		return false;
	while (off < len) {
		/* an end of options inside would hide the rest from readers */
		if (!blob_next(opts, len, &off, &h) || h.code == PCAPNG_OPT_ENDOFOPT)
			return false;
	}
	return true;
}

bool pcapng_opts_has(const void *opts, size_t len, uint16_t code)
{
	struct pcapng_opt_hdr h;
	size_t off = 0;

	while (opts && blob_next(opts, len, &off, &h))
		if (h.code == code)
			return true;
	return false;
}

const void *pcapng_opts_custom(const void *opts, size_t len, uint16_t code, uint32_t pen,
			       const void *after, uint16_t *datalen)
{
	const uint8_t *p = opts;
	struct pcapng_opt_hdr h;
	size_t off = 0, at;
	uint32_t v;

	while (opts && (at = off, blob_next(opts, len, &off, &h))) {
		const uint8_t *data = p + at + sizeof(h) + 4;

		if (h.code != code || h.len < 4 || (after && data <= (const uint8_t *)after))
			continue;
		memcpy(&v, p + at + sizeof(h), 4);
		if (v != pen)
			continue;
		*datalen = (uint16_t)(h.len - 4);
		return data;
	}
	return NULL;
}

/* The encoder's own single-valued option code, unless the blob has one. */
static bool own(const void *opts, size_t len, uint16_t code)
{
	return !pcapng_opts_has(opts, len, code);
}

EMIT_INLINE void put_blob(struct emit *w, const void *opts, size_t len)
{
	if (!len)
		return;
	put(w, opts, len);
	w->opts = true;
}

/*
 * Close the option list (if any), and give the block its total length, in
 * the header (every block's starts at w->p) and repeated at the end.  Past
 * UINT32_MAX it is wrong, and encode() refuses the block.
 */
EMIT_INLINE void block_end(struct emit *w)
{
	uint32_t total;

	if (w->opts)
		opt_hdr(w, PCAPNG_OPT_ENDOFOPT, 0);
	total = (uint32_t)(w->len + sizeof(total));
	if (w->p)
		memcpy(w->p + offsetof(struct pcapng_block_hdr, len), &total, sizeof(total));
	put_u32(w, total);
}

typedef void (*build_fn)(struct emit *w, const void *arg);

/* Into buf (NULL: measure only), which the caller knows is large enough. */
static size_t build_into(void *buf, build_fn build, const void *arg)
{
	struct emit w = { .p = buf };

	build(&w, arg);
	return w.len;
}

static size_t encode(void *buf, size_t cap, build_fn build, const void *arg)
{
	size_t total = build_into(NULL, build, arg);

	if (total > UINT32_MAX)
		return 0;
	if (buf && total <= cap)
		build_into(buf, build, arg);
	return total;
}

static void shb_build(struct emit *w, const void *arg)
{
	const struct pcapng_shb_info *s = arg;
	struct pcapng_shb_hdr h = {
		.type = PCAPNG_BT_SHB,
		.bom = PCAPNG_BYTE_ORDER_MAGIC,
		.major = PCAPNG_VERSION_MAJOR,
		.minor = PCAPNG_VERSION_MINOR,
		.section_len = -1,
	};

	put(w, &h, sizeof(h));
	if (s) {
		opt_str(w, PCAPNG_OPT_COMMENT, s->comment);
		opt_str(w, PCAPNG_SHB_HARDWARE, s->hardware);
		opt_str(w, PCAPNG_SHB_OS, s->os);
		opt_str(w, PCAPNG_SHB_USERAPPL, s->userappl);
		opt_customs(w, s->custom, s->ncustom);
	}
	block_end(w);
}

size_t pcapng_shb(void *buf, size_t cap, const struct pcapng_shb_info *s)
{
	return encode(buf, cap, shb_build, s);
}

static void idb_build(struct emit *w, const void *arg)
{
	const struct pcapng_idb_info *i = arg;
	struct pcapng_idb_hdr h = {
		.type = PCAPNG_BT_IDB,
		.linktype = i->linktype,
		.snaplen = i->snaplen,
	};

	const void *b = i->opts;
	size_t bl = i->optlen;

	put(w, &h, sizeof(h));
	opt_str(w, PCAPNG_OPT_COMMENT, i->comment);
	if (own(b, bl, PCAPNG_IF_NAME))
		opt_str(w, PCAPNG_IF_NAME, i->name);
	if (own(b, bl, PCAPNG_IF_DESCRIPTION))
		opt_str(w, PCAPNG_IF_DESCRIPTION, i->description);
	if (i->speed && own(b, bl, PCAPNG_IF_SPEED))
		opt_u64(w, PCAPNG_IF_SPEED, i->speed);
	if (own(b, bl, PCAPNG_IF_TSRESOL))
		opt_u8(w, PCAPNG_IF_TSRESOL, i->tsresol ? i->tsresol : 9);
	if (i->tsoffset && own(b, bl, PCAPNG_IF_TSOFFSET))
		opt_u64(w, PCAPNG_IF_TSOFFSET, (uint64_t)i->tsoffset);
	if (i->filter && *i->filter && own(b, bl, PCAPNG_IF_FILTER)) {
		/* type octet 0: a libpcap filter string follows */
		size_t n = utf8_prefix(i->filter, strnlen(i->filter, PCAPNG_OPT_MAXLEN),
				       PCAPNG_OPT_MAXLEN - 1);

		opt_hdr(w, PCAPNG_IF_FILTER, 1 + n);
		put(w, NULL, 1);
		put(w, i->filter, n);
		put_pad(w);
	}
	if (i->fcslen_present && own(b, bl, PCAPNG_IF_FCSLEN))
		opt_u8(w, PCAPNG_IF_FCSLEN, i->fcslen);
	if (own(b, bl, PCAPNG_IF_HARDWARE))
		opt_str(w, PCAPNG_IF_HARDWARE, i->hardware);
	opt_customs(w, i->custom, i->ncustom);
	put_blob(w, b, bl);
	block_end(w);
}

size_t pcapng_idb(void *buf, size_t cap, const struct pcapng_idb_info *i)
{
	if (!pcapng_opts_valid(i->opts, i->optlen))
		return 0;
	return encode(buf, cap, idb_build, i);
}

EMIT_INLINE void epb_build(struct emit *w, const void *arg)
{
	const struct pcapng_epb_info *e = arg;
	struct pcapng_epb_hdr h = {
		.type = PCAPNG_BT_EPB,
		.if_id = e->if_id,
		.ts_high = (uint32_t)(e->ts >> 32),
		.ts_low = (uint32_t)e->ts,
		.caplen = e->caplen,
		.wirelen = e->wirelen,
	};

	const void *b = e->opts;
	size_t bl = e->optlen;

	put(w, &h, sizeof(h));
	put(w, e->data, e->caplen);
	put_pad(w);
	opt_str(w, PCAPNG_OPT_COMMENT, e->comment);
	if (e->flags && own(b, bl, PCAPNG_EPB_FLAGS))
		opt_u32(w, PCAPNG_EPB_FLAGS, e->flags);
	if (e->dropcount && own(b, bl, PCAPNG_EPB_DROPCOUNT))
		opt_u64(w, PCAPNG_EPB_DROPCOUNT, e->dropcount);
	if (e->packetid != PCAPNG_ABSENT && own(b, bl, PCAPNG_EPB_PACKETID))
		opt_u64(w, PCAPNG_EPB_PACKETID, e->packetid);
	if (e->queue != UINT32_MAX && own(b, bl, PCAPNG_EPB_QUEUE))
		opt_u32(w, PCAPNG_EPB_QUEUE, e->queue);
	put_blob(w, b, bl);
	block_end(w);
}

/* What an EPB's own options (flags, dropcount, packet id, queue, the end of
 * options) take at most, besides the comment and the blob. */
#define EPB_OWN_OPTS_MAX (8 + 12 + 12 + 8 + 4)

size_t pcapng_epb(void *buf, size_t cap, const struct pcapng_epb_info *e)
{
	uint64_t most;

	if (!pcapng_opts_valid(e->opts, e->optlen))
		return 0;
	/* A packet's block is built once, not measured first, when buf is
	 * sure to hold it. */
	most = sizeof(struct pcapng_epb_hdr) + PCAPNG_PAD((uint64_t)e->caplen) + EPB_OWN_OPTS_MAX +
	       (uint64_t)e->optlen + sizeof(uint32_t);
	if (buf && (!e->comment || !*e->comment) && most <= cap && most <= UINT32_MAX) {
		struct emit w = { .p = buf };

		epb_build(&w, e);
		return w.len;
	}
	return encode(buf, cap, epb_build, e);
}

static void spb_build(struct emit *w, const void *arg)
{
	const struct pcapng_spb_info *s = arg;
	struct pcapng_spb_hdr h = { .type = PCAPNG_BT_SPB, .wirelen = s->wirelen };

	put(w, &h, sizeof(h));
	put(w, s->data, s->caplen);
	put_pad(w);
	block_end(w);
}

size_t pcapng_spb(void *buf, size_t cap, const struct pcapng_spb_info *s)
{
	return encode(buf, cap, spb_build, s);
}

struct opt_args {
	uint16_t code;
	const char *s;
};

static void opt_build(struct emit *w, const void *arg)
{
	const struct opt_args *a = arg;

	opt_str(w, a->code, a->s);
}

size_t pcapng_opt_str(void *buf, size_t cap, uint16_t code, const char *s)
{
	struct opt_args a = { code, s };

	return encode(buf, cap, opt_build, &a);
}

/* 10^n for n <= 38; beyond, the largest power that fits (callers cap n). */
static unsigned __int128 pow10_128(unsigned int n)
{
	unsigned __int128 p = 1;

	while (n--)
		p *= 10;
	return p;
}

/* Units of if_tsresol r per second as a divisor and its kind; false if
 * 10^n itself does not fit (n > 38: every u64 count is under a ns). */
static bool ts_units(uint8_t r, unsigned __int128 *per_sec, unsigned int *shift)
{
	*shift = 0;
	*per_sec = 1;
	if (r & 0x80) {
		*shift = r & 0x7F; /* 2^-n: a shift, n <= 127 */
		return true;
	}
	if (r > 38)
		return false;
	*per_sec = pow10_128(r);
	return true;
}

uint64_t pcapng_ts_ns(uint64_t ts, uint8_t tsresol, int64_t tsoffset)
{
	const __int128 max = UINT64_MAX - 1;
	unsigned __int128 per_sec;
	unsigned int shift;
	__int128 ns = 0;

	/* capd's own resolution: every packet of every recording, so no
	 * 128-bit division for it */
	if (tsresol == 9 && !tsoffset)
		return ts < UINT64_MAX ? ts : UINT64_MAX - 1;
	if (ts_units(tsresol, &per_sec, &shift))
		ns = (__int128)(((unsigned __int128)ts * 1000000000u >> shift) / per_sec);
	ns += (__int128)tsoffset * 1000000000;
	return ns < 0 ? 0 : ns > max ? (uint64_t)max : (uint64_t)ns;
}

uint64_t pcapng_ns_ts(uint64_t ns, uint8_t tsresol, int64_t tsoffset)
{
	__int128 rel = (__int128)ns - (__int128)tsoffset * 1000000000;
	unsigned __int128 ts, m;
	unsigned int n = tsresol & 0x7F;

	if (rel <= 0)
		return 0;
	if (tsresol & 0x80) {
		if (n >= 64)
			return UINT64_MAX; /* units so fine that any time overflows */
		ts = ((unsigned __int128)rel << n) / 1000000000u;
	} else if (n < 9) {
		ts = (unsigned __int128)rel / (uint64_t)pow10_128(9 - n);
	} else {
		if (n - 9 > 19)
			return UINT64_MAX;
		m = pow10_128(n - 9);
		if ((unsigned __int128)rel > UINT64_MAX / m)
			return UINT64_MAX;
		ts = (unsigned __int128)rel * m;
	}
	return ts > UINT64_MAX ? UINT64_MAX : (uint64_t)ts;
}

const char *pcapng_linktype_name(uint32_t linktype)
{
	static const struct {
		uint16_t lt;
		const char *name;
	} names[] = {
		{ 0, "LINKTYPE_NULL" },		{ 1, "LINKTYPE_ETHERNET" },
		{ 9, "LINKTYPE_PPP" },		{ 101, "LINKTYPE_RAW" },
		{ 105, "LINKTYPE_IEEE802_11" }, { 108, "LINKTYPE_LOOP" },
		{ 113, "LINKTYPE_LINUX_SLL" },	{ 127, "LINKTYPE_IEEE802_11_RADIOTAP" },
		{ 147, "LINKTYPE_USER0" },	{ 220, "LINKTYPE_USB_LINUX_MMAPPED" },
		{ 228, "LINKTYPE_IPV4" },	{ 229, "LINKTYPE_IPV6" },
		{ 249, "LINKTYPE_NETLINK" },	{ 276, "LINKTYPE_LINUX_SLL2" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].lt == linktype)
			return names[i].name;
	return NULL;
}

static void isb_build(struct emit *w, const void *arg)
{
	const struct pcapng_isb_info *i = arg;
	struct pcapng_isb_hdr h = {
		.type = PCAPNG_BT_ISB,
		.if_id = i->if_id,
		.ts_high = (uint32_t)(i->ts >> 32),
		.ts_low = (uint32_t)i->ts,
	};
	const struct {
		uint16_t code;
		uint64_t v;
	} counters[] = {
		{ PCAPNG_ISB_IFRECV, i->ifrecv },
		{ PCAPNG_ISB_IFDROP, i->ifdrop },
		{ PCAPNG_ISB_FILTERACCEPT, i->filteraccept },
		{ PCAPNG_ISB_OSDROP, i->osdrop },
		{ PCAPNG_ISB_USRDELIV, i->usrdeliv },
	};
	size_t k;

	put(w, &h, sizeof(h));
	opt_str(w, PCAPNG_OPT_COMMENT, i->comment);
	if (i->starttime != PCAPNG_ABSENT)
		opt_ts(w, PCAPNG_ISB_STARTTIME, i->starttime);
	if (i->endtime != PCAPNG_ABSENT)
		opt_ts(w, PCAPNG_ISB_ENDTIME, i->endtime);
	for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
		if (counters[k].v != PCAPNG_ABSENT)
			opt_u64(w, counters[k].code, counters[k].v);
	opt_customs(w, i->custom, i->ncustom);
	block_end(w);
}

size_t pcapng_isb(void *buf, size_t cap, const struct pcapng_isb_info *i)
{
	return encode(buf, cap, isb_build, i);
}

struct nrb_args {
	const struct pcapng_nrb_rec *r;
	size_t n;
	const struct pcapng_custom *custom;
	size_t ncustom;
};

static void nrb_build(struct emit *w, const void *arg)
{
	const struct nrb_args *a = arg;
	struct pcapng_block_hdr h = { .type = PCAPNG_BT_NRB };
	struct pcapng_opt_hdr rh;
	size_t i, alen, n;

	put(w, &h, sizeof(h));
	for (i = 0; a->r && i < a->n; i++) {
		const struct pcapng_nrb_rec *r = &a->r[i];

		if (r->family == AF_INET) {
			rh.code = PCAPNG_NRB_IPV4;
			alen = 4;
		} else if (r->family == AF_INET6) {
			rh.code = PCAPNG_NRB_IPV6;
			alen = 16;
		} else {
			continue;
		}
		if (!r->name || !*r->name)
			continue;
		/* address, name, NUL */
		n = utf8_prefix(r->name, strnlen(r->name, PCAPNG_OPT_MAXLEN),
				PCAPNG_OPT_MAXLEN - alen - 1);
		rh.len = (uint16_t)(alen + n + 1);
		put(w, &rh, sizeof(rh));
		put(w, r->addr, alen);
		put(w, r->name, n);
		put(w, NULL, 1);
		put_pad(w);
	}
	rh = (struct pcapng_opt_hdr){ .code = PCAPNG_NRB_END, .len = 0 };
	put(w, &rh, sizeof(rh));
	opt_customs(w, a->custom, a->ncustom);
	block_end(w);
}

size_t pcapng_nrb(void *buf, size_t cap, const struct pcapng_nrb_rec *r, size_t n)
{
	return pcapng_nrb_custom(buf, cap, r, n, NULL, 0);
}

size_t pcapng_nrb_custom(void *buf, size_t cap, const struct pcapng_nrb_rec *r, size_t n,
			 const struct pcapng_custom *c, size_t nc)
{
	struct nrb_args a = { r, n, c, nc };

	return encode(buf, cap, nrb_build, &a);
}

static void pcap_hdr_build(struct emit *w, const void *arg)
{
	const struct pcap_file_hdr *h = arg;

	put(w, h, sizeof(*h));
}

size_t pcap_file_header(void *buf, size_t cap, uint32_t snaplen, uint32_t linktype)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_NSEC,
		.major = PCAP_VERSION_MAJOR,
		.minor = PCAP_VERSION_MINOR,
		.snaplen = snaplen,
		.linktype = linktype,
	};

	return encode(buf, cap, pcap_hdr_build, &h);
}

struct pcap_rec_args {
	struct pcap_rec_hdr h;
	const void *data;
};

static void pcap_rec_build(struct emit *w, const void *arg)
{
	const struct pcap_rec_args *a = arg;

	put(w, &a->h, sizeof(a->h));
	put(w, a->data, a->h.caplen);
}

size_t pcap_record(void *buf, size_t cap, uint64_t ts_ns, uint32_t caplen, uint32_t wirelen,
		   const void *data)
{
	struct pcap_rec_args a = {
		.h =
			{
				.ts_sec = (uint32_t)(ts_ns / 1000000000u),
				.ts_frac = (uint32_t)(ts_ns % 1000000000u),
				.caplen = caplen,
				.wirelen = wirelen,
			},
		.data = data,
	};

	return encode(buf, cap, pcap_rec_build, &a);
}
