// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ringset - readers attach to a whole ring set (lib/ring_set.h), on a
 * plain file system:
 *  - a set of 2 and of 3 rings given by its name reads as one source:
 *    every record once, merged in timestamp order, each member named
 *    NAME.k, the members' interfaces numbered once (readloop_if_base());
 *  - NAME.k given alone reads that ring alone;
 *  - a member left by an earlier start (another set_id) is waited for,
 *    then refused with a line naming it; a NAME.1 beside a set of one is
 *    not read at all;
 *  - a member missing is waited for (up to 2 s): one that appears in time
 *    is read, one that does not is named;
 *  - a set larger than RING_SET_MAX is refused;
 *  - a set whose writer restarts with another number of rings ends the
 *    reading with a line; with the same number it goes on;
 *  - a late capture thread (quiet mark behind) holds the merge back
 *    beyond 20 ms; a ring quiet past a record does not hold it.
 *
 *   test_ringset make DIR NAME RINGS PACKETS [DELAY_MS [BEFORE]]: write a
 *   set of RINGS rings
 *   NAME, NAME.1 .. in DIR with interfaces eth0 and eth1, two queues
 *   each, queue j in ring j mod RINGS (as capd assigns them), PACKETS
 *   multicast datagrams spread over the queues, time-ordered overall, and
 *   their counters, running DELAY_MS without writing after the first
 *   BEFORE (0) of them, stamped from $RING_SET_T0 (ns since 1970) on, 1 us
 *   apart; the writers stopped.  RINGS 1 writes the same traffic
 *   into a single ring, as a capd with one capture thread would
 *   (tests/lab/capdump_ringset.sh compares the two recordings).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "readloop.h"
#include "ring_file.h"
#include "ring_set.h"
#include "ring_writer.h"
#include "ringsrc.h"
#include "ringsrc_wait.h"
#include "test.h"
#include "udp_frame.h"

#define BS     RING_BLOCK_SIZE_MIN
#define NQUEUE 4 /* eth0 queues 0, 1; eth1 queues 0, 1 */

struct wring {
	struct ring_map m;
	struct ring_writer w;
	struct ring_stats *st;
};

/*
 * Create ring k of the set NAME of n rings with id, as capd does: stamped
 * before its writer opens it, the interface table the same in every ring,
 * the queues q with q mod n == k in ring k.
 */
static void member_create(struct wring *r, const char *path0, uint32_t n, uint32_t k, uint64_t id,
			  uint32_t stamp_size)
{
	static const char *const ifn[2] = { "eth0", "eth1" };
	char path[600];
	struct ring_file_opts o = {
		.path = path,
		.size = 16 * BS,
		.block_size = BS,
		.gid = (gid_t)-1,
		.mode = 0600,
		.allow_any_fs = true,
	};
	unsigned int i, q;

	T_EQ(ring_set_member_path(path0, k, path, sizeof(path)), 0);
	memset(r, 0, sizeof(*r));
	T_EQ(ring_file_create(&o, &r->m), 0);
	r->st = (struct ring_stats *)((uint8_t *)r->m.mem + RING_STATS_OFF);
	for (i = 0; i < 2; i++) {
		snprintf(r->st->ifaces[i].name, RING_IFNAME_LEN, "%s", ifn[i]);
		r->st->ifaces[i].nqueues = 2;
	}
	r->st->niface = 2;
	for (q = k; q < NQUEUE; q += n) {
		struct ring_queue_stats *qs = &r->st->queues[r->st->nqueue++];

		qs->iface = (uint16_t)(q / 2);
		qs->queue = (uint16_t)(q % 2);
	}
	ring_set_stamp(r->m.mem, stamp_size, k, id);
	T_EQ(ring_writer_open(&r->w, r->m.mem, r->m.len, (uint32_t)getpid()), 0);
	ring_writer_heartbeat(r->w.hdr, clock_ns(CLOCK_MONOTONIC));
}

/* Datagram i (ts t0 + i us) of queue q into r; its counters with it. */
static void put(struct wring *r, uint64_t t0, uint32_t i, unsigned int q)
{
	struct ring_rec *rec = ring_writer_reserve(&r->w, 128);
	unsigned int j;
	uint32_t len;

	T_ASSERT(rec);
	memset(rec, 0, sizeof(*rec));
	len = udp_frame((uint8_t *)(rec + 1), q, i, 20);
	rec->caplen = rec->wirelen = len;
	rec->ts_ns = t0 + (uint64_t)i * 1000;
	rec->ts_source = RING_TS_USER_TAI;
	rec->feed = RING_FEED_NONE;
	rec->iface = (uint16_t)(q / 2);
	rec->queue = (uint16_t)(q % 2);
	ring_writer_commit(&r->w, rec);
	for (j = 0; j < r->st->nqueue; j++)
		if (r->st->queues[j].iface == q / 2 && r->st->queues[j].queue == q % 2) {
			r->st->queues[j].packets++;
			r->st->queues[j].bytes += len;
			r->st->queues[j].xdp_redirected++;
		}
}

static void set_publish(struct wring *r, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		ring_writer_publish(&r[k].w);
		ring_writer_heartbeat(r[k].w.hdr, clock_ns(CLOCK_MONOTONIC));
	}
}

static void set_close(struct wring *r, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		ring_file_close(&r[k].m);
}

static uint32_t rec_seq(const struct ringsrc_rec *rec)
{
	const uint8_t *p = rec->data + 14 + 20 + 8;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A set of n rings, npkt datagrams over the queues: read back whole, in
 * order, each once, each member named. */
static void test_set(const char *dir, uint32_t n)
{
	enum { NPKT = 600 };
	static uint8_t seen[NPKT];
	char path0[300], *names[1] = { path0 }, err[1024], want[320];
	struct wring r[RING_SET_MAX];
	struct ringsrc_rec rec;
	struct ringsrc *s;
	uint64_t t0 = clock_ns(CLOCK_TAI) - 10000000000ull, last = 0;
	uint32_t i, k;

	snprintf(path0, sizeof(path0), "%s/set%u", dir, n);
	for (k = 0; k < n; k++)
		member_create(&r[k], path0, n, k, 1000 + n, n);
	/* Queue by datagram: uneven, so the rings interleave unevenly. */
	for (i = 0; i < NPKT; i++) {
		unsigned int q = (i * 7 + i / 5) % NQUEUE;

		put(&r[q % n], t0, i, q);
	}
	set_publish(r, n);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_count(s), n);
	for (k = 0; k < n; k++) {
		T_EQ(ringsrc_set_first(s, k), 0);
		T_EQ(ringsrc_set_count(s, k), n);
		snprintf(want, sizeof(want), k ? "%s.%u" : "%s", path0, k);
		T_ASSERT(!strcmp(ringsrc_name(s, k), want));
		T_ASSERT(!strcmp(ringsrc_path(s, k), want));
	}
	T_EQ(ringsrc_seek(s, RING_SEEK_OLDEST, 0), 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NPKT; i++) {
		uint32_t q;

		T_EQ(ringsrc_wait_next(s, &rec, 500), 1);
		q = rec.iface * 2u + rec.queue;
		T_EQ(rec.ring, q % n);
		T_ASSERT(rec.ts_utc >= last);
		last = rec.ts_utc;
		T_ASSERT(rec_seq(&rec) < NPKT);
		T_EQ(seen[rec_seq(&rec)]++, 0);
		T_EQ(rec.lost, 0);
	}
	T_EQ(ringsrc_wait_next(s, &rec, 100), 0);
	ringsrc_close(s);

	/* A member by its own name: that ring alone. */
	snprintf(want, sizeof(want), "%s.%u", path0, n - 1);
	names[0] = want;
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_count(s), 1);
	T_EQ(ringsrc_set_count(s, 0), 1);
	ringsrc_close(s);
	set_close(r, n);
	fprintf(stderr, "set of %u: %u records, merged in order, each once\n", n, NPKT);
}

/* The reader loop numbers a set's interfaces once: one IDB per
 * interface of the set, as from one ring; a second -i after it goes on. */
static void test_if_base(const char *dir)
{
	char path0[300], path1[300], err[1024];
	struct readopt_input in = { 0 };
	struct wring r[3];
	struct readloop *rl;
	struct ringsrc *s;

	snprintf(path0, sizeof(path0), "%s/ifb", dir);
	snprintf(path1, sizeof(path1), "%s/other", dir);
	member_create(&r[0], path0, 2, 0, 77, 2);
	member_create(&r[1], path0, 2, 1, 77, 2);
	member_create(&r[2], path1, 1, 0, 78, 1);
	put(&r[1], clock_ns(CLOCK_TAI), 0, 1);
	set_publish(r, 3);
	in.rings[0] = path0;
	in.rings[1] = path1;
	in.nrings = 2;
	in.from = RING_SEEK_OLDEST;
	T_EQ(readloop_open(&rl, &in, err, sizeof(err)), 0);
	s = readloop_rings(rl);
	T_EQ(ringsrc_count(s), 3);
	T_EQ(readloop_if_base(rl, 0), 0);
	T_EQ(readloop_if_base(rl, 1), 0);
	T_EQ(readloop_if_base(rl, 2), 2);
	T_EQ(ringsrc_set_first(s, 2), 2);
	T_ASSERT(!strcmp(ringsrc_name(s, 2), path1));
	readloop_close(rl);
	set_close(r, 3);
}

struct late {
	const char *path0;
	struct wring *r;
	uint64_t id;
	int ms;
};

static void *late_member(void *arg)
{
	struct late *l = arg;

	nanosleep(&(struct timespec){ .tv_nsec = (long)l->ms * 1000000L }, NULL);
	member_create(l->r, l->path0, 2, 1, l->id, 2);
	return NULL;
}

/* Members missing, stale, a set too large; the set changing under a reader. */
static void test_refused(const char *dir)
{
	char path0[300], path1[320], *names[1] = { path0 }, err[1024];
	struct wring r[3];
	struct ringsrc_rec rec;
	struct ringsrc *s;
	struct late l;
	pthread_t t;
	uint64_t t0;

	/* Missing: waited for 2 s, then named. */
	snprintf(path0, sizeof(path0), "%s/miss", dir);
	snprintf(path1, sizeof(path1), "%s.1", path0);
	member_create(&r[0], path0, 2, 0, 5, 2);
	t0 = clock_ns(CLOCK_MONOTONIC);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), -ENOENT);
	T_ASSERT(clock_ns(CLOCK_MONOTONIC) - t0 >= 2000000000ull);
	T_ASSERT(clock_ns(CLOCK_MONOTONIC) - t0 < 4000000000ull);
	T_ASSERT(strstr(err, path1));
	fprintf(stderr, "missing member: %s\n", err);

	/* Missing at first, there within the wait: read. */
	l = (struct late){ .path0 = path0, .r = &r[1], .id = 5, .ms = 300 };
	T_EQ(pthread_create(&t, NULL, late_member, &l), 0);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(pthread_join(t, NULL), 0);
	T_EQ(ringsrc_count(s), 2);

	/* capd restarted with the same number of rings: read on. */
	ring_set_stamp(r[0].m.mem, 2, 0, 6);
	ring_set_stamp(r[1].m.mem, 2, 1, 6);
	T_EQ(ringsrc_wait_next(s, &rec, 100), 0);
	/* ... with three: what both rings hold is still read, then the
	 * reader ends, saying why. */
	put(&r[0], clock_ns(CLOCK_TAI), 1, 0);
	put(&r[1], clock_ns(CLOCK_TAI), 2, 1);
	set_publish(r, 2);
	ring_set_stamp(r[0].m.mem, 3, 0, 7);
	T_EQ(ringsrc_wait_next(s, &rec, 100), 1);
	T_EQ(ringsrc_wait_next(s, &rec, 100), 1);
	T_EQ(ringsrc_wait_next(s, &rec, 100), -ESTALE);
	T_ASSERT(strstr(ringsrc_error(s), "set of 3"));
	fprintf(stderr, "set changed: %s\n", ringsrc_error(s));
	ringsrc_close(s);

	/* Stale: NAME.1 of an earlier start (another set_id) is refused. */
	ring_set_stamp(r[0].m.mem, 2, 0, 8);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), -ESTALE);
	T_ASSERT(strstr(err, path1));
	T_ASSERT(strstr(err, "earlier start"));
	fprintf(stderr, "stale member: %s\n", err);

	/* A set of one beside that leftover: the leftover is not read. */
	ring_set_stamp(r[0].m.mem, 1, 0, 9);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_count(s), 1);
	ringsrc_close(s);
	/* Nor from a writer older than sets (0, 0, 0). */
	ring_set_stamp(r[0].m.mem, 0, 0, 0);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_count(s), 1);
	ringsrc_close(s);

	/* Larger than RING_SET_MAX: refused at once. */
	ring_set_stamp(r[0].m.mem, RING_SET_MAX + 1, 0, 10);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), -EPROTO);
	fprintf(stderr, "too large: %s\n", err);
	ring_set_stamp(r[0].m.mem, UINT32_MAX, 0, 10);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), -EPROTO);
	set_close(r, 2);
}

/* make DIR NAME RINGS PACKETS [DELAY_MS [BEFORE]] (see the top). */
static int make(char **argv, uint32_t delay_ms, uint32_t before)
{
	char path0[600];
	uint32_t n = (uint32_t)atoi(argv[2]), npkt = (uint32_t)atoi(argv[3]), i, k;
	struct wring r[RING_SET_MAX];
	/* The same in every set made: $RING_SET_T0 (ns), else 2026-01-01. */
	const char *t0s = getenv("RING_SET_T0");
	uint64_t t0 = t0s ? strtoull(t0s, NULL, 10) : 1767225600000000000ull;
	uint64_t id = clock_ns(CLOCK_REALTIME);

	if (n < 1 || n > NQUEUE ||
	    snprintf(path0, sizeof(path0), "%s/%s", argv[0], argv[1]) >= (int)sizeof(path0))
		return 2;
	for (k = 0; k < n; k++)
		member_create(&r[k], path0, n, k, id, n);
	for (i = 0; i < npkt; i++) {
		unsigned int q = (i * 7 + i / 5) % NQUEUE;

		/* Running for a while after the first BEFORE: a reader
		 * attached now sees the counters grow from there, as while
		 * recording a capture. */
		for (k = 0; i == before && k < delay_ms / 100; k++) {
			nanosleep(&(struct timespec){ .tv_nsec = 100000000L }, NULL);
			set_publish(r, n);
		}
		put(&r[q % n], t0, i, q);
		if (i % 64 == 63)
			set_publish(r, n);
	}
	set_publish(r, n);
	for (k = 0; k < n; k++)
		ring_writer_close(&r[k].w);
	set_close(r, n);
	return 0;
}

struct late_rec {
	struct wring *r;
	uint64_t ts;
};

/* 60 ms on, ring r gets its record stamped ts, then says it is quiet past it. */
static void *late_rec(void *arg)
{
	struct late_rec *l = arg;

	nanosleep(&(struct timespec){ .tv_nsec = 60000000 }, NULL);
	put(l->r, l->ts, 0, 1);
	set_publish(l->r, 1);
	ring_writer_quiet(&l->r->w, l->ts + 10000000);
	return NULL;
}

/*
 * A capture thread that is late (its quiet mark is recent but behind the
 * other ring's record) holds the merge back longer than MERGE_WAIT_NS
 * (20 ms): its record, stamped earlier but published 60 ms later, still
 * comes first.  A ring quiet past a record does not hold it back.
 */
static void test_quiet(const char *dir)
{
	char path0[300], *names[1] = { path0 }, err[1024];
	struct wring r[2];
	struct ringsrc_rec rec;
	struct ringsrc *s;
	struct late_rec l;
	pthread_t th;
	uint64_t t = clock_ns(CLOCK_TAI);
	unsigned int k;

	snprintf(path0, sizeof(path0), "%s/quiet", dir);
	for (k = 0; k < 2; k++)
		member_create(&r[k], path0, 2, k, 4242, 2);
	put(&r[0], t, 0, 0);
	set_publish(r, 2);
	ring_writer_quiet(&r[1].w, t - 5000000);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_seek(s, RING_SEEK_OLDEST, 0), 0);
	l = (struct late_rec){ .r = &r[1], .ts = t - 3000000 };
	T_EQ(pthread_create(&th, NULL, late_rec, &l), 0);
	T_EQ(ringsrc_wait_next(s, &rec, 2000), 1);
	T_EQ(rec.ring, 1);
	T_EQ(rec.ts, t - 3000000);
	T_EQ(ringsrc_wait_next(s, &rec, 2000), 1);
	T_EQ(rec.ring, 0);
	pthread_join(th, NULL);
	/* Quiet past it: ring 0's next record is not held for ring 1. */
	put(&r[0], t + 1000000, 0, 0);
	set_publish(r, 1);
	ring_writer_quiet(&r[1].w, t + 20000000);
	T_EQ(ringsrc_next(s, &rec, 0), 1);
	T_EQ(rec.ring, 0);
	ringsrc_close(s);
	set_close(r, 2);
}

int main(int argc, char **argv)
{
	const char *dir;

	if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "make"))
		return make(argv + 2, argc >= 7 ? (uint32_t)atoi(argv[6]) : 0,
			    argc == 8 ? (uint32_t)atoi(argv[7]) : 0);
	dir = t_tmpdir("test_ringset");
	test_set(dir, 2);
	test_set(dir, 3);
	test_if_base(dir);
	test_refused(dir);
	test_quiet(dir);
	return 0;
}
