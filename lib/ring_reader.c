// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "ring_layout.h"
#include "ring_reader.h"

/* ring_reader.blk_checked: what is known of the header of the block at blk */
enum {
	BLK_UNCHECKED = 0,
	BLK_CHECKED = 1,
	BLK_REJECTED = 2, /* malformed: the whole block is skipped */
};

/*
 * Mapping offset of absolute position pos, from the reader's own copy of
 * the geometry: the shared header may say anything by now (ring.h's
 * ring_pos_offset() is for the writer, who owns it).
 */
static uint64_t reader_off(const struct ring_reader *r, uint64_t pos)
{
	uint64_t slot = pos / r->block_size % r->nblocks;

	return r->data_off + slot * r->block_size + (pos & (r->block_size - 1));
}

static void reader_set_block(struct ring_reader *r, uint64_t b)
{
	r->blk = r->base + reader_off(r, b * r->block_size);
	r->blk_end = (b + 1) * r->block_size;
	r->pos = b * r->block_size + sizeof(struct ring_blk);
	r->blk_checked = BLK_UNCHECKED;
}

/* Position at pos, which lies inside or at the end of a block. */
static void reader_set_pos(struct ring_reader *r, uint64_t pos)
{
	uint64_t b = pos > sizeof(struct ring_blk) ? (pos - 1) / r->block_size : 0;

	reader_set_block(r, b);
	if (pos > r->pos)
		r->pos = pos;
	r->blk_checked = BLK_CHECKED; /* only block starts need their header checked */
}

static int reader_intact(const struct ring_reader *r, uint64_t pos)
{
	ring_fence_acquire();
	return ring_pos_intact(pos, ring_load_relaxed64(&r->hdr->intent), r->capacity);
}

/* The reader's position was overwritten: go to the oldest block that is not
 * about to be, plus one block of margin so the writer does not lap us again
 * at once. */
static void reader_lapped(struct ring_reader *r)
{
	uint64_t intent = ring_load_relaxed64(&r->hdr->intent);

	r->laps++;
	r->events |= RING_EV_LAPPED;
	reader_set_block(r, (intent - r->capacity) / r->block_size + 1);
}

/* Give up the rest of the block; never beyond tail, where the next record
 * the writer publishes will start. */
static void reader_skip_rest(struct ring_reader *r, uint64_t tail)
{
	if (tail > r->blk_end)
		reader_set_block(r, r->blk_end / r->block_size);
	else
		r->pos = tail;
}

/* After a malformed record or header. */
static void reader_skip_block(struct ring_reader *r, uint64_t tail)
{
	r->rejected++;
	reader_skip_rest(r, tail);
}

/*
 * Does the shared header still describe the ring we copied at attach?  If
 * not (another geometry, zeroed, damaged), nothing in the mapping can be
 * read with our geometry, and the caller is told so (-EPROTO) on every call
 * until it reopens.  Checked where a block starts and whenever idle: in
 * between, addresses come from our copy only, so nothing read can take the
 * reader outside the mapping.
 */
static int reader_check_geometry(struct ring_reader *r)
{
	const struct ring_hdr *h = r->hdr;

	if (r->broken)
		return -EPROTO;
	if (ring_load_relaxed64(&h->magic) != RING_MAGIC ||
	    ring_load_relaxed32(&h->version) != RING_VERSION ||
	    ring_load_relaxed64(&h->file_size) != r->file_size ||
	    ring_load_relaxed64(&h->data_off) != r->data_off ||
	    ring_load_relaxed32(&h->block_size) != r->block_size ||
	    ring_load_relaxed32(&h->nblocks) != r->nblocks) {
		r->broken = 1;
		return -EPROTO;
	}
	return 0;
}

/* Before anything of the header means anything: is it still our ring,
 * and did its writer restart? */
static int reader_check_header(struct ring_reader *r)
{
	uint32_t gen = ring_load_acquire32(&r->hdr->generation);

	if (reader_check_geometry(r) < 0)
		return -EPROTO;
	if (gen != r->generation) {
		r->generation = gen;
		r->events |= RING_EV_GENERATION;
	}
	return 0;
}

static uint64_t reader_oldest_block(const struct ring_reader *r)
{
	uint64_t intent = ring_load_acquire64(&r->hdr->intent);

	return intent > r->capacity ? (intent - r->capacity) / r->block_size : 0;
}

int ring_reader_open(struct ring_reader *r, const void *mem, uint64_t len)
{
	const struct ring_hdr *h = mem;
	struct ring_hdr g = { 0 }; /* the geometry is checked and used from this copy */
	int err;

	if (len < sizeof(g))
		return -EINVAL;
	/* Line 0 only: the identity, written once, when formatted. */
	memcpy(&g, h, offsetof(struct ring_hdr, generation));
	err = ring_layout_check(&g, len);
	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	r->hdr = h;
	r->base = mem;
	r->block_size = g.block_size;
	r->nblocks = g.nblocks;
	r->data_off = g.data_off;
	r->file_size = g.file_size;
	r->format_seq = g.format_seq;
	r->capacity = ring_capacity(&g);
	r->max_caplen = ring_max_caplen(g.block_size);
	r->generation = ring_load_acquire32(&h->generation);
	return ring_reader_seek(r, RING_SEEK_NEWEST, 0);
}

int ring_reader_reattach(struct ring_reader *r, const void *mem, uint64_t len)
{
	struct ring_reader n;
	uint64_t next;
	int err;

	err = ring_reader_open(&n, mem, len);
	if (err < 0)
		return err;
	err = ring_reader_seek(&n, RING_SEEK_OLDEST, 0);
	if (err < 0)
		return err;
	n.records = r->records;
	n.lost = r->lost;
	n.laps = r->laps;
	n.rejected = r->rejected;
	/* A format_seq beyond what was ever written is no start to count
	 * from. */
	next = ring_load_relaxed64(&n.hdr->next_seq);
	n.expect = n.format_seq <= next ? n.format_seq : RING_SEQ_UNKNOWN;
	n.events = RING_EV_REPLACED;
	*r = n;
	return 0;
}

void ring_reader_detach(struct ring_reader *r, const struct ring_hdr *hdr_copy)
{
	r->hdr = hdr_copy;
	r->base = NULL;
	r->blk = NULL;
	r->peek_size = 0;
}

/* Seeks search by timestamp or by sequence number; both grow with the
 * position (timestamps approximately). */
static uint64_t rec_key(const struct ring_rec *rec, bool by_seq)
{
	return by_seq ? rec->seq : rec->ts_ns;
}

/* First key of block b, or 0 if it is empty, lapped or malformed. */
static uint64_t reader_block_key(const struct ring_reader *r, uint64_t b, uint64_t tail,
				 bool by_seq)
{
	const struct ring_blk *blk;
	uint64_t start = b * r->block_size, key, no;

	if (start + sizeof(*blk) >= tail)
		return 0;
	blk = (const struct ring_blk *)(r->base + reader_off(r, start));
	no = blk->block_no;
	key = by_seq ? blk->first_seq : blk->ts_first;
	if (!reader_intact(r, start) || no != b)
		return 0;
	return key;
}

/* Within the current block, advance to the first record with key >= key. */
static int reader_scan_block(struct ring_reader *r, uint64_t key, bool by_seq)
{
	uint64_t tail = ring_load_acquire64(&r->hdr->tail);

	while (r->pos < tail && r->blk_end - r->pos >= sizeof(struct ring_rec)) {
		struct ring_rec rec;

		memcpy(&rec, r->blk + (r->pos & (r->block_size - 1)), sizeof(rec));
		if (!reader_intact(r, r->pos))
			return -EAGAIN;
		if (rec.flags & RING_REC_F_PAD || rec.caplen > r->max_caplen)
			break;
		if (rec_key(&rec, by_seq) >= key)
			return 0;
		r->pos += ring_rec_size(rec.caplen);
	}
	if (r->blk_end < tail)
		reader_set_block(r, r->blk_end / r->block_size);
	else
		r->pos = tail < r->blk_end ? tail : r->blk_end;
	return 0;
}

static int reader_seek_key(struct ring_reader *r, uint64_t key, bool by_seq)
{
	uint64_t tail = ring_load_acquire64(&r->hdr->tail);
	uint64_t lo, hi, found;

	if (tail <= sizeof(struct ring_blk))
		return 0; /* empty: stay at the newest position */
	/* The oldest block is searched too: it may hold the record wanted,
	 * and if it goes meanwhile, the scan or the next peek notices. */
	lo = reader_oldest_block(r);
	hi = (tail - 1) / r->block_size;
	/* The block the writer just entered may have nothing published yet;
	 * its ts_first reads as 0 and must not attract the search. */
	if (hi > lo && hi * r->block_size + sizeof(struct ring_blk) >= tail)
		hi--;
	if (lo > hi)
		lo = hi;
	/* Last block whose first key is < key: the first record at key or
	 * later is in it or starts the next one, also when equal timestamps
	 * span blocks.  Blocks that read as 0 (lapped meanwhile) count as
	 * "before", so the search moves later. */
	found = lo;
	while (lo <= hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t k = reader_block_key(r, mid, tail, by_seq);

		if (k < key) {
			found = mid;
			lo = mid + 1;
		} else {
			if (mid == 0)
				break;
			hi = mid - 1;
		}
	}
	reader_set_block(r, found);
	return reader_scan_block(r, key, by_seq);
}

int ring_reader_seek(struct ring_reader *r, enum ring_seek where, uint64_t arg)
{
	int err = 0, tries;

	if (!r->base)
		return -ENODEV;
	r->expect = RING_SEQ_UNKNOWN;
	r->peek_size = 0;
	switch (where) {
	case RING_SEEK_NEWEST:
		reader_set_pos(r, ring_load_acquire64(&r->hdr->tail));
		return 0;
	case RING_SEEK_OLDEST:
		reader_set_block(r, reader_oldest_block(r));
		return 0;
	case RING_SEEK_TIME:
	case RING_SEEK_SEQ:
		for (tries = 0; tries < 8; tries++) {
			err = reader_seek_key(r, arg, where == RING_SEEK_SEQ);
			if (err != -EAGAIN)
				break;
		}
		/* Whatever went before the first record delivered is lost. */
		if (!err && where == RING_SEEK_SEQ && arg <= ring_load_relaxed64(&r->hdr->next_seq))
			r->expect = arg;
		return err;
	}
	return -EINVAL;
}

/* Called when there is nothing to read at pos: report why. */
static int reader_idle(struct ring_reader *r, uint64_t tail)
{
	const struct ring_hdr *h = r->hdr;

	if (reader_check_header(r) < 0)
		return -EPROTO;
	if (tail < r->pos && tail > 0) {
		/* Positions went backwards: the file was reformatted. */
		r->events |= RING_EV_RESET;
		reader_set_block(r, reader_oldest_block(r));
		return 1;
	}
	if (ring_load_acquire32(&h->writer_state) == RING_WRITER_STOPPED &&
	    r->pos >= ring_load_acquire64(&h->tail))
		return -EPIPE;
	return -EAGAIN;
}

int ring_reader_peek(struct ring_reader *r, struct ring_view *v)
{
	const struct ring_blk *blk;
	uint64_t tail, size, no;
	int err;

	if (!r->base)
		return -ENODEV;
	if (r->broken)
		return -EPROTO;
	for (;;) {
		tail = ring_load_acquire64(&r->hdr->tail);
		if (r->blk_end - r->pos < sizeof(struct ring_rec)) {
			/* Implicit end of block: move on once the writer has. */
			if (tail <= r->blk_end) {
				err = reader_idle(r, tail);
				if (err > 0)
					continue;
				return err;
			}
			reader_set_block(r, r->blk_end / r->block_size);
		}
		if (r->pos >= tail) {
			err = reader_idle(r, tail);
			if (err > 0)
				continue;
			return err;
		}
		if (r->blk_checked == BLK_REJECTED) {
			/* What the writer appends to a rejected block goes
			 * with it, without being counted again. */
			reader_skip_rest(r, tail);
			continue;
		}
		if (r->blk_checked == BLK_UNCHECKED) {
			blk = (const struct ring_blk *)r->blk;
			no = blk->block_no;
			if (!reader_intact(r, r->pos)) {
				reader_lapped(r);
				continue;
			}
			/* Before block_no means anything: the geometry it
			 * was found with may be gone. */
			if (reader_check_header(r) < 0)
				return -EPROTO;
			if (no != r->blk_end / r->block_size - 1) {
				r->blk_checked = BLK_REJECTED;
				reader_skip_block(r, tail);
				continue;
			}
			r->blk_checked = BLK_CHECKED;
		}
		memcpy(&v->rec, r->blk + (r->pos & (r->block_size - 1)), sizeof(v->rec));
		if (!reader_intact(r, r->pos)) {
			reader_lapped(r);
			continue;
		}
		if (v->rec.flags & RING_REC_F_PAD) {
			reader_set_block(r, r->blk_end / r->block_size);
			continue;
		}
		size = ring_rec_size(v->rec.caplen);
		if (v->rec.caplen > r->max_caplen || v->rec.wirelen < v->rec.caplen ||
		    r->pos + size > r->blk_end || r->pos + size > tail ||
		    (r->expect != RING_SEQ_UNKNOWN && v->rec.seq < r->expect)) {
			/* Intact yet impossible: never deliver it; the records
			 * skipped with the block are counted by their seqs. */
			reader_skip_block(r, tail);
			continue;
		}
		break;
	}
	v->data = r->blk + (r->pos & (r->block_size - 1)) + sizeof(struct ring_rec);
	v->lost = r->expect == RING_SEQ_UNKNOWN ? 0 : v->rec.seq - r->expect;
	v->events = r->events;
	r->peek_size = size;
	r->peek_seq = v->rec.seq;
	return 0;
}

int ring_reader_release(struct ring_reader *r)
{
	if (!r->base)
		return -ENODEV;
	if (!r->peek_size)
		return -EINVAL;
	if (!reader_intact(r, r->pos)) {
		r->peek_size = 0;
		reader_lapped(r);
		return -ESTALE;
	}
	if (r->expect != RING_SEQ_UNKNOWN)
		r->lost += r->peek_seq - r->expect;
	r->expect = r->peek_seq + 1;
	r->records++;
	r->pos += r->peek_size;
	r->peek_size = 0;
	r->events = 0;
	return 0;
}

uint64_t ring_reader_backlog(const struct ring_reader *r)
{
	uint64_t next = ring_load_relaxed64(&r->hdr->next_seq);

	if (r->expect == RING_SEQ_UNKNOWN || next < r->expect)
		return 0;
	return next - r->expect;
}
