/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * retain_prom.h - the archive capdump keeps (retain.h) as a Prometheus
 * textfile (text exposition format 0.0.4) for node_exporter's textfile
 * collector, replaced whole after every retention pass (file_replace.h).
 * Every sample carries dir="DIR", the archive's directory, so that the
 * files of several recorders can share one collector directory.
 * docs/man/capdump.1 (--prom) lists the metrics.
 */
#ifndef CAPD_RETAIN_PROM_H
#define CAPD_RETAIN_PROM_H

#include <stdint.h>
#include <stdio.h>

#include "retain.h"

struct retain_prom {
	const char *dir; /* the archive's directory */
	const struct retain_stats *st;
	uint64_t budget; /* --archive-size, 0 = none */
	uint64_t now_ns; /* CLOCK_REALTIME of the pass */
};

/* Write every family to f; errors show in ferror(f). */
void retain_prom_format(FILE *f, const struct retain_prom *p);

/* Replace path with retain_prom_format()'s output, mode 0644.
 * @return 0 or -errno (file_replace()). */
int retain_prom_save(const char *path, const struct retain_prom *p);

#endif
