/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_net.h - parsers of the kernel's socket and multicast tables:
 * /proc/net/udp, /proc/net/udp6 (bound UDP sockets), /proc/net/igmp and
 * /proc/net/igmp6 (group memberships per interface).  Plain functions over
 * a buffer: no file access, nothing logged.  The text is treated as
 * untrusted: any bytes, any length; a line that does not parse is skipped
 * and counted, never read past the buffer.
 *
 * Addresses come out in network byte order, an IPv4 address in addr[0..3]
 * and the rest zero; ports in host order.
 */
#ifndef CAPD_PROC_NET_H
#define CAPD_PROC_NET_H

#include <stddef.h>
#include <stdint.h>

#define PROC_NET_IFNAME_LEN 16

/* One bound UDP socket (a line of /proc/net/udp or udp6). */
struct proc_net_udp {
	uint64_t inode; /* the socket's inode: "socket:[INODE]" in /proc/PID/fd */
	uint32_t uid;	/* its owner's uid */
	uint16_t port;	/* local port, host order */
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
};

/* One group membership of one interface (a group line of igmp, a line of igmp6). */
struct proc_net_mship {
	uint32_t ifindex;
	uint32_t users; /* sockets (and kernel joins) holding it */
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	char ifname[PROC_NET_IFNAME_LEN]; /* NUL terminated, printable */
};

/* What a parse found. */
struct proc_net_count {
	size_t found;	/* entries parsed; those beyond max were not stored */
	size_t skipped; /* lines that did not parse (the header included) */
};

/*
 * Parse /proc/net/udp (family 4) or /proc/net/udp6 (family 6) text: up to
 * max sockets into out.  Sockets without a local port (not bound) are
 * left out.
 */
void proc_net_udp_parse(const char *buf, size_t len, int family, struct proc_net_udp *out,
			size_t max, struct proc_net_count *cnt);

/* Parse /proc/net/igmp text: up to max memberships into out. */
void proc_net_igmp_parse(const char *buf, size_t len, struct proc_net_mship *out, size_t max,
			 struct proc_net_count *cnt);

/* Parse /proc/net/igmp6 text: up to max memberships into out. */
void proc_net_igmp6_parse(const char *buf, size_t len, struct proc_net_mship *out, size_t max,
			  struct proc_net_count *cnt);

#endif
