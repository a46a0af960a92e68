/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * delivery.h - which packets reached the reader of a pipe: a packet counts
 * once every byte of it was taken by write(2), not when it was handed to a
 * buffer, so that a summary after `| head` tells what was delivered.
 *
 * The writer tells the offset at which each packet's bytes end in the
 * stream (delivery_add()) and, as it learns it, how many bytes of the
 * stream write(2) took (delivery_reached()).  Offsets must not decrease.
 */
#ifndef CAPD_DELIVERY_H
#define CAPD_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct delivery {
	uint64_t *end; /* ring of the end offsets of packets not yet delivered */
	size_t cap, head, n;
	uint64_t reached; /* bytes taken by write(2) */
	uint64_t done;	  /* packets delivered */
};

/* Room for cap packets in flight.  @return 0 or -ENOMEM. */
int delivery_init(struct delivery *d, size_t cap);
void delivery_free(struct delivery *d);

/* One more packet, ending at offset end.  @return false if the ring is
 * full: learn more with delivery_reached() first (then it has room). */
bool delivery_add(struct delivery *d, uint64_t end);

/* write(2) took bytes of the stream so far: the packets they cover are delivered. */
void delivery_reached(struct delivery *d, uint64_t bytes);

/* Packets in flight (added, not yet delivered). */
static inline size_t delivery_pending(const struct delivery *d)
{
	return d->n;
}

/*
 * Standard output through a stream that counts what write(2) takes into
 * d->reached, for text lines: stdout is replaced by it (same descriptor,
 * line-buffered on a terminal, fully buffered otherwise, as before).  A
 * line is delivered once delivery_add(d, delivery_stdout_offset(d)) was
 * told after it and the bytes were written.
 * @return 0, or -errno (stdout is left as it was).
 */
int delivery_stdout(struct delivery *d);

/* The end of what was printed to stdout so far: written plus buffered. */
uint64_t delivery_stdout_offset(const struct delivery *d);

#endif
