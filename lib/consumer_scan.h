/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * consumer_scan.h - local consumers of the captured feeds: UDP sockets of
 * this host (and network namespace) that the kernel would hand a feed's
 * packets to, and so get none of them while capd's bypass path takes the
 * feed before the kernel sees it.
 *
 * A socket is a consumer of feed F on captured interface I when
 *  - its local port is one of F's ports (any port if F has none, or when
 *    the configuration has no feeds at all: all multicast UDP);
 *  - its local address receives F: the wildcard (0.0.0.0, or :: which also
 *    takes IPv4 unless IPV6_V6ONLY, which /proc does not show), or an
 *    address inside F's group or prefix (IPv4 also as ::ffff:a.b.c.d);
 *  - and, for a multicast F, the group it would receive (its own address,
 *    or any group inside F for a wildcard socket) is joined on I by
 *    someone other than capd and the kernel.  A membership is not tied to
 *    a socket in /proc: the kernel delivers a group's datagrams to every
 *    socket bound to the port (IP_MULTICAST_ALL, on by default), so the
 *    bound socket is what is reported.  Memberships the kernel holds by
 *    itself (224.0.0.1, ff01::1, ff02::1, ff0X::2, solicited-node groups)
 *    never count; capd's own (capture.join: one per single-address
 *    multicast feed group and interface) are discounted with own_joins.
 *  - A feed that is not multicast (allow_unicast) needs no membership.
 *
 * Nothing here logs.  The /proc text is parsed by proc_net.h.
 */
#ifndef CAPD_CONSUMER_SCAN_H
#define CAPD_CONSUMER_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd_conf.h"
#include "proc_net.h"

#define CONSUMER_ALL_FEEDS 0xffffu /* consumer.feed when the config has no feeds */
#define CONSUMER_COMM_LEN  16

struct consumer {
	struct proc_net_udp sock;
	uint16_t feed;		      /* index into conf->feeds, or CONSUMER_ALL_FEEDS */
	uint16_t iface;		      /* index into conf->capture.interfaces */
	int32_t pid;		      /* owning process, 0 = not known (see owner_err) */
	int owner_err;		      /* 0 not looked up or found; -EACCES: some processes'
				       * descriptors are not visible to this user and none
				       * of the visible holds it; -ENOENT: no process holds
				       * it (gone, or of another pid namespace) */
	char comm[CONSUMER_COMM_LEN]; /* its name, printable ASCII, "" unknown */
};

struct consumer_scan_opts {
	const struct capd_conf *conf;
	uint32_t ifaces; /* bit i set: conf interface i counts (bypass path) */
	bool own_joins;	 /* capd holds its capture.join memberships now */
};

/*
 * Match the sockets against the feeds, interfaces and memberships.
 * Stores up to max consumers in out, one per socket (its first feed and
 * interface in configuration order), in socket order.
 * @return the number of consumers found (more than max: not all stored).
 */
size_t consumer_match(const struct consumer_scan_opts *o, const struct proc_net_udp *socks,
		      size_t nsocks, const struct proc_net_mship *ms, size_t nms,
		      struct consumer *out, size_t max);

/*
 * Read /proc/net/udp, udp6, igmp and igmp6 (the caller's network
 * namespace; a missing IPv6 table counts as empty) and match them.  Owners
 * are not looked up.  *found is as consumer_match()'s return.
 * @return 0, -ENOMEM, -EFBIG (a table beyond 64 MiB) or the -errno of
 *         reading an IPv4 table.
 */
int consumer_scan(const struct consumer_scan_opts *o, struct consumer *out, size_t max,
		  size_t *found);

/*
 * Name the processes holding c[0..n)'s sockets (those with pid 0), from
 * the socket links in /proc/PID/fd: every process for root with its
 * capabilities; without them (capd after its privilege drop, even as
 * uid 0) only the processes of the caller's uid that have no more
 * capabilities than it has (ptrace access rules), and fewer still under
 * systemd's ProtectProc=.
 */
void consumer_owners(struct consumer *c, size_t n);

/*
 * One phrase for c: "python3 (pid 4242, uid 1000), socket 0.0.0.0:5000,
 * feed md-a (239.1.1.1) on eth1".
 */
char *consumer_str(const struct consumer *c, const struct capd_conf *conf, char *buf, size_t len);

#endif
