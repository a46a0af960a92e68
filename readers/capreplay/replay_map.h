/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_map.h - where a replayed packet goes and what is rewritten in it:
 * --map GROUP:PORT=GROUP:PORT rules, the TTL (hop limit), and in frame mode
 * the MAC addresses and the checksums.  Pure and bounds checked: the
 * arguments and the frames are untrusted (a peer's capture file).
 *
 * Rules: "FROM=TO" where each side is ADDR[:PORT] (IPv6 in brackets:
 * "[ff3e::1]:30001"); a FROM without a port matches every port of ADDR; a
 * TO without a port keeps the packet's port.  Both sides of a rule are of
 * one family.  The first rule that matches a packet's destination applies.
 *
 * Safety: replay is meant for multicast feeds.  A destination that is not
 * multicast after the rules (a unicast or broadcast address, a rule mapping
 * to one, a frame that is not IP and not sent to an Ethernet group address)
 * is refused unless allow_unicast.
 */
#ifndef CAPD_REPLAY_MAP_H
#define CAPD_REPLAY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#define REPLAY_MAP_RULES_MAX 64

struct replay_map_rule {
	int family;		  /* AF_INET or AF_INET6 */
	uint8_t from[16], to[16]; /* network order; IPv4 in [0..3] */
	uint16_t from_port;	  /* host order; 0: any */
	uint16_t to_port;	  /* host order; 0: keep */
};

struct replay_map {
	struct replay_map_rule rule[REPLAY_MAP_RULES_MAX];
	unsigned int nrules;
	int ttl; /* IPv4 TTL / IPv6 hop limit to set, 1..255; -1: keep (frame mode) */
	bool set_smac, set_dmac; /* frame mode: overwrite the source / destination MAC */
	uint8_t smac[6], dmac[6];
	bool allow_unicast;
};

/* Where a datagram goes (payload mode), after the rules. */
struct replay_dest {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port; /* host order */
};

/* Whether addr (of family, network order) is a multicast group. */
bool replay_map_is_multicast(int family, const uint8_t *addr);

/*
 * Parse one --map argument into a new rule of m.
 * @return 0, or -EINVAL (malformed, families differ, TO port 0 given as
 *         ":0") / -ENOSPC (more than REPLAY_MAP_RULES_MAX) with a line in err;
 *         a TO that is not multicast is -EINVAL unless m->allow_unicast
 *         (so set allow_unicast before taking --map).  A FROM port ":0" is
 *         -EINVAL too: "any port" is written without one.
 */
int replay_map_add(struct replay_map *m, const char *arg, char *err, size_t errlen);

/* "aa:bb:cc:dd:ee:ff" into mac.  @return 0, or -EINVAL. */
int replay_map_parse_mac(const char *s, uint8_t mac[6]);

/*
 * The destination of the UDP datagram fi decodes (frame_decode() returned
 * 0, fi->payload_off != 0), after the rules.
 * @return 0; -EPROTONOSUPPORT if it is not a UDP datagram (or a fragment);
 *         -EDESTADDRREQ if the destination is not multicast and unicast is
 *         not allowed (d is set then too, for the message).
 */
int replay_map_dest(const struct replay_map *m, const struct frame_info *fi, struct replay_dest *d);

/*
 * Whether frame (len bytes, as captured) may be sent as a frame: its
 * destination after the rules is multicast, or unicast is allowed.
 * @return 0, or -EDESTADDRREQ.
 */
int replay_map_frame_check(const struct replay_map *m, const uint8_t *frame, uint32_t len);

/*
 * Frame mode: rewrite frame (len bytes, a private copy) in place: a rule's
 * new address and port; for a new IPv4/IPv6 multicast group, the
 * destination MAC derived from it (01:00:5e / 33:33); then set_dmac,
 * set_smac and ttl; then the IPv4 header checksum and the UDP checksum
 * recomputed whenever anything they cover changed (an IPv4 UDP checksum of
 * 0, "none", stays 0).  A frame that is not IP, or not UDP, gets only the
 * MAC and TTL changes; a frame too short for what it claims is left as it
 * is.  Looks through one VLAN tag (frame_decode()).
 * @return the number of fields changed (0: the frame is as it was).
 */
int replay_map_frame(const struct replay_map *m, uint8_t *frame, uint32_t len);

#endif
