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
#include "metrics.h"
#include "netdev.h"
#include "pktring.h"
#include "ring.h"
#include "ring_clock.h"
#include "xdp_prog.h"
#include "xsk.h"

#define TICK_MS	    100
#define STATS_TICKS 10
#define CONS_TICKS  (CONSUMERS_POLL_MS / TICK_MS)

/*
 * The kernel's figure is a running total that some drivers reset (on down
 * and up, for instance): a figure below the last one counts as the drops
 * since that reset, so the total never goes back.  A failed reading leaves
 * the total as it is.
 */
static void update_nic(struct housekeeping_nic *n, const char *ifname)
{
	uint64_t v;

	if (netdev_nic_rx_drops(ifname, &v) < 0)
		return;
	if (n->known)
		n->total += v >= n->last ? v - n->last : v;
	n->last = v;
	n->known = true;
}

/* The ring of capture thread k. */
static struct ring_hdr *ring_of(const struct housekeeping *hk, unsigned int k)
{
	return hk->caps[k]->writer->hdr;
}

static void update_nics(struct housekeeping *hk)
{
	const struct ring_stats *st = hk->caps[0]->stats;
	unsigned int i;

	for (i = 0; i < st->niface && i < RING_MAX_IFACES; i++)
		update_nic(&hk->nic[i], st->ifaces[i].name);
}

/*
 * Frames the program selected on a queue with no socket of ours (a queue
 * capd does not capture) went to the kernel instead: over all queues of
 * the interface, since they have no statistics of their own.
 */
static void update_no_socket(struct housekeeping *hk, uint16_t iface, struct ring_queue_stats *q)
{
	struct capd_xdp_counters xc;

	if (iface < hk->nprogs && hk->progs[iface] &&
	    xdp_prog_counters(hk->progs[iface], XDP_PROG_ALL_QUEUES, &xc) == 0)
		ring_store_relaxed64(&q->xdp_no_socket, xc.c[CAPD_CNT_NO_SOCKET]);
}

static void update_capture(struct housekeeping *hk, struct capture *c)
{
	unsigned int i;

	for (i = 0; i < c->nsrcs; i++) {
		struct capture_src *s = &c->srcs[i];
		struct ring_queue_stats *q = s->stats;
		struct capd_xdp_counters xc;
		struct xsk_rx_stats xs;
		struct pktring_stats ps;

		if (s->pkt && pktring_stats(s->pkt, &ps) == 0) {
			ring_store_relaxed64(&q->pkt_packets, ps.packets);
			ring_store_relaxed64(&q->pkt_drops, ps.drops);
		}
		if (s->xsk && xsk_rx_stats(s->xsk, &xs) == 0) {
			ring_store_relaxed64(&q->xsk_rx_dropped, xs.rx_dropped);
			ring_store_relaxed64(&q->xsk_rx_ring_full, xs.rx_ring_full);
			ring_store_relaxed64(&q->xsk_fill_ring_empty, xs.rx_fill_ring_empty);
			ring_store_relaxed64(&q->xsk_invalid_descs, xs.rx_invalid_descs);
		}
		if (s->iface < hk->nprogs && hk->progs[s->iface] &&
		    xdp_prog_counters(hk->progs[s->iface], s->queue, &xc) == 0) {
			ring_store_relaxed64(&q->xdp_redirected, xc.c[CAPD_CNT_REDIRECTED]);
			ring_store_relaxed64(&q->xdp_passed, xc.c[CAPD_CNT_PASSED]);
			ring_store_relaxed64(&q->xdp_meta_failed, xc.c[CAPD_CNT_META_FAILED]);
		}
		if (s->iface < RING_MAX_IFACES && s->iface_first) {
			ring_store_relaxed64(&q->nic_dropped, hk->nic[s->iface].total);
			update_no_socket(hk, s->iface, q);
		}
	}
}

void housekeeping_update_stats(struct housekeeping *hk)
{
	unsigned int k;

	if (!hk->ncaps)
		return;
	update_nics(hk);
	for (k = 0; k < hk->ncaps; k++)
		update_capture(hk, hk->caps[k]);
}

static void log_metrics(struct housekeeping *hk, int r)
{
	const char *path = hk->metrics_path;

	if (r == hk->metrics_err)
		return;
	if (r == -EROFS || r == -EACCES || r == -EPERM)
		pr_warn("metrics file %s: %s: capd's user may not write there (under capd.service "
			"only below run.dir, unless ReadWritePaths= names the directory)",
			path, strerror(-r));
	else if (r == -ENOENT)
		pr_warn("metrics file %s: %s: its directory does not exist", path, strerror(-r));
	else if (r < 0)
		pr_warn("metrics file %s: %s", path, strerror(-r));
	else
		pr_notice("metrics file %s: written again", path);
	hk->metrics_err = r;
}

void housekeeping_write_metrics(struct housekeeping *hk, bool running)
{
	const struct ring_clock *page =
		(const struct ring_clock *)((const uint8_t *)ring_of(hk, 0) + RING_CLOCK_OFF);
	struct ring_clock clock;
	struct metrics_src src = {
		.nrings = hk->ncaps,
		.clock = &clock,
		.running = running,
	};
	unsigned int k;

	if (!hk->metrics_path[0] || !hk->ncaps)
		return;
	for (k = 0; k < hk->ncaps; k++) {
		src.rings[k].hdr = ring_of(hk, k);
		src.rings[k].stats = hk->caps[k]->stats;
		src.rings[k].path = hk->ring_paths[k] ? hk->ring_paths[k] : "";
	}
	ring_clock_read(page, &clock);
	src.now_ns = clock_ns(CLOCK_REALTIME);
	log_metrics(hk, metrics_save(hk->metrics_path, &src));
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

static struct ring_clock *clock_page(const struct housekeeping *hk, unsigned int k)
{
	return (struct ring_clock *)((uint8_t *)ring_of(hk, k) + RING_CLOCK_OFF);
}

/* The clock page: ptp4l's answers, the kernel's and the NIC's state; the
 * same page in every ring of the set. */
static void update_clock(struct housekeeping *hk)
{
	const struct ring_stats *st = hk->caps[0]->stats;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	struct ring_clock next;
	unsigned int k;

	clock_status_poll(&hk->clock, now);
	next = *clock_page(hk, 0); /* only this thread writes the pages */
	clock_status_fill(&hk->clock, &next, now, clock_ns(CLOCK_REALTIME),
			  st->niface ? st->ifaces[0].ts_source : RING_TS_NONE);
	for (k = 0; k < hk->ncaps; k++) {
		struct ring_clock *c = clock_page(hk, k);

		ring_clock_write_begin(c);
		memcpy((uint8_t *)c + sizeof(c->seq), (uint8_t *)&next + sizeof(c->seq),
		       sizeof(*c) - sizeof(c->seq));
		ring_clock_write_end(c);
	}
	log_clock(hk, &next, hk->clock.send_err);
}

static void notify_status(struct housekeeping *hk, uint64_t *last_pkts, uint64_t *last_polls)
{
	uint64_t pkts = 0, drops = 0;
	bool alive = true;
	unsigned int i, k;

	for (k = 0; k < hk->ncaps; k++) {
		const struct capture *c = hk->caps[k];
		uint64_t polls = ring_load_relaxed64(&c->stats->polls);

		for (i = 0; i < c->nsrcs; i++) {
			const struct ring_queue_stats *q = c->srcs[i].stats;

			pkts += ring_load_relaxed64(&q->packets);
			drops += ring_queue_dropped(q);
		}
		alive &= polls != last_polls[k];
		last_polls[k] = polls;
	}
	/* A stuck capture loop must not be hidden by a live housekeeping
	 * thread, nor by the other capture threads. */
	if (alive)
		sd_notify(0, "WATCHDOG=1");
	sd_notifyf(0, "STATUS=capturing: %llu packets, %llu pkt/s, %llu dropped before the ring",
		   (unsigned long long)pkts, (unsigned long long)(pkts - *last_pkts),
		   (unsigned long long)drops);
	*last_pkts = pkts;
}

/* The consumers' count, found once, in every ring. */
static void poll_consumers(struct housekeeping *hk)
{
	const struct ring_stats *st0 = hk->caps[0]->stats;
	unsigned int k;

	consumers_poll(&hk->cons, hk->caps[0]->stats);
	for (k = 1; k < hk->ncaps; k++) {
		struct ring_stats *st = hk->caps[k]->stats;

		ring_store_relaxed64(&st->local_consumers,
				     ring_load_relaxed64(&st0->local_consumers));
		ring_store_relaxed64(&st->consumers_appeared,
				     ring_load_relaxed64(&st0->consumers_appeared));
	}
}

static void *housekeeping_main(void *arg)
{
	struct housekeeping *hk = arg;
	struct timespec next;
	uint64_t last_pkts = 0, last_polls[RING_SET_MAX] = { 0 };
	unsigned int k, tick = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!ring_load_relaxed_bool(&hk->stop)) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		for (k = 0; k < hk->ncaps; k++)
			ring_writer_heartbeat(ring_of(hk, k), now);
		update_clock(hk);
		if (++tick % STATS_TICKS == 0) {
			housekeeping_update_stats(hk);
			notify_status(hk, &last_pkts, last_polls);
			housekeeping_write_metrics(hk, true);
		}
		if (tick % CONS_TICKS == 0)
			poll_consumers(hk);
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
	hk->metrics_err = 0;
	memset(hk->nic, 0, sizeof(hk->nic));
	update_nics(hk);    /* the NIC drops before capd count for nothing */
	update_clock(hk);   /* before the first record a reader might convert */
	poll_consumers(hk); /* the figures from the start */
	if (hk->metrics_path[0])
		pr_info("metrics file %s, rewritten every second", hk->metrics_path);
	housekeeping_write_metrics(hk, true); /* a bad path shows at once */
	r = pthread_create(&hk->thread, NULL, housekeeping_main, hk);
	if (r)
		return -r;
	pthread_setname_np(hk->thread, "capd-hk");
	return 0;
}

void housekeeping_stop(struct housekeeping *hk)
{
	ring_store_relaxed_bool(&hk->stop, true);
	pthread_join(hk->thread, NULL);
}
