// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pktsel - the shared path's selection (capd/pktsel.c): the pcap
 * expression built from the feeds, compiled by libpcap into the socket
 * filter capd attaches (pktsel_filter()), run by libpcap's own classic BPF
 * interpreter (bpf_filter()) on frames built here: feeds' groups, prefixes
 * and ports, IPv4 and IPv6, later IPv4 fragments, PTP, all multicast UDP
 * without feeds, VLAN tags as the kernel leaves them, Arista timestamp
 * headers; and pktsel_feed() naming the feed by the XDP program's
 * longest-prefix rule.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "pktsel.h"
#include "test.h"

#define ETH_IP	  0x0800
#define ETH_IP6	  0x86dd
#define ETH_VLAN  0x8100
#define ETH_QINQ  0x88a8
#define PROTO_UDP 17
#define PROTO_TCP 6

struct frame_opts {
	int family;	     /* AF_INET or AF_INET6 */
	const char *dst;     /* destination address */
	uint16_t dport;	     /* UDP destination port */
	uint16_t sport;	     /* UDP source port, 0 = 40000 */
	uint8_t proto;	     /* 0 = UDP */
	uint16_t frag;	     /* IPv4 fragment offset (8-byte units), 0 = first */
	bool more_frags;     /* IPv4 MF */
	bool ext_hdr;	     /* IPv6: a hop-by-hop header before UDP */
	unsigned int tags;   /* VLAN tags in the frame, 0..3 */
	unsigned int arista; /* 0, or 64 / 48: an Arista header of that time size */
	uint16_t arista_ver; /* its version; 0 = the TAI one of its size */
	bool arista_inner;   /* the header after the tags, not before them */
};

/* Set while the filter under test looks through Arista headers. */
static unsigned int through;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An Arista header at f, up to the original EtherType; its length. */
static uint32_t arista(uint8_t *f, const struct frame_opts *o)
{
	bool b64 = o->arista == 64;
	uint32_t n = b64 ? 14 : 12;

	put16(f, 0xd28b);
	put16(f + 2, 1);
	put16(f + 4, o->arista_ver ? o->arista_ver : b64 ? 0x0010 : 0x0020);
	memset(f + 6, 0xee, n - 6); /* any time: selection ignores it */
	return n;
}

/* An Ethernet frame as the socket filter sees it; its length. */
static uint32_t frame(uint8_t *f, const struct frame_opts *o)
{
	uint8_t *l3, *l4;
	uint32_t n = 12, l4len = 8 + 32;
	unsigned int t;

	memset(f, 0, 256);
	memcpy(f, "\x01\x00\x5e\x01\x01\x01\x02\x00\x00\x00\x00\x01", 12);
	if (o->arista && !o->arista_inner)
		n += arista(f + n, o);
	for (t = 0; t < o->tags; t++) {
		put16(f + n, t == 0 && o->tags == 2 ? ETH_QINQ : ETH_VLAN);
		put16(f + n + 2, (uint16_t)(100 + t));
		n += 4;
	}
	if (o->arista && o->arista_inner)
		n += arista(f + n, o);
	put16(f + n, o->family == AF_INET ? ETH_IP : ETH_IP6);
	l3 = f + n + 2;
	if (o->family == AF_INET) {
		l3[0] = 0x45;
		put16(l3 + 2, (uint16_t)(20 + l4len));
		put16(l3 + 6, (uint16_t)((o->more_frags ? 0x2000 : 0) | o->frag));
		l3[8] = 64;
		l3[9] = o->proto ? o->proto : PROTO_UDP;
		T_ASSERT(inet_pton(AF_INET, "10.9.0.2", l3 + 12) == 1);
		T_ASSERT(inet_pton(AF_INET, o->dst, l3 + 16) == 1);
		l4 = l3 + 20;
	} else {
		l3[0] = 0x60;
		put16(l3 + 4, (uint16_t)(l4len + (o->ext_hdr ? 8 : 0)));
		l3[6] = o->ext_hdr ? 0 : o->proto ? o->proto : PROTO_UDP;
		l3[7] = 64;
		T_ASSERT(inet_pton(AF_INET6, "fd00::2", l3 + 8) == 1);
		T_ASSERT(inet_pton(AF_INET6, o->dst, l3 + 24) == 1);
		l4 = l3 + 40;
		if (o->ext_hdr) {
			l4[0] = o->proto ? o->proto : PROTO_UDP; /* next header, length 0 */
			l4[2] = 1;				 /* PadN, 4 bytes */
			l4[3] = 4;
			l4 += 8;
		}
	}
	put16(l4, o->sport ? o->sport : 40000);
	put16(l4 + 2, o->dport);
	put16(l4 + 4, (uint16_t)l4len);
	return (uint32_t)(l4 + l4len - f);
}

/* The classic BPF program capd attaches, for the feeds. */
static void compile(const struct xdp_feed *feeds, size_t n, struct sock_fprog *prog)
{
	static char expr[1 << 20];
	char err[512];
	int r;

	T_EQ(pktsel_expr(feeds, n, through, expr, sizeof(expr)), 0);
	r = pktsel_filter(expr, prog, err, sizeof(err));
	if (r < 0)
		T_FAIL("pcap_compile \"%s\": %s", expr, err);
	T_ASSERT(prog->len > 0);
}

static bool takes1(const struct sock_fprog *prog, const struct frame_opts *o)
{
	uint8_t f[256];
	uint32_t len = frame(f, o);

	return bpf_filter((const struct bpf_insn *)prog->filter, f, len, len) != 0;
}

/*
 * Does the filter take the frame?  libpcap's interpreter, not ours.  And
 * behind an Arista header of each length, it must say the same: with
 * `through`, when the header comes first, one tag after it is looked
 * through as the kernel's untagging does it before (one frame with
 * o->tags + 1 tags); without, it takes no such frame.
 */
static bool takes(const struct sock_fprog *prog, const struct frame_opts *o)
{
	static const unsigned int sizes[] = { 64, 48 };
	bool v = takes1(prog, o);
	unsigned int k;

	for (k = 0; k < 2 && !o->arista; k++) {
		struct frame_opts a = *o;
		bool want = v && (through & (k ? PKTSEL_ARISTA48 : PKTSEL_ARISTA64));

		a.arista = sizes[k];
		a.tags = o->tags + 1;
		if (takes1(prog, &a) != want)
			T_FAIL("behind a %u-bit Arista header and a tag: %s, without: %s", a.arista,
			       want ? "refused" : "taken", v ? "taken" : "refused");
		if (o->tags)
			continue;
		a.tags = 0;
		if (takes1(prog, &a) != want)
			T_FAIL("behind a %u-bit Arista header: %s, without: %s", a.arista,
			       want ? "refused" : "taken", v ? "taken" : "refused");
		/* an unknown version is never looked through */
		a.arista_ver = 0x0030;
		if (takes1(prog, &a))
			T_FAIL("behind an Arista header of version 0x0030: taken");
	}
	return v;
}

#define TAKES(prog, ...)                                                   \
	do {                                                               \
		const struct frame_opts _o = { __VA_ARGS__ };              \
		if (!takes(prog, &_o))                                     \
			T_FAIL("the filter refuses { %s }", #__VA_ARGS__); \
	} while (0)
#define REFUSES(prog, ...)                                               \
	do {                                                             \
		const struct frame_opts _o = { __VA_ARGS__ };            \
		if (takes(prog, &_o))                                    \
			T_FAIL("the filter takes { %s }", #__VA_ARGS__); \
	} while (0)

static uint16_t feed_of1(const struct pktsel *s, const struct frame_opts *o)
{
	uint8_t f[256];

	return pktsel_feed(s, f, frame(f, o));
}

/* The feed; behind an Arista header of either length, before or after
 * the tag, the same. */
static uint16_t feed_of(const struct pktsel *s, const struct frame_opts *o)
{
	uint16_t v = feed_of1(s, o);
	unsigned int k;

	for (k = 0; k < 4; k++) {
		struct frame_opts a = *o;

		a.arista = k & 1 ? 48 : 64;
		a.arista_inner = k & 2;
		T_EQ(feed_of1(s, &a), v);
		a.arista_ver = a.arista == 64 ? 0x0110 : 0x0120;
		T_EQ(feed_of1(s, &a), v);
		/* cut short, or of an unknown version: no feed */
		a.arista_ver = 0x0011;
		T_EQ(feed_of1(s, &a), CAPD_FEED_NONE);
	}
	return v;
}

#define FEED(s, want, ...)                                    \
	do {                                                  \
		const struct frame_opts _o = { __VA_ARGS__ }; \
		T_EQ(feed_of(s, &_o), want);                  \
	} while (0)

static struct xdp_feed feed(int family, const char *addr, unsigned int len, uint16_t index,
			    unsigned int nports, const uint16_t *ports)
{
	struct xdp_feed f = { .family = family, .prefix_len = (uint8_t)len, .index = index };
	unsigned int i;

	T_ASSERT(inet_pton(family, addr, f.addr) == 1);
	f.nports = (uint8_t)nports;
	for (i = 0; i < nports; i++)
		f.ports[i] = ports[i];
	return f;
}

/*
 * Feed 0: 239.1.1.1/32 port 30001 or 30002.  Feed 1: 239.1.1.0/24 any
 * port.  Feed 2: 239.2.0.0/16 port 31000.  Feed 3: ff3e::8000:1/128 port
 * 30001.  Feed 4: ff3e::/16 port 32000.  Feed 5: 239.3.3.3/32 port 319
 * (PTP: never taken).
 */
static const uint16_t p0[] = { 30001, 30002 }, p2[] = { 31000 }, p3[] = { 30001 }, p4[] = { 32000 },
		      p5[] = { 319 };

static size_t feeds(struct xdp_feed *f)
{
	f[0] = feed(AF_INET, "239.1.1.1", 32, 0, 2, p0);
	f[1] = feed(AF_INET, "239.1.1.0", 24, 1, 0, NULL);
	f[2] = feed(AF_INET, "239.2.0.0", 16, 2, 1, p2);
	f[3] = feed(AF_INET6, "ff3e::8000:1", 128, 3, 1, p3);
	f[4] = feed(AF_INET6, "ff3e::", 16, 4, 1, p4);
	f[5] = feed(AF_INET, "239.3.3.3", 32, 5, 1, p5);
	return 6;
}

static void test_filter_feeds(void)
{
	struct xdp_feed f[8];
	struct sock_fprog prog;
	size_t n = feeds(f);

	compile(f, n, &prog);
	/* groups, prefixes and ports */
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001);
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30002);
	/* 239.1.1.1 port 40000: not feed 0's port, but feed 1's /24 takes any */
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 40000);
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.200", .dport = 5);
	TAKES(&prog, .family = AF_INET, .dst = "239.2.200.1", .dport = 31000);
	REFUSES(&prog, .family = AF_INET, .dst = "239.2.200.1", .dport = 31001);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.2.1", .dport = 30001);
	REFUSES(&prog, .family = AF_INET, .dst = "239.4.0.1", .dport = 31000);
	/* the destination port, not the source port */
	REFUSES(&prog, .family = AF_INET, .dst = "239.2.200.1", .sport = 31000, .dport = 9);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .sport = 30001, .dport = 9);
	/* UDP only */
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .proto = PROTO_TCP);
	/* never PTP, not even when a feed names its port */
	REFUSES(&prog, .family = AF_INET, .dst = "239.3.3.3", .dport = 319);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.5", .dport = 319);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.5", .dport = 320);
	/* IPv6 */
	TAKES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30001);
	TAKES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 32000);
	TAKES(&prog, .family = AF_INET6, .dst = "ff3e:1::5", .dport = 32000);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30002);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:2", .dport = 30001);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3f::8000:1", .dport = 32000);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 319);
	/* an IPv6 datagram with extension headers: never, as in the program */
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30001, .ext_hdr = true);
	/* fragments: the first by its port, later ones by address alone */
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .more_frags = true);
	REFUSES(&prog, .family = AF_INET, .dst = "239.2.0.1", .dport = 9, .more_frags = true);
	TAKES(&prog, .family = AF_INET, .dst = "239.2.0.1", .dport = 9, .frag = 185);
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 9, .frag = 185,
	      .more_frags = true);
	REFUSES(&prog, .family = AF_INET, .dst = "239.5.0.1", .dport = 31000, .frag = 185);
	/*
	 * VLAN: the kernel takes one tag off before the filter runs, so a
	 * frame that had one tag meets the filter untagged (above); one that
	 * had two meets it with one left and matches nothing.
	 */
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .tags = 1);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30001, .tags = 1);
	pktsel_filter_free(&prog);
	T_ASSERT(!prog.filter && !prog.len);
}

/* No feeds: all multicast UDP, never PTP, no later fragments. */
static void test_filter_all(void)
{
	struct sock_fprog prog;

	compile(NULL, 0, &prog);
	TAKES(&prog, .family = AF_INET, .dst = "224.0.0.251", .dport = 5353);
	TAKES(&prog, .family = AF_INET, .dst = "239.255.255.250", .dport = 1900);
	TAKES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .more_frags = true);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .frag = 185);
	TAKES(&prog, .family = AF_INET6, .dst = "ff02::fb", .dport = 5353);
	TAKES(&prog, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30001);
	REFUSES(&prog, .family = AF_INET, .dst = "10.9.0.1", .dport = 30001);
	REFUSES(&prog, .family = AF_INET, .dst = "240.0.0.1", .dport = 30001);
	REFUSES(&prog, .family = AF_INET6, .dst = "fd00::1", .dport = 30001);
	REFUSES(&prog, .family = AF_INET, .dst = "224.0.1.129", .dport = 319);
	REFUSES(&prog, .family = AF_INET, .dst = "224.0.1.129", .dport = 320);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff0e::181", .dport = 319);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .proto = PROTO_TCP);
	REFUSES(&prog, .family = AF_INET6, .dst = "ff02::fb", .dport = 5353, .ext_hdr = true);
	REFUSES(&prog, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .tags = 1);
	pktsel_filter_free(&prog);
}

static void test_contracts(void)
{
	struct xdp_feed f[8], bad;
	struct sock_fprog prog;
	char expr[64], err[256];
	size_t n = feeds(f);

	T_EQ(pktsel_expr(f, n, 0, expr, sizeof(expr)), -ENOSPC);
	T_EQ(pktsel_expr(f, n, 0, expr, 0), -ENOSPC);
	bad = f[0];
	bad.family = AF_UNIX;
	T_EQ(pktsel_expr(&bad, 1, 0, expr, sizeof(expr)), -EINVAL);
	T_EQ(pktsel_expr(&bad, 1, PKTSEL_ARISTA64, expr, sizeof(expr)), -EINVAL);
	T_EQ(pktsel_filter("udp and not a filter (", &prog, err, sizeof(err)), -EINVAL);
	T_ASSERT(err[0] != '\0');
	T_ASSERT(!prog.filter);
}

/* The feed a selected frame is named by: the longest prefix that holds. */
static void test_feed(void)
{
	struct xdp_feed f[8];
	struct pktsel s;
	size_t n = feeds(f);
	unsigned int t;

	T_EQ(pktsel_init(&s, f, n), 0);
	T_EQ(s.nkeys, 6);
	for (t = 0; t <= 1; t++) {
		FEED(&s, 0, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .tags = t);
		FEED(&s, 0, .family = AF_INET, .dst = "239.1.1.1", .dport = 30002, .tags = t);
		/* /32 without the port: its value carries the /24's any-port feed */
		FEED(&s, 1, .family = AF_INET, .dst = "239.1.1.1", .dport = 40000, .tags = t);
		FEED(&s, 1, .family = AF_INET, .dst = "239.1.1.9", .dport = 30001, .tags = t);
		FEED(&s, 2, .family = AF_INET, .dst = "239.2.99.1", .dport = 31000, .tags = t);
		FEED(&s, CAPD_FEED_NONE, .family = AF_INET, .dst = "239.2.99.1", .dport = 31001,
		     .tags = t);
		FEED(&s, CAPD_FEED_NONE, .family = AF_INET, .dst = "239.9.9.9", .dport = 31000,
		     .tags = t);
		FEED(&s, 3, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 30001, .tags = t);
		/* the /128 carries the /16's port 32000 */
		FEED(&s, 4, .family = AF_INET6, .dst = "ff3e::8000:1", .dport = 32000, .tags = t);
		FEED(&s, 4, .family = AF_INET6, .dst = "ff3e:5::1", .dport = 32000, .tags = t);
		FEED(&s, CAPD_FEED_NONE, .family = AF_INET6, .dst = "ff3e:5::1", .dport = 30001,
		     .tags = t);
		/* a later fragment has no port: the prefix's any-port feed, else its first */
		FEED(&s, 1, .family = AF_INET, .dst = "239.1.1.1", .dport = 9, .frag = 185,
		     .tags = t);
		FEED(&s, 2, .family = AF_INET, .dst = "239.2.0.1", .dport = 9, .frag = 185,
		     .tags = t);
	}
	/* short frames name nothing */
	T_EQ(pktsel_feed(&s, (const uint8_t *)"\x01\x00\x5e", 3), CAPD_FEED_NONE);

	/* Without feeds every frame is multicast no feed names. */
	T_EQ(pktsel_init(&s, NULL, 0), 0);
	FEED(&s, CAPD_FEED_NONE, .family = AF_INET, .dst = "239.1.1.1", .dport = 30001);
}

/* Host bits of a prefix are ignored, as by the XDP program (libpcap
 * refuses "dst net 239.2.7.7/16"). */
static void test_host_bits(void)
{
	struct xdp_feed f[2];
	struct sock_fprog prog;

	f[0] = feed(AF_INET, "239.2.7.7", 16, 0, 1, p2);
	f[1] = feed(AF_INET6, "ff3e::1:2", 16, 1, 1, p4);
	compile(f, 2, &prog);
	TAKES(&prog, .family = AF_INET, .dst = "239.2.200.1", .dport = 31000);
	REFUSES(&prog, .family = AF_INET, .dst = "239.3.7.7", .dport = 31000);
	TAKES(&prog, .family = AF_INET6, .dst = "ff3e::9", .dport = 32000);
	pktsel_filter_free(&prog);
}

/* Arista headers cut short: the filter reads no further than the frame. */
static void test_arista_short(void)
{
	const struct frame_opts o = {
		.family = AF_INET, .dst = "239.1.1.1", .dport = 30001, .arista = 64
	};
	struct xdp_feed f[8];
	struct sock_fprog prog;
	struct pktsel s;
	uint8_t fr[256];
	uint32_t len = frame(fr, &o), cut;
	size_t n = feeds(f);

	through = PKTSEL_ARISTA64 | PKTSEL_ARISTA48;
	compile(f, n, &prog);
	T_EQ(pktsel_init(&s, f, n), 0);
	T_ASSERT(bpf_filter((const struct bpf_insn *)prog.filter, fr, len, len));
	T_EQ(pktsel_feed(&s, fr, len), 0);
	/* up to the UDP destination port, nothing can be decided */
	for (cut = 0; cut < 14 + 14 + 20 + 4; cut++) {
		T_ASSERT(!bpf_filter((const struct bpf_insn *)prog.filter, fr, cut, cut));
		T_EQ(pktsel_feed(&s, fr, cut), CAPD_FEED_NONE);
	}
	pktsel_filter_free(&prog);
	through = 0;
}

int main(void)
{
	unsigned int k;

	/* the plain filter, then through one Arista header length, then both */
	for (k = 0; k < 4; k++) {
		through = k;
		test_host_bits();
		test_filter_feeds();
		test_filter_all();
	}
	through = 0;
	test_contracts();
	test_feed();
	test_arista_short();
	printf("PASS: test_pktsel\n");
	return 0;
}
