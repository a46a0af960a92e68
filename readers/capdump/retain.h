/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * retain.h - retention of capdump's archive (--archive-size, --min-free):
 * the oldest complete files, with their indexes, are removed while the
 * archive is over its byte budget or its filesystem has less free space
 * than asked for.
 *
 * The archive is every regular file in the directory of -w whose name the
 * -w pattern could have produced, this run's and earlier runs' (dumpfile.h
 * names them):
 *  - a pattern with strftime(3) conversions: NAME.EXT or NAME_NNNNN.EXT,
 *    NAME being what the pattern makes of some time (read back with
 *    strptime(3) and checked by making the name again, so a conversion
 *    that does not read back exactly matches nothing, and nothing is
 *    removed by mistake);
 *  - any other pattern NAME.EXT: NAME_N_YYYYmmddHHMMSS.EXT, N of five digits
 *    or more.
 * Its size counts each file and its index (FILE.idx, capindex.h), st_size.
 * The file being written is never part of it: it has its temporary name
 * (".NAME.part", zout.h) until it is complete.  The newest complete file
 * is never removed either: the last file written stays there to read (the
 * file a full disk left, one larger than the budget).  Nothing else in the
 * directory is touched, but for stale index temporaries.
 *
 * Oldest first: numbered names by their number (the numbers continue
 * across runs); strftime names by the time in the name when the pattern
 * holds a whole date (a year and a day, or %s), then by their _NNNNN; a
 * pattern without a date (names that repeat, "%H%M") by modification time.
 * Ties go by name.
 *
 * Stale index temporaries: capindex_store() writes ".NAME.idx.XXXXXX" and
 * renames it at once; one left behind is a writer's that crashed.  A pass
 * removes those of archive names older than RETAIN_STALE_NS by their
 * modification time, which no live writer's is: a store takes
 * milliseconds, and no writer keeps one open in between.
 *
 * Not thread-safe; one struct retain per recorder.  Nothing here logs:
 * each removal is told to a callback.
 */
#ifndef CAPD_RETAIN_H
#define CAPD_RETAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETAIN_STALE_NS		(60ull * 1000000000u) /* an index temporary this old is stale */
#define RETAIN_MIN_FREE_PCT_MAX 99		      /* --min-free N%: 1 to 99 */

struct retain_opts {
	const char *pattern;	   /* -w */
	uint64_t max_bytes;	   /* --archive-size; 0 = no budget */
	uint64_t min_free;	   /* --min-free in bytes; 0 = none */
	unsigned int min_free_pct; /* --min-free N% of the filesystem's size; 0 = none */
};

/* Where a name stands among the archive's, for the order above. */
struct retain_key {
	uint64_t primary, secondary;
	bool has_time; /* time_s is the time the name says */
	int64_t time_s;
};

/* A file of the archive, as a pass saw it. */
struct retain_file {
	char *name; /* in the directory */
	struct retain_key key;
	uint64_t time_ns; /* the name's time, else the modification time */
	uint64_t bytes;	  /* the file and its index, st_size */
	uint64_t disk;	  /* what removing both frees, st_blocks */
	bool removed;	  /* by this pass */
};

/* The archive after the last pass, for status and metrics. */
struct retain_stats {
	bool scanned; /* a pass has run */
	unsigned int files;
	uint64_t bytes;
	uint64_t oldest_ns, newest_ns;	 /* time_ns of the oldest and newest files; 0: none */
	uint64_t free_bytes;		 /* free on the filesystem for capdump (f_bavail) */
	uint64_t min_free_bytes;	 /* --min-free as bytes now (0: none) */
	uint64_t removed, removed_bytes; /* files removed since start, their bytes */
	uint64_t stale_removed;		 /* index temporaries removed */
	bool short_of_free;		 /* free < min even with nothing left to remove */
};

enum retain_event {
	RETAIN_REMOVED,	      /* a file and its index were removed */
	RETAIN_REMOVE_FAILED, /* unlink failed: err */
	RETAIN_STALE,	      /* a stale index temporary was removed */
	RETAIN_SHORT,	      /* free space below the minimum, nothing left to remove */
};

/* Told of each removal; path is the file's path, valid for the call. */
typedef void (*retain_fn)(void *ctx, enum retain_event ev, const char *path,
			  const struct retain_file *f, int err);

struct retain;

/*
 * Parse --min-free's argument: a size (units_parse_size()) or N% (1 to
 * RETAIN_MIN_FREE_PCT_MAX) of the filesystem's size; 0 or 0%: none.
 * @return 0 with one of *bytes, *pct set (the other 0); -EINVAL.
 */
int retain_parse_free(const char *s, uint64_t *bytes, unsigned int *pct);

/*
 * Whether name (no directory) is one the -w pattern's last component
 * pat could have produced, and where it stands (*k).  dated: whether pat
 * holds a whole date (retain_pattern_dated()).
 */
bool retain_match(const char *pat, bool dated, const char *name, struct retain_key *k);

/* Whether the names of strftime pattern pat say a whole date. */
bool retain_pattern_dated(const char *pat);

/* Sort files oldest first (the order above). */
void retain_sort(struct retain_file *f, size_t n);

/*
 * How many of the n files, sorted oldest first, to remove so that total
 * (the archive's bytes) is at most max_bytes (0: no budget) and free space
 * (avail) at least min_free (0: none), counting what each removal frees.
 */
size_t retain_choose(const struct retain_file *f, size_t n, uint64_t total, uint64_t max_bytes,
		     uint64_t avail, uint64_t min_free);

/*
 * Check the options against the pattern: it needs a directory without
 * conversions, and names that read back (retain_match() finds the names
 * it makes).  Nothing is read yet.
 * @return 0; -EINVAL with a message in err; -ENOMEM.
 */
int retain_new(const struct retain_opts *o, struct retain **r, char *err, size_t errlen);

/*
 * One pass: read the directory, remove what must go (fn told of each),
 * remove stale index temporaries, update the stats.  now_ns: CLOCK_REALTIME.
 * @return 0; or -errno if the directory could not be read (nothing removed).
 */
int retain_run(struct retain *r, uint64_t now_ns, retain_fn fn, void *ctx);

/* Whether free space is below the minimum now (statvfs only, no scan). */
bool retain_short(struct retain *r);

const struct retain_stats *retain_stats(const struct retain *r);
const char *retain_dir(const struct retain *r); /* the archive's directory */

void retain_free(struct retain *r);

#endif
