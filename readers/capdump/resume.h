/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resume.h - capdump --resume STATEFILE: where a recorder stopped, so a
 * restarted one continues exactly after the last record that reached the
 * disk, without loss or repetition, after a kill, a power loss or a restart
 * of capd.
 *
 * The state describes a safe point of the output (dumpfile.h): the
 * temporary file being written, its length and its packets at a flush whose
 * data were on disk (synced) before the state was written, and for each
 * ring, named by its path and identified by the time it was formatted, the
 * sequence number of the next record after those the safe point holds.
 * Every record before it is in a file, or was lost and counted.  A restart
 * finishes that file at that length (resume_finish_part()) and seeks every
 * ring of the same identity to its sequence number; a ring that is not the
 * one the state was saved from (capd replaced it) starts at its oldest
 * record, since nothing in it was recorded.  Records overwritten in the
 * ring meanwhile are counted as lost.
 *
 * resume_track maps the caller's output marks (zout_mark(): packets
 * written) to ring positions, so that a state names exactly the records
 * its safe point holds.
 *
 * The file is a few text lines, replaced atomically (write, fsync, rename).
 * It is read as hostile input: a malformed state is refused, and the part
 * it names is only ever the temporary name of its final name, never
 * followed through a link.
 */
#ifndef CAPD_RESUME_H
#define CAPD_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESUME_MAX_RINGS   32 /* RINGSRC_MAX */
#define RESUME_SEQ_UNKNOWN UINT64_MAX
#define RESUME_PATH_MAX	   4096

struct resume_state {
	char part[RESUME_PATH_MAX];  /* temporary file in progress, "" if none */
	char final[RESUME_PATH_MAX]; /* its final name */
	uint64_t offset;	     /* its length at the safe point (0: nothing safe in it) */
	uint64_t packets;	     /* its packets within offset (UINT64_MAX: not known) */
	int compressed;		     /* it is one zstd frame */
	int pcap;		     /* nanosecond pcap, not pcapng */
	uint64_t lost;		     /* packets lost before the next one written, to tell in
				      * its epb_dropcount */
	unsigned int nrings;
	struct {
		char path[RESUME_PATH_MAX];
		uint64_t id; /* ring_hdr.format_ns; 0: not known (a version 1 state) */
		uint64_t next_seq;
	} rings[RESUME_MAX_RINGS];
};

/* @return 0; -ENOENT if there is no state file yet; -EBADMSG if it is not
 *         one of ours or is malformed; or the -errno of reading it. */
int resume_load(const char *path, struct resume_state *s);

/*
 * Write s to path (fsync'd before the rename).  durable: fsync the
 * directory too, so that not even a power loss brings the previous state
 * back (needed when a file appears or is renamed, see capdump.c).
 * @return 0 or -errno.
 */
int resume_save(const char *path, const struct resume_state *s, bool durable);

/* What resume_finish_part() did. */
struct resume_finished {
	char name[RESUME_PATH_MAX]; /* the complete file's name; "" if none */
	bool removed;		    /* nothing in the part was safe: removed */
	uint64_t missing;	    /* bytes the part was short of the saved offset */
	uint64_t kept;		    /* packets in the file (the state's count if not short) */
	uint64_t lost;		    /* packets the state counted that a short part lost */
};

/*
 * Finish the file a stopped recorder left: cut s->part to s->offset, end
 * its zstd frame, fsync it and rename it to s->final (or, if that exists,
 * to a free "NAME-N.EXT"), fsync'ing the directory.  Nothing to do if
 * s->part is empty or gone (it was renamed already); a part with nothing
 * safe in it (offset 0) is removed.
 *
 * A part shorter than s->offset (a power loss took data the disk had not
 * written) is cut at the end of its last complete pcapng block (pcap
 * record), within its last complete zstd block, and finished the same way;
 * f tells how many bytes were missing and how many packets of s->packets
 * were lost with them.  If not even its section header is whole, it is
 * removed.
 *
 * @return 0 (f filled); -EINVAL if s->part is not the temporary name of
 *         s->final; -ELOOP if it is a symbolic link; -ENXIO if it is not a
 *         regular file; or the -errno of a file operation.
 */
int resume_finish_part(const struct resume_state *s, struct resume_finished *f);

/* One ring position, taken at an output mark. */
struct resume_track_ent {
	uint64_t mark;
	uint64_t id;
	uint64_t next_seq;
	unsigned int ring;
};

/*
 * Ring positions by output mark: for every ring, the identity and the
 * sequence number after the last record that the marks up to `done` cover.
 */
struct resume_track {
	uint64_t id[RESUME_MAX_RINGS];
	uint64_t next_seq[RESUME_MAX_RINGS]; /* RESUME_SEQ_UNKNOWN: none yet */
	uint64_t done;
	struct resume_track_ent *ent; /* pending: marks after done, a circular FIFO */
	size_t cap, head, n;
};

/* Every ring unknown, done 0, nothing pending. */
void resume_track_init(struct resume_track *t);

/*
 * Ring `ring` (identity id) is at next_seq once the output holds mark: a
 * record written as packet `mark`, or one consumed without being written
 * (filtered out) while `mark` packets were written.  Marks never decrease.
 * A mark up to done applies at once; at most one entry is kept per ring
 * and mark.
 * @return 0, or -ENOMEM (nothing changed).
 */
int resume_track_add(struct resume_track *t, uint64_t mark, unsigned int ring, uint64_t id,
		     uint64_t next_seq);

/* The output holds everything up to mark now (a safe point's packets):
 * apply what it covers.  A mark below done changes nothing. */
void resume_track_done(struct resume_track *t, uint64_t mark);

void resume_track_free(struct resume_track *t);

#endif
