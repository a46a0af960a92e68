/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwtstamp.h - switch a NIC's receive timestamping to "all packets"
 * (SIOCSHWTSTAMP) and put back what was there before.  ptp4l may narrow the
 * filter again later (set `hwts_filter full` in ptp4l.conf to prevent it).
 */
#ifndef CAPD_HWTSTAMP_H
#define CAPD_HWTSTAMP_H

#include <linux/net_tstamp.h>
#include <net/if.h>
#include <stdbool.h>

struct hwtstamp_saved {
	char ifname[IF_NAMESIZE];
	struct hwtstamp_config old; /* before we changed it */
	int rx_filter;		    /* what the driver granted */
	bool changed;		    /* restore on exit */
};

/*
 * Ask for HWTSTAMP_FILTER_ALL on ifname, keeping its TX setting.
 * @return 0 when every received packet is stamped; -ENOTSUP when the
 *         driver granted a narrower filter (s->rx_filter says which);
 *         -EOPNOTSUPP when it cannot stamp at all; or another -errno.
 */
int hwtstamp_enable(const char *ifname, struct hwtstamp_saved *s);

/* The receive filter ifname has now (HWTSTAMP_FILTER_*), in *rx_filter.
 * @return 0 or -errno (-EOPNOTSUPP: the driver has no timestamping). */
int hwtstamp_rx_filter(const char *ifname, int *rx_filter);

/* Put the saved configuration back if hwtstamp_enable() changed it.
 * @return 0 or -errno (needs CAP_NET_ADMIN). */
int hwtstamp_restore(struct hwtstamp_saved *s);

#endif
