// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "capture.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "housekeeping.h"
#include "log.h"
#include "ring.h"
#include "ring_clock.h"
#include "xdp_prog.h"
#include "xsk.h"

#define TICK_MS 100
#define STATS_TICKS 10

static void set_stat(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void housekeeping_update_stats(struct housekeeping *hk)
{
	struct capture *c = hk->cap;
	unsigned int i;

	for (i = 0; i < c->nsrcs; i++) {
		struct capture_src *s = &c->srcs[i];
		struct ring_queue_stats *q = s->stats;
		struct capd_xdp_counters xc;
		struct xsk_rx_stats xs;

		if (xsk_rx_stats(s->xsk, &xs) == 0) {
			set_stat(&q->xsk_rx_dropped, xs.rx_dropped);
			set_stat(&q->xsk_rx_ring_full, xs.rx_ring_full);
			set_stat(&q->xsk_fill_ring_empty, xs.rx_fill_ring_empty);
			set_stat(&q->xsk_invalid_descs, xs.rx_invalid_descs);
		}
		if (s->iface < hk->nprogs && hk->progs[s->iface] &&
		    xdp_prog_counters(hk->progs[s->iface], s->queue, &xc) == 0) {
			set_stat(&q->xdp_redirected, xc.c[CAPD_CNT_REDIRECTED]);
			set_stat(&q->xdp_passed, xc.c[CAPD_CNT_PASSED]);
			set_stat(&q->xdp_meta_failed, xc.c[CAPD_CNT_META_FAILED]);
		}
	}
}

static void log_clock(struct housekeeping *hk, const struct ring_clock *c, int send_err)
{
	const char *path = hk->clock.o.ptp4l_socket;
	char line[512];

	if (send_err != hk->last_send_err && send_err < 0) {
		if (send_err == -EACCES || send_err == -EPERM)
			pr_err("ptp4l socket %s: %s: capd's user needs write access to it "
			       "(run ptp4l with Group=capture, docs/clock.md)",
			       path, strerror(-send_err));
		else if (send_err == -ENOENT || send_err == -ECONNREFUSED)
			pr_warn("ptp4l socket %s: %s: ptp4l is not running", path,
				strerror(-send_err));
		else
			pr_warn("ptp4l socket %s: %s", path, strerror(-send_err));
	}
	hk->last_send_err = send_err;
	if (c->sync_rule == hk->last_rule || c->sync_rule == RING_UNSYNC_UNKNOWN)
		return;
	hk->last_rule = c->sync_rule;
	clock_text_describe(line, sizeof(line), c);
	if (c->synced)
		pr_notice("clock %s", line);
	else
		pr_warn("clock %s", line);
}

/* The clock page: ptp4l's answers, the kernel's and the NIC's state. */
static void update_clock(struct housekeeping *hk)
{
	struct ring_clock *c = (struct ring_clock *)((uint8_t *)hk->hdr + RING_CLOCK_OFF);
	const struct ring_stats *st = hk->cap->stats;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	struct ring_clock next;

	clock_status_poll(&hk->clock, now);
	next = *c; /* only this thread writes the page */
	clock_status_fill(&hk->clock, &next, now, clock_ns(CLOCK_REALTIME),
			  st->niface ? st->ifaces[0].ts_source : RING_TS_NONE);
	ring_clock_write_begin(c);
	memcpy((uint8_t *)c + sizeof(c->seq), (uint8_t *)&next + sizeof(c->seq),
	       sizeof(*c) - sizeof(c->seq));
	ring_clock_write_end(c);
	log_clock(hk, &next, hk->clock.send_err);
}

static void notify_status(struct housekeeping *hk, uint64_t *last_pkts, uint64_t *last_polls)
{
	struct capture *c = hk->cap;
	uint64_t pkts = 0, drops = 0, polls;
	unsigned int i;

	for (i = 0; i < c->nsrcs; i++) {
		const struct ring_queue_stats *q = c->srcs[i].stats;

		pkts += __atomic_load_n(&q->packets, __ATOMIC_RELAXED);
		drops += q->xsk_rx_dropped + q->xsk_rx_ring_full + q->xsk_fill_ring_empty;
	}
	polls = __atomic_load_n(&c->stats->polls, __ATOMIC_RELAXED);
	/* A stuck capture loop must not be hidden by a live housekeeping thread. */
	if (polls != *last_polls)
		sd_notify(0, "WATCHDOG=1");
	sd_notifyf(0, "STATUS=capturing: %llu packets, %llu pkt/s, %llu dropped before the ring",
		   (unsigned long long)pkts, (unsigned long long)(pkts - *last_pkts),
		   (unsigned long long)drops);
	*last_pkts = pkts;
	*last_polls = polls;
}

static void *housekeeping_main(void *arg)
{
	struct housekeeping *hk = arg;
	struct timespec next;
	uint64_t last_pkts = 0, last_polls = 0;
	unsigned int tick = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&hk->stop, __ATOMIC_RELAXED)) {
		ring_writer_heartbeat(hk->hdr, clock_ns(CLOCK_MONOTONIC));
		update_clock(hk);
		if (++tick % STATS_TICKS == 0) {
			housekeeping_update_stats(hk);
			notify_status(hk, &last_pkts, &last_polls);
		}
		next.tv_nsec += TICK_MS * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

int housekeeping_start(struct housekeeping *hk)
{
	int r;

	hk->stop = false;
	hk->last_rule = RING_UNSYNC_UNKNOWN;
	update_clock(hk); /* before the first record a reader might convert */
	r = pthread_create(&hk->thread, NULL, housekeeping_main, hk);
	if (r)
		return -r;
	pthread_setname_np(hk->thread, "capd-hk");
	return 0;
}

void housekeeping_stop(struct housekeeping *hk)
{
	__atomic_store_n(&hk->stop, true, __ATOMIC_RELAXED);
	pthread_join(hk->thread, NULL);
}
