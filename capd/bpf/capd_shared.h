/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capd_shared.h - the contract between the XDP program (capd_xdp.bpf.c) and
 * capd's user space (xdp_prog.c, xsk.c): map names and layouts, counter
 * indices, and the metadata header written in front of every redirected
 * frame.  Included by both sides; the BPF compiler defines __bpf__.
 *
 * Byte order: addresses and ports in the feed maps are in network order,
 * exactly as they appear in the packet, so the program compares without
 * swapping.  Everything else is in host order.
 */
#ifndef CAPD_BPF_SHARED_H
#define CAPD_BPF_SHARED_H

#include <linux/types.h>

/* Map and program names as they appear in the object file. */
#define CAPD_PROG_HW	  "capd_xdp_hw" /* calls the rx_timestamp kfunc; device-bound */
#define CAPD_PROG_SW	  "capd_xdp"	/* no kfunc; any mode */
#define CAPD_MAP_XSKS	  "xsks_map"
#define CAPD_MAP_FEEDS4	  "feeds_v4"
#define CAPD_MAP_FEEDS6	  "feeds_v6"
#define CAPD_MAP_COUNTERS "counters"

#define CAPD_MAX_QUEUES	   256	  /* xsks_map and counters entries; = RING_MAX_QUEUES */
#define CAPD_MAX_FEED_KEYS 1024	  /* distinct prefixes per address family */
#define CAPD_VAL_PORTS	   32	  /* (port, feed) pairs per prefix, all feeds merged */
#define CAPD_FEED_NONE	   0xffff /* "no feed": capture_all, or no any-port feed */

/* UDP ports never redirected, whatever the feeds say: PTP event/general. */
#define CAPD_PTP_EVENT_PORT   319
#define CAPD_PTP_GENERAL_PORT 320

/*
 * Feed selection.  One LPM trie per family maps a destination prefix to the
 * feeds configured for it.  User space merges all configured feeds into
 * these values (xdp_prog.c), so a single lookup decides: a datagram whose
 * destination port is listed in port[] belongs to that entry's feed,
 * otherwise to any_feed, otherwise it is not selected.  A prefix's value
 * also carries the ports of the shorter prefixes that cover it, so the most
 * specific address wins and, for the same address, a listed port wins over
 * "any port".
 */
struct capd_lpm4_key {
	__u32 prefixlen; /* 0..32 */
	__u8 addr[4];	 /* network order */
};

struct capd_lpm6_key {
	__u32 prefixlen; /* 0..128 */
	__u8 addr[16];	 /* network order */
};

struct capd_feed_port {
	__be16 port; /* UDP destination port, network order */
	__u16 feed;
};

struct capd_feed_val {
	__u16 any_feed; /* feed for unlisted ports, or CAPD_FEED_NONE */
	__u16 nports;	/* used entries of port[], <= CAPD_VAL_PORTS */
	struct capd_feed_port port[CAPD_VAL_PORTS];
};

/*
 * Per-queue counters: a BPF_MAP_TYPE_PERCPU_ARRAY indexed by rx queue
 * (queues >= CAPD_MAX_QUEUES count in the last entry), one struct per CPU.
 * User space sums over CPUs; values only grow while the program is loaded.
 */
enum capd_xdp_counter {
	CAPD_CNT_RX = 0,       /* frames seen */
	CAPD_CNT_PASSED,       /* returned XDP_PASS, for any reason */
	CAPD_CNT_SELECTED,     /* matched a feed (or capture_all) */
	CAPD_CNT_REDIRECTED,   /* selected and handed to bpf_redirect_map() */
	CAPD_CNT_NO_SOCKET,    /* selected, but no AF_XDP socket on the queue: passed */
	CAPD_CNT_META_FAILED,  /* bpf_xdp_adjust_meta() failed: redirected without meta */
	CAPD_CNT_PARSE_ERRORS, /* truncated or malformed IPv4/IPv6/UDP header: passed */
	CAPD_CNT_HW_TS,	       /* redirected with a hardware timestamp */
	CAPD_CNT__MAX
};

struct capd_xdp_counters {
	__u64 c[CAPD_CNT__MAX];
};

/*
 * The metadata header, written in front of the FIRST buffer of a
 * (multi-buffer) frame only, in one of two places chosen at load time:
 *  - normally bpf_xdp_adjust_meta() reserves it immediately in front of the
 *    frame's first byte: an AF_XDP consumer finds it at
 *    frame - sizeof(struct capd_xdp_meta), outside the descriptor;
 *  - where the kernel refuses bpf_xdp_adjust_meta() (the program's
 *    meta_in_frame is set), bpf_xdp_adjust_head() prepends it to the frame:
 *    the descriptor's first sizeof(struct capd_xdp_meta) bytes are the
 *    header, which the consumer strips.
 * The descriptor does not carry its length, so this size is part of the
 * contract.  magic is CAPD_META_MAGIC only when the program wrote the header
 * for this frame.  In front of the frame, the consumer must clear it before
 * it recycles a buffer (xsk.c does), because a frame redirected without
 * metadata (CAPD_CNT_META_FAILED) leaves the old bytes in place.  In the
 * frame, such a frame starts with its Ethernet header: for untagged IPv4
 * UDP its bytes 22-23 (TTL, protocol 17) cannot be the magic (behind an
 * Arista header they are part of its time and could be), but the head
 * cannot fail to grow within the 256 bytes of headroom of every XDP buffer.
 */
#define CAPD_META_MAGIC 0xcad1 /* also the layout version */

/*
 * The Arista EOS timestamp header (lib/wirets.h), which the program and
 * the shared path's selection (pktsel.h) look through: EtherType 0xD28B
 * after the source MAC, subtype 0x0001, a version, the time (32-bit
 * seconds or, in the 48-bit versions, 16-bit seconds, then 32-bit ns),
 * then the original EtherType.  Lengths count from the 0xD28B EtherType
 * to the original one, exclusive.
 */
#define CAPD_ETH_P_ARISTA   0xD28B
#define CAPD_ARISTA_SUBTYPE 0x0001
#define CAPD_ARISTA_V64_TAI 0x0010
#define CAPD_ARISTA_V64_UTC 0x0110
#define CAPD_ARISTA_V48_TAI 0x0020
#define CAPD_ARISTA_V48_UTC 0x0120
#define CAPD_ARISTA_LEN64   14
#define CAPD_ARISTA_LEN48   12

enum capd_meta_flags {
	CAPD_META_F_HW_TS = 1 << 0,    /* hw_ts holds a NIC (PHC) timestamp */
	CAPD_META_F_HW_TRIED = 1 << 1, /* the kfunc program ran; see CAPD_META_HW_ERR */
	CAPD_META_F_VLAN = 1 << 2,     /* one 802.1Q/802.1ad tag in front of IP */
	CAPD_META_F_IPV6 = 1 << 3,
	CAPD_META_F_IPFRAG = 1 << 4,   /* IPv4 non-first fragment, matched by address */
	CAPD_META_F_MULTIBUF = 1 << 5, /* frame spans several buffers */
};

/*
 * Bits 16..23 of flags: the positive errno of a failed
 * bpf_xdp_metadata_rx_timestamp() (EOPNOTSUPP: the driver has no
 * implementation; ENODATA: no stamp for this frame, e.g. RX stamping off).
 * A successful call that returns 0 ns (veth does) is reported with error 0
 * and without CAPD_META_F_HW_TS: a zero stamp is no stamp.
 */
#define CAPD_META_HW_ERR_SHIFT	16
#define CAPD_META_HW_ERR(flags) (((flags) >> CAPD_META_HW_ERR_SHIFT) & 0xff)

struct capd_xdp_meta {
	__u64 hw_ts;  /* ns, NIC clock; valid with CAPD_META_F_HW_TS */
	__u64 tai_ns; /* bpf_ktime_get_tai_ns() at XDP ingress, always */
	__u32 flags;  /* enum capd_meta_flags | hw error << 16 */
	__u16 feed;   /* configured feed index, or CAPD_FEED_NONE */
	__u16 magic;  /* CAPD_META_MAGIC */
};

/* bpf_xdp_adjust_meta() accepts multiples of 4 bytes, at most 32. */
_Static_assert(sizeof(struct capd_xdp_meta) == 24, "capd xdp meta ABI v1");
_Static_assert(sizeof(struct capd_xdp_meta) % 4 == 0, "meta must be 4-byte sized");
_Static_assert(sizeof(struct capd_xdp_counters) == 64, "one cache line per queue and CPU");
_Static_assert(sizeof(struct capd_feed_val) == 4 + 4 * CAPD_VAL_PORTS, "feed value layout");

#ifndef __bpf__
/* User space only. */

/* Missing from Debian 12's 6.1 uapi headers. */
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif
#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif

static inline const char *capd_xdp_counter_name(unsigned int i)
{
	static const char *const names[CAPD_CNT__MAX] = {
		[CAPD_CNT_RX] = "rx",
		[CAPD_CNT_PASSED] = "passed",
		[CAPD_CNT_SELECTED] = "selected",
		[CAPD_CNT_REDIRECTED] = "redirected",
		[CAPD_CNT_NO_SOCKET] = "no_socket",
		[CAPD_CNT_META_FAILED] = "meta_failed",
		[CAPD_CNT_PARSE_ERRORS] = "parse_errors",
		[CAPD_CNT_HW_TS] = "hw_ts",
	};

	return i < CAPD_CNT__MAX ? names[i] : "?";
}
#endif /* !__bpf__ */

#endif
