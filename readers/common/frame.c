// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "frame.h"
#include "wirets.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The VLAN id of the tag among the headers before l3 (where wirets_l3()
 * found the network header), or -1: the Arista header is 14 bytes with a
 * 64-bit time (versions 0x0010, 0x0110), 12 with a 48-bit one.
 */
static int16_t vlan_of(const uint8_t *p, uint32_t l3)
{
	uint32_t o = 12;
	uint16_t t;

	while (o + 4 <= l3) {
		t = get16(p + o);
		if (t == 0x8100 || t == 0x88a8)
			return (int16_t)(get16(p + o + 2) & 0x0fff);
		if (t != 0xd28b || o + 6 > l3)
			break;
		o += (get16(p + o + 4) & 0x00f0) == 0x0010 ? 14 : 12;
	}
	return -1;
}

int frame_decode(const uint8_t *p, uint32_t caplen, struct frame_info *fi)
{
	uint32_t o, ihl;

	memset(fi, 0, sizeof(*fi));
	fi->vlan = -1;
	/* Through a VLAN tag and an Arista timestamp header, in either order. */
	if (wirets_l3(p, caplen, &o, &fi->ethertype) < 0)
		return -EPROTO;
	if (o > 14)
		fi->vlan = vlan_of(p, o);
	fi->l3_off = o;
	if (fi->ethertype == 0x0800) {
		if (caplen < o + 20 || (p[o] >> 4) != 4)
			return -EPROTO;
		ihl = (uint32_t)(p[o] & 0x0f) * 4;
		if (ihl < 20)
			return -EPROTO;
		fi->family = AF_INET;
		fi->proto = p[o + 9];
		memcpy(fi->src, p + o + 12, 4);
		memcpy(fi->dst, p + o + 16, 4);
		fi->frag = (get16(p + o + 6) & 0x1fff) != 0;
		fi->more_frags = (get16(p + o + 6) & 0x2000) != 0;
		fi->l4_off = o + ihl;
	} else if (fi->ethertype == 0x86dd) {
		if (caplen < o + 40)
			return -EPROTO;
		fi->family = AF_INET6;
		fi->proto = p[o + 6];
		memcpy(fi->src, p + o + 8, 16);
		memcpy(fi->dst, p + o + 24, 16);
		fi->l4_off = o + 40;
	} else {
		return -EPROTO;
	}
	if (fi->proto == 17 && !fi->frag && caplen >= fi->l4_off + 8) {
		fi->sport = get16(p + fi->l4_off);
		fi->dport = get16(p + fi->l4_off + 2);
		uint32_t ulen = get16(p + fi->l4_off + 4);

		fi->payload_off = fi->l4_off + 8;
		fi->payload_len = caplen - fi->payload_off;
		/* Ethernet padding or a switch's trailer after it is not payload. */
		if (ulen >= 8 && ulen - 8 < fi->payload_len)
			fi->payload_len = ulen - 8;
	}
	return 0;
}

char *frame_addr_str(int family, const uint8_t *addr, uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	if (!port)
		snprintf(buf, len, "%s", a);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}
