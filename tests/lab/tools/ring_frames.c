// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_frames - the lab's count of the frames a stopped capd left in a
 * ring, by interface, feed and the headers in front of the network header
 * (read here, not with the readers' code), one line each:
 *
 *   frames iface=0 feed=1 layout=arista64+vlan count=100
 *   total records=N lost=N rejected=N
 *
 * layout: "plain", "vlan", "arista64", "arista48", or two of them joined
 * by '+' in the frame's order.  Reads from the oldest record until the
 * writer's clean stop (or 2 s without a record).
 *
 *   ring_frames RING_PATH
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ring_file.h"
#include "ring_reader.h"

#define MAX_KEYS 64

struct key {
	uint16_t iface, feed;
	char layout[32];
	uint64_t count;
};

static struct key keys[MAX_KEYS];
static unsigned int nkeys;
static uint8_t buf[1 << 16];

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* The headers after the MAC addresses, in order. */
static void layout(const uint8_t *f, uint32_t len, char *out, size_t n)
{
	uint32_t at = 12;
	int i;

	out[0] = '\0';
	for (i = 0; i < 2 && at + 2 <= len; i++) {
		unsigned int et = be16(f + at), ver;

		if (et == 0x8100 || et == 0x88a8) {
			snprintf(out + strlen(out), n - strlen(out), "%svlan", i ? "+" : "");
			at += 4;
		} else if (et == 0xd28b && at + 6 <= len) {
			ver = be16(f + at + 4) & 0xff;
			snprintf(out + strlen(out), n - strlen(out), "%sarista%s", i ? "+" : "",
				 ver == 0x10   ? "64"
				 : ver == 0x20 ? "48"
					       : "?");
			at += ver == 0x20 ? 12 : 14;
		} else {
			break;
		}
	}
	if (!out[0])
		snprintf(out, n, "plain");
}

static void account(const struct ring_view *v)
{
	char l[32];
	unsigned int i;

	layout(buf, v->rec.caplen, l, sizeof(l));
	for (i = 0; i < nkeys; i++)
		if (keys[i].iface == v->rec.iface && keys[i].feed == v->rec.feed &&
		    !strcmp(keys[i].layout, l))
			break;
	if (i == nkeys) {
		if (nkeys == MAX_KEYS)
			return;
		keys[nkeys].iface = v->rec.iface;
		keys[nkeys].feed = v->rec.feed;
		snprintf(keys[nkeys].layout, sizeof(keys[nkeys].layout), "%s", l);
		nkeys++;
	}
	keys[i].count++;
}

int main(int argc, char **argv)
{
	struct ring_reader rd;
	struct ring_view v;
	struct ring_map m;
	time_t last = time(NULL);
	unsigned int i;
	char msg[512];
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: ring_frames RING_PATH\n");
		return 64;
	}
	r = ring_file_open_ro(argv[1], &m);
	if (r < 0) {
		fprintf(stderr, "ring_frames: %s\n",
			ring_file_explain(r, argv[1], 0, msg, sizeof(msg)));
		return 2;
	}
	r = ring_reader_open(&rd, m.mem, m.len);
	if (r == 0)
		r = ring_reader_seek(&rd, RING_SEEK_OLDEST, 0);
	if (r < 0) {
		fprintf(stderr, "ring_frames: %s\n", strerror(-r));
		return 2;
	}
	for (;;) {
		r = ring_reader_peek(&rd, &v);
		if (r == -EAGAIN) {
			if (difftime(time(NULL), last) >= 2)
				break;
			usleep(1000);
			continue;
		}
		if (r < 0)
			break;
		memcpy(buf, v.data, v.rec.caplen < sizeof(buf) ? v.rec.caplen : sizeof(buf));
		if (ring_reader_release(&rd) < 0)
			continue;
		last = time(NULL);
		if (v.rec.caplen > sizeof(buf))
			v.rec.caplen = sizeof(buf);
		account(&v);
	}
	for (i = 0; i < nkeys; i++)
		printf("frames iface=%u feed=%d layout=%s count=%llu\n", keys[i].iface,
		       keys[i].feed == RING_FEED_NONE ? -1 : (int)keys[i].feed, keys[i].layout,
		       (unsigned long long)keys[i].count);
	printf("total records=%llu lost=%llu rejected=%llu\n", (unsigned long long)rd.records,
	       (unsigned long long)rd.lost, (unsigned long long)rd.rejected);
	ring_file_close(&m);
	return r == -EPIPE || r == -EAGAIN ? 0 : 1;
}
