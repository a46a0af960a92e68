// SPDX-License-Identifier: BSD-2-Clause
#include <string.h>

#include "capture.h"
#include "clock_ns.h"
#include "xsk.h"

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
	ring_writer_publish(w);
	ring_counter_add64(&s->stats->packets, n);
	ring_counter_add64(&s->stats->bytes, bytes);
	if (truncated)
		ring_counter_add64(&s->stats->truncated, truncated);
}

void capture_run(struct capture *c)
{
	struct xsk_rx_frame frames[CAPTURE_MAX_BATCH];
	bool moved = true;
	unsigned int i;

	/* Touch the frame array now so the loop takes no stack fault later. */
	memset(frames, 0, sizeof(frames));
	/* After stop, drain: return only after a pass that found nothing. */
	while (moved || !ring_load_relaxed_bool(&c->stop)) {
		moved = false;
		for (i = 0; i < c->nsrcs; i++) {
			struct capture_src *s = &c->srcs[i];
			unsigned int n = xsk_rx_peek(s->xsk, frames, c->batch);
			uint64_t t0;

			/* Busy time counts batches only, never idle polling. */
			if (!n)
				continue;
			t0 = clock_ns(CLOCK_MONOTONIC);
			capture_batch(c, s, frames, n);
			ring_counter_add64(&c->stats->busy_ns, clock_ns(CLOCK_MONOTONIC) - t0);
			ring_counter_add64(&c->stats->batches, 1);
			moved = true;
		}
		ring_counter_add64(&c->stats->polls, 1);
		ring_cpu_relax();
	}
	ring_writer_publish(c->writer);
}
