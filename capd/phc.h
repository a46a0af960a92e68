/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * phc.h - the PTP hardware clock (PHC) of a NIC: which /dev/ptpN it is
 * (ETHTOOL_GET_TS_INFO) and how far it is from the system clock.
 */
#ifndef CAPD_PHC_H
#define CAPD_PHC_H

#include <stdint.h>

/*
 * Open the PHC of ifname read-only.
 * @return 0 with *fd and *index set; -ENODEV when the NIC has none; or
 *         another -errno (opening /dev/ptpN needs root or its group).
 */
int phc_open(const char *ifname, int *fd, int *index);

/*
 * PHC time minus CLOCK_REALTIME in ns, from the tightest of a few readings
 * bracketed by system clock reads (PTP_SYS_OFFSET_EXTENDED, or
 * PTP_SYS_OFFSET on drivers without it).  @return 0 or -errno.
 */
int phc_offset_realtime(int fd, int64_t *offset_ns);

#endif
