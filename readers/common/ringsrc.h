/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ringsrc.h - records from one or more rings, merged in timestamp order,
 * with UTC timestamps: what every reader program consumes.
 *
 * Each ring is mapped read-only and read through lib/ring_reader.h; each
 * record is copied out and validated before it is handed over, so a
 * record returned here is never torn.  With several rings the output is
 * in timestamp order: a ring with nothing to read holds the others back
 * as its writer's quiet mark says (docs/ring-format.md, Merging rings):
 * not at all once it is quiet past a record, up to 1 s while its writer
 * is late, at most 20 ms when it cannot tell.
 *
 * A ring follows its path.  When capd is restarted with another size or
 * block size, it replaces the file (ring_file_create()); a reader with
 * nothing left to read looks at its file about every 200 ms, and once the
 * file is unlinked or another one is at the path, and no writer is left in
 * it (stopped, or no heartbeat for a second), it lets the old file go (its
 * hugepages with it) and waits for a writer to take the new one over.  It
 * then reads the new file from its oldest record, with RING_EV_REPLACED
 * on the first record delivered from it; counters go on, and what the new
 * file no longer holds of its records counts as lost (ring_reader.h,
 * ring_reader_reattach()).  Meanwhile ringsrc_hdr(), _stats(), _feeds()
 * and _clock() show the old file's last state.  A path that holds no file
 * is waited for as long as it takes, like a writer that does not come
 * back; one that holds something other than a readable ring for 10 s
 * ends the reading (-errno).
 *
 * A name is a ring set (lib/ring_set.h): NAME opens the ring NAME and,
 * when its header says it is ring 0 of a set of N, the members NAME.1 ..
 * NAME.(N-1) after it, each checked to be of the same set (set_id) and
 * waited for up to 2 s if missing or not current yet.  A member is one
 * ring of the source like any other (its own positions, loss and lag); its
 * name in messages is its file's, NAME.k.  A ring given as NAME.k is read
 * alone.  When the set's writer is restarted with another number of rings,
 * ringsrc_next() ends the reading (-ESTALE, with a line); restarted with
 * the same number, each ring goes on as a single ring does.
 */
#ifndef CAPD_RINGSRC_H
#define CAPD_RINGSRC_H

#include <stdint.h>

#include "ring_reader.h"

/* Rings in all: a full set (RING_SET_MAX) and as many rings again. */
#define RINGSRC_MAX 32

struct ringsrc_rec {
	uint64_t ts_utc;     /* ns since 1970-01-01 UTC */
	uint64_t ts;	     /* as stamped, on the timescale of ts_source */
	uint64_t seq;	     /* in its ring */
	uint64_t lost;	     /* records of the same ring lost right before it */
	const uint8_t *data; /* caplen bytes, valid until the next ringsrc_next() */
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t events; /* RING_EV_* of its ring since its previous record:
			  * RING_EV_REPLACED on the first record of a new file,
			  * whose tables (ringsrc_stats(), _feeds()) may differ
			  * and whose counters start again from zero */
	uint16_t ring;	 /* index of the ring it came from */
	uint16_t iface;	 /* index into that ring's interface table */
	uint16_t queue;
	uint16_t feed; /* index into that ring's feed table, or RING_FEED_NONE */
	uint8_t ts_source;
	uint8_t flags; /* RING_REC_F_* */
};

struct ringsrc;

/*
 * Open the rings (names or paths, see ring_file_resolve()), each a set
 * with its members, positioned at the newest record.  The members of a set
 * follow its ring 0 in the source's numbering.
 * @return 0, or -errno with a line for the operator in err: -ENOENT (a
 *         ring given, or a member of a set, is not there), -ESTALE (a
 *         member left by an earlier start of capd), -EPROTO (a set larger
 *         than RING_SET_MAX), -E2BIG (more than RINGSRC_MAX rings).
 */
int ringsrc_open(struct ringsrc **s, char *const *names, unsigned int n, char *err, size_t errlen);

void ringsrc_close(struct ringsrc *s);

/* Position every ring (RING_SEEK_TIME: arg is a UTC time in ns). */
int ringsrc_seek(struct ringsrc *s, enum ring_seek where, uint64_t arg);

/* Position ring i alone, as ringsrc_seek() positions every ring. */
int ringsrc_seek_ring(struct ringsrc *s, unsigned int i, enum ring_seek where, uint64_t arg);

/* Position ring i at sequence number seq (resuming a recording). */
int ringsrc_seek_seq(struct ringsrc *s, unsigned int i, uint64_t seq);

/*
 * The next record, waiting at most timeout_ms for one (0: do not wait).
 * @return 1 with *r filled; 0 if none came in time; -EPIPE when every
 *         writer has stopped and everything is read; -ESTALE if a set's
 *         writer now writes another number of rings; -EPROTO if a ring's
 *         header stopped showing the geometry it was attached with
 *         (reformatted in place, damaged); or another -errno (a replaced
 *         ring's path holds no readable ring); on an error,
 *         ringsrc_error() has a line for the operator.
 */
int ringsrc_next(struct ringsrc *s, struct ringsrc_rec *r, int timeout_ms);

/* Why the last ringsrc_next() failed, naming the ring; "" if unknown. */
const char *ringsrc_error(const struct ringsrc *s);

unsigned int ringsrc_count(const struct ringsrc *s);
const char *ringsrc_path(const struct ringsrc *s, unsigned int i);
/* Ring i's name for messages: as given, NAME.k for member k of a set. */
const char *ringsrc_name(const struct ringsrc *s, unsigned int i);
/* The index of ring 0 of ring i's set, and the number of rings of that
 * set in this source (1 for a ring read alone): members are numbered
 * consecutively, and share ring 0's interface table, feeds and clock. */
unsigned int ringsrc_set_first(const struct ringsrc *s, unsigned int i);
unsigned int ringsrc_set_count(const struct ringsrc *s, unsigned int i);
const struct ring_hdr *ringsrc_hdr(const struct ringsrc *s, unsigned int i);
const struct ring_stats *ringsrc_stats(const struct ringsrc *s, unsigned int i);
const struct ring_feeds *ringsrc_feeds(const struct ringsrc *s, unsigned int i);
const struct ring_reader *ringsrc_reader(const struct ringsrc *s, unsigned int i);

/*
 * Where this source stands in ring i: the sequence number of the next
 * record it will deliver from it (RING_SEQ_UNKNOWN until known: positioned
 * at an older record, none read yet) and the stamp of the last record it
 * delivered from it (0 if none).
 */
void ringsrc_position(const struct ringsrc *s, unsigned int i, uint64_t *next_seq,
		      uint64_t *last_ts);

/*
 * Where ring i itself stands now: its next sequence number, its tail and
 * the stamp of its newest record (last_ts of ringsrc_position() when this
 * source has read up to there, 0 if unknown).  Costs a seek when behind.
 */
void ringsrc_ring_end(const struct ringsrc *s, unsigned int i, uint64_t *next_seq, uint64_t *tail,
		      uint64_t *newest_ts);

/* Current clock page of ring i (consistent copy). */
void ringsrc_clock(const struct ringsrc *s, unsigned int i, struct ring_clock *out);

#endif
