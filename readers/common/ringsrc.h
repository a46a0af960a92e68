/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ringsrc.h - records from one or more rings, merged in timestamp order,
 * with UTC timestamps: what every reader program consumes.
 *
 * Each ring is mapped read-only and read through lib/ring_reader.h; each
 * record is copied out and validated before it is handed over, so a
 * record returned here is never torn.  With several rings the output is
 * in timestamp order as far as records arrive within MERGE_WAIT of each
 * other; a ring that stays silent longer does not hold the others back.
 */
#ifndef CAPD_RINGSRC_H
#define CAPD_RINGSRC_H

#include <stdint.h>

#include "ring_reader.h"

#define RINGSRC_MAX 16

struct ringsrc_rec {
	uint64_t ts_utc;     /* ns since 1970-01-01 UTC */
	uint64_t ts;	     /* as stamped, on the timescale of ts_source */
	uint64_t seq;	     /* in its ring */
	uint64_t lost;	     /* records of the same ring lost right before it */
	const uint8_t *data; /* caplen bytes, valid until the next ringsrc_next() */
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t events; /* RING_EV_* of its ring since its previous record */
	uint16_t ring;	 /* index of the ring it came from */
	uint16_t iface;	 /* index into that ring's interface table */
	uint16_t queue;
	uint16_t feed; /* index into that ring's feed table, or RING_FEED_NONE */
	uint8_t ts_source;
	uint8_t flags; /* RING_REC_F_* */
};

struct ringsrc;

/*
 * Open the rings (names or paths, see ring_file_resolve()), positioned at
 * the newest record.
 * @return 0, or -errno with a line for the operator in err.
 */
int ringsrc_open(struct ringsrc **s, char *const *names, unsigned int n, char *err, size_t errlen);

void ringsrc_close(struct ringsrc *s);

/* Position every ring (RING_SEEK_TIME: arg is a UTC time in ns). */
int ringsrc_seek(struct ringsrc *s, enum ring_seek where, uint64_t arg);

/* Position ring i at sequence number seq (resuming a recording). */
int ringsrc_seek_seq(struct ringsrc *s, unsigned int i, uint64_t seq);

/*
 * The next record, waiting at most timeout_ms for one (0: do not wait).
 * @return 1 with *r filled; 0 if none came in time; -EPIPE when every
 *         writer has stopped and everything is read; -EPROTO if a ring
 *         was reformatted under us.
 */
int ringsrc_next(struct ringsrc *s, struct ringsrc_rec *r, int timeout_ms);

unsigned int ringsrc_count(const struct ringsrc *s);
const char *ringsrc_path(const struct ringsrc *s, unsigned int i);
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

/* Current clock page of ring i (consistent copy). */
void ringsrc_clock(const struct ringsrc *s, unsigned int i, struct ring_clock *out);

#endif
