// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_flows - the lab's check of what capd put in a ring: reads every
 * record from the oldest on, decodes it (readers/frame.h), checks
 * mcast_send payloads (sequence order, every byte) and prints one line per
 * UDP flow plus totals:
 *
 *   flow 239.1.1.1:30001 feed=0 count=1000 first=0 last=999 order_errors=0
 *        bad_payload=0 truncated=0 ts_source=2 max_wirelen=242 unsynced=0
 *   other count=N
 *   total records=N lost=N rejected=N generation=G state=S
 *   stats packets=N bytes=N busy_ns=N batches=N polls=N xsk_dropped=N
 *         ring_full=N fill_empty=N xdp_redirected=N xdp_passed=N
 *         (capd's counters in the ring, summed over queues)
 *
 *   ring_flows [-t SECONDS] RING_PATH
 * Stops when the writer has stopped and everything is read, or after
 * SECONDS (default 5) without a new record.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "ring_file.h"
#include "ring_reader.h"

#define MAX_FLOWS 64

struct flow {
	char name[64];
	uint16_t feed;
	uint64_t count, first, last, order_errors, bad_payload, truncated, unsynced;
	uint32_t max_wirelen;
	uint8_t ts_source;
};

static struct flow flows[MAX_FLOWS];
static unsigned int nflows;
static uint64_t others;

static struct flow *flow_get(const char *name)
{
	unsigned int i;

	for (i = 0; i < nflows; i++)
		if (!strcmp(flows[i].name, name))
			return &flows[i];
	if (nflows == MAX_FLOWS)
		return NULL;
	snprintf(flows[nflows].name, sizeof(flows[nflows].name), "%s", name);
	return &flows[nflows++];
}

/* The flow name "DST:PORT" and the UDP payload offset, or -1 if not UDP. */
static int parse(const uint8_t *p, uint32_t len, char *name, size_t nlen, uint32_t *off)
{
	char addr[INET6_ADDRSTRLEN];
	struct frame_info fi;

	if (frame_decode(p, len, &fi) < 0 || !fi.payload_off)
		return -1;
	inet_ntop(fi.family, fi.dst, addr, sizeof(addr));
	snprintf(name, nlen, "%s:%u", addr, fi.dport);
	*off = fi.payload_off;
	return 0;
}

static void account(const struct ring_view *v, const uint8_t *p)
{
	char name[64];
	struct flow *f;
	uint32_t off, i;
	uint64_t seq;

	if (parse(p, v->rec.caplen, name, sizeof(name), &off) < 0 || !(f = flow_get(name))) {
		others++;
		return;
	}
	f->feed = v->rec.feed;
	f->ts_source = v->rec.ts_source;
	if (v->rec.wirelen > f->max_wirelen)
		f->max_wirelen = v->rec.wirelen;
	if (v->rec.caplen < v->rec.wirelen)
		f->truncated++;
	if (v->rec.flags & RING_REC_F_UNSYNCED)
		f->unsynced++;
	if (v->rec.caplen < off + 16) {
		f->bad_payload++;
		f->count++;
		return;
	}
	memcpy(&seq, p + off, 8);
	seq = be64toh(seq);
	if (f->count && seq != f->last + 1)
		f->order_errors++;
	if (!f->count)
		f->first = seq;
	f->last = seq;
	f->count++;
	for (i = off + 16; i < v->rec.caplen; i++)
		if (p[i] != (uint8_t)(seq + (i - off))) {
			f->bad_payload++;
			break;
		}
}

static void print_stats(const uint8_t *base)
{
	const struct ring_stats *st = (const struct ring_stats *)(base + RING_STATS_OFF);
	unsigned long long sum[8] = { 0 };
	unsigned int i;

	for (i = 0; i < st->nqueue && i < RING_MAX_QUEUES; i++) {
		const struct ring_queue_stats *q = &st->queues[i];

		sum[0] += q->packets;
		sum[1] += q->bytes;
		sum[2] += q->xsk_rx_dropped;
		sum[3] += q->xsk_rx_ring_full;
		sum[4] += q->xsk_fill_ring_empty;
		sum[5] += q->xdp_redirected;
		sum[6] += q->xdp_passed;
	}
	printf("stats packets=%llu bytes=%llu busy_ns=%llu batches=%llu polls=%llu "
	       "xsk_dropped=%llu ring_full=%llu fill_empty=%llu xdp_redirected=%llu "
	       "xdp_passed=%llu\n",
	       sum[0], sum[1], (unsigned long long)st->busy_ns, (unsigned long long)st->batches,
	       (unsigned long long)st->polls, sum[2], sum[3], sum[4], sum[5], sum[6]);
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 17];
	struct ring_reader rd;
	struct ring_view v;
	struct ring_map m;
	double idle_max = 5;
	time_t last = time(NULL);
	char msg[512];
	unsigned int i;
	int c, r;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't') {
			fprintf(stderr, "usage: ring_flows [-t SECONDS] RING_PATH\n");
			return 2;
		}
		idle_max = strtod(optarg, NULL);
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: ring_flows [-t SECONDS] RING_PATH\n");
		return 2;
	}
	r = ring_file_open_ro(argv[optind], &m);
	if (r < 0) {
		fprintf(stderr, "ring_flows: %s\n",
			ring_file_explain(r, argv[optind], 0, msg, sizeof(msg)));
		return 2;
	}
	r = ring_reader_open(&rd, m.mem, m.len);
	if (r == 0)
		r = ring_reader_seek(&rd, RING_SEEK_OLDEST, 0);
	if (r < 0) {
		fprintf(stderr, "ring_flows: %s\n", strerror(-r));
		return 2;
	}
	for (;;) {
		r = ring_reader_peek(&rd, &v);
		if (r == -EAGAIN) {
			if (difftime(time(NULL), last) >= idle_max)
				break;
			usleep(1000);
			continue;
		}
		if (r < 0)
			break;
		memcpy(buf, v.data, v.rec.caplen);
		if (ring_reader_release(&rd) < 0)
			continue;
		last = time(NULL);
		account(&v, buf);
	}
	for (i = 0; i < nflows; i++) {
		const struct flow *f = &flows[i];

		printf("flow %s feed=%d count=%llu first=%llu last=%llu order_errors=%llu "
		       "bad_payload=%llu truncated=%llu ts_source=%u max_wirelen=%u "
		       "unsynced=%llu\n",
		       f->name, f->feed == RING_FEED_NONE ? -1 : (int)f->feed,
		       (unsigned long long)f->count, (unsigned long long)f->first,
		       (unsigned long long)f->last, (unsigned long long)f->order_errors,
		       (unsigned long long)f->bad_payload, (unsigned long long)f->truncated,
		       f->ts_source, f->max_wirelen, (unsigned long long)f->unsynced);
	}
	printf("other count=%llu\n", (unsigned long long)others);
	printf("total records=%llu lost=%llu rejected=%llu generation=%u state=%u\n",
	       (unsigned long long)rd.records, (unsigned long long)rd.lost,
	       (unsigned long long)rd.rejected, rd.generation,
	       ((const struct ring_hdr *)m.mem)->writer_state);
	print_stats((const uint8_t *)m.mem);
	ring_file_close(&m);
	return 0;
}
