/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring.h - memory ordering and geometry of the shared ring, in one place.
 *
 * Every access to a field another process writes concurrently goes through
 * the helpers below, so the ordering argument can be checked on one screen:
 *
 * Writer (single thread), entering absolute block b:
 *   W1  store_relaxed(intent, (b + 1) * block_size)
 *   W2  fence(seq_cst)            -- intent is visible before any byte of
 *                                    slot b % nblocks changes
 *   W3  write block header, records and payload (plain stores)
 *   W4  store_release(tail, pos)  -- all of W3 is visible before the new tail
 *
 * Reader, for the record at absolute position pos:
 *   R1  t = load_acquire(tail);  pos < t, else no data    (pairs with W4)
 *   R2  copy the record header / payload (plain loads)
 *   R3  fence(acquire)            -- R2's loads complete before R4's
 *   R4  i = load_relaxed(intent); the copy is valid only if
 *       pos >= i - capacity        (if R2 saw bytes of a later lap, W2 makes
 *                                   R4 see that lap's intent)
 *
 * Formally R2 races with W3 (as in every seqlock); the data read in a race
 * is never used unless R4 validates it, as in the kernel's seqcount_t.
 */
#ifndef CAPD_RING_H
#define CAPD_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "ring_format.h"

static inline uint64_t ring_load_acquire(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t ring_load_relaxed(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t ring_load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void ring_store_release(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void ring_store_relaxed(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void ring_store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* W2: the new intent is visible before the slot is overwritten. */
static inline void ring_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* R3: reads of the record complete before the intent is re-read. */
static inline void ring_fence_acquire(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* Bytes of data space the ring holds at once. */
static inline uint64_t ring_capacity(const struct ring_hdr *h)
{
	return (uint64_t)h->nblocks * h->block_size;
}

/*
 * Packets of a queue dropped before they reached the ring: by the NIC, by
 * the kernel on the way to the AF_XDP socket, or with the socket's RX ring
 * full.  Not xsk_fill_ring_empty: in copy mode those drops are inside
 * xsk_rx_dropped already, in zero-copy mode it counts refill attempts.
 * The counters are read relaxed; each only grows within a generation.
 */
static inline uint64_t ring_queue_dropped(const struct ring_queue_stats *q)
{
	return __atomic_load_n(&q->nic_dropped, __ATOMIC_RELAXED) +
	       __atomic_load_n(&q->xsk_rx_dropped, __ATOMIC_RELAXED) +
	       __atomic_load_n(&q->xsk_rx_ring_full, __ATOMIC_RELAXED);
}

/* Absolute position of the start of the block that holds pos. */
static inline uint64_t ring_block_start(uint64_t pos, uint32_t block_size)
{
	return pos & ~(uint64_t)(block_size - 1);
}

/* Bytes a record with caplen payload bytes occupies in a block. */
static inline uint64_t ring_rec_size(uint32_t caplen)
{
	return RING_ALIGN(sizeof(struct ring_rec) + (uint64_t)caplen);
}

/* Largest caplen a record may carry with this block size. */
static inline uint32_t ring_max_caplen(uint32_t block_size)
{
	return block_size - sizeof(struct ring_blk) - sizeof(struct ring_rec);
}

/* The data at absolute position pos is intact as long as this holds. */
static inline bool ring_pos_intact(uint64_t pos, uint64_t intent, uint64_t capacity)
{
	return pos + capacity >= intent;
}

/* File offset of absolute position pos. */
static inline uint64_t ring_pos_offset(const struct ring_hdr *h, uint64_t pos)
{
	uint64_t slot = (pos / h->block_size) % h->nblocks;

	return h->data_off + slot * h->block_size + (pos & (h->block_size - 1));
}

#endif
