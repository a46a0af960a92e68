// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ring.c - the ring's writer and reader, single-threaded, on heap
 * memory with 64 KiB blocks: layout checks, wrap-around, block padding,
 * laps with exact loss counts, torn and malformed records, writer restarts,
 * attach modes and reformatting; a header zeroed or changed under a reader
 * (its private geometry), following a ring into the file that replaced
 * it, and the ring file replaced rather than reformatted.
 *
 * The test keeps its own record of what it wrote (position and caplen by
 * seq); every other field and every payload byte is a function of seq, so
 * each delivered record is checked completely against what was written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock_ns.h"
#include "ring_clock.h"
#include "ring_file.h"
#include "ring_layout.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "test.h"

#define BS	 RING_BLOCK_SIZE_MIN
#define MAX_RECS (1u << 18)
#define FILL	 0xa5

/* A ring in heap memory and what the test wrote into it, by seq. */
struct fix {
	uint8_t *mem;
	uint64_t len;
	uint64_t cap;
	uint32_t nblocks;
	struct ring_writer w;
	uint64_t *pos; /* absolute position of each record */
	uint32_t *caplen;
	uint64_t n;	/* seq of the next record */
	uint64_t bytes; /* payload bytes written */
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The payload of record seq. */
static void pattern(uint64_t seq, uint8_t *p, uint32_t n)
{
	uint64_t s = seq * 0x9e3779b97f4a7c15ull + 1, x;

	for (; n >= 8; n -= 8, p += 8) {
		x = xorshift(&s);
		memcpy(p, &x, 8);
	}
	if (n) {
		x = xorshift(&s);
		memcpy(p, &x, n);
	}
}

/* Timestamps grow with seq; ts_div > 1 gives runs of equal ones. */
static uint64_t ts_div = 1;

static uint64_t ts_of(uint64_t seq)
{
	return 1000000 + seq / ts_div * 10;
}

/* A ring that takes over from the one whose header is prev (or NULL). */
static void fix_init_after(struct fix *f, uint32_t nblocks, const struct ring_hdr *prev)
{
	memset(f, 0, sizeof(*f));
	f->nblocks = nblocks;
	f->len = (uint64_t)(nblocks + 1) * BS;
	f->cap = (uint64_t)nblocks * BS;
	f->mem = aligned_alloc(4096, f->len);
	f->pos = calloc(MAX_RECS, sizeof(*f->pos));
	f->caplen = calloc(MAX_RECS, sizeof(*f->caplen));
	T_ASSERT(f->mem && f->pos && f->caplen);
	/* Whatever the writer does not write stays recognisable. */
	memset(f->mem, FILL, f->len);
	T_EQ(ring_layout_format_after(f->mem, f->len, BS, prev), 0);
	f->n = ((struct ring_hdr *)f->mem)->next_seq;
	T_EQ(ring_writer_open(&f->w, f->mem, f->len, 1), 0);
	T_EQ(f->w.seq, f->n);
}

static void fix_init(struct fix *f, uint32_t nblocks)
{
	fix_init_after(f, nblocks, NULL);
}

static void fix_free(struct fix *f)
{
	free(f->mem);
	free(f->pos);
	free(f->caplen);
}

static struct ring_hdr *hdr(struct fix *f)
{
	return (struct ring_hdr *)f->mem;
}

static uint8_t *at(struct fix *f, uint64_t pos)
{
	return f->mem + ring_pos_offset(hdr(f), pos);
}

static struct ring_blk *blk_at(struct fix *f, uint64_t b)
{
	return (struct ring_blk *)at(f, b * BS);
}

/* Reserve, fill and commit one record; returns it (unpublished). */
static struct ring_rec *put_rec(struct fix *f, uint32_t caplen)
{
	struct ring_rec *rec = ring_writer_reserve(&f->w, caplen);
	uint64_t seq = f->w.seq;

	T_ASSERT(rec);
	T_ASSERT(seq < MAX_RECS);
	/* The writer's position is where the record really is. */
	T_ASSERT((uint8_t *)rec == at(f, f->w.pos));
	T_ASSERT(f->w.pos / BS == (f->w.pos + ring_rec_size(caplen) - 1) / BS);
	rec->ts_ns = ts_of(seq);
	rec->caplen = caplen;
	rec->wirelen = caplen + (uint32_t)(seq % 61);
	rec->iface = (uint16_t)(seq % 3);
	rec->queue = (uint16_t)(seq % 7);
	rec->feed = seq % 5 ? (uint16_t)(seq % 5) : RING_FEED_NONE;
	rec->ts_source = RING_TS_USER_TAI;
	rec->flags = seq & 1 ? RING_REC_F_UNSYNCED : 0;
	pattern(seq, (uint8_t *)(rec + 1), caplen);
	f->pos[seq] = f->w.pos;
	f->caplen[seq] = caplen;
	ring_writer_commit(&f->w, rec);
	T_EQ(rec->seq, seq);
	f->n = seq + 1;
	f->bytes += caplen;
	return rec;
}

static uint64_t put(struct fix *f, uint32_t caplen)
{
	return put_rec(f, caplen)->seq;
}

static uint32_t rnd_caplen(uint32_t max)
{
	/* Now and then an empty or a tiny record. */
	if (rnd() % 16 == 0)
		return (uint32_t)(rnd() % 9);
	return (uint32_t)(rnd() % (max + 1));
}

/* Write at least `bytes` bytes of data space in small batches. */
static void put_bytes(struct fix *f, uint64_t bytes)
{
	uint64_t end = f->w.pos + bytes;

	while (f->w.pos < end) {
		put(f, rnd_caplen(3000));
		if (rnd() % 8 == 0)
			ring_writer_publish(&f->w);
	}
	ring_writer_publish(&f->w);
}

/* Write until the writer is in absolute block b (or beyond). */
static void put_until_block(struct fix *f, uint64_t b)
{
	while (f->w.blk_end / BS - 1 < b)
		put(f, rnd_caplen(3000));
	ring_writer_publish(&f->w);
}

/* Fill the current block exactly, so that the next record starts the next
 * block; returns that block's number. */
static uint64_t end_block(struct fix *f)
{
	uint64_t room = f->w.blk_end - f->w.pos;

	if (room >= sizeof(struct ring_rec))
		put(f, (uint32_t)(room - sizeof(struct ring_rec)));
	ring_writer_publish(&f->w);
	T_ASSERT(f->w.blk_end - f->w.pos < sizeof(struct ring_rec));
	return f->w.blk_end / BS;
}

/* Check a delivered record, whose payload was copied to buf, against what
 * was written with this seq. */
static void check_rec(struct fix *f, const struct ring_view *v, const uint8_t *buf)
{
	static uint8_t want[BS];
	uint64_t seq = v->rec.seq;

	T_ASSERT(seq < f->n);
	T_ASSERT(v->data == at(f, f->pos[seq]) + sizeof(struct ring_rec));
	T_EQ(v->rec.caplen, f->caplen[seq]);
	T_EQ(v->rec.ts_ns, ts_of(seq));
	T_EQ(v->rec.wirelen, f->caplen[seq] + seq % 61);
	T_EQ(v->rec.iface, seq % 3);
	T_EQ(v->rec.queue, seq % 7);
	T_EQ(v->rec.feed, seq % 5 ? seq % 5 : RING_FEED_NONE);
	T_EQ(v->rec.ts_source, RING_TS_USER_TAI);
	T_EQ(v->rec.flags, seq & 1 ? RING_REC_F_UNSYNCED : 0);
	pattern(seq, want, v->rec.caplen);
	if (memcmp(buf, want, v->rec.caplen))
		T_FAIL("payload of seq %llu differs", (unsigned long long)seq);
}

/* Peek, copy, release and check one record: 0 or the peek's -errno. */
static int get(struct fix *f, struct ring_reader *r, struct ring_view *v)
{
	static uint8_t buf[BS];
	int err = ring_reader_peek(r, v);

	if (err)
		return err;
	T_ASSERT(v->rec.caplen <= ring_max_caplen(BS));
	memcpy(buf, v->data, v->rec.caplen);
	T_EQ(ring_reader_release(r), 0);
	check_rec(f, v, buf);
	return 0;
}

/* Read everything available; every record must be the expected next one,
 * with no loss and no event. */
static void drain(struct fix *f, struct ring_reader *r, uint64_t *expect)
{
	struct ring_view v;
	int err;

	while ((err = get(f, r, &v)) == 0) {
		T_EQ(v.rec.seq, *expect);
		T_EQ(v.lost, 0);
		T_EQ(v.events, 0);
		(*expect)++;
	}
	T_EQ(err, -EAGAIN);
	T_EQ(*expect, f->n);
}

/* First seq written in absolute block b (the test's own bookkeeping). */
static uint64_t first_seq_in_block(struct fix *f, uint64_t b)
{
	uint64_t lo = 0, hi = f->n;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (f->pos[mid] < b * BS)
			lo = mid + 1;
		else
			hi = mid;
	}
	T_ASSERT(lo < f->n && f->pos[lo] / BS == b);
	return lo;
}

/* The oldest record that is intact with the writer in its current block:
 * the first one whose block the writer has not started to reuse. */
static uint64_t oldest_intact(struct fix *f)
{
	uint64_t wblk = f->w.blk_end / BS - 1;

	if (wblk < f->nblocks)
		return 0;
	return first_seq_in_block(f, wblk - f->nblocks + 1);
}

static void test_layout(void)
{
	const uint64_t len = 8 * BS;
	uint8_t *mem = aligned_alloc(4096, len);
	struct ring_hdr *h = (struct ring_hdr *)mem, c;
	struct ring_writer w;
	struct ring_reader r;
	uint64_t i;

	T_ASSERT(mem);
	/* ring_layout_nblocks: the first block-sized area holds the header. */
	T_EQ(ring_layout_nblocks(4 * BS, BS), 3);
	T_EQ(ring_layout_nblocks(5 * BS - 1, BS), 3);
	T_EQ(ring_layout_nblocks(4 * BS - 1, BS), 0);
	T_EQ(ring_layout_nblocks(3 * BS, BS), 0);
	T_EQ(ring_layout_nblocks(0, BS), 0);
	T_EQ(ring_layout_nblocks(1000 * BS, BS / 2), 0);
	T_EQ(ring_layout_nblocks(1000 * BS, BS + 4096), 0);
	T_EQ(ring_layout_nblocks(1000 * BS, 3 * BS), 0);
	T_EQ(ring_layout_nblocks(1000 * BS, 0), 0);
	T_EQ(ring_layout_nblocks(1000 * BS, 2 * BS), 499);
	T_EQ(ring_layout_nblocks(4ull * RING_BLOCK_SIZE_MAX, RING_BLOCK_SIZE_MAX), 3);
	T_EQ(ring_layout_nblocks(1ull << 40, RING_BLOCK_SIZE_MAX * 2u), 0);
	T_EQ(ring_layout_nblocks(((uint64_t)UINT32_MAX + 1) * BS, BS), UINT32_MAX);
	/* Too many blocks for the 32-bit count: refused, not truncated. */
	T_EQ(ring_layout_nblocks(((uint64_t)UINT32_MAX + 2) * BS, BS), 0);
	T_EQ(ring_layout_nblocks(((uint64_t)UINT32_MAX + 3) * BS, BS), 0);
	T_EQ(ring_layout_nblocks(UINT64_MAX, BS), 0);

	/* Formatting refuses a geometry without a ring and writes nothing. */
	memset(mem, FILL, len);
	T_EQ(ring_layout_format(mem, 4 * BS - 1, BS), -EINVAL);
	T_EQ(ring_layout_format(mem, len, BS + 8), -EINVAL);
	T_EQ(ring_layout_format(mem, len, BS / 2), -EINVAL);
	for (i = 0; i < RING_META_SIZE; i++)
		T_EQ(mem[i], FILL);
	T_EQ(ring_layout_check(h, len), -EINVAL);

	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(h->magic, RING_MAGIC);
	T_EQ(h->version, RING_VERSION);
	T_EQ(h->hdr_size, sizeof(*h));
	T_EQ(h->file_size, len);
	T_EQ(h->data_off, BS);
	T_EQ(h->block_size, BS);
	T_EQ(h->nblocks, 7);
	T_EQ(h->clock_off, RING_CLOCK_OFF);
	T_EQ(h->stats_off, RING_STATS_OFF);
	T_ASSERT(h->format_ns != 0);
	T_EQ(h->format_seq, 0);
	T_EQ(h->generation, 0);
	T_EQ(h->writer_state, RING_WRITER_NONE);
	T_EQ(h->intent, 0);
	T_EQ(h->tail, 0);
	T_EQ(h->next_seq, 0);
	T_EQ(((struct ring_clock *)(mem + RING_CLOCK_OFF))->version, 1);
	T_EQ(mem[RING_META_SIZE], FILL); /* the blocks are not touched */
	T_EQ(ring_layout_check(h, len), 0);

	/* ring_layout_check, one defect at a time on a copy of the header. */
	T_EQ(ring_layout_check(h, sizeof(*h) - 1), -EINVAL);
	T_EQ(ring_layout_check(h, len - 1), -EBADMSG); /* mapping too short */
	T_EQ(ring_layout_check(h, 4 * BS), -EBADMSG);
	T_EQ(ring_layout_check(h, 2 * len), 0); /* a longer mapping is fine */
#define CHECK_WITH(field, value, err)                  \
	do {                                           \
		c = *h;                                \
		c.field = (value);                     \
		T_EQ(ring_layout_check(&c, len), err); \
	} while (0)
	CHECK_WITH(magic, RING_MAGIC ^ 1, -EINVAL);
	CHECK_WITH(magic, 0, -EINVAL);
	CHECK_WITH(version, RING_VERSION + 1, -EPROTONOSUPPORT);
	CHECK_WITH(version, 0, -EPROTONOSUPPORT);
	CHECK_WITH(hdr_size, 2048, -EPROTONOSUPPORT);
	CHECK_WITH(file_size, len + 1, -EBADMSG);
	CHECK_WITH(file_size, len - BS, -EBADMSG);
	CHECK_WITH(block_size, BS + 8, -EBADMSG);
	CHECK_WITH(block_size, BS / 2, -EBADMSG);
	CHECK_WITH(block_size, 0, -EBADMSG);
	CHECK_WITH(block_size, 2 * BS, -EBADMSG); /* data_off not aligned */
	CHECK_WITH(block_size, 1u << 31, -EBADMSG);
	CHECK_WITH(nblocks, 2, -EBADMSG);
	CHECK_WITH(nblocks, 0, -EBADMSG);
	CHECK_WITH(nblocks, 8, -EBADMSG); /* beyond the file */
	CHECK_WITH(nblocks, UINT32_MAX, -EBADMSG);
	CHECK_WITH(data_off, 0, -EBADMSG);
	CHECK_WITH(data_off, RING_META_SIZE / 2, -EBADMSG);
	CHECK_WITH(data_off, BS + 4096, -EBADMSG);
	CHECK_WITH(data_off, 2 * BS, -EBADMSG);		     /* last block beyond the file */
	CHECK_WITH(data_off, UINT64_MAX - BS + 1, -EBADMSG); /* overflow */
	CHECK_WITH(clock_off, 0, -EBADMSG);
	CHECK_WITH(stats_off, RING_CLOCK_OFF, -EBADMSG);
	CHECK_WITH(nblocks, 3, 0); /* a ring smaller than its file is fine */
#undef CHECK_WITH

	/* Writer and reader refuse what ring_layout_check refuses. */
	h->version++;
	T_EQ(ring_writer_open(&w, mem, len, 1), -EPROTONOSUPPORT);
	T_EQ(ring_reader_open(&r, mem, len), -EPROTONOSUPPORT);
	h->version--;
	T_EQ(ring_writer_open(&w, mem, len - 1, 1), -EBADMSG);
	T_EQ(ring_reader_open(&r, mem, len - 1), -EBADMSG);
	h->magic = 0;
	T_EQ(ring_writer_open(&w, mem, len, 1), -EINVAL);
	T_EQ(ring_reader_open(&r, mem, len), -EINVAL);
	h->magic = RING_MAGIC;

	/* Reformatting keeps generation, next_seq and bytes, so sequence
	 * numbers never repeat in one file; positions restart. */
	T_EQ(ring_writer_open(&w, mem, len, 42), 0);
	T_EQ(h->generation, 1);
	T_EQ(h->writer_state, RING_WRITER_RUNNING);
	T_EQ(h->writer_pid, 42);
	for (i = 0; i < 1000; i++) {
		struct ring_rec *rec = ring_writer_reserve(&w, 500);

		T_ASSERT(rec);
		memset(rec, 0, sizeof(*rec));
		rec->caplen = 500;
		rec->wirelen = 500;
		ring_writer_commit(&w, rec);
	}
	ring_writer_close(&w);
	T_EQ(h->writer_state, RING_WRITER_STOPPED);
	T_EQ(h->next_seq, 1000);
	T_EQ(h->bytes, 500000);
	T_ASSERT(h->intent > 7 * BS); /* wrapped */
	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(h->generation, 1);
	T_EQ(h->next_seq, 1000);
	T_EQ(h->format_seq, 1000); /* its first record will be 1000 */
	T_EQ(h->bytes, 500000);
	T_EQ(h->writer_state, RING_WRITER_NONE);
	T_EQ(h->writer_pid, 0);
	T_EQ(h->intent, 0);
	T_EQ(h->tail, 0);
	/* ... also into another geometry ... */
	T_EQ(ring_layout_format(mem, len, 2 * BS), 0);
	T_EQ(h->nblocks, 3);
	T_EQ(h->data_off, 2 * BS);
	T_EQ(h->generation, 1);
	T_EQ(h->next_seq, 1000);
	T_EQ(ring_layout_check(h, len), 0);
	T_EQ(ring_writer_open(&w, mem, len, 43), 0);
	T_EQ(h->generation, 2);
	T_EQ(w.seq, 1000);
	T_EQ(w.max_caplen, 2 * BS - 96);
	/* ... but not from a header of another version or no ring at all. */
	h->version = RING_VERSION + 1;
	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(h->version, RING_VERSION);
	T_EQ(h->generation, 0);
	T_EQ(h->next_seq, 0);
	T_EQ(h->bytes, 0);
	h->generation = 5;
	h->next_seq = 5;
	h->magic = 0;
	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(h->generation, 0);
	T_EQ(h->next_seq, 0);
	T_EQ(h->format_seq, 0);

	/* A new file after another one carries the other's sequence on. */
	{
		uint8_t *m2 = aligned_alloc(4096, len);

		T_ASSERT(m2);
		memset(m2, FILL, len);
		h->generation = 7;
		h->next_seq = 12345;
		h->bytes = 999;
		T_EQ(ring_layout_format_after(m2, len, 2 * BS, h), 0);
		c = *(struct ring_hdr *)m2;
		T_EQ(c.generation, 7);
		T_EQ(c.next_seq, 12345);
		T_EQ(c.format_seq, 12345);
		T_EQ(c.bytes, 999);
		T_EQ(c.block_size, 2 * BS);
		T_EQ(c.tail, 0);
		T_EQ(ring_layout_check(&c, len), 0);
		T_EQ(ring_layout_format_after(m2, len, BS, NULL), 0);
		c = *(struct ring_hdr *)m2;
		T_EQ(c.generation, 0);
		T_EQ(c.next_seq, 0);
		T_EQ(c.format_seq, 0);
		/* After a writer killed with 7 records taken, unpublished:
		 * they are skipped and counted, as by a restart in place. */
		h->writer_state = RING_WRITER_RUNNING;
		h->taken_seq = 12345 + 7;
		h->crashes = 2;
		h->crash_lost = 10;
		T_EQ(ring_layout_format_after(m2, len, BS, h), 0);
		c = *(struct ring_hdr *)m2;
		T_EQ(c.format_seq, 12345);
		T_EQ(c.next_seq, 12345 + 7);
		T_EQ(c.taken_seq, 12345 + 7);
		T_EQ(c.crashes, 3);
		T_EQ(c.crash_lost, 17);
		T_EQ(c.writer_state, RING_WRITER_NONE);
		T_EQ(ring_writer_open(&w, m2, len, 44), 0);
		T_EQ(w.seq, 12345 + 7);
		T_EQ(w.crashed, 0);
		T_EQ(((struct ring_hdr *)m2)->crashes, 3);
		h->writer_state = RING_WRITER_NONE;
		free(m2);
	}
	free(mem);
}

/* Several capacities of records of varied sizes, read in lockstep. */
static void test_wrap(void)
{
	static const uint32_t nbs[] = { 3, 5 };
	unsigned k;

	for (k = 0; k < sizeof(nbs) / sizeof(nbs[0]); k++) {
		struct fix f;
		struct ring_reader r;
		struct ring_view v;
		uint64_t expect = 0;

		fix_init(&f, nbs[k]);
		T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
		T_EQ(ring_reader_release(&r), -EINVAL); /* nothing peeked */
		T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
		while (f.w.pos < 8 * f.cap) {
			uint64_t i, batch = 1 + rnd() % 16, blk_end = f.w.blk_end;

			for (i = 0; i < batch; i++)
				put(&f, rnd_caplen(3000));
			/* Unpublished records are invisible (entering a block
			 * publishes, though). */
			if (f.w.blk_end == blk_end)
				T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
			ring_writer_publish(&f.w);
			T_EQ(hdr(&f)->tail, f.w.pos);
			T_EQ(hdr(&f)->intent, f.w.blk_end);
			T_EQ(hdr(&f)->next_seq, f.n);
			T_EQ(hdr(&f)->bytes, f.bytes);
			/* A peek without release delivers the same record. */
			T_EQ(ring_reader_peek(&r, &v), 0);
			T_EQ(v.rec.seq, expect);
			T_EQ(ring_reader_backlog(&r), expect ? batch : 0);
			drain(&f, &r, &expect);
			T_EQ(ring_reader_backlog(&r), 0);
		}
		T_EQ(r.records, f.n);
		T_EQ(r.lost, 0);
		T_EQ(r.laps, 0);
		T_EQ(r.rejected, 0);
		ring_writer_close(&f.w);
		T_EQ(ring_reader_peek(&r, &v), -EPIPE);
		fix_free(&f);
	}
}

/* A block ending with slack bytes free: a PAD record when they hold a
 * record header, else an implicit end; the next record starts the next
 * block either way. */
static void check_slack(struct fix *f, struct ring_reader *r, uint64_t *expect, uint32_t slack)
{
	uint32_t area = BS - sizeof(struct ring_blk);
	uint64_t b, a, nb, i;
	struct ring_reader r2;
	struct ring_view v;
	struct ring_blk *blk;

	/* Start a fresh block, then fill it up to `slack` bytes. */
	b = end_block(f);
	drain(f, r, expect);
	a = put(f, area - slack - sizeof(struct ring_rec));
	T_EQ(f->pos[a], b * BS + sizeof(struct ring_blk));
	T_EQ(f->w.pos, (b + 1) * BS - slack);
	memset(at(f, f->w.pos), FILL, slack);
	ring_writer_publish(&f->w);
	T_EQ(get(f, r, &v), 0);
	T_EQ(v.rec.seq, a);
	(*expect)++;
	/* The reader waits at the end of the block until the writer moves. */
	T_EQ(ring_reader_peek(r, &v), -EAGAIN);
	T_EQ(ring_reader_open(&r2, f->mem, f->len), 0);
	T_EQ(ring_reader_peek(&r2, &v), -EAGAIN);

	/* The smallest record that does not fit in the slack (header and
	 * payload one byte more) goes to the next block. */
	nb = put(f, slack + 1 > sizeof(struct ring_rec) ? slack - 31 : 0);
	T_EQ(f->pos[nb], (b + 1) * BS + sizeof(struct ring_blk));
	ring_writer_publish(&f->w);
	blk = blk_at(f, b);
	T_EQ(blk->block_no, b);
	T_EQ(blk->nrec, 1);
	T_EQ(blk->used, BS);
	T_EQ(blk->first_seq, a);
	T_EQ(blk->ts_first, ts_of(a));
	T_EQ(blk->ts_max, ts_of(a));
	if (slack >= sizeof(struct ring_rec)) {
		struct ring_rec *pad = (struct ring_rec *)at(f, (b + 1) * BS - slack);

		T_EQ(pad->flags, RING_REC_F_PAD);
		T_EQ(pad->caplen, slack - sizeof(struct ring_rec));
		T_EQ(pad->wirelen, pad->caplen);
		T_EQ(pad->seq, nb); /* a pad does not consume a seq */
		T_EQ(pad->feed, RING_FEED_NONE);
		for (i = sizeof(*pad); i < slack; i++)
			T_EQ(((uint8_t *)pad)[i], FILL);
	} else {
		/* Implicit end: the writer left the slack alone. */
		for (i = 0; i < slack; i++)
			T_EQ(at(f, (b + 1) * BS - slack)[i], FILL);
	}
	blk = blk_at(f, b + 1);
	T_EQ(blk->block_no, b + 1);
	T_EQ(blk->first_seq, nb);
	T_EQ(blk->nrec, 1);
	T_EQ(blk->generation, f->w.generation);

	/* Both readers move on to the next block without loss. */
	T_EQ(get(f, &r2, &v), 0);
	T_EQ(v.rec.seq, nb);
	T_EQ(v.lost, 0);
	T_EQ(get(f, r, &v), 0);
	T_EQ(v.rec.seq, nb);
	T_EQ(v.lost, 0);
	T_EQ(v.events, 0);
	(*expect)++;
	T_EQ(r->rejected, 0);
	T_EQ(r2.rejected, 0);
}

static void test_padding(void)
{
	static const uint32_t slacks[] = { 0, 8, 16, 24, 32, 40, 1000, 0, 24, 32 };
	uint32_t max = ring_max_caplen(BS);
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect = 0, s, pos, seq;
	unsigned k;

	fix_init(&f, 4);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	for (k = 0; k < sizeof(slacks) / sizeof(slacks[0]); k++)
		check_slack(&f, &r, &expect, slacks[k]);

	/* The largest record fills a block exactly, after a PAD for the rest
	 * of a started one; one byte more is refused without side effects. */
	T_EQ(max, BS - sizeof(struct ring_blk) - sizeof(struct ring_rec));
	put(&f, 100);
	s = put(&f, max);
	T_EQ(f.pos[s] % BS, sizeof(struct ring_blk));
	T_EQ(f.w.pos % BS, 0);
	ring_writer_publish(&f.w);
	T_EQ(blk_at(&f, f.pos[s] / BS)->used, BS);
	pos = f.w.pos;
	seq = f.w.seq;
	T_ASSERT(ring_writer_reserve(&f.w, max + 1) == NULL);
	T_ASSERT(ring_writer_reserve(&f.w, UINT32_MAX) == NULL);
	T_EQ(f.w.pos, pos);
	T_EQ(f.w.seq, seq);
	T_EQ(hdr(&f)->intent, f.w.blk_end);
	drain(&f, &r, &expect);
	/* A max record right after a full block, then small ones. */
	s = put(&f, max);
	T_EQ(f.pos[s], pos + sizeof(struct ring_blk));
	put(&f, 0);
	put(&f, 1);
	ring_writer_publish(&f.w);
	drain(&f, &r, &expect);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(r.rejected, 0);
	T_EQ(r.lost, 0);
	fix_free(&f);
}

/* Where the reader must look next after reading up to `end` (the end of
 * the last record it consumed): a position with less than a record header
 * left in its block means the next block. */
static uint64_t reader_next_pos(uint64_t end)
{
	if (BS - end % BS < sizeof(struct ring_rec))
		return (end / BS + 1) * BS + sizeof(struct ring_blk);
	return end;
}

/* Read one record after the writer may have lapped the reader, checking
 * the outcome (and the counters) against what the test predicts. */
static void read_after_writes(struct fix *f, struct ring_reader *r, uint64_t *expect, uint64_t *end,
			      uint64_t *laps, uint64_t *lost)
{
	uint64_t wblk = f->w.blk_end / BS - 1, want = *expect;
	uint64_t next = reader_next_pos(*end);
	struct ring_view v;
	int lapped;

	T_EQ(hdr(f)->intent, f->w.blk_end);
	if (*expect == f->n) {
		T_EQ(get(f, r, &v), -EAGAIN);
		return;
	}
	/* Lapped once the writer has started to reuse the reader's slot; the
	 * reader then skips to the block after the oldest intact one. */
	lapped = wblk >= next / BS + f->nblocks;
	if (lapped) {
		want = first_seq_in_block(f, wblk - f->nblocks + 2);
		T_ASSERT(want > *expect); /* a lap always loses something */
		(*laps)++;
	}
	T_EQ(get(f, r, &v), 0);
	T_EQ(v.rec.seq, want);
	T_EQ(v.lost, want - *expect);
	T_EQ(v.events, lapped ? RING_EV_LAPPED : 0);
	*lost += want - *expect;
	*expect = want + 1;
	*end = f->pos[want] + ring_rec_size(f->caplen[want]);
	T_EQ(r->laps, *laps);
	T_EQ(r->lost, *lost);
}

static void test_lap(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect, end, laps = 0, lost = 0, first, i, b;
	uint64_t sizes[8];
	int err;

	fix_init(&f, 4);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_bytes(&f, 1000);
	T_EQ(get(&f, &r, &v), 0);
	first = v.rec.seq;
	T_EQ(first, 0);
	expect = first + 1;
	end = f.pos[first] + ring_rec_size(f.caplen[first]);

	/* The exact boundary: the writer in the last block before the
	 * reader's slot comes round again, then in that slot. */
	for (i = 0; i < 3; i++) {
		b = reader_next_pos(end) / BS;
		put_until_block(&f, b + f.nblocks - 1);
		read_after_writes(&f, &r, &expect, &end, &laps, &lost);
		T_EQ(laps, i);
		b = reader_next_pos(end) / BS;
		put_until_block(&f, b + f.nblocks);
		read_after_writes(&f, &r, &expect, &end, &laps, &lost);
		T_EQ(laps, i + 1);
	}

	/* Lap sizes from a little over one capacity to many. */
	sizes[0] = f.cap + 1;
	sizes[1] = f.cap + BS / 2;
	sizes[2] = f.cap + BS;
	sizes[3] = 2 * f.cap;
	sizes[4] = 3 * f.cap + 12345;
	sizes[5] = 10 * f.cap;
	sizes[6] = f.cap - BS;
	sizes[7] = f.cap / 2;
	for (i = 0; i < 8; i++) {
		put_bytes(&f, sizes[i]);
		read_after_writes(&f, &r, &expect, &end, &laps, &lost);
		/* then read a little in lockstep */
		put_bytes(&f, rnd() % 5000);
		read_after_writes(&f, &r, &expect, &end, &laps, &lost);
	}
	/* Random amounts on both sides. */
	for (i = 0; i < 300; i++) {
		uint64_t k, nread = rnd() % 30;

		put_bytes(&f, rnd() % (2 * f.cap));
		for (k = 0; k < nread; k++)
			read_after_writes(&f, &r, &expect, &end, &laps, &lost);
	}
	T_ASSERT(laps > 50);

	/* Drain: delivered + lost accounts for every record written. */
	while ((err = get(&f, &r, &v)) == 0) {
		T_EQ(v.rec.seq, expect);
		T_EQ(v.lost, 0);
		expect++;
	}
	T_EQ(err, -EAGAIN);
	T_EQ(r.laps, laps);
	T_EQ(r.lost, lost);
	T_EQ(r.records + r.lost, f.n - first);
	T_EQ(r.rejected, 0);
	fix_free(&f);
}

/* Peeked, then overwritten before release: -ESTALE, never delivered. */
static void test_stale(void)
{
	static uint8_t buf[BS];
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect = 0, s, b, want, records, wpos;

	fix_init(&f, 4);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_bytes(&f, 3 * BS);
	drain(&f, &r, &expect);

	/* The writer one block short of the peeked record's slot: intact. */
	s = put(&f, 1000);
	put(&f, 1000);
	ring_writer_publish(&f.w);
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(v.rec.seq, s);
	b = f.pos[s] / BS;
	put_until_block(&f, b + f.nblocks - 1);
	memcpy(buf, v.data, v.rec.caplen);
	T_EQ(ring_reader_release(&r), 0);
	check_rec(&f, &v, buf);

	/* The next one, then the writer reuses its slot and writes over the
	 * very bytes: the copy is torn and must not be delivered. */
	s++;
	b = f.pos[s] / BS;
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(v.rec.seq, s);
	records = r.records;
	memcpy(buf, v.data, v.rec.caplen);
	put_until_block(&f, b + f.nblocks);
	wpos = (b + f.nblocks) * BS + f.pos[s] % BS + ring_rec_size(f.caplen[s]);
	while (f.w.pos < wpos)
		put(&f, rnd_caplen(3000));
	ring_writer_publish(&f.w);
	T_EQ(blk_at(&f, b)->block_no, b + f.nblocks);
	T_ASSERT(memcmp(&v.rec, v.data - sizeof(v.rec), sizeof(v.rec)) ||
		 memcmp(buf, v.data, v.rec.caplen));
	T_EQ(ring_reader_release(&r), -ESTALE);
	T_EQ(r.records, records);
	T_EQ(r.laps, 1);
	T_EQ(ring_reader_release(&r), -EINVAL); /* nothing peeked any more */
	/* The next record is the first of the block after the oldest. */
	want = first_seq_in_block(&f, f.w.blk_end / BS - f.nblocks + 1);
	T_ASSERT(want > s);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, want);
	T_EQ(v.lost, want - s);
	T_EQ(v.events, RING_EV_LAPPED);
	T_EQ(r.lost, want - s);
	expect = want + 1;
	drain(&f, &r, &expect);
	T_EQ(r.records + r.lost, f.n);
	T_EQ(r.rejected, 0);
	fix_free(&f);
}

/* Ways to make an intact record impossible, written into the mapping. */
enum bad_kind {
	BAD_CAPLEN_HUGE,  /* caplen > max_caplen */
	BAD_CAPLEN_BLOCK, /* payload beyond the end of the block */
	BAD_CAPLEN_TAIL,  /* payload beyond tail */
	BAD_WIRELEN,	  /* wirelen < caplen */
	BAD_SEQ_BACK,	  /* seq going backwards */
	BAD_BLOCK_NO,	  /* the block header names another block */
	BAD_NKINDS,
};

static void corrupt(struct fix *f, struct ring_rec *rec, enum bad_kind kind)
{
	switch (kind) {
	case BAD_CAPLEN_HUGE:
		rec->caplen = 0xfffffff0u;
		rec->wirelen = 0xfffffff0u;
		break;
	case BAD_CAPLEN_BLOCK:
		rec->caplen = ring_max_caplen(BS);
		rec->wirelen = rec->caplen;
		break;
	case BAD_CAPLEN_TAIL:
		rec->caplen += 64;
		rec->wirelen += 64;
		break;
	case BAD_WIRELEN:
		rec->wirelen = rec->caplen - 1;
		break;
	case BAD_SEQ_BACK:
		rec->seq -= 2;
		break;
	case BAD_BLOCK_NO:
		blk_at(f, f->w.blk_end / BS - 1)->block_no += f->nblocks;
		break;
	case BAD_NKINDS:
		break;
	}
}

/* Intact but malformed records are never delivered and are counted; the
 * reader gives up the rest of that block and carries on. */
static void test_malformed(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect = 0, rejected = 0, lost = 0, first, bad, gone, b, s, want;
	int kind, same_block;

	fix_init(&f, 4);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	for (kind = 0; kind < BAD_NKINDS; kind++) {
		for (same_block = 0; same_block < 2; same_block++) {
			struct ring_rec *rec;

			if (kind == BAD_CAPLEN_TAIL && !same_block)
				continue; /* only the last record reaches tail */
			/* A fresh block: good records, a bad one, maybe more. */
			b = end_block(&f);
			drain(&f, &r, &expect);
			first = put(&f, 100);
			put(&f, 200);
			rec = put_rec(&f, 300);
			bad = rec->seq;
			if (kind != BAD_CAPLEN_TAIL)
				put(&f, 400);
			corrupt(&f, rec, kind);
			if (!same_block) {
				put_until_block(&f, b + 1);
				put(&f, 500);
			}
			ring_writer_publish(&f.w);

			/* What precedes it is delivered, unless the block
			 * header itself is bad. */
			gone = kind == BAD_BLOCK_NO ? first : bad;
			for (s = first; s < gone; s++) {
				T_EQ(get(&f, &r, &v), 0);
				T_EQ(v.rec.seq, s);
				T_EQ(v.lost, 0);
			}
			if (same_block) {
				/* tail is in this block: the reader waits there */
				T_EQ(get(&f, &r, &v), -EAGAIN);
				T_EQ(r.rejected, rejected + 1);
				want = put(&f, 600);
				ring_writer_publish(&f.w);
				if (kind == BAD_BLOCK_NO) {
					/* nothing more from this block */
					T_EQ(get(&f, &r, &v), -EAGAIN);
					put_until_block(&f, b + 1);
					want = first_seq_in_block(&f, b + 1);
				}
			} else {
				want = first_seq_in_block(&f, b + 1);
			}
			T_EQ(get(&f, &r, &v), 0);
			T_EQ(r.rejected, ++rejected);
			T_EQ(v.rec.seq, want);
			T_EQ(v.lost, want - gone);
			T_EQ(v.events, 0);
			lost += want - gone;
			T_EQ(r.lost, lost);
			expect = want + 1;
			drain(&f, &r, &expect);
		}
	}
	/* The writer is unaffected: more capacities read cleanly. */
	put_bytes(&f, 2 * f.cap / 3);
	drain(&f, &r, &expect);
	T_EQ(r.records + r.lost, f.n);
	T_EQ(r.rejected, rejected);
	T_EQ(r.laps, 0);
	fix_free(&f);
}

/* Writer stops, restarts and crashes; a reader attached throughout. */
static void test_generation(void)
{
	struct fix f;
	struct ring_reader r, r2;
	struct ring_view v;
	uint64_t expect = 0, i, s, tail;
	int err;

	fix_init(&f, 4);
	T_EQ(hdr(&f)->generation, 1);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	T_EQ(r.generation, 1);
	put_bytes(&f, 2 * BS);
	drain(&f, &r, &expect);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN); /* drained, writer running */
	put_bytes(&f, 1000);
	T_EQ(ring_reader_open(&r2, f.mem, f.len), 0);
	T_EQ(ring_reader_seek(&r2, RING_SEEK_OLDEST, 0), 0);
	put_until_block(&f, f.w.blk_end / BS);
	put(&f, 100);
	ring_writer_publish(&f.w);
	tail = hdr(&f)->tail;

	/* Clean close: -EPIPE, but only once everything was read. */
	ring_writer_close(&f.w);
	T_EQ(hdr(&f)->writer_state, RING_WRITER_STOPPED);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, expect);
	expect++;
	while ((err = get(&f, &r, &v)) == 0)
		T_EQ(v.rec.seq, expect++);
	T_EQ(err, -EPIPE);
	T_EQ(ring_reader_peek(&r, &v), -EPIPE);
	T_EQ(get(&f, &r2, &v), 0);
	T_EQ(v.rec.seq, 0);

	/* Restart on the same memory: the same seq and position carry on, the
	 * generation change is reported once, with the first new record. */
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 2), 0);
	T_EQ(hdr(&f)->generation, 2);
	T_EQ(hdr(&f)->writer_state, RING_WRITER_RUNNING);
	T_EQ(hdr(&f)->writer_pid, 2);
	T_EQ(f.w.seq, f.n);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	s = put(&f, 10);
	put(&f, 20);
	ring_writer_publish(&f.w);
	T_EQ(f.pos[s], tail);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_GENERATION);
	expect = s + 1;
	drain(&f, &r, &expect);
	T_EQ(r.generation, 2);

	/* A crash: records committed but never published are redone by the
	 * next writer with the same seqs, which the reader sees once.  The
	 * reader polls while the new writer starts, so the event comes with
	 * the first record of the new generation. */
	put_until_block(&f, f.w.blk_end / BS);
	drain(&f, &r, &expect);
	for (i = 0; i < 5; i++)
		put(&f, 777);
	T_EQ(f.w.blk_end / BS, f.pos[f.n - 5] / BS + 1); /* no publish happened */
	T_EQ(hdr(&f)->next_seq, f.n - 5);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 3), 0);
	T_EQ(hdr(&f)->generation, 3);
	T_EQ(f.w.seq, f.n - 5);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	f.n -= 5;
	f.bytes -= 5 * 777;
	s = put(&f, 33);
	ring_writer_publish(&f.w);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_GENERATION);
	expect = s + 1;
	put_bytes(&f, 2 * f.cap / 3);
	drain(&f, &r, &expect);
	T_EQ(hdr(&f)->bytes, f.bytes);

	/* A crash while the reader is behind, in the middle of a block: the
	 * reader learns of it at the next block start (records carry no
	 * generation), once, and nothing is lost or repeated. */
	put(&f, 100);
	put(&f, 100);
	ring_writer_publish(&f.w);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 4), 0);
	put_bytes(&f, 2 * BS);
	{
		int nev = 0;

		while ((err = get(&f, &r, &v)) == 0) {
			T_EQ(v.rec.seq, expect++);
			T_EQ(v.lost, 0);
			T_EQ(v.events & ~RING_EV_GENERATION, 0);
			nev += !!v.events;
		}
		T_EQ(err, -EAGAIN);
		T_EQ(nev, 1);
	}

	/* Restart right after a record that filled its block exactly. */
	put_until_block(&f, f.w.blk_end / BS);
	put(&f, BS - sizeof(struct ring_blk) - sizeof(struct ring_rec));
	ring_writer_publish(&f.w);
	T_EQ(hdr(&f)->tail % BS, 0);
	drain(&f, &r, &expect);
	ring_writer_close(&f.w);
	T_EQ(ring_reader_peek(&r, &v), -EPIPE);
	T_EQ(ring_reader_open(&r2, f.mem, f.len), 0); /* late reader */
	T_EQ(ring_reader_peek(&r2, &v), -EPIPE);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 5), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_reader_peek(&r2, &v), -EAGAIN);
	s = put(&f, 5);
	T_EQ(f.pos[s] % BS, sizeof(struct ring_blk));
	ring_writer_publish(&f.w);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.events, RING_EV_GENERATION);
	T_EQ(get(&f, &r2, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.events, RING_EV_GENERATION);
	expect = s + 1;
	drain(&f, &r, &expect);
	T_EQ(r.records + r.lost, f.n);
	T_EQ(r.lost, 0);
	T_EQ(r.laps, 0);
	T_EQ(r.rejected, 0);
	fix_free(&f);
}

/* The first intact record with ts_ns >= ts, or f->n if none. */
static uint64_t first_at(struct fix *f, uint64_t ts)
{
	uint64_t s;

	for (s = oldest_intact(f); s < f->n; s++)
		if (ts_of(s) >= ts)
			break;
	return s;
}

/* Seek to ts and check the first record delivered is the first one with
 * ts_ns >= ts, or that nothing is there yet. */
static void check_seek_time(struct fix *f, struct ring_reader *r, uint64_t ts)
{
	uint64_t want = first_at(f, ts);
	struct ring_view v;
	int err;

	T_EQ(ring_reader_seek(r, RING_SEEK_TIME, ts), 0);
	err = ring_reader_peek(r, &v);
	if (want == f->n) {
		T_EQ(err, -EAGAIN);
		return;
	}
	if (err || v.rec.seq != want)
		T_FAIL("seek to %llu: got %d seq %llu, want seq %llu", (unsigned long long)ts, err,
		       (unsigned long long)v.rec.seq, (unsigned long long)want);
	T_EQ(v.lost, 0);
}

static void check_seek_times(struct fix *f, struct ring_reader *r)
{
	uint64_t oldest = oldest_intact(f), s;

	check_seek_time(f, r, 0);
	check_seek_time(f, r, ts_of(oldest) - 1);
	if (oldest)
		check_seek_time(f, r, ts_of(oldest - 1));
	for (s = oldest; s < f->n; s++) {
		check_seek_time(f, r, ts_of(s));
		check_seek_time(f, r, ts_of(s) - 5);
		check_seek_time(f, r, ts_of(s) + 1);
	}
	check_seek_time(f, r, ts_of(f->n));
	check_seek_time(f, r, UINT64_MAX);
}

/* Nothing to read yet; then exactly the next record written, with no loss. */
static void expect_only_next(struct fix *f, struct ring_reader *r)
{
	struct ring_view v;
	uint64_t s;

	T_EQ(ring_reader_peek(r, &v), -EAGAIN);
	s = put(f, 10);
	ring_writer_publish(&f->w);
	T_EQ(get(f, r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.lost, 0);
}

static void test_seek(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect, s;
	int err;

	fix_init(&f, 5);
	/* An empty ring. */
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_reader_seek(&r, RING_SEEK_TIME, 0), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_reader_seek(&r, (enum ring_seek)99, 0), -EINVAL);

	/* Newest: only what is written after. */
	put_bytes(&f, BS / 2);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	expect_only_next(&f, &r);
	put_bytes(&f, 1000);
	T_EQ(ring_reader_seek(&r, RING_SEEK_NEWEST, 0), 0);
	expect_only_next(&f, &r); /* a seek is not a loss */

	/* Oldest and time, in the first block and before the ring wrapped. */
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	expect = 0;
	drain(&f, &r, &expect);
	check_seek_times(&f, &r);
	put_bytes(&f, 3 * BS);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	expect = 0;
	drain(&f, &r, &expect);
	check_seek_times(&f, &r);
	/* The writer has just entered a block and has published nothing in
	 * it yet: it is in the middle of its first record. */
	end_block(&f);
	T_ASSERT(ring_writer_reserve(&f.w, 10));
	T_EQ(hdr(&f)->tail % BS, sizeof(struct ring_blk));
	check_seek_times(&f, &r);
	put(&f, 10);
	ring_writer_publish(&f.w);
	check_seek_times(&f, &r);

	/* After the ring wrapped, with the writer at various points. */
	put_bytes(&f, 2 * f.cap + BS / 3);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	s = oldest_intact(&f);
	T_ASSERT(s > 0);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(v.lost, 0);
	T_EQ(v.events, 0);
	expect = s + 1;
	drain(&f, &r, &expect);
	check_seek_times(&f, &r);
	end_block(&f);
	T_ASSERT(ring_writer_reserve(&f.w, 10));
	check_seek_times(&f, &r);
	put(&f, ring_max_caplen(BS));
	ring_writer_publish(&f.w);
	check_seek_times(&f, &r);
	put(&f, 10);
	ring_writer_publish(&f.w);
	check_seek_times(&f, &r);

	/* A target after everything waits for the next record. */
	T_EQ(ring_reader_seek(&r, RING_SEEK_TIME, ts_of(f.n)), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	s = put(&f, 50);
	ring_writer_publish(&f.w);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	/* A reader that seeks and then reads on sees no loss. */
	T_EQ(ring_reader_seek(&r, RING_SEEK_TIME, ts_of(f.n - 100)), 0);
	expect = f.n - 100;
	while ((err = get(&f, &r, &v)) == 0) {
		T_EQ(v.rec.seq, expect++);
		T_EQ(v.lost, 0);
	}
	T_EQ(err, -EAGAIN);
	T_EQ(r.lost, 0);
	T_EQ(r.rejected, 0);
	fix_free(&f);

	/* Runs of equal timestamps across block boundaries: the first record
	 * of the run is found, not the first of the block it ends in. */
	ts_div = 40;
	fix_init(&f, 5);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_bytes(&f, 2 * BS);
	check_seek_times(&f, &r);
	put_bytes(&f, 2 * f.cap);
	check_seek_times(&f, &r);
	fix_free(&f);
	ts_div = 1;
}

/* Write n records of caplen bytes with whatever geometry the ring has. */
static void put_raw(struct fix *f, uint64_t n, uint32_t caplen)
{
	while (n--) {
		struct ring_rec *rec = ring_writer_reserve(&f->w, caplen);

		T_ASSERT(rec);
		memset(rec, 0, sizeof(*rec));
		rec->caplen = caplen;
		rec->wirelen = caplen;
		ring_writer_commit(&f->w, rec);
	}
	ring_writer_publish(&f->w);
}

/* The ring is reformatted under an attached reader. */
static void test_reset(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t expect, first, s;

	fix_init(&f, 7);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_bytes(&f, f.cap + 2 * BS + 100);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	first = expect = oldest_intact(&f);
	drain(&f, &r, &expect);

	/* Same geometry: positions restart, seq and generation carry on. */
	T_EQ(ring_layout_format(f.mem, f.len, BS), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 2), 0);
	T_EQ(f.w.seq, f.n);
	T_EQ(f.w.pos, sizeof(struct ring_blk));
	s = put(&f, 100);
	put(&f, 200);
	ring_writer_publish(&f.w);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, s);
	T_EQ(f.pos[s], sizeof(struct ring_blk));
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_RESET | RING_EV_GENERATION);
	expect = s + 1;
	drain(&f, &r, &expect);
	/* and the reader goes on as usual, laps included */
	put_bytes(&f, 2 * f.cap);
	T_EQ(r.laps, 0);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.events, RING_EV_LAPPED);
	T_EQ(v.lost, v.rec.seq - expect);
	T_EQ(r.laps, 1);
	expect = v.rec.seq + 1;
	drain(&f, &r, &expect);
	T_EQ(r.records + r.lost, f.n - first);
	T_EQ(r.rejected, 0);

	/* Another geometry: the reader must reopen, and is told so until it
	 * does. */
	T_EQ(ring_layout_format(f.mem, f.len, 2 * BS), 0);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 3), 0);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	put_raw(&f, 1, 10);
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(v.rec.seq, f.n);
	T_EQ(v.rec.caplen, 10);
	T_EQ(ring_reader_release(&r), 0);

	/* The same, found at a block start rather than while idle: the new
	 * writer is already past the reader's position when it looks. */
	T_EQ(ring_layout_format(f.mem, f.len, BS), 0);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 4), 0);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_raw(&f, 2, BS / 2);			     /* one per block */
	T_ASSERT(ring_writer_reserve(&f.w, BS / 2)); /* enters block 2 */
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(ring_reader_release(&r), 0);
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(ring_reader_release(&r), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);
	T_EQ(r.pos, 2 * BS + sizeof(struct ring_blk));
	T_EQ(ring_layout_format(f.mem, f.len, 2 * BS), 0);
	T_EQ(ring_writer_open(&f.w, f.mem, f.len, 5), 0);
	put_raw(&f, 4, BS / 2);
	T_ASSERT(hdr(&f)->tail > r.pos);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(r.rejected, 0);
	fix_free(&f);
}

/* Seek by sequence number: exact, and what is gone counts as lost. */
static void test_seek_seq(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	uint64_t s, oldest;

	fix_init(&f, 5);
	put_bytes(&f, 2 * BS);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	/* Every record still in the ring is found exactly, with no loss. */
	for (s = 0; s < f.n; s += 1 + f.n / 50) {
		T_EQ(ring_reader_seek(&r, RING_SEEK_SEQ, s), 0);
		T_EQ(get(&f, &r, &v), 0);
		T_EQ(v.rec.seq, s);
		T_EQ(v.lost, 0);
	}
	/* The next record to be written: nothing yet, then exactly it. */
	T_EQ(ring_reader_seek(&r, RING_SEEK_SEQ, f.n), 0);
	expect_only_next(&f, &r);
	/* Overwritten meanwhile: the oldest intact, the rest lost. */
	put_bytes(&f, 2 * f.cap);
	oldest = oldest_intact(&f);
	T_ASSERT(oldest > 10);
	T_EQ(ring_reader_seek(&r, RING_SEEK_SEQ, 3), 0);
	T_EQ(get(&f, &r, &v), 0);
	T_ASSERT(v.rec.seq >= oldest);
	T_EQ(v.lost, v.rec.seq - 3);
	fix_free(&f);
}

/* Peek until not 0: every record delivered meanwhile must be intact and
 * what was written; returns the first non-zero result. */
static int get_all(struct fix *f, struct ring_reader *r)
{
	static uint8_t buf[BS];
	struct ring_view v;
	int err;

	while ((err = ring_reader_peek(r, &v)) == 0) {
		T_ASSERT(v.rec.caplen <= ring_max_caplen(BS));
		memcpy(buf, v.data, v.rec.caplen);
		if (ring_reader_release(r) == 0)
			check_rec(f, &v, buf);
	}
	return err;
}

/*
 * The shared header zeroed or changed under an attached reader: the reader
 * computes every address from its own copy of the geometry, so it neither
 * divides by the header's nor reads outside its mapping; it reports
 * -EPROTO, on every call until it is reopened.
 */
static void test_private_geometry(void)
{
	struct fix f;
	struct ring_reader r;
	struct ring_view v;
	struct ring_hdr saved;
	uint64_t expect = 0, k;
	int err, i;

	/* Line 0 zeroed while the reader stands at the end of a block and
	 * records wait in the next: moving on computes the next block's
	 * address (the old code divided by the header's block count). */
	fix_init(&f, 4);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	put_bytes(&f, BS / 2);
	end_block(&f);
	drain(&f, &r, &expect);
	put(&f, 100);
	put(&f, 200);
	ring_writer_publish(&f.w);
	saved = *hdr(&f);
	memset(hdr(&f), 0, 64);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	/* Restored, it stays refused: what was read meanwhile is suspect. */
	memcpy(hdr(&f), &saved, 64);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(r.records, expect);
	T_EQ(r.rejected, 0);
	/* Reopened, it reads on. */
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	T_EQ(ring_reader_seek(&r, RING_SEEK_SEQ, expect), 0);
	drain(&f, &r, &expect);

	/* The whole header page zeroed, records pending mid-block. */
	put(&f, 300);
	put(&f, 400);
	ring_writer_publish(&f.w);
	saved = *hdr(&f);
	T_EQ(get(&f, &r, &v), 0);
	T_EQ(v.rec.seq, expect++);
	memset(hdr(&f), 0, sizeof(struct ring_hdr));
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	*hdr(&f) = saved;

	fix_free(&f);

	/* Reformatted in place with another geometry, no writer yet: refused
	 * at once, not waited on as an empty ring. */
	fix_init(&f, 7);
	put_bytes(&f, 2 * BS);
	T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
	T_EQ(ring_layout_format(f.mem, f.len, 2 * BS), 0);
	T_EQ(ring_reader_peek(&r, &v), -EPROTO);
	fix_free(&f);

	/* Any field of line 0 set to anything, the reader anywhere: records
	 * delivered are intact, else -EAGAIN or -EPROTO, and no crash. */
	fix_init(&f, 5);
	put_bytes(&f, 3 * f.cap);
	saved = *hdr(&f);
	for (i = 0; i < 2000; i++) {
		static const uint64_t vals[] = {
			0, 1, 3, BS / 2, BS, 2 * BS, 1u << 30, 1u << 31, UINT32_MAX, UINT64_MAX
		};
		uint64_t val = rnd() % 4 ? vals[rnd() % (sizeof(vals) / sizeof(vals[0]))] : rnd();

		*hdr(&f) = saved;
		T_EQ(ring_reader_open(&r, f.mem, f.len), 0);
		T_EQ(ring_reader_seek(&r, rnd() % 2 ? RING_SEEK_OLDEST : RING_SEEK_SEQ,
				      oldest_intact(&f) + rnd() % (f.n - oldest_intact(&f))),
		     0);
		for (k = rnd() % 50; k > 0; k--)
			if (get_all(&f, &r) != 0 || rnd() % 8 == 0)
				break;
		switch (rnd() % 6) {
		case 0:
			hdr(&f)->magic = val;
			break;
		case 1:
			hdr(&f)->version = (uint32_t)val;
			break;
		case 2:
			hdr(&f)->file_size = val;
			break;
		case 3:
			hdr(&f)->data_off = val;
			break;
		case 4:
			hdr(&f)->block_size = (uint32_t)val;
			break;
		default:
			hdr(&f)->nblocks = (uint32_t)val;
			break;
		}
		err = get_all(&f, &r);
		T_ASSERT(err == -EAGAIN || err == -EPROTO);
		if (err == -EPROTO)
			T_EQ(get_all(&f, &r), -EPROTO);
		T_EQ(r.rejected, 0);
	}
	*hdr(&f) = saved;
	fix_free(&f);
}

/* A ring file replaced by another (capd restarted with another size): the
 * reader follows it with ring_reader_reattach(). */
static void test_reattach(void)
{
	struct fix a, b, c;
	struct ring_reader r;
	struct ring_view v;
	struct ring_hdr copy;
	uint64_t expect = 0, lost, records;
	uint8_t junk[4 * BS];

	fix_init(&a, 4);
	T_EQ(ring_reader_open(&r, a.mem, a.len), 0);
	put_bytes(&a, 2 * BS);
	drain(&a, &r, &expect);

	/* a's writer is gone; b continues its sequence in another file. */
	fix_init_after(&b, 6, hdr(&a));
	T_EQ(hdr(&b)->format_seq, a.n);
	T_EQ(hdr(&b)->generation, hdr(&a)->generation + 1);
	put_bytes(&b, 5000);
	T_EQ(ring_reader_reattach(&r, b.mem, b.len), 0);
	T_EQ(r.block_size, BS);
	T_EQ(r.nblocks, 6);
	T_EQ(get(&b, &r, &v), 0);
	T_EQ(v.rec.seq, a.n);
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_REPLACED);
	expect = a.n + 1;
	drain(&b, &r, &expect);
	T_EQ(r.records, b.n);
	T_EQ(r.lost, 0);

	/* A writer killed with records taken but not published: the next
	 * file skips their numbers, and a reader following counts them. */
	ring_writer_take(&b.w, 4);
	T_EQ(hdr(&b)->taken_seq, b.n + 4);
	{
		struct ring_reader r2 = r; /* a second reader where r is */
		struct fix d;

		fix_init_after(&d, 4, hdr(&b));
		T_EQ(d.n, b.n + 4);
		T_EQ(hdr(&d)->format_seq, b.n);
		put_bytes(&d, 1000);
		T_EQ(ring_reader_reattach(&r2, d.mem, d.len), 0);
		T_EQ(get(&d, &r2, &v), 0);
		T_EQ(v.rec.seq, b.n + 4);
		T_EQ(v.lost, 4);
		T_EQ(v.events, RING_EV_REPLACED);
		T_EQ(r2.lost, r.lost + 4);
		fix_free(&d);
	}
	hdr(&b)->taken_seq = b.n; /* b goes on, as if nothing was taken */

	/* Then b goes on as any ring: a writer restart, a lap. */
	T_EQ(ring_writer_open(&b.w, b.mem, b.len, 2), 0);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN); /* polled meanwhile */
	put(&b, 10);
	ring_writer_publish(&b.w);
	T_EQ(get(&b, &r, &v), 0);
	T_EQ(v.events, RING_EV_GENERATION);
	expect++;
	put_bytes(&b, 2 * b.cap);
	T_EQ(get(&b, &r, &v), 0);
	T_EQ(v.events, RING_EV_LAPPED);
	T_EQ(v.lost, v.rec.seq - expect);
	expect = v.rec.seq + 1;
	drain(&b, &r, &expect);
	T_EQ(r.records + r.lost, b.n);

	/* A file that started its sequence afresh and wrapped before the
	 * reader came: all of its records it no longer holds are lost. */
	fix_init(&c, 3);
	put_bytes(&c, 3 * c.cap);
	records = r.records;
	lost = r.lost;
	T_EQ(ring_reader_reattach(&r, c.mem, c.len), 0);
	T_EQ(r.records, records);
	T_EQ(r.lost, lost);
	T_EQ(get(&c, &r, &v), 0);
	T_EQ(v.rec.seq, oldest_intact(&c));
	T_ASSERT(v.rec.seq > 0);
	T_EQ(v.lost, v.rec.seq);
	T_EQ(v.events, RING_EV_REPLACED);
	expect = v.rec.seq + 1;
	drain(&c, &r, &expect);
	T_EQ(r.records - records + r.lost - lost, c.n);
	T_EQ(r.rejected, 0);

	/* Detached: the counters stay, nothing is read. */
	copy = *hdr(&c);
	ring_reader_detach(&r, &copy);
	T_EQ(ring_reader_peek(&r, &v), -ENODEV);
	T_EQ(ring_reader_release(&r), -ENODEV);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), -ENODEV);
	T_EQ(ring_reader_backlog(&r), 0);
	T_EQ(r.records - records + r.lost - lost, c.n);
	/* No ring: refused, and the reader stays as it was. */
	memset(junk, 0x5a, sizeof(junk));
	T_EQ(ring_reader_reattach(&r, junk, sizeof(junk)), -EINVAL);
	T_EQ(ring_reader_peek(&r, &v), -ENODEV);
	T_EQ(r.records - records + r.lost - lost, c.n);
	/* A first sequence number beyond what was written counts nothing. */
	hdr(&a)->format_seq = hdr(&a)->next_seq + 1;
	T_EQ(ring_reader_reattach(&r, a.mem, a.len), 0);
	T_EQ(r.expect, RING_SEQ_UNKNOWN);
	T_EQ(get(&a, &r, &v), 0);
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_REPLACED);
	fix_free(&a);
	fix_free(&b);
	fix_free(&c);
}

/* Write n records through a mapped file's writer and publish them. */
static void file_put(struct ring_writer *w, uint64_t n)
{
	while (n--) {
		struct ring_rec *rec = ring_writer_reserve(w, 64);

		T_ASSERT(rec);
		memset(rec, 0, sizeof(*rec));
		rec->caplen = 64;
		rec->wirelen = 64;
		ring_writer_commit(w, rec);
	}
	ring_writer_publish(w);
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	T_EQ(stat(path, &st), 0);
	return st.st_ino;
}

/*
 * ring_file_create() on a plain file system (allow_any_fs): a ring of the
 * same size and block size is reused; any other file at the path is
 * replaced by a new one that carries the sequence on, never resized nor
 * reformatted under the readers that map it.
 */
static void test_file_replace(void)
{
	const char *dir = t_tmpdir("test_ring");
	char path[300];
	struct ring_file_opts o = {
		.path = path,
		.size = 8 * BS,
		.block_size = BS,
		.gid = (gid_t)-1,
		.mode = 0600,
		.allow_any_fs = true,
	};
	struct ring_map m = { .fd = -1 }, rm = { .fd = -1 }, rm2 = { .fd = -1 };
	const struct ring_hdr *h;
	struct ring_writer w;
	struct ring_reader r;
	struct ring_view v;
	struct stat st;
	uint64_t tail;
	ino_t ino;
	int fd, n = 0;

	snprintf(path, sizeof(path), "%s/r", dir);
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(m.created);
	T_EQ(ring_writer_open(&w, m.mem, m.len, 1), 0);
	file_put(&w, 100);
	tail = ((struct ring_hdr *)m.mem)->tail;
	ring_file_close(&m); /* the writer dies: its state says running */
	ino = ino_of(path);

	T_EQ(ring_file_open_ro(path, &rm), 0);
	T_EQ(ring_reader_open(&r, rm.mem, rm.len), 0);
	T_EQ(ring_reader_seek(&r, RING_SEEK_OLDEST, 0), 0);
	while (ring_reader_peek(&r, &v) == 0 && ring_reader_release(&r) == 0)
		n++;
	T_EQ(n, 100);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);

	/* The same geometry: the same file, records and positions kept. */
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(!m.created);
	T_EQ(ino_of(path), ino);
	h = m.mem;
	T_EQ(h->tail, tail);
	T_EQ(h->next_seq, 100);
	T_EQ(h->generation, 1);
	ring_file_close(&m);

	/* Another block size: a new file; the old one is unlinked, and the
	 * reader that maps it sees it as it was. */
	o.block_size = 2 * BS;
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(m.created);
	T_EQ(fstat(rm.fd, &st), 0);
	T_EQ(st.st_nlink, 0);
	T_ASSERT(ino_of(path) != ino);
	ino = ino_of(path);
	h = m.mem;
	T_EQ(h->block_size, 2 * BS);
	T_EQ(h->nblocks, 3);
	T_EQ(h->format_seq, 100);
	T_EQ(h->next_seq, 100);
	T_EQ(h->generation, 1);
	T_EQ(h->tail, 0);
	h = rm.mem;
	T_EQ(h->block_size, BS);
	T_EQ(h->nblocks, 7);
	T_EQ(h->tail, tail);
	T_EQ(ring_reader_peek(&r, &v), -EAGAIN);

	/* The reader follows into the new file, and loses nothing. */
	T_EQ(ring_writer_open(&w, m.mem, m.len, 2), 0);
	file_put(&w, 10);
	T_EQ(ring_file_open_ro(path, &rm2), 0);
	T_EQ(ring_reader_reattach(&r, rm2.mem, rm2.len), 0);
	ring_file_close(&rm);
	T_EQ(ring_reader_peek(&r, &v), 0);
	T_EQ(v.rec.seq, 100);
	T_EQ(v.lost, 0);
	T_EQ(v.events, RING_EV_REPLACED);
	T_EQ(ring_reader_release(&r), 0);
	n = 1;
	while (ring_reader_peek(&r, &v) == 0 && ring_reader_release(&r) == 0)
		n++;
	T_EQ(n, 10);
	T_EQ(r.records, 110);
	T_EQ(r.lost, 0);
	ring_file_close(&m);

	/* Another size: replaced too, and the sequence goes on. */
	o.size = 12 * BS;
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(m.created);
	T_EQ(fstat(rm2.fd, &st), 0);
	T_EQ(st.st_nlink, 0);
	T_ASSERT(ino_of(path) != ino);
	h = m.mem;
	T_EQ(h->file_size, 12 * BS);
	T_EQ(h->format_seq, 110);
	T_EQ(h->generation, 2);
	ring_file_close(&m);
	ring_file_close(&rm2);

	/* A file of the right size that holds no ring: replaced by a new
	 * one, not formatted in place; nothing to carry on. */
	T_EQ(unlink(path), 0);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_EQ(ftruncate(fd, 12 * BS), 0);
	T_EQ(pwrite(fd, "not a ring", 10, 0), 10);
	T_EQ(fstat(fd, &st), 0);
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(m.created);
	T_ASSERT(ino_of(path) != st.st_ino);
	T_EQ(fstat(fd, &st), 0);
	T_EQ(st.st_nlink, 0);
	close(fd);
	h = m.mem;
	T_EQ(h->format_seq, 0);
	T_EQ(h->generation, 0);
	ring_file_close(&m);

	/* An empty file (a writer that died before sizing it): used. */
	T_EQ(unlink(path), 0);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_EQ(fstat(fd, &st), 0);
	close(fd);
	T_EQ(ring_file_create(&o, &m), 0);
	T_ASSERT(m.created);
	T_EQ(ino_of(path), st.st_ino);
	ring_file_close(&m);
}

/* A writer killed in the middle of a clock update leaves seq odd: readers
 * give up after a bounded wait, and the next writer's update repairs it. */
static void test_clock_dead_writer(void)
{
	static struct ring_clock c, out;
	uint64_t t0;

	c.utc_offset = 37;
	ring_clock_write_begin(&c); /* ... and the writer dies */
	T_ASSERT(c.seq & 1);
	t0 = clock_ns(CLOCK_MONOTONIC);
	T_EQ(ring_clock_read(&c, &out), -EAGAIN);
	T_ASSERT(clock_ns(CLOCK_MONOTONIC) - t0 < 10 * RING_CLOCK_READ_WAIT_NS);
	T_EQ(out.utc_offset, 0);
	ring_clock_write_begin(&c); /* its successor */
	T_ASSERT(c.seq & 1);
	c.utc_offset = 36;
	ring_clock_write_end(&c);
	T_ASSERT(!(c.seq & 1));
	T_EQ(ring_clock_read(&c, &out), 0);
	T_EQ(out.utc_offset, 36);
}

int main(void)
{
	test_layout();
	test_wrap();
	test_padding();
	test_lap();
	test_stale();
	test_malformed();
	test_generation();
	test_seek();
	test_seek_seq();
	test_reset();
	test_private_geometry();
	test_reattach();
	test_file_replace();
	test_clock_dead_writer();
	return T_EXIT_PASS;
}
