// SPDX-License-Identifier: BSD-2-Clause
#include "clock_ns.h"
#include "ring_layout.h"
#include "ring_writer.h"

/* Point the writer at absolute block b, whose header is already valid. */
static void writer_load_block(struct ring_writer *w, uint64_t b)
{
	struct ring_hdr *h = w->hdr;

	w->blk = (struct ring_blk *)(w->base + ring_pos_offset(h, b * h->block_size));
	w->blk_end = (b + 1) * h->block_size;
}

static void writer_enter_block(struct ring_writer *w, uint64_t b)
{
	struct ring_hdr *h = w->hdr;
	uint64_t intent = (b + 1) * h->block_size;

	/* Never lower the intent: a crashed writer may have entered b already. */
	if (intent > h->intent)
		ring_store_relaxed64(&h->intent, intent);
	ring_fence_full();
	writer_load_block(w, b);
	w->blk->block_no = b;
	w->blk->first_seq = w->seq;
	w->blk->ts_first = 0;
	w->blk->ts_max = 0;
	w->blk->nrec = 0;
	w->blk->used = sizeof(struct ring_blk);
	w->blk->generation = w->generation;
	w->pos = b * h->block_size + sizeof(struct ring_blk);
	w->cur = (uint8_t *)w->blk + sizeof(struct ring_blk);
	w->blk_nrec = 0;
	w->blk_ts_max = 0;
}

int ring_writer_open(struct ring_writer *w, void *mem, uint64_t len, uint32_t pid)
{
	struct ring_hdr *h = mem;
	uint64_t tail;
	int r;

	r = ring_layout_check(h, len);
	if (r < 0)
		return r;
	w->hdr = h;
	w->base = mem;
	w->seq = h->next_seq;
	w->bytes = h->bytes;
	w->max_caplen = ring_max_caplen(h->block_size);
	w->generation = h->generation + 1;
	w->crashed = h->writer_state == RING_WRITER_RUNNING;
	w->crash_lost = 0;
	/* What a killed writer took but never published: skipped, never reused. */
	if (w->crashed && h->taken_seq > w->seq) {
		w->crash_lost = h->taken_seq - w->seq;
		w->seq = h->taken_seq;
	}

	h->writer_pid = pid;
	h->writer_start_ns = clock_ns(CLOCK_REALTIME);
	if (w->crashed) {
		ring_store_relaxed32(&h->crashes, h->crashes + 1);
		ring_store_relaxed64(&h->crash_lost, h->crash_lost + w->crash_lost);
	}
	ring_store_relaxed64(&h->taken_seq, w->seq);
	ring_store_relaxed64(&h->next_seq, w->seq);
	ring_store_relaxed64(&h->quiet_ts, 0); /* the last writer's, not ours */
	ring_store_release32(&h->generation, w->generation);
	ring_store_release32(&h->writer_state, RING_WRITER_RUNNING);

	tail = h->tail;
	if (tail == 0) {
		writer_enter_block(w, 0);
		ring_writer_publish(w);
		return 0;
	}
	/* Resume after the last published record; what a crashed writer
	 * committed beyond it was never visible and is overwritten. */
	writer_load_block(w, (tail - 1) / h->block_size);
	w->pos = tail;
	w->cur = (uint8_t *)w->blk + (tail - (w->blk_end - h->block_size));
	w->blk_nrec = w->blk->nrec;
	w->blk_ts_max = w->blk->ts_max;
	return 0;
}

void ring_writer_next_block(struct ring_writer *w)
{
	uint64_t slack = w->blk_end - w->pos;

	if (slack >= sizeof(struct ring_rec)) {
		struct ring_rec *pad = (struct ring_rec *)w->cur;

		pad->seq = w->seq; /* not consumed: the next record reuses it */
		pad->ts_ns = 0;
		pad->caplen = (uint32_t)(slack - sizeof(*pad));
		pad->wirelen = pad->caplen;
		pad->iface = 0;
		pad->queue = 0;
		pad->feed = RING_FEED_NONE;
		pad->ts_source = RING_TS_NONE;
		pad->flags = RING_REC_F_PAD;
	}
	w->pos = w->blk_end;
	w->blk->nrec = w->blk_nrec;
	w->blk->ts_max = w->blk_ts_max;
	w->blk->used = w->hdr->block_size;
	writer_enter_block(w, w->blk_end / w->hdr->block_size);
	/* Keeps tail within one block of intent, which bounds how far a
	 * lapped reader's resynchronisation point can be ahead of tail. */
	ring_writer_publish(w);
}

void ring_writer_publish(struct ring_writer *w)
{
	struct ring_hdr *h = w->hdr;

	w->blk->nrec = w->blk_nrec;
	w->blk->ts_max = w->blk_ts_max;
	w->blk->used = (uint32_t)(w->pos - (w->blk_end - h->block_size));
	ring_store_relaxed64(&h->next_seq, w->seq);
	ring_store_relaxed64(&h->bytes, w->bytes);
	ring_store_release64(&h->tail, w->pos);
}

void ring_writer_close(struct ring_writer *w)
{
	ring_writer_publish(w);
	ring_store_relaxed64(&w->hdr->taken_seq, w->seq);
	ring_store_release32(&w->hdr->writer_state, RING_WRITER_STOPPED);
}
