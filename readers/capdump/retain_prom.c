// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>

#include "retain_prom.h"
#include "file_replace.h"
#include "prom_label.h"

static void metric(FILE *f, const struct retain_prom *p, const char *name, const char *type,
		   const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s{dir=\"", name, help, name, type, name);
	prom_label(f, p->dir);
	fprintf(f, "\"} %.17g\n", v);
}

void retain_prom_format(FILE *f, const struct retain_prom *p)
{
	const struct retain_stats *st = p->st;

	metric(f, p, "capdump_archive_files", "gauge", "Complete capture files in the archive.",
	       (double)st->files);
	metric(f, p, "capdump_archive_bytes", "gauge",
	       "Bytes of the archive's files and their indexes.", (double)st->bytes);
	metric(f, p, "capdump_archive_budget_bytes", "gauge",
	       "The archive's budget (--archive-size); 0 = none.", (double)p->budget);
	metric(f, p, "capdump_archive_oldest_time_seconds", "gauge",
	       "Time of the oldest file (its name's), seconds since 1970; 0 = no file.",
	       st->oldest_ns / 1e9);
	metric(f, p, "capdump_archive_newest_time_seconds", "gauge",
	       "Time of the newest complete file (its name's), seconds since 1970; 0 = no file.",
	       st->newest_ns / 1e9);
	metric(f, p, "capdump_archive_removed_files_total", "counter",
	       "Files removed by retention since capdump started.", (double)st->removed);
	metric(f, p, "capdump_archive_removed_bytes_total", "counter",
	       "Bytes removed by retention since capdump started.", (double)st->removed_bytes);
	metric(f, p, "capdump_archive_free_bytes", "gauge",
	       "Free space on the archive's filesystem for capdump.", (double)st->free_bytes);
	metric(f, p, "capdump_archive_min_free_bytes", "gauge",
	       "Free space retention keeps (--min-free); 0 = none.", (double)st->min_free_bytes);
	metric(f, p, "capdump_archive_checked_time_seconds", "gauge",
	       "When retention last looked at the archive, seconds since 1970.", p->now_ns / 1e9);
}

static void fill(FILE *f, const void *ctx)
{
	retain_prom_format(f, ctx);
}

int retain_prom_save(const char *path, const struct retain_prom *p)
{
	return file_replace(path, 0644, false, fill, p);
}
