// SPDX-License-Identifier: BSD-2-Clause
#include <string.h>

#include "capture.h"
#include "clock_ns.h"
#include "pktring.h"
#include "pktsel.h"
#include "xsk.h"

#define NS_PER_S 1000000000LL

union capture_frames {
	struct xsk_rx_frame x[CAPTURE_MAX_BATCH];
	struct pktring_frame p[CAPTURE_MAX_BATCH];
};

/* Stamp and source from the XDP metadata; user-space time if there is none. */
static inline void rec_stamp(struct ring_rec *rec, const struct capd_xdp_meta *m)
{
	if (m && m->magic == CAPD_META_MAGIC) {
		rec->feed = m->feed;
		if (m->flags & CAPD_META_F_VLAN)
			rec->flags |= RING_REC_F_VLAN;
		if (m->flags & CAPD_META_F_HW_TS) {
			rec->ts_ns = m->hw_ts;
			rec->ts_source = RING_TS_PHC;
		} else {
			rec->ts_ns = m->tai_ns;
			rec->ts_source = RING_TS_KERNEL_TAI;
		}
		return;
	}
	rec->feed = RING_FEED_NONE;
	rec->ts_ns = clock_ns(CLOCK_TAI);
	rec->ts_source = RING_TS_USER_TAI;
}

/* A batch's records to readers, and its figures to the queue's counters. */
static inline void batch_published(struct capture *c, struct capture_src *s, unsigned int n,
				   uint64_t bytes, uint64_t truncated)
{
	ring_writer_publish(c->writer);
	ring_counter_add64(&s->stats->packets, n);
	ring_counter_add64(&s->stats->bytes, bytes);
	if (truncated)
		ring_counter_add64(&s->stats->truncated, truncated);
}

/* Move n peeked frames of one socket into the ring and publish them. */
static void capture_batch(struct capture *c, struct capture_src *s,
			  const struct xsk_rx_frame *frames, unsigned int n)
{
	struct ring_writer *w = c->writer;
	uint64_t bytes = 0, truncated = 0;
	/* The verdict changes once a second at most: once per batch is enough. */
	uint8_t flags = ring_load_relaxed8(c->synced) ? 0 : RING_REC_F_UNSYNCED;
	unsigned int i;

	/* From here on, a crash loses these n frames: say so first. */
	ring_writer_take(w, n);
	for (i = 0; i < n; i++) {
		const struct xsk_rx_frame *f = &frames[i];
		uint32_t caplen = f->wire_len < c->snaplen ? f->wire_len : c->snaplen;
		struct ring_rec *rec = ring_writer_reserve(w, caplen);

		/* caplen <= snaplen <= the ring's max caplen: rec is never NULL */
		rec->wirelen = xsk_rx_copy(s->xsk, f, rec + 1, caplen);
		rec->caplen = caplen;
		rec->iface = s->iface;
		rec->queue = s->queue;
		rec->flags = flags;
		rec_stamp(rec, f->meta);
		ring_writer_commit(w, rec);
		bytes += rec->wirelen;
		truncated += caplen < rec->wirelen;
	}
	xsk_rx_release(s->xsk);
	batch_published(c, s, n, bytes, truncated);
}

/*
 * TAI - UTC, which is whole seconds: the kernel stamps the shared path's
 * frames with CLOCK_REALTIME and the ring holds TAI.  Two vDSO reads a few
 * nanoseconds apart, rounded, give it exactly.
 */
static inline int64_t tai_offset(void)
{
	int64_t d = (int64_t)clock_ns(CLOCK_TAI) - (int64_t)clock_ns(CLOCK_REALTIME);

	return (d + NS_PER_S / 2) / NS_PER_S * NS_PER_S;
}

/* A tag the kernel took off goes back where it was: records are the wire's bytes. */
static inline uint32_t pkt_copy(const struct pktring_frame *f, uint8_t *dst, uint32_t caplen)
{
	uint8_t hdr[16];
	uint32_t n;

	if (!f->hw_vlan) {
		memcpy(dst, f->data, caplen < f->len ? caplen : f->len);
		return f->wire_len;
	}
	memcpy(hdr, f->data, 12); /* the kernel's frames hold 14 bytes at least */
	hdr[12] = (uint8_t)(f->vlan >> 24);
	hdr[13] = (uint8_t)(f->vlan >> 16);
	hdr[14] = (uint8_t)(f->vlan >> 8);
	hdr[15] = (uint8_t)f->vlan;
	memcpy(dst, hdr, caplen < 16 ? caplen : 16);
	if (caplen > 16) {
		n = caplen - 16 < f->len - 12 ? caplen - 16 : f->len - 12;
		memcpy(dst + 16, f->data + 12, n);
	}
	return f->wire_len + 4;
}

/* The shared path's batch: the same records as capture_batch(). */
static void capture_pkt_batch(struct capture *c, struct capture_src *s,
			      const struct pktring_frame *frames, unsigned int n)
{
	struct ring_writer *w = c->writer;
	uint64_t bytes = 0, truncated = 0;
	uint8_t flags = ring_load_relaxed8(c->synced) ? 0 : RING_REC_F_UNSYNCED;
	int64_t tai = tai_offset();
	unsigned int i;

	ring_writer_take(w, n);
	for (i = 0; i < n; i++) {
		const struct pktring_frame *f = &frames[i];
		uint32_t wire = f->wire_len + (f->hw_vlan ? 4 : 0);
		uint32_t have = f->len + (f->hw_vlan ? 4 : 0);
		uint32_t caplen = have < c->snaplen ? have : c->snaplen;
		struct ring_rec *rec = ring_writer_reserve(w, caplen);

		rec->wirelen = pkt_copy(f, (uint8_t *)(rec + 1), caplen);
		rec->caplen = caplen;
		rec->iface = s->iface;
		rec->queue = s->queue;
		rec->flags = flags | (f->hw_vlan ? RING_REC_F_VLAN : 0);
		rec->feed = pktsel_feed(s->sel, f->data, f->len);
		if (f->hw_ts) {
			rec->ts_ns = f->ts_ns;
			rec->ts_source = RING_TS_PHC;
		} else {
			rec->ts_ns = (uint64_t)((int64_t)f->ts_ns + tai);
			rec->ts_source = RING_TS_KERNEL_TAI;
		}
		ring_writer_commit(w, rec);
		bytes += wire;
		truncated += caplen < wire;
	}
	pktring_release(s->pkt);
	batch_published(c, s, n, bytes, truncated);
}

/*
 * One batch of one source; @return the frames moved.  Busy time counts
 * batches only, never idle polling.
 */
static inline unsigned int capture_src_pass(struct capture *c, struct capture_src *s,
					    union capture_frames *fr)
{
	unsigned int n;
	uint64_t t0;

	n = s->pkt ? pktring_peek(s->pkt, fr->p, c->batch) : xsk_rx_peek(s->xsk, fr->x, c->batch);
	if (!n)
		return 0;
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (s->pkt)
		capture_pkt_batch(c, s, fr->p, n);
	else
		capture_batch(c, s, fr->x, n);
	ring_counter_add64(&c->stats->busy_ns, clock_ns(CLOCK_MONOTONIC) - t0);
	ring_counter_add64(&c->stats->batches, 1);
	return n;
}

void capture_run(struct capture *c)
{
	union capture_frames frames;
	bool moved = true;
	uint64_t begun = 0; /* CLOCK_TAI at the end of the last pass, if it was quiet */
	unsigned int i;

	/* Touch the frame array now so the loop takes no stack fault later. */
	memset(&frames, 0, sizeof(frames));
	/* After stop, drain: return only after a pass that found nothing. */
	while (moved || !ring_load_relaxed_bool(&c->stop)) {
		moved = false;
		for (i = 0; i < c->nsrcs; i++) {
			if (capture_src_pass(c, &c->srcs[i], &frames))
				moved = true;
		}
		/*
		 * A quiet pass that began after `begun` lets merging readers go
		 * on past that time.  The clock is read only when idle, so a
		 * busy loop pays nothing for it.
		 */
		if (!moved) {
			if (begun)
				ring_writer_quiet(c->writer, begun);
			begun = clock_ns(CLOCK_TAI);
		} else {
			begun = 0;
		}
		ring_counter_add64(&c->stats->polls, 1);
		ring_cpu_relax();
	}
	ring_writer_publish(c->writer);
}
