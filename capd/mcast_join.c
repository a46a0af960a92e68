// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mcast_join.h"

static int is_multicast(const struct capd_conf_addr *a)
{
	return a->family == AF_INET ? (a->addr[0] & 0xf0) == 0xe0 : a->addr[0] == 0xff;
}

static int join_one(struct mcast_join *j, const struct capd_conf_addr *a, int ifindex)
{
	int fd;

	if (a->family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		if (j->fd4 < 0 && (j->fd4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
			return -errno;
		fd = j->fd4;
		memcpy(&mr.imr_multiaddr, a->addr, 4);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			return -errno;
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned int)ifindex };

		if (j->fd6 < 0 && (j->fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
			return -errno;
		fd = j->fd6;
		memcpy(&mr.ipv6mr_multiaddr, a->addr, 16);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			return -errno;
	}
	j->joined++;
	return 0;
}

int mcast_join_open(struct mcast_join *j, const struct capd_conf *c, const int *ifindexes,
		    unsigned int n)
{
	unsigned int f, i;
	int r;

	j->fd4 = j->fd6 = -1;
	j->joined = j->prefixes = 0;
	for (f = 0; f < c->nfeeds; f++) {
		const struct capd_conf_addr *a = &c->feeds[f].group;

		if (!is_multicast(a))
			continue;
		if (a->prefix_len != (a->family == AF_INET ? 32 : 128)) {
			j->prefixes++;
			continue;
		}
		for (i = 0; i < n; i++) {
			r = join_one(j, a, ifindexes[i]);
			/* Two feeds on one group (other ports) share the membership. */
			if (r == -EADDRINUSE)
				continue;
			if (r < 0) {
				mcast_join_close(j);
				return r;
			}
		}
	}
	return 0;
}

void mcast_join_close(struct mcast_join *j)
{
	if (j->fd4 >= 0)
		close(j->fd4);
	if (j->fd6 >= 0)
		close(j->fd6);
	j->fd4 = j->fd6 = -1;
	j->joined = 0;
}
