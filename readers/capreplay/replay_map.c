// SPDX-License-Identifier: BSD-2-Clause
/* replay_map.c - see replay_map.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inet_csum.h"
#include "replay_map.h"
#include "wirets.h"

/* Longest side of a rule: "[" + an IPv6 address + "]:65535". */
#define MAP_SIDE_MAX (1 + INET6_ADDRSTRLEN + 7)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

bool replay_map_is_multicast(int family, const uint8_t *addr)
{
	if (family == AF_INET)
		return (addr[0] & 0xf0) == 0xe0;
	if (family == AF_INET6)
		return addr[0] == 0xff;
	return false;
}

/* "1".."65535", digits only. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* One side of a rule: ADDR[:PORT], IPv6 in brackets.  s is modified. */
static int parse_side(char *s, int *family, uint8_t addr[16], uint16_t *port, const char **why)
{
	char *a = s, *p = NULL, *e;

	*port = 0;
	if (*s == '[') {
		a = s + 1;
		e = strchr(a, ']');
		if (!e) {
			*why = "no ']' after an IPv6 address";
			return -EINVAL;
		}
		*e = '\0';
		if (e[1] == ':')
			p = e + 2;
		else if (e[1]) {
			*why = "junk after ']'";
			return -EINVAL;
		}
		*family = AF_INET6;
	} else {
		if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
			*why = "an IPv6 address goes in brackets: [ff3e::1]:30001";
			return -EINVAL;
		}
		e = strchr(s, ':');
		if (e) {
			*e = '\0';
			p = e + 1;
		}
		*family = AF_INET;
	}
	memset(addr, 0, 16);
	if (inet_pton(*family, a, addr) != 1) {
		*why = *family == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -EINVAL;
	}
	if (p && parse_port(p, port)) {
		*why = "a port is 1..65535";
		return -EINVAL;
	}
	return 0;
}

int replay_map_add(struct replay_map *m, const char *arg, char *err, size_t errlen)
{
	char buf[2 * MAP_SIDE_MAX + 2], *to;
	struct replay_map_rule r;
	const char *why = NULL;
	int tofam;

	memset(&r, 0, sizeof(r));
	if (m->nrules >= REPLAY_MAP_RULES_MAX) {
		snprintf(err, errlen, "--map %s: more than %d rules", arg, REPLAY_MAP_RULES_MAX);
		return -ENOSPC;
	}
	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "--map %.40s...: too long", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	to = strchr(buf, '=');
	if (!to || strchr(to + 1, '=')) {
		snprintf(err, errlen, "--map %s: not FROM=TO (GROUP[:PORT]=GROUP[:PORT])", arg);
		return -EINVAL;
	}
	*to++ = '\0';
	if (parse_side(buf, &r.family, r.from, &r.from_port, &why) ||
	    parse_side(to, &tofam, r.to, &r.to_port, &why)) {
		snprintf(err, errlen, "--map %s: %s", arg, why);
		return -EINVAL;
	}
	if (tofam != r.family) {
		snprintf(err, errlen, "--map %s: both sides must be IPv4 or both IPv6", arg);
		return -EINVAL;
	}
	if (!m->allow_unicast && !replay_map_is_multicast(r.family, r.to)) {
		snprintf(err, errlen, "--map %s: %s is not multicast (--allow-unicast maps to it)",
			 arg, to[0] == '[' ? to + 1 : to);
		return -EINVAL;
	}
	m->rule[m->nrules++] = r;
	return 0;
}

int replay_map_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	/* exactly six pairs of hex digits: ether_aton_r() would also take
	 * "a:b:c:d:e:f" and trailing bytes */
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	if (s[17])
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)strtoul((char[3]){ s[3 * i], s[3 * i + 1], 0 }, NULL, 16);
	return 0;
}

/* The first rule that matches addr:port moves it.  @return whether one did. */
static bool map_lookup(const struct replay_map *m, int family, uint8_t addr[16], uint16_t *port)
{
	const struct replay_map_rule *r;
	unsigned int i;

	for (i = 0; i < m->nrules && i < REPLAY_MAP_RULES_MAX; i++) {
		r = &m->rule[i];
		if (r->family != family || memcmp(r->from, addr, addr_len(family)) ||
		    (r->from_port && r->from_port != *port))
			continue;
		memcpy(addr, r->to, addr_len(family));
		if (r->to_port)
			*port = r->to_port;
		return true;
	}
	return false;
}

int replay_map_dest(const struct replay_map *m, const struct frame_info *fi, struct replay_dest *d)
{
	memset(d, 0, sizeof(*d));
	if ((fi->family != AF_INET && fi->family != AF_INET6) || fi->proto != 17 || fi->frag ||
	    fi->more_frags || !fi->payload_off)
		return -EPROTONOSUPPORT;
	d->family = fi->family;
	memcpy(d->addr, fi->dst, addr_len(fi->family));
	d->port = fi->dport;
	map_lookup(m, d->family, d->addr, &d->port);
	if (!m->allow_unicast && !replay_map_is_multicast(d->family, d->addr))
		return -EDESTADDRREQ;
	return 0;
}

/*
 * What replay_map_frame() may touch in a frame: the layout checked against
 * what the headers claim, so that a rewrite never reads or writes past len
 * and the checksums it computes cover bytes that are there.
 */
enum frame_kind {
	FRAME_SHORT, /* too short for an Ethernet header, or an IP header claiming more */
	FRAME_OTHER, /* not IP: the MACs only */
	FRAME_IP,    /* IP, not (a whole) UDP datagram: the MACs and the TTL */
	FRAME_UDP,   /* a UDP datagram: everything */
};

struct frame_layout {
	enum frame_kind kind;
	struct frame_info fi;
	uint32_t ulen; /* UDP length (FRAME_UDP) */
};

static void frame_layout(const uint8_t *p, uint32_t len, struct frame_layout *l)
{
	struct frame_info *fi = &l->fi;
	uint32_t o, ihl, iplen;

	l->ulen = 0;
	if (len < 14) {
		l->kind = FRAME_SHORT;
		memset(fi, 0, sizeof(*fi));
		return;
	}
	if (frame_decode(p, len, fi)) {
		/* Cut inside a tag, or an IP header cut or broken: not rewritten. */
		if (wirets_l3(p, len, &o, &fi->ethertype) || fi->ethertype == 0x0800 ||
		    fi->ethertype == 0x86dd)
			l->kind = FRAME_SHORT;
		else
			l->kind = FRAME_OTHER;
		return;
	}
	o = fi->l3_off;
	if (fi->family == AF_INET) {
		ihl = (uint32_t)(p[o] & 0x0f) * 4;
		iplen = get16(p + o + 2);
		if (iplen < ihl || o + iplen > len) {
			l->kind = FRAME_SHORT;
			return;
		}
		iplen -= ihl;
	} else {
		iplen = get16(p + o + 4);
		if (o + 40 + iplen > len) {
			l->kind = FRAME_SHORT;
			return;
		}
	}
	l->kind = FRAME_IP;
	if (fi->proto != 17 || fi->frag || fi->more_frags)
		return;
	/* A UDP header and datagram that do not fit the IP payload are broken. */
	if (iplen < 8 || get16(p + fi->l4_off + 4) < 8 || get16(p + fi->l4_off + 4) > iplen) {
		l->kind = FRAME_SHORT;
		return;
	}
	l->ulen = get16(p + fi->l4_off + 4);
	l->kind = FRAME_UDP;
}

static bool mac_is_group(const uint8_t *mac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return (mac[0] & 1) && memcmp(mac, bcast, 6);
}

int replay_map_frame_check(const struct replay_map *m, const uint8_t *frame, uint32_t len)
{
	struct frame_layout l;
	uint8_t addr[16];
	uint16_t port;

	if (m->allow_unicast)
		return 0;
	frame_layout(frame, len, &l);
	switch (l.kind) {
	case FRAME_SHORT:
		/* Sent as it is: judged by what it says. */
		if (l.fi.family)
			return replay_map_is_multicast(l.fi.family, l.fi.dst) ? 0 : -EDESTADDRREQ;
		return len >= 14 && mac_is_group(frame) ? 0 : -EDESTADDRREQ;
	case FRAME_OTHER:
		return mac_is_group(m->set_dmac ? m->dmac : frame) ? 0 : -EDESTADDRREQ;
	case FRAME_IP:
		return replay_map_is_multicast(l.fi.family, l.fi.dst) ? 0 : -EDESTADDRREQ;
	case FRAME_UDP:
		break;
	}
	memcpy(addr, l.fi.dst, 16);
	port = l.fi.dport;
	map_lookup(m, l.fi.family, addr, &port);
	return replay_map_is_multicast(l.fi.family, addr) ? 0 : -EDESTADDRREQ;
}

static void ipv4_header_csum(uint8_t *ip, uint32_t ihl)
{
	put16(ip + 10, 0);
	put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, ihl)));
}

/* The UDP checksum over the pseudo header and ulen bytes at udp. */
static void udp_csum(const struct frame_info *fi, const uint8_t *ip, uint8_t *udp, uint32_t ulen)
{
	uint32_t sum = 17 + ulen;
	uint16_t c;

	if (fi->family == AF_INET)
		sum = inet_csum_add(sum, ip + 12, 8);
	else
		sum = inet_csum_add(sum, ip + 8, 32);
	put16(udp + 6, 0);
	c = inet_csum_fold(inet_csum_add(sum, udp, ulen));
	/* 0 means "no checksum": a sum of 0 is sent as its other form. */
	put16(udp + 6, c ? c : 0xffff);
}

/* Copy n bytes to dst if they differ.  @return 1 if they did. */
static int set_field(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (!memcmp(dst, src, n))
		return 0;
	memcpy(dst, src, n);
	return 1;
}

int replay_map_frame(const struct replay_map *m, uint8_t *frame, uint32_t len)
{
	struct frame_layout l;
	uint8_t *ip, *udp, addr[16], mac[6], port[2], ttl;
	const uint8_t *dmac = NULL;
	uint16_t newport;
	size_t alen;
	int n = 0, addr_changed = 0, port_changed = 0, ttl_changed = 0;

	frame_layout(frame, len, &l);
	if (l.kind == FRAME_SHORT)
		return 0;
	ip = frame + l.fi.l3_off;
	udp = frame + l.fi.l4_off;
	alen = addr_len(l.fi.family);
	if (l.kind == FRAME_UDP) {
		memcpy(addr, l.fi.dst, 16);
		newport = l.fi.dport;
		if (map_lookup(m, l.fi.family, addr, &newport)) {
			addr_changed =
				set_field(ip + (l.fi.family == AF_INET ? 16 : 24), addr, alen);
			put16(port, newport);
			port_changed = set_field(udp + 2, port, 2);
			if (addr_changed && replay_map_is_multicast(l.fi.family, addr)) {
				if (l.fi.family == AF_INET) {
					mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
					mac[3] = addr[1] & 0x7f, mac[4] = addr[2], mac[5] = addr[3];
				} else {
					mac[0] = 0x33, mac[1] = 0x33;
					memcpy(mac + 2, addr + 12, 4);
				}
				dmac = mac;
			}
		}
	}
	if (m->set_dmac)
		dmac = m->dmac;
	if (dmac)
		n += set_field(frame, dmac, 6);
	if (m->set_smac)
		n += set_field(frame + 6, m->smac, 6);
	if (l.kind != FRAME_OTHER && m->ttl >= 1 && m->ttl <= 255) {
		ttl = (uint8_t)m->ttl;
		ttl_changed = set_field(ip + (l.fi.family == AF_INET ? 8 : 7), &ttl, 1);
	}
	n += addr_changed + port_changed + ttl_changed;
	if (l.fi.family == AF_INET && (addr_changed || ttl_changed))
		ipv4_header_csum(ip, (uint32_t)(ip[0] & 0x0f) * 4);
	/* IPv4 may send no UDP checksum (0); IPv6 must always have one. */
	if ((addr_changed || port_changed) && (l.fi.family == AF_INET6 || get16(udp + 6)))
		udp_csum(&l.fi, ip, udp, l.ulen);
	return n;
}
