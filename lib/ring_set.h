/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_set.h - the rings one capd writes, one per capture thread, that
 * readers take as one source.
 *
 * A set is named by its first ring: the set NAME is the ring file NAME
 * (index 0) and, with N capture threads, the files NAME.1 .. NAME.(N-1)
 * beside it.  A capd with one thread writes a set of one: the ring NAME,
 * exactly as before sets existed.  Each ring's header says which set it
 * belongs to (ring_hdr.set_size, set_index, set_id), stamped by the writer
 * before it opens the ring (ring_writer_open()) at every start, so a ring
 * left over from a start with more threads is told apart from a current
 * member: its set_id differs from ring 0's.
 *
 * A reader given NAME opens ring 0, reads set_size there and opens the
 * other members; a reader given NAME.k reads that ring alone.  The header
 * is hostile input: a set larger than RING_SET_MAX is refused.
 */
#ifndef CAPD_RING_SET_H
#define CAPD_RING_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

#define RING_SET_MAX 16u /* capture threads of one capd */

/*
 * The path of member k of the set whose ring 0 is at path0: path0 itself
 * for k = 0, else path0 ".k".
 * @return 0, or -ENAMETOOLONG.
 */
int ring_set_member_path(const char *path0, unsigned int k, char *buf, size_t len);

/* Rings in h's set, as h says (0, from a writer older than sets, is 1):
 * not checked against RING_SET_MAX. */
static inline uint32_t ring_set_size(const struct ring_hdr *h)
{
	uint32_t n = ring_load_relaxed32(&h->set_size);

	return n ? n : 1;
}

/* Writer: say which set h's ring belongs to, before ring_writer_open();
 * id is non-zero and differs between writer starts. */
void ring_set_stamp(struct ring_hdr *h, uint32_t size, uint32_t index, uint64_t id);

/* Is hk the current member k of the set whose ring 0 has header h0? */
bool ring_set_member_of(const struct ring_hdr *h0, const struct ring_hdr *hk, uint32_t k);

#endif
