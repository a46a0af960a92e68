// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pcapng.c - the pcapng/pcap encoders: golden bytes for every block
 * with and without options (derived from the draft, not from this code),
 * measure == emit and nothing written when a block does not fit, every
 * combination of options walked by an independent parser, cut strings, and
 * a round trip through capfile.
 *
 * "test_pcapng tools [DIR]" has the independent judges read what we write:
 * capinfos and tshark the pcapng file, tcpdump the nanosecond pcap.  It
 * exits 77 only when one of them is not installed.  With DIR the files are
 * written there and kept.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "capfile.h"
#include "pcapng.h"
#include "test.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#define GOLDEN_SKIP 1 /* golden bytes are little endian; the rest still runs */
#endif

static const char golden_shb_min[] =
	"0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffff ffffffff 1c000000";
static const char golden_shb_full[] =
	"0a0d0d0a 60000000 4d3c2b1a 01000000 ffffffff ffffffff 01000200 68690000 02000600 "
	"7838365f 36340000 03000900 4c696e75 7820362e 31000000 04000b00 63617064 756d7020 "
	"302e3100 ac0b0600 d97e0000 61620000 00000000 60000000";
static const char golden_idb_min[] =
	"01000000 20000000 01000000 ffff0000 09000100 09000000 00000000 20000000";
static const char golden_idb_full[] =
	"01000000 74000000 01000000 00080000 01000100 63000000 02000400 65746830 03000600 "
	"66656564 20410000 08000800 00e40b54 02000000 09000100 09000000 0b000400 00756470 "
	"0d000100 00000000 0f000800 69636520 45383130 ad0b0900 d97e0000 01020304 05000000 "
	"00000000 74000000";
static const char golden_epb_min[] =
	"06000000 28000000 00000000 fe9c9717 15cd853d 05000000 3c000000 68656c6c 6f000000 "
	"28000000";
static const char golden_epb_empty[] =
	"06000000 20000000 02000000 00000000 00000000 00000000 00000000 20000000";
static const char golden_epb_full[] =
	"06000000 5c000000 01000000 fe9c9717 15cd853d 04000000 04000000 deadbeef 01000600 "
	"6c6f7374 20370000 02000400 09000000 04000800 07000000 00000000 05000800 2a000000 "
	"00000000 06000400 03000000 00000000 5c000000";
static const char golden_isb_min[] = "05000000 18000000 01000000 fe9c9717 15cd853d 18000000";
static const char golden_isb_full[] =
	"05000000 88000000 00000000 fe9c9717 15cd853d 01000500 636c6f73 65000000 02000800 "
	"fe9c9717 1503eb01 03000800 fe9c9717 15cd853d 04000800 64000000 00000000 05000800 "
	"01000000 00000000 06000800 5a000000 00000000 07000800 02000000 00000000 08000800 "
	"58000000 00000000 ac0b0500 d97e0000 71000000 00000000 88000000";
static const char golden_nrb[] =
	"04000000 44000000 01000f00 ef010106 46454544 2d412d63 68360000 02001a00 ff020000 "
	"00000000 00000000 00000001 616c6c2d 6e6f6465 73000000 00000000 44000000";
static const char golden_nrb_empty[] = "04000000 10000000 00000000 10000000";
/* draft section 4.4: type 3, length, original length, data padded, length */
static const char golden_spb[] = "03000000 18000000 3c000000 68656c6c 6f000000 18000000";
/* IDB, linktype 101 (raw IP), if_tsresol 6, if_tsoffset -1 then the blob:
 * if_name "a" and a comment (host order; little endian here) */
static const char golden_idb_blob[] =
	"01000000 3c000000 65000000 00000000 09000100 06000000 0e000800 ffffffff ffffffff "
	"02000100 61000000 01000200 68690000 00000000 3c000000";
static const char golden_pcap_hdr[] = "4d3cb2a1 02000400 00000000 00000000 00000400 01000000";
static const char golden_pcap_rec[] = "00f15365 15cd5b07 03000000 40000000 616263";

#define TS 1700000000123456789ULL

/* One encoder behind a common signature, so every block gets the same checks. */
typedef size_t (*enc_fn)(void *buf, size_t cap, const void *arg);

static size_t enc_shb(void *b, size_t c, const void *a)
{
	return pcapng_shb(b, c, a);
}

static size_t enc_idb(void *b, size_t c, const void *a)
{
	return pcapng_idb(b, c, a);
}

static size_t enc_epb(void *b, size_t c, const void *a)
{
	return pcapng_epb(b, c, a);
}

static size_t enc_isb(void *b, size_t c, const void *a)
{
	return pcapng_isb(b, c, a);
}

struct nrb_arg {
	const struct pcapng_nrb_rec *r;
	size_t n;
};

static size_t enc_nrb(void *b, size_t c, const void *a)
{
	const struct nrb_arg *x = a;

	return pcapng_nrb(b, c, x->r, x->n);
}

struct pcap_arg {
	uint64_t ts;
	uint32_t caplen, wirelen, snaplen, linktype;
	const void *data;
};

static size_t enc_pcap_hdr(void *b, size_t c, const void *a)
{
	const struct pcap_arg *x = a;

	return pcap_file_header(b, c, x->snaplen, x->linktype);
}

static size_t enc_pcap_rec(void *b, size_t c, const void *a)
{
	const struct pcap_arg *x = a;

	return pcap_record(b, c, x->ts, x->caplen, x->wirelen, x->data);
}

static size_t enc_spb(void *b, size_t c, const void *a)
{
	return pcapng_spb(b, c, a);
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		T_ASSERT(sscanf(s, "%2x", &v) == 1 && n < cap);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(stderr, "%s:", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 4 ? "" : " ", p[i]);
	fputc('\n', stderr);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * The contract every encoder keeps: cap 0 measures; too small a buffer is
 * not touched; the exact size is filled and nothing past it.
 */
static size_t check_fit(const char *name, enc_fn fn, const void *arg, uint8_t *buf, size_t bufsz,
			bool pcapng)
{
	size_t n = fn(NULL, 0, arg), i;

	T_ASSERT(n > 0 && n + 8 <= bufsz);
	memset(buf, 0xA5, n + 8);
	if (fn(buf, n - 1, arg) != n)
		T_FAIL("%s: length changes with cap", name);
	for (i = 0; i < n + 8; i++)
		if (buf[i] != 0xA5)
			T_FAIL("%s: wrote byte %zu into a buffer that was too small", name, i);
	T_EQ(fn(buf, n, arg), n);
	for (i = n; i < n + 8; i++)
		if (buf[i] != 0xA5)
			T_FAIL("%s: wrote past the block", name);
	if (pcapng) {
		T_EQ(n % 4, 0);
		T_EQ(get32(buf + 4), n);
		T_EQ(get32(buf + n - 4), n);
	}
	return n;
}

static void check_golden(const char *name, enc_fn fn, const void *arg, const char *golden,
			 bool pcapng)
{
	uint8_t want[512], buf[520];
	size_t n, wn;

	n = check_fit(name, fn, arg, buf, sizeof(buf), pcapng);
#ifdef GOLDEN_SKIP
	(void)golden;
	(void)want;
	(void)wn;
#else
	wn = unhex(golden, want, sizeof(want));
	if (n != wn || memcmp(buf, want, n)) {
		hexdump("got ", buf, n);
		hexdump("want", want, wn);
		T_FAIL("%s: bytes differ from the golden block", name);
	}
#endif
}

static void test_golden(void)
{
	static const uint8_t bin[] = { 1, 2, 3, 4, 5 };
	const struct pcapng_custom cs = { 2988, PCAPNG_PEN, "ab", 2 };
	const struct pcapng_custom cb = { 2989, PCAPNG_PEN, bin, 5 };
	const struct pcapng_custom cq = { 2988, PCAPNG_PEN, "q", 1 };
	struct pcapng_nrb_rec r[4] = {
		{ .family = AF_INET, .addr = { 239, 1, 1, 6 }, .name = "FEED-A-ch6" },
		{ .family = AF_UNIX, .name = "skipped: not an address family of NRB" },
		{ .family = AF_INET6, .name = "all-nodes" },
		{ .family = AF_INET, .addr = { 10, 0, 0, 1 }, .name = "" },
	};

	check_golden("shb min", enc_shb, &(struct pcapng_shb_info){ 0 }, golden_shb_min, true);
	check_golden("shb NULL", enc_shb, NULL, golden_shb_min, true);
	check_golden("shb full", enc_shb,
		     &(struct pcapng_shb_info){ .hardware = "x86_64",
						.os = "Linux 6.1",
						.userappl = "capdump 0.1",
						.comment = "hi",
						.custom = &cs,
						.ncustom = 1 },
		     golden_shb_full, true);
	check_golden(
		"idb min", enc_idb,
		&(struct pcapng_idb_info){ .linktype = PCAPNG_LINKTYPE_ETHERNET, .snaplen = 65535 },
		golden_idb_min, true);
	check_golden("idb full", enc_idb,
		     &(struct pcapng_idb_info){ .linktype = PCAPNG_LINKTYPE_ETHERNET,
						.snaplen = 2048,
						.name = "eth0",
						.description = "feed A",
						.hardware = "ice E810",
						.filter = "udp",
						.comment = "c",
						.speed = 10000000000ULL,
						.fcslen_present = 1,
						.fcslen = 0,
						.custom = &cb,
						.ncustom = 1 },
		     golden_idb_full, true);
	check_golden("epb min", enc_epb,
		     &(struct pcapng_epb_info){ .ts = TS,
						.caplen = 5,
						.wirelen = 60,
						.data = "hello",
						.queue = UINT32_MAX,
						.packetid = PCAPNG_ABSENT },
		     golden_epb_min, true);
	check_golden("epb empty", enc_epb,
		     &(struct pcapng_epb_info){
			     .if_id = 2, .queue = UINT32_MAX, .packetid = PCAPNG_ABSENT },
		     golden_epb_empty, true);
	check_golden("epb full", enc_epb,
		     &(struct pcapng_epb_info){ .if_id = 1,
						.ts = TS,
						.caplen = 4,
						.wirelen = 4,
						.data = "\xde\xad\xbe\xef",
						.flags = PCAPNG_EPB_INBOUND | PCAPNG_EPB_MULTICAST,
						.dropcount = 7,
						.queue = 3,
						.packetid = 42,
						.comment = "lost 7" },
		     golden_epb_full, true);
	check_golden("isb min", enc_isb,
		     &(struct pcapng_isb_info){ .if_id = 1,
						.ts = TS,
						.starttime = PCAPNG_ABSENT,
						.endtime = PCAPNG_ABSENT,
						.ifrecv = PCAPNG_ABSENT,
						.ifdrop = PCAPNG_ABSENT,
						.filteraccept = PCAPNG_ABSENT,
						.osdrop = PCAPNG_ABSENT,
						.usrdeliv = PCAPNG_ABSENT },
		     golden_isb_min, true);
	check_golden("isb full", enc_isb,
		     &(struct pcapng_isb_info){ .ts = TS,
						.starttime = TS - 1000000000,
						.endtime = TS,
						.ifrecv = 100,
						.ifdrop = 1,
						.filteraccept = 90,
						.osdrop = 2,
						.usrdeliv = 88,
						.comment = "close",
						.custom = &cq,
						.ncustom = 1 },
		     golden_isb_full, true);
	r[2].addr[0] = 0xff;
	r[2].addr[1] = 0x02;
	r[2].addr[15] = 0x01;
	check_golden("nrb", enc_nrb, &(struct nrb_arg){ r, 4 }, golden_nrb, true);
	check_golden("nrb empty", enc_nrb, &(struct nrb_arg){ NULL, 0 }, golden_nrb_empty, true);
	check_golden("spb", enc_spb,
		     &(struct pcapng_spb_info){ .caplen = 5, .wirelen = 60, .data = "hello" },
		     golden_spb, true);
	check_golden("idb blob", enc_idb,
		     &(struct pcapng_idb_info){ .linktype = 101,
						.tsresol = 6,
						.tsoffset = -1,
						.opts = "\x02\x00\x01\x00"
							"a\0\0\0"
							"\x01\x00\x02\x00"
							"hi\0\0",
						.optlen = 16 },
		     golden_idb_blob, true);
	check_golden("pcap header", enc_pcap_hdr,
		     &(struct pcap_arg){ .snaplen = 262144, .linktype = 1 }, golden_pcap_hdr,
		     false);
	check_golden("pcap record", enc_pcap_rec,
		     &(struct pcap_arg){ .ts = TS, .caplen = 3, .wirelen = 64, .data = "abc" },
		     golden_pcap_rec, false);
}

/* ---- every combination of options, walked by a parser of its own ---- */

struct opt {
	uint16_t code, len;
	const uint8_t *v;
};

/* Check the framing of block buf[0, n) and collect its options. */
static unsigned int walk(const uint8_t *buf, size_t n, size_t fixed, struct opt *o,
			 unsigned int max)
{
	size_t pos = fixed, i;
	unsigned int k = 0;
	uint16_t code, len;

	T_EQ(n % 4, 0);
	T_EQ(get32(buf + 4), n);
	T_EQ(get32(buf + n - 4), n);
	T_ASSERT(fixed % 4 == 0 && fixed + 4 <= n);
	if (pos == n - 4)
		return 0;
	for (;;) {
		T_ASSERT(pos + 4 <= n - 4);
		memcpy(&code, buf + pos, 2);
		memcpy(&len, buf + pos + 2, 2);
		if (code == PCAPNG_OPT_ENDOFOPT) {
			T_EQ(len, 0);
			/* opt_endofopt is last, and present when options are */
			T_EQ(pos + 4, n - 4);
			T_ASSERT(k > 0);
			return k;
		}
		T_ASSERT(pos + 4 + PCAPNG_PAD(len) <= n - 8);
		for (i = len; i < PCAPNG_PAD(len); i++)
			T_EQ(buf[pos + 4 + i], 0);
		T_ASSERT(k < max);
		o[k++] = (struct opt){ code, len, buf + pos + 4 };
		pos += 4 + PCAPNG_PAD(len);
	}
}

static void want_opt(const struct opt *o, unsigned int *k, unsigned int n, uint16_t code,
		     const void *v, uint16_t len)
{
	if (*k >= n || o[*k].code != code || o[*k].len != len || memcmp(o[*k].v, v, len))
		T_FAIL("option %u: expected code %u length %u (have %u options)", *k, code, len, n);
	(*k)++;
}

static void want_str(const struct opt *o, unsigned int *k, unsigned int n, uint16_t code,
		     const char *s)
{
	want_opt(o, k, n, code, s, (uint16_t)strlen(s));
}

static void want_custom(const struct opt *o, unsigned int *k, unsigned int n,
			const struct pcapng_custom *c)
{
	uint8_t v[64];
	uint32_t pen = c->pen;

	memcpy(v, &pen, 4);
	memcpy(v + 4, c->data, c->len);
	want_opt(o, k, n, c->code, v, 4 + c->len);
}

static uint8_t big[1 << 18];

static void test_epb_combinations(void)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct pcapng_epb_info e;
	unsigned int mask, n, k;
	uint32_t caplen;
	struct opt o[16];
	size_t len;

	for (mask = 0; mask < 32; mask++) {
		for (caplen = 0; caplen <= 8; caplen++) {
			e = (struct pcapng_epb_info){
				.if_id = mask,
				.ts = TS + mask,
				.caplen = caplen,
				.wirelen = caplen + mask,
				.data = data,
				.flags = mask & 1 ? 0x80000009u : 0,
				.dropcount = mask & 2 ? (1ULL << 40) + mask : 0,
				.packetid = mask & 4 ? mask : PCAPNG_ABSENT,
				.queue = mask & 8 ? mask : UINT32_MAX,
				.comment = mask & 16 ? "combination" : NULL,
			};
			len = check_fit("epb", enc_epb, &e, big, sizeof(big), true);
			T_EQ(get32(big), PCAPNG_BT_EPB);
			T_EQ(get32(big + 8), mask);
			T_EQ(get32(big + 12), (uint32_t)(e.ts >> 32));
			T_EQ(get32(big + 16), (uint32_t)e.ts);
			T_EQ(get32(big + 20), caplen);
			T_EQ(get32(big + 24), caplen + mask);
			T_ASSERT(!memcmp(big + 28, data, caplen));
			n = walk(big, len, 28 + PCAPNG_PAD(caplen), o, 16);
			k = 0;
			if (mask & 16)
				want_str(o, &k, n, PCAPNG_OPT_COMMENT, e.comment);
			if (mask & 1)
				want_opt(o, &k, n, PCAPNG_EPB_FLAGS, &e.flags, 4);
			if (mask & 2)
				want_opt(o, &k, n, PCAPNG_EPB_DROPCOUNT, &e.dropcount, 8);
			if (mask & 4)
				want_opt(o, &k, n, PCAPNG_EPB_PACKETID, &e.packetid, 8);
			if (mask & 8)
				want_opt(o, &k, n, PCAPNG_EPB_QUEUE, &e.queue, 4);
			T_EQ(k, n);
		}
	}
}

static void test_idb_combinations(void)
{
	const struct pcapng_custom c[2] = { { 2988, 1, "one", 3 }, { 19373, 2, "\0\1", 2 } };
	struct pcapng_idb_info i;
	unsigned int mask, n, k;
	struct opt o[16];
	uint8_t filter[8];
	size_t len;

	for (mask = 0; mask < 512; mask++) {
		i = (struct pcapng_idb_info){
			.linktype = (uint16_t)mask,
			.snaplen = mask * 7,
			.comment = mask & 1 ? "comment" : NULL,
			.name = mask & 2 ? "capd0" : NULL,
			.description = mask & 4 ? "feed" : NULL,
			.speed = mask & 8 ? 25000000000ULL : 0,
			.tsresol = mask & 16 ? 6 : 0,
			.filter = mask & 32 ? "udp" : NULL,
			.fcslen_present = !!(mask & 64),
			.fcslen = 4,
			.hardware = mask & 128 ? "nic" : NULL,
			.custom = mask & 256 ? c : NULL,
			.ncustom = 2,
		};
		len = check_fit("idb", enc_idb, &i, big, sizeof(big), true);
		T_EQ(get32(big), PCAPNG_BT_IDB);
		T_EQ(get32(big + 8), mask); /* linktype, reserved 0 */
		T_EQ(get32(big + 12), mask * 7);
		n = walk(big, len, 16, o, 16);
		k = 0;
		if (mask & 1)
			want_str(o, &k, n, PCAPNG_OPT_COMMENT, i.comment);
		if (mask & 2)
			want_str(o, &k, n, PCAPNG_IF_NAME, i.name);
		if (mask & 4)
			want_str(o, &k, n, PCAPNG_IF_DESCRIPTION, i.description);
		if (mask & 8)
			want_opt(o, &k, n, PCAPNG_IF_SPEED, &i.speed, 8);
		want_opt(o, &k, n, PCAPNG_IF_TSRESOL, mask & 16 ? "\x06" : "\x09", 1);
		if (mask & 32) {
			memcpy(filter, "\0udp", 4);
			want_opt(o, &k, n, PCAPNG_IF_FILTER, filter, 4);
		}
		if (mask & 64)
			want_opt(o, &k, n, PCAPNG_IF_FCSLEN, "\x04", 1);
		if (mask & 128)
			want_str(o, &k, n, PCAPNG_IF_HARDWARE, i.hardware);
		if (mask & 256) {
			want_custom(o, &k, n, &c[0]);
			want_custom(o, &k, n, &c[1]);
		}
		T_EQ(k, n);
	}
}

/* Build an OPTIONS BLOB of the options in o[0, n). */
static size_t blob(uint8_t *b, const struct opt *o, unsigned int n)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(b + len, &o[i].code, 2);
		memcpy(b + len + 2, &o[i].len, 2);
		memset(b + len + 4, 0, PCAPNG_PAD(o[i].len));
		memcpy(b + len + 4, o[i].v, o[i].len);
		len += 4 + PCAPNG_PAD(o[i].len);
	}
	return len;
}

/*
 * OPTIONS BLOBs: appended after the encoder's own options, verbatim; the
 * encoder's single-valued options the blob has are left to the blob; a
 * malformed blob is refused; if_tsoffset.
 */
static void test_blobs(void)
{
	static const uint8_t data[5] = "abcde";
	const uint64_t speed = 1000, dc = 9;
	const uint32_t flags = 0x9, queue = 5;
	const int64_t tsoff = 1700000000;
	const struct opt io[] = {
		{ PCAPNG_IF_NAME, 4, (const uint8_t *)"eth9" },
		{ PCAPNG_IF_SPEED, 8, (const uint8_t *)&speed },
		{ PCAPNG_OPT_COMMENT, 3, (const uint8_t *)"abc" },
		{ 4, 8, (const uint8_t *)"\x0a\0\0\1\xff\xff\xff\0" }, /* if_IPv4addr */
	};
	const struct opt eo[] = {
		{ PCAPNG_EPB_FLAGS, 4, (const uint8_t *)&flags },
		{ PCAPNG_EPB_HASH, 5, (const uint8_t *)"\x02\1\2\3\4" },
		{ PCAPNG_OPT_CUSTOM_BIN, 6, (const uint8_t *)"\x59\x7e\0\0xy" },
	};
	uint8_t ib[128], eb[128], bad[16];
	struct opt o[16];
	unsigned int n, k, i;
	size_t il, el, len;

	il = blob(ib, io, 4);
	el = blob(eb, eo, 3);
	T_ASSERT(pcapng_opts_valid(ib, il) && pcapng_opts_valid(eb, el));
	T_ASSERT(pcapng_opts_valid(NULL, 0));
	T_ASSERT(pcapng_opts_has(ib, il, PCAPNG_IF_SPEED) && !pcapng_opts_has(ib, il, 9));

	/* IDB: own name and speed give way to the blob's; comment, tsresol,
	 * tsoffset, filter are the encoder's; the blob follows them whole */
	struct pcapng_idb_info idb = {
		.linktype = 113,
		.snaplen = 100,
		.name = "mine",
		.speed = 5,
		.comment = "own",
		.tsresol = 0x86, /* 2^-6 */
		.tsoffset = tsoff,
		.filter = "udp",
		.opts = ib,
		.optlen = il,
	};
	len = check_fit("idb+blob", enc_idb, &idb, big, sizeof(big), true);
	n = walk(big, len, 16, o, 16);
	k = 0;
	want_str(o, &k, n, PCAPNG_OPT_COMMENT, "own");
	want_opt(o, &k, n, PCAPNG_IF_TSRESOL, "\x86", 1);
	want_opt(o, &k, n, PCAPNG_IF_TSOFFSET, &tsoff, 8);
	want_opt(o, &k, n, PCAPNG_IF_FILTER, "\0udp", 4);
	for (i = 0; i < 4; i++)
		want_opt(o, &k, n, io[i].code, io[i].v, io[i].len);
	T_EQ(k, n);
	T_ASSERT(!memcmp(big + len - 8 - il, ib, il)); /* verbatim, before the end */

	/* EPB: the blob's epb_flags wins; dropcount, queue, comment are own */
	struct pcapng_epb_info e = {
		.if_id = 3,
		.ts = TS,
		.caplen = 5,
		.wirelen = 5,
		.data = data,
		.flags = 0x1,
		.dropcount = dc,
		.queue = queue,
		.packetid = PCAPNG_ABSENT,
		.comment = "c",
		.opts = eb,
		.optlen = el,
	};
	len = check_fit("epb+blob", enc_epb, &e, big, sizeof(big), true);
	n = walk(big, len, 28 + 8, o, 16);
	k = 0;
	want_str(o, &k, n, PCAPNG_OPT_COMMENT, "c");
	want_opt(o, &k, n, PCAPNG_EPB_DROPCOUNT, &dc, 8);
	want_opt(o, &k, n, PCAPNG_EPB_QUEUE, &queue, 4);
	for (i = 0; i < 3; i++)
		want_opt(o, &k, n, eo[i].code, eo[i].v, eo[i].len);
	T_EQ(k, n);

	/* A blob alone still ends its list */
	e = (struct pcapng_epb_info){
		.queue = UINT32_MAX, .packetid = PCAPNG_ABSENT, .opts = eb, .optlen = el
	};
	len = check_fit("epb blob only", enc_epb, &e, big, sizeof(big), true);
	T_EQ(walk(big, len, 28, o, 16), 3);

	/* Malformed: not a multiple of 4, an option past the end, an end of
	 * options inside, a NULL blob with a length */
	memcpy(bad,
	       "\x01\x00\x09\x00"
	       "abcdefgh",
	       12);
	T_ASSERT(!pcapng_opts_valid(bad, 12));
	e.opts = bad;
	e.optlen = 12;
	T_EQ(pcapng_epb(NULL, 0, &e), 0);
	idb.opts = bad;
	idb.optlen = 12;
	T_EQ(pcapng_idb(big, sizeof(big), &idb), 0);
	T_ASSERT(!pcapng_opts_valid(bad, 6));
	memcpy(bad, "\x00\x00\x00\x00\x01\x00\x00\x00", 8);
	T_ASSERT(!pcapng_opts_valid(bad, 8));
	T_ASSERT(!pcapng_opts_valid(NULL, 4));

	/* One option on its own */
	T_EQ(pcapng_opt_str(NULL, 0, 1, "hello"), 12);
	T_EQ(pcapng_opt_str(big, 12, 1, "hello"), 12);
	T_ASSERT(!memcmp(big, "\x01\x00\x05\x00hello\0\0\0", 12));
	T_EQ(pcapng_opt_str(NULL, 0, 1, ""), 0);
	T_EQ(pcapng_opt_str(NULL, 0, 1, NULL), 0);

	/* SPB: data padded; caplen 0 */
	len = check_fit("spb empty", enc_spb, &(struct pcapng_spb_info){ .wirelen = 9 }, big,
			sizeof(big), true);
	T_EQ(len, 16);
	T_EQ(get32(big), PCAPNG_BT_SPB);
	T_EQ(get32(big + 8), 9);
	len = check_fit("spb 5 of 7", enc_spb,
			&(struct pcapng_spb_info){ .caplen = 5, .wirelen = 7, .data = data }, big,
			sizeof(big), true);
	T_EQ(len, 24);
}

/* Timestamps between an interface's units and ns, both ways. */
static void test_ts(void)
{
	static const struct {
		uint64_t ts;
		uint8_t res;
		int64_t off;
		uint64_t ns;
	} v[] = {
		{ TS, 9, 0, TS },
		{ 1700000000123456ULL, 6, 0, 1700000000123456000ULL },
		{ 1700000000123ULL, 3, 0, 1700000000123000000ULL },
		{ 1700000000ULL, 0, 0, 1700000000000000000ULL },
		{ 17000000001234567891ULL, 10, 0, 1700000000123456789ULL }, /* rounded down */
		{ 123456789ULL, 9, 1700000000, TS },
		{ 5ULL, 9, -1, 0 }, /* before the epoch */
		{ (1700000000ULL << 20) + (1ULL << 19), 0x94, 0, 1700000000500000000ULL },
		{ (1ULL << 32) + 1, 0xA0, 0, 1000000000ULL }, /* 2^-32: 0.23 ns rounded down */
		{ 3ULL, 0x80 | 100, 0, 0 },
		{ UINT64_MAX, 9, INT64_MAX, UINT64_MAX - 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (pcapng_ts_ns(v[i].ts, v[i].res, v[i].off) != v[i].ns)
			T_FAIL("ts %zu: %llu, want %llu", i,
			       (unsigned long long)pcapng_ts_ns(v[i].ts, v[i].res, v[i].off),
			       (unsigned long long)v[i].ns);
	/* back: exact where the units are ns or coarser */
	T_EQ(pcapng_ns_ts(TS, 9, 0), TS);
	T_EQ(pcapng_ns_ts(TS, 6, 0), TS / 1000);
	T_EQ(pcapng_ns_ts(TS, 9, 1700000000), 123456789);
	T_EQ(pcapng_ns_ts(TS, 12, 0), UINT64_MAX); /* ps: beyond 2^64 */
	T_EQ(pcapng_ns_ts(1000000000, 12, 0), 1000000000000ULL);
	T_EQ(pcapng_ns_ts(1500000000, 0x81, 0), 3);
	T_EQ(pcapng_ns_ts(5, 9, 1), 0);
	T_ASSERT(!strcmp(pcapng_linktype_name(1), "LINKTYPE_ETHERNET"));
	T_ASSERT(!strcmp(pcapng_linktype_name(276), "LINKTYPE_LINUX_SLL2"));
	T_ASSERT(!pcapng_linktype_name(60000));
}

static void test_isb_combinations(void)
{
	const struct pcapng_custom c = { 2989, PCAPNG_PEN, "\1\2\3\4", 4 };
	struct pcapng_isb_info i;
	unsigned int mask, n, k;
	struct opt o[16];
	uint64_t v;
	uint32_t t[2];
	size_t len;

	for (mask = 0; mask < 512; mask++) {
		i = (struct pcapng_isb_info){
			.if_id = mask,
			.ts = TS,
			.comment = mask & 1 ? "stats" : NULL,
			.starttime = mask & 2 ? TS - 5 : PCAPNG_ABSENT,
			.endtime = mask & 4 ? TS + 5 : PCAPNG_ABSENT,
			.ifrecv = mask & 8 ? 0 : PCAPNG_ABSENT, /* 0 is a value, not absent */
			.ifdrop = mask & 16 ? 16 : PCAPNG_ABSENT,
			.filteraccept = mask & 32 ? 32 : PCAPNG_ABSENT,
			.osdrop = mask & 64 ? 64 : PCAPNG_ABSENT,
			.usrdeliv = mask & 128 ? UINT64_MAX - 1 : PCAPNG_ABSENT,
			.custom = mask & 256 ? &c : NULL,
			.ncustom = 1,
		};
		len = check_fit("isb", enc_isb, &i, big, sizeof(big), true);
		T_EQ(get32(big), PCAPNG_BT_ISB);
		T_EQ(get32(big + 8), mask);
		n = walk(big, len, 20, o, 16);
		k = 0;
		if (mask & 1)
			want_str(o, &k, n, PCAPNG_OPT_COMMENT, i.comment);
		if (mask & 2) {
			t[0] = (uint32_t)(i.starttime >> 32);
			t[1] = (uint32_t)i.starttime;
			want_opt(o, &k, n, PCAPNG_ISB_STARTTIME, t, 8);
		}
		if (mask & 4) {
			t[0] = (uint32_t)(i.endtime >> 32);
			t[1] = (uint32_t)i.endtime;
			want_opt(o, &k, n, PCAPNG_ISB_ENDTIME, t, 8);
		}
		if (mask & 8)
			want_opt(o, &k, n, PCAPNG_ISB_IFRECV, &i.ifrecv, 8);
		if (mask & 16)
			want_opt(o, &k, n, PCAPNG_ISB_IFDROP, &i.ifdrop, 8);
		if (mask & 32)
			want_opt(o, &k, n, PCAPNG_ISB_FILTERACCEPT, &i.filteraccept, 8);
		if (mask & 64)
			want_opt(o, &k, n, PCAPNG_ISB_OSDROP, &i.osdrop, 8);
		if (mask & 128) {
			v = UINT64_MAX - 1;
			want_opt(o, &k, n, PCAPNG_ISB_USRDELIV, &v, 8);
		}
		if (mask & 256)
			want_custom(o, &k, n, &c);
		T_EQ(k, n);
	}
}

static void test_shb_combinations(void)
{
	const struct pcapng_custom c = { 19372, 7, "x", 1 };
	struct pcapng_shb_info s;
	unsigned int mask, n, k;
	struct opt o[16];
	size_t len;

	for (mask = 0; mask < 32; mask++) {
		s = (struct pcapng_shb_info){
			.comment = mask & 1 ? "session 1234" : NULL,
			.hardware = mask & 2 ? "" : NULL, /* "" is absent too */
			.os = mask & 4 ? "Linux" : NULL,
			.userappl = mask & 8 ? "capdump" : NULL,
			.custom = mask & 16 ? &c : NULL,
			.ncustom = mask & 16 ? 1 : 0,
		};
		len = check_fit("shb", enc_shb, &s, big, sizeof(big), true);
		T_EQ(get32(big), PCAPNG_BT_SHB);
		T_EQ(get32(big + 8), PCAPNG_BYTE_ORDER_MAGIC);
		T_EQ(get32(big + 12), 1); /* major 1, minor 0 */
		T_EQ(get32(big + 16), UINT32_MAX);
		T_EQ(get32(big + 20), UINT32_MAX);
		n = walk(big, len, 24, o, 16);
		k = 0;
		if (mask & 1)
			want_str(o, &k, n, PCAPNG_OPT_COMMENT, s.comment);
		if (mask & 4)
			want_str(o, &k, n, PCAPNG_SHB_OS, s.os);
		if (mask & 8)
			want_str(o, &k, n, PCAPNG_SHB_USERAPPL, s.userappl);
		if (mask & 16)
			want_custom(o, &k, n, &c);
		T_EQ(k, n);
	}
}

/* Values too long for a 16-bit option length are cut on a character boundary. */
static void test_long_values(void)
{
	const size_t n = 70000;
	char *ascii = malloc(n + 1), *utf8 = malloc(2 * n + 1);
	struct pcapng_custom c = { 2988, PCAPNG_PEN, NULL, 65535 };
	struct pcapng_nrb_rec r = { .family = AF_INET6 };
	struct opt o[8];
	size_t i, len;

	T_ASSERT(ascii && utf8);
	memset(ascii, 'a', n);
	ascii[n] = '\0';
	for (i = 0; i < n; i++)
		memcpy(utf8 + 2 * i, "\xc3\xa9", 2); /* é */
	utf8[2 * n] = '\0';

	len = check_fit("long comment", enc_shb, &(struct pcapng_shb_info){ .comment = ascii }, big,
			sizeof(big), true);
	T_EQ(walk(big, len, 24, o, 8), 1);
	T_EQ(o[0].len, 65535);
	T_EQ(len, 24 + 4 + 65536 + 4 + 4);

	len = check_fit("long utf8", enc_shb, &(struct pcapng_shb_info){ .os = utf8 }, big,
			sizeof(big), true);
	T_EQ(walk(big, len, 24, o, 8), 1);
	T_EQ(o[0].len, 65534); /* 65535 would split a character */
	T_ASSERT(!memcmp(o[0].v, utf8, 65534));

	len = check_fit("long filter", enc_idb, &(struct pcapng_idb_info){ .filter = utf8 }, big,
			sizeof(big), true);
	T_EQ(walk(big, len, 16, o, 8), 2);
	T_EQ(o[1].code, PCAPNG_IF_FILTER);
	T_EQ(o[1].len, 1 + 65534); /* type octet + 32767 whole characters */

	/* custom string: 4 bytes of PEN leave 65531, cut to whole characters */
	c.data = utf8;
	len = check_fit("long custom", enc_isb,
			&(struct pcapng_isb_info){ .starttime = PCAPNG_ABSENT,
						   .endtime = PCAPNG_ABSENT,
						   .ifrecv = PCAPNG_ABSENT,
						   .ifdrop = PCAPNG_ABSENT,
						   .filteraccept = PCAPNG_ABSENT,
						   .osdrop = PCAPNG_ABSENT,
						   .usrdeliv = PCAPNG_ABSENT,
						   .custom = &c,
						   .ncustom = 1 },
			big, sizeof(big), true);
	T_EQ(walk(big, len, 20, o, 8), 1);
	T_EQ(o[0].len, 4 + 65530);
	c.code = 2989; /* binary: cut at the byte */
	len = check_fit("long custom bin", enc_shb,
			&(struct pcapng_shb_info){ .custom = &c, .ncustom = 1 }, big, sizeof(big),
			true);
	T_EQ(walk(big, len, 24, o, 8), 1);
	T_EQ(o[0].len, 65535);

	/* NRB: 16 bytes of address and a NUL leave 65518 for the name */
	r.name = ascii;
	len = check_fit("long nrb", enc_nrb, &(struct nrb_arg){ &r, 1 }, big, sizeof(big), true);
	T_EQ(get32(big + 8), PCAPNG_NRB_IPV6 | 65535u << 16);
	T_EQ(big[12 + 16 + 65518], 0);
	T_EQ(len, 8 + 4 + 65536 + 4 + 4);
	free(ascii);
	free(utf8);
}

static void test_limits(void)
{
	struct pcapng_epb_info e = { .caplen = UINT32_MAX - 20,
				     .queue = UINT32_MAX,
				     .packetid = PCAPNG_ABSENT };
	uint8_t buf[64];

	/* too big for a 32-bit block length: 0, and nothing written */
	memset(buf, 0xA5, sizeof(buf));
	T_EQ(pcapng_epb(buf, sizeof(buf), &e), 0);
	T_EQ(buf[0], 0xA5);
	/* a 4 GiB - 36 byte block is still representable */
	e.caplen = UINT32_MAX - 35 - 3;
	T_EQ(pcapng_epb(NULL, 0, &e), (size_t)UINT32_MAX - 3);
	/* data NULL: zeros */
	e = (struct pcapng_epb_info){ .caplen = 6, .queue = UINT32_MAX, .packetid = PCAPNG_ABSENT };
	memset(buf, 0xA5, sizeof(buf));
	T_EQ(pcapng_epb(buf, sizeof(buf), &e), 40);
	T_ASSERT(!memcmp(buf + 28, "\0\0\0\0\0\0\0\0", 8));
	/* seconds past 2106 wrap in legacy pcap, as its format does */
	T_EQ(pcap_record(buf, sizeof(buf), (1ULL << 32) * 1000000000 + 5, 0, 0, NULL), 16);
	T_EQ(get32(buf), 0);
	T_EQ(get32(buf + 4), 5);
}

/* ---- a file written by the encoders, read back by capfile ---- */

/* Ethernet/IPv4/UDP to a multicast group, with a correct IP checksum. */
static uint32_t make_frame(uint8_t *f, const uint8_t group[4], uint16_t dport, unsigned int seq)
{
	static const uint8_t src[4] = { 10, 0, 0, 1 };
	char payload[32];
	uint32_t sum = 0, plen, i;
	uint16_t v;

	plen = (uint32_t)snprintf(payload, sizeof(payload), "seq=%u", seq);
	memcpy(f, (uint8_t[]){ 0x01, 0x00, 0x5e, group[1] & 0x7f, group[2], group[3] }, 6);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0, 0, 0, 0, 1, 0x08, 0x00 }, 8);
	f += 14;
	memset(f, 0, 28);
	f[0] = 0x45;
	v = htons((uint16_t)(28 + plen));
	memcpy(f + 2, &v, 2);
	f[8] = 16; /* ttl */
	f[9] = 17; /* udp */
	memcpy(f + 12, src, 4);
	memcpy(f + 16, group, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	v = htons((uint16_t)~sum);
	memcpy(f + 10, &v, 2);
	v = htons(4000);
	memcpy(f + 20, &v, 2);
	v = htons(dport);
	memcpy(f + 22, &v, 2);
	v = htons((uint16_t)(8 + plen));
	memcpy(f + 24, &v, 2);
	memcpy(f + 28, payload, plen);
	return 14 + 28 + plen;
}

struct out {
	uint8_t *p;
	size_t len, cap;
};

static void out_put(struct out *o, size_t n)
{
	T_ASSERT(n > 0 && o->len + n <= o->cap);
	o->len += n;
}

#define EMIT(o, call_with_buf_cap)                 \
	do {                                       \
		uint8_t *B = (o)->p + (o)->len;    \
		size_t C = (o)->cap - (o)->len;    \
		out_put((o), (call_with_buf_cap)); \
		(void)B;                           \
		(void)C;                           \
	} while (0)

#define NPKT 6

struct pkt {
	uint32_t if_id, caplen, wirelen, flags, queue;
	uint64_t ts, dropcount;
	uint8_t frame[128];
	const char *comment;
};

static const uint8_t group_a[4] = { 239, 1, 1, 6 }, group_b[4] = { 239, 1, 1, 7 };

static void make_packets(struct pkt *p)
{
	unsigned int k;

	for (k = 0; k < NPKT; k++) {
		p[k] = (struct pkt){
			.if_id = k == 4,
			.ts = TS + k * 1000001ULL,
			.flags = PCAPNG_EPB_INBOUND | PCAPNG_EPB_MULTICAST,
			.queue = k % 2,
			.dropcount = k == 3 ? 7 : 0,
			.comment = k == 2 ? "marked" : NULL,
		};
		p[k].wirelen = make_frame(p[k].frame, k == 4 ? group_b : group_a, 5000, k);
		p[k].caplen = k == 5 ? 20 : p[k].wirelen; /* one cut by snaplen */
	}
}

/* The pcapng file the tools judge: two interfaces, NRB, EPB options, ISBs. */
static size_t write_pcapng(struct out *o, const struct pkt *p)
{
	const struct pcapng_custom clock = { 2988, PCAPNG_PEN, "ts_source=nic_hw", 16 };
	const struct pcapng_nrb_rec names[2] = {
		{ .family = AF_INET, .addr = { 239, 1, 1, 6 }, .name = "FEED-A-ch6" },
		{ .family = AF_INET, .addr = { 239, 1, 1, 7 }, .name = "FEED-B-ch7" },
	};
	unsigned int k;

	EMIT(o, pcapng_shb(B, C,
			   &(struct pcapng_shb_info){ .hardware = "test host",
						      .os = "Linux",
						      .userappl = "test_pcapng",
						      .comment = "capd test file" }));
	EMIT(o, pcapng_idb(B, C,
			   &(struct pcapng_idb_info){ .linktype = PCAPNG_LINKTYPE_ETHERNET,
						      .snaplen = 2048,
						      .name = "capd0",
						      .description = "feed A",
						      .hardware = "veth",
						      .filter = "udp",
						      .speed = 10000000000ULL,
						      .fcslen_present = 1,
						      .custom = &clock,
						      .ncustom = 1 }));
	EMIT(o, pcapng_idb(B, C,
			   &(struct pcapng_idb_info){ .linktype = PCAPNG_LINKTYPE_ETHERNET,
						      .snaplen = 2048,
						      .name = "capd1" }));
	EMIT(o, pcapng_nrb(B, C, names, 2));
	for (k = 0; k < NPKT; k++)
		EMIT(o, pcapng_epb(B, C,
				   &(struct pcapng_epb_info){ .if_id = p[k].if_id,
							      .ts = p[k].ts,
							      .caplen = p[k].caplen,
							      .wirelen = p[k].wirelen,
							      .data = p[k].frame,
							      .flags = p[k].flags,
							      .dropcount = p[k].dropcount,
							      .queue = p[k].queue,
							      .packetid = 1000 + k,
							      .comment = p[k].comment }));
	for (k = 0; k < 2; k++)
		EMIT(o, pcapng_isb(B, C,
				   &(struct pcapng_isb_info){ .if_id = k,
							      .ts = TS + 10000000000ULL,
							      .starttime = TS - 1000000000,
							      .endtime = TS + 10000000000ULL,
							      .ifrecv = 1000 + k,
							      .ifdrop = 11 + k,
							      .filteraccept = 900 + k,
							      .osdrop = 22 + k,
							      .usrdeliv = 880 + k,
							      .comment = "at close" }));
	return o->len;
}

static size_t write_pcap(struct out *o, const struct pkt *p)
{
	unsigned int k;

	EMIT(o, pcap_file_header(B, C, 2048, PCAPNG_LINKTYPE_ETHERNET));
	for (k = 0; k < NPKT; k++)
		EMIT(o, pcap_record(B, C, p[k].ts, p[k].caplen, p[k].wirelen, p[k].frame));
	return o->len;
}

static void write_file(const char *path, const struct out *o)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		T_FAIL("%s: %s", path, strerror(errno));
	T_EQ(write(fd, o->p, o->len), (ssize_t)o->len);
	T_EQ(close(fd), 0);
}

static void read_back(const char *path, const struct pkt *p, bool pcapng)
{
	struct capfile_rec r;
	struct capfile *f;
	unsigned int k;

	if (capfile_open(path, &f))
		T_FAIL("%s", capfile_error(NULL));
	T_EQ(capfile_format(f), pcapng ? CAPFILE_PCAPNG : CAPFILE_PCAP);
	T_EQ(capfile_nifaces(f), pcapng ? 2 : 1);
	T_EQ(capfile_iface(f, 0)->ts_per_sec, 1000000000);
	T_EQ(capfile_iface(f, 0)->snaplen, 2048);
	T_EQ(capfile_iface(f, 0)->linktype, PCAPNG_LINKTYPE_ETHERNET);
	if (pcapng)
		T_ASSERT(!strcmp(capfile_iface(f, 1)->name, "capd1"));
	for (k = 0; k < NPKT; k++) {
		if (capfile_next(f, &r) != 1)
			T_FAIL("%s: packet %u: %s", path, k, capfile_error(f));
		T_EQ(r.ts_ns, p[k].ts);
		T_EQ(r.caplen, p[k].caplen);
		T_EQ(r.wirelen, p[k].wirelen);
		T_ASSERT(!memcmp(r.data, p[k].frame, r.caplen));
		T_EQ(r.if_id, pcapng ? p[k].if_id : 0);
		T_EQ(r.epb_flags, pcapng ? p[k].flags : 0);
		T_EQ(r.dropcount, pcapng ? p[k].dropcount : 0);
	}
	T_EQ(capfile_next(f, &r), 0);
	capfile_close(f);
}

static const char *tmpdir;
static uint8_t filebuf[1 << 16];

static void test_round_trip(void)
{
	struct out o = { filebuf, 0, sizeof(filebuf) };
	struct pkt p[NPKT];
	char path[256];

	make_packets(p);
	write_pcapng(&o, p);
	snprintf(path, sizeof(path), "%s/rt.pcapng", tmpdir);
	write_file(path, &o);
	read_back(path, p, true);

	o.len = 0;
	write_pcap(&o, p);
	snprintf(path, sizeof(path), "%s/rt.pcap", tmpdir);
	write_file(path, &o);
	read_back(path, p, false);
}

static int tools(const char *dir);

int main(int argc, char **argv)
{
	int r = T_EXIT_PASS;

	if (argc == 3 && !strcmp(argv[1], "tools"))
		return tools(argv[2]);
	tmpdir = t_tmpdir("test_pcapng");
	if (argc >= 2 && !strcmp(argv[1], "tools")) {
		r = tools(tmpdir);
	} else {
		test_golden();
		test_epb_combinations();
		test_idb_combinations();
		test_isb_combinations();
		test_blobs();
		test_ts();
		test_shb_combinations();
		test_long_values();
		test_limits();
		test_round_trip();
	}
#ifdef GOLDEN_SKIP
	fprintf(stderr, "note: golden bytes not compared on a big-endian host\n");
#endif
	return r;
}

/* ---- the independent judges ---- */

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Run cmd; fail unless it exits 0 and says nothing on stderr beyond the tools' notices. */
static char *run(const char *dir, const char *cmd)
{
	char full[1024], errpath[300], line[512];
	size_t len = 0, cap = 1 << 16, n;
	char *out = malloc(cap);
	FILE *p, *e;
	int st;

	T_ASSERT(out);
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	snprintf(full, sizeof(full), "TZ=UTC LC_ALL=C %s 2>'%s'", cmd, errpath);
	p = popen(full, "r");
	T_ASSERT(p);
	while ((n = fread(out + len, 1, cap - 1 - len, p)) > 0) {
		len += n;
		if (len == cap - 1) {
			cap *= 2;
			out = realloc(out, cap);
			T_ASSERT(out);
		}
	}
	out[len] = '\0';
	st = pclose(p);
	e = fopen(errpath, "r");
	T_ASSERT(e);
	while (fgets(line, sizeof(line), e))
		if (!strstr(line, "Running as user") && strncmp(line, "reading from file ", 18))
			T_FAIL("%s: stderr: %s", cmd, line);
	fclose(e);
	if (st)
		T_FAIL("%s: exit status %d", cmd, st);
	return out;
}

/* The value after "key" on the nth line that has it (leading blanks skipped). */
static const char *field(const char *out, const char *key, int nth)
{
	static char v[256];
	const char *l = out, *end;
	size_t n;

	for (; *l; l = end + (*end == '\n')) {
		end = strchrnul(l, '\n');
		while (*l == ' ' || *l == '\t')
			l++;
		if (strncmp(l, key, strlen(key)) || nth--)
			continue;
		for (l += strlen(key); *l == ' '; l++)
			;
		n = (size_t)(end - l) < sizeof(v) - 1 ? (size_t)(end - l) : sizeof(v) - 1;
		memcpy(v, l, n);
		v[n] = '\0';
		return v;
	}
	return "(missing)";
}

#define T_FIELD(out, key, nth, want)                                               \
	do {                                                                       \
		const char *_v = field(out, key, nth);                             \
		if (strcmp(_v, want))                                              \
			T_FAIL("'%s' #%d is '%s', want '%s'", key, nth, _v, want); \
	} while (0)

static void lines_equal(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want))
		T_FAIL("%s:\n--- got\n%s--- want\n%s", what, got, want);
}

static int tools(const char *dir)
{
	static const char *const judges[] = { "capinfos", "tshark", "tcpdump" };
	struct out o = { filebuf, 0, sizeof(filebuf) };
	char ng[300], pc[300], cmd[1024], want[4096], *out;
	struct pkt p[NPKT];
	size_t i, w;

	for (i = 0; i < sizeof(judges) / sizeof(judges[0]); i++)
		if (!have(judges[i]))
			T_SKIP("%s is not installed", judges[i]);
	make_packets(p);
	write_pcapng(&o, p);
	snprintf(ng, sizeof(ng), "%s/judge.pcapng", dir);
	write_file(ng, &o);
	o.len = 0;
	write_pcap(&o, p);
	snprintf(pc, sizeof(pc), "%s/judge.pcap", dir);
	write_file(pc, &o);

	/* capinfos: section and interface options, resolution, counts, NRB */
	snprintf(cmd, sizeof(cmd), "capinfos -M '%s'", ng);
	out = run(dir, cmd);
	T_FIELD(out, "File type:", 0, "pcapng");
	T_FIELD(out, "File encapsulation:", 0, "ether");
	T_FIELD(out, "File timestamp precision:", 0, "nanoseconds (9)");
	T_FIELD(out, "Number of packets:", 0, "6");
	T_FIELD(out, "First packet time:", 0, "2023-11-14 22:13:20.123456789");
	T_FIELD(out, "Last packet time:", 0, "2023-11-14 22:13:20.128456794");
	T_FIELD(out, "Capture hardware:", 0, "test host");
	T_FIELD(out, "Capture oper-sys:", 0, "Linux");
	T_FIELD(out, "Capture application:", 0, "test_pcapng");
	T_FIELD(out, "Capture comment:", 0, "capd test file");
	T_FIELD(out, "Number of interfaces in file:", 0, "2");
	T_FIELD(out, "Name =", 0, "capd0");
	T_FIELD(out, "Name =", 1, "capd1");
	T_FIELD(out, "Description =", 0, "feed A");
	T_FIELD(out, "Hardware =", 0, "veth");
	T_FIELD(out, "Speed =", 0, "10000000000");
	T_FIELD(out, "Capture length =", 0, "2048");
	T_FIELD(out, "FCS length =", 0, "0");
	T_FIELD(out, "Filter string =", 0, "udp");
	T_FIELD(out, "Time precision =", 0, "nanoseconds (9)");
	T_FIELD(out, "Time precision =", 1, "nanoseconds (9)");
	T_FIELD(out, "Number of stat entries =", 0, "1");
	T_FIELD(out, "Number of stat entries =", 1, "1");
	T_FIELD(out, "Number of packets =", 0, "5");
	T_FIELD(out, "Number of packets =", 1, "1");
	T_FIELD(out, "Number of resolved IPv4 addresses in file:", 0, "2");
	free(out);

	/* tshark: every EPB option, and the NRB names (no external resolver) */
	snprintf(cmd, sizeof(cmd),
		 "tshark -r '%s' -N n -o nameres.use_external_name_resolver:FALSE -T fields "
		 "-E separator=, -e frame.time_epoch -e frame.len -e frame.cap_len "
		 "-e frame.interface_name -e frame.packet_flags_direction "
		 "-e frame.packet_flags_reception_type -e frame.interface_queue "
		 "-e frame.drop_count -e frame.packet_id -e frame.comment -e ip.dst_host",
		 ng);
	out = run(dir, cmd);
	for (i = 0, w = 0; i < NPKT; i++)
		w += snprintf(want + w, sizeof(want) - w,
			      "%llu.%09llu,%u,%u,capd%u,0x00000001,2,%u,%s,%zu,%s,%s\n",
			      (unsigned long long)(p[i].ts / 1000000000),
			      (unsigned long long)(p[i].ts % 1000000000), p[i].wirelen, p[i].caplen,
			      p[i].if_id, p[i].queue, p[i].dropcount ? "7" : "", 1000 + i,
			      p[i].comment ? p[i].comment : "",
			      p[i].caplen < p[i].wirelen ? ""
			      : p[i].if_id		 ? "FEED-B-ch7"
							 : "FEED-A-ch6");
	lines_equal("tshark fields", out, want);
	free(out);

	/* Wireshark's own pcapng dissector: ISB counters and NRB records */
	snprintf(cmd, sizeof(cmd),
		 "tshark -X 'read_format:MIME Files Format' -r '%s' -T fields -E 'separator=;' "
		 "-e pcapng.options.option.data.interface.received "
		 "-e pcapng.options.option.data.interface.dropped "
		 "-e pcapng.options.option.data.interface.accepted_by_filter "
		 "-e pcapng.options.option.data.interface.dropped_by_os "
		 "-e pcapng.options.option.data.interface.delivered_to_user "
		 "-e pcapng.records.record.data.ipv4 -e pcapng.records.record.data.name",
		 ng);
	out = run(dir, cmd);
	lines_equal("tshark pcapng dissector", out,
		    "1000,1001;11,12;900,901;22,23;880,881;239.1.1.6,239.1.1.7;"
		    "FEED-A-ch6,FEED-B-ch7\n");
	free(out);
	snprintf(cmd, sizeof(cmd), "tshark -X 'read_format:MIME Files Format' -r '%s' -V", ng);
	out = run(dir, cmd);
	if (strstr(out, "Expert Info") || strstr(out, "Malformed"))
		T_FAIL("the pcapng dissector has complaints:\n%s", out);
	free(out);

	/* nanosecond pcap: tshark and tcpdump */
	snprintf(cmd, sizeof(cmd),
		 "tshark -r '%s' -T fields -E separator=, -e frame.time_epoch -e frame.len "
		 "-e frame.cap_len",
		 pc);
	out = run(dir, cmd);
	for (i = 0, w = 0; i < NPKT; i++)
		w += snprintf(want + w, sizeof(want) - w, "%llu.%09llu,%u,%u\n",
			      (unsigned long long)(p[i].ts / 1000000000),
			      (unsigned long long)(p[i].ts % 1000000000), p[i].wirelen,
			      p[i].caplen);
	lines_equal("tshark on pcap", out, want);
	free(out);
	snprintf(cmd, sizeof(cmd), "capinfos -M -t '%s'", pc);
	out = run(dir, cmd);
	T_FIELD(out, "File type:", 0, "nsecpcap");
	free(out);

	for (i = 0, w = 0; i < NPKT; i++)
		w += snprintf(
			want + w, sizeof(want) - w,
			p[i].caplen < p[i].wirelen
				? "%llu.%09llu IP  [|ip]\n"
				: "%llu.%09llu IP 10.0.0.1.4000 > 239.1.1.%u.5000: UDP, length 5\n",
			(unsigned long long)(p[i].ts / 1000000000),
			(unsigned long long)(p[i].ts % 1000000000), p[i].if_id ? 7 : 6);
	snprintf(cmd, sizeof(cmd), "tcpdump -nn -tt --time-stamp-precision=nano -r '%s'", pc);
	out = run(dir, cmd);
	lines_equal("tcpdump on pcap", out, want);
	free(out);
	/* libpcap reads our pcapng too */
	snprintf(cmd, sizeof(cmd), "tcpdump -nn -tt --time-stamp-precision=nano -r '%s'", ng);
	out = run(dir, cmd);
	lines_equal("tcpdump on pcapng", out, want);
	free(out);
	return T_EXIT_PASS;
}
