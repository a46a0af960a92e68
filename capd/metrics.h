/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h - capd's counters as a Prometheus textfile (text exposition
 * format 0.0.4) for node_exporter's textfile collector: capd serves no
 * HTTP, it rewrites one file that node_exporter reads at every scrape.
 * libc only, nothing here logs; docs/man/capd.8 (METRICS) lists every
 * metric, and tests/metrics_parse.py holds this file to that list.
 *
 * Every sample carries ring="PATH" (the ring file), so that several capd
 * instances, each with its own file, can share one collector directory.
 * With several capture threads every family has a sample for each ring of
 * the set, labelled with that ring's file (NAME, NAME.1, ...): the ring's
 * figures are its thread's, its queues those the thread owns.
 * Per-queue samples add interface="eth1",queue="0"; families are written
 * whole, each after its # HELP and # TYPE lines.
 */
#ifndef CAPD_METRICS_H
#define CAPD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ring_format.h"
#include "ring_set.h"

struct metrics_ring {
	const struct ring_hdr *hdr;	/* the ring's header page */
	const struct ring_stats *stats; /* live: counters are read with relaxed loads */
	const char *path;		/* the ring label */
};

struct metrics_src {
	struct metrics_ring rings[RING_SET_MAX]; /* the set, ring 0 first */
	unsigned int nrings;			 /* 1..RING_SET_MAX */
	const struct ring_clock *clock;		 /* a consistent copy (ring_clock_read()),
						  * the same in every ring */
	uint64_t now_ns;			 /* CLOCK_REALTIME: capd_last_update_time_seconds */
	bool running;				 /* false for the last write, at a clean stop */
};

/* Write every family for src to f; errors show in ferror(f). */
void metrics_write(FILE *f, const struct metrics_src *src);

/*
 * Replace the file at path with metrics_write()'s output (written as
 * path.tmp, then renamed), mode 0644 so that node_exporter's user reads it.
 * @return 0 or -errno (file_replace()).
 */
int metrics_save(const char *path, const struct metrics_src *src);

#endif
