// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_fill - fill a ring file with market-data-like traffic, for the
 * reader benchmarks: UDP multicast to 8 groups, each datagram a MoldUDP64
 * packet of 1-5 ITCH-like 36-byte add-order messages (increasing order ids,
 * a few symbols, prices in a random walk), 2 us apart.  The writer is
 * marked stopped at the end, so a reader drains the ring and exits.
 *
 *   ring_fill PATH SIZE PACKETS [--feeds] [--t0 NS]
 *	(PATH on any filesystem: a bench file)
 *
 * --feeds: the ring's feed table names the 8 groups as capd would with
 * feeds[].proto = "moldudp64" (MD1..MD8), so that readers attribute and
 * decode them (capdump's indexes) as on a capture box.
 * --t0 NS: the first packet's time (ns since 1970, UTC as TAI: the ring's
 * clock page is left empty); default PACKETS x 2 us before now.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "ring_feed.h"
#include "ring_file.h"
#include "ring_layout.h"
#include "ring_writer.h"
#include "units.h"

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One frame of group g into f; returns its length. */
static uint32_t make_frame(uint8_t *f, unsigned int g, uint64_t *seq, uint64_t *order,
			   uint32_t *price)
{
	static const char syms[4][8] = { "AAPL    ", "MSFT    ", "NVDA    ", "SPY     " };
	unsigned int nmsg = 1 + rnd() % 5, i;
	uint8_t *ip = f + 14, *udp = ip + 20, *mold = udp + 8, *m;
	uint32_t udplen = 8 + 20 + nmsg * 38;
	uint64_t be;
	uint16_t be16;

	memcpy(f, (uint8_t[]){ 0x01, 0x00, 0x5e, 0x01, 0x01, (uint8_t)(1 + g) }, 6);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, 6);
	f[12] = 0x08, f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	be16 = htons((uint16_t)(20 + udplen));
	memcpy(ip + 2, &be16, 2);
	ip[8] = 8, ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 239, 1, 1, (uint8_t)(1 + g) }, 4);
	be16 = htons(csum(ip, 20));
	memcpy(ip + 10, &be16, 2);
	be16 = htons(40000), memcpy(udp, &be16, 2);
	be16 = htons((uint16_t)(30001 + g)), memcpy(udp + 2, &be16, 2);
	be16 = htons((uint16_t)udplen), memcpy(udp + 4, &be16, 2);
	udp[6] = udp[7] = 0;
	memcpy(mold, "SESSION001", 10);
	be = htobe64(seq[g]);
	memcpy(mold + 10, &be, 8);
	be16 = htons((uint16_t)nmsg), memcpy(mold + 18, &be16, 2);
	seq[g] += nmsg;
	for (i = 0, m = mold + 20; i < nmsg; i++, m += 38) {
		uint32_t shares = htonl(100 * (1 + rnd() % 10)), p;

		/* length, then ITCH 5.0 "Add Order": type, locate, tracking,
		 * 6-byte timestamp, order ref, side, shares, stock, price */
		be16 = htons(36), memcpy(m, &be16, 2);
		m[2] = 'A';
		memset(m + 3, 0, 10);
		be = htobe64((*order)++);
		memcpy(m + 13, &be, 8);
		m[21] = rnd() & 1 ? 'B' : 'S';
		memcpy(m + 22, &shares, 4);
		memcpy(m + 26, syms[rnd() % 4], 8);
		*price += (rnd() % 5) - 2;
		p = htonl(*price);
		memcpy(m + 34, &p, 4);
	}
	return 14 + 20 + udplen;
}

/* The feed table capd would write for the 8 groups, each MoldUDP64. */
static void fill_feeds(void *mem)
{
	struct ring_feeds *rf = (struct ring_feeds *)((uint8_t *)mem + RING_FEEDS_OFF);
	struct seqdec dec;
	unsigned int g;

	memset(rf, 0, sizeof(*rf));
	seqdec_parse("moldudp64", &dec);
	for (g = 0; g < 8; g++) {
		struct ring_feed *f = &rf->feeds[g];

		snprintf(f->name, sizeof(f->name), "MD%u", g + 1);
		memcpy(f->addr, (uint8_t[]){ 239, 1, 1, (uint8_t)(1 + g) }, 4);
		f->family = 4;
		f->prefix_len = 32;
		f->nports = 1;
		f->ports[0] = (uint16_t)(30001 + g);
		ring_feed_set_proto(f, &dec);
	}
	rf->nfeeds = 8;
}

int main(int argc, char **argv)
{
	struct ring_file_opts o = { .mode = 0644, .gid = (gid_t)-1, .allow_any_fs = true };
	uint64_t seq[8] = { 0 }, order = 1, size, n, i, ts = 0;
	bool feeds = false;
	uint32_t price = 1000000;
	struct ring_writer w;
	struct ring_map m;
	char msg[512];
	uint8_t frame[512];
	int r;

	for (i = 4; i < (uint64_t)argc; i++) {
		if (!strcmp(argv[i], "--feeds"))
			feeds = true;
		else if (!strcmp(argv[i], "--t0") && i + 1 < (uint64_t)argc)
			ts = strtoull(argv[++i], NULL, 10);
		else
			break;
	}
	if (argc < 4 || i < (uint64_t)argc || units_parse_size(argv[2], &size) < 0) {
		fprintf(stderr, "usage: ring_fill PATH SIZE PACKETS [--feeds] [--t0 NS]\n");
		return 2;
	}
	n = strtoull(argv[3], NULL, 10);
	o.path = argv[1];
	o.size = size;
	unlink(o.path);
	r = ring_file_create(&o, &m);
	if (r == 0 && feeds)
		fill_feeds(m.mem);
	if (r == 0)
		r = ring_writer_open(&w, m.mem, m.len, (uint32_t)getpid());
	if (r < 0) {
		fprintf(stderr, "ring_fill: %s\n",
			ring_file_explain(r, o.path, size, msg, sizeof(msg)));
		return 1;
	}
	if (!ts)
		ts = clock_ns(CLOCK_REALTIME) - n * 2000;
	for (i = 0; i < n; i++) {
		uint32_t len = make_frame(frame, (unsigned int)(i % 8), seq, &order, &price);
		struct ring_rec *rec = ring_writer_reserve(&w, len);

		rec->ts_ns = ts + i * 2000 + rnd() % 500;
		rec->caplen = rec->wirelen = len;
		rec->iface = 0;
		rec->queue = 0;
		rec->feed = (uint16_t)(i % 8);
		rec->ts_source = RING_TS_KERNEL_TAI;
		rec->flags = 0;
		memcpy(rec + 1, frame, len);
		ring_writer_commit(&w, rec);
		if (i % 64 == 63)
			ring_writer_publish(&w);
	}
	ring_writer_close(&w);
	printf("ring_fill: %llu packets, %llu payload bytes in %s\n", (unsigned long long)n,
	       (unsigned long long)w.bytes, o.path);
	ring_file_close(&m);
	return 0;
}
