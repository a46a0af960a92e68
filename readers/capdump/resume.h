/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resume.h - capdump --resume STATEFILE: where a recorder stopped, so a
 * restarted one continues exactly after the last record that reached the
 * disk, without loss or repetition.
 *
 * The state is saved at every flush of the output (and when a file is
 * closed): for each ring the sequence number of the next record to read,
 * and the temporary file being written with its length at that flush.  A
 * restart truncates that file to that length (ending its zstd frame), gives
 * it its final name, and seeks every ring to its saved sequence number.
 * Records overwritten in the ring meanwhile are counted as lost.
 *
 * The file is a few text lines, replaced atomically (write, fsync, rename).
 */
#ifndef CAPD_RESUME_H
#define CAPD_RESUME_H

#include <stdint.h>

#define RESUME_MAX_RINGS 16

struct resume_state {
	char part[4096];  /* temporary file in progress, "" if none */
	char final[4096]; /* its final name */
	uint64_t offset;  /* its length at the last flush */
	int compressed;	  /* it is one zstd frame */
	unsigned int nrings;
	struct {
		char path[4096];
		uint64_t next_seq;
	} rings[RESUME_MAX_RINGS];
};

/* @return 0; -ENOENT if there is no state file yet; -EBADMSG if it is not
 *         one of ours; or the -errno of reading it. */
int resume_load(const char *path, struct resume_state *s);

/* @return 0 or -errno. */
int resume_save(const char *path, const struct resume_state *s);

/*
 * Finish the file a stopped recorder left: truncate s->part to s->offset,
 * end its zstd frame, rename it to s->final (or, if that exists, to a free
 * "NAME-N.EXT").  Nothing to do if s->part is empty or gone.
 * @return 0 with the name used in out (empty if nothing was done), or -errno.
 */
int resume_finish_part(const struct resume_state *s, char *out, size_t outlen);

#endif
