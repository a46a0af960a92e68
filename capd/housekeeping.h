/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * housekeeping.h - capd's slow thread: everything the capture thread must
 * not do.  Every 100 ms it refreshes the ring's heartbeat; every second it
 * copies the sockets' XDP_STATISTICS and the XDP program's counters into
 * the ring's statistics, and tells systemd that capture is alive
 * (WATCHDOG=1 only while the capture loop makes progress) and how it goes
 * (STATUS=).  Every 100 ms it also collects ptp4l's answers and rewrites
 * the ring's clock page (clock_status.h), logging each change of verdict.
 */
#ifndef CAPD_HOUSEKEEPING_H
#define CAPD_HOUSEKEEPING_H

#include <pthread.h>
#include <stdbool.h>

#include "clock_status.h"

struct capture;
struct xdp_prog;

struct housekeeping {
	struct ring_hdr *hdr;
	struct capture *cap;
	struct xdp_prog **progs;	/* per ring interface index */
	unsigned int nprogs;
	struct clock_status clock;	/* opened by the caller before the start */
	uint16_t last_rule;		/* for logging changes */
	int last_send_err;
	bool stop;
	pthread_t thread;
};

/* @return 0 or the -errno of pthread_create. */
int housekeeping_start(struct housekeeping *hk);

/* Stop the thread and wait for it. */
void housekeeping_stop(struct housekeeping *hk);

/* One statistics pass (also used once more at shutdown). */
void housekeeping_update_stats(struct housekeeping *hk);

#endif
