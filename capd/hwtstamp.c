// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>

#include "hwtstamp.h"
#include "netdev.h"

int hwtstamp_enable(const char *ifname, struct hwtstamp_saved *s)
{
	struct hwtstamp_config cfg;
	int r;

	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	/* Drivers without SIOCGHWTSTAMP start from "off". */
	if (netdev_ioctl(ifname, SIOCGHWTSTAMP, &s->old) < 0) {
		s->old.tx_type = HWTSTAMP_TX_OFF;
		s->old.rx_filter = HWTSTAMP_FILTER_NONE;
	}
	s->rx_filter = s->old.rx_filter;
	if (s->old.rx_filter == HWTSTAMP_FILTER_ALL)
		return 0;
	cfg = s->old;
	cfg.rx_filter = HWTSTAMP_FILTER_ALL;
	r = netdev_ioctl(ifname, SIOCSHWTSTAMP, &cfg);
	if (r == -EINVAL || r == -ERANGE || r == -ENOTTY)
		r = -EOPNOTSUPP;
	if (r < 0)
		return r;
	s->changed = true;
	s->rx_filter = cfg.rx_filter; /* the driver writes back what it granted */
	return cfg.rx_filter == HWTSTAMP_FILTER_ALL ? 0 : -ENOTSUP;
}

int hwtstamp_rx_filter(const char *ifname, int *rx_filter)
{
	struct hwtstamp_config cfg;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = netdev_ioctl(ifname, SIOCGHWTSTAMP, &cfg);
	if (r == -EINVAL || r == -ENOTTY)
		r = -EOPNOTSUPP;
	if (r == 0)
		*rx_filter = cfg.rx_filter;
	return r;
}

int hwtstamp_restore(struct hwtstamp_saved *s)
{
	struct hwtstamp_config cfg = s->old;
	int r;

	if (!s->changed)
		return 0;
	r = netdev_ioctl(s->ifname, SIOCSHWTSTAMP, &cfg);
	if (r == 0)
		s->changed = false;
	return r;
}
