// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ring_stress.c - one writer process and three reader processes that
 * map the ring PROT_READ only (fast, slowed, heavily slowed) on a memfd for
 * several seconds.  Every record delivered must be intact, and every record
 * the writer produced from a reader's first record on must be either
 * delivered to it or counted lost.  The slowed readers must get lapped.
 *
 * CAPD_STRESS_SECONDS sets the writer's run time (default 6),
 * CAPD_STRESS_BLOCK the block size (default 64K, e.g. 2M) and
 * CAPD_STRESS_RING the file size (default 32M; 256K with 64K blocks gives
 * the smallest ring, RING_NBLOCKS_MIN blocks).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring_layout.h"
#include "ring_payload.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "clock_ns.h"
#include "test.h"
#include "units.h"

#define RING_SIZE_DEFAULT (32ull << 20)
#define BATCH		  32 /* records per ring_writer_publish() */
#define NREADERS	  3

static const struct reader_kind {
	const char *name;
	unsigned every; /* sleep after this many records, 0 = never */
	long sleep_ns;
} kinds[NREADERS] = {
	{ "fast", 0, 0 },
	{ "slow", 64, 20000 },
	{ "slowest", 4, 200000 },
};

struct reader_report {
	uint64_t delivered; /* released intact, counted by the test */
	uint64_t lost;	    /* sum of ring_view.lost of those */
	uint64_t laps;	    /* ring_reader counters from here on */
	uint64_t rejected;
	uint64_t rd_records;
	uint64_t rd_lost;
	uint64_t corrupt;    /* intact per release() yet wrong bytes */
	uint64_t misordered; /* seq not prev + 1 + lost */
	uint64_t stale;	     /* release() said -ESTALE */
	uint64_t first_seq;
	uint64_t last_seq;
	int32_t err;	     /* unexpected peek() result, 0 if none */
	int32_t wprot_errno; /* what mprotect(PROT_WRITE) said */
};

struct writer_report {
	uint64_t records;
	uint64_t bytes;
	uint64_t blocks;
	int32_t err;
};

static uint64_t ring_size = RING_SIZE_DEFAULT;

/* Children, killed by pid if the test fails or hangs. */
static volatile pid_t children[NREADERS + 1];
static pid_t parent_pid;

static void kill_children(void)
{
	unsigned i;

	if (getpid() != parent_pid)
		return;
	for (i = 0; i < NREADERS + 1; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
}

static void on_alarm(int sig)
{
	static const char msg[] = "test_ring_stress: timeout, killing children\n";

	(void)sig;
	kill_children();
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(T_EXIT_FAIL);
	_exit(T_EXIT_FAIL);
}

/* A child must not outlive a parent that died without killing it. */
static void child_init(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent_pid)
		_exit(T_EXIT_FAIL);
	signal(SIGALRM, SIG_DFL);
	alarm(0);
}

static void send_report(int fd, const void *rep, size_t len)
{
	/* One write below PIPE_BUF is atomic: the parent reads all or nothing. */
	if (write(fd, rep, len) != (ssize_t)len)
		_exit(T_EXIT_FAIL);
	close(fd);
}

static void run_writer(int memfd, unsigned seconds, int out)
{
	struct writer_report rep = { 0 };
	struct ring_writer w;
	uint64_t deadline, first_blk;
	void *mem;
	int i;

	mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED) {
		rep.err = -errno;
		send_report(out, &rep, sizeof(rep));
		_exit(T_EXIT_FAIL);
	}
	rep.err = ring_writer_open(&w, mem, ring_size, (uint32_t)getpid());
	if (rep.err < 0) {
		send_report(out, &rep, sizeof(rep));
		_exit(T_EXIT_FAIL);
	}
	first_blk = w.blk_end;
	deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)seconds * 1000000000u;
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			uint64_t seq = w.seq;
			struct ring_rec *rec = ring_writer_reserve(&w, payload_caplen(seq));

			if (!rec) {
				rep.err = -EMSGSIZE;
				goto out;
			}
			payload_rec_fill(rec, seq);
			payload_fill((uint8_t *)(rec + 1), rec->caplen, seq);
			ring_writer_commit(&w, rec);
		}
		ring_writer_publish(&w);
		if (clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
out:
	ring_writer_close(&w);
	rep.records = w.seq;
	rep.bytes = w.bytes;
	rep.blocks = (w.blk_end - first_blk) / w.hdr->block_size + 1;
	send_report(out, &rep, sizeof(rep));
	_exit(rep.err ? T_EXIT_FAIL : T_EXIT_PASS);
}

static void run_reader(int memfd, const struct reader_kind *k, int ready, int out)
{
	struct reader_report rep = { .first_seq = RING_SEQ_UNKNOWN };
	struct ring_reader r;
	struct ring_view v;
	struct timespec nap = { 0, k->sleep_ns };
	char path[64];
	uint8_t *buf;
	void *mem;
	int fd, err;

	/* Reopen read-only, so this process cannot get write access at all. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(T_EXIT_FAIL);
	close(memfd);
	mem = mmap(NULL, ring_size, PROT_READ, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		_exit(T_EXIT_FAIL);
	rep.wprot_errno = mprotect(mem, ring_size, PROT_READ | PROT_WRITE) < 0 ? errno : 0;
	if (ring_reader_open(&r, mem, ring_size) < 0)
		_exit(T_EXIT_FAIL);
	buf = malloc(r.max_caplen);
	if (!buf)
		_exit(T_EXIT_FAIL);
	if (write(ready, "r", 1) != 1)
		_exit(T_EXIT_FAIL);
	close(ready);

	for (;;) {
		err = ring_reader_peek(&r, &v);
		if (err == -EAGAIN) {
			sched_yield();
			continue;
		}
		if (err == -EPIPE)
			break;
		if (err < 0) {
			rep.err = err;
			break;
		}
		/* peek() bounds caplen by max_caplen, the size of buf. */
		memcpy(buf, v.data, v.rec.caplen);
		if (ring_reader_release(&r) != 0) {
			rep.stale++;
			continue;
		}
		if (rep.delivered == 0)
			rep.first_seq = v.rec.seq;
		else if (v.rec.seq <= rep.last_seq || v.rec.seq != rep.last_seq + 1 + v.lost)
			rep.misordered++;
		rep.last_seq = v.rec.seq;
		rep.delivered++;
		rep.lost += v.lost;
		if (!payload_rec_ok(&v.rec) || payload_check(buf, v.rec.caplen, v.rec.seq) >= 0)
			rep.corrupt++;
		if (k->every && rep.delivered % k->every == 0)
			nanosleep(&nap, NULL);
	}
	rep.laps = r.laps;
	rep.rejected = r.rejected;
	rep.rd_records = r.records;
	rep.rd_lost = r.lost;
	send_report(out, &rep, sizeof(rep));
	_exit(T_EXIT_PASS);
}

static pid_t spawn(int slot)
{
	pid_t pid = fork();

	if (pid < 0)
		T_FAIL("fork: %s", strerror(errno));
	if (pid > 0)
		children[slot] = pid;
	else
		child_init();
	return pid;
}

/* Reap child slot and read its report; fails unless it exited 0. */
static void collect(int slot, int fd, void *rep, size_t len, const char *what)
{
	int status;
	ssize_t n;

	if (waitpid(children[slot], &status, 0) < 0)
		T_FAIL("waitpid %s: %s", what, strerror(errno));
	children[slot] = 0;
	n = read(fd, rep, len);
	close(fd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != (ssize_t)len)
		T_FAIL("%s: status 0x%x, report %zd of %zu bytes", what, status, n, len);
}

static unsigned env_seconds(void)
{
	const char *s = getenv("CAPD_STRESS_SECONDS");
	long v;

	if (!s || !*s)
		return 6;
	v = strtol(s, NULL, 10);
	if (v < 1 || v > 3600)
		T_FAIL("CAPD_STRESS_SECONDS=%s: want 1..3600", s);
	return (unsigned)v;
}

static uint64_t env_size(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	uint64_t v;

	if (!s || !*s)
		return def;
	if (units_parse_size(s, &v) < 0 || v > UINT32_MAX)
		T_FAIL("%s=%s: not a size", name, s);
	return v;
}

int main(void)
{
	struct reader_report rep[NREADERS];
	struct writer_report wrep;
	int rpipe[NREADERS][2], wpipe[2], ready[2];
	unsigned seconds = env_seconds(), i;
	uint32_t block = (uint32_t)env_size("CAPD_STRESS_BLOCK", RING_BLOCK_SIZE_MIN);
	const struct ring_hdr *h;
	int memfd, failed = 0;
	uint64_t t0, t1;
	void *mem;
	char c;

	parent_pid = getpid();
	ring_size = env_size("CAPD_STRESS_RING", RING_SIZE_DEFAULT);
	if (!ring_layout_nblocks(ring_size, block))
		T_FAIL("CAPD_STRESS_RING/BLOCK: %" PRIu64 "/%u bytes give no ring", ring_size,
		       block);
	memfd = memfd_create("capd-stress-ring", 0);
	if (memfd < 0)
		T_SKIP("memfd_create: %s", strerror(errno));
	T_EQ(ftruncate(memfd, ring_size), 0);
	mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	T_ASSERT(mem != MAP_FAILED);
	T_EQ(ring_layout_format(mem, ring_size, block), 0);
	/* Readers are forked from here: they must not inherit a writable map. */
	T_EQ(munmap(mem, ring_size), 0);

	atexit(kill_children);
	signal(SIGALRM, on_alarm);
	alarm(seconds + 60);

	T_EQ(pipe(ready), 0);
	for (i = 0; i < NREADERS; i++) {
		T_EQ(pipe(rpipe[i]), 0);
		if (spawn((int)i) == 0) {
			close(ready[0]);
			close(rpipe[i][0]);
			run_reader(memfd, &kinds[i], ready[1], rpipe[i][1]);
		}
		close(rpipe[i][1]);
	}
	close(ready[1]);
	/* All readers sit at the newest position before the writer starts. */
	for (i = 0; i < NREADERS; i++)
		if (read(ready[0], &c, 1) != 1)
			T_FAIL("reader %u died before it was ready", i);
	close(ready[0]);

	T_EQ(pipe(wpipe), 0);
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (spawn(NREADERS) == 0) {
		close(wpipe[0]);
		for (i = 0; i < NREADERS; i++)
			close(rpipe[i][0]);
		run_writer(memfd, seconds, wpipe[1]);
	}
	close(wpipe[1]);
	collect(NREADERS, wpipe[0], &wrep, sizeof(wrep), "writer");
	t1 = clock_ns(CLOCK_MONOTONIC);
	T_EQ(wrep.err, 0);
	for (i = 0; i < NREADERS; i++)
		collect((int)i, rpipe[i][0], &rep[i], sizeof(rep[i]), kinds[i].name);

	mem = mmap(NULL, ring_size, PROT_READ, MAP_SHARED, memfd, 0);
	T_ASSERT(mem != MAP_FAILED);
	h = mem;
	T_EQ(h->next_seq, wrep.records);
	T_EQ(h->writer_state, RING_WRITER_STOPPED);

	printf("writer: %" PRIu64 " records, %.2f GB, %" PRIu64 " blocks of %u KiB "
	       "(%u-block ring), %.1f s, %.2f Mrec/s\n",
	       wrep.records, wrep.bytes / 1e9, wrep.blocks, block >> 10, h->nblocks,
	       (t1 - t0) / 1e9, wrep.records / ((t1 - t0) / 1e3));
	for (i = 0; i < NREADERS; i++) {
		struct reader_report *p = &rep[i];
		uint64_t want = p->delivered ? wrep.records - p->first_seq : 0;

		printf("reader %-7s: delivered %" PRIu64 " lost %" PRIu64 " (%.1f%%) laps %" PRIu64
		       " rejected %" PRIu64 " corrupt %" PRIu64 " misordered %" PRIu64
		       " stale %" PRIu64 " first_seq %" PRIu64 " last_seq %" PRIu64 "\n",
		       kinds[i].name, p->delivered, p->lost, want ? 100.0 * p->lost / want : 0.0,
		       p->laps, p->rejected, p->corrupt, p->misordered, p->stale, p->first_seq,
		       p->last_seq);
		if (p->err) {
			fprintf(stderr, "FAIL %s: peek returned %d\n", kinds[i].name, p->err);
			failed = 1;
		}
		if (p->wprot_errno == 0) {
			fprintf(stderr, "FAIL %s: mprotect(PROT_WRITE) succeeded\n", kinds[i].name);
			failed = 1;
		}
		if (!p->delivered || p->delivered + p->lost != want ||
		    p->last_seq != wrep.records - 1) {
			fprintf(stderr,
				"FAIL %s: delivered + lost = %" PRIu64 ", writer wrote %" PRIu64
				" from seq %" PRIu64 " on\n",
				kinds[i].name, p->delivered + p->lost, want, p->first_seq);
			failed = 1;
		}
		if (p->rd_records != p->delivered || p->rd_lost != p->lost) {
			fprintf(stderr,
				"FAIL %s: reader counters %" PRIu64 "/%" PRIu64
				" differ from the test's %" PRIu64 "/%" PRIu64 "\n",
				kinds[i].name, p->rd_records, p->rd_lost, p->delivered, p->lost);
			failed = 1;
		}
		if (p->corrupt || p->rejected || p->misordered) {
			fprintf(stderr, "FAIL %s: corrupt, rejected or misordered records\n",
				kinds[i].name);
			failed = 1;
		}
		if (p->laps && !p->lost) {
			fprintf(stderr, "FAIL %s: lapped yet nothing lost\n", kinds[i].name);
			failed = 1;
		}
		if (i > 0 && !p->laps) {
			fprintf(stderr, "FAIL %s: never lapped, the test did not test laps\n",
				kinds[i].name);
			failed = 1;
		}
	}
	munmap(mem, ring_size);
	close(memfd);
	return failed ? T_EXIT_FAIL : T_EXIT_PASS;
}
