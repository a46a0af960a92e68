// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_capfile.c - the capture-file reader against files built here by a
 * writer of its own (either byte order, every packet block type, odd
 * options), pcap in all four magics, zstd in one frame, several frames and
 * cut mid-frame; truncation at every byte offset; corrupted lengths; random
 * mutations.  "test_capfile corpus DIR" writes the fuzzer's seed files.
 */
#include <endian.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zstd.h>

#include "capfile.h"
#include "test.h"

#define PCAPNG_PAD_T(n) (((n) + 3u) & ~3u)

/* ---- a small independent writer ---- */

struct wb {
	uint8_t *p;
	size_t len, cap;
	bool be;
};

static void wb_put(struct wb *w, const void *d, size_t n)
{
	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2 + 256;
		w->p = realloc(w->p, w->cap);
		T_ASSERT(w->p);
	}
	if (d)
		memcpy(w->p + w->len, d, n);
	else
		memset(w->p + w->len, 0, n);
	w->len += n;
}

static void wb_u16(struct wb *w, uint16_t v)
{
	v = w->be ? htobe16(v) : htole16(v);
	wb_put(w, &v, 2);
}

static void wb_u32(struct wb *w, uint32_t v)
{
	v = w->be ? htobe32(v) : htole32(v);
	wb_put(w, &v, 4);
}

static void wb_u64(struct wb *w, uint64_t v)
{
	v = w->be ? htobe64(v) : htole64(v);
	wb_put(w, &v, 8);
}

static void wb_pad(struct wb *w)
{
	wb_put(w, NULL, (4 - w->len % 4) % 4);
}

static void wb_set32(struct wb *w, size_t at, uint32_t v)
{
	v = w->be ? htobe32(v) : htole32(v);
	memcpy(w->p + at, &v, 4);
}

static size_t blk_begin(struct wb *w, uint32_t type)
{
	size_t at = w->len;

	wb_u32(w, type);
	wb_u32(w, 0);
	return at;
}

static void blk_end(struct wb *w, size_t at)
{
	uint32_t len = (uint32_t)(w->len + 4 - at);

	wb_set32(w, at + 4, len);
	wb_u32(w, len);
}

static void wb_opt(struct wb *w, uint16_t code, const void *d, uint16_t n)
{
	wb_u16(w, code);
	wb_u16(w, n);
	wb_put(w, d, n);
	wb_pad(w);
}

static void wb_opt32(struct wb *w, uint16_t code, uint32_t v)
{
	wb_u16(w, code);
	wb_u16(w, 4);
	wb_u32(w, v);
}

static void wb_opt64(struct wb *w, uint16_t code, uint64_t v)
{
	wb_u16(w, code);
	wb_u16(w, 8);
	wb_u64(w, v);
}

static void wb_optend(struct wb *w)
{
	wb_u32(w, 0);
}

/* ---- what the reader must return ---- */

#define MAXREC 64

struct exp {
	uint64_t ts_ns;
	uint32_t caplen, wirelen, if_id, flags;
	uint64_t drop;
	uint8_t data[64];
	size_t end; /* file offset just past the packet */
};

struct expv {
	struct exp r[MAXREC];
	unsigned int n;
	size_t bounds[4 * MAXREC]; /* offsets where a block or record ends */
	unsigned int nb;
};

static void bound(struct expv *e, size_t off)
{
	T_ASSERT(e->nb < sizeof(e->bounds) / sizeof(e->bounds[0]));
	e->bounds[e->nb++] = off;
}

static struct exp *expect(struct expv *e, uint32_t if_id, uint64_t ts_ns, uint32_t caplen,
			  uint32_t wirelen)
{
	struct exp *x;
	uint32_t i;

	T_ASSERT(e->n < MAXREC && caplen <= sizeof(x->data));
	x = &e->r[e->n++];
	*x = (struct exp){ .ts_ns = ts_ns, .caplen = caplen, .wirelen = wirelen, .if_id = if_id };
	for (i = 0; i < caplen; i++)
		x->data[i] = (uint8_t)(e->n * 31 + i);
	return x;
}

static void wb_epb(struct wb *w, struct exp *x, uint32_t local_if, uint64_t ts)
{
	size_t at = blk_begin(w, 6);

	wb_u32(w, local_if);
	wb_u32(w, (uint32_t)(ts >> 32));
	wb_u32(w, (uint32_t)ts);
	wb_u32(w, x->caplen);
	wb_u32(w, x->wirelen);
	wb_put(w, x->data, x->caplen);
	wb_pad(w);
	if (x->flags)
		wb_opt32(w, 2, x->flags);
	if (x->drop)
		wb_opt64(w, 4, x->drop);
	if (x->flags || x->drop)
		wb_optend(w);
	blk_end(w, at);
	x->end = w->len;
}

/*
 * One section: three interfaces (ns; us with tsoffset and a long name;
 * 2^-10 s without opt_endofopt), then every packet block type among NRB,
 * ISB, custom and unknown blocks.  if_base: interfaces of earlier sections.
 */
static void build_section(struct wb *w, struct expv *e, uint32_t if_base)
{
	static const uint8_t mcast[4] = { 239, 1, 1, 6 };
	char longname[100];
	struct exp *x;
	size_t at;

	at = blk_begin(w, 0x0A0D0D0A);
	wb_u32(w, 0x1A2B3C4D);
	wb_u16(w, 1);
	wb_u16(w, 0);
	wb_u64(w, UINT64_MAX);
	wb_opt(w, 1, "section", 7);
	wb_optend(w);
	blk_end(w, at);
	bound(e, w->len);

	at = blk_begin(w, 1);
	wb_u16(w, 1);
	wb_u16(w, 0);
	wb_u32(w, 0);
	wb_opt(w, 2, "eth0", 4);
	wb_opt(w, 9, "\x09", 1);
	wb_optend(w);
	blk_end(w, at);
	bound(e, w->len);

	at = blk_begin(w, 4);
	wb_u16(w, 1);
	wb_u16(w, 9);
	wb_put(w, mcast, 4);
	wb_put(w, "feed", 5);
	wb_pad(w);
	wb_u32(w, 0);
	blk_end(w, at);
	bound(e, w->len);

	memset(longname, 'n', sizeof(longname));
	at = blk_begin(w, 1);
	wb_u16(w, 101);
	wb_u16(w, 0);
	wb_u32(w, 9000);
	wb_opt(w, 2, longname, sizeof(longname));
	wb_opt(w, 9, "\x06", 1);
	wb_opt64(w, 14, 10);
	wb_optend(w);
	blk_end(w, at);
	bound(e, w->len);

	at = blk_begin(w, 1);
	wb_u16(w, 1);
	wb_u16(w, 0);
	wb_u32(w, 4);
	wb_opt(w, 9, "\x8a", 1); /* 2^-10 s, and no opt_endofopt */
	blk_end(w, at);
	bound(e, w->len);

	x = expect(e, if_base + 0, 1700000000123456789ULL, 13, 60);
	wb_epb(w, x, 0, 1700000000123456789ULL);
	bound(e, w->len);

	x = expect(e, if_base + 1, (1700000000ULL + 10) * 1000000000 + 123456000, 8, 8);
	x->flags = 0x5;
	x->drop = 3;
	at = blk_begin(w, 6);
	wb_u32(w, 1);
	wb_u32(w, (uint32_t)(1700000000123456ULL >> 32));
	wb_u32(w, (uint32_t)1700000000123456ULL);
	wb_u32(w, x->caplen);
	wb_u32(w, x->wirelen);
	wb_put(w, x->data, x->caplen);
	wb_opt(w, 1, "a comment", 9);
	wb_opt32(w, 2, x->flags);
	wb_opt(w, 0x8001, "local", 5); /* unknown options are skipped */
	wb_opt64(w, 4, x->drop);
	wb_optend(w);
	blk_end(w, at);
	x->end = w->len;
	bound(e, w->len);

	at = blk_begin(w, 5);
	wb_u32(w, 0);
	wb_u32(w, 1);
	wb_u32(w, 2);
	wb_opt64(w, 4, 100);
	wb_optend(w);
	blk_end(w, at);
	bound(e, w->len);

	at = blk_begin(w, 0xBAD);
	wb_u32(w, 32473);
	wb_put(w, "custom", 6);
	wb_pad(w);
	blk_end(w, at);
	bound(e, w->len);

	x = expect(e, if_base + 2, 5500000000ULL, 4, 100);
	wb_epb(w, x, 2, 5 * 1024 + 512);
	bound(e, w->len);

	/* SPB: interface 0 (snaplen 0 = none), captured length from the block */
	x = expect(e, if_base + 0, 0, 10, 10);
	at = blk_begin(w, 3);
	wb_u32(w, x->wirelen);
	wb_put(w, x->data, x->caplen);
	wb_pad(w);
	blk_end(w, at);
	x->end = w->len;
	bound(e, w->len);

	/* obsolete PB with pack_flags */
	x = expect(e, if_base + 1, (1700000001ULL + 10) * 1000000000 + 5000, 3, 3);
	x->drop = 2;
	x->flags = 0x1;
	at = blk_begin(w, 2);
	wb_u16(w, 1);
	wb_u16(w, 2);
	wb_u32(w, (uint32_t)(1700000001000005ULL >> 32));
	wb_u32(w, (uint32_t)1700000001000005ULL);
	wb_u32(w, x->caplen);
	wb_u32(w, x->wirelen);
	wb_put(w, x->data, x->caplen);
	wb_pad(w);
	wb_opt32(w, 2, x->flags);
	wb_optend(w);
	blk_end(w, at);
	x->end = w->len;
	bound(e, w->len);

	at = blk_begin(w, 0x12345678);
	wb_u64(w, 0);
	blk_end(w, at);
	bound(e, w->len);

	x = expect(e, if_base + 0, 1700000002000000000ULL, 0, 0);
	wb_epb(w, x, 0, 1700000002000000000ULL);
	bound(e, w->len);
}

static void build_pcapng(struct wb *w, struct expv *e, bool be)
{
	memset(e, 0, sizeof(*e));
	*w = (struct wb){ .be = be };
	build_section(w, e, 0);
}

static void build_pcap(struct wb *w, struct expv *e, bool be, bool nsec)
{
	static const uint32_t caplens[] = { 14, 0, 64, 1 };
	uint64_t ts;
	struct exp *x;
	unsigned int i;

	memset(e, 0, sizeof(*e));
	*w = (struct wb){ .be = be };
	wb_u32(w, nsec ? 0xA1B23C4D : 0xA1B2C3D4);
	wb_u16(w, 2);
	wb_u16(w, 4);
	wb_u32(w, 0);
	wb_u32(w, 0);
	wb_u32(w, 65535);
	wb_u32(w, 1 | 0x10000000); /* FCS bits above the link type */
	bound(e, w->len);
	for (i = 0; i < sizeof(caplens) / sizeof(caplens[0]); i++) {
		ts = 1700000000ULL * 1000000000 + i * 1000001000ULL;
		x = expect(e, 0, ts, caplens[i], caplens[i] + 4);
		wb_u32(w, (uint32_t)(ts / 1000000000));
		wb_u32(w, (uint32_t)(ts % 1000000000 / (nsec ? 1 : 1000)));
		wb_u32(w, x->caplen);
		wb_u32(w, x->wirelen);
		wb_put(w, x->data, x->caplen);
		x->end = w->len;
		bound(e, w->len);
	}
}

/* ---- checking ---- */

static void check_rec(const struct capfile_rec *r, const struct exp *x, unsigned int i)
{
	if (r->ts_ns != x->ts_ns || r->caplen != x->caplen || r->wirelen != x->wirelen ||
	    r->if_id != x->if_id || r->epb_flags != x->flags || r->dropcount != x->drop ||
	    (x->caplen && memcmp(r->data, x->data, x->caplen)))
		T_FAIL("record %u: ts %llu/%llu caplen %u/%u wirelen %u/%u if %u/%u flags %x/%x "
		       "drop %llu/%llu",
		       i, (unsigned long long)r->ts_ns, (unsigned long long)x->ts_ns, r->caplen,
		       x->caplen, r->wirelen, x->wirelen, r->if_id, x->if_id, r->epb_flags,
		       x->flags, (unsigned long long)r->dropcount, (unsigned long long)x->drop);
}

/* Read everything; @return the final status (0 or -errno), records in *n. */
static int read_all(struct capfile *f, const struct expv *e, unsigned int *n)
{
	struct capfile_rec r;
	int ret;

	*n = 0;
	while ((ret = capfile_next(f, &r)) == 1) {
		T_ASSERT(*n < e->n);
		check_rec(&r, &e->r[*n], *n);
		T_ASSERT(r.if_id < capfile_nifaces(f));
		(*n)++;
	}
	return ret;
}

static void expect_whole(const void *buf, size_t len, const struct expv *e, enum capfile_format fmt)
{
	struct capfile *f;
	unsigned int n;

	T_EQ(capfile_open_mem(buf, len, "mem", &f), 0);
	T_EQ(capfile_format(f), fmt);
	T_EQ(read_all(f, e, &n), 0);
	T_EQ(n, e->n);
	T_EQ(capfile_next(f, &(struct capfile_rec){ 0 }), 0);
	capfile_close(f);
}

static void test_pcapng_both_orders(void)
{
	const struct capfile_iface *i;
	struct capfile *f;
	struct expv e;
	struct wb w;
	int be;

	for (be = 0; be < 2; be++) {
		build_pcapng(&w, &e, be);
		expect_whole(w.p, w.len, &e, CAPFILE_PCAPNG);

		T_EQ(capfile_open_mem(w.p, w.len, "mem", &f), 0);
		T_ASSERT(!strcmp(capfile_error(f), "mem: no error"));
		/* open read the interfaces ahead of the first packet */
		T_EQ(capfile_nifaces(f), 3);
		i = capfile_iface(f, 0);
		T_EQ(i->linktype, 1);
		T_EQ(i->ts_per_sec, 1000000000);
		T_ASSERT(!strcmp(i->name, "eth0"));
		i = capfile_iface(f, 1);
		T_EQ(i->linktype, 101);
		T_EQ(i->snaplen, 9000);
		T_EQ(i->ts_per_sec, 1000000);
		T_EQ(i->tsoffset, 10);
		T_EQ(strlen(i->name), 63);
		T_EQ(capfile_iface(f, 2)->ts_per_sec, 1024);
		T_ASSERT(!capfile_iface(f, 3));
		T_EQ(capfile_compressed(f), 0);
		capfile_close(f);
		free(w.p);
	}
}

/*
 * Packet blocks before an offset are passed over, nothing else: with the
 * offset inside packet k's block, packets k+1... come as always, and the
 * carried blocks all come, in their order.
 */
static void test_skip_packets(void)
{
	struct capfile_rec r;
	unsigned int k, n, blocks, all_blocks = 0;
	struct capfile *f;
	struct expv e;
	struct wb w;
	int ret;

	build_pcapng(&w, &e, false);
	for (k = 0; k <= e.n; k++) {
		T_EQ(capfile_open_mem(w.p, w.len, "mem", &f), 0);
		capfile_carry(f, true);
		if (k)
			capfile_skip_packets_before(f, e.r[k - 1].end - 1);
		n = k;
		blocks = 0;
		while ((ret = capfile_next(f, &r)) > 0) {
			if (ret == 2) {
				blocks++;
				continue;
			}
			T_ASSERT(n < e.n);
			check_rec(&r, &e.r[n], n);
			n++;
		}
		T_EQ(ret, 0);
		T_EQ(n, e.n);
		if (!k)
			all_blocks = blocks;
		T_EQ(blocks, all_blocks);
		capfile_close(f);
	}
	T_ASSERT(all_blocks > 0);
	free(w.p);
}

static void test_sections(void)
{
	struct expv e, e2;
	struct wb w, w2;
	struct capfile *f;
	unsigned int n, k;

	/* a little-endian section followed by a big-endian one */
	build_pcapng(&w, &e, false);
	build_pcapng(&w2, &e2, true);
	for (k = 0; k < e2.n; k++) {
		e2.r[k].if_id += 3;
		e.r[e.n++] = e2.r[k];
	}
	wb_put(&w, w2.p, w2.len);
	T_EQ(capfile_open_mem(w.p, w.len, "two", &f), 0);
	T_EQ(read_all(f, &e, &n), 0);
	T_EQ(n, e.n);
	T_EQ(capfile_nifaces(f), 6);
	T_EQ(capfile_iface(f, 4)->linktype, 101);
	T_EQ(capfile_offset(f), w.len);
	capfile_close(f);
	free(w.p);
	free(w2.p);
}

static void test_pcap(void)
{
	struct capfile *f;
	struct expv e;
	struct wb w;
	int be, ns;

	for (be = 0; be < 2; be++) {
		for (ns = 0; ns < 2; ns++) {
			build_pcap(&w, &e, be, ns);
			expect_whole(w.p, w.len, &e, CAPFILE_PCAP);
			T_EQ(capfile_open_mem(w.p, w.len, "mem", &f), 0);
			T_EQ(capfile_nifaces(f), 1);
			T_EQ(capfile_iface(f, 0)->linktype, 1);
			T_EQ(capfile_iface(f, 0)->snaplen, 65535);
			T_EQ(capfile_iface(f, 0)->ts_per_sec, ns ? 1000000000 : 1000000);
			capfile_close(f);
			free(w.p);
		}
	}
}

/* Compress [0, len) as frames split at the given offsets. */
static void zstd_frames(struct wb *out, const uint8_t *p, size_t len, const size_t *cuts,
			size_t ncuts, bool skippable)
{
	size_t i, a = 0, b, bound, n;
	uint8_t *tmp;

	*out = (struct wb){ 0 };
	for (i = 0; i <= ncuts; i++) {
		b = i < ncuts ? cuts[i] : len;
		bound = ZSTD_compressBound(b - a);
		tmp = malloc(bound);
		T_ASSERT(tmp);
		n = ZSTD_compress(tmp, bound, p + a, b - a, 3);
		T_ASSERT(!ZSTD_isError(n));
		wb_put(out, tmp, n);
		free(tmp);
		if (skippable && i == 0) {
			static const uint8_t skip[] = {
				0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3
			};

			wb_put(out, skip, sizeof(skip));
		}
		a = b;
	}
}

static void test_zstd(void)
{
	size_t cuts[] = { 5, 77, 300 };
	struct capfile *f;
	struct expv e;
	struct wb w, z;
	unsigned int n;

	build_pcapng(&w, &e, false);
	zstd_frames(&z, w.p, w.len, NULL, 0, false);
	expect_whole(z.p, z.len, &e, CAPFILE_PCAPNG);
	T_EQ(capfile_open_mem(z.p, z.len, "z", &f), 0);
	T_EQ(capfile_compressed(f), 1);
	T_EQ(read_all(f, &e, &n), 0);
	T_EQ(capfile_offset(f), w.len);
	capfile_close(f);
	free(z.p);

	T_ASSERT(cuts[2] < w.len);
	zstd_frames(&z, w.p, w.len, cuts, 3, true);
	expect_whole(z.p, z.len, &e, CAPFILE_PCAPNG);
	free(z.p);
	free(w.p);

	build_pcap(&w, &e, true, true);
	zstd_frames(&z, w.p, w.len, cuts, 1, false);
	expect_whole(z.p, z.len, &e, CAPFILE_PCAP);
	free(z.p);
	free(w.p);
}

/*
 * A live or crashed file: one frame, flushed after some blocks, cut at the
 * flush.  Every flushed packet is read, then one -EIO naming the frame.
 */
static void test_zstd_flushed(void)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct capfile *f;
	struct expv e;
	struct wb w, z = { 0 };
	unsigned int n, cut = 7;
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t left;
	uint8_t buf[65536];

	build_pcapng(&w, &e, false);
	T_ASSERT(c);
	in = (ZSTD_inBuffer){ w.p, e.bounds[cut], 0 };
	do {
		out = (ZSTD_outBuffer){ buf, sizeof(buf), 0 };
		left = ZSTD_compressStream2(c, &out, &in, ZSTD_e_flush);
		T_ASSERT(!ZSTD_isError(left));
		wb_put(&z, buf, out.pos);
	} while (left);
	T_EQ(capfile_open_mem(z.p, z.len, "live", &f), 0);
	T_EQ(read_all(f, &e, &n), -EIO);
	for (; e.n && e.r[e.n - 1].end > e.bounds[cut]; e.n--)
		;
	T_EQ(n, e.n);
	T_ASSERT(strstr(capfile_error(f), "zstd frame incomplete"));
	T_EQ(capfile_next(f, &(struct capfile_rec){ 0 }), 0);
	capfile_close(f);
	ZSTD_freeCCtx(c);
	free(z.p);
	free(w.p);
}

static bool is_bound(const struct expv *e, size_t k)
{
	unsigned int i;

	for (i = 0; i < e->nb; i++)
		if (e->bounds[i] == k)
			return true;
	return false;
}

static unsigned int packets_before(const struct expv *e, size_t k)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->n; i++)
		n += e->r[i].end <= k;
	return n;
}

/* Cut a file at every offset: whole packets, then a clean end or one -EIO. */
static void truncate_everywhere(const struct wb *w, const struct expv *e, size_t magic_len)
{
	struct capfile *f;
	unsigned int n;
	size_t k;
	int r;

	for (k = 0; k <= w->len; k++) {
		r = capfile_open_mem(w->p, k, "cut", &f);
		if (k < magic_len) {
			T_EQ(r, -EINVAL);
			T_ASSERT(!f);
			T_ASSERT(strstr(capfile_error(NULL), "cut: offset 0: "));
			continue;
		}
		T_EQ(r, 0);
		r = read_all(f, e, &n);
		if (n != packets_before(e, k))
			T_FAIL("cut at %zu: %u packets, expected %u", k, n, packets_before(e, k));
		if (is_bound(e, k)) {
			if (r)
				T_FAIL("cut at boundary %zu: %d %s", k, r, capfile_error(f));
		} else {
			char want[64];

			if (r != -EIO)
				T_FAIL("cut at %zu: %d %s", k, r, capfile_error(f));
			snprintf(want, sizeof(want), "truncated at offset %zu ", k);
			if (!strstr(capfile_error(f), want))
				T_FAIL("cut at %zu: message '%s'", k, capfile_error(f));
			T_EQ(capfile_next(f, &(struct capfile_rec){ 0 }), 0);
		}
		capfile_close(f);
	}
}

/* Cut a compressed file anywhere: whole packets, then 0, -EIO or an open refusal. */
static void truncate_zstd_everywhere(const struct wb *z, const struct expv *e)
{
	struct capfile *f;
	unsigned int n;
	size_t k;
	int r;

	for (k = 0; k <= z->len; k++) {
		r = capfile_open_mem(z->p, k, "zcut", &f);
		if (r) {
			/* too little decompressed data to recognise the format */
			T_EQ(r, -EINVAL);
			continue;
		}
		r = read_all(f, e, &n);
		if (k == z->len)
			T_EQ(r, 0);
		else if (r != -EIO)
			T_FAIL("zstd cut at %zu: %d %s", k, r, capfile_error(f));
		capfile_close(f);
	}
}

static void test_truncation(void)
{
	size_t cuts[] = { 100, 333 };
	struct expv e;
	struct wb w, z;
	int be;

	for (be = 0; be < 2; be++) {
		build_pcapng(&w, &e, be);
		truncate_everywhere(&w, &e, 4);
		free(w.p);
		build_pcap(&w, &e, be, !be);
		truncate_everywhere(&w, &e, 4);
		free(w.p);
	}
	build_pcapng(&w, &e, false);
	zstd_frames(&z, w.p, w.len, cuts, 2, false);
	truncate_zstd_everywhere(&z, &e);
	free(z.p);
	free(w.p);
}

/* Index of the nth block (0 = SHB) of a little-endian file. */
static size_t block_at(const struct wb *w, unsigned int nth)
{
	size_t off = 0;
	uint32_t len;

	while (nth--) {
		memcpy(&len, w->p + off + 4, 4);
		off += le32toh(len);
	}
	return off;
}

struct corruption {
	const char *what;
	unsigned int block; /* which block to change */
	size_t at;	    /* offset in the block; SIZE_MAX = the trailing length */
	uint32_t value;
	int err;
	const char *msg;
};

static void test_corruption(void)
{
	/* blocks: 0 SHB, 1 IDB, 2 NRB, 3 IDB, 4 IDB, 5 EPB, 6 EPB ... */
	static const struct corruption c[] = {
		{ "length 0", 5, 4, 0, -EBADMSG, "length 0 too short" },
		{ "length 8", 5, 4, 8, -EBADMSG, "length 8 too short" },
		{ "length 13", 5, 4, 13, -EBADMSG, "not a multiple of 4" },
		{ "length huge", 5, 4, 0x7FFFFFF0, -EFBIG, "exceeds the 16 MiB limit" },
		{ "length 17 MiB", 5, 4, 17u << 20, -EFBIG, "exceeds the 16 MiB limit" },
		{ "length +4", 5, 4, 0, -EBADMSG, "trailing length" }, /* value set below */
		{ "trailer", 5, SIZE_MAX, 40, -EBADMSG, "trailing length 40" },
		{ "caplen", 5, 20, 100, -EBADMSG, "captured length 100 exceeds" },
		{ "caplen max", 5, 20, UINT32_MAX, -EBADMSG, "captured length 4294967295" },
		{ "if_id", 5, 8, 3, -EBADMSG, "interface 3 not described" },
		{ "option overrun", 6, 36, 0x00400001, -EBADMSG, "overruns the block" },
		{ "flags length", 6, 52, 0x00080002, -EBADMSG, "option 2 has length 8, not 4" },
		{ "tsresol", 1, 24, 0x00020009, -EBADMSG, "option 9 has length 2, not 1" },
		{ "tsresol 10^-20", 1, 28, 20, -EBADMSG, "if_tsresol 10^-20 unsupported" },
		{ "tsresol 2^-64", 1, 28, 0xC0, -EBADMSG, "if_tsresol 2^-64 unsupported" },
		{ "version", 0, 12, 2, -EBADMSG, "unsupported pcapng version 2.0" },
	};
	struct capfile_rec r;
	struct capfile *f;
	size_t i, off, at;
	struct expv e;
	struct wb w;
	unsigned int n;
	uint32_t v, len;
	char want[64];
	int ret;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		build_pcapng(&w, &e, false);
		off = block_at(&w, c[i].block);
		memcpy(&len, w.p + off + 4, 4);
		at = c[i].at == SIZE_MAX ? len - 4 : c[i].at;
		v = htole32(c[i].value);
		if (!strcmp(c[i].what, "length +4"))
			v = htole32(len + 4);
		memcpy(w.p + off + at, &v, 4);
		ret = capfile_open_mem(w.p, w.len, "bad", &f);
		T_EQ(ret, 0);
		ret = read_all(f, &e, &n);
		if (ret != c[i].err || !strstr(capfile_error(f), c[i].msg))
			T_FAIL("%s: %d '%s'", c[i].what, ret, capfile_error(f));
		snprintf(want, sizeof(want), "bad: offset %zu: ", off);
		if (strncmp(capfile_error(f), want, strlen(want)))
			T_FAIL("%s: '%s' does not start with '%s'", c[i].what, capfile_error(f),
			       want);
		T_EQ(n, packets_before(&e, off));
		/* malformed input stays an error */
		T_EQ(capfile_next(f, &r), c[i].err);
		capfile_close(f);
		free(w.p);
	}
}

static void wb_shb(struct wb *w)
{
	size_t at = blk_begin(w, 0x0A0D0D0A);

	wb_u32(w, 0x1A2B3C4D);
	wb_u16(w, 1);
	wb_u16(w, 0);
	wb_u64(w, UINT64_MAX);
	blk_end(w, at);
}

static void wb_idb(struct wb *w)
{
	size_t at = blk_begin(w, 1);

	wb_u16(w, 1);
	wb_u16(w, 0);
	wb_u32(w, 0);
	blk_end(w, at);
}

/* Run a file to its first error: err, with msg in the message. */
static void expect_error(const struct wb *w, int err, const char *msg)
{
	struct capfile_rec r;
	struct capfile *f;
	int ret;

	T_EQ(capfile_open_mem(w->p, w->len, "e", &f), 0);
	while ((ret = capfile_next(f, &r)) == 1)
		;
	if (ret != err || !strstr(capfile_error(f), msg))
		T_FAIL("want %d '%s', got %d '%s'", err, msg, ret, capfile_error(f));
	capfile_close(f);
}

/* Blocks shorter than their fixed part, and the other refusals. */
static void test_refusals(void)
{
	static const struct {
		uint32_t type;
		const char *msg;
	} shorts[] = {
		{ 1, "interface description of 12 bytes too short" },
		{ 6, "EPB of 12 bytes too short" },
		{ 3, "SPB of 12 bytes too short" },
		{ 2, "PB of 12 bytes too short" },
	};
	static const uint8_t lz4[] = { 0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7 };
	struct capfile *f;
	struct expv e;
	struct wb w;
	size_t i, at;

	for (i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
		w = (struct wb){ 0 };
		wb_shb(&w);
		wb_idb(&w);
		blk_end(&w, blk_begin(&w, shorts[i].type));
		expect_error(&w, -EBADMSG, shorts[i].msg);
		free(w.p);
	}

	/* a second section too short for its header, or with a bad byte order */
	w = (struct wb){ 0 };
	wb_shb(&w);
	wb_idb(&w);
	at = blk_begin(&w, 0x0A0D0D0A);
	wb_u32(&w, 0x1A2B3C4D);
	blk_end(&w, at);
	expect_error(&w, -EBADMSG, "e: offset 48: section header of 16 bytes too short");
	wb_set32(&w, at + 8, 0x12345678);
	expect_error(&w, -EBADMSG, "e: offset 48: bad byte-order magic 0x12345678");
	free(w.p);

	/* interfaces are bounded over the whole file */
	w = (struct wb){ 0 };
	wb_shb(&w);
	for (i = 0; i <= CAPFILE_IFACES_MAX; i++)
		wb_idb(&w);
	expect_error(&w, -EBADMSG, "more than 65536 interfaces");
	T_EQ(capfile_open_mem(w.p, w.len, "e", &f), 0);
	T_EQ(capfile_nifaces(f), CAPFILE_IFACES_MAX);
	capfile_close(f);
	free(w.p);

	build_pcap(&w, &e, false, true);
	w.p[4] = 3;
	expect_error(&w, -EBADMSG, "e: offset 0: unsupported pcap version 3.4");
	w.p[4] = 2;
	wb_u32(&w, 0);
	wb_u32(&w, 0);
	wb_u32(&w, 17u << 20);
	wb_u32(&w, 17u << 20);
	expect_error(&w, -EFBIG, "record of 17825792 bytes exceeds the 16 MiB limit");
	free(w.p);

	T_EQ(capfile_open_mem(lz4, sizeof(lz4), "lz4", &f), -EINVAL);
	T_ASSERT(strstr(capfile_error(NULL), "lz4cat"));
	T_EQ(capfile_open_mem(NULL, 0, "nothing", &f), -EINVAL);
	T_ASSERT(!strcmp(capfile_error(NULL), "nothing: offset 0: empty file"));
}

/* Random damage never crashes, and every failure says where. */
static void test_mutations(void)
{
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	struct capfile_rec r;
	struct capfile *f;
	struct expv e;
	struct wb w, m, z;
	unsigned int it, k, flips, n;
	int ret;

	build_pcapng(&w, &e, false);
	zstd_frames(&z, w.p, w.len, NULL, 0, false);
	m = (struct wb){ .p = malloc(w.len + z.len) };
	T_ASSERT(m.p);
	for (it = 0; it < 20000; it++) {
		const struct wb *src = it % 4 == 3 ? &z : &w;

		memcpy(m.p, src->p, src->len);
		m.len = src->len;
		flips = 1 + it % 5;
		for (k = 0; k < flips; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			m.p[(seed >> 33) % m.len] ^= (uint8_t)(1u << ((seed >> 20) % 8));
		}
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (it % 7 == 0)
			m.len = (seed >> 33) % (m.len + 1);
		if (capfile_open_mem(m.p, m.len, "mut", &f)) {
			T_ASSERT(!strncmp(capfile_error(NULL), "mut: ", 5));
			continue;
		}
		capfile_carry(f, it % 2); /* carried blocks are checked too */
		n = 0;
		while ((ret = capfile_next(f, &r)) == 1 || ret == 2) {
			T_ASSERT(ret == 2 ? it % 2 && (r.if_id == UINT32_MAX ||
						       r.if_id < capfile_nifaces(f))
					  : r.if_id < capfile_nifaces(f));
			T_ASSERT(++n < 1000);
		}
		if (ret < 0)
			T_ASSERT(!strncmp(capfile_error(f), "mut: offset ", 12));
		capfile_close(f);
	}
	free(m.p);
	free(z.p);
	free(w.p);
}

static const char *tmpdir;

static void write_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	T_ASSERT(fd >= 0);
	T_EQ(write(fd, p, len), (ssize_t)len);
	T_EQ(close(fd), 0);
}

static void test_files(void)
{
	static const uint8_t gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 };
	char path[256];
	struct capfile *f;
	struct expv e;
	struct wb w, z;
	unsigned int n;
	int fds[2], saved, status;
	pid_t pid;
	size_t i;

	T_EQ(capfile_open("/nonexistent/x.pcapng", &f), -ENOENT);
	T_ASSERT(!f);
	T_ASSERT(strstr(capfile_error(NULL), "/nonexistent/x.pcapng: No such file"));

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "", 0);
	T_EQ(capfile_open(path, &f), -EINVAL);
	T_ASSERT(strstr(capfile_error(NULL), "empty file"));

	snprintf(path, sizeof(path), "%s/text", tmpdir);
	write_file(path, "<!DOCTYPE html>", 15);
	T_EQ(capfile_open(path, &f), -EINVAL);
	T_ASSERT(
		strstr(capfile_error(NULL), "not a pcapng or pcap file (starts with 3c 21 44 4f)"));

	snprintf(path, sizeof(path), "%s/gz", tmpdir);
	write_file(path, gz, sizeof(gz));
	T_EQ(capfile_open(path, &f), -EINVAL);
	T_ASSERT(strstr(capfile_error(NULL), "zcat"));

	build_pcapng(&w, &e, true);
	zstd_frames(&z, w.p, w.len, NULL, 0, false);
	snprintf(path, sizeof(path), "%s/be.pcapng.zst", tmpdir);
	write_file(path, z.p, z.len);
	T_EQ(capfile_open(path, &f), 0);
	T_EQ(read_all(f, &e, &n), 0);
	T_EQ(n, e.n);
	capfile_close(f);

	/* "-" is stdin, which stays open */
	saved = dup(STDIN_FILENO);
	T_ASSERT(saved >= 0);
	T_EQ(dup2(open(path, O_RDONLY | O_CLOEXEC), STDIN_FILENO), STDIN_FILENO);
	T_EQ(capfile_open("-", &f), 0);
	T_EQ(read_all(f, &e, &n), 0);
	T_EQ(n, e.n);
	capfile_close(f);
	T_ASSERT(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	T_EQ(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);

	/* a pipe fed a few bytes at a time: nothing relies on seeking */
	T_EQ(pipe(fds), 0);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		close(fds[0]);
		for (i = 0; i < z.len; i += 7)
			if (write(fds[1], z.p + i, z.len - i < 7 ? z.len - i : 7) < 0)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	T_EQ(capfile_open_fd(fds[0], "pipe", &f), 0);
	T_EQ(read_all(f, &e, &n), 0);
	T_EQ(n, e.n);
	capfile_close(f);
	T_EQ(fcntl(fds[0], F_GETFD) >= 0, 1); /* not ours to close */
	close(fds[0]);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status));
	free(z.p);
	free(w.p);
}

/* A packet of 1 MiB grows the block buffer; a 17 MiB one is refused unread. */
static void test_big(void)
{
	const uint32_t big = 1u << 20;
	struct capfile_rec r;
	struct capfile *f;
	struct expv e;
	struct wb w;
	size_t at;

	build_pcapng(&w, &e, false);
	at = blk_begin(&w, 6);
	wb_u32(&w, 0);
	wb_u64(&w, 0);
	wb_u32(&w, big);
	wb_u32(&w, big);
	wb_put(&w, NULL, big);
	w.p[w.len - 1] = 0x5A;
	blk_end(&w, at);
	T_EQ(capfile_open_mem(w.p, w.len, "big", &f), 0);
	while (capfile_next(f, &r) == 1 && r.caplen != big)
		;
	T_EQ(r.caplen, big);
	T_EQ(r.data[big - 1], 0x5A);
	T_EQ(capfile_next(f, &r), 0);
	capfile_close(f);

	/* only the header of the oversized block exists: it must not be read */
	w.len = at;
	at = blk_begin(&w, 6);
	wb_set32(&w, at + 4, 17u << 20);
	T_EQ(capfile_open_mem(w.p, w.len, "huge", &f), 0);
	while (capfile_next(f, &r) == 1)
		;
	T_EQ(capfile_next(f, &r), -EFBIG);
	capfile_close(f);
	free(w.p);
}

/* ---- the whole format, for re-writing ---- */

static bool host_be(void)
{
	return htobe16(1) == 1;
}

/* An empty buffer that writes numbers in host order: an OPTIONS BLOB. */
static struct wb host_wb(void)
{
	return (struct wb){ .be = host_be() };
}

static void wb_shb_order(struct wb *w, bool be)
{
	w->be = be;
	wb_shb(w);
}

static void wb_custom_opt(struct wb *w, uint16_t code, uint32_t pen, const void *d, uint16_t n)
{
	wb_u16(w, code);
	wb_u16(w, 4 + n);
	wb_u32(w, pen);
	wb_put(w, d, n);
	wb_pad(w);
}

/*
 * Every IDB option the draft defines, a custom one of each kind, an unknown
 * one and an if_speed of the wrong length: into a file (blob false), or as
 * the reader must hand them on (blob true) from a section in order file_be.
 */
static void idb_opts(struct wb *w, bool blob, bool file_be)
{
	static const uint8_t v4[8] = { 192, 0, 2, 1, 255, 255, 255, 0 };
	static const uint8_t v6[17] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 64 };
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t eui[8] = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };

	wb_opt(w, 1, "an interface", 12);
	wb_opt(w, 2, "eth1", 4);
	wb_opt(w, 3, "uplink", 6);
	wb_opt(w, 4, v4, 8);
	wb_opt(w, 5, v6, 17);
	wb_opt(w, 6, mac, 6);
	wb_opt(w, 7, eui, 8);
	wb_opt64(w, 8, 10000000000ULL);
	if (!blob)
		wb_opt(w, 9, "\x89", 1); /* 2^-9 s */
	wb_opt32(w, 10, (uint32_t)-3600);
	wb_opt(w, 11, "\0udp port 319", 13);
	wb_opt(w, 12, "Linux 6.1", 9);
	wb_opt(w, 13, "\x20", 1);
	if (!blob)
		wb_opt64(w, 14, 100);
	wb_opt(w, 15, "ConnectX-6", 10);
	wb_opt64(w, 16, 25000000000ULL);
	wb_opt64(w, 17, 1000000000ULL);
	wb_opt(w, 18, "Europe/London", 13);
	wb_custom_opt(w, 2988, 32473, "hello", 5);
	wb_custom_opt(w, 2989, 32473, "\x01\x02\x03", 3);
	wb_custom_opt(w, 19372, 32473, "private", 7);
	if (!blob || !file_be)
		wb_opt(w, 0x8123, "zz", 2); /* unknown: kept from a host-order section only */
	if (!blob) {
		wb_u16(w, 8); /* if_speed of 4 bytes: dropped */
		wb_u16(w, 4);
		wb_u32(w, 1);
		wb_optend(w);
	}
}

/* EPB options: the blob holds every one, numbers in host order. */
static void epb_opts(struct wb *w, bool blob, bool file_be)
{
	wb_opt(w, 1, "a packet", 8);
	wb_opt32(w, 2, 0x5);
	wb_opt(w, 3, "\x02\xde\xad\xbe\xef", 5);
	wb_opt64(w, 4, 7);
	wb_opt64(w, 5, 0x1122334455667788ULL);
	wb_opt32(w, 6, 3);
	wb_u16(w, 7); /* epb_verdict: eBPF TC, a u64 */
	wb_u16(w, 9);
	wb_put(w, "\x01", 1);
	wb_u64(w, 0x0102030405060708ULL);
	wb_pad(w);
	wb_opt(w, 7, "\x00\xaa\xbb", 3); /* hardware verdict: bytes */
	if (!blob || !file_be)
		wb_opt(w, 0x9000, "local", 5);
	if (!blob) {
		wb_u16(w, 6); /* epb_queue of 2 bytes: dropped */
		wb_u16(w, 2);
		wb_u32(w, 0);
		wb_optend(w);
	}
}

static void wb_idb_full(struct wb *w, uint16_t linktype, uint32_t snaplen)
{
	size_t at = blk_begin(w, 1);

	wb_u16(w, linktype);
	wb_u16(w, 0);
	wb_u32(w, snaplen);
	idb_opts(w, false, w->be);
	blk_end(w, at);
}

static void wb_idb_plain(struct wb *w, uint16_t linktype, const char *name)
{
	size_t at = blk_begin(w, 1);

	wb_u16(w, linktype);
	wb_u16(w, 0);
	wb_u32(w, 0);
	wb_opt(w, 2, name, (uint16_t)strlen(name));
	wb_optend(w);
	blk_end(w, at);
}

static void wb_epb_plain(struct wb *w, uint32_t if_id, uint64_t ts, uint8_t fill)
{
	size_t at = blk_begin(w, 6);
	uint8_t d[5];

	memset(d, fill, sizeof(d));
	wb_u32(w, if_id);
	wb_u32(w, (uint32_t)(ts >> 32));
	wb_u32(w, (uint32_t)ts);
	wb_u32(w, sizeof(d));
	wb_u32(w, 60);
	wb_put(w, d, sizeof(d));
	wb_pad(w);
	blk_end(w, at);
}

static void check_blob(const uint8_t *p, uint32_t n, const struct wb *want, const char *what)
{
	size_t i;

	if (n == want->len && (!n || !memcmp(p, want->p, n)))
		return;
	for (i = 0; i < n && i < want->len && p[i] == want->p[i]; i++)
		;
	T_FAIL("%s: blob of %u bytes, want %zu; first difference at %zu", what, n, want->len, i);
}

/* An IDB with every option, then an EPB with every option, a PB, an SPB. */
static void build_opts_file(struct wb *w, bool be)
{
	size_t at;

	*w = (struct wb){ 0 };
	wb_shb_order(w, be);
	wb_idb_full(w, 113, 262144);
	/* an EPB at 5.5 s in 2^-9 s units, if_tsoffset 100 s */
	at = blk_begin(w, 6);
	wb_u32(w, 0);
	wb_u32(w, 0);
	wb_u32(w, 5 * 512 + 256);
	wb_u32(w, 4);
	wb_u32(w, 4);
	wb_put(w, "abcd", 4);
	epb_opts(w, false, be);
	blk_end(w, at);
	/* an obsolete PB: pack_flags and pack_hash keep their codes */
	at = blk_begin(w, 2);
	wb_u16(w, 0);
	wb_u16(w, 0xFFFF);
	wb_u32(w, 0);
	wb_u32(w, 512);
	wb_u32(w, 1);
	wb_u32(w, 1);
	wb_put(w, "x", 1);
	wb_pad(w);
	wb_opt32(w, 2, 0x2);
	wb_opt(w, 3, "\x02\x01\x02\x03\x04", 5);
	wb_optend(w);
	blk_end(w, at);
	/* an SPB: no timestamp */
	at = blk_begin(w, 3);
	wb_u32(w, 3);
	wb_put(w, "spb", 3);
	wb_pad(w);
	blk_end(w, at);
}

static void test_idb_and_packet_opts(void)
{
	const struct capfile_iface *i;
	const struct capfile_stats *st;
	struct capfile_rec r;
	struct capfile *f;
	struct wb w, b;
	int be;

	for (be = 0; be < 2; be++) {
		build_opts_file(&w, be);

		T_EQ(capfile_open_mem(w.p, w.len, "opts", &f), 0);
		T_EQ(capfile_nifaces(f), 1);
		i = capfile_iface(f, 0);
		T_EQ(i->linktype, 113);
		T_EQ(i->snaplen, 262144);
		T_EQ(i->tsresol, 0x89);
		T_EQ(i->ts_per_sec, 512);
		T_EQ(i->tsoffset, 100);
		T_ASSERT(!strcmp(i->name, "eth1"));
		T_EQ(i->section, 0);
		T_EQ(i->sec_id, 0);
		b = host_wb();
		idb_opts(&b, true, be);
		check_blob(i->opts, i->optlen, &b, be ? "IDB be" : "IDB le");
		free(b.p);
		T_EQ(capfile_stats(f)->opts_dropped, 1 + (unsigned)be);

		T_EQ(capfile_next(f, &r), 1);
		T_EQ(r.kind, CAPFILE_EPB);
		T_ASSERT(r.has_ts);
		T_EQ(r.ts_raw, 5 * 512 + 256);
		T_EQ(r.ts_ns, 105500000000ULL);
		T_EQ(r.epb_flags, 0x5);
		T_EQ(r.dropcount, 7);
		T_EQ(r.caplen, 4);
		T_ASSERT(!memcmp(r.data, "abcd", 4));
		b = host_wb();
		epb_opts(&b, true, be);
		check_blob(r.opts, r.optlen, &b, be ? "EPB be" : "EPB le");
		free(b.p);

		T_EQ(capfile_next(f, &r), 1);
		T_EQ(r.kind, CAPFILE_PB);
		T_EQ(r.ts_raw, 512);
		T_EQ(r.ts_ns, 101000000000ULL);
		T_EQ(r.epb_flags, 0x2);
		T_EQ(r.dropcount, 0);
		b = host_wb();
		wb_opt32(&b, 2, 0x2);
		wb_opt(&b, 3, "\x02\x01\x02\x03\x04", 5);
		check_blob(r.opts, r.optlen, &b, "PB");
		free(b.p);

		T_EQ(capfile_next(f, &r), 1);
		T_EQ(r.kind, CAPFILE_SPB);
		T_ASSERT(!r.has_ts);
		T_EQ(r.ts_raw, 0);
		T_EQ(r.ts_ns, 0);
		T_EQ(r.caplen, 3);
		T_ASSERT(!r.opts && !r.optlen);
		T_EQ(capfile_next(f, &r), 0);
		st = capfile_stats(f);
		T_EQ(st->spb, 1);
		T_EQ(st->sections, 1);
		T_EQ(st->opts_dropped, 2 + 2 * (unsigned)be);
		T_EQ(st->unknown_blocks, 0);
		capfile_close(f);
		free(w.p);
	}
}

/* Three sections, little, big, little endian: interfaces numbered across them. */
static const struct {
	bool be;
	unsigned int nif;
} mixed_sec[] = { { false, 2 }, { true, 1 }, { false, 3 } };
static const uint16_t mixed_lt[] = { 1, 113, 101, 1, 228, 147 };

static void build_mixed(struct wb *w)
{
	unsigned int s, k, g = 0;
	char name[16];

	*w = (struct wb){ 0 };
	for (s = 0; s < 3; s++) {
		wb_shb_order(w, mixed_sec[s].be);
		for (k = 0; k < mixed_sec[s].nif; k++) {
			snprintf(name, sizeof(name), "if%u.%u", s, k);
			wb_idb_plain(w, mixed_lt[g + k], name);
		}
		/* one packet per interface, last interface first */
		for (k = mixed_sec[s].nif; k-- > 0;)
			wb_epb_plain(w, k, 1000 + 10 * (g + k), (uint8_t)(g + k));
		g += mixed_sec[s].nif;
	}
}

static void test_mixed_sections(void)
{
	const struct capfile_iface *i;
	unsigned int s, k, g = 0, n;
	struct capfile_rec r;
	struct capfile *f;
	char name[16];
	struct wb w;

	build_mixed(&w);
	T_EQ(capfile_open_mem(w.p, w.len, "mixed", &f), 0);
	/* open reads up to the first packet only */
	T_EQ(capfile_nifaces(f), 2);
	g = 0;
	for (s = 0; s < 3; s++) {
		for (k = mixed_sec[s].nif; k-- > 0;) {
			T_EQ(capfile_next(f, &r), 1);
			T_EQ(r.if_id, g + k);
			T_EQ(r.ts_raw, 1000 + 10 * (g + k));
			T_EQ(r.ts_ns, (1000 + 10 * (g + k)) * 1000ULL);
			T_EQ(r.data[0], g + k);
			i = capfile_iface(f, r.if_id);
			T_EQ(i->linktype, mixed_lt[g + k]);
			T_EQ(i->section, s);
			T_EQ(i->sec_id, k);
			snprintf(name, sizeof(name), "if%u.%u", s, k);
			T_ASSERT(!strcmp(i->name, name));
			/* the blob: if_name, host order */
			n = (unsigned int)strlen(name);
			T_EQ(i->optlen, 4 + PCAPNG_PAD_T(n));
			T_EQ(*(const uint16_t *)(const void *)i->opts, 2);
			T_EQ(((const uint16_t *)(const void *)i->opts)[1], n);
			T_ASSERT(!memcmp(i->opts + 4, name, n));
		}
		g += mixed_sec[s].nif;
	}
	T_EQ(capfile_next(f, &r), 0);
	T_EQ(capfile_nifaces(f), 6);
	T_EQ(capfile_stats(f)->sections, 3);
	capfile_close(f);
	free(w.p);
}

/* The blocks a re-written file carries, built the same in any byte order. */
static void nrb_block(struct wb *w)
{
	static const uint8_t a4[4] = { 239, 1, 2, 3 };
	static const uint8_t a6[16] = { 0xff, 0x02, [15] = 0x10 };
	size_t at = blk_begin(w, 4);

	wb_u16(w, 1);
	wb_u16(w, 4 + 9);
	wb_put(w, a4, 4);
	wb_put(w, "feed-a\0b\0", 9);
	wb_pad(w);
	wb_u16(w, 2);
	wb_u16(w, 16 + 7);
	wb_put(w, a6, 16);
	wb_put(w, "feed-6", 7);
	wb_pad(w);
	wb_u32(w, 0);
	wb_opt(w, 1, "names", 5);
	wb_opt(w, 2, "dns.example", 11);
	wb_opt(w, 3, "\x0a\x00\x00\x35", 4);
	wb_optend(w);
	blk_end(w, at);
}

static void dsb_block(struct wb *w)
{
	size_t at = blk_begin(w, 0xA);

	wb_u32(w, 0x544c534b); /* TLS key log */
	wb_u32(w, 6);
	wb_put(w, "CLIENT", 6);
	wb_pad(w);
	wb_opt(w, 1, "keys", 4);
	wb_optend(w);
	blk_end(w, at);
}

static void cb_block(struct wb *w, uint32_t type)
{
	size_t at = blk_begin(w, type);

	wb_u32(w, 32473);
	wb_put(w, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	blk_end(w, at);
}

static void isb_block(struct wb *w, uint32_t if_id, uint64_t ts)
{
	size_t at = blk_begin(w, 5);

	wb_u32(w, if_id);
	wb_u32(w, (uint32_t)(ts >> 32));
	wb_u32(w, (uint32_t)ts);
	wb_opt(w, 1, "stats", 5);
	wb_u16(w, 2);
	wb_u16(w, 8);
	wb_u32(w, 0);
	wb_u32(w, 1000);
	wb_opt64(w, 4, 123456789012ULL);
	wb_opt64(w, 5, 42);
	wb_optend(w);
	blk_end(w, at);
}

static void expect_carried(struct capfile *f, uint8_t kind, void (*build)(struct wb *))
{
	struct capfile_rec r;
	struct wb b = host_wb();

	T_EQ(capfile_next(f, &r), 2);
	T_EQ(r.kind, kind);
	T_EQ(r.if_id, UINT32_MAX);
	T_ASSERT(!r.has_ts);
	build(&b);
	check_blob(r.data, r.caplen, &b, "carried block");
	free(b.p);
}

static void cb_copy(struct wb *w)
{
	cb_block(w, 0xBAD);
}

static void carried_file(struct wb *w)
{
	size_t at;

	*w = (struct wb){ 0 };
	wb_shb_order(w, false);
	wb_idb_plain(w, 1, "a");
	nrb_block(w);
	dsb_block(w);
	cb_block(w, 0xBAD);
	cb_block(w, 0x40000BAD);
	at = blk_begin(w, 0x80000001); /* local use: unknown here */
	wb_u32(w, 1);
	blk_end(w, at);
	wb_epb_plain(w, 0, 1000, 1);
	isb_block(w, 0, 2000);
	/* the second section is big endian, its interface 0 the file's 1 */
	wb_shb_order(w, true);
	wb_idb_plain(w, 101, "b");
	wb_epb_plain(w, 0, 3000, 2);
	nrb_block(w);
	dsb_block(w);
	cb_block(w, 0xBAD);
	cb_block(w, 0x40000BAD);
	isb_block(w, 0, 4000);
}

static void test_carry(void)
{
	const struct capfile_stats *st;
	struct capfile_rec r;
	struct capfile *f;
	struct wb w, b;
	int s, carry;

	carried_file(&w);
	for (carry = 0; carry < 2; carry++) {
		T_EQ(capfile_open_mem(w.p, w.len, "carry", &f), 0);
		capfile_carry(f, carry);
		for (s = 0; s < 2; s++) {
			if (carry && !s) {
				/* read by the open, ahead of the first packet */
				expect_carried(f, CAPFILE_NRB, nrb_block);
				expect_carried(f, CAPFILE_DSB, dsb_block);
				expect_carried(f, CAPFILE_CUSTOM, cb_copy);
			}
			T_EQ(capfile_next(f, &r), 1);
			T_EQ(r.kind, CAPFILE_EPB);
			T_EQ(r.if_id, (unsigned)s);
			T_EQ(r.ts_raw, 1000 + 2000 * (unsigned)s);
			if (carry && s) {
				expect_carried(f, CAPFILE_NRB, nrb_block);
				expect_carried(f, CAPFILE_DSB, dsb_block);
				expect_carried(f, CAPFILE_CUSTOM, cb_copy);
			}
			if (!carry)
				continue;
			T_EQ(capfile_next(f, &r), 2);
			T_EQ(r.kind, CAPFILE_ISB);
			T_EQ(r.if_id, (unsigned)s); /* global; the block keeps 0 */
			T_ASSERT(r.has_ts);
			T_EQ(r.ts_raw, 2000 + 2000 * (unsigned)s);
			T_EQ(r.ts_ns, (2000 + 2000 * (unsigned)s) * 1000ULL);
			b = host_wb();
			isb_block(&b, 0, 2000 + 2000 * (unsigned)s);
			check_blob(r.data, r.caplen, &b, "ISB");
			free(b.p);
		}
		T_EQ(capfile_next(f, &r), 0);
		st = capfile_stats(f);
		T_EQ(st->sections, 2);
		T_EQ(st->nocopy_blocks, 2);
		T_EQ(st->unknown_blocks, 1);
		T_EQ(st->opts_dropped, 0);
		/* the names are read either way */
		T_ASSERT(
			!strcmp(capfile_name(f, 4, (const uint8_t *)"\xef\x01\x02\x03"), "feed-a"));
		capfile_close(f);
	}
	free(w.p);
}

/*
 * Damage in carried blocks is an error for a caller that carries them (after
 * everything before it), and stays invisible to one that does not.
 */
static void test_carry_damage(void)
{
	static const struct {
		const char *what;
		unsigned int nth; /* which damage */
		unsigned int before;
		const char *msg;
	} d[] = {
		{ "NRB record past the end", 0, 1, "NRB record 1 of length 200" },
		{ "ISB option past the block", 1, 1, "option 1 of length 300" },
		{ "DSB secrets past the block", 2, 1, "secrets length 4096 exceeds" },
		{ "ISB of an unknown interface", 3, 1, "ISB: interface 5 not described" },
		{ "NRB before the first packet", 4, 0, "NRB record 1 of length 200" },
	};
	struct capfile_rec r;
	struct capfile *f;
	unsigned int k, n;
	size_t at;
	struct wb w;
	int ret, carry;

	for (k = 0; k < sizeof(d) / sizeof(d[0]); k++) {
		w = (struct wb){ 0 };
		wb_shb_order(&w, k % 2);
		wb_idb_plain(&w, 1, "a");
		if (d[k].nth != 4)
			wb_epb_plain(&w, 0, 1, 1);
		switch (d[k].nth) {
		case 0:
		case 4:
			at = blk_begin(&w, 4);
			wb_u16(&w, 1);
			wb_u16(&w, 200);
			wb_put(&w, "\x01\x02\x03\x04", 4);
			blk_end(&w, at);
			break;
		case 1:
			at = blk_begin(&w, 5);
			wb_u32(&w, 0);
			wb_u64(&w, 0);
			wb_u16(&w, 1);
			wb_u16(&w, 300);
			wb_u32(&w, 0);
			blk_end(&w, at);
			break;
		case 2:
			at = blk_begin(&w, 0xA);
			wb_u32(&w, 1);
			wb_u32(&w, 4096);
			wb_u32(&w, 0);
			blk_end(&w, at);
			break;
		case 3:
			isb_block(&w, 5, 0);
			break;
		}
		wb_epb_plain(&w, 0, 2, 2);
		for (carry = 0; carry < 2; carry++) {
			T_EQ(capfile_open_mem(w.p, w.len, "dmg", &f), 0);
			capfile_carry(f, carry);
			n = 0;
			while ((ret = capfile_next(f, &r)) == 1)
				n++;
			if (!carry) {
				T_EQ(ret, 0);
				T_EQ(n, d[k].before + 1);
			} else {
				if (ret != -EBADMSG || n != d[k].before ||
				    !strstr(capfile_error(f), d[k].msg))
					T_FAIL("%s: %d after %u packets: '%s'", d[k].what, ret, n,
					       capfile_error(f));
				T_ASSERT(!strncmp(capfile_error(f), "dmg: offset ", 12));
				T_EQ(capfile_next(f, &r), -EBADMSG);
			}
			capfile_close(f);
		}
		free(w.p);
	}

	/* a block length not a multiple of 4 in a big-endian second section */
	w = (struct wb){ 0 };
	wb_shb_order(&w, false);
	wb_idb_plain(&w, 1, "a");
	wb_epb_plain(&w, 0, 1, 1);
	wb_shb_order(&w, true);
	wb_idb_plain(&w, 1, "b");
	wb_epb_plain(&w, 0, 1, 1);
	at = w.len;
	wb_epb_plain(&w, 0, 1, 1);
	wb_set32(&w, at + 4, 42);
	T_EQ(capfile_open_mem(w.p, w.len, "dmg", &f), 0);
	capfile_carry(f, true);
	n = 0;
	while ((ret = capfile_next(f, &r)) == 1)
		n++;
	T_EQ(ret, -EBADMSG);
	T_EQ(n, 2);
	T_ASSERT(strstr(capfile_error(f), "length 42 not a multiple of 4"));
	capfile_close(f);
	free(w.p);
}

/* The option blobs of a file are bounded; beyond, empty and counted. */
static void test_opts_bound(void)
{
	const unsigned int nif = CAPFILE_OPTS_MAX / 65536 + 3;
	static uint8_t big[65532];
	struct capfile *f;
	unsigned int k;
	size_t at;
	struct wb w = { 0 };

	wb_shb(&w);
	for (k = 0; k < nif; k++) {
		at = blk_begin(&w, 1);
		wb_u16(&w, 1);
		wb_u16(&w, 0);
		wb_u32(&w, 0);
		wb_opt(&w, 1, big, sizeof(big));
		blk_end(&w, at);
	}
	T_EQ(capfile_open_mem(w.p, w.len, "bound", &f), 0);
	T_EQ(capfile_next(f, &(struct capfile_rec){ 0 }), 0);
	T_EQ(capfile_nifaces(f), nif);
	T_EQ(capfile_iface(f, nif - 4)->optlen, 65536);
	for (k = nif - 3; k < nif; k++)
		T_ASSERT(!capfile_iface(f, k)->opts && !capfile_iface(f, k)->optlen);
	T_EQ(capfile_stats(f)->opts_dropped, 3);
	capfile_close(f);
	free(w.p);
}

static void build_pcap_fcs(struct wb *w, bool be, bool nsec, uint32_t linkfield)
{
	*w = (struct wb){ .be = be };
	wb_u32(w, nsec ? 0xA1B23C4D : 0xA1B2C3D4);
	wb_u16(w, 2);
	wb_u16(w, 4);
	wb_u32(w, 0);
	wb_u32(w, 0);
	wb_u32(w, 262144);
	wb_u32(w, linkfield);
	wb_u32(w, 1700000000);
	wb_u32(w, 999999);
	wb_u32(w, 2);
	wb_u32(w, 2);
	wb_put(w, "ab", 2);
}

static void test_pcap_raw(void)
{
	const struct capfile_iface *i;
	struct capfile_rec r;
	struct capfile *f;
	struct wb w, b;
	uint32_t kuz;
	int be;

	/* big endian, ns, FCS of 2 words (32 bits) on 802.11 */
	build_pcap_fcs(&w, true, true, 105 | 0x04000000 | 2u << 28);
	T_EQ(capfile_open_mem(w.p, w.len, "ns", &f), 0);
	i = capfile_iface(f, 0);
	T_EQ(i->linktype, 105);
	T_EQ(i->tsresol, 9);
	b = host_wb();
	wb_opt(&b, 13, "\x20", 1);
	check_blob(i->opts, i->optlen, &b, "pcap FCS");
	free(b.p);
	T_EQ(capfile_next(f, &r), 1);
	T_EQ(r.kind, CAPFILE_PCAP_REC);
	T_ASSERT(r.has_ts);
	T_EQ(r.ts_raw, 1700000000ULL * 1000000000 + 999999);
	T_EQ(r.ts_ns, 1700000000ULL * 1000000000 + 999999);
	T_EQ(capfile_stats(f)->sections, 1);
	capfile_close(f);
	free(w.p);

	/* little endian, us, FCS bits without the "present" bit: no blob */
	build_pcap_fcs(&w, false, false, 1 | 1u << 28);
	T_EQ(capfile_open_mem(w.p, w.len, "us", &f), 0);
	i = capfile_iface(f, 0);
	T_EQ(i->linktype, 1);
	T_EQ(i->tsresol, 6);
	T_ASSERT(!i->opts && !i->optlen);
	T_EQ(capfile_next(f, &r), 1);
	T_EQ(r.ts_raw, 1700000000ULL * 1000000 + 999999);
	T_EQ(r.ts_ns, 1700000000ULL * 1000000000 + 999999000);
	capfile_close(f);

	/* the modified (Kuznetzov) pcap, either order */
	for (be = 0; be < 2; be++) {
		kuz = be ? htobe32(0xA1B2CD34) : htole32(0xA1B2CD34);
		memcpy(w.p, &kuz, 4);
		T_EQ(capfile_open_mem(w.p, w.len, "kuz.pcap", &f), -EINVAL);
		T_ASSERT(!f);
		T_ASSERT(!strcmp(capfile_error(NULL),
				 "kuz.pcap: offset 0: a modified (Kuznetzov) pcap file: not "
				 "supported; convert it with editcap -F pcap"));
	}
	free(w.p);
}

/* Seeds for tests/fuzz/capfile_corpus. */
static int write_corpus(const char *dir)
{
	size_t cuts[] = { 64, 200 };
	char path[512];
	struct expv e, e2;
	struct wb w, w2, z;

	build_pcapng(&w, &e, false);
	snprintf(path, sizeof(path), "%s/le.pcapng", dir);
	write_file(path, w.p, w.len);
	zstd_frames(&z, w.p, w.len, cuts, 2, true);
	snprintf(path, sizeof(path), "%s/le-3frames.pcapng.zst", dir);
	write_file(path, z.p, z.len);
	build_pcapng(&w2, &e2, true);
	snprintf(path, sizeof(path), "%s/be.pcapng", dir);
	write_file(path, w2.p, w2.len);
	wb_put(&w, w2.p, w2.len);
	snprintf(path, sizeof(path), "%s/two-sections.pcapng", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	free(w2.p);
	free(z.p);
	build_pcap(&w, &e, false, false);
	snprintf(path, sizeof(path), "%s/us.pcap", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	build_pcap(&w, &e, true, true);
	snprintf(path, sizeof(path), "%s/ns-be.pcap", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	build_opts_file(&w, false);
	snprintf(path, sizeof(path), "%s/all-options-le.pcapng", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	build_opts_file(&w, true);
	snprintf(path, sizeof(path), "%s/all-options-be.pcapng", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	build_mixed(&w);
	snprintf(path, sizeof(path), "%s/three-sections-mixed.pcapng", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	carried_file(&w);
	snprintf(path, sizeof(path), "%s/carried-blocks.pcapng", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	build_pcap_fcs(&w, true, true, 105 | 0x04000000 | 2u << 28);
	snprintf(path, sizeof(path), "%s/fcs-ns-be.pcap", dir);
	write_file(path, w.p, w.len);
	free(w.p);
	return T_EXIT_PASS;
}

int main(int argc, char **argv)
{

	if (argc == 3 && !strcmp(argv[1], "corpus"))
		return write_corpus(argv[2]);
	tmpdir = t_tmpdir("test_capfile");
	test_pcapng_both_orders();
	test_skip_packets();
	test_sections();
	test_pcap();
	test_zstd();
	test_zstd_flushed();
	test_truncation();
	test_corruption();
	test_refusals();
	test_big();
	test_files();
	test_mutations();
	test_idb_and_packet_opts();
	test_mixed_sections();
	test_carry();
	test_carry_damage();
	test_opts_bound();
	test_pcap_raw();
	return T_EXIT_PASS;
}
