/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.h - the hot loop: AF_XDP receive rings -> shared ring.
 *
 * One thread runs capture_run() over its sockets and writes its own ring
 * (with several capture threads each owns some queues and a ring of the
 * set; they share nothing they write).  After capture_run()
 * starts it makes no system call (the clock is read through the vDSO),
 * allocates nothing, takes no page fault (the ring and UMEM are populated,
 * the stack is prefaulted) and never logs.  It publishes its counters into
 * the ring's statistics area; the housekeeping thread reads them there.
 * Before it copies a batch it notes the frames taken in the ring's header
 * (ring_writer_take()), so that a capd killed before publishing them leaves
 * its successor a gap in the sequence numbers to count them by.
 */
#ifndef CAPD_CAPTURE_H
#define CAPD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "ring_writer.h"

struct xsk_rx;
struct pktring;
struct pktsel;

struct capture_src {
	struct xsk_rx *xsk;		/* bypass path, or */
	struct pktring *pkt;		/* shared path, with */
	const struct pktsel *sel;	/* its feed table */
	struct ring_queue_stats *stats; /* this queue's slot in the ring */
	uint16_t iface;			/* index into ring_stats.ifaces */
	uint16_t queue;
	bool iface_first; /* the interface's first captured queue: its
			   * interface-wide counters are kept here */
};

struct capture {
	struct ring_writer *writer;
	struct ring_stats *stats; /* the ring's statistics area */
	struct capture_src *srcs;
	unsigned int nsrcs;
	uint32_t snaplen;      /* clamped to the ring's max caplen */
	uint32_t batch;	       /* frames per peek, <= CAPTURE_MAX_BATCH */
	const uint8_t *synced; /* the clock page's verdict; read relaxed */
	bool stop;	       /* set by another thread; read relaxed */
};

#define CAPTURE_MAX_BATCH 1024

/* Run until c->stop is set and a pass over the sockets finds nothing more;
 * everything received is published when it returns. */
void capture_run(struct capture *c);

/* Ask capture_run() to drain and return (any thread, async-signal-safe). */
static inline void capture_stop(struct capture *c)
{
	ring_store_relaxed_bool(&c->stop, true);
}

#endif
