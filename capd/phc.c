// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ptp_clock.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "netdev.h"
#include "phc.h"

#define SAMPLES 5

int phc_open(const char *ifname, int *fd, int *index)
{
	struct ethtool_ts_info info = { .cmd = ETHTOOL_GET_TS_INFO };
	char dev[32];
	int r;

	*fd = -1;
	*index = -1;
	r = netdev_ioctl(ifname, SIOCETHTOOL, &info);
	if (r < 0)
		return r == -EOPNOTSUPP ? -ENODEV : r;
	if (info.phc_index < 0)
		return -ENODEV;
	snprintf(dev, sizeof(dev), "/dev/ptp%d", info.phc_index);
	*fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	*index = info.phc_index;
	return 0;
}

static int64_t ts_ns(const struct ptp_clock_time *t)
{
	return t->sec * 1000000000LL + t->nsec;
}

int phc_offset_realtime(int fd, int64_t *offset_ns)
{
	struct ptp_sys_offset_extended ext = { .n_samples = SAMPLES };
	struct ptp_sys_offset basic = { .n_samples = SAMPLES };
	int64_t best = INT64_MAX;
	unsigned int i;

	if (ioctl(fd, PTP_SYS_OFFSET_EXTENDED, &ext) == 0) {
		for (i = 0; i < ext.n_samples; i++) {
			int64_t t0 = ts_ns(&ext.ts[i][0]), t1 = ts_ns(&ext.ts[i][2]);

			/* the shortest bracket bounds the error best */
			if (t1 - t0 < best) {
				best = t1 - t0;
				*offset_ns = ts_ns(&ext.ts[i][1]) - (t0 + (t1 - t0) / 2);
			}
		}
		return 0;
	}
	if (ioctl(fd, PTP_SYS_OFFSET, &basic) < 0)
		return -errno;
	/* ts[] alternates system, PHC, system, ... */
	for (i = 0; i < basic.n_samples; i++) {
		int64_t t0 = ts_ns(&basic.ts[2 * i]), t1 = ts_ns(&basic.ts[2 * i + 2]);

		if (t1 - t0 < best) {
			best = t1 - t0;
			*offset_ns = ts_ns(&basic.ts[2 * i + 1]) - (t0 + (t1 - t0) / 2);
		}
	}
	return 0;
}
