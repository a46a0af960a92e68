/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * housekeeping.h - capd's slow thread: everything the capture thread must
 * not do.  Every 100 ms it refreshes the ring's heartbeat; every second it
 * copies the sockets' XDP_STATISTICS and the XDP program's counters into
 * the ring's statistics, and tells systemd that capture is alive
 * (WATCHDOG=1 only while the capture loop makes progress) and how it goes
 * (STATUS=).  Every 100 ms it also collects ptp4l's answers and rewrites
 * the ring's clock page (clock_status.h), logging each change of verdict.
 *
 * Every second, after the statistics, it also rewrites the metrics file
 * (metrics.h) if one is configured, and fills each interface's NIC drops
 * since the start into the statistics of its first captured queue (the
 * kernel has no portable per-queue figure), and likewise the frames the
 * XDP program selected on any queue without a capd socket (xdp_no_socket:
 * queues not captured have no statistics of their own).
 *
 * Every CONSUMERS_POLL_MS it looks for local consumers (consumers.h).
 */
#ifndef CAPD_HOUSEKEEPING_H
#define CAPD_HOUSEKEEPING_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock_status.h"
#include "consumers.h"

struct capture;
struct xdp_prog;

/* One interface's NIC drops (netdev_nic_rx_drops()) since capd started. */
struct housekeeping_nic {
	uint64_t last;	/* the kernel's figure at the last reading */
	uint64_t total; /* drops since the first reading */
	bool known;	/* last holds a reading */
};

struct housekeeping {
	struct ring_hdr *hdr;
	struct capture *cap;
	struct xdp_prog **progs; /* per ring interface index */
	unsigned int nprogs;
	struct clock_status clock;   /* opened by the caller before the start */
	const char *ring_path;	     /* the metrics' ring label */
	char metrics_path[PATH_MAX]; /* "" = no metrics file */
	uint16_t last_rule;	     /* for logging changes */
	int last_send_err;
	int metrics_err; /* last metrics_save() result, for logging changes */
	struct housekeeping_nic nic[RING_MAX_IFACES];
	struct consumers cons; /* filled by consumers_check_start() */
	bool stop;
	pthread_t thread;
};

/* @return 0 or the -errno of pthread_create. */
int housekeeping_start(struct housekeeping *hk);

/* Stop the thread and wait for it. */
void housekeeping_stop(struct housekeeping *hk);

/* One statistics pass (also used once more at shutdown). */
void housekeeping_update_stats(struct housekeeping *hk);

/*
 * Rewrite the metrics file now, if there is one, with capd_running =
 * running: false for the last write, at a clean stop, once the thread is
 * stopped and the last statistics are in.  A failure is logged when its
 * errno differs from the last write's, the recovery once.
 */
void housekeeping_write_metrics(struct housekeeping *hk, bool running);

#endif
