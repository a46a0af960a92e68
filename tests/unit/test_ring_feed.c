// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ring_feed.c - a feed's protocol in the ring's feed table and in a
 * file's: every specification through struct ring_feed and back, hostile
 * values as no protocol, the datagram-to-feed match, the pcapng option
 * through the encoder and decoder, and a file's feed table through
 * capfile in either byte order and through the block capdump -r carries.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "capfile.h"
#include "pcapng.h"
#include "pcapng_feed.h"
#include "ring_feed.h"
#include "test.h"

static const char *const specs[] = {
	"moldudp64",  "mdp3",	    "pitch",	      "seq:0:1:le",
	"seq:0:8:be", "seq:4:4:le", "seq:65535:2:be", "seq:12:8:le",
};

static void test_proto_round_trip(void)
{
	struct ring_feed rf;
	struct seqdec d, back;
	char name[64];
	unsigned int i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		memset(&rf, 0xee, sizeof(rf));
		T_EQ(seqdec_parse(specs[i], &d), 0);
		T_EQ(ring_feed_set_proto(&rf, &d), 0);
		T_EQ(ring_feed_seqdec(&rf, &back), 0);
		T_ASSERT(!memcmp(&d, &back, sizeof(d)));
		seqdec_name(&back, name, sizeof(name));
		if (strcmp(name, specs[i]))
			T_FAIL("%s came back as %s", specs[i], name);
		/* only the protocol bytes were touched */
		T_EQ((unsigned char)rf.name[0], 0xee);
		T_EQ(rf.nports, 0xee);
		T_EQ(rf.ports[15], 0xeeee);
	}
	/* none, and what an older capd leaves: zero */
	T_EQ(ring_feed_set_proto(&rf, NULL), 0);
	T_EQ(ring_feed_seqdec(&rf, &d), -ENOENT);
	memset(&rf, 0, sizeof(rf));
	T_EQ(ring_feed_seqdec(&rf, &d), -ENOENT);
	/* an offset the ring cannot hold */
	d = (struct seqdec){ .proto = SEQDEC_GENERIC, .offset = 65536, .width = 4 };
	T_EQ(ring_feed_set_proto(&rf, &d), -EINVAL);
	d.proto = (enum seqdec_proto)99;
	T_EQ(ring_feed_set_proto(&rf, &d), -EINVAL);
}

/* A hostile ring: any value not known is no protocol, and d is cleared. */
static void test_proto_hostile(void)
{
	static const uint8_t widths[] = { 0, 3, 5, 7, 9, 16, 255 };
	struct ring_feed rf;
	struct seqdec d;
	unsigned int v, i;

	memset(&rf, 0, sizeof(rf));
	for (v = RING_PROTO_SEQ + 1; v < 256; v++) {
		rf.proto = (uint8_t)v;
		memset(&d, 0x5a, sizeof(d));
		T_EQ(ring_feed_seqdec(&rf, &d), -ENOENT);
		T_EQ(d.width, 0);
	}
	rf.proto = RING_PROTO_SEQ;
	rf.seq_offset = 8;
	for (i = 0; i < sizeof(widths); i++) {
		rf.seq_width = widths[i];
		T_EQ(ring_feed_seqdec(&rf, &d), -ENOENT);
	}
	rf.seq_width = 4;
	for (v = 1; v < 8; v++) {
		rf.seq_flags = (uint8_t)(1u << v);
		T_EQ(ring_feed_seqdec(&rf, &d), -ENOENT);
	}
	rf.seq_flags = RING_SEQ_BIG_ENDIAN;
	T_EQ(ring_feed_seqdec(&rf, &d), 0);
	T_EQ(d.big_endian, 1);
	T_EQ(d.offset, 8);
	/* the other protocols ignore the seq_* bytes */
	rf.proto = RING_PROTO_PITCH;
	rf.seq_width = 77;
	T_EQ(ring_feed_seqdec(&rf, &d), 0);
	T_EQ(d.proto, SEQDEC_PITCH);
}

static struct ring_feed mkfeed(const char *name, int family, const char *addr, unsigned int prefix,
			       const char *proto, unsigned int nports, ...)
{
	struct ring_feed f;
	struct seqdec d;
	unsigned int i;
	va_list ap;

	memset(&f, 0, sizeof(f));
	snprintf(f.name, sizeof(f.name), "%s", name);
	f.family = (uint8_t)family;
	T_EQ(inet_pton(family == 6 ? AF_INET6 : AF_INET, addr, f.addr), 1);
	f.prefix_len = (uint8_t)prefix;
	f.nports = (uint8_t)nports;
	va_start(ap, nports);
	for (i = 0; i < nports && i < RING_FEED_MAX_PORTS; i++)
		f.ports[i] = (uint16_t)va_arg(ap, unsigned int);
	va_end(ap);
	if (proto) {
		T_EQ(seqdec_parse(proto, &d), 0);
		T_EQ(ring_feed_set_proto(&f, &d), 0);
	}
	return f;
}

static int match(const struct ring_feed *t, unsigned int n, int family, const char *addr,
		 uint16_t port)
{
	uint8_t a[16] = { 0 };

	T_EQ(inet_pton(family == 6 ? AF_INET6 : AF_INET, addr, a), 1);
	return ring_feed_match(t, n, family, a, port);
}

static void test_match(void)
{
	struct ring_feed t[8];

	t[0] = mkfeed("net", 4, "239.1.0.0", 16, "mdp3", 0);
	t[1] = mkfeed("A", 4, "239.1.1.1", 32, "moldudp64", 2, 30001, 30002);
	t[2] = mkfeed("A-any", 4, "239.1.1.1", 32, NULL, 0);
	t[3] = mkfeed("B", 4, "239.1.1.1", 32, "pitch", 1, 30002); /* A's port: A wins */
	t[4] = mkfeed("v6", 6, "ff3e::", 96, "seq:0:8:be", 0);
	t[5] = mkfeed("bad4", 4, "239.2.0.0", 33, NULL, 0); /* hostile prefix */
	t[6] = mkfeed("badports", 4, "239.3.0.1", 32, NULL, 1, 5);
	t[6].nports = 17; /* hostile count */
	t[7] = mkfeed("all", 4, "0.0.0.0", 0, NULL, 1, 9);

	T_EQ(match(t, 8, 4, "239.1.1.1", 30001), 1);
	T_EQ(match(t, 8, 4, "239.1.1.1", 30002), 1);
	T_EQ(match(t, 8, 4, "239.1.1.1", 40000), 2);
	T_EQ(match(t, 8, 4, "239.1.9.9", 40000), 0);
	T_EQ(match(t, 8, 4, "239.9.9.9", 40000), -ENOENT);
	T_EQ(match(t, 8, 4, "239.9.9.9", 9), 7);
	T_EQ(match(t, 8, 4, "239.2.0.0", 1), -ENOENT);
	T_EQ(match(t, 8, 4, "239.3.0.1", 5), -ENOENT);
	T_EQ(match(t, 8, 6, "ff3e::1:2", 1), 4);
	T_EQ(match(t, 8, 6, "ff3f::1", 1), -ENOENT);
	/* an IPv4 entry never matches an IPv6 address of the same bytes */
	T_EQ(match(t, 8, 6, "ef01:101::", 30001), -ENOENT);
	T_EQ(match(t, 0, 4, "239.1.1.1", 30001), -ENOENT);
	/* a prefix that ends inside a byte */
	t[0] = mkfeed("odd", 4, "239.1.128.0", 17, NULL, 0);
	T_EQ(match(t, 1, 4, "239.1.255.1", 1), 0);
	T_EQ(match(t, 1, 4, "239.1.127.1", 1), -ENOENT);
}

static void test_option(void)
{
	struct ring_feed f = mkfeed("FEED-A", 4, "239.1.1.1", 32, "seq:258:4:be", 2, 30001, 513),
			 back;
	struct pcapng_feed o;
	uint8_t raw[sizeof(o) + 8];

	pcapng_feed_encode(&o, &f);
	memcpy(raw, &o, sizeof(o));
	/* little-endian whatever the host */
	T_EQ(raw[0], PCAPNG_FEED_KIND);
	T_EQ(raw[1], 1);
	T_EQ(raw[8], 2); /* seq_offset 258 */
	T_EQ(raw[9], 1);
	T_EQ(raw[10], 0x31); /* ports[0] 30001 = 0x7531 */
	T_EQ(raw[11], 0x75);
	T_EQ(raw[12], 0x01); /* ports[1] 513 = 0x0201 */
	T_EQ(raw[13], 0x02);
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), 0);
	T_ASSERT(!memcmp(&f, &back, sizeof(f)));
	/* a later version, longer: the fields known are taken */
	raw[1] = 2;
	memset(raw + sizeof(o), 0xab, 8);
	T_EQ(pcapng_feed_decode(raw, sizeof(raw), &back), 0);
	T_ASSERT(!memcmp(&f, &back, sizeof(f)));
	raw[1] = 0;
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), -EBADMSG);
	raw[1] = 1;
	T_EQ(pcapng_feed_decode(raw, sizeof(o) - 1, &back), -EBADMSG);
	raw[0] = 'G';
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), -EBADMSG);
	raw[0] = PCAPNG_FEED_KIND;
	raw[2] = 5;
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), -EBADMSG);
	raw[2] = 4;
	/* a name that fills its field, with a control character: cut, shown as '?' */
	memset(raw + offsetof(struct pcapng_feed, name), 'N', RING_FEED_NAME_LEN);
	raw[offsetof(struct pcapng_feed, name) + 3] = '\n';
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), 0);
	T_EQ(strlen(back.name), RING_FEED_NAME_LEN - 1);
	T_EQ(back.name[3], '?');
	/* a hostile protocol value is carried as it is, and judged no protocol */
	raw[5] = 200;
	T_EQ(pcapng_feed_decode(raw, sizeof(o), &back), 0);
	T_EQ(back.proto, 200);
	{
		struct seqdec d;

		T_EQ(ring_feed_seqdec(&back, &d), -ENOENT);
	}
}

/* ---- a file's feed table, through capfile ---- */

struct wb {
	uint8_t p[1 << 16];
	size_t len;
};

static void wb_put(struct wb *w, size_t n)
{
	T_ASSERT(n && w->len + n <= sizeof(w->p));
	w->len += n;
}

static void swap16(uint8_t *p)
{
	uint8_t t = p[0];

	p[0] = p[1];
	p[1] = t;
}

static void swap32(uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

/* Options (or NRB records) at b[pos, end) into the other byte order. */
static size_t swap_tlvs(uint8_t *b, size_t pos, size_t end, bool custom_pen)
{
	uint16_t code, len;

	while (pos + 4 <= end) {
		memcpy(&code, b + pos, 2);
		memcpy(&len, b + pos + 2, 2);
		swap16(b + pos);
		swap16(b + pos + 2);
		if (custom_pen && code == PCAPNG_OPT_CUSTOM_BIN && len >= 4)
			swap32(b + pos + 4);
		pos += 4 + PCAPNG_PAD(len);
		if (code == 0)
			break;
	}
	return pos;
}

/* The blocks built here (SHB without options, IDB with if_tsresol, NRB),
 * host order to the other one. */
static void swap_block(uint8_t *b)
{
	uint32_t type, len;
	size_t pos;

	memcpy(&type, b, 4);
	memcpy(&len, b + 4, 4);
	swap32(b);
	swap32(b + 4);
	swap32(b + len - 4);
	if (type == PCAPNG_BT_SHB) {
		swap32(b + 8);
		swap16(b + 12);
		swap16(b + 14);
	} else if (type == PCAPNG_BT_IDB) {
		swap16(b + 8);
		swap32(b + 12);
		swap_tlvs(b, 16, len - 4, false); /* if_tsresol: one byte */
	} else if (type == PCAPNG_BT_NRB) {
		pos = swap_tlvs(b, 8, len - 4, false); /* records, end record */
		swap_tlvs(b, pos, len - 4, true);
	}
}

static const struct ring_feed *table(struct ring_feed *t)
{
	t[0] = mkfeed("A", 4, "239.1.1.1", 32, "moldudp64", 1, 30001);
	t[1] = mkfeed("net", 4, "239.2.0.0", 16, "seq:4:2:le", 0);
	t[2] = mkfeed("v6", 6, "ff3e::", 96, NULL, 2, 1, 2);
	t[3] = t[0]; /* a second ring's same feed: once */
	return t;
}

static void build_file(struct wb *w, bool swapped)
{
	static struct pcapng_feed o[4];
	struct pcapng_custom c[5];
	struct ring_feed t[4];
	struct pcapng_nrb_rec names[1] = { { .family = AF_INET, .name = "A" } };
	uint8_t *b;
	size_t n;
	unsigned int i;

	table(t);
	memcpy(names[0].addr, t[0].addr, 4);
	for (i = 0; i < 4; i++) {
		pcapng_feed_encode(&o[i], &t[i]);
		c[i] = (struct pcapng_custom){ .code = PCAPNG_OPT_CUSTOM_BIN,
					       .pen = PCAPNG_PEN,
					       .data = &o[i],
					       .len = sizeof(o[i]) };
	}
	/* another PEN's option of the same code: not ours */
	c[4] = (struct pcapng_custom){
		.code = PCAPNG_OPT_CUSTOM_BIN, .pen = 12345, .data = &o[1], .len = sizeof(o[1])
	};
	w->len = 0;
	b = w->p + w->len;
	n = pcapng_shb(b, sizeof(w->p) - w->len, NULL);
	wb_put(w, n);
	if (swapped)
		swap_block(b);
	b = w->p + w->len;
	n = pcapng_idb(b, sizeof(w->p) - w->len,
		       &(struct pcapng_idb_info){ .linktype = 1, .snaplen = 65535 });
	wb_put(w, n);
	if (swapped)
		swap_block(b);
	b = w->p + w->len;
	n = pcapng_nrb_custom(b, sizeof(w->p) - w->len, names, 1, c, 5);
	wb_put(w, n);
	if (swapped)
		swap_block(b);
}

static void check_feeds(const struct capfile *f)
{
	const struct ring_feed *got;
	struct ring_feed t[4];
	struct seqdec d;
	unsigned int n;
	char name[64];

	table(t);
	got = capfile_feeds(f, &n);
	T_EQ(n, 3);
	T_ASSERT(!memcmp(&got[0], &t[0], sizeof(t[0])));
	T_ASSERT(!memcmp(&got[1], &t[1], sizeof(t[1])));
	T_ASSERT(!memcmp(&got[2], &t[2], sizeof(t[2])));
	T_EQ(ring_feed_seqdec(&got[1], &d), 0);
	T_ASSERT(!strcmp(seqdec_name(&d, name, sizeof(name)), "seq:4:2:le"));
	T_EQ(ring_feed_seqdec(&got[2], &d), -ENOENT);
	T_ASSERT(capfile_name(f, 4, t[0].addr) && !strcmp(capfile_name(f, 4, t[0].addr), "A"));
}

static void test_file(bool swapped)
{
	static struct wb w, out;
	struct capfile_rec r;
	struct capfile *f;
	unsigned int n;
	int ret, nrb = 0;

	build_file(&w, swapped);
	T_EQ(capfile_open_mem(w.p, w.len, swapped ? "swapped" : "host", &f), 0);
	check_feeds(f);
	T_EQ(capfile_next(f, &r), 0);
	capfile_close(f);

	/* what capdump -r does: the NRB carried (host order) into its own file */
	T_EQ(capfile_open_mem(w.p, w.len, "carry", &f), 0);
	capfile_carry(f, true);
	out.len = 0;
	wb_put(&out, pcapng_shb(out.p, sizeof(out.p), NULL));
	wb_put(&out, pcapng_idb(out.p + out.len, sizeof(out.p) - out.len,
				&(struct pcapng_idb_info){ .linktype = 1 }));
	while ((ret = capfile_next(f, &r)) == 2) {
		T_EQ(r.kind, CAPFILE_NRB);
		T_ASSERT(out.len + r.caplen <= sizeof(out.p));
		memcpy(out.p + out.len, r.data, r.caplen);
		out.len += r.caplen;
		nrb++;
	}
	T_EQ(ret, 0);
	T_EQ(nrb, 1);
	T_EQ(capfile_stats(f)->opts_dropped, 0);
	capfile_close(f);
	T_EQ(capfile_open_mem(out.p, out.len, "rewritten", &f), 0);
	check_feeds(f);
	capfile_close(f);

	/* a file without a feed table */
	out.len = 0;
	wb_put(&out, pcapng_shb(out.p, sizeof(out.p), NULL));
	wb_put(&out, pcapng_idb(out.p + out.len, sizeof(out.p) - out.len,
				&(struct pcapng_idb_info){ .linktype = 1 }));
	T_EQ(capfile_open_mem(out.p, out.len, "none", &f), 0);
	capfile_feeds(f, &n);
	T_EQ(n, 0);
	capfile_close(f);
}

int main(void)
{
	test_proto_round_trip();
	test_proto_hostile();
	test_match();
	test_option();
	test_file(false);
	test_file(true);
	printf("test_ring_feed: ok\n");
	return T_EXIT_PASS;
}
