// SPDX-License-Identifier: BSD-2-Clause
/*
 * xdp_match - the XDP program's parser and feed selection, frame by frame,
 * through BPF_PROG_TEST_RUN: crafted frames (VLAN, 802.1ad, QinQ, IPv6,
 * fragments, truncated headers, PTP, ARP, TCP, overlapping prefixes, a
 * 9000-byte multi-buffer frame) go into capd_xdp loaded with xdp_prog.c's
 * own feed maps, and the verdict, metadata and counters are compared with
 * the documented rules (xdp_prog.h).
 *
 * An AF_XDP socket bound to lo fills xsks_map slot 0, which is the queue a
 * test run reports, so selected frames return XDP_REDIRECT with metadata.
 * Needs root (BPF, AF_XDP); exits 77 otherwise.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xdp_prog.h"
#include "xsk.h"

#define NONE CAPD_FEED_NONE

enum { V4 = 4, V6 = 6 };

struct tcase {
	const char *name;
	int ip; /* V4, V6, or 0 for ARP */
	const char *dst;
	uint16_t port;
	uint16_t tpid;		 /* 0, 0x8100 or 0x88a8 */
	uint16_t tpid2;		 /* a second tag (QinQ) */
	uint16_t arista;	 /* an Arista timestamp header of this version */
	uint16_t arista_sub;	 /* its subtype, 1 unless set */
	int arista_inner;	 /* the header after the tag, not before it */
	uint8_t l4;		 /* IPPROTO_UDP unless set */
	uint8_t ihl;		 /* 5 unless set */
	uint16_t frag;		 /* IPv4 fragment offset (8-byte units) */
	uint32_t cut;		 /* truncate the frame to this many bytes */
	uint32_t payload;	 /* UDP payload bytes, 32 unless set */
	unsigned int want;	 /* expected feed, NONE = passed */
	unsigned int want_flags; /* CAPD_META_F_* that must be set */
	int parse_error;	 /* expected to count as a parse error */
};

static const struct xdp_feed feeds[] = {
	{ .family = AF_INET,
	  .addr = { 239, 1, 1, 1 },
	  .prefix_len = 32,
	  .nports = 1,
	  .ports = { 5001 },
	  .index = 0 },
	{ .family = AF_INET, .addr = { 239, 1, 0, 0 }, .prefix_len = 16, .index = 1 },
	{ .family = AF_INET6, .addr = { 0xff, 0x15, [13] = 1 }, .prefix_len = 112, .index = 2 },
	{ .family = AF_INET6,
	  .addr = { 0xff, 0x15 },
	  .prefix_len = 16,
	  .nports = 2,
	  .ports = { 6000, 6001 },
	  .index = 3 },
	/* same prefix as feed 0: merged into one map value */
	{ .family = AF_INET,
	  .addr = { 239, 1, 1, 1 },
	  .prefix_len = 32,
	  .nports = 1,
	  .ports = { 5002 },
	  .index = 4 },
	{ .family = AF_INET,
	  .addr = { 239, 2, 0, 0 },
	  .prefix_len = 16,
	  .nports = 1,
	  .ports = { 7000 },
	  .index = 5 },
	/* host bits set on purpose: must be masked */
	{ .family = AF_INET, .addr = { 239, 2, 2, 77 }, .prefix_len = 24, .index = 6 },
	/* unicast feed, port 5001 */
	{ .family = AF_INET,
	  .addr = { 10, 9, 9, 9 },
	  .prefix_len = 32,
	  .nports = 1,
	  .ports = { 5001 },
	  .index = 7 },
};

static const struct tcase cases[] = {
	{ "v4 port feed", V4, "239.1.1.1", 5001, .want = 0 },
	{ "v4 merged prefix, 2nd port", V4, "239.1.1.1", 5002, .want = 4 },
	{ "v4 /32 other port -> covering /16", V4, "239.1.1.1", 5003, .want = 1 },
	{ "v4 /16 any port", V4, "239.1.2.3", 9, .want = 1 },
	{ "v4 unconfigured group", V4, "239.3.0.1", 5001, .want = NONE },
	{ "v4 PTP event port", V4, "239.1.1.1", 319, .want = NONE },
	{ "v4 PTP general port", V4, "224.0.1.129", 320, .want = NONE },
	{ "v4 PTP port inside any-port feed", V4, "239.1.9.9", 319, .want = NONE },
	{ "v4 unicast unconfigured", V4, "10.0.0.1", 5001, .want = NONE },
	{ "v4 unicast feed", V4, "10.9.9.9", 5001, .want = 7 },
	{ "v4 longer any beats shorter port", V4, "239.2.2.2", 7000, .want = 6 },
	{ "v4 shorter port prefix", V4, "239.2.3.3", 7000, .want = 5 },
	{ "v4 shorter prefix other port", V4, "239.2.3.3", 7001, .want = NONE },
	{ "v4 802.1Q", V4, "239.1.1.1", 5001, .tpid = 0x8100, .want = 0,
	  .want_flags = CAPD_META_F_VLAN },
	{ "v4 802.1ad", V4, "239.1.1.1", 5001, .tpid = 0x88a8, .want = 0,
	  .want_flags = CAPD_META_F_VLAN },
	{ "v4 QinQ (two tags) not parsed", V4, "239.1.1.1", 5001, .tpid = 0x88a8, .tpid2 = 0x8100,
	  .want = NONE },
	{ "v4 TCP", V4, "239.1.1.1", 5001, .l4 = IPPROTO_TCP, .want = NONE },
	{ "v4 IP options (ihl 6)", V4, "239.1.1.1", 5001, .ihl = 6, .want = 0 },
	{ "v4 ihl < 5", V4, "239.1.1.1", 5001, .ihl = 4, .want = NONE, .parse_error = 1 },
	{ "v4 truncated IP header", V4, "239.1.1.1", 5001, .cut = 14 + 12, .want = NONE,
	  .parse_error = 1 },
	{ "v4 truncated UDP header", V4, "239.1.1.1", 5001, .cut = 14 + 20 + 4, .want = NONE,
	  .parse_error = 1 },
	{ "v4 later fragment by address", V4, "239.1.1.1", 5001, .frag = 185, .want = 1,
	  .want_flags = CAPD_META_F_IPFRAG },
	{ "v4 later fragment, port-only prefix", V4, "239.2.3.3", 7000, .frag = 185, .want = 5,
	  .want_flags = CAPD_META_F_IPFRAG },
	{ "v4 later fragment unconfigured", V4, "239.3.0.1", 5001, .frag = 185, .want = NONE },
	{ "v6 longest any beats /16 ports", V6, "ff15::1:5", 6000, .want = 2,
	  .want_flags = CAPD_META_F_IPV6 },
	{ "v6 /16 port", V6, "ff15::2:1", 6001, .want = 3, .want_flags = CAPD_META_F_IPV6 },
	{ "v6 /16 other port", V6, "ff15::2:1", 6002, .want = NONE },
	{ "v6 PTP port", V6, "ff15::1:5", 320, .want = NONE },
	{ "v6 extension header", V6, "ff15::1:5", 6000, .l4 = IPPROTO_ROUTING, .want = NONE },
	{ "v6 802.1Q", V6, "ff15::1:5", 6000, .tpid = 0x8100, .want = 2,
	  .want_flags = CAPD_META_F_IPV6 | CAPD_META_F_VLAN },
	{ "v6 truncated", V6, "ff15::1:5", 6000, .cut = 14 + 30, .want = NONE, .parse_error = 1 },
	{ "ARP", 0, NULL, 0, .want = NONE },
	{ "v4 Arista 64-bit TAI", V4, "239.1.1.1", 5001, .arista = 0x0010, .want = 0 },
	{ "v4 Arista 64-bit UTC", V4, "239.1.1.1", 5002, .arista = 0x0110, .want = 4 },
	{ "v4 Arista 48-bit TAI", V4, "239.1.2.3", 9, .arista = 0x0020, .want = 1 },
	{ "v4 Arista 48-bit UTC", V4, "239.2.3.3", 7000, .arista = 0x0120, .want = 5 },
	{ "v4 Arista then 802.1Q", V4, "239.1.1.1", 5001, .arista = 0x0010, .tpid = 0x8100,
	  .want = 0, .want_flags = CAPD_META_F_VLAN },
	{ "v4 802.1Q then Arista 48", V4, "239.1.1.1", 5001, .arista = 0x0020, .tpid = 0x8100,
	  .arista_inner = 1, .want = 0, .want_flags = CAPD_META_F_VLAN },
	{ "v4 802.1ad then Arista 64", V4, "239.1.1.1", 5002, .arista = 0x0110, .tpid = 0x88a8,
	  .arista_inner = 1, .want = 4, .want_flags = CAPD_META_F_VLAN },
	{ "v4 Arista, PTP port", V4, "239.1.1.1", 319, .arista = 0x0010, .want = NONE },
	{ "v4 Arista, unconfigured group", V4, "239.3.0.1", 5001, .arista = 0x0010, .want = NONE },
	{ "v4 Arista, later fragment", V4, "239.1.1.1", 5001, .arista = 0x0020, .frag = 185,
	  .want = 1, .want_flags = CAPD_META_F_IPFRAG },
	{ "v4 Arista unknown version", V4, "239.1.1.1", 5001, .arista = 0x0030, .want = NONE },
	{ "v4 Arista unknown subtype", V4, "239.1.1.1", 5001, .arista = 0x0010, .arista_sub = 2,
	  .want = NONE },
	{ "v4 Arista header cut short", V4, "239.1.1.1", 5001, .arista = 0x0010, .cut = 14 + 8,
	  .want = NONE },
	{ "v4 Arista, truncated IP header", V4, "239.1.1.1", 5001, .arista = 0x0020, .cut = 26 + 12,
	  .want = NONE, .parse_error = 1 },
	{ "v6 Arista 64 then 802.1Q", V6, "ff15::2:1", 6001, .arista = 0x0010, .tpid = 0x8100,
	  .want = 3, .want_flags = CAPD_META_F_IPV6 | CAPD_META_F_VLAN },
	{ "v6 Arista 48", V6, "ff15::1:5", 6000, .arista = 0x0120, .want = 2,
	  .want_flags = CAPD_META_F_IPV6 },
	{ "two Arista headers not parsed", V4, "239.1.1.1", 5001, .arista = 0x0010, .tpid = 0xd28b,
	  .want = NONE },
	{ "jumbo 9000-byte IP datagram", V4, "239.1.1.1", 5001, .payload = 9000 - 28, .want = 0,
	  .want_flags = CAPD_META_F_MULTIBUF },
};

static const struct tcase all_cases[] = {
	{ "capture_all: unconfigured multicast", V4, "239.9.9.9", 1234, .want = NONE + 1 },
	{ "capture_all: v6 multicast", V6, "ff02::fb", 5353, .want = NONE + 1 },
	{ "capture_all: still a feed", V4, "239.1.1.1", 5001, .want = 0 },
	{ "capture_all: unicast not taken", V4, "10.0.0.1", 5001, .want = NONE },
	{ "capture_all: PTP not taken", V4, "224.0.1.129", 319, .want = NONE },
	{ "capture_all: Arista 48, 802.1Q", V4, "239.9.9.9", 1234, .arista = 0x0020, .tpid = 0x8100,
	  .arista_inner = 1, .want = NONE + 1, .want_flags = CAPD_META_F_VLAN },
};

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* An Arista timestamp header at f: 14 bytes (64-bit versions) or 12. */
static size_t arista(uint8_t *f, const struct tcase *t)
{
	size_t n = (t->arista & 0xff) == 0x20 ? CAPD_ARISTA_LEN48 : CAPD_ARISTA_LEN64;
	uint16_t v = htons(CAPD_ETH_P_ARISTA);

	memcpy(f, &v, 2);
	v = htons(t->arista_sub ? t->arista_sub : CAPD_ARISTA_SUBTYPE);
	memcpy(f + 2, &v, 2);
	v = htons(t->arista);
	memcpy(f + 4, &v, 2);
	/* seconds, then ns 0x12345678 (< 10^9): any time selects alike */
	memset(f + 6, 0x5a, n - 6);
	memcpy(f + n - 4, "\x12\x34\x56\x78", 4);
	return n;
}

static size_t build(uint8_t *f, const struct tcase *t) /* f: 2 mod 4 */
{
	uint32_t pay = t->payload ? t->payload : 32, i;
	size_t off = 12, len;
	uint16_t v;

	memset(f, 0, 14);
	memcpy(f, "\x01\x00\x5e\x01\x01\x01", 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	if (t->arista && !t->arista_inner)
		off += arista(f + off, t);
	if (t->tpid) {
		v = htons(t->tpid);
		memcpy(f + off, &v, 2);
		v = htons(100);
		memcpy(f + off + 2, &v, 2);
		off += 4;
	}
	if (t->arista && t->arista_inner)
		off += arista(f + off, t);
	if (t->tpid2) {
		v = htons(t->tpid2);
		memcpy(f + off, &v, 2);
		v = htons(200);
		memcpy(f + off + 2, &v, 2);
		off += 4;
	}
	v = htons(t->ip == V4 ? ETH_P_IP : t->ip == V6 ? ETH_P_IPV6 : ETH_P_ARP);
	memcpy(f + off, &v, 2);
	off += 2;
	if (!t->ip) {
		memset(f + off, 0, 28);
		return off + 28;
	}
	if (t->ip == V4) {
		struct iphdr *ip = (struct iphdr *)(f + off);
		uint32_t ihl = t->ihl ? t->ihl : 5;
		uint32_t hl = ihl < 5 ? 20 : ihl * 4;

		memset(ip, 0, hl);
		ip->version = 4;
		ip->ihl = ihl & 0xf;
		ip->ttl = 8;
		ip->protocol = t->l4 ? t->l4 : IPPROTO_UDP;
		ip->tot_len = htons((uint16_t)(hl + sizeof(struct udphdr) + pay));
		ip->frag_off = htons(t->frag);
		inet_pton(AF_INET, "10.77.0.2", &ip->saddr);
		inet_pton(AF_INET, t->dst, &ip->daddr);
		ip->check = csum(ip, hl);
		off += hl;
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(f + off);

		memset(ip6, 0, sizeof(*ip6));
		ip6->version = 6;
		ip6->hop_limit = 8;
		ip6->nexthdr = t->l4 ? t->l4 : IPPROTO_UDP;
		ip6->payload_len = htons((uint16_t)(sizeof(struct udphdr) + pay));
		inet_pton(AF_INET6, "fd77::2", &ip6->saddr);
		inet_pton(AF_INET6, t->dst, &ip6->daddr);
		off += sizeof(*ip6);
	}
	{
		struct udphdr *udp = (struct udphdr *)(f + off);

		udp->source = htons(40000);
		udp->dest = htons(t->port);
		udp->len = htons((uint16_t)(sizeof(*udp) + pay));
		udp->check = 0;
		off += sizeof(*udp);
	}
	for (i = 0; i < pay; i++)
		f[off + i] = (uint8_t)i;
	len = off + pay;
	return t->cut && t->cut < len ? t->cut : len;
}

static int counters(struct xdp_prog *p, struct capd_xdp_counters *c)
{
	return xdp_prog_counters(p, 0, c);
}

/* Run the table against one loaded program; returns the number of failures. */
static int run(struct xdp_prog *p, const struct tcase *tc, size_t n)
{
	/* +2: the IP header lands 4-byte aligned behind the 14-byte Ethernet one */
	static uint8_t inbuf[16384 + 2] __attribute__((aligned(8)));
	static uint8_t out[16384 + 64];
	uint8_t *in = inbuf + 2;
	int fail = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct tcase *t = &tc[i];
		struct capd_xdp_counters c0, c1;
		struct xdp_md ctx_in, ctx_out;
		const struct capd_xdp_meta *m;
		unsigned int want = t->want == NONE + 1 ? NONE : t->want;
		int selected = t->want != NONE;
		size_t len = build(in, t);
		const char *why = NULL;
		char whybuf[128];
		int r;

		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
			    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
			    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
			    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

		memset(&ctx_in, 0, sizeof(ctx_in));
		ctx_in.data_end = (uint32_t)len;
		if (counters(p, &c0)) {
			fprintf(stderr, "xdp_match: counters unreadable\n");
			return fail + 1;
		}
		r = bpf_prog_test_run_opts(xdp_prog_fd(p), &o);
		if (r) {
			snprintf(whybuf, sizeof(whybuf), "test run: %s", strerror(-r));
			why = whybuf;
			goto verdict;
		}
		counters(p, &c1);
		if (c1.c[CAPD_CNT_RX] != c0.c[CAPD_CNT_RX] + 1) {
			why = "rx counter did not move";
			goto verdict;
		}
		if ((c1.c[CAPD_CNT_PARSE_ERRORS] - c0.c[CAPD_CNT_PARSE_ERRORS]) !=
		    (uint64_t)t->parse_error) {
			why = "parse_errors counter";
			goto verdict;
		}
		if (!selected) {
			if (o.retval != XDP_PASS)
				why = "not XDP_PASS";
			else if (c1.c[CAPD_CNT_SELECTED] != c0.c[CAPD_CNT_SELECTED] ||
				 c1.c[CAPD_CNT_PASSED] != c0.c[CAPD_CNT_PASSED] + 1)
				why = "counted as selected";
			goto verdict;
		}
		if (o.retval != XDP_REDIRECT) {
			snprintf(whybuf, sizeof(whybuf), "retval %u, want XDP_REDIRECT", o.retval);
			why = whybuf;
			goto verdict;
		}
		if (c1.c[CAPD_CNT_REDIRECTED] != c0.c[CAPD_CNT_REDIRECTED] + 1) {
			why = "redirected counter";
			goto verdict;
		}
		/*
		 * data_out starts at data_meta, ctx_out.data is the frame's
		 * offset from it: the header's length, or 0 when the header is
		 * in the frame.  Either way the header comes first.
		 */
		if (ctx_out.data != (xdp_prog_info(p)->meta_in_frame ? 0 : sizeof(*m))) {
			snprintf(whybuf, sizeof(whybuf), "meta length %u", ctx_out.data);
			why = whybuf;
			goto verdict;
		}
		m = (const void *)out;
		if (m->magic != CAPD_META_MAGIC)
			why = "no meta magic";
		else if (m->feed != want) {
			snprintf(whybuf, sizeof(whybuf), "feed %u, want %u", m->feed, want);
			why = whybuf;
		} else if ((m->flags & t->want_flags) != t->want_flags)
			why = "flags missing";
		else if (!m->tai_ns)
			why = "no TAI stamp";
		else if (m->flags & (CAPD_META_F_HW_TS | CAPD_META_F_HW_TRIED))
			why = "hw flags from the sw program";
		else if (memcmp(out + sizeof(*m), in, len < 4096 ? len : 4096))
			why = "frame bytes changed";
	verdict:
		if (why) {
			fail++;
			printf("FAIL %s: %s\n", t->name, why);
		} else {
			printf("ok   %s\n", t->name);
		}
	}
	return fail;
}

/* A selected frame on a queue without socket: passed and counted. */
static int run_no_socket(struct xdp_prog *p)
{
	static const struct tcase t = { "no socket on the queue", V4, "239.1.1.1", 5001,
					.want = 0 };
	static uint8_t inbuf[256 + 2] __attribute__((aligned(8)));
	static uint8_t out[256 + 64];
	struct capd_xdp_counters c0, c1;
	uint8_t *in = inbuf + 2;
	size_t len = build(in, &t);
	int r;

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (counters(p, &c0))
		return 1;
	r = bpf_prog_test_run_opts(xdp_prog_fd(p), &o);
	if (r || counters(p, &c1) || o.retval != XDP_PASS ||
	    c1.c[CAPD_CNT_SELECTED] != c0.c[CAPD_CNT_SELECTED] + 1 ||
	    c1.c[CAPD_CNT_NO_SOCKET] != c0.c[CAPD_CNT_NO_SOCKET] + 1 ||
	    c1.c[CAPD_CNT_PASSED] != c0.c[CAPD_CNT_PASSED] + 1 ||
	    c1.c[CAPD_CNT_REDIRECTED] != c0.c[CAPD_CNT_REDIRECTED]) {
		printf("FAIL %s: r %d retval %u\n", t.name, r, o.retval);
		return 1;
	}
	/* The stack gets the frame as it came, with no header in it. */
	if (o.data_size_out != len || memcmp(out, in, len)) {
		printf("FAIL %s: passed frame changed (%u bytes, sent %zu)\n", t.name,
		       o.data_size_out, len);
		return 1;
	}
	printf("ok   %s\n", t.name);
	return 0;
}

int main(void)
{
	struct xdp_prog_opts po = { .feeds = feeds, .nfeeds = sizeof(feeds) / sizeof(feeds[0]) };
	struct xsk_rx_opts xo = { .ifname = "lo",
				  .queue = 0,
				  .frames = 64,
				  .rx_size = 64,
				  .zerocopy = XSK_RX_ZC_OFF,
				  .no_hugepages = true,
				  .xdp_flags = 0 };
	struct xdp_feed bad = { .family = AF_INET, .prefix_len = 33 };
	struct xdp_feed many[3] = {
		{ .family = AF_INET, .prefix_len = 8, .addr = { 239 }, .nports = 16 },
		{ .family = AF_INET,
		  .prefix_len = 16,
		  .addr = { 239, 1 },
		  .nports = 16,
		  .index = 1 },
		{ .family = AF_INET,
		  .prefix_len = 24,
		  .addr = { 239, 1, 1 },
		  .nports = 16,
		  .index = 2 },
	};
	struct xdp_prog *p = NULL;
	struct xsk_rx *x = NULL;
	int fail = 0, r, i, k;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: xdp_match needs root (BPF, AF_XDP)\n");
		return 77;
	}

	/* Feed validation, no kernel involved. */
	for (k = 0; k < 3; k++)
		for (i = 0; i < 16; i++)
			many[k].ports[i] = (uint16_t)(1000 * (k + 1) + i);
	if (xdp_prog_check_feeds(&bad, 1) != -EINVAL) {
		printf("FAIL prefix 33 accepted\n");
		fail++;
	}
	if (xdp_prog_check_feeds(many, 2) != 0 || xdp_prog_check_feeds(many, 3) != -E2BIG) {
		printf("FAIL port merging limit (%d pairs)\n", CAPD_VAL_PORTS);
		fail++;
	}

	r = xsk_rx_open(&xo, &x);
	if (r) {
		fprintf(stderr, "xdp_match: AF_XDP socket on lo: %s\n", strerror(-r));
		return 1;
	}
	r = xdp_prog_load_unattached(&po, &p);
	if (r) {
		fprintf(stderr, "xdp_match: load %s: %s\n", xdp_prog_obj_path(NULL), strerror(-r));
		fail++;
		goto out;
	}
	r = xdp_prog_xsk_add(p, 0, xsk_rx_fd(x));
	if (r) {
		fprintf(stderr, "xdp_match: xsks_map: %s\n", strerror(-r));
		fail++;
		goto out;
	}
	fail += run(p, cases, sizeof(cases) / sizeof(cases[0]));
	if (xdp_prog_xsk_del(p, 0) || xdp_prog_xsk_del(p, CAPD_MAX_QUEUES) != -EINVAL) {
		printf("FAIL xsks_map slot delete\n");
		fail++;
	}
	fail += run_no_socket(p);
	xdp_prog_xsk_add(p, 0, xsk_rx_fd(x));

	/* Live feed change: drop feed 0's prefix, keep the rest. */
	r = xdp_prog_set_feeds(p, feeds + 1, sizeof(feeds) / sizeof(feeds[0]) - 1);
	if (r) {
		printf("FAIL set_feeds: %s\n", strerror(-r));
		fail++;
	} else {
		static const struct tcase after[] = {
			{ "after set_feeds: removed feed's port -> /16", V4, "239.1.1.1", 5001,
			  .want = 1 },
			{ "after set_feeds: kept feed", V6, "ff15::2:1", 6001, .want = 3 },
		};

		fail += run(p, after, 2);
	}
	/* Only feed 2 left: every IPv4 prefix must be gone from the map. */
	r = xdp_prog_set_feeds(p, &feeds[2], 1);
	if (r) {
		printf("FAIL set_feeds: %s\n", strerror(-r));
		fail++;
	} else {
		static const struct tcase after2[] = {
			{ "after set_feeds: v4 prefixes removed", V4, "239.1.1.1", 5002,
			  .want = NONE },
			{ "after set_feeds: /16 removed", V4, "239.1.2.3", 9, .want = NONE },
			{ "after set_feeds: v6 /16 removed", V6, "ff15::2:1", 6001, .want = NONE },
			{ "after set_feeds: last feed", V6, "ff15::1:5", 6000, .want = 2 },
		};

		fail += run(p, after2, 4);
	}
	xdp_prog_close(p);
	p = NULL;

	po.capture_all = true;
	r = xdp_prog_load_unattached(&po, &p);
	if (r) {
		fprintf(stderr, "xdp_match: load with capture_all: %s\n", strerror(-r));
		fail++;
		goto out;
	}
	xdp_prog_xsk_add(p, 0, xsk_rx_fd(x));
	fail += run(p, all_cases, sizeof(all_cases) / sizeof(all_cases[0]));
	xdp_prog_close(p);
	p = NULL;

	/* The fallback for kernels without bpf_xdp_adjust_meta(), forced. */
	po.capture_all = false;
	po.meta_in_frame = true;
	r = xdp_prog_load_unattached(&po, &p);
	if (r) {
		fprintf(stderr, "xdp_match: load with meta_in_frame: %s\n", strerror(-r));
		fail++;
		goto out;
	}
	printf("metadata in the frame:\n");
	xdp_prog_xsk_add(p, 0, xsk_rx_fd(x));
	fail += run(p, cases, sizeof(cases) / sizeof(cases[0]));
	xdp_prog_xsk_del(p, 0);
	fail += run_no_socket(p);
out:
	xdp_prog_close(p);
	xsk_rx_close(x);
	printf("%s: %d failure(s)\n", fail ? "FAIL" : "PASS", fail);
	return fail ? 1 : 0;
}
