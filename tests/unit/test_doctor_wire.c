// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_doctor_wire - what capctl doctor tallies of the wire timestamps in
 * a ring (doctor_wire.c): a ring built in memory with a writer, frames
 * with and without Arista headers on interfaces named in another order
 * than capd.conf's, records of interfaces the configuration does not
 * name, more records than the doctor looks at, and hostile statistics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capd_conf.h"
#include "doctor_wire.h"
#include "ring_format.h"
#include "ring_layout.h"
#include "ring_writer.h"
#include "test.h"

#define BS	(64u << 10)
#define NBLOCKS 64

static uint8_t *mem;
static uint64_t len;
static struct ring_writer w;
static struct capd_conf conf;
static struct doctor_wire dw[CAPD_CONF_MAX_IFACES];

static struct ring_stats *stats(void)
{
	return (struct ring_stats *)(mem + RING_STATS_OFF);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* IPv4 UDP to 239.1.1.1, behind an Arista header of `version` (0: none). */
static uint32_t frame(uint8_t *f, uint16_t version)
{
	uint32_t n = 12, hl = version == 0x0020 || version == 0x0120 ? 12 : 14;
	uint8_t *ip;

	memset(f, 0, 128);
	memcpy(f, "\x01\x00\x5e\x01\x01\x01\x02\x00\x00\x00\x00\x01", 12);
	if (version) {
		put16(f + n, 0xd28b);
		put16(f + n + 2, 1);
		put16(f + n + 4, version);
		if (hl == 14) {
			put32(f + n + 6, 1700000000u);
			put32(f + n + 10, 123456789u);
		} else {
			put16(f + n + 6, (uint16_t)1700000000u);
			put32(f + n + 8, 123456789u);
		}
		n += hl;
	}
	put16(f + n, 0x0800);
	ip = f + n + 2;
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 32);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 16, "\xef\x01\x01\x01", 4);
	put16(ip + 20, 40000);
	put16(ip + 22, 30001);
	put16(ip + 24, 8 + 32);
	return n + 2 + 20 + 8 + 32;
}

static void write_frames(uint16_t iface, uint16_t version, unsigned int count)
{
	uint8_t f[128];
	uint32_t n = frame(f, version);
	unsigned int i;

	for (i = 0; i < count; i++) {
		struct ring_rec *rec;

		ring_writer_take(&w, 1);
		rec = ring_writer_reserve(&w, n);
		T_ASSERT(rec);
		rec->ts_ns = 1700000000ull * 1000000000ull + i;
		rec->caplen = n;
		rec->wirelen = n;
		rec->iface = iface;
		rec->feed = RING_FEED_NONE;
		memcpy(rec + 1, f, n);
		ring_writer_commit(&w, rec);
	}
	ring_writer_publish(&w);
}

static void tally(void)
{
	memset(dw, 0, sizeof(dw));
	T_EQ(doctor_wire_tally(mem, len, &conf, dw), 0);
}

static void setup(void)
{
	char err[256];
	struct ring_stats *st;

	T_EQ(capd_conf_parse_string(&conf,
				    "capture = { interfaces = ( { name = \"eth1\"; timestamp = "
				    "\"arista64\"; }, { name = \"eth2\"; }, { name = \"eth3\"; "
				    "timestamp = \"metamako\"; } ); };\n",
				    "t.conf", err, sizeof(err)),
	     0);
	len = (uint64_t)(NBLOCKS + 1) * BS;
	mem = aligned_alloc(4096, len);
	T_ASSERT(mem);
	memset(mem, 0, len);
	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(ring_writer_open(&w, mem, len, 1), 0);
	/* the ring's table in another order than capd.conf's */
	st = stats();
	st->niface = 3;
	memcpy(st->ifaces[0].name, "eth2", 5);
	memcpy(st->ifaces[1].name, "eth1", 5);
	st->ifaces[1].wire_ts = RING_WIRE_TS_ARISTA64;
	memcpy(st->ifaces[2].name, "eth9", 5);
}

static void t_tally(void)
{
	write_frames(1, 0x0010, 300); /* eth1: 64-bit TAI */
	write_frames(1, 0x0110, 50);  /* eth1: 64-bit UTC */
	write_frames(1, 0, 100);      /* eth1: none */
	write_frames(0, 0x0020, 60);  /* eth2 ("nic"): 48-bit */
	write_frames(2, 0x0010, 20);  /* eth9: not configured */
	write_frames(7, 0x0010, 20);  /* an index beyond the table */
	tally();
	T_ASSERT(dw[0].in_ring && dw[1].in_ring && !dw[2].in_ring);
	T_EQ(dw[0].ring_kind, WIRETS_ARISTA64);
	T_EQ(dw[1].ring_kind, WIRETS_NONE);
	T_EQ(dw[0].frames, 450);
	T_EQ(dw[0].status[WIRETS_OK], 350);
	T_EQ(dw[0].status[WIRETS_ABSENT], 100);
	T_EQ(dw[0].ok_as[WIRETS_ARISTA64], 350);
	T_EQ(dw[0].ok_as[WIRETS_ARISTA48], 0);
	T_EQ(dw[1].frames, 60);
	T_EQ(dw[1].status[WIRETS_ABSENT], 60); /* decoded as "nic" */
	T_EQ(dw[1].ok_as[WIRETS_ARISTA48], 60);
	T_EQ(dw[1].ok_as[WIRETS_ARISTA64], 0);
	T_EQ(dw[2].frames, 0);

	/* only the newest DOCTOR_WIRE_RECORDS */
	write_frames(0, 0, 3000);
	tally();
	T_EQ(dw[0].frames, 0);
	T_EQ(dw[1].frames, DOCTOR_WIRE_RECORDS);
	T_EQ(dw[1].ok_as[WIRETS_ARISTA48], 0);
}

/* What another process may write into the statistics. */
static void t_hostile(void)
{
	struct ring_stats *st = stats();

	write_frames(1, 0x0010, 10);
	st->niface = 100000;
	memset(st->ifaces[1].name, 'x', RING_IFNAME_LEN); /* no NUL */
	tally();
	T_EQ(dw[0].frames, 0);
	T_ASSERT(!dw[0].in_ring);
	memcpy(st->ifaces[1].name, "eth1", 5);
	st->ifaces[1].wire_ts = 200;
	tally();
	T_EQ(dw[0].frames, 10);
	T_EQ(dw[0].status[WIRETS_OK], 10);
	T_EQ(dw[0].ring_kind, 200);
	/* a header that is not a ring's */
	memset(dw, 0, sizeof(dw));
	T_ASSERT(doctor_wire_tally(mem, RING_META_SIZE - 1, &conf, dw) < 0);
}

static void t_probe(void)
{
	unsigned int i;

	doctor_wire_probe("/nonexistent/capd-ring", &conf, dw);
	for (i = 0; i < conf.capture.ninterfaces; i++)
		T_EQ(dw[i].err, -ENOENT);
}

int main(void)
{
	setup();
	t_tally();
	t_hostile();
	t_probe();
	free(mem);
	printf("PASS: test_doctor_wire\n");
	return 0;
}
