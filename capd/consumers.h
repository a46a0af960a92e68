/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * consumers.h - capd's guard for local consumers (lib/consumer_scan.h):
 * sockets on this host that a bypass interface takes a feed away from.
 *
 * At start (and capd -n), consumers_check_start() refuses a bypass capd
 * beside any, with one line naming the first and the fixes, unless
 * capture.exclusive is true ("this box only captures"), when it warns
 * with one line instead.  While capd runs, the housekeeping thread calls
 * consumers_poll() every CONSUMERS_POLL_MS: each consumer that appeared
 * since the pass before is logged with one line and counted, and the
 * figures go to the ring's statistics (ring_stats.local_consumers,
 * consumers_appeared), whence capctl status and the metrics file read them.
 */
#ifndef CAPD_CONSUMERS_H
#define CAPD_CONSUMERS_H

#include <stddef.h>
#include <stdint.h>

#include "capd_conf.h"
#include "consumer_scan.h"
#include "ring_format.h"

#define CONSUMERS_MAX	  64   /* named and tracked at once; more are counted */
#define CONSUMERS_POLL_MS 2000 /* a new one is in the ring within this */

struct consumers {
	const struct capd_conf *conf; /* NULL: nothing to watch (no bypass interface) */
	const char *conf_path;
	uint32_t ifaces;		     /* bypass interfaces */
	struct consumer now[CONSUMERS_MAX];  /* the last pass's, owners known */
	struct consumer next[CONSUMERS_MAX]; /* the pass being made */
	size_t nnow;			     /* stored in now[] */
	uint64_t found;			     /* the last pass's count */
	uint64_t appeared;
	int scan_err; /* the last pass's error, for logging changes */
};

/*
 * The start's verdict, before capd joins anything; owners are looked up
 * now, while capd may still see every process.  Fills cs for
 * consumers_poll().
 * @return 0, or -EBUSY when a consumer refuses the start (logged).  A
 *         failed scan only warns: the check must not keep capd down.
 */
int consumers_check_start(struct consumers *cs, const struct capd_conf *c, const char *conf_path);

/*
 * One pass while running (capd's own memberships discounted): log the new
 * consumers, store the figures in st.  Nothing when cs->conf is NULL.
 */
void consumers_poll(struct consumers *cs, struct ring_stats *st);

#endif
