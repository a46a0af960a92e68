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

int ring_layout_format(void *mem, uint64_t len, uint32_t block_size)
{
	struct ring_hdr *h = mem;
	uint32_t nblocks = ring_layout_nblocks(len, block_size);
	uint32_t generation = 0;
	uint64_t next_seq = 0, bytes = 0;

	if (!nblocks)
		return -EINVAL;
	if (h->magic == RING_MAGIC && h->version == RING_VERSION) {
		generation = h->generation;
		next_seq = h->next_seq;
		bytes = h->bytes;
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
	h->generation = generation;
	h->writer_state = RING_WRITER_NONE;
	h->next_seq = next_seq;
	h->bytes = bytes;
	((struct ring_clock *)((uint8_t *)mem + RING_CLOCK_OFF))->version = 1;
	/* The magic goes last: a half-formatted file is not a ring. */
	ring_store_release64(&h->magic, RING_MAGIC);
	return 0;
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
