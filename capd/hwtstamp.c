// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hwtstamp.h"

static int hwtstamp_ioctl(const char *ifname, unsigned long req, struct hwtstamp_config *cfg)
{
	struct ifreq ifr;
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)cfg;
	if (ioctl(fd, req, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

int hwtstamp_enable(const char *ifname, struct hwtstamp_saved *s)
{
	struct hwtstamp_config cfg;
	int r;

	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	/* Drivers without SIOCGHWTSTAMP start from "off". */
	if (hwtstamp_ioctl(ifname, SIOCGHWTSTAMP, &s->old) < 0) {
		s->old.tx_type = HWTSTAMP_TX_OFF;
		s->old.rx_filter = HWTSTAMP_FILTER_NONE;
	}
	s->rx_filter = s->old.rx_filter;
	if (s->old.rx_filter == HWTSTAMP_FILTER_ALL)
		return 0;
	cfg = s->old;
	cfg.rx_filter = HWTSTAMP_FILTER_ALL;
	r = hwtstamp_ioctl(ifname, SIOCSHWTSTAMP, &cfg);
	if (r == -EINVAL || r == -ERANGE || r == -ENOTTY)
		r = -EOPNOTSUPP;
	if (r < 0)
		return r;
	s->changed = true;
	s->rx_filter = cfg.rx_filter; /* the driver writes back what it granted */
	return cfg.rx_filter == HWTSTAMP_FILTER_ALL ? 0 : -ENOTSUP;
}

int hwtstamp_restore(struct hwtstamp_saved *s)
{
	struct hwtstamp_config cfg = s->old;
	int r;

	if (!s->changed)
		return 0;
	r = hwtstamp_ioctl(s->ifname, SIOCSHWTSTAMP, &cfg);
	if (r == 0)
		s->changed = false;
	return r;
}
