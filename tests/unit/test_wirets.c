// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_wirets - the switch timestamp decoders (lib/wirets.h) on frames built
 * here: every kind, its flags and extensions, VLAN, IPv6, padding, with and
 * without a new FCS, every status, and the stripped frame byte for byte.
 */
#include <stdint.h>
#include <string.h>

#include "wirets.h"
#include "test.h"

#define NS   1000000000ull
#define MAXF 2048

/* A frame as the switch received it (no FCS) and the stamped one. */
struct frame {
	uint8_t orig[MAXF];
	uint32_t orig_len;
	uint8_t f[MAXF];
	uint32_t len;
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t crc32_ref(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xffffffffu, i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

/* Append the Ethernet FCS of buf[0, n) (least significant byte first). */
static uint32_t add_fcs(uint8_t *buf, uint32_t n)
{
	uint32_t c = crc32_ref(buf, n);

	buf[n] = (uint8_t)c;
	buf[n + 1] = (uint8_t)(c >> 8);
	buf[n + 2] = (uint8_t)(c >> 16);
	buf[n + 3] = (uint8_t)(c >> 24);
	return n + 4;
}

/*
 * Ethernet [802.1Q] IPv4|IPv6 UDP to a multicast group with plen bytes of
 * payload, padded to 60 bytes as a sender's NIC does.
 */
static void mkudp(struct frame *fr, int vlan, int v6, uint32_t plen)
{
	uint8_t *p = fr->orig;
	uint32_t o = 12, i;

	memset(fr, 0, sizeof(*fr));
	memcpy(p, "\x01\x00\x5e\x01\x02\x03\x02\x00\x00\x00\x00\x01", 12);
	if (vlan) {
		put16(p + o, 0x8100);
		put16(p + o + 2, 42);
		o += 4;
	}
	put16(p + o, v6 ? 0x86dd : 0x0800);
	o += 2;
	if (v6) {
		p[o] = 0x60;
		put16(p + o + 4, 8 + plen);
		p[o + 6] = 17;
		p[o + 7] = 1;
		p[o + 8] = 0xfe;
		p[o + 9] = 0x80;
		p[o + 24] = 0xff;
		p[o + 25] = 0x0e;
		p[o + 39] = 1;
		o += 40;
	} else {
		p[o] = 0x45;
		put16(p + o + 2, 20 + 8 + plen);
		p[o + 8] = 1;
		p[o + 9] = 17;
		put32(p + o + 12, 0x0a000001);
		put32(p + o + 16, 0xe9010203);
		o += 20;
	}
	put16(p + o, 40000);
	put16(p + o + 2, 31000);
	put16(p + o + 4, 8 + plen);
	o += 8;
	for (i = 0; i < plen; i++)
		p[o++] = (uint8_t)(i * 7 + 1);
	while (o < 60)
		p[o++] = 0;
	fr->orig_len = o;
	memcpy(fr->f, fr->orig, o);
	fr->len = o;
}

/* A Metamako TLV: tag, data words (0..3, or 1..1024 for tag 31), value. */
struct tlv {
	uint32_t tag, words, value;
};

/*
 * Original FCS, TLVs (t[0] nearest the seconds; the last one marked), the
 * fixed part, a new FCS if asked.
 */
static void mm_add(struct frame *fr, uint32_t s, uint32_t ns, uint8_t flags, uint16_t dev,
		   uint8_t port, const struct tlv *t, int nt, int new_fcs)
{
	uint8_t *p = fr->f;
	uint32_t n = add_fcs(p, fr->orig_len);
	int i;

	for (i = nt - 1; i >= 0; i--) {
		uint32_t w, k;

		for (k = 0; k < t[i].words; k++) {
			put32(p + n, 0x11111111u * (k + 1));
			n += 4;
		}
		if (t[i].tag == 31)
			w = 31 | (t[i].words - 1) << 6 | t[i].value << 16;
		else
			w = t[i].tag | t[i].words << 6 | t[i].value << 8;
		if (i == nt - 1)
			w |= 1 << 5;
		put32(p + n, w);
		n += 4;
	}
	put32(p + n, s);
	put32(p + n + 4, ns);
	p[n + 8] = flags;
	put16(p + n + 9, dev);
	p[n + 11] = port;
	n += 12;
	if (new_fcs)
		n = add_fcs(p, n);
	fr->len = n;
}

static void exa_add(struct frame *fr, uint8_t dev, uint8_t port, uint32_t s, uint64_t frac,
		    uint8_t flags, int new_fcs)
{
	uint8_t *p = fr->f;
	uint32_t n = add_fcs(p, fr->orig_len);

	p[n] = dev;
	p[n + 1] = port;
	put32(p + n + 2, s);
	p[n + 6] = (uint8_t)(frac >> 32);
	put32(p + n + 7, (uint32_t)frac);
	p[n + 11] = flags;
	n += 12;
	if (new_fcs)
		n = add_fcs(p, n);
	fr->len = n;
}

/* The Arista header at off (12: after the source MAC; 16: after a tag). */
static void ar_add(struct frame *fr, uint32_t off, uint16_t sub, uint16_t ver, uint64_t s,
		   uint32_t ns)
{
	uint8_t h[14];
	uint32_t hl;

	put16(h, 0xd28b);
	put16(h + 2, sub);
	put16(h + 4, ver);
	if ((ver & 0xff) == 0x20) {
		put16(h + 6, (uint32_t)s);
		put32(h + 8, ns);
		hl = 12;
	} else {
		put32(h + 6, (uint32_t)s);
		put32(h + 10, ns);
		hl = 14;
	}
	memcpy(fr->f, fr->orig, off);
	memcpy(fr->f + off, h, hl);
	memcpy(fr->f + off + hl, fr->orig + off, fr->orig_len - off);
	fr->len = fr->orig_len + hl;
}

static int dec(const struct frame *fr, enum wirets_kind k, struct wirets *w)
{
	return wirets_decode(k, fr->f, fr->len, fr->len, 1780000000 * NS, w);
}

/* Decodes OK, and stripping gives the original back byte for byte. */
static void check_strip(const struct frame *fr, const struct wirets *w)
{
	uint8_t out[MAXF];
	uint32_t wl = fr->len, cl;

	T_EQ(w->status, WIRETS_OK);
	cl = wirets_strip(w, fr->f, fr->len, out, &wl);
	T_EQ(cl, fr->orig_len);
	T_EQ(wl, fr->orig_len);
	T_ASSERT(!memcmp(out, fr->orig, cl));
	/* In place too. */
	memcpy(out, fr->f, fr->len);
	wl = fr->len;
	T_EQ(wirets_strip(w, out, fr->len, out, &wl), fr->orig_len);
	T_ASSERT(!memcmp(out, fr->orig, fr->orig_len));
}

static void test_names(void)
{
	enum wirets_kind k;

	T_EQ(wirets_kind_parse("nic", &k), 0);
	T_EQ(k, WIRETS_NONE);
	T_EQ(wirets_kind_parse("metamako", &k), 0);
	T_EQ(k, WIRETS_METAMAKO);
	T_EQ(wirets_kind_parse("exablaze", &k), 0);
	T_EQ(k, WIRETS_EXABLAZE);
	T_EQ(wirets_kind_parse("arista64", &k), 0);
	T_EQ(k, WIRETS_ARISTA64);
	T_EQ(wirets_kind_parse("arista48", &k), 0);
	T_EQ(k, WIRETS_ARISTA48);
	T_EQ(wirets_kind_parse("Metamako", &k), -EINVAL);
	T_EQ(wirets_kind_parse("", &k), -EINVAL);
	T_EQ(wirets_kind_parse("arista", &k), -EINVAL);
	T_ASSERT(!strcmp(wirets_kind_name(WIRETS_EXABLAZE), "exablaze"));
	T_ASSERT(!strcmp(wirets_kind_name(5), "unknown"));
	T_ASSERT(!strcmp(wirets_status_name(WIRETS_OK), "ok"));
	T_ASSERT(!strcmp(wirets_status_name(WIRETS_TRUNCATED), "truncated"));
	T_ASSERT(!strcmp(wirets_status_name(4), "unknown"));
}

static void test_none(void)
{
	struct frame fr;
	struct wirets w;

	mkudp(&fr, 0, 0, 100);
	T_EQ(dec(&fr, WIRETS_NONE, &w), WIRETS_ABSENT);
	T_EQ(w.kind, WIRETS_NONE);
	T_EQ(w.ts_ns, 0);
	T_EQ(w.cut_len, 0);
	T_EQ(dec(&fr, (enum wirets_kind)9, &w), WIRETS_ABSENT);
}

static void test_metamako_basic(void)
{
	static const struct {
		int vlan, v6, new_fcs;
		uint32_t plen;
	} v[] = { { 0, 0, 0, 100 }, { 1, 0, 0, 100 }, { 0, 1, 0, 100 },
		  { 1, 1, 1, 100 }, { 0, 0, 1, 100 }, { 0, 0, 0, 1 },
		  { 1, 0, 1, 0 },   { 0, 1, 0, 0 },   { 0, 0, 0, 1400 } };
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct frame fr;
		struct wirets w;

		mkudp(&fr, v[i].vlan, v[i].v6, v[i].plen);
		mm_add(&fr, 1780000000, 123456789, 0x01, 0xbeef, 7, NULL, 0, v[i].new_fcs);
		T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
		T_EQ(w.kind, WIRETS_METAMAKO);
		T_EQ(w.ts_ns, 1780000000 * NS + 123456789);
		T_EQ(w.sub_ns, 0);
		T_EQ(w.device, 0xbeef);
		T_EQ(w.port, 7);
		T_EQ(w.flags, WIRETS_F_FCS_VALID | WIRETS_F_DEVICE);
		T_EQ(w.cut_off, fr.orig_len);
		T_EQ(w.cut_len, 16 + (v[i].new_fcs ? 4 : 0));
		check_strip(&fr, &w);
	}
}

static void test_metamako_flags(void)
{
	static const struct {
		uint8_t mm;
		uint16_t w;
	} v[] = { { 0x00, 0 },
		  { 0x01, WIRETS_F_FCS_VALID },
		  { 0x04, WIRETS_F_DUPLICATE },
		  { 0x10, WIRETS_F_DEGRADED },
		  { 0x15, WIRETS_F_FCS_VALID | WIRETS_F_DUPLICATE | WIRETS_F_DEGRADED },
		  { 0x20 | 0x08 | 0x40 | 0x80, 0 } };
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct frame fr;
		struct wirets w;

		mkudp(&fr, 0, 0, 80);
		mm_add(&fr, 1780000001, 999999999, v[i].mm, 1, 255, NULL, 0, 0);
		T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
		T_EQ(w.flags, v[i].w | WIRETS_F_DEVICE);
		T_EQ(w.ts_ns, 1780000001 * NS + 999999999);
		T_EQ(w.port, 255);
		check_strip(&fr, &w);
	}
}

static void test_metamako_tlv(void)
{
	const struct tlv subns = { 1, 0, 0xabcdef };
	const struct tlv seq = { 0, 0, 0x12345 };     /* bits 8-23: 0x2345 */
	const struct tlv hash = { 2, 2, 0 };	      /* CRC64: two data words */
	const struct tlv egress = { 3, 0, 0x777 };    /* not reported */
	const struct tlv str = { 31, 3, 0 };	      /* 12 bytes of string */
	const struct tlv unknown = { 9, 1, 0x42 };    /* one data word */
	const struct tlv subns2 = { 1, 0, 0x000001 }; /* a second one: ignored */
	const struct tlv seqmax = { 0, 0, 0xffffff }; /* 0xffff */
	const struct {
		struct tlv t[6];
		int nt, new_fcs, vlan, v6;
		uint32_t sub, seq;
		uint16_t flags;
	} v[] = {
		{ { subns }, 1, 0, 0, 0, 0xabcdef, 0, WIRETS_F_SUBNS },
		{ { seq }, 1, 1, 1, 0, 0, 0x2345, WIRETS_F_SEQ },
		{ { seq, subns }, 2, 0, 0, 1, 0xabcdef, 0x2345, WIRETS_F_SEQ | WIRETS_F_SUBNS },
		{ { subns, seq }, 2, 1, 1, 1, 0xabcdef, 0x2345, WIRETS_F_SEQ | WIRETS_F_SUBNS },
		{ { hash, subns, str }, 3, 0, 0, 0, 0xabcdef, 0, WIRETS_F_SUBNS },
		{ { str, unknown, egress, seqmax, subns, hash },
		  6,
		  1,
		  0,
		  1,
		  0xabcdef,
		  0xffff,
		  WIRETS_F_SEQ | WIRETS_F_SUBNS },
		{ { subns, subns2 }, 2, 0, 0, 0, 0xabcdef, 0, WIRETS_F_SUBNS },
		{ { egress }, 1, 0, 0, 0, 0, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct frame fr;
		struct wirets w;

		mkudp(&fr, v[i].vlan, v[i].v6, 64);
		mm_add(&fr, 1780000000, 5, 0x03, 2, 3, v[i].t, v[i].nt, v[i].new_fcs);
		if (dec(&fr, WIRETS_METAMAKO, &w) != WIRETS_OK)
			T_FAIL("case %u: %s", i, wirets_status_name(w.status));
		T_EQ(w.ts_ns, 1780000000 * NS + 5);
		T_EQ(w.sub_ns, v[i].sub);
		T_EQ(w.seq, v[i].seq);
		T_EQ(w.flags, v[i].flags | WIRETS_F_DEVICE | WIRETS_F_FCS_VALID);
		T_EQ(w.cut_off, fr.orig_len);
		check_strip(&fr, &w);
	}
}

static void test_metamako_bad(void)
{
	const struct tlv big = { 31, 40, 0 };
	const struct tlv subns = { 1, 0, 1 };
	struct frame fr;
	struct wirets w;
	uint8_t *p;

	/* Nothing after the datagram. */
	mkudp(&fr, 0, 0, 100);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_ABSENT);
	T_EQ(w.kind, WIRETS_METAMAKO);
	T_EQ(w.cut_len, 0);
	/* Padding only: something there, too short for a trailer. */
	mkudp(&fr, 0, 0, 2);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	T_EQ(w.ts_ns, 0);
	/* ns out of range, with and without a new FCS. */
	mkudp(&fr, 0, 0, 100);
	mm_add(&fr, 1780000000, 1000000000, 0x01, 1, 1, NULL, 0, 0);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	T_EQ(w.ts_ns, 0);
	mm_add(&fr, 1780000000, 0xffffffff, 0x01, 1, 1, NULL, 0, 1);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	/* Seconds in the first hour: not a real time (Wireshark's rule). */
	mm_add(&fr, 3600, 0, 0x01, 1, 1, NULL, 0, 0);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	mm_add(&fr, 3601, 0, 0x01, 1, 1, NULL, 0, 0);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
	T_EQ(w.ts_ns, 3601 * NS);
	/* Extensions flagged, none there: the orig FCS word read as a tag
	 * that is not marked last runs into the datagram. */
	mm_add(&fr, 1780000000, 1, 0x02, 1, 1, NULL, 0, 0);
	p = fr.f + fr.orig_len;
	p[3] = 0x00; /* orig FCS read as tag 0, not last */
	p[2] = 0x00;
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	/* Marked last, but then no room for the original FCS. */
	p[3] = 0x21;
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	/* A TLV whose data would start before the trailer. */
	mm_add(&fr, 1780000000, 1, 0x03, 1, 1, &big, 1, 0);
	fr.len -= 0; /* as built: fits */
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
	{
		/* Cut the data words out: the tag now claims more than is there. */
		uint32_t tail = 4 + 12, at = fr.orig_len + 4;

		memmove(fr.f + at, fr.f + fr.len - tail, tail);
		fr.len = at + tail;
		T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	}
	/* The TLV that would be last is not marked so. */
	mm_add(&fr, 1780000000, 1, 0x03, 1, 1, &subns, 1, 0);
	fr.f[fr.len - 13] &= (uint8_t)~0x20;
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	/* Caplen cuts the trailer, or only the new FCS. */
	mm_add(&fr, 1780000000, 1, 0x01, 1, 1, NULL, 0, 1);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, fr.len - 10, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(w.cut_len, 0);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, fr.len - 1, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, 40, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, 10, fr.len, 0, &w), WIRETS_TRUNCATED);
	/* A capture longer than the frame is believed to be the frame. */
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, fr.len, fr.len - 20, 0, &w), WIRETS_ABSENT);
	/* A short capture of a frame without trailer: nothing was cut. */
	mkudp(&fr, 0, 0, 100);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, 50, fr.len, 0, &w), WIRETS_ABSENT);
	/* Too short to be a frame at all. */
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, 10, 10, 0, &w), WIRETS_MALFORMED);
	/* Not IP: no datagram end to find. */
	mm_add(&fr, 1780000000, 1, 0x01, 1, 1, NULL, 0, 0);
	put16(fr.f + 12, 0x0806);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	/* IP lengths that make no sense. */
	mm_add(&fr, 1780000000, 1, 0x01, 1, 1, NULL, 0, 0);
	put16(fr.f + 16, 2000);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	put16(fr.f + 16, 19);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	put16(fr.f + 16, 128);
	fr.f[14] = 0x44;
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	fr.f[14] = 0x65;
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
	mkudp(&fr, 0, 1, 100);
	mm_add(&fr, 1780000000, 1, 0x01, 1, 1, NULL, 0, 0);
	put16(fr.f + 18, 0); /* jumbogram */
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
}

/* The new FCS is what tells the readings apart when both hold. */
static void test_metamako_fcs_choice(void)
{
	struct frame fr;
	struct wirets w;

	/*
	 * With a new FCS, reading it as the port/device/flags word gives
	 * ns = 0x01000203 < 10^9 and seconds = 123456789 > 3600: both
	 * readings hold; only the FCS check picks the right one.
	 */
	mkudp(&fr, 0, 0, 100);
	mm_add(&fr, 1780000000, 123456789, 0x01, 2, 3, NULL, 0, 1);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
	T_EQ(w.ts_ns, 1780000000 * NS + 123456789);
	T_EQ(w.device, 2);
	T_EQ(w.cut_len, 20);
	check_strip(&fr, &w);
	/* A broken new FCS: Wireshark's order, without one first (zeros
	 * here, so that the misreading holds: no extensions flagged). */
	memset(fr.f + fr.len - 4, 0, 4);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
	T_EQ(w.ts_ns, 123456789 * NS + 0x01000203);
}

static void test_exablaze(void)
{
	static const struct {
		uint64_t frac;
		uint32_t ns, sub;
	} fv[] = { { 0, 0, 0 },
		   { 1, 0, 15258 },
		   { 0x8000000000ull, 500000000, 0 },
		   { 0xffffffffffull, 999999999, 16761957 },
		   { 0x123456789aull, 71111111, 1852877 },
		   { 0x44b, 0, 16769409 },
		   { 0xfffffffffeull, 999999999, 16746698 },
		   { 0x8000000001ull, 500000000, 15258 } };
	static const struct {
		int vlan, v6, new_fcs;
		uint32_t plen;
	} v[] = { { 0, 0, 0, 100 }, { 1, 0, 1, 100 }, { 0, 1, 0, 100 }, { 1, 1, 1, 100 },
		  { 0, 0, 0, 1 },   { 0, 0, 1, 0 },   { 1, 1, 0, 0 } };
	unsigned int i, j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (j = 0; j < sizeof(fv) / sizeof(fv[0]); j++) {
			struct frame fr;
			struct wirets w;

			mkudp(&fr, v[i].vlan, v[i].v6, v[i].plen);
			exa_add(&fr, 9, 33, 1780000002, fv[j].frac, 0xa5, v[i].new_fcs);
			T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_OK);
			T_EQ(w.kind, WIRETS_EXABLAZE);
			T_EQ(w.ts_ns, 1780000002 * NS + fv[j].ns);
			T_EQ(w.sub_ns, fv[j].sub);
			T_EQ(w.device, 9);
			T_EQ(w.port, 33);
			/* The flags byte has no known meaning: no flag from it. */
			T_EQ(w.flags, WIRETS_F_DEVICE | WIRETS_F_SUBNS);
			T_EQ(w.cut_off, fr.orig_len);
			T_EQ(w.cut_len, 16 + (v[i].new_fcs ? 4 : 0));
			check_strip(&fr, &w);
		}
}

static void test_exablaze_bad(void)
{
	struct frame fr;
	struct wirets w;

	mkudp(&fr, 0, 0, 100);
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_ABSENT);
	T_EQ(w.kind, WIRETS_EXABLAZE);
	mkudp(&fr, 0, 0, 3); /* 15 bytes of padding: too short */
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_MALFORMED);
	mkudp(&fr, 0, 0, 100);
	exa_add(&fr, 1, 2, 1780000000, 5, 0, 0);
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_OK);
	T_EQ(wirets_decode(WIRETS_EXABLAZE, fr.f, fr.len - 1, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(w.ts_ns, 0);
	T_EQ(w.cut_len, 0);
	T_EQ(wirets_decode(WIRETS_EXABLAZE, fr.f, 20, fr.len, 0, &w), WIRETS_TRUNCATED);
	/* 15 bytes after the datagram. */
	T_EQ(wirets_decode(WIRETS_EXABLAZE, fr.f, fr.len - 1, fr.len - 1, 0, &w), WIRETS_MALFORMED);
	put16(fr.f + 12, 0x88cc);
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_MALFORMED);
	/* Padding of a short frame (all zero) is no trailer. */
	mkudp(&fr, 0, 0, 2);
	T_EQ(fr.len, 60u);
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_MALFORMED);
	/* A time 31 days from the host's is refused; with no host time, taken. */
	mkudp(&fr, 0, 0, 100);
	exa_add(&fr, 1, 2, 1780000000 + 31 * 86400, 5, 0, 0);
	T_EQ(dec(&fr, WIRETS_EXABLAZE, &w), WIRETS_MALFORMED);
	T_EQ(wirets_decode(WIRETS_EXABLAZE, fr.f, fr.len, fr.len, 0, &w), WIRETS_OK);
}

static void test_arista64(void)
{
	static const struct {
		int vlan;
		uint32_t off;
		uint16_t ver;
		uint16_t flags;
	} v[] = { { 0, 12, 0x0010, WIRETS_F_TAI },
		  { 0, 12, 0x0110, 0 },
		  { 1, 12, 0x0010, WIRETS_F_TAI }, /* header, then the tag */
		  { 1, 16, 0x0110, 0 } };	   /* tag, then the header */
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct frame fr;
		struct wirets w;
		uint32_t l3;
		uint16_t et;

		mkudp(&fr, v[i].vlan, 0, 100);
		ar_add(&fr, v[i].off, 1, v[i].ver, 1780000003, 999999999);
		T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_OK);
		T_EQ(w.kind, WIRETS_ARISTA64);
		T_EQ(w.ts_ns, 1780000003 * NS + 999999999);
		T_EQ(w.flags, v[i].flags);
		T_EQ(w.cut_off, v[i].off);
		T_EQ(w.cut_len, 14);
		T_EQ(w.device, 0);
		check_strip(&fr, &w);
		T_EQ(wirets_l3(fr.f, fr.len, &l3, &et), 0);
		T_EQ(l3, 14 + 14 + (v[i].vlan ? 4 : 0));
		T_EQ(et, 0x0800);
		/* The other size is not this kind's. */
		T_EQ(dec(&fr, WIRETS_ARISTA48, &w), WIRETS_MALFORMED);
		T_EQ(w.ts_ns, 0);
		/* Captured up to the original EtherType only. */
		T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, v[i].off + 16, fr.len, 0, &w), WIRETS_OK);
		T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, v[i].off + 15, fr.len, 0, &w),
		     WIRETS_TRUNCATED);
		T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, v[i].off + 15, v[i].off + 15, 0, &w),
		     WIRETS_MALFORMED);
	}
}

static void test_arista48(void)
{
	/* host seconds, wire's 16 bits, expected seconds */
	static const struct {
		uint64_t host;
		uint32_t wire;
		uint64_t want;
	} v[] = {
		{ 0x6a190000ull + 100, 100, 0x6a190000ull + 100 },
		{ 0x6a190000ull + 100, 90, 0x6a190000ull + 90 },
		{ 0x6a190000ull + 65530, 5, 0x6a1a0000ull + 5 },     /* wrapped ahead */
		{ 0x6a1a0000ull + 3, 65534, 0x6a190000ull + 65534 }, /* from before */
		{ 0x6a190000ull + 32768, 0, 0x6a190000ull },
		{ 0x6a190000ull + 32769, 0, 0x6a1a0000ull },
		{ 5, 65535, 65535 }, /* no seconds before 1970 */
		{ 0, 0, 0 },
		{ 0xffffff00ull, 0x10, 0xffff0010ull }, /* none past 2^32 s */
	};
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct frame fr;
		struct wirets w;
		uint32_t off = i & 1 ? 16 : 12;

		mkudp(&fr, i & 1, i & 2 ? 1 : 0, 50);
		ar_add(&fr, off, 1, i & 4 ? 0x0020 : 0x0120, v[i].wire, 7);
		T_EQ(wirets_decode(WIRETS_ARISTA48, fr.f, fr.len, fr.len, v[i].host * NS + 1, &w),
		     WIRETS_OK);
		if (w.ts_ns != v[i].want * NS + 7)
			T_FAIL("case %u: %llu s", i, (unsigned long long)(w.ts_ns / NS));
		T_EQ(w.flags, i & 4 ? WIRETS_F_TAI : 0);
		T_EQ(w.cut_off, off);
		T_EQ(w.cut_len, 12);
		check_strip(&fr, &w);
		T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_MALFORMED);
	}
	{
		/* No 32-bit seconds near a host time past 2106: no time. */
		struct frame fr;
		struct wirets w;

		mkudp(&fr, 0, 0, 50);
		ar_add(&fr, 12, 1, 0x0120, 5, 7);
		T_EQ(wirets_decode(WIRETS_ARISTA48, fr.f, fr.len, fr.len, UINT64_MAX, &w),
		     WIRETS_MALFORMED);
		T_EQ(w.ts_ns, 0);
		T_EQ(wirets_decode(WIRETS_ARISTA48, fr.f, fr.len, fr.len, 0x1000000ffull * NS, &w),
		     WIRETS_OK);
		T_EQ(w.ts_ns, 0xffff0005ull * NS + 7);
	}
}

static void test_arista_bad(void)
{
	struct frame fr;
	struct wirets w;
	uint32_t l3;
	uint16_t et;

	mkudp(&fr, 1, 0, 100);
	T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_ABSENT);
	T_EQ(w.kind, WIRETS_ARISTA64);
	T_EQ(dec(&fr, WIRETS_ARISTA48, &w), WIRETS_ABSENT);
	T_EQ(wirets_l3(fr.f, fr.len, &l3, &et), 0);
	T_EQ(l3, 18);
	T_EQ(et, 0x0800);
	/* ns out of range. */
	ar_add(&fr, 12, 1, 0x0110, 1780000000, 1000000000);
	T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_MALFORMED);
	ar_add(&fr, 12, 1, 0x0120, 1, 1000000000);
	T_EQ(dec(&fr, WIRETS_ARISTA48, &w), WIRETS_MALFORMED);
	/* Unknown version or subtype: its length is unknown, and so is L3. */
	ar_add(&fr, 12, 1, 0x0030, 1780000000, 1);
	T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_MALFORMED);
	T_EQ(w.cut_len, 0);
	T_EQ(wirets_l3(fr.f, fr.len, &l3, &et), 0);
	T_EQ(et, 0xd28b);
	T_EQ(l3, 14);
	ar_add(&fr, 16, 0xcafe, 0x0010, 1780000000, 1);
	T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_MALFORMED);
	ar_add(&fr, 12, 1, 0x0011, 1780000000, 1);
	T_EQ(dec(&fr, WIRETS_ARISTA64, &w), WIRETS_MALFORMED);
	/* Cut inside the header. */
	ar_add(&fr, 12, 1, 0x0010, 1780000000, 1);
	T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, 20, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, 16, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, 13, fr.len, 0, &w), WIRETS_TRUNCATED);
	T_EQ(wirets_decode(WIRETS_ARISTA64, fr.f, 13, 13, 0, &w), WIRETS_MALFORMED);
	T_EQ(wirets_l3(fr.f, 20, &l3, &et), -EPROTO);
	T_EQ(wirets_l3(fr.f, 13, &l3, &et), -EPROTO);
	/* Two VLAN tags: only one is looked through. */
	mkudp(&fr, 1, 0, 100);
	memmove(fr.f + 16, fr.f + 12, fr.len - 12);
	fr.len += 4;
	T_EQ(wirets_l3(fr.f, fr.len, &l3, &et), 0);
	T_EQ(et, 0x8100);
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_MALFORMED);
}

/* A strip of something not decoded OK leaves the frame alone. */
static void test_strip_noop(void)
{
	struct frame fr;
	struct wirets w;
	uint8_t out[MAXF];
	uint32_t wl;

	mkudp(&fr, 0, 0, 100);
	mm_add(&fr, 1780000000, 1, 1, 1, 1, NULL, 0, 0);
	T_EQ(wirets_decode(WIRETS_METAMAKO, fr.f, 60, fr.len, 0, &w), WIRETS_TRUNCATED);
	wl = fr.len;
	T_EQ(wirets_strip(&w, fr.f, 60, out, &wl), 60);
	T_EQ(wl, fr.len);
	T_ASSERT(!memcmp(out, fr.f, 60));
	/* A decode of the whole frame, stripped from a shorter capture. */
	T_EQ(dec(&fr, WIRETS_METAMAKO, &w), WIRETS_OK);
	wl = fr.len;
	T_EQ(wirets_strip(&w, fr.f, fr.orig_len + 3, out, &wl), fr.orig_len);
	T_EQ(wl, fr.orig_len);
	wl = fr.len;
	T_EQ(wirets_strip(&w, fr.f, 60, out, &wl), 60);
	T_EQ(wl, fr.orig_len);
}

int main(void)
{
	test_names();
	test_none();
	test_metamako_basic();
	test_metamako_flags();
	test_metamako_tlv();
	test_metamako_bad();
	test_metamako_fcs_choice();
	test_exablaze();
	test_exablaze_bad();
	test_arista64();
	test_arista48();
	test_arista_bad();
	test_strip_noop();
	return T_EXIT_PASS;
}
