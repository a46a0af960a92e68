// SPDX-License-Identifier: BSD-2-Clause
/*
 * The expression is the union of the feeds' clauses: the program's
 * longest-prefix lookup selects the same set, since a longer prefix's value
 * carries every shorter covering prefix's ports (xdp_prog_feed_value()).
 * Only the feed a frame is named by depends on the longest prefix, which
 * pktsel_feed() finds the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pktsel.h"

#define PTP_PORTS     "not dst port 319 and not dst port 320"
#define IP_FRAG_LATER "ip[6:2] & 0x1fff != 0"
#define SNAP	      262144 /* the filter keeps whole frames */

struct out {
	char *buf;
	size_t len, n;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->n < o->len ? o->len - o->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

static int put_net(struct out *o, const struct xdp_feed *f)
{
	unsigned int bits = f->prefix_len, i;
	char a[INET6_ADDRSTRLEN];
	uint8_t net[16];

	/* Host bits are ignored, as by the XDP program; libpcap refuses them. */
	for (i = 0; i<16; i++, bits = bits> 8 ? bits - 8 : 0)
		net[i] = bits >= 8 ? f->addr[i] : (uint8_t)(f->addr[i] & (0xff00 >> bits));
	if (!inet_ntop(f->family, net, a, sizeof(a)))
		return -EINVAL;
	put(o, "dst net %s/%u", a, f->prefix_len);
	return 0;
}

/* The frames without an Arista header, in libpcap's own words. */
static int put_plain(struct out *o, const struct xdp_feed *feeds, size_t nfeeds)
{
	size_t i;
	unsigned int k;

	if (!nfeeds) {
		put(o, "udp and " PTP_PORTS " and ((ip and not " IP_FRAG_LATER
		       " and dst net 224.0.0.0/4) or (ip6 and dst net ff00::/8))");
		return 0;
	}
	put(o, "udp and " PTP_PORTS " and (");
	for (i = 0; i < nfeeds; i++) {
		const struct xdp_feed *f = &feeds[i];

		if (f->family != AF_INET && f->family != AF_INET6)
			return -EINVAL;
		put(o, "%s(%s and ", i ? " or " : "", f->family == AF_INET ? "ip" : "ip6");
		if (put_net(o, f) < 0)
			return -EINVAL;
		if (f->nports) {
			put(o, " and (");
			for (k = 0; k < f->nports; k++)
				put(o, "%sdst port %u", k ? " or " : "", f->ports[k]);
			/* A later fragment has no port: the program takes it by address. */
			if (f->family == AF_INET)
				put(o, " or " IP_FRAG_LATER);
			put(o, ")");
		}
		put(o, ")");
	}
	put(o, ")");
	return 0;
}

/*
 * libpcap's keywords know fixed offsets (and a VLAN tag's four bytes)
 * only, so behind an Arista header the same selection is spelt with loads
 * from the network header at l3: its EtherType at l3 - 2, the IPv4
 * header's length for the UDP port, the address word by word under its
 * prefix mask.  PTP ports never match, as in the program.
 */
static void put_raw_addr(struct out *o, const struct xdp_feed *f, unsigned int at)
{
	unsigned int w, bits = f->prefix_len, nw = f->family == AF_INET ? 1 : 4;

	for (w = 0; w < nw && bits; w++, bits = bits > 32 ? bits - 32 : 0) {
		uint32_t m = bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		uint32_t a = (uint32_t)f->addr[4 * w] << 24 | (uint32_t)f->addr[4 * w + 1] << 16 |
			     (uint32_t)f->addr[4 * w + 2] << 8 | f->addr[4 * w + 3];

		if (m == 0xffffffffu)
			put(o, " and ether[%u:4] = 0x%x", at + 4 * w, a);
		else
			put(o, " and ether[%u:4] & 0x%x = 0x%x", at + 4 * w, m, a & m);
	}
}

static void put_raw_ports(struct out *o, const struct xdp_feed *f, const char *dport)
{
	unsigned int k, n = 0;

	if (!f->nports) {
		put(o, "%s != %u and %s != %u", dport, CAPD_PTP_EVENT_PORT, dport,
		    CAPD_PTP_GENERAL_PORT);
		return;
	}
	for (k = 0; k < f->nports; k++)
		if (f->ports[k] != CAPD_PTP_EVENT_PORT && f->ports[k] != CAPD_PTP_GENERAL_PORT)
			put(o, "%s%s = %u", n++ ? " or " : "", dport, f->ports[k]);
	if (!n)
		put(o, "0 = 1");
}

static void put_raw(struct out *o, const struct xdp_feed *feeds, size_t nfeeds, unsigned int l3)
{
	char dp4[64], dp6[32], frag[48];
	size_t i;

	snprintf(dp4, sizeof(dp4), "ether[%u + (ether[%u] & 0xf) * 4:2]", l3 + 2, l3);
	snprintf(dp6, sizeof(dp6), "ether[%u:2]", l3 + 42);
	snprintf(frag, sizeof(frag), "ether[%u:2] & 0x1fff != 0", l3 + 6);
	if (!nfeeds) {
		put(o,
		    "(ether[%u:2] = 0x800 and ether[%u] = 17 and ether[%u:2] & 0x1fff = 0 and "
		    "ether[%u] & 0xf0 = 0xe0 and %s != %u and %s != %u) or "
		    "(ether[%u:2] = 0x86dd and ether[%u] = 17 and ether[%u] = 0xff and "
		    "%s != %u and %s != %u)",
		    l3 - 2, l3 + 9, l3 + 6, l3 + 16, dp4, CAPD_PTP_EVENT_PORT, dp4,
		    CAPD_PTP_GENERAL_PORT, l3 - 2, l3 + 6, l3 + 24, dp6, CAPD_PTP_EVENT_PORT, dp6,
		    CAPD_PTP_GENERAL_PORT);
		return;
	}
	for (i = 0; i < nfeeds; i++) {
		const struct xdp_feed *f = &feeds[i];
		bool v4 = f->family == AF_INET;

		put(o, "%s(ether[%u:2] = 0x%x and ether[%u] = 17", i ? " or " : "", l3 - 2,
		    v4 ? 0x800 : 0x86dd, l3 + (v4 ? 9 : 6));
		put_raw_addr(o, f, l3 + (v4 ? 16 : 24));
		if (v4)
			put(o, " and (%s or ", frag);
		else
			put(o, " and (");
		put_raw_ports(o, f, v4 ? dp4 : dp6);
		put(o, "))");
	}
}

/* An Arista header of one length, then the network header or one tag. */
static void put_arista(struct out *o, const struct xdp_feed *feeds, size_t nfeeds,
		       unsigned int hlen, uint16_t v_tai, uint16_t v_utc)
{
	unsigned int l3 = 14 + hlen;

	put(o,
	    " or (ether[12:2] = 0x%x and ether[14:2] = %u and (ether[16:2] = 0x%x or "
	    "ether[16:2] = 0x%x) and ((",
	    CAPD_ETH_P_ARISTA, CAPD_ARISTA_SUBTYPE, v_tai, v_utc);
	put_raw(o, feeds, nfeeds, l3);
	put(o, ") or ((ether[%u:2] = 0x8100 or ether[%u:2] = 0x88a8) and (", l3 - 2, l3 - 2);
	put_raw(o, feeds, nfeeds, l3 + 4);
	put(o, "))))");
}

int pktsel_expr(const struct xdp_feed *feeds, size_t nfeeds, unsigned int through, char *buf,
		size_t len)
{
	struct out o = { .buf = buf, .len = len };
	int r;

	if (!len)
		return -ENOSPC;
	put(&o, "(");
	r = put_plain(&o, feeds, nfeeds);
	if (r < 0)
		return r;
	put(&o, ")");
	if (through & PKTSEL_ARISTA64)
		put_arista(&o, feeds, nfeeds, CAPD_ARISTA_LEN64, CAPD_ARISTA_V64_TAI,
			   CAPD_ARISTA_V64_UTC);
	if (through & PKTSEL_ARISTA48)
		put_arista(&o, feeds, nfeeds, CAPD_ARISTA_LEN48, CAPD_ARISTA_V48_TAI,
			   CAPD_ARISTA_V48_UTC);
	return o.n < len ? 0 : -ENOSPC;
}

int pktsel_filter(const char *expr, struct sock_fprog *prog, char *err, size_t errlen)
{
	struct bpf_program bp;
	pcap_t *p;
	int r = 0;

	memset(prog, 0, sizeof(*prog));
	p = pcap_open_dead(DLT_EN10MB, SNAP);
	if (!p) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -ENOMEM;
	}
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	/* struct bpf_insn and struct sock_filter are the same classic BPF. */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter), "classic BPF");
	prog->filter = calloc(bp.bf_len, sizeof(struct sock_filter));
	if (!prog->filter)
		r = -ENOMEM;
	else {
		memcpy(prog->filter, bp.bf_insns, bp.bf_len * sizeof(struct sock_filter));
		prog->len = (unsigned short)bp.bf_len;
	}
	pcap_freecode(&bp);
	pcap_close(p);
	return r;
}

void pktsel_filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

static void mask(uint8_t *a, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (len < 8 * (i + 1))
			a[i] &= len > 8 * i ? (uint8_t)(0xff00u >> (len - 8 * i)) : 0;
}

int pktsel_init(struct pktsel *s, const struct xdp_feed *feeds, size_t nfeeds)
{
	size_t i;
	unsigned int j;
	int r;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < nfeeds; i++) {
		struct pktsel_key k = { .family = feeds[i].family == AF_INET ? 4 : 6,
					.len = feeds[i].prefix_len };

		memcpy(k.addr, feeds[i].addr, k.family == 4 ? 4 : 16);
		mask(k.addr, k.len);
		for (j = 0; j < s->nkeys; j++)
			if (s->keys[j].family == k.family && s->keys[j].len == k.len &&
			    !memcmp(s->keys[j].addr, k.addr, 16))
				break;
		if (j < s->nkeys)
			continue;
		if (s->nkeys == PKTSEL_MAX_KEYS)
			return -E2BIG;
		r = xdp_prog_feed_value(feeds, nfeeds, feeds[i].family, k.addr, k.len, &k.v);
		if (r)
			return r;
		/* Insertion sort, longest first: the first key that holds wins. */
		for (j = s->nkeys; j > 0 && s->keys[j - 1].len < k.len; j--)
			s->keys[j] = s->keys[j - 1];
		s->keys[j] = k;
		s->nkeys++;
	}
	return 0;
}

static int has(const struct pktsel_key *k, const uint8_t *a)
{
	unsigned int full = k->len / 8, rest = k->len % 8;

	if (memcmp(k->addr, a, full))
		return 0;
	return !rest || ((k->addr[full] ^ a[full]) & (0xff00u >> rest)) == 0;
}

/*
 * Past the Arista header whose EtherType ends at *l3: *l3 and *proto move
 * to the original EtherType's end and value.  @return false for a header
 * cut short or of an unknown subtype or version.
 */
static bool skip_arista(const uint8_t *fr, uint32_t len, uint32_t *l3, uint16_t *proto)
{
	uint32_t at = *l3, hlen;
	uint16_t ver;

	if (len < at + 4 || (fr[at] << 8 | fr[at + 1]) != CAPD_ARISTA_SUBTYPE)
		return false;
	ver = (uint16_t)(fr[at + 2] << 8 | fr[at + 3]);
	if (ver == CAPD_ARISTA_V64_TAI || ver == CAPD_ARISTA_V64_UTC)
		hlen = CAPD_ARISTA_LEN64;
	else if (ver == CAPD_ARISTA_V48_TAI || ver == CAPD_ARISTA_V48_UTC)
		hlen = CAPD_ARISTA_LEN48;
	else
		return false;
	at += hlen - 2; /* at the original EtherType */
	if (len < at + 2)
		return false;
	*proto = (uint16_t)(fr[at] << 8 | fr[at + 1]);
	*l3 = at + 2;
	return true;
}

uint16_t pktsel_feed(const struct pktsel *s, const uint8_t *fr, uint32_t len)
{
	uint32_t l3 = ETH_HLEN, l4 = 0;
	uint16_t proto, dport = 0;
	const uint8_t *addr;
	uint8_t family;
	bool frag = false, arista;
	unsigned int i, p;

	if (len < ETH_HLEN)
		return CAPD_FEED_NONE;
	proto = (uint16_t)(fr[12] << 8 | fr[13]);
	arista = proto == CAPD_ETH_P_ARISTA;

	if (arista && !skip_arista(fr, len, &l3, &proto))
		return CAPD_FEED_NONE;
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		if (len < l3 + 4)
			return CAPD_FEED_NONE;
		proto = (uint16_t)(fr[l3 + 2] << 8 | fr[l3 + 3]);
		l3 += 4;
		if (proto == CAPD_ETH_P_ARISTA && !arista && !skip_arista(fr, len, &l3, &proto))
			return CAPD_FEED_NONE;
	}
	if (proto == ETH_P_IP) {
		if (len < l3 + 20)
			return CAPD_FEED_NONE;
		family = 4;
		addr = fr + l3 + 16;
		frag = ((fr[l3 + 6] << 8 | fr[l3 + 7]) & 0x1fff) != 0;
		l4 = l3 + (fr[l3] & 0xfu) * 4;
	} else if (proto == ETH_P_IPV6) {
		if (len < l3 + 40)
			return CAPD_FEED_NONE;
		family = 6;
		addr = fr + l3 + 24;
		l4 = l3 + 40;
	} else {
		return CAPD_FEED_NONE;
	}
	if (!frag) {
		if (len < l4 + 4)
			return CAPD_FEED_NONE;
		/* network order, as the map value holds it */
		memcpy(&dport, fr + l4 + 2, 2);
	}
	for (i = 0; i < s->nkeys; i++) {
		const struct pktsel_key *k = &s->keys[i];

		if (k->family != family || !has(k, addr))
			continue;
		if (frag)
			return k->v.any_feed != CAPD_FEED_NONE ? k->v.any_feed
			       : k->v.nports		       ? k->v.port[0].feed
							       : CAPD_FEED_NONE;
		for (p = 0; p < k->v.nports; p++)
			if (k->v.port[p].port == dport)
				return k->v.port[p].feed;
		return k->v.any_feed;
	}
	return CAPD_FEED_NONE;
}
