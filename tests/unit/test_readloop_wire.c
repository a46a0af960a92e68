// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_readloop_wire - time from the wire in the reader loop, over a ring
 * whose interfaces say which stamp their frames carry (ring_iface.wire_ts):
 *  - a Metamako trailer: ts is its time to the ns, host_ts the host's (its
 *    TAI stamp made UTC with the clock page's offset), device and port;
 *  - no trailer on an interface that should have one: the host's time,
 *    counted absent; an interface without a kind: wire NULL;
 *  - an Arista header with a TAI time: made UTC with the ring's offset;
 *    orig is the frame without the header; frame_decode() sees the
 *    datagram through it;
 *  - the counts per interface (readloop_wire_counts()).
 *
 *   test_readloop_wire make PATH: write that ring at PATH, its writer
 *   stopped cleanly, for capdump_wirets.sh to record (capdump -i PATH).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock_ns.h"
#include "frame.h"
#include "readloop.h"
#include "ring_file.h"
#include "ring_writer.h"
#include "test.h"
#include "udp_frame.h"

#define BS	 RING_BLOCK_SIZE_MIN
#define NS	 1000000000ull
#define WIRE0	 (1765000000ull * NS + 123456789ull) /* UTC */
#define TAI_OFF	 37
#define HOST_LAG 250000ull

struct seen {
	unsigned int n;
	uint64_t ts[8], host[8];
	int status[8]; /* -1: wire NULL */
	uint16_t device[8], port[8];
	uint32_t caplen[8], orig_caplen[8], if_id[8];
	int dport[8];
	uint8_t orig0[8][64];
};

static void put(struct ring_writer *w, uint16_t iface, uint64_t host_utc, const uint8_t *f,
		uint32_t len)
{
	struct ring_rec *rec = ring_writer_reserve(w, len);

	T_ASSERT(rec);
	memset(rec, 0, sizeof(*rec));
	rec->caplen = rec->wirelen = len;
	rec->ts_ns = host_utc + TAI_OFF * NS; /* CLOCK_TAI */
	rec->ts_source = RING_TS_USER_TAI;
	rec->iface = iface;
	rec->feed = RING_FEED_NONE;
	memcpy(rec + 1, f, len);
	ring_writer_commit(w, rec);
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* f + Metamako trailer: orig FCS, seconds, ns, flags, device, port. */
static uint32_t metamako(uint8_t *f, uint32_t len, uint64_t t, uint16_t dev, uint8_t port)
{
	be32(f + len, 0x12345678);
	be32(f + len + 4, (uint32_t)(t / NS));
	be32(f + len + 8, (uint32_t)(t % NS));
	f[len + 12] = 0x01;
	f[len + 13] = (uint8_t)(dev >> 8), f[len + 14] = (uint8_t)dev;
	f[len + 15] = port;
	return len + 16;
}

/* The Arista header (version 0x0010: 64-bit TAI) inserted after the MACs. */
static uint32_t arista64_tai(uint8_t *f, uint32_t len, uint64_t tai)
{
	memmove(f + 26, f + 12, len - 12);
	f[12] = 0xd2, f[13] = 0x8b, f[14] = 0, f[15] = 1, f[16] = 0x00, f[17] = 0x10;
	be32(f + 18, (uint32_t)(tai / NS));
	be32(f + 22, (uint32_t)(tai % NS));
	return len + 14;
}

static int on_packet(void *ctx, const struct readloop_pkt *p)
{
	struct seen *s = ctx;
	struct frame_info fi;
	unsigned int i = s->n++;

	T_ASSERT(i < 8);
	s->ts[i] = p->ts;
	s->host[i] = p->host_ts;
	s->status[i] = p->wire ? p->wire->status : -1;
	s->device[i] = p->wire ? p->wire->device : 0;
	s->port[i] = p->wire ? p->wire->port : 0;
	s->caplen[i] = p->caplen;
	s->orig_caplen[i] = p->orig_caplen;
	s->if_id[i] = p->if_id;
	memcpy(s->orig0[i], p->orig, p->orig_caplen < 64 ? p->orig_caplen : 64);
	s->dport[i] = frame_decode(p->data, p->caplen, &fi) == 0 ? fi.dport : -1;
	return s->n == 4;
}

/* The ring at path: mm0 (Metamako), nic1 (none), ar2 (Arista 64-bit);
 * records 0-3 as above; the writer left running.  plain: the datagram. */
static void make_ring(const char *path, struct ring_map *m, struct ring_writer *w, uint8_t *plain,
		      uint32_t *plen)
{
	struct ring_file_opts o = {
		.path = path,
		.block_size = BS,
		.size = 8 * BS,
		.gid = (gid_t)-1,
		.mode = 0644,
		.allow_any_fs = true,
	};
	struct ring_stats *st;
	struct ring_clock *ck;
	uint8_t f[256];
	uint32_t n;

	T_EQ(ring_file_create(&o, m), 0);
	st = (struct ring_stats *)((uint8_t *)m->mem + RING_STATS_OFF);
	ck = (struct ring_clock *)((uint8_t *)m->mem + RING_CLOCK_OFF);
	snprintf(st->ifaces[0].name, RING_IFNAME_LEN, "mm0");
	st->ifaces[0].wire_ts = RING_WIRE_TS_METAMAKO;
	snprintf(st->ifaces[1].name, RING_IFNAME_LEN, "nic1");
	snprintf(st->ifaces[2].name, RING_IFNAME_LEN, "ar2");
	st->ifaces[2].wire_ts = RING_WIRE_TS_ARISTA64;
	st->niface = 3;
	T_EQ(ring_writer_open(w, m->mem, m->len, (uint32_t)getpid()), 0);
	ck->kernel_tai_offset = TAI_OFF; /* capd's clock thread would say so */
	ring_writer_heartbeat(w->hdr, clock_ns(CLOCK_MONOTONIC));

	*plen = udp_frame(plain, 1, 7, 20);
	memcpy(f, plain, *plen);
	n = metamako(f, *plen, WIRE0, 0x0102, 5);
	put(w, 0, WIRE0 + HOST_LAG, f, n);	       /* 0: wire time */
	put(w, 0, WIRE0 + 2 * HOST_LAG, plain, *plen); /* 1: absent */
	put(w, 1, WIRE0 + 3 * HOST_LAG, plain, *plen); /* 2: no kind */
	memcpy(f, plain, *plen);
	n = arista64_tai(f, *plen, WIRE0 + 1000 + TAI_OFF * NS);
	put(w, 2, WIRE0 + 4 * HOST_LAG, f, n); /* 3: TAI header */
	ring_writer_publish(w);
	ring_writer_heartbeat(w->hdr, clock_ns(CLOCK_MONOTONIC));
}

int main(int argc, char **argv)
{
	static volatile sig_atomic_t stop;
	static const struct readloop_ops ops = { .packet = on_packet };
	struct readopt_input in = { .nrings = 1, .from = RING_SEEK_OLDEST };
	const struct readloop_wire_counts *c;
	char path[300], err[512];
	struct ring_writer w;
	struct ring_map m;
	struct readloop *rl;
	struct seen s = { 0 };
	uint8_t plain[256];
	uint32_t plen;

	if (argc == 3 && !strcmp(argv[1], "make")) {
		make_ring(argv[2], &m, &w, plain, &plen);
		ring_writer_close(&w);
		ring_file_close(&m);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/ring", t_tmpdir("test_readloop_wire"));
	in.rings[0] = path;
	make_ring(path, &m, &w, plain, &plen);

	T_EQ(readloop_open(&rl, &in, err, sizeof(err)), 0);
	T_EQ(readloop_run(rl, &ops, &s, &stop, err, sizeof(err)), 1);
	T_EQ(s.n, 4);
	/* 0: the trailer's time to the ns; the host's made UTC. */
	T_EQ(s.status[0], WIRETS_OK);
	T_EQ(s.ts[0], WIRE0);
	T_EQ(s.host[0], WIRE0 + HOST_LAG);
	T_EQ(s.device[0], 0x0102);
	T_EQ(s.port[0], 5);
	T_EQ(s.dport[0], 30001);
	/* 1: no trailer: the host's time. */
	T_EQ(s.status[1], WIRETS_ABSENT);
	T_EQ(s.ts[1], WIRE0 + 2 * HOST_LAG);
	T_EQ(s.ts[1], s.host[1]);
	/* 2: an interface without a kind. */
	T_EQ(s.status[2], -1);
	T_EQ(s.ts[2], WIRE0 + 3 * HOST_LAG);
	T_EQ(s.if_id[2], 1);
	/* 3: TAI made UTC with the ring's offset; orig without the header. */
	T_EQ(s.status[3], WIRETS_OK);
	T_EQ(s.ts[3], WIRE0 + 1000);
	T_EQ(s.host[3], WIRE0 + 4 * HOST_LAG);
	T_EQ(s.caplen[3], plen + 14);
	T_EQ(s.orig_caplen[3], plen);
	T_ASSERT(!memcmp(s.orig0[3], plain, plen < 64 ? plen : 64));
	T_EQ(s.dport[3], 30001);
	/* The counts. */
	T_EQ(readloop_wire_ifaces(rl), 3);
	c = readloop_wire_counts(rl, 0);
	T_ASSERT(c);
	T_EQ(c->ok, 1);
	T_EQ(c->absent, 1);
	T_EQ(c->malformed + c->truncated + c->no_utc, 0);
	T_EQ(c->kind, WIRETS_METAMAKO);
	T_ASSERT(!readloop_wire_counts(rl, 1));
	c = readloop_wire_counts(rl, 2);
	T_ASSERT(c);
	T_EQ(c->ok, 1);
	T_EQ(c->kind, WIRETS_ARISTA64);
	readloop_close(rl);
	ring_file_close(&m);
	return T_EXIT_PASS;
}
