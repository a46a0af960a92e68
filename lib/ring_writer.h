/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_writer.h - the single producer of a ring.
 *
 * After ring_writer_open() the writer makes no system call, allocates
 * nothing and never waits: reserve/commit/publish only store into the
 * mapping.  Exactly one thread of one process may use a writer; the ring
 * file must be locked against a second writer by the caller (ring_lock.h).
 *
 * Hot-loop use, once per received batch:
 *
 *	ring_writer_take(w, npackets);
 *	for each packet:
 *		rec = ring_writer_reserve(w, caplen);
 *		rec->ts_ns = ...; rec->caplen = caplen; rec->wirelen = ...;
 *		rec->iface/queue/feed/ts_source/flags = ...;
 *		memcpy(rec + 1, frame, caplen);
 *		ring_writer_commit(w, rec);
 *	ring_writer_publish(w);
 *
 * Records become visible to readers only at ring_writer_publish().  What
 * a writer took and had not published when it died is lost; the next
 * writer leaves a gap of that many sequence numbers, so every reader
 * counts it as lost (ring_writer_open()).
 */
#ifndef CAPD_RING_WRITER_H
#define CAPD_RING_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "ring.h"

struct ring_writer {
	struct ring_hdr *hdr;
	uint8_t *base;	      /* start of the mapping */
	struct ring_blk *blk; /* header of the block being filled */
	uint8_t *cur;	      /* mapping address of pos */
	uint64_t pos;	      /* absolute position of the next record */
	uint64_t blk_end;     /* absolute end of the current block */
	uint64_t seq;	      /* sequence number of the next record */
	uint64_t bytes;	      /* payload bytes written, all generations */
	uint64_t blk_ts_max;
	uint32_t blk_nrec;
	uint32_t max_caplen;
	uint32_t generation;
	uint64_t crash_lost; /* records the previous writer took and lost */
	bool crashed;	     /* the previous writer had not closed the ring */
};

/*
 * Take over a formatted ring (ring_layout_format()) of len bytes at mem:
 * start generation hdr->generation + 1, mark the writer running with this
 * pid, and resume exactly after the last published record, so readers of
 * the previous generation continue without repetition.  If the previous
 * writer had not closed the ring (w->crashed: hdr->crashes + 1), the
 * records it had taken (hdr->taken_seq) but not published are lost: the
 * sequence resumes after them, so readers count them as lost, and
 * w->crash_lost says how many (also added to hdr->crash_lost).
 * @return 0, or the -errno of ring_layout_check().
 */
int ring_writer_open(struct ring_writer *w, void *mem, uint64_t len, uint32_t pid);

/*
 * Before copying n frames taken from the sockets: should the writer die
 * before it publishes them, the next one knows they are lost.  One relaxed
 * store, ordered before the records' stores (ring_fence_compiler()).
 */
static inline void ring_writer_take(struct ring_writer *w, uint32_t n)
{
	ring_store_relaxed64(&w->hdr->taken_seq, w->seq + n);
	ring_fence_compiler();
}

/* Slow path of ring_writer_reserve(): pad and enter the next block. */
void ring_writer_next_block(struct ring_writer *w);

/*
 * Room for one record with caplen payload bytes.  Fill the header fields
 * other than seq and the payload, then call ring_writer_commit().
 * @return the record, or NULL if caplen > w->max_caplen.
 */
static inline struct ring_rec *ring_writer_reserve(struct ring_writer *w, uint32_t caplen)
{
	if (__builtin_expect(caplen > w->max_caplen, 0))
		return NULL;
	if (__builtin_expect(w->pos + ring_rec_size(caplen) > w->blk_end, 0))
		ring_writer_next_block(w);
	return (struct ring_rec *)w->cur;
}

/* Assign the sequence number and append the reserved record (unpublished). */
static inline void ring_writer_commit(struct ring_writer *w, struct ring_rec *rec)
{
	uint64_t size = ring_rec_size(rec->caplen);

	rec->seq = w->seq++;
	if (w->blk_nrec++ == 0) {
		w->blk->first_seq = rec->seq;
		w->blk->ts_first = rec->ts_ns;
	}
	if (rec->ts_ns > w->blk_ts_max)
		w->blk_ts_max = rec->ts_ns;
	w->bytes += rec->caplen;
	w->pos += size;
	w->cur += size;
}

/* Make every committed record visible to readers (one release store). */
void ring_writer_publish(struct ring_writer *w);

/* Publish what is committed and mark the ring as cleanly stopped. */
void ring_writer_close(struct ring_writer *w);

/*
 * A pass over every source that began at tai_ns (CLOCK_TAI) found nothing
 * to take: readers merging rings need not wait for this ring's records
 * stamped before it (ring_hdr.quiet_ts).  A release store, after the
 * publish of everything taken before the pass.
 */
static inline void ring_writer_quiet(struct ring_writer *w, uint64_t tai_ns)
{
	ring_store_release64(&w->hdr->quiet_ts, tai_ns);
}

/* Record that the writer process is alive (CLOCK_MONOTONIC ns). */
static inline void ring_writer_heartbeat(struct ring_hdr *hdr, uint64_t mono_ns)
{
	ring_store_relaxed64(&hdr->heartbeat_ns, mono_ns);
}

#endif
