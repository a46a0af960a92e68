// SPDX-License-Identifier: BSD-2-Clause
/*
 * Three layers, each pulling from the one below: the source (fd or memory),
 * optional zstd decompression into a staging buffer, and the block layer
 * that copies one whole pcapng block or pcap record into f->blk.  Only the
 * block layer knows the format; offsets in messages are decompressed bytes.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "capfile.h"
#include "pcapng.h"

#define STAGE_SIZE	    (128u << 10)
#define BLK_MIN		    (64u << 10)
#define ZSTD_WINDOW_LOG_MAX 27 /* zstd's own default: 128 MiB, enough for --long */

struct capfile {
	char name[256];

	/* source */
	int fd;
	bool own_fd;
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	bool raw_eof;
	uint64_t raw_off; /* bytes taken from the source */

	/* zstd; in_* holds compressed input */
	ZSTD_DCtx *z;
	uint8_t *in;
	size_t in_pos, in_len, in_cap;
	bool zmid; /* the last productive call left a frame open */

	/* staging: decompressed (or raw) bytes not yet consumed */
	uint8_t *out;
	size_t out_pos, out_len;
	uint64_t off; /* bytes consumed by the block layer */

	/* format */
	enum capfile_format fmt;
	bool swap;		/* this section (pcap: file) is in the other byte order */
	bool in_section;	/* an SHB was read */
	unsigned int sect_base; /* global index of the section's first interface */
	uint32_t pcap_frac_ns;	/* pcap: ns per fraction unit, 1000 or 1 */
	struct capfile_iface *ifaces;
	unsigned int nifaces, ifaces_cap;
	struct capfile_name names[CAPFILE_NAMES_MAX]; /* from NRBs, in file order */
	unsigned int nnames;

	/* the current block (pcap: record header + data) */
	uint8_t *blk;
	size_t blk_cap;
	uint32_t blk_len;
	uint64_t blk_off;
	bool pending; /* blk was read by capfile_open() but not yet handled */

	int deferred; /* an error met by capfile_open(), for capfile_next() */
	int err;      /* sticky error */
	bool eof;     /* only 0 from now on */
	bool trunc;   /* the error is a truncation */
	char msg[512];
};

static __thread char open_msg[512];

static int fail(struct capfile *f, int err, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct capfile *f, int err, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(f->msg, sizeof(f->msg), "%s: offset %llu: ", f->name, (unsigned long long)off);
	if (n < 0 || (size_t)n >= sizeof(f->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(f->msg + n, sizeof(f->msg) - n, fmt, ap);
	va_end(ap);
	return err;
}

static int truncated(struct capfile *f, uint64_t start, const char *what, uint64_t need)
{
	f->trunc = true;
	return fail(f, -EIO, start, "truncated at offset %llu (%s of %llu bytes)",
		    (unsigned long long)f->off, what, (unsigned long long)need);
}

/* Up to n bytes from the source; 0 at its end. */
static ssize_t src_read(struct capfile *f, uint8_t *dst, size_t n)
{
	ssize_t r;

	if (f->raw_eof || !n)
		return 0;
	if (f->mem) {
		r = (ssize_t)(f->mem_len - f->mem_pos < n ? f->mem_len - f->mem_pos : n);
		memcpy(dst, f->mem + f->mem_pos, r);
		f->mem_pos += r;
	} else {
		do {
			r = read(f->fd, dst, n);
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			r = -errno;
			return fail(f, (int)r, f->off, "read: %s", strerror(errno));
		}
	}
	if (!r)
		f->raw_eof = true;
	f->raw_off += r;
	return r;
}

/* Decompress into dst; 0 when the input is exhausted. */
static ssize_t zstd_read(struct capfile *f, uint8_t *dst, size_t n)
{
	ZSTD_outBuffer out = { dst, n, 0 };
	ZSTD_inBuffer in;
	ssize_t r;
	size_t ret;

	for (;;) {
		if (f->in_pos == f->in_len && !f->raw_eof) {
			r = src_read(f, f->in, f->in_cap);
			if (r < 0)
				return r;
			f->in_pos = 0;
			f->in_len = r;
		}
		in = (ZSTD_inBuffer){ f->in, f->in_len, f->in_pos };
		ret = ZSTD_decompressStream(f->z, &out, &in);
		if (ZSTD_isError(ret))
			return fail(f, -EBADMSG, f->off, "zstd: %s (compressed offset %llu)",
				    ZSTD_getErrorName(ret),
				    (unsigned long long)(f->raw_off - f->in_len + in.pos));
		/* a call that moved nothing says nothing about frame state */
		if (in.pos != f->in_pos || out.pos)
			f->zmid = ret != 0;
		f->in_pos = in.pos;
		if (out.pos)
			return out.pos;
		if (f->raw_eof && f->in_pos == f->in_len)
			return 0;
	}
}

/* Append to the staging buffer; 0 at the end of input (or if it is full). */
static ssize_t fill(struct capfile *f)
{
	size_t room;
	ssize_t r;

	if (f->out_pos == f->out_len)
		f->out_pos = f->out_len = 0;
	room = STAGE_SIZE - f->out_len;
	if (!room)
		return 0;
	r = f->z ? zstd_read(f, f->out + f->out_len, room) : src_read(f, f->out + f->out_len, room);
	if (r > 0)
		f->out_len += r;
	return r;
}

/*
 * Make the first n <= STAGE_SIZE bytes of input visible at f->out without
 * consuming them (only before anything is consumed); fewer at the end.
 */
static ssize_t peek(struct capfile *f, size_t n)
{
	ssize_t r;

	while (f->out_len - f->out_pos < n) {
		r = fill(f);
		if (r < 0)
			return r;
		if (!r)
			break;
	}
	return f->out_len - f->out_pos;
}

/* Consume up to n bytes into dst; *got < n only at the end of input. */
static int consume(struct capfile *f, uint8_t *dst, size_t n, size_t *got)
{
	size_t done = 0, c;
	ssize_t r;

	*got = 0;
	while (done < n) {
		c = f->out_len - f->out_pos;
		if (!c) {
			r = fill(f);
			if (r < 0)
				return (int)r;
			if (!r)
				break;
			continue;
		}
		if (c > n - done)
			c = n - done;
		memcpy(dst + done, f->out + f->out_pos, c);
		f->out_pos += c;
		done += c;
	}
	f->off += done;
	*got = done;
	return 0;
}

/* The end of input at a block boundary: clean, unless a zstd frame is open. */
static int at_end(struct capfile *f)
{
	if (f->z && f->zmid) {
		f->trunc = true;
		return fail(f, -EIO, f->off, "truncated at offset %llu (zstd frame incomplete)",
			    (unsigned long long)f->off);
	}
	return 0;
}

static int blk_reserve(struct capfile *f, size_t len)
{
	size_t cap = f->blk_cap ? f->blk_cap : BLK_MIN;
	uint8_t *p;

	if (len <= f->blk_cap)
		return 0;
	while (cap < len)
		cap *= 2;
	p = realloc(f->blk, cap);
	if (!p)
		return fail(f, -ENOMEM, f->off, "no memory for a block of %zu bytes", len);
	f->blk = p;
	f->blk_cap = cap;
	return 0;
}

static uint16_t rd16(const struct capfile *f, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return f->swap ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const struct capfile *f, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return f->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct capfile *f, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return f->swap ? __builtin_bswap64(v) : v;
}

/* A timestamp in the EPB layout: high word first. */
static uint64_t rd_ts(const struct capfile *f, const uint8_t *p)
{
	return (uint64_t)rd32(f, p) << 32 | rd32(f, p + 4);
}

/* One whole pcapng block into f->blk.  @return 1, 0 at the end, -errno. */
static int read_block(struct capfile *f)
{
	uint8_t hdr[12];
	uint32_t type, len, bom;
	size_t got, hlen = 8;
	int r;

	f->blk_off = f->off;
	r = consume(f, hdr, 8, &got);
	if (r < 0)
		return r;
	if (!got)
		return at_end(f);
	if (got < 8)
		return truncated(f, f->blk_off, "block header", 8);
	memcpy(&type, hdr, 4);
	if (type == PCAPNG_BT_SHB) {
		/* the new section's byte order decides how to read its length */
		r = consume(f, hdr + 8, 4, &got);
		if (r < 0)
			return r;
		if (got < 4)
			return truncated(f, f->blk_off, "section header", 12);
		hlen = 12;
		memcpy(&bom, hdr + 8, 4);
		if (bom == PCAPNG_BYTE_ORDER_MAGIC)
			f->swap = false;
		else if (__builtin_bswap32(bom) == PCAPNG_BYTE_ORDER_MAGIC)
			f->swap = true;
		else
			return fail(f, -EBADMSG, f->blk_off, "bad byte-order magic 0x%08x", bom);
		f->in_section = true;
	} else if (!f->in_section) {
		return fail(f, -EBADMSG, f->blk_off, "first block is not a section header");
	}
	type = rd32(f, hdr);
	len = rd32(f, hdr + 4);
	if (len < 12 || len < hlen + 4)
		return fail(f, -EBADMSG, f->blk_off, "block type 0x%08x: length %u too short", type,
			    len);
	if (len % 4)
		return fail(f, -EBADMSG, f->blk_off,
			    "block type 0x%08x: length %u not a multiple of 4", type, len);
	if (len > CAPFILE_BLOCK_MAX)
		return fail(f, -EFBIG, f->blk_off,
			    "block type 0x%08x: length %u exceeds the %u MiB limit", type, len,
			    CAPFILE_BLOCK_MAX >> 20);
	r = blk_reserve(f, len);
	if (r < 0)
		return r;
	memcpy(f->blk, hdr, hlen);
	r = consume(f, f->blk + hlen, len - hlen, &got);
	if (r < 0)
		return r;
	if (got < len - hlen)
		return truncated(f, f->blk_off, "block", len);
	if (rd32(f, f->blk + len - 4) != len)
		return fail(f, -EBADMSG, f->blk_off,
			    "block type 0x%08x: length %u but trailing length %u", type, len,
			    rd32(f, f->blk + len - 4));
	f->blk_len = len;
	return 1;
}

/*
 * Walk the options in blk[*pos, end).  @return 1 with code/len/val set, 0 at
 * opt_endofopt or the end of the block, -EBADMSG if one overruns the block.
 */
static int next_opt(struct capfile *f, size_t *pos, size_t end, uint16_t *code, uint16_t *len,
		    const uint8_t **val)
{
	const uint8_t *p = f->blk + *pos;

	*code = *len = 0;
	*val = NULL;
	if (*pos >= end)
		return 0;
	if (end - *pos < 4)
		return fail(f, -EBADMSG, f->blk_off,
			    "option header at block offset %zu overruns the block", *pos);
	*code = rd16(f, p);
	*len = rd16(f, p + 2);
	if (*code == PCAPNG_OPT_ENDOFOPT)
		return 0;
	if (PCAPNG_PAD(*len) > end - *pos - 4)
		return fail(f, -EBADMSG, f->blk_off,
			    "option %u of length %u at block offset %zu overruns the block", *code,
			    *len, *pos);
	*val = p + 4;
	*pos += 4 + PCAPNG_PAD(*len);
	return 1;
}

/* As next_opt() for NRB records (the same layout), but quiet: @return 1,
 * or 0 at the end record, the block's end or a record that overruns it. */
static int next_nrb_rec(const struct capfile *f, size_t *pos, size_t end, uint16_t *type,
			uint16_t *len, const uint8_t **val)
{
	const uint8_t *p = f->blk + *pos;

	if (*pos >= end || end - *pos < 4)
		return 0;
	*type = rd16(f, p);
	*len = rd16(f, p + 2);
	if (*type == PCAPNG_NRB_END || PCAPNG_PAD(*len) > end - *pos - 4)
		return 0;
	*val = p + 4;
	*pos += 4 + PCAPNG_PAD(*len);
	return 1;
}

static int bad_optlen(struct capfile *f, const char *what, uint16_t code, uint16_t len,
		      unsigned int want)
{
	return fail(f, -EBADMSG, f->blk_off, "%s option %u has length %u, not %u", what, code, len,
		    want);
}

static int handle_shb(struct capfile *f)
{
	uint16_t major, minor;

	if (f->blk_len < sizeof(struct pcapng_shb_hdr) + 4)
		return fail(f, -EBADMSG, f->blk_off, "section header of %u bytes too short",
			    f->blk_len);
	major = rd16(f, f->blk + offsetof(struct pcapng_shb_hdr, major));
	minor = rd16(f, f->blk + offsetof(struct pcapng_shb_hdr, minor));
	/* the draft: readers treat 1.2 as 1.0 */
	if (major != 1 || (minor != 0 && minor != 2))
		return fail(f, -EBADMSG, f->blk_off, "unsupported pcapng version %u.%u", major,
			    minor);
	f->sect_base = f->nifaces;
	return 0;
}

static int tsresol_per_sec(struct capfile *f, uint8_t v, uint64_t *tps)
{
	unsigned int e = v & 0x7F;

	if (v & 0x80) {
		if (e > 63)
			return fail(f, -EBADMSG, f->blk_off, "if_tsresol 2^-%u unsupported", e);
		*tps = 1ULL << e;
		return 0;
	}
	if (e > 19)
		return fail(f, -EBADMSG, f->blk_off, "if_tsresol 10^-%u unsupported", e);
	for (*tps = 1; e; e--)
		*tps *= 10;
	return 0;
}

static int handle_idb(struct capfile *f)
{
	struct capfile_iface i = { .ts_per_sec = 1000000 };
	size_t pos = sizeof(struct pcapng_idb_hdr), end = f->blk_len - 4, n;
	const uint8_t *v;
	uint16_t code, len;
	void *p;
	int r;

	if (f->blk_len < sizeof(struct pcapng_idb_hdr) + 4)
		return fail(f, -EBADMSG, f->blk_off, "interface description of %u bytes too short",
			    f->blk_len);
	i.linktype = rd16(f, f->blk + offsetof(struct pcapng_idb_hdr, linktype));
	i.snaplen = rd32(f, f->blk + offsetof(struct pcapng_idb_hdr, snaplen));
	while ((r = next_opt(f, &pos, end, &code, &len, &v)) > 0) {
		switch (code) {
		case PCAPNG_IF_NAME:
			/* not NUL-terminated, but a NUL ends it */
			n = strnlen((const char *)v, len);
			if (n >= sizeof(i.name))
				n = sizeof(i.name) - 1;
			memcpy(i.name, v, n);
			i.name[n] = '\0';
			break;
		case PCAPNG_IF_TSRESOL:
			if (len != 1)
				return bad_optlen(f, "IDB", code, len, 1);
			r = tsresol_per_sec(f, v[0], &i.ts_per_sec);
			if (r < 0)
				return r;
			break;
		case PCAPNG_IF_TSOFFSET:
			if (len != 8)
				return bad_optlen(f, "IDB", code, len, 8);
			i.tsoffset = (int64_t)rd64(f, v);
			break;
		}
	}
	if (r < 0)
		return r;
	if (f->nifaces >= CAPFILE_IFACES_MAX)
		return fail(f, -EBADMSG, f->blk_off, "more than %u interfaces", CAPFILE_IFACES_MAX);
	if (f->nifaces == f->ifaces_cap) {
		n = f->ifaces_cap ? 2 * f->ifaces_cap : 8;
		p = reallocarray(f->ifaces, n, sizeof(*f->ifaces));
		if (!p)
			return fail(f, -ENOMEM, f->blk_off, "no memory for interface %u",
				    f->nifaces);
		f->ifaces = p;
		f->ifaces_cap = n;
	}
	f->ifaces[f->nifaces++] = i;
	return 0;
}

static uint64_t to_ns(const struct capfile_iface *i, uint64_t ts)
{
	unsigned __int128 ns;

	if (i->ts_per_sec == 1000000000)
		ns = ts;
	else
		ns = (unsigned __int128)(ts / i->ts_per_sec) * 1000000000u +
		     (unsigned __int128)(ts % i->ts_per_sec) * 1000000000u / i->ts_per_sec;
	/* modulo 2^64, like the file's own 64-bit timestamps */
	return (uint64_t)((__int128)ns + (__int128)i->tsoffset * 1000000000);
}

/* Map a section-local interface ID to the global table. */
static int iface_of(struct capfile *f, const char *blk, uint32_t id, uint32_t *global)
{
	if (id >= f->nifaces - f->sect_base)
		return fail(f, -EBADMSG, f->blk_off,
			    "%s: interface %u not described (section has %u)", blk, id,
			    f->nifaces - f->sect_base);
	*global = f->sect_base + id;
	return 0;
}

/* Options of an EPB, or a PB's (pack_flags shares epb_flags' code and format). */
static int packet_opts(struct capfile *f, const char *blk, size_t pos, struct capfile_rec *r)
{
	size_t end = f->blk_len - 4;
	const uint8_t *v;
	uint16_t code, len;
	int ret;

	while ((ret = next_opt(f, &pos, end, &code, &len, &v)) > 0) {
		switch (code) {
		case PCAPNG_EPB_FLAGS:
			if (len != 4)
				return bad_optlen(f, blk, code, len, 4);
			r->epb_flags = rd32(f, v);
			break;
		case PCAPNG_EPB_DROPCOUNT:
			if (len != 8)
				return bad_optlen(f, blk, code, len, 8);
			r->dropcount = rd64(f, v);
			break;
		}
	}
	return ret;
}

static int handle_epb(struct capfile *f, struct capfile_rec *r)
{
	const size_t hl = sizeof(struct pcapng_epb_hdr);
	const uint8_t *b = f->blk;
	uint32_t caplen;
	int ret;

	if (f->blk_len < hl + 4)
		return fail(f, -EBADMSG, f->blk_off, "EPB of %u bytes too short", f->blk_len);
	*r = (struct capfile_rec){ 0 };
	ret = iface_of(f, "EPB", rd32(f, b + offsetof(struct pcapng_epb_hdr, if_id)), &r->if_id);
	if (ret < 0)
		return ret;
	caplen = rd32(f, b + offsetof(struct pcapng_epb_hdr, caplen));
	if (PCAPNG_PAD(caplen) > f->blk_len - hl - 4)
		return fail(f, -EBADMSG, f->blk_off,
			    "EPB: captured length %u exceeds the block of %u", caplen, f->blk_len);
	r->caplen = caplen;
	r->wirelen = rd32(f, b + offsetof(struct pcapng_epb_hdr, wirelen));
	r->data = b + hl;
	r->ts_ns =
		to_ns(&f->ifaces[r->if_id], rd_ts(f, b + offsetof(struct pcapng_epb_hdr, ts_high)));
	ret = packet_opts(f, "EPB", hl + PCAPNG_PAD(caplen), r);
	return ret < 0 ? ret : 1;
}

static int handle_pb(struct capfile *f, struct capfile_rec *r)
{
	const size_t hl = sizeof(struct pcapng_pb_hdr);
	const uint8_t *b = f->blk;
	uint32_t caplen;
	uint16_t drops;
	int ret;

	if (f->blk_len < hl + 4)
		return fail(f, -EBADMSG, f->blk_off, "PB of %u bytes too short", f->blk_len);
	*r = (struct capfile_rec){ 0 };
	ret = iface_of(f, "PB", rd16(f, b + offsetof(struct pcapng_pb_hdr, if_id)), &r->if_id);
	if (ret < 0)
		return ret;
	caplen = rd32(f, b + offsetof(struct pcapng_pb_hdr, caplen));
	if (PCAPNG_PAD(caplen) > f->blk_len - hl - 4)
		return fail(f, -EBADMSG, f->blk_off,
			    "PB: captured length %u exceeds the block of %u", caplen, f->blk_len);
	r->caplen = caplen;
	r->wirelen = rd32(f, b + offsetof(struct pcapng_pb_hdr, wirelen));
	r->data = b + hl;
	r->ts_ns =
		to_ns(&f->ifaces[r->if_id], rd_ts(f, b + offsetof(struct pcapng_pb_hdr, ts_high)));
	drops = rd16(f, b + offsetof(struct pcapng_pb_hdr, drops));
	r->dropcount = drops == 0xFFFF ? 0 : drops; /* 0xFFFF: not known */
	ret = packet_opts(f, "PB", hl + PCAPNG_PAD(caplen), r);
	return ret < 0 ? ret : 1;
}

/* No timestamp, interface 0, captured length implied by the block and snaplen. */
static int handle_spb(struct capfile *f, struct capfile_rec *r)
{
	const size_t hl = sizeof(struct pcapng_spb_hdr);
	uint32_t room;
	int ret;

	*r = (struct capfile_rec){ 0 };
	ret = iface_of(f, "SPB", 0, &r->if_id);
	if (ret < 0)
		return ret;
	if (f->blk_len < hl + 4)
		return fail(f, -EBADMSG, f->blk_off, "SPB of %u bytes too short", f->blk_len);
	room = f->blk_len - hl - 4;
	r->wirelen = rd32(f, f->blk + offsetof(struct pcapng_spb_hdr, wirelen));
	r->caplen = r->wirelen < room ? r->wirelen : room;
	if (f->ifaces[r->if_id].snaplen && r->caplen > f->ifaces[r->if_id].snaplen)
		r->caplen = f->ifaces[r->if_id].snaplen;
	r->data = f->blk + hl;
	return 1;
}

/*
 * The names of an NRB, kept for capfile_name().  Names only decorate the
 * packets: a malformed record ends the block's names, never the file.
 */
static void handle_nrb(struct capfile *f)
{
	size_t pos = 8, end = f->blk_len - 4, alen, n;
	struct capfile_name *nm;
	const uint8_t *v;
	uint16_t type, len;
	unsigned int i;

	while (next_nrb_rec(f, &pos, end, &type, &len, &v) > 0) {
		alen = type == PCAPNG_NRB_IPV4 ? 4 : type == PCAPNG_NRB_IPV6 ? 16 : 0;
		if (!alen || len <= alen)
			continue;
		for (i = 0; i < f->nnames; i++)
			if (f->names[i].family == (alen == 4 ? 4 : 6) &&
			    !memcmp(f->names[i].addr, v, alen))
				break;
		if (i == CAPFILE_NAMES_MAX)
			return;
		nm = &f->names[i];
		if (i == f->nnames)
			f->nnames++;
		memset(nm, 0, sizeof(*nm));
		nm->family = alen == 4 ? 4 : 6;
		memcpy(nm->addr, v, alen);
		/* the first name; a NUL or the record's end ends it */
		n = strnlen((const char *)v + alen, len - alen);
		if (n >= sizeof(nm->name))
			n = sizeof(nm->name) - 1;
		memcpy(nm->name, v + alen, n);
		/* printed on terminals and in lines: no control characters */
		for (; n-- > 0;)
			if ((unsigned char)nm->name[n] < 0x20 || nm->name[n] == 0x7f)
				nm->name[n] = '?';
	}
}

/* @return 1 for a packet in *r, 0 for a block that is not one, -errno. */
static int handle_block(struct capfile *f, struct capfile_rec *r)
{
	switch (rd32(f, f->blk)) {
	case PCAPNG_BT_SHB:
		return handle_shb(f);
	case PCAPNG_BT_IDB:
		return handle_idb(f);
	case PCAPNG_BT_EPB:
		return handle_epb(f, r);
	case PCAPNG_BT_SPB:
		return handle_spb(f, r);
	case PCAPNG_BT_PB:
		return handle_pb(f, r);
	case PCAPNG_BT_NRB:
		handle_nrb(f);
		return 0;
	default:
		return 0;
	}
}

static bool is_packet_block(uint32_t type)
{
	return type == PCAPNG_BT_EPB || type == PCAPNG_BT_SPB || type == PCAPNG_BT_PB;
}

static int pcap_read_header(struct capfile *f)
{
	uint8_t b[sizeof(struct pcap_file_hdr)];
	struct capfile_iface i = { 0 };
	uint16_t major;
	size_t got;
	int r;

	r = consume(f, b, sizeof(b), &got);
	if (r < 0)
		return r;
	if (got < sizeof(b))
		return truncated(f, 0, "pcap file header", sizeof(b));
	major = rd16(f, b + offsetof(struct pcap_file_hdr, major));
	if (major != PCAP_VERSION_MAJOR)
		return fail(f, -EBADMSG, 0, "unsupported pcap version %u.%u", major,
			    rd16(f, b + offsetof(struct pcap_file_hdr, minor)));
	i.snaplen = rd32(f, b + offsetof(struct pcap_file_hdr, snaplen));
	/* the upper bits may carry FCS information */
	i.linktype = (uint16_t)rd32(f, b + offsetof(struct pcap_file_hdr, linktype));
	i.ts_per_sec = f->pcap_frac_ns == 1 ? 1000000000 : 1000000;
	f->ifaces = calloc(1, sizeof(*f->ifaces));
	if (!f->ifaces)
		return fail(f, -ENOMEM, 0, "no memory");
	f->ifaces[0] = i;
	f->nifaces = f->ifaces_cap = 1;
	return 0;
}

static int pcap_next_rec(struct capfile *f, struct capfile_rec *r)
{
	const size_t hl = sizeof(struct pcap_rec_hdr);
	uint32_t caplen;
	size_t got;
	int ret;

	f->blk_off = f->off;
	ret = blk_reserve(f, hl);
	if (ret < 0)
		return ret;
	ret = consume(f, f->blk, hl, &got);
	if (ret < 0)
		return ret;
	if (!got)
		return at_end(f);
	if (got < hl)
		return truncated(f, f->blk_off, "record header", hl);
	caplen = rd32(f, f->blk + offsetof(struct pcap_rec_hdr, caplen));
	if (caplen > CAPFILE_BLOCK_MAX - hl)
		return fail(f, -EFBIG, f->blk_off, "record of %u bytes exceeds the %u MiB limit",
			    caplen, CAPFILE_BLOCK_MAX >> 20);
	ret = blk_reserve(f, hl + caplen);
	if (ret < 0)
		return ret;
	ret = consume(f, f->blk + hl, caplen, &got);
	if (ret < 0)
		return ret;
	if (got < caplen)
		return truncated(f, f->blk_off, "record", hl + caplen);
	f->blk_len = (uint32_t)(hl + caplen);
	*r = (struct capfile_rec){
		.ts_ns = (uint64_t)rd32(f, f->blk + offsetof(struct pcap_rec_hdr, ts_sec)) *
				 1000000000u +
			 (uint64_t)rd32(f, f->blk + offsetof(struct pcap_rec_hdr, ts_frac)) *
				 f->pcap_frac_ns,
		.caplen = caplen,
		.wirelen = rd32(f, f->blk + offsetof(struct pcap_rec_hdr, wirelen)),
		.data = f->blk + hl,
	};
	return 1;
}

/* Record how a call ended: truncation is reported once, other errors stick. */
static int finish(struct capfile *f, int r)
{
	if (!r || (r < 0 && f->trunc))
		f->eof = true;
	else if (r < 0)
		f->err = r;
	return r;
}

int capfile_next(struct capfile *f, struct capfile_rec *r)
{
	int ret;

	if (f->eof)
		return 0;
	if (f->err)
		return f->err;
	if (f->deferred) {
		ret = f->deferred;
		f->deferred = 0;
		return finish(f, ret);
	}
	if (f->fmt == CAPFILE_PCAP)
		return finish(f, pcap_next_rec(f, r));
	do {
		if (f->pending)
			f->pending = false;
		else if ((ret = read_block(f)) <= 0)
			return finish(f, ret);
		ret = handle_block(f, r);
	} while (!ret);
	return finish(f, ret);
}

/*
 * Read a pcapng file's leading blocks up to its first packet block, which
 * stays in blk for capfile_next().
 */
static void prime_pcapng(struct capfile *f)
{
	uint32_t type;
	int r;

	for (;;) {
		r = read_block(f);
		if (r <= 0)
			break;
		type = rd32(f, f->blk);
		if (is_packet_block(type)) {
			f->pending = true;
			return;
		}
		r = handle_block(f, NULL);
		if (r < 0)
			break;
	}
	if (r < 0)
		f->deferred = r;
	else
		f->eof = true;
}

static int identify(struct capfile *f)
{
	static const uint8_t gzip[] = { 0x1f, 0x8b }, lz4[] = { 0x04, 0x22, 0x4d, 0x18 };
	char head[3 * 4 + 1] = "";
	const uint8_t *p;
	ssize_t n, i;
	uint32_t m;

	n = peek(f, 4);
	if (n < 0)
		return (int)n;
	p = f->out + f->out_pos;
	if (n >= 4) {
		memcpy(&m, p, 4);
		/* zstd frame or skippable frame, little endian by definition */
		if (!f->z &&
		    (le32toh(m) == ZSTD_MAGICNUMBER ||
		     (le32toh(m) & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)) {
			f->z = ZSTD_createDCtx();
			f->in_cap = ZSTD_DStreamInSize() > STAGE_SIZE ? ZSTD_DStreamInSize()
								      : STAGE_SIZE;
			f->in = malloc(f->in_cap);
			if (!f->z || !f->in)
				return fail(f, -ENOMEM, 0, "no memory for zstd");
			ZSTD_DCtx_setParameter(f->z, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
			/* what was staged is compressed input */
			memcpy(f->in, p, n);
			f->in_len = n;
			f->out_pos = f->out_len = 0;
			return identify(f);
		}
		if (m == PCAPNG_BT_SHB) {
			f->fmt = CAPFILE_PCAPNG;
			return 0;
		}
		if (m == PCAP_MAGIC_USEC || m == PCAP_MAGIC_NSEC ||
		    __builtin_bswap32(m) == PCAP_MAGIC_USEC ||
		    __builtin_bswap32(m) == PCAP_MAGIC_NSEC) {
			f->fmt = CAPFILE_PCAP;
			f->swap = m != PCAP_MAGIC_USEC && m != PCAP_MAGIC_NSEC;
			f->pcap_frac_ns =
				(m == PCAP_MAGIC_NSEC || __builtin_bswap32(m) == PCAP_MAGIC_NSEC)
					? 1
					: 1000;
			return 0;
		}
		if (!memcmp(p, lz4, sizeof(lz4)))
			return fail(
				f, -EINVAL, 0,
				"lz4-compressed files are not supported (lz4cat FILE | ... -r -)");
	}
	if (!n)
		return fail(f, -EINVAL, 0, "%s",
			    !f->z     ? "empty file"
			    : f->zmid ? "zstd stream ends inside its first frame, before any data"
				      : "empty after decompression");
	if (n >= 2 && !memcmp(p, gzip, sizeof(gzip)))
		return fail(f, -EINVAL, 0,
			    "gzip-compressed files are not supported (zcat FILE | ... -r -)");
	for (i = 0; i < n && i < 4; i++)
		snprintf(head + 3 * i, sizeof(head) - 3 * i, " %02x", p[i]);
	return fail(f, -EINVAL, 0, "not a pcapng or pcap file%s (starts with%s)",
		    f->z ? " after decompression" : "", head);
}

static int open_common(struct capfile *f, struct capfile **out)
{
	int r;

	*out = NULL;
	f->out = malloc(STAGE_SIZE);
	if (!f->out) {
		r = fail(f, -ENOMEM, 0, "no memory");
		goto err;
	}
	r = identify(f);
	if (r < 0)
		goto err;
	if (f->fmt == CAPFILE_PCAP) {
		r = pcap_read_header(f);
		if (r < 0)
			f->deferred = r;
	} else {
		prime_pcapng(f);
	}
	*out = f;
	return 0;
err:
	snprintf(open_msg, sizeof(open_msg), "%s", f->msg);
	capfile_close(f);
	return r;
}

static struct capfile *alloc(const char *name)
{
	struct capfile *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(open_msg, sizeof(open_msg), "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->msg, sizeof(f->msg), "%s: no error", f->name);
	f->fd = -1;
	return f;
}

int capfile_open_fd(int fd, const char *name, struct capfile **out)
{
	struct capfile *f = alloc(name);

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	return open_common(f, out);
}

int capfile_open_mem(const void *buf, size_t len, const char *name, struct capfile **out)
{
	struct capfile *f = alloc(name);

	*out = NULL;
	if (!f)
		return -ENOMEM;
	/* an empty buffer must not look like "no memory source" */
	f->mem = buf ? buf : (const uint8_t *)"";
	f->mem_len = buf ? len : 0;
	return open_common(f, out);
}

int capfile_open(const char *path, struct capfile **out)
{
	struct capfile *f;
	int fd, r;

	*out = NULL;
	if (!strcmp(path, "-"))
		return capfile_open_fd(STDIN_FILENO, "stdin", out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(open_msg, sizeof(open_msg), "%s: %s", path, strerror(errno));
		return r;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	f = alloc(path);
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->fd = fd;
	f->own_fd = true;
	return open_common(f, out);
}

const char *capfile_error(const struct capfile *f)
{
	return f ? f->msg : open_msg;
}

unsigned int capfile_nifaces(const struct capfile *f)
{
	return f->nifaces;
}

const struct capfile_iface *capfile_iface(const struct capfile *f, unsigned int i)
{
	return i < f->nifaces ? &f->ifaces[i] : NULL;
}

const char *capfile_name(const struct capfile *f, int family, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < f->nnames; i++)
		if (f->names[i].family == family &&
		    !memcmp(f->names[i].addr, addr, family == 4 ? 4 : 16))
			return f->names[i].name;
	return NULL;
}

const struct capfile_name *capfile_names(const struct capfile *f, unsigned int *n)
{
	*n = f->nnames;
	return f->names;
}

const char *capfile_path(const struct capfile *f)
{
	return f->name;
}

enum capfile_format capfile_format(const struct capfile *f)
{
	return f->fmt;
}

int capfile_compressed(const struct capfile *f)
{
	return f->z != NULL;
}

uint64_t capfile_offset(const struct capfile *f)
{
	return f->off;
}

void capfile_close(struct capfile *f)
{
	if (!f)
		return;
	if (f->own_fd)
		close(f->fd);
	ZSTD_freeDCtx(f->z);
	free(f->in);
	free(f->out);
	free(f->blk);
	free(f->ifaces);
	free(f);
}
