/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mcast_join.h - membership of the configured feeds' groups, so IGMP/MLD
 * snooping switches forward them to the capture interfaces.  The frames
 * themselves never reach these sockets: the XDP program takes them first.
 * Closing the sockets leaves the groups.
 */
#ifndef CAPD_MCAST_JOIN_H
#define CAPD_MCAST_JOIN_H

#include "capd_conf.h"

struct mcast_join {
	int fd4;
	int fd6;
	unsigned int joined;   /* (group, interface) memberships held */
	unsigned int prefixes; /* feeds given as prefixes: nothing to join */
};

/*
 * Join every single-address multicast feed of c on each of the n interfaces
 * (ifindexes).  On failure nothing stays joined.
 * @return 0, or the -errno of socket/setsockopt (e.g. -ENOBUFS: more than
 *         net.ipv4.igmp_max_memberships groups).
 */
int mcast_join_open(struct mcast_join *j, const struct capd_conf *c, const int *ifindexes,
		    unsigned int n);

void mcast_join_close(struct mcast_join *j);

#endif
