/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netdev.h - what a network interface is and can do, asked the way any
 * process may: interface ioctls by name, the "netdev" generic netlink
 * family for the driver's XDP features (Linux 6.3+), and rtnetlink for the
 * XDP program attached now, sysfs for its drop counters.  libc only, so
 * readers use it as well as capd; no capability is needed for any of it.
 * Nothing here prints.
 */
#ifndef CAPD_NETDEV_H
#define CAPD_NETDEV_H

#include <linux/if_link.h> /* XDP_ATTACHED_* */
#include <stdint.h>

/* Feature bits of linux/netdev.h, which Debian 12's headers lack. */
#define NETDEV_XDP_ACT_BASIC		 (1u << 0) /* XDP_PASS/DROP/ABORTED in driver mode */
#define NETDEV_XDP_ACT_REDIRECT		 (1u << 1) /* XDP_REDIRECT in driver mode */
#define NETDEV_XDP_ACT_XSK_ZEROCOPY	 (1u << 3) /* AF_XDP zero-copy */
#define NETDEV_XDP_ACT_RX_SG		 (1u << 5) /* multi-buffer receive */
#define NETDEV_XDP_RX_METADATA_TIMESTAMP (1u << 0) /* bpf_xdp_metadata_rx_timestamp */

struct netdev_xdp {
	uint64_t features;    /* NETDEV_XDP_ACT_* */
	uint64_t rx_metadata; /* NETDEV_XDP_RX_METADATA_* */
	uint32_t zc_max_segs; /* buffers per zero-copy frame; 0 = not reported */
};

/* The XDP program attached to an interface now. */
struct netdev_xdp_prog {
	uint8_t attached; /* XDP_ATTACHED_NONE, _DRV, _SKB, _HW or _MULTI */
	uint32_t prog_id; /* 0 if none (or several: _MULTI) */
};

/*
 * ioctl(req) on a throw-away AF_INET datagram socket with ifr_name =
 * ifname and ifr_data = data: SIOCETHTOOL, SIOCGHWTSTAMP, SIOCSHWTSTAMP...
 * @return 0 or -errno (-ENODEV: no such interface).
 */
int netdev_ioctl(const char *ifname, unsigned long req, void *data);

/*
 * What the driver of ifindex declares through the netdev netlink family.
 * @return 0; -ENOENT when the kernel has no such family (before 6.3); or
 *         the kernel's -errno (-ENODEV: no such interface).
 */
int netdev_xdp_features(int ifindex, struct netdev_xdp *x);

/*
 * The XDP program on ifindex (rtnetlink IFLA_XDP).
 * @return 0 or -errno.
 */
int netdev_xdp_attached(int ifindex, struct netdev_xdp_prog *p);

/*
 * The prefix length of the routing table's entry that sends to the IPv4
 * address addr (network order) out of ifindex: RTM_GETROUTE with
 * RTM_F_FIB_MATCH, as `ip route get fibmatch ADDR oif IF` asks.
 * @return 0 with *prefix_len set; -EHOSTUNREACH or -ENETUNREACH when no
 *         entry matches; another -errno.
 */
int netdev_route_prefix4(int ifindex, const uint8_t addr[4], unsigned int *prefix_len);

/*
 * Frames the NIC or its driver dropped on ifname, all receive queues
 * together, for want of buffers or descriptors: rx_missed_errors plus
 * rx_fifo_errors of /sys/class/net/IFNAME/statistics.  Not rx_dropped,
 * which also counts what the stack discarded as unwanted.  A running total
 * since the driver last reset it (some reset on down/up).
 * @return 0; -ENODEV: no such interface; -EINVAL: unreadable figure; or
 *         the -errno of open/read.
 */
int netdev_nic_rx_drops(const char *ifname, uint64_t *drops);

#endif
