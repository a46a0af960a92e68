/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pktsel.h - the XDP program's selection (capd_xdp.bpf.c), for the shared
 * path, which has no XDP program: the same frames, named by the same feed.
 *
 * Two halves.  The kernel half is a pcap-filter expression, compiled with
 * libpcap into the classic BPF socket filter of every AF_PACKET socket: it
 * takes UDP to a feed's prefix and ports (any port for a feed without
 * ports), later IPv4 fragments to a feed's prefix, and with no feeds all
 * multicast UDP; never PTP (ports 319 and 320), never an IPv6 datagram
 * with extension headers.  The kernel takes off the VLAN tag before the
 * filter runs, so tagged and untagged frames match alike; a frame with two
 * tags keeps one and matches nothing, as in the program.
 * The user half names the feed of a selected frame, exactly as the
 * program's longest-prefix lookup does (xdp_prog_feed_value()).
 *
 * An Arista timestamp header (EtherType 0xD28B, capd_shared.h) before or
 * after the tag: the program and the user half always look through it
 * (it costs them a compare).  The kernel half does so exactly, by raw
 * offsets, for the header lengths asked (PKTSEL_ARISTA64/48: capd asks for
 * those a shared-path interface is configured with): each one adds the
 * whole feed list twice to the filter, with and without a tag after the
 * header, which an interface without such headers should not pay for.
 * Without it, such frames go unselected, as they always did.
 */
#ifndef CAPD_PKTSEL_H
#define CAPD_PKTSEL_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "xdp_prog.h"

#define PKTSEL_MAX_KEYS 64 /* distinct feed prefixes */

struct pktsel_key {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];
	struct capd_feed_val v;
};

/* The feed table, longest prefixes first. */
struct pktsel {
	unsigned int nkeys;
	struct pktsel_key keys[PKTSEL_MAX_KEYS];
};

#define PKTSEL_ARISTA64 (1u << 0) /* through the 14-byte (64-bit) Arista header */
#define PKTSEL_ARISTA48 (1u << 1) /* through the 12-byte (48-bit) one */

/*
 * The pcap-filter expression of feeds into buf, looking through the
 * Arista headers `through` (PKTSEL_ARISTA*) names.
 * @return 0; -ENOSPC if it does not fit; -EINVAL for a bad feed.
 */
int pktsel_expr(const struct xdp_feed *feeds, size_t nfeeds, unsigned int through, char *buf,
		size_t len);

/*
 * Compile expr for Ethernet (DLT_EN10MB) into prog; free it with
 * pktsel_filter_free().
 * @return 0, or -EINVAL with libpcap's message in err.
 */
int pktsel_filter(const char *expr, struct sock_fprog *prog, char *err, size_t errlen);

void pktsel_filter_free(struct sock_fprog *prog);

/* @return 0, or -E2BIG: more distinct prefixes than PKTSEL_MAX_KEYS, or
 *         more ports than the program takes. */
int pktsel_init(struct pktsel *s, const struct xdp_feed *feeds, size_t nfeeds);

/*
 * The feed of a frame the filter selected (Ethernet header first, at most
 * one VLAN tag and one Arista header in either order), CAPD_FEED_NONE for multicast no feed names.
 * Hot loop: reads the headers only.
 */
uint16_t pktsel_feed(const struct pktsel *s, const uint8_t *frame, uint32_t len);

#endif
