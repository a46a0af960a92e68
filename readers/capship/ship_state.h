/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_state.h - what capship has shipped, kept in one local file: the
 * archive files whose rows ClickHouse acknowledged (by their identity:
 * path, mtime ns, size, as their index names them) and, per capstat
 * output file, the byte offset up to which its lines were shipped.
 *
 * The file is text, one entry a line, paths %-escaped (every byte that is
 * not printable ASCII, space and '%' as %XX), closed by a line with the
 * number of entries and an FNV-1a 64 checksum of all bytes before it:
 *
 *	capship-state 1
 *	F <mtime_ns> <size> <path>
 *	I <offset> <path>
 *	end <entries> <checksum, 16 hex digits>
 *
 * It is written whole (temporary file, fsync, rename, directory fsync), so
 * a crash leaves the old or the new one.  Reading treats it as hostile: a
 * file that is truncated, altered, longer than its bound or malformed in
 * any way is refused with a reason, never read past.  The shipper then
 * starts over: rows already shipped are sent again, which ClickHouse's
 * ReplacingMergeTree keys collapse.
 */
#ifndef CAPD_SHIP_STATE_H
#define CAPD_SHIP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHIP_STATE_MAGIC "capship-state 1\n"
#define SHIP_STATE_NAME	 "state" /* in the state directory */

struct ship_state;

/* An archive file shipped. */
struct ship_state_file {
	char *path;
	uint64_t mtime_ns, size;
	bool seen; /* scratch for the caller: listed in the current scan */
};

/* An empty state.  @return NULL without memory. */
struct ship_state *ship_state_new(void);
void ship_state_free(struct ship_state *st); /* NULL is ok */

/*
 * Check and take len bytes of a state file.  @return 0 and *st; -EBADMSG
 * with one line in why; -ENOMEM.
 */
int ship_state_parse(const void *buf, size_t len, struct ship_state **st, char *why, size_t whylen);

/*
 * Read the state file path, refusing one longer than max_bytes.
 * @return 0 and *st; -ENOENT (none yet); -EBADMSG or -EFBIG with one line
 *	   in why (the caller starts over); another -errno of reading it.
 */
int ship_state_load(const char *path, size_t max_bytes, struct ship_state **st, char *why,
		    size_t whylen);

/*
 * Write the state to path atomically (path.XXXXXX beside it, fsync,
 * rename, directory fsync).  @return 0; -EFBIG when it would be longer
 * than max_bytes (nothing written); -ENOMEM or the -errno of writing.
 */
int ship_state_save(const struct ship_state *st, const char *path, size_t max_bytes);

/* The files, sorted by path, then mtime, then size. */
size_t ship_state_nfiles(const struct ship_state *st);
struct ship_state_file *ship_state_file(struct ship_state *st, size_t i);

/* Whether this identity was shipped. */
struct ship_state_file *ship_state_find(struct ship_state *st, const char *path, uint64_t mtime_ns,
					uint64_t size);

/* Record an identity as shipped (no-op if it is).  @return 0 or -ENOMEM. */
int ship_state_add(struct ship_state *st, const char *path, uint64_t mtime_ns, uint64_t size);

/* Forget file i (it was removed and its removal shipped). */
void ship_state_del(struct ship_state *st, size_t i);

/* Capstat files with an offset. */
size_t ship_state_noffsets(const struct ship_state *st);

/* Offset up to which the lines of capstat file path were shipped (0). */
uint64_t ship_state_offset(const struct ship_state *st, const char *path);

/* Set it; offset 0 forgets the file.  @return 0 or -ENOMEM. */
int ship_state_set_offset(struct ship_state *st, const char *path, uint64_t offset);

/* Drop the offsets of files for which keep() returns false. */
void ship_state_prune_offsets(struct ship_state *st, bool (*keep)(const char *path, void *arg),
			      void *arg);

#endif
