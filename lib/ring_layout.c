// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "clock_ns.h"
#include "ring.h"
#include "ring_layout.h"

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

uint32_t ring_layout_nblocks(uint64_t file_size, uint32_t block_size)
{
	uint64_t n;

	if (!is_pow2(block_size) || block_size < RING_BLOCK_SIZE_MIN ||
	    block_size > RING_BLOCK_SIZE_MAX)
		return 0;
	n = file_size / block_size;
	/* The first block-sized area holds the header pages. */
	if (n < RING_NBLOCKS_MIN + 1 || n - 1 > UINT32_MAX)
		return 0;
	return (uint32_t)(n - 1);
}

int ring_layout_format_after(void *mem, uint64_t len, uint32_t block_size,
			     const struct ring_hdr *prev)
{
	struct ring_hdr *h = mem;
	uint32_t nblocks = ring_layout_nblocks(len, block_size);
	uint32_t generation = 0, crashes = 0;
	uint64_t first = 0, next_seq = 0, bytes = 0, crash_lost = 0;

	if (!nblocks)
		return -EINVAL;
	/* Read before the memset: prev may be this very header. */
	if (prev && prev->magic == RING_MAGIC && prev->version == RING_VERSION) {
		generation = prev->generation;
		first = next_seq = prev->next_seq;
		bytes = prev->bytes;
		crashes = prev->crashes;
		crash_lost = prev->crash_lost;
		/* Its writer was killed: what it had taken and not published
		 * is lost, counted and never numbered again, as a writer
		 * restarting in prev would do (ring_writer_open()).  Readers
		 * that follow count the gap from format_seq. */
		if (prev->writer_state == RING_WRITER_RUNNING) {
			crashes++;
			if (prev->taken_seq > next_seq) {
				crash_lost += prev->taken_seq - next_seq;
				next_seq = prev->taken_seq;
			}
		}
	}
	memset(mem, 0, RING_META_SIZE);
	h->version = RING_VERSION;
	h->hdr_size = sizeof(*h);
	h->file_size = len;
	h->data_off = block_size; /* >= RING_META_SIZE since block_size >= MIN */
	h->block_size = block_size;
	h->nblocks = nblocks;
	h->clock_off = RING_CLOCK_OFF;
	h->stats_off = RING_STATS_OFF;
	h->format_ns = clock_ns(CLOCK_REALTIME);
	h->format_seq = first;
	h->generation = generation;
	h->writer_state = RING_WRITER_NONE;
	h->crashes = crashes;
	h->crash_lost = crash_lost;
	h->next_seq = next_seq;
	h->taken_seq = next_seq;
	h->bytes = bytes;
	((struct ring_clock *)((uint8_t *)mem + RING_CLOCK_OFF))->version = 1;
	/* The magic goes last: a half-formatted file is not a ring. */
	ring_store_release64(&h->magic, RING_MAGIC);
	return 0;
}

int ring_layout_format(void *mem, uint64_t len, uint32_t block_size)
{
	return ring_layout_format_after(mem, len, block_size, mem);
}

int ring_layout_check(const struct ring_hdr *h, uint64_t len)
{
	if (len < sizeof(*h) || h->magic != RING_MAGIC)
		return -EINVAL;
	if (h->version != RING_VERSION || h->hdr_size != sizeof(*h))
		return -EPROTONOSUPPORT;
	if (h->file_size > len || !is_pow2(h->block_size) || h->block_size < RING_BLOCK_SIZE_MIN ||
	    h->block_size > RING_BLOCK_SIZE_MAX || h->nblocks < RING_NBLOCKS_MIN ||
	    h->data_off < RING_META_SIZE || h->data_off % h->block_size ||
	    h->clock_off != RING_CLOCK_OFF || h->stats_off != RING_STATS_OFF ||
	    h->data_off > h->file_size ||
	    /* subtract: a huge data_off must not wrap the sum around */
	    ring_capacity(h) > h->file_size - h->data_off)
		return -EBADMSG;
	return 0;
}
