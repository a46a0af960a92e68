// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ringsrc - a ring source follows its ring into the file that
 * replaced it (capd restarted with another size), on a plain file system:
 *  - a file whose writer died stays read (a restarted capd goes on in it);
 *  - once another file is at the path, the old one is let go at once (no
 *    mapping of it is left), its tables stay readable, and the new file is
 *    read from its first record once a writer runs it: RING_EV_REPLACED,
 *    the sequence carried on, nothing lost;
 *  - a file removed from its directory while its writer still runs is
 *    read on; once the writer is gone, the reader waits for a new ring;
 *  - the reader loop stops with a message naming the ring when the new
 *    file captures other interfaces.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "readloop.h"
#include "ring_file.h"
#include "ring_writer.h"
#include "ringsrc.h"
#include "ringsrc_wait.h"
#include "test.h"

#define BS RING_BLOCK_SIZE_MIN

struct wring {
	struct ring_map m;
	struct ring_writer w;
	struct ring_stats *st;
};

/* Create (or replace) the ring at path with size bytes; a writer runs it
 * with the given interfaces when ifnames is not NULL. */
static void wring_create(struct wring *r, const char *path, uint64_t size,
			 const char *const *ifnames)
{
	struct ring_file_opts o = {
		.path = path,
		.size = size,
		.block_size = BS,
		.gid = (gid_t)-1,
		.mode = 0600,
		.allow_any_fs = true,
	};

	memset(r, 0, sizeof(*r));
	T_EQ(ring_file_create(&o, &r->m), 0);
	r->st = (struct ring_stats *)((uint8_t *)r->m.mem + RING_STATS_OFF);
	if (!ifnames)
		return;
	for (; *ifnames; ifnames++)
		snprintf(r->st->ifaces[r->st->niface++].name, RING_IFNAME_LEN, "%s", *ifnames);
	T_EQ(ring_writer_open(&r->w, r->m.mem, r->m.len, (uint32_t)getpid()), 0);
	ring_writer_heartbeat(r->w.hdr, clock_ns(CLOCK_MONOTONIC));
}

static void wring_start(struct wring *r, const char *const *ifnames)
{
	for (; *ifnames; ifnames++)
		snprintf(r->st->ifaces[r->st->niface++].name, RING_IFNAME_LEN, "%s", *ifnames);
	T_EQ(ring_writer_open(&r->w, r->m.mem, r->m.len, (uint32_t)getpid()), 0);
	ring_writer_heartbeat(r->w.hdr, clock_ns(CLOCK_MONOTONIC));
}

static void wring_put(struct wring *r, unsigned int n)
{
	while (n--) {
		struct ring_rec *rec = ring_writer_reserve(&r->w, 60);

		T_ASSERT(rec);
		memset(rec, 0, sizeof(*rec));
		rec->caplen = rec->wirelen = 60;
		rec->ts_ns = clock_ns(CLOCK_TAI);
		rec->ts_source = RING_TS_USER_TAI;
		rec->feed = RING_FEED_NONE;
		memset(rec + 1, 0x42, 60);
		ring_writer_commit(&r->w, rec);
	}
	ring_writer_publish(&r->w);
	ring_writer_heartbeat(r->w.hdr, clock_ns(CLOCK_MONOTONIC));
}

/* The writer dies: no heartbeat for two seconds, its mapping gone. */
static void wring_kill(struct wring *r)
{
	ring_writer_heartbeat(r->w.hdr, clock_ns(CLOCK_MONOTONIC) - 2000000000ull);
	ring_file_close(&r->m);
}

/* Lines of /proc/self/maps naming path as deleted. */
static int deleted_maps(const char *path)
{
	char line[4096], want[600];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	T_ASSERT(f);
	snprintf(want, sizeof(want), "%s (deleted)", path);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, want) != NULL;
	fclose(f);
	return n;
}

static void test_follow(const char *dir)
{
	static const char *const eth0[] = { "eth0", NULL };
	char path[300], *names[1] = { path };
	struct ringsrc *s;
	struct ringsrc_rec rec;
	struct wring a, b;
	char err[512];
	int i;

	snprintf(path, sizeof(path), "%s/follow", dir);
	wring_create(&a, path, 8 * BS, eth0);
	wring_put(&a, 5);
	T_EQ(ringsrc_open(&s, names, 1, err, sizeof(err)), 0);
	T_EQ(ringsrc_seek(s, RING_SEEK_OLDEST, 0), 0);
	for (i = 0; i < 5; i++) {
		T_EQ(ringsrc_wait_next(s, &rec, 200), 1);
		T_EQ(rec.seq, i);
	}
	T_EQ(ringsrc_wait_next(s, &rec, 300), 0);

	/* a's writer dies, its file stays: a restarted capd would go on in
	 * it, so the reader stays. */
	wring_kill(&a);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 0);
	T_EQ(ringsrc_hdr(s, 0)->file_size, 8 * BS);
	T_EQ(ringsrc_hdr(s, 0)->tail, ringsrc_reader(s, 0)->pos);

	/* Replaced by a file of another size: the reader lets a go at once,
	 * though b has no writer yet, and a's tables stay readable. */
	wring_create(&b, path, 12 * BS, NULL);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 0);
	T_EQ(deleted_maps(path), 0);
	T_EQ(ringsrc_stats(s, 0)->niface, 1);
	T_EQ(strcmp(ringsrc_stats(s, 0)->ifaces[0].name, "eth0"), 0);
	T_EQ(ringsrc_hdr(s, 0)->file_size, 8 * BS);
	T_EQ(ringsrc_reader(s, 0)->records, 5);

	/* b's writer starts: b is read from its first record, which carries
	 * a's sequence on. */
	wring_start(&b, eth0);
	wring_put(&b, 3);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 1);
	T_EQ(rec.seq, 5);
	T_EQ(rec.lost, 0);
	T_EQ(rec.events, RING_EV_REPLACED);
	T_EQ(ringsrc_wait_next(s, &rec, 200), 1);
	T_EQ(rec.seq, 6);
	T_EQ(rec.events, 0);
	T_EQ(ringsrc_wait_next(s, &rec, 200), 1);
	T_EQ(rec.seq, 7);
	T_EQ(ringsrc_hdr(s, 0)->file_size, 12 * BS);
	T_EQ(ringsrc_reader(s, 0)->records, 8);
	T_EQ(ringsrc_reader(s, 0)->lost, 0);

	/* b removed from its directory while its writer runs: the writer
	 * still writes there, and the reader reads on. */
	T_EQ(unlink(path), 0);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 0);
	T_EQ(deleted_maps(path), 2); /* b's writer and the reader */
	wring_put(&b, 1);
	T_EQ(ringsrc_wait_next(s, &rec, 200), 1);
	T_EQ(rec.seq, 8);
	T_EQ(rec.events, 0);
	/* Its writer dies: let go, and wait for a ring at the path. */
	wring_kill(&b);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 0);
	T_EQ(deleted_maps(path), 0);
	wring_create(&a, path, 8 * BS, eth0); /* from scratch: seq 0 */
	wring_put(&a, 2);
	T_EQ(ringsrc_wait_next(s, &rec, 500), 1);
	T_EQ(rec.seq, 0);
	T_EQ(rec.lost, 0);
	T_EQ(rec.events, RING_EV_REPLACED);
	T_EQ(ringsrc_wait_next(s, &rec, 200), 1);
	T_EQ(rec.seq, 1);

	/* A clean stop ends the reading as usual. */
	ring_writer_close(&a.w);
	T_EQ(ringsrc_wait_next(s, &rec, 200), -EPIPE);
	T_EQ(ringsrc_reader(s, 0)->records, 11);
	T_EQ(ringsrc_reader(s, 0)->lost, 0);
	ringsrc_close(s);
	ring_file_close(&a.m);
}

static int count_packets(void *ctx, const struct readloop_pkt *p)
{
	int *n = ctx;

	(void)p;
	return ++*n == 3; /* stop after 3 */
}

static void test_other_interfaces(const char *dir)
{
	static const char *const eth0[] = { "eth0", NULL };
	static const char *const two[] = { "eth0", "eth1", NULL };
	static const struct readloop_ops ops = { .packet = count_packets };
	static volatile sig_atomic_t stop;
	char path[300], err[512];
	struct readopt_input in = { .nrings = 1, .from = RING_SEEK_OLDEST };
	struct readloop *rl;
	struct wring a, b;
	int n = 0;

	snprintf(path, sizeof(path), "%s/ifaces", dir);
	in.rings[0] = path;
	wring_create(&a, path, 8 * BS, eth0);
	wring_put(&a, 3);
	T_EQ(readloop_open(&rl, &in, err, sizeof(err)), 0);
	T_EQ(readloop_run(rl, &ops, &n, &stop, err, sizeof(err)), 1);
	T_EQ(n, 3);
	wring_kill(&a);
	wring_create(&b, path, 12 * BS, two);
	wring_put(&b, 3);
	T_EQ(readloop_run(rl, &ops, &n, &stop, err, sizeof(err)), -ENODEV);
	T_EQ(n, 3);
	if (!strstr(err, path) || !strstr(err, "captures 2 interfaces, not 1"))
		T_FAIL("message: %s", err);
	fprintf(stderr, "other interfaces: %s\n", err);
	readloop_close(rl);
	ring_file_close(&b.m);
}

int main(void)
{
	const char *dir = t_tmpdir("test_ringsrc");

	test_follow(dir);
	test_other_interfaces(dir);
	return T_EXIT_PASS;
}
