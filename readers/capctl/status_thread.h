/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status_thread.h - what `capctl status` says about one capture thread,
 * from the statistics of the ring it writes (one ring per thread, a ring
 * set: lib/ring_set.h): the queues it owns and its share of busy time.
 * Pure: the statistics are hostile input (capd may be another version, or
 * the file another writer's), so every count is bounded here.
 */
#ifndef CAPD_STATUS_THREAD_H
#define CAPD_STATUS_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "ring_format.h"

/* Packets and bytes of all the queues in st. */
struct status_thread_sum {
	uint64_t packets;
	uint64_t bytes;
};

struct status_thread_sum status_thread_sum(const struct ring_stats *st);

/*
 * The queues in st as "IFACE:Q,Q IFACE:Q" (interfaces in the order their
 * first queue appears; "" for none; a queue of an interface index beyond
 * the table is "?:Q"); cut short with "..." when len is too small.
 * @return buf.
 */
char *status_thread_queues(const struct ring_stats *st, char *buf, size_t len);

/*
 * The share of the time from the writer's start to now that the thread
 * spent moving packets, 0..1 (0 when unknown: no start, or a clock that
 * went back); a busy time beyond the elapsed time (clock steps) is 1.
 */
double status_thread_busy_share(uint64_t busy_ns, uint64_t start_ns, uint64_t now_ns);

#endif
