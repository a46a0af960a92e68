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
 *   W3  write block header, records and payload (plain stores); before a
 *       batch's records, store_relaxed(taken_seq) + ring_fence_compiler():
 *       a writer killed mid-batch leaves no record without it
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

/*
 * Memory ordering, in one place (as liburing's barrier.h): memory another
 * thread or process uses concurrently is accessed through these helpers,
 * never with __atomic_*() directly: the ring, its clock page (ring_clock.h)
 * and counters, capd's inter-thread flags and counters, AF_XDP's rings.
 *
 * release store / acquire load: whoever reads the stored value with an
 * acquire load also sees every write made before the release store.  tail
 * publishes the records below it (W4, R1); generation and writer_state the
 * writer's identity on line 1; magic, stored last, a formatted header; the
 * clock page's seq its fields; AF_XDP's producer index (read as libxdp
 * does) the descriptors and frames the kernel wrote before it.
 *
 * relaxed load / store: only the value itself matters, nothing is read
 * through it (next_seq, bytes, heartbeat_ns, the statistics counters, the
 * clock's synced verdict, stop flags), or the ordering comes from a fence
 * (intent: W2 and R3; the clock page's seq, ring_clock.h).
 * Still atomic: never torn, and the compiler neither caches, repeats nor
 * splits the access.
 *
 * On x86-64 every load and store here is a plain mov: acquire and release
 * only keep the compiler from reordering (arm64: ldar and stlr).
 */
static inline uint32_t ring_load_acquire32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t ring_load_acquire64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline bool ring_load_relaxed_bool(const bool *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint8_t ring_load_relaxed8(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t ring_load_relaxed32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint64_t ring_load_relaxed64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void ring_store_release32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void ring_store_release64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void ring_store_relaxed_bool(bool *p, bool v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void ring_store_relaxed32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void ring_store_relaxed64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/*
 * *p += v for a counter with exactly one writing thread, read concurrently
 * with ring_load_relaxed64().  The writer reads its own last value with a
 * plain load (nobody else stores there) and publishes the sum with a
 * relaxed store: no locked read-modify-write in the hot loop.  Two writers
 * would lose updates.
 */
static inline void ring_counter_add64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, *p + v, __ATOMIC_RELAXED);
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

/* Clock page: the odd seq is visible before any field changes. */
static inline void ring_fence_release(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/*
 * The stores before it are made before those after it, as this thread runs:
 * the compiler may not move them across (no CPU fence).  Enough for what a
 * killed writer leaves in the mapping, since a store the CPU has executed
 * reaches the page whatever becomes of the process: taken_seq before the
 * records it covers.
 */
static inline void ring_fence_compiler(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/*
 * Pause in a busy-wait loop: lets the sibling hyperthread run and saves
 * power (x86 pause, arm64 yield).  Orders no memory access: the loop still
 * re-reads what it waits for with a ring_load_*().
 */
static inline void ring_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Bytes of data space the ring holds at once. */
static inline uint64_t ring_capacity(const struct ring_hdr *h)
{
	return (uint64_t)h->nblocks * h->block_size;
}

/*
 * Packets of a queue dropped before they reached the ring: by the NIC, by
 * the kernel on the way to the AF_XDP socket, with the socket's RX ring
 * full, or selected on a queue that has no capd socket (xdp_no_socket: the
 * interface's uncaptured queues, on its first captured one), or, on the
 * shared path, by the AF_PACKET socket with its ring full (pkt_drops).  Not
 * xsk_fill_ring_empty: in copy mode those drops are inside xsk_rx_dropped
 * already, in zero-copy mode it counts refill attempts.
 * The counters are read relaxed; each only grows within a generation.
 */
static inline uint64_t ring_queue_dropped(const struct ring_queue_stats *q)
{
	return ring_load_relaxed64(&q->nic_dropped) + ring_load_relaxed64(&q->xsk_rx_dropped) +
	       ring_load_relaxed64(&q->xsk_rx_ring_full) + ring_load_relaxed64(&q->xdp_no_socket) +
	       ring_load_relaxed64(&q->pkt_drops);
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
