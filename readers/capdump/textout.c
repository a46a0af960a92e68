// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock_text.h"
#include "inet_csum.h"
#include "textout.h"

#define ETH_HLEN      14
#define ETHERTYPE_IP  0x0800
#define ETHERTYPE_IP6 0x86dd
#define MAX_TAGS      2 /* VLAN tags decoded, as capd's frames carry at most */

/* Link types (www.tcpdump.org/linktypes.html) decoded down to IP. */
#define LINKTYPE_NULL	    0
#define LINKTYPE_ETHERNET   1
#define LINKTYPE_DLT_RAW1   12 /* DLT_RAW's number on some systems */
#define LINKTYPE_DLT_RAW2   14
#define LINKTYPE_RAW	    101
#define LINKTYPE_LOOP	    108
#define LINKTYPE_LINUX_SLL  113
#define LINKTYPE_LINUX_SLL2 276

int textout_take(struct textout_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'n':
		return 1; /* nothing is ever resolved */
	case 'q':
		o->quiet = true;
		return 0;
	case 'v':
		o->v++;
		return 1;
	case 'e':
		o->e = true;
		return 1;
	case 't':
		o->t++;
		return o->t > 5 ? -EINVAL : 1;
	case 'x':
		o->x++;
		return 1;
	case 'X':
		o->X++;
		return 1;
	case 'A':
		o->A++;
		return 1;
	case 'l':
		o->lbuf = true;
		return 1;
	case TEXTOUT_OPT_MICRO:
		o->micro = true;
		return 1;
	case TEXTOUT_OPT_NANO:
		o->micro = false;
		return 1;
	case TEXTOUT_OPT_PRECISION:
		if (!strcmp(arg, "micro"))
			o->micro = true;
		else if (!strcmp(arg, "nano"))
			o->micro = false;
		else
			return -EINVAL;
		return 1;
	default:
		return 0;
	}
}

static unsigned int rd16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* "HH:MM:SS.frac" of ns since an epoch, within its day (as tcpdump). */
static void print_hms(const struct textout_opts *o, uint64_t ns)
{
	uint64_t s = ns / 1000000000u % 86400u;

	printf("%02u:%02u:%02u.", (unsigned int)(s / 3600), (unsigned int)(s / 60 % 60),
	       (unsigned int)(s % 60));
	if (o->micro)
		printf("%06u", (unsigned int)(ns % 1000000000u / 1000u));
	else
		printf("%09u", (unsigned int)(ns % 1000000000u));
}

static void print_time(struct textout_opts *o, uint64_t ts)
{
	char buf[40];
	uint64_t ref, d;
	struct tm tm;
	time_t secs;

	/* libpcap's micro precision drops the nanoseconds before anything. */
	if (o->micro)
		ts -= ts % 1000u;
	if (!o->started) {
		o->started = true;
		o->first_ts = o->prev_ts = ts;
	}
	switch (o->t) {
	case 0:
		printf("%s ", clock_text_utc(ts, o->micro ? 6 : 9, buf, sizeof(buf)));
		break;
	case 1:
		break;
	case 2:
		if (o->micro)
			printf("%llu.%06u ", (unsigned long long)(ts / 1000000000u),
			       (unsigned int)(ts % 1000000000u / 1000u));
		else
			printf("%llu.%09u ", (unsigned long long)(ts / 1000000000u),
			       (unsigned int)(ts % 1000000000u));
		break;
	case 3:
	case 5:
		ref = o->t == 3 ? o->prev_ts : o->first_ts;
		d = ts < ref ? ref - ts : ts - ref;
		putchar(ts < ref ? '-' : ' ');
		print_hms(o, d);
		putchar(' ');
		break;
	case 4:
		secs = (time_t)(ts / 1000000000u);
		gmtime_r(&secs, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d ", &tm);
		fputs(buf, stdout);
		print_hms(o, ts);
		putchar(' ');
		break;
	}
	o->prev_ts = ts;
}

/* tcpdump's hex_print() / hex_and_ascii_print(), "\n\t0x0000: " lines. */
static void print_hex(const uint8_t *p, uint32_t len, bool ascii)
{
	char hex[8 * 5 + 1], asc[17];
	uint32_t off, i, n;
	int hn, an;

	for (off = 0; off < len; off += 16) {
		n = len - off < 16 ? len - off : 16;
		hn = an = 0;
		for (i = 0; i + 1 < n; i += 2)
			hn += snprintf(hex + hn, sizeof(hex) - (size_t)hn, " %02x%02x", p[off + i],
				       p[off + i + 1]);
		if (i < n)
			hn += snprintf(hex + hn, sizeof(hex) - (size_t)hn, " %02x", p[off + i]);
		for (i = 0; i < n; i++) {
			uint8_t c = p[off + i];

			asc[an++] = c > 0x20 && c < 0x7f ? (char)c : '.';
		}
		asc[an] = '\0';
		if (ascii)
			printf("\n\t0x%04x: %-40s  %s", off, hex, asc);
		else
			printf("\n\t0x%04x: %s", off, hex);
	}
}

/* tcpdump's ascii_print(): a CR before LF or at the end dropped, the
 * unprintable as '.'. */
static void print_ascii(const uint8_t *p, uint32_t len)
{
	uint32_t i;

	putchar('\n');
	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c == '\r') {
			if (i + 1 < len && p[i + 1] != '\n')
				putchar('.');
		} else if ((c > 0x20 && c < 0x7f) || c == '\t' || c == ' ' || c == '\n') {
			putchar(c);
		} else {
			putchar('.');
		}
	}
}

static const char *ethertype_name(unsigned int type)
{
	switch (type) {
	case ETHERTYPE_IP:
		return "IPv4";
	case ETHERTYPE_IP6:
		return "IPv6";
	case 0x0806:
		return "ARP";
	case 0x8100:
		return "802.1Q";
	case 0x88a8:
		return "802.1Q-QinQ";
	case 0x88cc:
		return "LLDP";
	default:
		return NULL;
	}
}

/* "ethertype IPv4 (0x0800)", or -q's "IPv4" (tcpdump's ether_type_print()). */
static void print_ethertype(const struct textout_opts *o, unsigned int type)
{
	const char *name = ethertype_name(type);

	if (!o->quiet)
		printf("ethertype %s (0x%04x)", name ? name : "Unknown", type);
	else if (name)
		fputs(name, stdout);
	else
		printf("Unknown Ethertype (0x%04x)", type);
}

static void print_mac(const uint8_t *m)
{
	printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The Ethernet header, as far as tcpdump goes into it. */
struct link {
	unsigned int type;  /* after the tags */
	unsigned int ntags; /* VLAN tags */
	unsigned int tci[MAX_TAGS];
	unsigned int tag_type[MAX_TAGS]; /* the TPID before each tag */
	uint32_t hdrlen;		 /* with the tags */
	bool trunc;			 /* ends inside a tag */
};

static void parse_link(const uint8_t *p, uint32_t caplen, struct link *l)
{
	memset(l, 0, sizeof(*l));
	l->type = rd16(p + 12);
	l->hdrlen = ETH_HLEN;
	while ((l->type == 0x8100 || l->type == 0x88a8 || l->type == 0x9100) &&
	       l->ntags < MAX_TAGS) {
		if (caplen < l->hdrlen + 4) {
			l->trunc = true;
			return;
		}
		l->tag_type[l->ntags] = l->type;
		l->tci[l->ntags++] = rd16(p + l->hdrlen);
		l->type = rd16(p + l->hdrlen + 2);
		l->hdrlen += 4;
	}
}

/*
 * A frame of another link type than Ethernet, from a file: where its
 * network layer starts and the ethertype that names it (0: not known), as
 * tcpdump decodes these.  false for a link type not decoded here, or a
 * frame too short for its link header.
 */
static bool parse_other_link(uint16_t linktype, const uint8_t *p, uint32_t caplen, struct link *l)
{
	unsigned int family;

	memset(l, 0, sizeof(*l));
	switch (linktype) {
	case LINKTYPE_RAW:
	case LINKTYPE_DLT_RAW1:
	case LINKTYPE_DLT_RAW2:
		if (caplen < 1)
			return false;
		l->type = p[0] >> 4 == 4 ? ETHERTYPE_IP : p[0] >> 4 == 6 ? ETHERTYPE_IP6 : 0;
		return true;
	case LINKTYPE_LINUX_SLL:
		l->hdrlen = 16;
		if (caplen < l->hdrlen)
			return false;
		l->type = rd16(p + 14);
		return true;
	case LINKTYPE_LINUX_SLL2:
		l->hdrlen = 20;
		if (caplen < l->hdrlen)
			return false;
		l->type = rd16(p);
		return true;
	case LINKTYPE_NULL: /* the family in the capturing host's byte order */
	case LINKTYPE_LOOP: /* in network order */
		l->hdrlen = 4;
		if (caplen < l->hdrlen)
			return false;
		family = p[0] ? p[0] : p[3];
		/* AF_INET; AF_INET6 of the BSDs, which differ */
		l->type = family == 2					 ? ETHERTYPE_IP
			  : family == 24 || family == 28 || family == 30 ? ETHERTYPE_IP6
									 : 0;
		return true;
	}
	return false;
}

/*
 * -e: "MAC > MAC, ethertype 802.1Q (0x8100), length N: vlan 100, p 0, ...";
 * without it, for what is not IP, the addresses and the last ethertype.
 */
static void print_link(const struct textout_opts *o, const uint8_t *p, const struct link *l,
		       uint32_t wirelen)
{
	unsigned int i;

	print_mac(p + 6);
	fputs(" > ", stdout);
	print_mac(p);
	fputs(", ", stdout);
	print_ethertype(o, o->e ? rd16(p + 12) : l->type);
	printf(", length %u: ", wirelen);
	for (i = 0; o->e && i < l->ntags; i++) {
		printf("vlan %u, p %u%s, ", l->tci[i] & 0xfff, l->tci[i] >> 13,
		       l->tci[i] & 0x1000 ? ", DEI" : "");
		print_ethertype(o, i + 1 < l->ntags ? l->tag_type[i + 1] : l->type);
		fputs(", ", stdout);
	}
}

/* The checksum field's right value: tcpdump's "-> 0x...". */
static uint16_t csum_shouldbe(uint16_t field, uint16_t computed)
{
	uint32_t s = (uint32_t)field + computed;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* tcpdump's names of the IP protocols a market-data network carries. */
static const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 2:
		return "IGMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "ICMPv6";
	case 103:
		return "PIM";
	default:
		return "unknown";
	}
}

static void print_addr(int family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	fputs(inet_ntop(family, a, buf, sizeof(buf)), stdout);
}

/* The IP header fields UDP needs. */
struct net {
	int family;
	const uint8_t *src, *dst;
	unsigned int proto;
	uint32_t off;	 /* of the transport header */
	uint32_t len;	 /* transport bytes, by the IP header */
	bool later_frag; /* IPv4 fragment but the first */
	bool fragmented; /* any IPv4 fragment */
	uint32_t pseudo; /* checksum of the pseudo header */
};

/*
 * UDP as tcpdump's udp_print(): "SRC.PORT > DST.PORT: UDP, length N", N
 * the payload length by the UDP and IP headers, whatever was captured.
 */
static void print_udp(const struct textout_opts *o, const uint8_t *p, uint32_t caplen,
		      const struct net *n)
{
	const uint8_t *u = p + n->off;
	uint32_t ulen, len;

	if (caplen < n->off + 4) {
		print_addr(n->family, n->src);
		fputs(" > ", stdout);
		print_addr(n->family, n->dst);
		fputs(":  [|udp]", stdout);
		return;
	}
	print_addr(n->family, n->src);
	printf(".%u > ", rd16(u));
	print_addr(n->family, n->dst);
	printf(".%u: ", rd16(u + 2));
	if (caplen < n->off + 8 || n->len < 8) {
		fputs(n->len < 8 && caplen >= n->off + 8 ? "truncated-udp" : " [|udp]", stdout);
		return;
	}
	ulen = rd16(u + 4);
	if (ulen == 0 && n->family == AF_INET6)
		ulen = n->len; /* jumbogram */
	if (ulen < 8) {
		printf("truncated-udplength %u", ulen);
		return;
	}
	len = n->len - 8 < ulen - 8 ? n->len - 8 : ulen - 8;
	/* -vv for IPv4, -v for IPv6, the whole datagram captured. */
	if (!n->fragmented &&
	    ((n->family == AF_INET && o->v > 1) || (n->family == AF_INET6 && o->v))) {
		uint16_t field = (uint16_t)rd16(u + 6), sum;

		if (n->family == AF_INET && !field) {
			fputs("[no cksum] ", stdout);
		} else if (caplen - n->off - 8 >= len) {
			sum = inet_csum_fold(inet_csum_add(n->pseudo + len + 8, u, len + 8));
			if (sum)
				printf("[bad udp cksum 0x%04x -> 0x%04x!] ", field,
				       csum_shouldbe(field, sum));
			else
				fputs("[udp sum ok] ", stdout);
		}
	}
	printf("UDP, length %u", len);
}

/* tcpdump's line for a protocol it would not decode either. */
static void print_other_proto(const struct net *n)
{
	print_addr(n->family, n->src);
	fputs(" > ", stdout);
	print_addr(n->family, n->dst);
	if (n->later_frag)
		printf(": ip-proto-%u", n->proto);
	else
		printf(":  ip-proto-%u %u", n->proto, n->len);
}

static void print_ip4(const struct textout_opts *o, const uint8_t *p, uint32_t caplen, uint32_t off)
{
	const uint8_t *ip = p + off;
	unsigned int hlen, tot, frag;
	char flags[16];
	uint16_t sum;
	struct net n;

	if (!o->e)
		fputs("IP ", stdout);
	hlen = caplen >= off + 1 ? (ip[0] & 0xfu) * 4 : 0;
	if (caplen < off + 20 || hlen < 20 || caplen < off + hlen) {
		fputs(" [|ip]", stdout);
		return;
	}
	tot = rd16(ip + 2);
	frag = rd16(ip + 6);
	/* tcpdump's order: MF, DF, reserved */
	snprintf(flags, sizeof(flags), "%s%s%s%s%s", frag & 0x2000 ? "+" : "",
		 frag & 0x2000 && frag & 0xc000 ? ", " : "", frag & 0x4000 ? "DF" : "",
		 frag & 0x4000 && frag & 0x8000 ? ", " : "", frag & 0x8000 ? "rsvd" : "");
	if (o->v) {
		printf("(tos 0x%x", ip[1]);
		if (ip[1] & 3)
			fputs((ip[1] & 3) == 1	 ? ",ECT(1)"
			      : (ip[1] & 3) == 2 ? ",ECT(0)"
						 : ",CE",
			      stdout);
		if (ip[8])
			printf(", ttl %u", ip[8]);
		printf(", id %u, offset %u, flags [%s], proto %s (%u), length %u", rd16(ip + 4),
		       (frag & 0x1fff) * 8, flags[0] ? flags : "none", proto_name(ip[9]), ip[9],
		       tot);
		sum = inet_csum_fold(inet_csum_add(0, ip, hlen));
		if (sum)
			printf(", bad cksum %x (->%x)!", rd16(ip + 10),
			       csum_shouldbe((uint16_t)rd16(ip + 10), sum));
		fputs(")\n    ", stdout);
	}
	n = (struct net){
		.family = AF_INET,
		.src = ip + 12,
		.dst = ip + 16,
		.proto = ip[9],
		.off = off + hlen,
		.len = tot > hlen ? tot - hlen : 0,
		.later_frag = (frag & 0x1fff) != 0,
		.fragmented = (frag & 0x3fff) != 0,
	};
	n.pseudo = inet_csum_add(17, ip + 12, 8);
	if (n.proto == 17 && !n.later_frag)
		print_udp(o, p, caplen, &n);
	else
		print_other_proto(&n);
}

static void print_ip6(const struct textout_opts *o, const uint8_t *p, uint32_t caplen, uint32_t off)
{
	const uint8_t *ip = p + off;
	uint32_t flow;
	struct net n;

	if (!o->e)
		fputs("IP6 ", stdout);
	if (caplen < off + 40) {
		fputs(" [|ip6]", stdout);
		return;
	}
	flow = (uint32_t)rd16(ip) << 16 | rd16(ip + 2);
	if (o->v) {
		putchar('(');
		if (flow & 0x0ff00000)
			printf("class 0x%02x, ", (flow & 0x0ff00000) >> 20);
		if (flow & 0x000fffff)
			printf("flowlabel 0x%05x, ", flow & 0x000fffff);
		printf("hlim %u, next-header %s (%u) payload length: %u) ", ip[7],
		       proto_name(ip[6]), ip[6], rd16(ip + 4));
	}
	n = (struct net){
		.family = AF_INET6,
		.src = ip + 8,
		.dst = ip + 24,
		.proto = ip[6],
		.off = off + 40,
		.len = rd16(ip + 4),
	};
	n.pseudo = inet_csum_add(17, ip + 8, 32);
	if (n.proto == 17)
		print_udp(o, p, caplen, &n);
	else
		print_other_proto(&n);
}

/* What capd knows beyond tcpdump, after " # ": never mistaken for its fields. */
static void print_extra(const struct textout_opts *o, const struct readloop_pkt *p,
			const struct link *l, const uint8_t *dst, int family)
{
	const char *feed = p->feed ? p->feed->name : NULL;
	char sep[4] = " # ";

	if (!feed && p->file && dst)
		feed = capfile_name(p->file, family == AF_INET ? 4 : 6, dst);
	if (feed && *feed) {
		printf("%sfeed=%s", sep, feed);
		sep[1] = '\0';
	}
	if (!o->v)
		return;
	if (l && l->ntags) {
		printf("%svlan=%u", sep, l->tci[0] & 0xfff);
		sep[1] = '\0';
	}
	if (p->rec) {
		printf("%sseq=%llu ts=%s%s", sep, (unsigned long long)p->rec->seq,
		       clock_text_source(p->rec->ts_source),
		       p->rec->flags & RING_REC_F_UNSYNCED ? " unsynced" : "");
		sep[1] = '\0';
	}
	if (o->v > 1) {
		printf("%scaplen=%u wirelen=%u", sep, p->caplen, p->wirelen);
		sep[1] = '\0';
	}
}

int textout_packet(struct textout_opts *o, const struct readloop_pkt *p, uint64_t lost)
{
	const uint8_t *d = p->data, *dst = NULL;
	uint32_t caplen = p->caplen, hdrlen = 0;
	struct link l, *lp = NULL;
	bool ip = false, known;
	int family = 0;
	/* Rings carry Ethernet frames; a file says what its interface has. */
	uint16_t linktype =
		p->file ? capfile_iface(p->file, p->if_id)->linktype : LINKTYPE_ETHERNET;

	if (!o->started && o->lbuf)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (lost)
		printf("-- %llu packet%s %s --\n", (unsigned long long)lost, lost == 1 ? "" : "s",
		       p->file ? "dropped before the next (epb_dropcount)"
			       : "lost here (reader too slow: ring overrun)");
	print_time(o, p->ts);
	if (linktype != LINKTYPE_ETHERNET) {
		lp = &l;
		known = parse_other_link(linktype, d, caplen, &l);
		hdrlen = known ? l.hdrlen : 0;
		ip = known && (l.type == ETHERTYPE_IP || l.type == ETHERTYPE_IP6);
		if (o->e || !ip) {
			printf("link type %u, ", linktype);
			if (known && l.type)
				print_ethertype(o, l.type);
			printf("%slength %u: ", known && l.type ? ", " : "", p->wirelen);
		}
		if (!known && caplen < l.hdrlen) {
			fputs("[|link]", stdout);
			goto extra;
		}
	} else if (caplen < ETH_HLEN) {
		fputs("[|ether]", stdout);
		goto extra;
	} else {
		lp = &l;
		parse_link(d, caplen, &l);
		hdrlen = l.hdrlen;
		ip = !l.trunc && (l.type == ETHERTYPE_IP || l.type == ETHERTYPE_IP6);
		if (o->e || !ip) {
			print_link(o, d, &l, p->wirelen);
			if (l.trunc) {
				fputs(" [|vlan]", stdout);
				goto extra;
			}
		}
	}
	if (l.type == ETHERTYPE_IP) {
		print_ip4(o, d, caplen, hdrlen);
		if (caplen >= hdrlen + 20) {
			family = AF_INET;
			dst = d + hdrlen + 16;
		}
	} else if (l.type == ETHERTYPE_IP6) {
		print_ip6(o, d, caplen, hdrlen);
		if (caplen >= hdrlen + 40) {
			family = AF_INET6;
			dst = d + hdrlen + 24;
		}
	}
extra:
	print_extra(o, p, lp, dst, family);
	/* tcpdump dumps what it cannot decode, unless asked for a dump or -q */
	if (lp && !ip && !o->x && !o->X && !o->quiet && caplen > hdrlen)
		print_hex(d + hdrlen, caplen - hdrlen, true);
	if (o->X || o->x) {
		if (o->X > 1 || (!o->X && o->x > 1))
			print_hex(d, caplen, o->X);
		else if (caplen > hdrlen && lp)
			print_hex(d + hdrlen, caplen - hdrlen, o->X);
	} else if (o->A) {
		if (o->A > 1)
			print_ascii(d, caplen);
		else if (caplen > hdrlen && lp)
			print_ascii(d + hdrlen, caplen - hdrlen);
	}
	putchar('\n');
	return ferror(stdout) ? -(errno ? errno : EIO) : 0;
}
