/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.h - just enough decoding of a captured Ethernet frame for readers:
 * one optional VLAN tag and an Arista timestamp header (either order,
 * wirets_l3()), IPv4 or IPv6, UDP ports and payload.  Pure, bounds checked
 * against caplen; used by capdump's one-line output, capstat and the lab
 * tools.  A trailer (Metamako, Exablaze) after the datagram is not in
 * payload_len: the UDP length says where the datagram ends.
 */
#ifndef CAPD_FRAME_H
#define CAPD_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct frame_info {
	int family;		  /* AF_INET, AF_INET6, or 0 (not IP) */
	uint16_t ethertype;	  /* after the VLAN tag and Arista header, if any */
	int16_t vlan;		  /* VLAN id, or -1 */
	uint8_t proto;		  /* IP protocol */
	uint8_t src[16], dst[16]; /* network order; IPv4 in [0..3] */
	uint16_t sport, dport;	  /* UDP ports, host order (0 if not UDP) */
	uint32_t l3_off;	  /* offset of the IP header */
	uint32_t l4_off;	  /* offset of the transport header */
	uint32_t payload_off;	  /* offset of the UDP payload (0 if not UDP) */
	uint32_t payload_len;	  /* UDP payload bytes present in the capture, at
				   * most the UDP length says (not padding) */
	int frag;		  /* IPv4 non-first fragment: no UDP header */
	int more_frags;		  /* IPv4 more fragments follow: a first one's UDP
				   * header is there, the whole datagram is not */
};

/*
 * Decode frame p of caplen bytes.
 * @return 0 for IP (fields set as far as captured), -EPROTO otherwise.
 */
int frame_decode(const uint8_t *p, uint32_t caplen, struct frame_info *fi);

/* "239.1.1.1:30001" / "[ff3e::1]:30001" (port omitted when 0). */
char *frame_addr_str(int family, const uint8_t *addr, uint16_t port, char *buf, size_t len);

#endif
