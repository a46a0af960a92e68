/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reader_status.h - the small text file a reader keeps while it is
 * attached to rings, so that `capctl status` can list readers with their
 * lag and losses.  It lives at RUN_DIR/readers/PID.status, RUN_DIR being
 * the ring header's run_dir, and is replaced whole (file_replace) about
 * twice a second.  capd never reads it: capture does not depend on readers.
 * When another user's file holds that name (the directory is shared by the
 * ring's group), the reader uses PID.TAG.status instead, TAG being
 * READER_STATUS_TAG_LEN random lowercase hex digits.
 *
 *	capd-reader 1
 *	pid 4242
 *	program capdump
 *	command capdump -i default -w /srv/cap/a.pcapng.zst
 *	started 1763719200123456789
 *	updated 1763719260523456789
 *	ring generation=3 next_seq=1000 position=2162688 records=1000 lost=0 laps=0
 *last_ts=1763719297523456789 ring_seq=1002 ring_pos=2162944 ring_ts=1763719297533456789
 *path=/dev/hugepages/capd/default
 *
 *archive files=12 bytes=1073741824 oldest=1763712000000000000 newest=1763719200000000000
 *removed=3 removed_bytes=268435456 budget=1099511627776 min_free=0 free=53687091200
 *checked=1763719201123456789 dir=/var/lib/capdump/default
 *
 * One "ring" line per ring read; each member of a ring set read
 * (ring_set.h) is a ring of its own, with its file's path.  A recorder that keeps an archive
 * (capdump --archive-size, --min-free) adds one "archive" line: its
 * complete files and their bytes (with their indexes), the times of the
 * oldest and newest (their names' times, UTC ns), the files removed since
 * it started and their bytes, its budget and minimum of free space in
 * bytes (0 = none), the free space, and when it last looked (CLOCK_REALTIME
 * ns); dir= comes last and runs to the end of the line.  Times are CLOCK_REALTIME ns, except
 * last_ts and ring_ts (stamps, on the ring's timescale; last_ts is
 * the last record delivered, 0 = none yet).  next_seq is the sequence number of the next
 * record the reader will deliver ("-" = not known yet), position its byte
 * position in the ring's data space; records, lost and laps are the
 * ring_reader counters.  ring_seq, ring_pos and ring_ts are where the ring
 * itself stood when the file was written (its next_seq, its tail, the stamp
 * of its newest record): the reader's lag at that moment is exact, however
 * old the file is when it is read (absent from older readers' files).
 * path= comes last and runs to the end of the line.
 * Unknown keys and fields are ignored, so both sides may grow.
 *
 * Whoever may write the directory may write anything there: a reader of
 * these files trusts none of it (capctl: the name's pid must be alive, its
 * owner the file's owner, the content's pid the name's).
 */
#ifndef CAPD_READER_STATUS_H
#define CAPD_READER_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define READER_STATUS_MAGIC	  "capd-reader 1"
#define READER_STATUS_SUFFIX	  ".status"
#define READER_STATUS_MAX_RINGS	  32 /* RINGSRC_MAX: a ring set's members are rings */
#define READER_STATUS_SEQ_UNKNOWN UINT64_MAX
#define READER_STATUS_TAG_LEN	  16
/* No file is larger: what reader_status_format() can write fits (pinned
 * in reader_status.c). */
#define READER_STATUS_MAX_SIZE 32768

struct reader_status_ring {
	char path[512];
	uint32_t generation;
	uint64_t next_seq; /* READER_STATUS_SEQ_UNKNOWN if not known */
	uint64_t position;
	uint64_t records;
	uint64_t lost;
	uint64_t laps;
	uint64_t last_ts;
	uint64_t ring_seq; /* the ring at updated; READER_STATUS_SEQ_UNKNOWN if not given */
	uint64_t ring_pos;
	uint64_t ring_ts;
};

struct reader_status_archive {
	bool present; /* the line was there */
	char dir[512];
	uint64_t files, bytes;
	uint64_t oldest_ns, newest_ns;
	uint64_t removed, removed_bytes;
	uint64_t budget, min_free, free;
	uint64_t checked_ns;
};

struct reader_status {
	int32_t pid;
	char program[32];
	char command[512];
	uint64_t started_ns;
	uint64_t updated_ns;
	unsigned int nrings;
	struct reader_status_ring rings[READER_STATUS_MAX_RINGS];
	struct reader_status_archive archive;
};

/* Write st in the format above, at most READER_STATUS_MAX_SIZE bytes.
 * Control characters (below 0x20, DEL) in the strings are written as '?',
 * so every field stays on its line. */
void reader_status_format(FILE *f, const struct reader_status *st);

/*
 * Parse len bytes of text (need not be NUL terminated).
 * @return 0; -EFBIG if len > READER_STATUS_MAX_SIZE; -EPROTO if it is not
 *         a reader status (no magic line); -EINVAL if a known field is
 *         malformed, holds a control character (below 0x20, DEL: never
 *         written), pid or updated is missing, or a ring line has no path;
 *         -E2BIG with more than READER_STATUS_MAX_RINGS rings.
 */
int reader_status_parse(const char *text, size_t len, struct reader_status *st);

/*
 * The pid a status file's name gives: "PID.status" or "PID.TAG.status",
 * PID decimal without a leading zero, 1 to INT32_MAX.
 * @return 0 with *pid set; -EINVAL for any other name.
 */
int reader_status_name_pid(const char *name, int32_t *pid);

/*
 * Print s, a string from a status file, for a terminal: printable ASCII,
 * and well-formed UTF-8 of any character but a C1 control, as they are;
 * the backslash as \\; every other byte (C0 and C1 control characters,
 * DEL, bytes outside well-formed UTF-8) as \xNN.  Nothing s holds can
 * move the cursor, set the title or pass for an escape it is not.
 */
void reader_status_put_text(FILE *f, const char *s);

#endif
