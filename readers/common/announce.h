/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * announce.h - a reader program tells `capctl status` that it is attached:
 * it keeps a reader_status.h file under the run directory of each ring it
 * reads (RUN_DIR/readers/PID.status) while it runs, and removes it at exit.
 *
 *	announce_open(&a, src, "capdump", argc, argv, err, sizeof(err));
 *	while (...) { r = ringsrc_next(src, ...); announce_update(a, r == 0); }
 *	announce_close(a);
 *
 * Announcing is best effort: a reader reads the same without it.
 */
#ifndef CAPD_ANNOUNCE_H
#define CAPD_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "reader_status.h"
#include "ringsrc.h"

struct announce;

/*
 * Write the first status file for the rings of src.  Rings whose header
 * names no run directory (not written by capd), or whose directory has no
 * readers/ subdirectory (capd not set up there), are left out silently.
 * PID.status may be held by a file another member of the group put there
 * (the directory is sticky: nobody else can remove it); the reader then
 * announces as PID.TAG.status (reader_status.h) instead.
 * @return 0 with *a set (also when nothing is announced); -EEXIST if it
 *         announces under such a name, -errno if a file could not be
 *         written, both with a line for the operator in err (*a is still
 *         usable: announce_update() and announce_close() accept it).
 */
int announce_open(struct announce **a, const struct ringsrc *src, const char *program, int argc,
		  char **argv, char *err, size_t errlen);

/*
 * Rewrite the status files if they are older than half a second.  Cheap
 * enough to call after every record: the clock is read only every 16th
 * call, or when idle (nothing was read).
 */
void announce_update(struct announce *a, bool idle);

/* The archive a recorder keeps (reader_status.h), written at once and
 * with every later update; a may be NULL. */
void announce_archive(struct announce *a, const struct reader_status_archive *ar);

/* Remove the status files; a may be NULL. */
void announce_close(struct announce *a);

#endif
