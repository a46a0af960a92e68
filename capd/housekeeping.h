/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * housekeeping.h - capd's slow thread: everything the capture threads
 * must not do, for every ring of the set (one per capture thread).  Every
 * 100 ms it refreshes each ring's heartbeat; every second it copies the
 * sockets' XDP_STATISTICS and the XDP program's counters into the
 * statistics of the ring whose thread owns the queue, and tells systemd
 * that capture is alive (WATCHDOG=1 only while every capture loop makes
 * progress) and how it goes (STATUS=, summed over the threads).  Every
 * 100 ms it also collects ptp4l's answers and rewrites the clock page,
 * the same in every ring (clock_status.h), logging each change of verdict.
 *
 * Every second, after the statistics, it also rewrites the metrics file
 * (metrics.h) if one is configured, and fills each interface's NIC drops
 * since the start into the statistics of its first captured queue (the
 * kernel has no portable per-queue figure; in whichever ring holds that
 * queue), and likewise the frames the
 * XDP program selected on any queue without a capd socket (xdp_no_socket:
 * queues not captured have no statistics of their own).
 *
 * Every CONSUMERS_POLL_MS it looks for local consumers (consumers.h) and
 * publishes their count in every ring.
 */
#ifndef CAPD_HOUSEKEEPING_H
#define CAPD_HOUSEKEEPING_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock_status.h"
#include "consumers.h"
#include "ring_set.h"

struct capture;
struct xdp_prog;

/* One interface's NIC drops (netdev_nic_rx_drops()) since capd started. */
struct housekeeping_nic {
	uint64_t last;	/* the kernel's figure at the last reading */
	uint64_t total; /* drops since the first reading */
	bool known;	/* last holds a reading */
};

struct housekeeping {
	/* capture thread k and its ring (caps[k]->writer->hdr), k < ncaps;
	 * ring 0 holds the interface table every ring copies */
	struct capture *caps[RING_SET_MAX];
	const char *ring_paths[RING_SET_MAX]; /* the metrics' ring labels */
	unsigned int ncaps;
	struct xdp_prog **progs; /* per ring interface index */
	unsigned int nprogs;
	struct clock_status clock;   /* opened by the caller before the start */
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
