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
#include "pcapng_feed.h"

#define STAGE_SIZE	    (128u << 10)
#define BLK_MIN		    (64u << 10)
#define ZSTD_WINDOW_LOG_MAX 27		      /* zstd's own default: 128 MiB, enough for --long */
#define CQ_MAX		    CAPFILE_BLOCK_MAX /* blocks held for capfile_carry() */

/* Option codes lib/pcapng.h does not need for writing. */
#define IF_IPV4ADDR    4
#define IF_IPV6ADDR    5
#define IF_MACADDR     6
#define IF_EUIADDR     7
#define IF_TZONE       10
#define IF_TXSPEED     16
#define IF_RXSPEED     17
#define IF_IANA_TZNAME 18
#define NS_DNSNAME     2
#define NS_DNSIP4ADDR  3
#define NS_DNSIP6ADDR  4
#define LT_FCS_PRESENT 0x04000000u /* pcap link type field, as libpcap defines it */
#define PCAP_MAGIC_KUZ 0xA1B2CD34u

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
	struct ring_feed feeds[CAPFILE_FEEDS_MAX]; /* from NRBs' feed options, distinct */
	unsigned int nfeeds;
	uint32_t pcap_linkfield; /* pcap: the header's link type field, FCS bits included */

	bool carry;
	uint64_t skip_before; /* capfile_skip_packets_before() */
	struct capfile_stats stats;
	size_t opts_total;    /* bytes of interface option blobs */
	uint8_t *pbuf, *cbuf; /* a packet's options blob; a carried block */
	size_t pbuf_cap, cbuf_cap;
	/*
	 * Carried blocks capfile_open() read ahead of the first packet, already
	 * re-encoded (struct cq_ent + bytes, 8-aligned), then cq_err if one of
	 * them was malformed: for capfile_carry() callers only.
	 */
	uint8_t *cq;
	size_t cq_len, cq_cap, cq_pos;
	bool cq_stop; /* nothing more is queued */
	bool started; /* capfile_next() was called */
	int cq_err;
	char cq_msg[512];

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

static uint16_t host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static int buf_reserve(struct capfile *f, uint8_t **buf, size_t *cap, size_t len)
{
	size_t c = *cap ? *cap : 256;
	uint8_t *p;

	if (len <= *cap)
		return 0;
	while (c < len)
		c *= 2;
	p = realloc(*buf, c);
	if (!p)
		return fail(f, -ENOMEM, f->blk_off, "no memory for %zu bytes of options", len);
	*buf = p;
	*cap = c;
	return 0;
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

/* How an option's value is handed on (OPTIONS BLOB, capfile.h). */
enum okind {
	O_UNKNOWN, /* kept as it is in a host-order section only */
	O_OMIT,	   /* in a field instead */
	O_ANY,	   /* string or bytes of any length */
	O_BYTES,   /* bytes of exactly olen */
	O_U8,
	O_U32,
	O_U64,
	O_TS,	   /* two u32, high first */
	O_CUSTOM,  /* a u32 PEN, then bytes */
	O_FILTER,  /* if_filter: type 1 (BPF byte code) holds numbers */
	O_VERDICT, /* epb_verdict: types 1 and 2 hold a u64 */
};

static enum okind opt_kind(uint32_t btype, uint16_t code, unsigned int *olen)
{
	*olen = 0;
	if (code == PCAPNG_OPT_COMMENT)
		return O_ANY;
	if (code == PCAPNG_OPT_CUSTOM_STR || code == PCAPNG_OPT_CUSTOM_BIN ||
	    code == PCAPNG_OPT_CUSTOM_STR_NOCOPY || code == PCAPNG_OPT_CUSTOM_BIN_NOCOPY)
		return O_CUSTOM;
	switch (btype) {
	case PCAPNG_BT_IDB:
		switch (code) {
		case PCAPNG_IF_NAME:
		case PCAPNG_IF_DESCRIPTION:
		case PCAPNG_IF_OS:
		case PCAPNG_IF_HARDWARE:
		case IF_IANA_TZNAME:
			return O_ANY;
		case IF_IPV4ADDR:
			*olen = 8;
			return O_BYTES;
		case IF_IPV6ADDR:
			*olen = 17;
			return O_BYTES;
		case IF_MACADDR:
			*olen = 6;
			return O_BYTES;
		case IF_EUIADDR:
			*olen = 8;
			return O_BYTES;
		case PCAPNG_IF_SPEED:
		case IF_TXSPEED:
		case IF_RXSPEED:
			return O_U64;
		case IF_TZONE:
			return O_U32;
		case PCAPNG_IF_FILTER:
			return O_FILTER;
		case PCAPNG_IF_FCSLEN:
			return O_U8;
		case PCAPNG_IF_TSRESOL:
		case PCAPNG_IF_TSOFFSET:
			return O_OMIT;
		}
		break;
	case PCAPNG_BT_EPB:
	case PCAPNG_BT_PB:
		switch (code) {
		case PCAPNG_EPB_FLAGS:
			return O_U32;
		case PCAPNG_EPB_HASH:
			return O_ANY;
		}
		if (btype == PCAPNG_BT_PB)
			break;
		switch (code) {
		case PCAPNG_EPB_DROPCOUNT:
		case PCAPNG_EPB_PACKETID:
			return O_U64;
		case PCAPNG_EPB_QUEUE:
			return O_U32;
		case PCAPNG_EPB_VERDICT:
			return O_VERDICT;
		}
		break;
	case PCAPNG_BT_NRB:
		switch (code) {
		case NS_DNSNAME:
			return O_ANY;
		case NS_DNSIP4ADDR:
			*olen = 4;
			return O_BYTES;
		case NS_DNSIP6ADDR:
			*olen = 16;
			return O_BYTES;
		}
		break;
	case PCAPNG_BT_ISB:
		switch (code) {
		case PCAPNG_ISB_STARTTIME:
		case PCAPNG_ISB_ENDTIME:
			return O_TS;
		case PCAPNG_ISB_IFRECV:
		case PCAPNG_ISB_IFDROP:
		case PCAPNG_ISB_FILTERACCEPT:
		case PCAPNG_ISB_OSDROP:
		case PCAPNG_ISB_USRDELIV:
			return O_U64;
		}
		break;
	}
	return O_UNKNOWN;
}

/*
 * The options in blk[pos, end) of a block of type btype as an OPTIONS BLOB
 * at dst (room for end - pos bytes: nothing grows), its length in *n;
 * options left out are added to *dropped.
 */
static int conv_opts(struct capfile *f, uint32_t btype, size_t pos, size_t end, uint8_t *dst,
		     uint32_t *n, uint64_t *dropped)
{
	const uint8_t *v;
	uint16_t code, len;
	unsigned int olen;
	enum okind k;
	uint8_t *o;
	bool ok;
	int r;

	*n = 0;
	while ((r = next_opt(f, &pos, end, &code, &len, &v)) > 0) {
		k = opt_kind(btype, code, &olen);
		switch (k) {
		case O_OMIT:
			continue;
		case O_UNKNOWN:
			ok = !f->swap;
			break;
		case O_BYTES:
			ok = len == olen;
			break;
		case O_U8:
			ok = len == 1;
			break;
		case O_U32:
			ok = len == 4;
			break;
		case O_U64:
		case O_TS:
			ok = len == 8;
			break;
		case O_CUSTOM:
			ok = len >= 4;
			break;
		case O_FILTER:
			ok = !f->swap || !len || v[0] != 1;
			break;
		default:
			ok = true;
			break;
		}
		if (!ok) {
			(*dropped)++;
			continue;
		}
		o = dst + *n;
		wr16(o, code);
		wr16(o + 2, len);
		memcpy(o + 4, v, len);
		memset(o + 4 + len, 0, PCAPNG_PAD(len) - len);
		switch (k) {
		case O_U32:
		case O_CUSTOM:
			wr32(o + 4, rd32(f, v));
			break;
		case O_U64:
			wr64(o + 4, rd64(f, v));
			break;
		case O_TS:
			wr32(o + 4, rd32(f, v));
			wr32(o + 8, rd32(f, v + 4));
			break;
		case O_VERDICT:
			if (len == 9 && (v[0] == 1 || v[0] == 2))
				wr64(o + 5, rd64(f, v + 1));
			break;
		default:
			break;
		}
		*n += 4 + PCAPNG_PAD(len);
	}
	return r;
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
	f->stats.sections++;
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
	struct capfile_iface i = { .ts_per_sec = 1000000, .tsresol = 6 };
	size_t pos = sizeof(struct pcapng_idb_hdr), end = f->blk_len - 4, n;
	uint64_t dropped = 0;
	uint32_t bl;
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
			i.tsresol = v[0];
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
	r = buf_reserve(f, &f->pbuf, &f->pbuf_cap, f->blk_len);
	if (r < 0)
		return r;
	r = conv_opts(f, PCAPNG_BT_IDB, sizeof(struct pcapng_idb_hdr), end, f->pbuf, &bl, &dropped);
	if (r < 0)
		return r;
	if (bl && f->opts_total + bl > CAPFILE_OPTS_MAX) {
		/* over the bound: every option of this one left out */
		for (pos = 0; pos < bl; pos += 4 + PCAPNG_PAD(host16(f->pbuf + pos + 2)))
			dropped++;
		bl = 0;
	}
	if (bl) {
		p = malloc(bl);
		if (!p)
			return fail(f, -ENOMEM, f->blk_off, "no memory for interface %u options",
				    f->nifaces);
		memcpy(p, f->pbuf, bl);
		i.opts = p;
		i.optlen = bl;
		f->opts_total += bl;
	}
	f->stats.opts_dropped += dropped;
	i.section = (uint32_t)(f->stats.sections - 1);
	i.sec_id = f->nifaces - f->sect_base;
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
	size_t end = f->blk_len - 4, start = pos;
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
	if (ret < 0 || start >= end)
		return ret;
	ret = buf_reserve(f, &f->pbuf, &f->pbuf_cap, end - start);
	if (ret < 0)
		return ret;
	ret = conv_opts(f, rd32(f, f->blk), start, end, f->pbuf, &r->optlen,
			&f->stats.opts_dropped);
	if (r->optlen)
		r->opts = f->pbuf;
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
	r->ts_raw = rd_ts(f, b + offsetof(struct pcapng_epb_hdr, ts_high));
	r->ts_ns = to_ns(&f->ifaces[r->if_id], r->ts_raw);
	r->has_ts = true;
	r->kind = CAPFILE_EPB;
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
	r->ts_raw = rd_ts(f, b + offsetof(struct pcapng_pb_hdr, ts_high));
	r->ts_ns = to_ns(&f->ifaces[r->if_id], r->ts_raw);
	r->has_ts = true;
	r->kind = CAPFILE_PB;
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
	r->kind = CAPFILE_SPB;
	f->stats.spb++;
	return 1;
}

/*
 * The feed table options (pcapng_feed.h) of the NRB whose options start
 * at block offset pos: quiet as the names are, a malformed option ends
 * them, an entry already known is not repeated, a full table ends them.
 */
static void nrb_feeds(struct capfile *f, size_t pos, size_t end)
{
	const uint8_t *p, *v;
	struct ring_feed e;
	uint16_t code, len;
	unsigned int i;

	while (pos < end && end - pos >= 4 && f->nfeeds < CAPFILE_FEEDS_MAX) {
		p = f->blk + pos;
		code = rd16(f, p);
		len = rd16(f, p + 2);
		if (code == PCAPNG_OPT_ENDOFOPT || PCAPNG_PAD(len) > end - pos - 4)
			return;
		pos += 4 + PCAPNG_PAD(len);
		v = p + 4;
		if (code != PCAPNG_OPT_CUSTOM_BIN || len < 4 || rd32(f, v) != PCAPNG_PEN ||
		    pcapng_feed_decode(v + 4, len - 4u, &e) < 0)
			continue;
		for (i = 0; i < f->nfeeds && memcmp(&f->feeds[i], &e, sizeof(e)); i++)
			;
		if (i == f->nfeeds)
			f->feeds[f->nfeeds++] = e;
	}
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
	/* the options follow the end record */
	if (end - pos >= 4 && rd16(f, f->blk + pos) == PCAPNG_NRB_END &&
	    PCAPNG_PAD(rd16(f, f->blk + pos + 2)) <= end - pos - 4)
		nrb_feeds(f, pos + 4 + PCAPNG_PAD(rd16(f, f->blk + pos + 2)), end);
}

static int too_short(struct capfile *f, const char *blk)
{
	return fail(f, -EBADMSG, f->blk_off, "%s of %u bytes too short", blk, f->blk_len);
}

/*
 * An NRB's records from block offset 8 re-encoded at d (an end record
 * added where the block has none), *o advanced; *pos set past them.
 */
static int carry_nrb_recs(struct capfile *f, uint8_t *d, size_t *o, size_t *pos)
{
	size_t end = f->blk_len - 4;
	uint16_t type, len;

	for (*pos = 8; *pos < end;) {
		if (end - *pos < 4)
			return fail(f, -EBADMSG, f->blk_off,
				    "NRB record header at block offset %zu overruns the block",
				    *pos);
		type = rd16(f, f->blk + *pos);
		len = rd16(f, f->blk + *pos + 2);
		if (PCAPNG_PAD(len) > end - *pos - 4)
			return fail(
				f, -EBADMSG, f->blk_off,
				"NRB record %u of length %u at block offset %zu overruns the block",
				type, len, *pos);
		*pos += 4 + PCAPNG_PAD(len);
		if (type == PCAPNG_NRB_END)
			break;
		wr16(d + *o, type);
		wr16(d + *o + 2, len);
		memcpy(d + *o + 4, f->blk + *pos - PCAPNG_PAD(len), len);
		memset(d + *o + 4 + len, 0, PCAPNG_PAD(len) - len);
		*o += 4 + PCAPNG_PAD(len);
	}
	wr32(d + *o, 0);
	*o += 4;
	return 0;
}

/*
 * The block in blk (NRB, ISB, DSB, copyable custom) re-encoded in host byte
 * order into cbuf, described by *r.  @return 2, or -errno.
 */
static int carry_block(struct capfile *f, struct capfile_rec *r, uint64_t *dropped)
{
	uint32_t type = rd32(f, f->blk), slen, n;
	size_t end = f->blk_len - 4, pos, o = 8;
	const uint8_t *b = f->blk;
	uint8_t *d;
	int ret;

	/* nothing grows but an NRB's missing end record and an opt_endofopt */
	ret = buf_reserve(f, &f->cbuf, &f->cbuf_cap, (size_t)f->blk_len + 8);
	if (ret < 0)
		return ret;
	d = f->cbuf;
	*r = (struct capfile_rec){ .if_id = UINT32_MAX };
	wr32(d, type);
	switch (type) {
	case PCAPNG_BT_NRB:
		r->kind = CAPFILE_NRB;
		ret = carry_nrb_recs(f, d, &o, &pos);
		if (ret < 0)
			return ret;
		break;
	case PCAPNG_BT_ISB:
		if (f->blk_len < sizeof(struct pcapng_isb_hdr) + 4)
			return too_short(f, "ISB");
		r->kind = CAPFILE_ISB;
		ret = iface_of(f, "ISB", rd32(f, b + 8), &r->if_id);
		if (ret < 0)
			return ret;
		for (; o < sizeof(struct pcapng_isb_hdr); o += 4)
			wr32(d + o, rd32(f, b + o));
		r->ts_raw = rd_ts(f, b + offsetof(struct pcapng_isb_hdr, ts_high));
		r->ts_ns = to_ns(&f->ifaces[r->if_id], r->ts_raw);
		r->has_ts = true;
		pos = o;
		break;
	case PCAPNG_BT_DSB:
		if (f->blk_len < 20)
			return too_short(f, "DSB");
		r->kind = CAPFILE_DSB;
		slen = rd32(f, b + 12);
		if (PCAPNG_PAD(slen) > end - 16)
			return fail(f, -EBADMSG, f->blk_off,
				    "DSB: secrets length %u exceeds the block of %u", slen,
				    f->blk_len);
		wr32(d + 8, rd32(f, b + 8));
		wr32(d + 12, slen);
		memcpy(d + 16, b + 16, PCAPNG_PAD(slen));
		memset(d + 16 + slen, 0, PCAPNG_PAD(slen) - slen);
		pos = o = 16 + PCAPNG_PAD(slen);
		break;
	default: /* PCAPNG_BT_CB: what follows the PEN is the PEN owner's */
		if (f->blk_len < 16)
			return too_short(f, "custom block");
		r->kind = CAPFILE_CUSTOM;
		wr32(d + 8, rd32(f, b + 8));
		memcpy(d + 12, b + 12, end - 12);
		pos = o = end;
		break;
	}
	ret = conv_opts(f, type, pos, end, d + o, &n, dropped);
	if (ret < 0)
		return ret;
	o += n;
	if (n) {
		wr32(d + o, 0);
		o += 4;
	}
	wr32(d + 4, (uint32_t)(o + 4));
	wr32(d + o, (uint32_t)(o + 4));
	r->data = d;
	r->caplen = r->wirelen = (uint32_t)(o + 4);
	return 2;
}

static bool is_carried(uint32_t type)
{
	return type == PCAPNG_BT_NRB || type == PCAPNG_BT_ISB || type == PCAPNG_BT_DSB ||
	       type == PCAPNG_BT_CB;
}

/*
 * @return 1 for a packet in *r, 2 for a carried block in *r, 0 for a block
 * that is neither, -errno.
 */
static int handle_block(struct capfile *f, struct capfile_rec *r)
{
	uint32_t type = rd32(f, f->blk);

	switch (type) {
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
		return f->carry ? carry_block(f, r, &f->stats.opts_dropped) : 0;
	case PCAPNG_BT_ISB:
	case PCAPNG_BT_DSB:
	case PCAPNG_BT_CB:
		return f->carry ? carry_block(f, r, &f->stats.opts_dropped) : 0;
	case PCAPNG_BT_CB_NOCOPY:
		f->stats.nocopy_blocks++;
		return 0;
	default:
		f->stats.unknown_blocks++;
		return 0;
	}
}

struct cq_ent {
	uint64_t ts_raw, ts_ns, dropped;
	uint32_t len, if_id;
	uint8_t kind;
	bool has_ts;
};

#define CQ_ALIGN(n) (((n) + 7) & ~(size_t)7)

/* Keep the carried block in blk for a capfile_carry() that may come. */
static void queue_block(struct capfile *f)
{
	char saved[sizeof(f->msg)];
	struct capfile_rec r;
	struct cq_ent e;
	uint64_t dropped = 0;
	size_t need = 0;
	int ret;

	memcpy(saved, f->msg, sizeof(saved));
	ret = carry_block(f, &r, &dropped);
	if (ret > 0) {
		need = CQ_ALIGN(sizeof(e) + r.caplen);
		ret = buf_reserve(f, &f->cq, &f->cq_cap, f->cq_len + need);
	}
	if (ret < 0) {
		/* an error only for a caller that carries, after what came before */
		f->cq_err = ret;
		f->cq_stop = true;
		memcpy(f->cq_msg, f->msg, sizeof(f->cq_msg));
		memcpy(f->msg, saved, sizeof(f->msg));
		return;
	}
	e = (struct cq_ent){ .ts_raw = r.ts_raw,
			     .ts_ns = r.ts_ns,
			     .dropped = dropped,
			     .len = r.caplen,
			     .if_id = r.if_id,
			     .kind = r.kind,
			     .has_ts = r.has_ts };
	memcpy(f->cq + f->cq_len, &e, sizeof(e));
	memcpy(f->cq + f->cq_len + sizeof(e), r.data, r.caplen);
	f->cq_len += need;
}

/* @return 2 for a queued block in *r, 0 if none is left, or the queued error. */
static int dequeue(struct capfile *f, struct capfile_rec *r)
{
	struct cq_ent e;
	int ret;

	if (f->cq_pos < f->cq_len) {
		memcpy(&e, f->cq + f->cq_pos, sizeof(e));
		*r = (struct capfile_rec){ .ts_raw = e.ts_raw,
					   .ts_ns = e.ts_ns,
					   .caplen = e.len,
					   .wirelen = e.len,
					   .data = f->cq + f->cq_pos + sizeof(e),
					   .if_id = e.if_id,
					   .kind = e.kind,
					   .has_ts = e.has_ts };
		f->stats.opts_dropped += e.dropped;
		f->cq_pos += CQ_ALIGN(sizeof(e) + e.len);
		return 2;
	}
	if (!f->cq_err)
		return 0;
	/* it came before whatever capfile_open() met later */
	ret = f->cq_err;
	f->cq_err = 0;
	f->deferred = 0;
	f->eof = f->trunc = false;
	f->pending = false;
	memcpy(f->msg, f->cq_msg, sizeof(f->msg));
	return ret;
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
	uint8_t *o;
	uint32_t lf;
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
	lf = rd32(f, b + offsetof(struct pcap_file_hdr, linktype));
	i.linktype = (uint16_t)lf;
	i.ts_per_sec = f->pcap_frac_ns == 1 ? 1000000000 : 1000000;
	i.tsresol = f->pcap_frac_ns == 1 ? 9 : 6;
	f->stats.sections = 1;
	f->ifaces = calloc(1, sizeof(*f->ifaces));
	if (!f->ifaces)
		return fail(f, -ENOMEM, 0, "no memory");
	if (lf & LT_FCS_PRESENT) {
		/* the length is in 16-bit words in the top 4 bits; if_fcslen is in bits */
		o = calloc(1, 8);
		if (!o)
			return fail(f, -ENOMEM, 0, "no memory");
		wr16(o, PCAPNG_IF_FCSLEN);
		wr16(o + 2, 1);
		o[4] = (uint8_t)((lf >> 28) * 16);
		i.opts = o;
		i.optlen = 8;
		f->opts_total = 8;
	}
	f->ifaces[0] = i;
	f->nifaces = f->ifaces_cap = 1;
	return 0;
}

static int pcap_next_rec(struct capfile *f, struct capfile_rec *r)
{
	const size_t hl = sizeof(struct pcap_rec_hdr);
	uint64_t sec, frac;
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
	sec = rd32(f, f->blk + offsetof(struct pcap_rec_hdr, ts_sec));
	frac = rd32(f, f->blk + offsetof(struct pcap_rec_hdr, ts_frac));
	*r = (struct capfile_rec){
		.ts_ns = sec * 1000000000u + frac * f->pcap_frac_ns,
		.caplen = caplen,
		.wirelen = rd32(f, f->blk + offsetof(struct pcap_rec_hdr, wirelen)),
		.data = f->blk + hl,
		.ts_raw = sec * f->ifaces[0].ts_per_sec + frac,
		.has_ts = true,
		.kind = CAPFILE_PCAP_REC,
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

	if (!f->started) {
		f->started = true;
		if (!f->carry) {
			free(f->cq);
			f->cq = NULL;
			f->cq_len = f->cq_cap = 0;
			f->cq_err = 0;
		}
	}
	if (f->cq || f->cq_err) {
		ret = dequeue(f, r);
		if (ret)
			return finish(f, ret);
		free(f->cq);
		f->cq = NULL;
	}
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
		if (f->blk_off < f->skip_before && is_packet_block(rd32(f, f->blk))) {
			ret = 0;
			continue;
		}
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
		if (is_carried(type) && !f->cq_stop) {
			if (f->cq_len + sizeof(struct cq_ent) + f->blk_len + 16 > CQ_MAX) {
				/* enough held: the rest comes from capfile_next() */
				f->pending = true;
				return;
			}
			queue_block(f);
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
		if (m == PCAP_MAGIC_KUZ || __builtin_bswap32(m) == PCAP_MAGIC_KUZ)
			return fail(f, -EINVAL, 0,
				    "a modified (Kuznetzov) pcap file: not supported; convert it "
				    "with editcap -F pcap");
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

const struct ring_feed *capfile_feeds(const struct capfile *f, unsigned int *n)
{
	*n = f->nfeeds;
	return f->feeds;
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

uint64_t capfile_block_offset(const struct capfile *f)
{
	return f->blk_off;
}

void capfile_skip_packets_before(struct capfile *f, uint64_t offset)
{
	f->skip_before = offset;
}

void capfile_carry(struct capfile *f, bool on)
{
	f->carry = on;
}

const struct capfile_stats *capfile_stats(const struct capfile *f)
{
	return &f->stats;
}

void capfile_close(struct capfile *f)
{
	unsigned int i;

	if (!f)
		return;
	if (f->own_fd)
		close(f->fd);
	ZSTD_freeDCtx(f->z);
	free(f->in);
	free(f->out);
	free(f->blk);
	for (i = 0; i < f->nifaces; i++)
		free((void *)(uintptr_t)f->ifaces[i].opts); /* ours: const for callers */
	free(f->ifaces);
	free(f->pbuf);
	free(f->cbuf);
	free(f->cq);
	free(f);
}
