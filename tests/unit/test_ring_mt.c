// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ring_mt.c - one writer thread and three reader threads (fast,
 * slowed, very slow) on a ring of 8 blocks of 64 KiB for about two seconds.
 * Every record a reader delivers must be intact, and delivered + lost must
 * account for every record written from its first delivered record on.
 *
 * Also run under ThreadSanitizer: copying out of the ring races with the
 * writer by design (the seqlock rule, lib/ring.h); tests/tsan.supp names
 * the copy sites, which is why the payload copies in and out of the ring
 * are functions of their own.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring_layout.h"
#include "ring_payload.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "clock_ns.h"
#include "test.h"

#define NBLOCKS	  8
#define BS	  RING_BLOCK_SIZE_MIN
#define RUN_NS	  2000000000ull
#define MAX_BATCH 32 /* records per ring_writer_publish(), at most */
#define NREADERS  3

#if defined(__SANITIZE_THREAD__)
#define MT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MT_TSAN 1
#endif
#endif

#ifdef MT_TSAN
/* ThreadSanitizer's annotations (compiler-rt and libtsan export them). */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#endif

struct reader {
	const char *name;
	unsigned every; /* sleep after this many records, 0 = never */
	long sleep_ns;
	struct ring_reader r;
	/* what the reader saw, checked by main() after the join */
	int err;
	uint64_t delivered; /* released intact */
	uint64_t lost;	    /* sum of ring_view.lost */
	uint64_t first_seq;
	uint64_t last_seq;
	uint64_t stale;	     /* release() said -ESTALE */
	uint64_t corrupt;    /* released intact, yet wrong header or bytes */
	uint64_t misordered; /* seq not last + 1 + lost, or bad events */
	uint64_t idle;	     /* peeks that found nothing */
};

static struct ring_writer writer;
static uint64_t written; /* records written, once writer_done */
static uint32_t writer_done;

/* The writer's side of the copy: readers may be reading these bytes. */
static __attribute__((noinline)) void mt_fill_record(struct ring_rec *rec, uint64_t seq)
{
	payload_rec_fill(rec, seq);
	payload_fill((uint8_t *)(rec + 1), rec->caplen, seq);
}

static void *writer_main(void *arg)
{
	struct ring_writer *w = arg;
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + RUN_NS, x = 88172645463325252ull;

	do {
		unsigned i, batch;

		x = payload_xorshift(x);
		batch = 1 + (unsigned)(x % MAX_BATCH);
		for (i = 0; i < batch; i++) {
			uint64_t seq = w->seq;
			struct ring_rec *rec = ring_writer_reserve(w, payload_caplen(seq));

			if (!rec)
				abort(); /* caplen <= 9000 always fits */
			mt_fill_record(rec, seq);
			ring_writer_commit(w, rec);
		}
		ring_writer_publish(w);
	} while (clock_ns(CLOCK_MONOTONIC) < end);
	ring_writer_close(w);
	ring_store_relaxed64(&written, w->seq);
	ring_store_release32(&writer_done, 1);
	return NULL;
}

/*
 * Reader-side copy out of the ring, between peek and release.  It races
 * with the writer when the reader is being lapped; release() then tells
 * that the copy must be thrown away.  Under TSan the reads are not even
 * recorded: each of the ~560 words of a payload that the writer later
 * overwrites would otherwise go through TSan's report path and its
 * suppression check, which slows the writer a hundredfold.  The
 * suppression of this function in tsan.supp stays as the fallback.
 */
static __attribute__((noinline)) void mt_copy_record(uint8_t *dst, const uint8_t *src, uint32_t len)
{
#ifdef MT_TSAN
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
	memcpy(dst, src, len);
#ifdef MT_TSAN
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
}

static void check_record(struct reader *rd, const struct ring_view *v, const uint8_t *buf)
{
	uint64_t seq = v->rec.seq;

	if (!payload_rec_ok(&v->rec) || payload_check(buf, v->rec.caplen, seq) >= 0) {
		if (rd->corrupt++ < 5)
			fprintf(stderr, "%s: corrupt record seq %" PRIu64 "\n", rd->name, seq);
	}
	if (rd->delivered == 0) {
		rd->first_seq = seq;
		if (v->lost)
			rd->misordered++;
	} else if (seq <= rd->last_seq || v->lost != seq - rd->last_seq - 1) {
		if (rd->misordered++ < 5)
			fprintf(stderr, "%s: seq %" PRIu64 " lost %" PRIu64 " after %" PRIu64 "\n",
				rd->name, seq, v->lost, rd->last_seq);
	}
	/* Only laps lose records here, and a lap always loses some. */
	if (!!v->lost != !!(v->events & RING_EV_LAPPED) && rd->delivered)
		rd->misordered++;
	if (v->events & ~(uint32_t)RING_EV_LAPPED)
		rd->misordered++;
	rd->last_seq = seq;
	rd->lost += v->lost;
	rd->delivered++;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	uint8_t *buf = malloc(BS);
	struct ring_view v;
	int err;

	if (!buf) {
		rd->err = -ENOMEM;
		return NULL;
	}
	for (;;) {
		err = ring_reader_peek(&rd->r, &v);
		if (err == -EAGAIN) {
			/* Spin a little, then let the writer have the CPU:
			 * the test machine may have fewer cores than threads. */
			if (++rd->idle % 64 == 0) {
				struct timespec ts = { 0, 20000 };

				nanosleep(&ts, NULL);
			} else {
				sched_yield();
			}
			continue;
		}
		if (err) {
			if (err != -EPIPE)
				rd->err = err;
			break;
		}
		if (v.rec.caplen > ring_max_caplen(BS)) {
			rd->err = -E2BIG; /* peek promised otherwise */
			break;
		}
		mt_copy_record(buf, v.data, v.rec.caplen);
		err = ring_reader_release(&rd->r);
		if (err == -ESTALE) {
			rd->stale++;
			continue;
		}
		if (err) {
			rd->err = err;
			break;
		}
		check_record(rd, &v, buf);
		if (rd->every && rd->delivered % rd->every == 0 &&
		    !ring_load_acquire32(&writer_done)) {
			struct timespec ts = { 0, rd->sleep_ns };

			nanosleep(&ts, NULL);
		}
	}
	free(buf);
	return NULL;
}

int main(void)
{
	static struct reader rds[NREADERS] = {
		{ .name = "fast" },
		{ .name = "slow", .every = 16, .sleep_ns = 50000 },
		{ .name = "slowest", .every = 1, .sleep_ns = 1000000 },
	};
	uint64_t len = (NBLOCKS + 1) * (uint64_t)BS;
	uint8_t *mem = aligned_alloc(4096, len);
	pthread_t wt, rt[NREADERS];
	uint64_t n;
	int i;

	T_ASSERT(mem);
	memset(mem, 0, len);
	T_EQ(ring_layout_format(mem, len, BS), 0);
	T_EQ(ring_writer_open(&writer, mem, len, 1), 0);
	for (i = 0; i < NREADERS; i++)
		T_EQ(ring_reader_open(&rds[i].r, mem, len), 0);
	for (i = 0; i < NREADERS; i++)
		T_EQ(pthread_create(&rt[i], NULL, reader_main, &rds[i]), 0);
	T_EQ(pthread_create(&wt, NULL, writer_main, &writer), 0);
	T_EQ(pthread_join(wt, NULL), 0);
	for (i = 0; i < NREADERS; i++)
		T_EQ(pthread_join(rt[i], NULL), 0);

	n = ring_load_relaxed64(&written);
	printf("writer: %" PRIu64 " records, %.1f ring capacities\n", n,
	       (double)((struct ring_hdr *)mem)->tail / ((double)NBLOCKS * BS));
	for (i = 0; i < NREADERS; i++) {
		struct reader *rd = &rds[i];

		printf("%-8s delivered %" PRIu64 " lost %" PRIu64 " laps %" PRIu64 " stale %" PRIu64
		       " idle %" PRIu64 " first %" PRIu64 "\n",
		       rd->name, rd->delivered, rd->lost, rd->r.laps, rd->stale, rd->idle,
		       rd->first_seq);
		T_EQ(rd->err, 0);
		T_EQ(rd->corrupt, 0);
		T_EQ(rd->misordered, 0);
		T_EQ(rd->r.rejected, 0);
		T_ASSERT(rd->delivered > 0);
		T_EQ(rd->r.records, rd->delivered);
		T_EQ(rd->r.lost, rd->lost);
		T_EQ(rd->last_seq, n - 1);
		T_EQ(rd->delivered + rd->lost, n - rd->first_seq);
		if (rd->lost)
			T_ASSERT(rd->r.laps > 0);
	}
	/* The slowest reader reads at most 1000 records a second: the writer
	 * must have lapped it, or this test exercised nothing. */
	T_ASSERT(rds[2].r.laps > 0);
	free(mem);
	return T_EXIT_PASS;
}
