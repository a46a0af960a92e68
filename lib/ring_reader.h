/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_reader.h - one consumer of a ring mapped read-only.
 *
 * A reader never writes to the ring and the writer never waits for it.  A
 * reader that falls a whole ring behind is lapped: it notices, moves to the
 * oldest intact block and counts the records it missed exactly, from the
 * sequence numbers.  Every record is validated after it was read (see the
 * ordering rules in ring.h), so no torn record is ever delivered.
 *
 *	r = ring_reader_peek(rd, &v);         -EAGAIN: nothing new yet
 *	if (r == 0) {
 *		memcpy(buf, v.data, v.rec.caplen);   (or inspect in place)
 *		if (ring_reader_release(rd) == 0)
 *			use(&v, buf);                 the copy is intact
 *	}
 *
 * Counters only grow; records + lost == records the writer produced from
 * the first delivered record to the last one read.
 *
 * The reader copies the ring's geometry (block size, block count, data
 * offset, file size) when it attaches and computes every address from its
 * copy: whatever another process writes into the shared header (zeroes, a
 * new geometry), the reader never divides by it nor reads outside the
 * mapping.  A header that no longer matches the copy is an error
 * (-EPROTO), never a crash.
 */
#ifndef CAPD_RING_READER_H
#define CAPD_RING_READER_H

#include <stdint.h>

#include "ring.h"

#define RING_SEQ_UNKNOWN UINT64_MAX

/* ring_view.events: what happened since the previous record. */
enum ring_reader_event {
	RING_EV_GENERATION = 1 << 0, /* the writer restarted (new generation) */
	RING_EV_LAPPED = 1 << 1,     /* this reader was lapped and resynchronised */
	RING_EV_RESET = 1 << 2,	     /* the ring was reformatted; restarted at oldest */
	RING_EV_REPLACED = 1 << 3,   /* another file replaced the ring: reading it
				      * from its oldest record (ring_reader_reattach) */
};

enum ring_seek {
	RING_SEEK_NEWEST, /* the next record written from now on */
	RING_SEEK_OLDEST, /* the oldest intact record */
	RING_SEEK_TIME,	  /* the first record with ts_ns >= the given time */
	RING_SEEK_SEQ,	  /* the record with the given sequence number, or the
			   * oldest after it if it is gone (counted as lost) */
};

struct ring_view {
	struct ring_rec rec; /* private copy of the record header */
	const uint8_t *data; /* rec.caplen bytes inside the mapping */
	uint64_t lost;	     /* records lost right before this one */
	uint32_t events;     /* enum ring_reader_event */
};

struct ring_reader {
	const struct ring_hdr *hdr;
	const uint8_t *base; /* the mapping; NULL once detached */
	/* the geometry, copied at attach: never read from the header again */
	uint64_t capacity;
	uint64_t data_off;
	uint64_t file_size;
	uint64_t format_seq;
	uint32_t block_size;
	uint32_t nblocks;
	uint32_t max_caplen;
	uint32_t broken;      /* the header stopped matching the copy: -EPROTO */
	uint32_t generation;  /* generation last seen */
	uint64_t pos;	      /* absolute position of the next record */
	uint64_t blk_end;     /* absolute end of the block holding pos */
	const uint8_t *blk;   /* mapping address of that block */
	uint64_t expect;      /* seq of the next record, or RING_SEQ_UNKNOWN */
	uint64_t peek_size;   /* bytes of the peeked record, 0 if none */
	uint64_t peek_seq;    /* its sequence number */
	uint32_t events;      /* events not yet reported */
	uint32_t blk_checked; /* block header at blk was validated */
	/* counters */
	uint64_t records;  /* records delivered intact */
	uint64_t lost;	   /* records skipped: lapped, or never published */
	uint64_t laps;	   /* times this reader was lapped */
	uint64_t rejected; /* intact but malformed records or blocks skipped */
};

/*
 * Attach to a ring of len bytes mapped at mem (PROT_READ is enough) and
 * position at the newest record.  The header's line 0 (the geometry) is
 * copied, then checked, and only the copy is used from then on.
 * @return 0, or the -errno of ring_layout_check().
 */
int ring_reader_open(struct ring_reader *r, const void *mem, uint64_t len);

/*
 * Go on in a new ring file that replaced the one r read (its writer gone,
 * every record of it read): attach to mem at its oldest record, keep the
 * counters, and report RING_EV_REPLACED with the next record.  Nothing of
 * the new file has been read yet, so every record it ever held counts:
 * those it no longer holds (from its hdr.format_seq on) are lost, and a
 * file that carries the old one's sequence on (ring_layout_format_after())
 * keeps records + lost == records written across the two.
 * @return 0, or the -errno of ring_reader_open(); r is unchanged then.
 */
int ring_reader_reattach(struct ring_reader *r, const void *mem, uint64_t len);

/*
 * The mapping r reads is going away: from now on r->hdr is hdr_copy (a
 * copy of the header the caller keeps), the counters and
 * ring_reader_backlog() stay valid, and peek, release and seek return
 * -ENODEV until ring_reader_reattach().
 */
void ring_reader_detach(struct ring_reader *r, const struct ring_hdr *hdr_copy);

/*
 * Move to the newest or oldest record, to the first record at or after the
 * time arg (blocks are searched by their first timestamp, so records of one
 * block out of timestamp order are found approximately), or to the record
 * with sequence number arg (exact).  Counters are kept; records skipped by
 * a seek are not counted as lost and the next record delivered starts the
 * sequence accounting afresh, except for RING_SEEK_SEQ: there, records from
 * arg up to the first one delivered (overwritten already) count as lost --
 * what a recorder resuming after record arg - 1 needs.
 * @return 0, -EAGAIN if the ring kept changing under the search, or
 *         -ENODEV if r is detached.
 */
int ring_reader_seek(struct ring_reader *r, enum ring_seek where, uint64_t arg);

/*
 * Look at the next record without consuming it.  v->data points into the
 * mapping and may be overwritten at any time: copy or use it, then call
 * ring_reader_release() to learn whether what was read is valid.
 * @return 0; -EAGAIN if there is no new record now; -EPIPE if the writer
 *         stopped cleanly and every record has been read; -EPROTO, on this
 *         and every later call, once the header no longer shows the
 *         geometry copied at attach (reformatted with another geometry,
 *         zeroed, damaged: reopen it); -ENODEV if r is detached.
 */
int ring_reader_peek(struct ring_reader *r, struct ring_view *v);

/*
 * Consume the record returned by the last ring_reader_peek().
 * @return 0 if it was intact while read; -ESTALE if the writer overwrote
 *         it (the reader was lapped and has resynchronised: discard the
 *         data and peek again).
 */
int ring_reader_release(struct ring_reader *r);

/*
 * Records the writer has published that this reader has not consumed yet
 * (an estimate while the writer runs).
 */
uint64_t ring_reader_backlog(const struct ring_reader *r);

#endif
