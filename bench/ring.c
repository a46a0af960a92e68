// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench/ring.c - the shared ring against the machine's own limits, measured
 * in the same run:
 *
 *   writer   reserve + header + memcpy + commit, publish every BATCH records,
 *            vs memcpy of the same payloads into a region of the same size
 *   reader   peek + memcpy out + release over a full ring nobody writes,
 *            vs memcpy of the same payloads out of such a region
 *   latency  one record published on one CPU until peek sees it on another,
 *            vs a bare shared uint64_t store/load between the same CPUs
 *   readers  the writer with NREADERS readers attached (threads on another
 *            CPU, each reading the ring as a reader program does: peek,
 *            copy out, release, a 200 us sleep when caught up), vs the
 *            writer alone.  Twice: the writer paced at a link's packet
 *            rate (--link-gbps, 10 by default: what capd meets), where the
 *            figure is the rate its busy time would sustain (records /
 *            time spent writing, as capd's busy_ns counts it); and
 *            saturated (as fast as it can write), where readers cannot
 *            keep up: they are lapped and compete for memory bandwidth, so
 *            that figure has no target (best of each over the rounds).
 *            The control, paced: NREADERS "neighbours" on the other CPU
 *            copying the same bytes at the same times from memory of their
 *            own, not the ring: what any such load costs the writer here.
 *            Paced, each round measures the writer alone, with readers and
 *            with neighbours, in an order that turns, and a figure's ratio
 *            is the median of the rounds' ratios: both sides of each were
 *            measured within some 100 ms, so a machine that changes speed
 *            over the run (a shared one does) moves both alike.
 *
 *	ring [--seconds S] [--quick] [--size SIZE] [--sizes LIST] [--json]
 *	     [--link-gbps G]
 *
 * Throughput: best of several rounds, each running the ring and then its
 * memcpy reference, so noise from other tenants hits both alike and the
 * fastest round is the one least disturbed.  Latency: percentiles over the
 * samples during which the reader was not interrupted, ring and bare taken
 * in alternating chunks (see struct lat).  Needs no privileges; the ring
 * lives in MAP_HUGETLB memory if enough 2 MiB pages are reserved, otherwise
 * in anonymous memory with MADV_HUGEPAGE, and the output says which.  The
 * last note counts other runnable tasks: with any, the figures are noise.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "ring_file.h"
#include "ring_layout.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "units.h"

#define BATCH	       64   /* records per publish: one AF_XDP rx batch */
#define NSRC	       8    /* source frames cycled through, cache hot */
#define FRAME_SIZE     2048 /* AF_XDP UMEM frame */
#define FRAME_HEADROOM 256  /* XDP_PACKET_HEADROOM: where the packet starts */
#define MAX_LEN	       (FRAME_SIZE - FRAME_HEADROOM)
#define HUGE_2M	       (2ull << 20)
#define SIZE_DEFAULT   (256ull << 20)
#define SIZE_QUICK     (64ull << 20)
#define LAT_SAMPLES    200000 /* per variant, for --seconds 1 */
#define LAT_CHUNKS     40     /* alternating ring/bare chunks */
#define LAT_LEN	       64     /* payload of a latency record */
#define LAT_GAP_MIN_NS 5000
#define LAT_GAP_MAX_NS 20000

/* Targets of the issue this benchmark answers. */
#define TARGET_WRITER_MPPS_64	 40.0
#define TARGET_WRITER_RATIO_1500 0.70
#define TARGET_P99_NS		 2000.0
#define TARGET_READERS_RATIO	 0.95 /* writer with NREADERS attached / alone */

#define NREADERS	   4
#define READERS_ROUNDS_MAX 64	  /* paced rounds of the readers' figure */
#define READER_IDLE_NS	   200000 /* readers/common/ringsrc.c: IDLE_SLEEP_NS */

#define MAX_SIZES 8
static uint32_t sizes[MAX_SIZES] = { 64, 256, 1500 };
static size_t nsizes = 3;

/* Keep the compiler from specialising on a value or dropping a copy. */
#define OPAQUE(x)  __asm__ __volatile__("" : "+r"(x))
#define CLOBBER(p) __asm__ __volatile__("" : : "r"(p) : "memory")

enum mem_kind {
	MEM_HUGETLB, /* MAP_HUGETLB, 2 MiB pages */
	MEM_THP,     /* anonymous + MADV_HUGEPAGE, pages as the kernel gives */
};

struct region {
	void *map;
	size_t map_len;
	uint8_t *mem; /* 2 MiB aligned */
	size_t len;
};

enum ref_layout {
	REF_SLOTS,
	REF_RING,
	REF_NLAYOUTS,
};

struct bench {
	enum mem_kind kind;
	struct region ring;		/* the ring "file" */
	struct region ref;		/* memcpy reference, ring capacity bytes */
	uint64_t size;			/* ring bytes, header included */
	uint64_t capacity;		/* ring data bytes */
	int layout;			/* enum ref_layout of the reference runs */
	uint64_t ref_off[REF_NLAYOUTS]; /* where its next copy goes */
	struct ring_writer w;
	struct ring_reader r;
	uint64_t filled; /* records the reader round drains */
	uint64_t ts;	 /* timestamp of the next record written */
	uint8_t *frames;
	uint8_t *src[NSRC];
	uint8_t *out; /* readers copy payloads here */
	double seconds;
	double link_gbps; /* the paced writer's link (readers) */
	int rounds;
	bool json;
	int cpu[2]; /* writer, reader */
	double tsc_per_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t tsc_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	/* Not before earlier loads (the stamp just peeked) have completed. */
	_mm_lfence();
	return __rdtsc();
#else
	return now_ns();
#endif
}

static double tsc_calibrate(double secs)
{
	uint64_t t0, c0, t1, c1;

	t0 = now_ns();
	c0 = tsc_now();
	do
		t1 = now_ns();
	while (t1 - t0 < secs * 1e9);
	c1 = tsc_now();
	return (double)(c1 - c0) / (double)(t1 - t0);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The first two CPUs we may run on; -1 where there is none. */
static void pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int i, n = 0;

	cpu[0] = cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
}

static void region_unmap(struct region *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	memset(r, 0, sizeof(*r));
}

static int region_map(struct region *r, size_t len, enum mem_kind kind)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t extra = kind == MEM_THP ? HUGE_2M : 0;

	len = (len + HUGE_2M - 1) & ~(HUGE_2M - 1);
	if (kind == MEM_HUGETLB)
		flags |= MAP_HUGETLB | MAP_POPULATE;
	r->map = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->map_len = len + extra;
	/* THP can only back 2 MiB aligned ranges; hugetlb maps are aligned. */
	r->mem = (uint8_t *)(((uintptr_t)r->map + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	r->len = len;
	if (kind == MEM_THP)
		madvise(r->mem, len, MADV_HUGEPAGE);
	/* Prefault (and for THP, collapse) everything before any timing. */
	memset(r->mem, 0, len);
	return 0;
}

/* AnonHugePages of this process, in bytes, or -1. */
static long long thp_bytes(void)
{
	char line[128];
	long long kb = -1, v;
	FILE *f = fopen("/proc/self/smaps_rollup", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lld kB", &v) == 1)
			kb = v;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Runnable tasks other than this thread, from /proc/loadavg, or -1. */
static int others_runnable(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%*s %*s %*s %d/", &n) != 1)
		n = 0;
	fclose(f);
	return n - 1;
}

static void note(const struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Context lines: on stdout in the table, on stderr next to JSON lines. */
static void note(const struct bench *b, const char *fmt, ...)
{
	FILE *f = b->json ? stderr : stdout;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static int memory_setup(struct bench *b)
{
	struct ring_hugepages hp;
	uint64_t need = (b->size + b->capacity) / HUGE_2M;
	long long thp;
	int err;

	b->kind = MEM_HUGETLB;
	err = region_map(&b->ring, b->size, MEM_HUGETLB);
	if (!err)
		err = region_map(&b->ref, b->capacity, MEM_HUGETLB);
	if (!err) {
		note(b, "memory: MAP_HUGETLB 2 MiB pages, ring %llu MiB + reference %llu MiB",
		     (unsigned long long)(b->size >> 20), (unsigned long long)(b->capacity >> 20));
		return 0;
	}
	/* Both regions must be of one kind, or the ratio compares page sizes. */
	region_unmap(&b->ring);
	region_unmap(&b->ref);
	b->kind = MEM_THP;
	err = region_map(&b->ring, b->size, MEM_THP);
	if (!err)
		err = region_map(&b->ref, b->capacity, MEM_THP);
	if (err)
		return err;
	thp = thp_bytes();
	note(b,
	     "memory: FALLBACK anonymous + MADV_HUGEPAGE (%llu x 2 MiB hugetlb pages "
	     "needed, %llu free); %lld of %llu MiB backed by THP",
	     (unsigned long long)need,
	     ring_file_hugepages(0, &hp) == 0 ? (unsigned long long)hp.free : 0ull,
	     thp < 0 ? -1 : thp >> 20, (unsigned long long)((b->size + b->capacity) >> 20));
	return 0;
}

/* The capd hot path: rx batches of BATCH records, each batch published. */
static __attribute__((noinline)) uint64_t run_writer(struct bench *b, uint32_t len, uint64_t n)
{
	struct ring_writer *w = &b->w;
	uint64_t i, ts = b->ts;

	OPAQUE(len);
	for (i = 0; i < n; i++) {
		struct ring_rec *rec = ring_writer_reserve(w, len);

		if (__builtin_expect(!rec, 0))
			break;
		rec->ts_ns = ts + i;
		rec->caplen = len;
		rec->wirelen = len;
		rec->iface = 0;
		rec->queue = (uint16_t)(i & 3);
		rec->feed = 0;
		rec->ts_source = RING_TS_PHC;
		rec->flags = 0;
		memcpy(rec + 1, b->src[i % NSRC], len);
		ring_writer_commit(w, rec);
		if (i % BATCH == BATCH - 1)
			ring_writer_publish(w);
	}
	ring_writer_publish(w);
	b->ts = ts + i;
	return i;
}

/*
 * The memcpy references copy the same payloads with one of two layouts and
 * the faster one counts, so a quirk of one layout cannot flatter the ring:
 *   REF_SLOTS  consecutive cache-line aligned slots (dense for 64/256 B);
 *   REF_RING   exactly the addresses the ring gives payloads, headers skipped.
 * The quirk seen here: glibc 2.36 copies 513..2112 bytes backwards when
 * (dst - src) % 4096 < 256 (its 4K-aliasing rule), which is much slower
 * into or out of cold memory.  1500 B packed 8-byte aligned hits it for one
 * copy in 16 and writes 30 % slower than 1536 B slots; read out of 64-byte
 * aligned slots into a page aligned buffer, one in 8 and half the speed.
 */
static const char *const ref_names[REF_NLAYOUTS] = { "slots", "ringpos" };

static inline uint64_t ref_stride(const struct bench *b, uint32_t len)
{
	if (b->layout == REF_RING)
		return ring_rec_size(len);
	return ((uint64_t)len + 63) & ~(uint64_t)63;
}

/* Offset of the next reference payload in b->ref; advances *off. */
static inline uint64_t ref_next(const struct bench *b, uint64_t *off, uint64_t stride)
{
	const uint64_t bmask = RING_BLOCK_SIZE_DEFAULT - 1;
	uint64_t o = *off;

	if (b->layout == REF_SLOTS) {
		if (o + stride > b->capacity)
			o = 0;
		*off = o + stride;
		return o;
	}
	/* Records never straddle a block, and blocks start with a header. */
	if ((o & bmask) + stride > bmask + 1)
		o = (o | bmask) + 1;
	if (o + stride > b->capacity)
		o = 0;
	if (!(o & bmask))
		o += sizeof(struct ring_blk);
	*off = o + stride;
	return o + sizeof(struct ring_rec);
}

/* Reference: the same payloads from the same frames into a cold region. */
static __attribute__((noinline)) uint64_t run_memcpy_in(struct bench *b, uint32_t len, uint64_t n)
{
	uint64_t stride, off = b->ref_off[b->layout], i;
	uint8_t *dst = b->ref.mem;

	OPAQUE(len);
	stride = ref_stride(b, len);
	for (i = 0; i < n; i++)
		memcpy(dst + ref_next(b, &off, stride), b->src[i % NSRC], len);
	b->ref_off[b->layout] = off;
	return n;
}

/* Drain the whole pre-filled ring from its oldest record. */
static __attribute__((noinline)) uint64_t run_reader(struct bench *b, uint32_t len, uint64_t n)
{
	struct ring_reader *r = &b->r;
	struct ring_view v;
	uint64_t got = 0;

	(void)len;
	(void)n;
	ring_reader_seek(r, RING_SEEK_OLDEST, 0);
	while (ring_reader_peek(r, &v) == 0) {
		memcpy(b->out, v.data, v.rec.caplen);
		CLOBBER(b->out);
		if (ring_reader_release(r) == 0)
			got++;
	}
	return got;
}

/* Reference: the same payloads copied out of a region of the same size. */
static __attribute__((noinline)) uint64_t run_memcpy_out(struct bench *b, uint32_t len, uint64_t n)
{
	uint64_t stride, off = 0, i;
	const uint8_t *src = b->ref.mem;

	OPAQUE(len);
	stride = ref_stride(b, len);
	for (i = 0; i < n; i++) {
		memcpy(b->out, src + ref_next(b, &off, stride), len);
		CLOBBER(b->out);
	}
	return n;
}

typedef uint64_t (*run_fn)(struct bench *b, uint32_t len, uint64_t n);

/* Records per second of one run of n records; *done gets the count run. */
static double timed(struct bench *b, run_fn f, uint32_t len, uint64_t n, uint64_t *done)
{
	uint64_t t0 = now_ns(), k, t;

	k = f(b, len, n);
	t = now_ns() - t0;
	if (done)
		*done = k;
	return (double)k * 1e9 / (double)(t ? t : 1);
}

/* Records per round so that one round takes about secs. */
static uint64_t calibrate(struct bench *b, run_fn f, uint32_t len, double secs)
{
	uint64_t n = 64 * BATCH;
	double rate;

	for (;;) {
		uint64_t t0 = now_ns();

		f(b, len, n);
		if (now_ns() - t0 > 10000000 || n >= (1ull << 34))
			break;
		n *= 2;
	}
	rate = timed(b, f, len, n, NULL);
	n = (uint64_t)(rate * secs) / BATCH * BATCH;
	return n < BATCH ? BATCH : n;
}

struct best {
	double ring;		/* records/s, best round */
	double ref;		/* records/s, best round of the faster layout */
	enum ref_layout layout; /* that layout */
};

/* Rounds of: the ring, then the reference in each layout; best of each. */
static void best_of(struct bench *b, run_fn ring, run_fn ref, uint32_t len, uint64_t n, int rounds,
		    struct best *res)
{
	double best[REF_NLAYOUTS] = { 0 };
	int i, l;

	res->ring = 0;
	for (i = 0; i < rounds; i++) {
		double x = timed(b, ring, len, n, NULL);

		if (x > res->ring)
			res->ring = x;
		for (l = 0; l < REF_NLAYOUTS; l++) {
			b->layout = l;
			x = timed(b, ref, len, n, NULL);
			if (x > best[l])
				best[l] = x;
		}
	}
	res->layout = best[REF_RING] > best[REF_SLOTS] ? REF_RING : REF_SLOTS;
	res->ref = best[res->layout];
}

/*
 * One figure: a human table row or a JSON line.  ref <= 0: none; kind says
 * what the reference was (table only); ratio is value's to ref, or, where
 * rounds were paired, the median of their ratios; met < 0: no target.
 */
static void figure_ratio(const struct bench *b, const char *name, double value, const char *unit,
			 double ref, double ratio, const char *kind, const char *target, int met)
{
	if (b->json) {
		printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",", name, value, unit);
		if (ref > 0)
			printf("\"ref\":%.6g,\"ratio\":%.6g", ref, ratio);
		else
			printf("\"ref\":null,\"ratio\":null");
		if (target)
			printf(",\"target\":\"%s\",\"met\":%s", target, met ? "true" : "false");
		else
			printf(",\"target\":null,\"met\":null");
		printf("}\n");
	} else {
		printf("%-17s %10.2f %-4s", name, value, unit);
		if (ref > 0)
			printf(" %10.2f %6.3f  %-8s", ref, ratio, kind);
		else
			printf(" %10s %6s  %-8s", "-", "-", "");
		if (target)
			printf("  %s: %s", target, met ? "met" : "NOT MET");
		printf("\n");
	}
	fflush(stdout);
}

static void figure(const struct bench *b, const char *name, double value, const char *unit,
		   double ref, const char *kind, const char *target, int met)
{
	figure_ratio(b, name, value, unit, ref, ref > 0 ? value / ref : 0, kind, target, met);
}

static void bench_writer(struct bench *b)
{
	double per_round = b->seconds / ((1.0 + REF_NLAYOUTS) * b->rounds);
	size_t i;
	int l;

	for (i = 0; i < nsizes; i++) {
		uint32_t len = sizes[i];
		uint64_t n = calibrate(b, run_writer, len, per_round);
		const char *kind;
		struct best r;
		char name[32];
		bool t64 = len == 64, t1500 = len == 1500;

		for (l = 0; l < REF_NLAYOUTS; l++) {
			b->layout = l;
			run_memcpy_in(b, len, n / 4); /* warm up */
		}
		best_of(b, run_writer, run_memcpy_in, len, n, b->rounds, &r);
		kind = ref_names[r.layout];
		snprintf(name, sizeof(name), "writer_mpps_%u", len);
		figure(b, name, r.ring / 1e6, "Mpps", r.ref / 1e6, kind, t64 ? ">= 40 Mpps" : NULL,
		       t64 ? r.ring / 1e6 >= TARGET_WRITER_MPPS_64 : -1);
		snprintf(name, sizeof(name), "writer_gbps_%u", len);
		figure(b, name, r.ring * len / 1e9, "GB/s", r.ref * len / 1e9, kind,
		       t1500 ? ">= 0.70 x memcpy" : NULL,
		       t1500 ? r.ring / r.ref >= TARGET_WRITER_RATIO_1500 : -1);
	}
}

/* A fresh ring holding as many len-byte records as fit without a lap. */
static int fill_ring(struct bench *b, uint32_t len)
{
	uint64_t rs = ring_rec_size(len), n = 0;
	int err;

	err = ring_layout_format(b->ring.mem, b->size, RING_BLOCK_SIZE_DEFAULT);
	if (!err)
		err = ring_writer_open(&b->w, b->ring.mem, b->size, (uint32_t)getpid());
	if (err)
		return err;
	while (b->w.pos + rs <= b->capacity) {
		run_writer(b, len, 1);
		n++;
	}
	b->filled = n;
	return ring_reader_open(&b->r, b->ring.mem, b->size);
}

static int bench_reader(struct bench *b)
{
	size_t i;
	int err;

	for (i = 0; i < nsizes; i++) {
		uint32_t len = sizes[i];
		uint64_t got, t0;
		const char *kind;
		struct best r;
		char name[32];
		double t;
		int rounds;

		err = fill_ring(b, len);
		if (err)
			return err;
		/* A round is one drain of the ring; as many as fit the time. */
		t0 = now_ns();
		timed(b, run_reader, len, b->filled, &got);
		t = (double)(now_ns() - t0) / 1e9;
		if (got != b->filled) {
			fprintf(stderr,
				"reader: drained %llu of %llu records (lost %llu, "
				"rejected %llu)\n",
				(unsigned long long)got, (unsigned long long)b->filled,
				(unsigned long long)b->r.lost, (unsigned long long)b->r.rejected);
			return -EBADMSG;
		}
		rounds = (int)(b->seconds / ((1.0 + REF_NLAYOUTS) * t));
		if (rounds < b->rounds)
			rounds = b->rounds;
		if (rounds > 50)
			rounds = 50;
		best_of(b, run_reader, run_memcpy_out, len, b->filled, rounds, &r);
		kind = ref_names[r.layout];
		snprintf(name, sizeof(name), "reader_mpps_%u", len);
		figure(b, name, r.ring / 1e6, "Mpps", r.ref / 1e6, kind, NULL, -1);
		snprintf(name, sizeof(name), "reader_gbps_%u", len);
		figure(b, name, r.ring * len / 1e9, "GB/s", r.ref * len / 1e9, kind, NULL, -1);
	}
	return 0;
}

/*
 * Readers attached while the writer runs: each thread reads the ring as
 * ringsrc does, from where the writer is when its round starts.  Between
 * rounds (and during the writer's rounds alone) the readers stay attached
 * but sleep, so that the "alone" rounds have no reader touching the ring.
 */
struct attached {
	struct bench *b;
	pthread_t t;
	struct ring_reader r;
	uint64_t records, lost; /* during the active rounds */
	uint8_t *priv;		/* READERS_NEIGHBOUR's memory */
	uint64_t npos;
	uint8_t out[FRAME_SIZE] __attribute__((aligned(64)));
};

enum { READERS_SLEEP, READERS_READ, READERS_NEIGHBOUR };
static uint32_t readers_active __attribute__((aligned(64))); /* READERS_* */
static uint32_t readers_stop;
/* READERS_NEIGHBOUR: copy what a reader would, when it would, from memory
 * of one's own: rate records/s of len bytes since t0. */
static double neighbour_rate;
static uint32_t neighbour_len;
static uint64_t neighbour_t0;

#define NEIGHBOUR_BYTES (16u << 20)

/* A neighbour's round: the records a reader would have read by now. */
static void neighbour_copy(struct attached *a, uint64_t *done)
{
	uint64_t due = (uint64_t)((double)(now_ns() - neighbour_t0) * neighbour_rate / 1e9);

	for (; *done < due; (*done)++) {
		if (a->npos + neighbour_len > NEIGHBOUR_BYTES)
			a->npos = 0;
		memcpy(a->out, a->priv + a->npos, neighbour_len);
		CLOBBER(a->out);
		a->npos += (neighbour_len + 32 + 7) & ~7u;
	}
}

static void *attached_reader(void *arg)
{
	struct attached *a = arg;
	struct ring_view v;
	uint64_t done = 0;
	bool was = false;

	if (a->b->cpu[1] >= 0)
		pin(a->b->cpu[1]);
	while (!__atomic_load_n(&readers_stop, __ATOMIC_RELAXED)) {
		uint32_t mode = __atomic_load_n(&readers_active, __ATOMIC_ACQUIRE);
		bool on = mode == READERS_READ;

		if (mode == READERS_NEIGHBOUR) {
			neighbour_copy(a, &done);
			nanosleep(&(struct timespec){ .tv_nsec = READER_IDLE_NS }, NULL);
			continue;
		}
		done = 0;
		if (on && !was) {
			ring_reader_seek(&a->r, RING_SEEK_NEWEST, 0);
			a->r.lost = 0;
		}
		if (!on && was)
			a->lost += a->r.lost;
		was = on;
		if (!on || ring_reader_peek(&a->r, &v) < 0) {
			nanosleep(&(struct timespec){ .tv_nsec = on ? READER_IDLE_NS : 1000000 },
				  NULL);
			continue;
		}
		memcpy(a->out, v.data, v.rec.caplen < FRAME_SIZE ? v.rec.caplen : FRAME_SIZE);
		CLOBBER(a->out);
		if (ring_reader_release(&a->r) == 0)
			a->records++;
	}
	return NULL;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* The median of v[0..n), n >= 1; sorts v. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The writer paced at rate records/s, in batches of BATCH published each:
 * the records per second its time spent writing would sustain (waiting
 * for the next batch excluded), as capd's busy_ns gives it.  The median
 * batch counts: on a shared machine a batch is now and then preempted,
 * which says nothing about the ring.  @return 0 without memory.
 */
static double run_paced(struct bench *b, uint32_t len, uint64_t n, double rate)
{
	uint64_t nb = n / BATCH, t0, i, *busy = malloc(nb * sizeof(*busy));
	double gap = (double)BATCH * 1e9 / rate, med;

	if (!busy || !nb) {
		free(busy);
		return 0;
	}
	t0 = now_ns();
	for (i = 0; i < nb; i++) {
		uint64_t due = t0 + (uint64_t)((double)i * gap), c;

		while (now_ns() < due)
			;
		c = tsc_now();
		run_writer(b, len, BATCH);
		busy[i] = tsc_now() - c;
	}
	qsort(busy, nb, sizeof(*busy), cmp_u64);
	med = (double)busy[nb / 2] / b->tsc_per_ns;
	free(busy);
	return BATCH * 1e9 / (med > 0 ? med : 1);
}

/* Records per second of a link of gbps at len bytes: 24 bytes of preamble,
 * gap and FCS per frame. */
static double link_rate(double gbps, uint32_t len)
{
	return gbps * 1e9 / 8.0 / (double)(len + 24);
}

/* Writer rounds alone and with the readers reading, alternating. */
static int bench_readers(struct bench *b)
{
	double per_round = b->seconds / (2.0 * b->rounds);
	/* Paced: more and shorter rounds of the three, in the same time; more
	 * with --seconds (a ratio's two sides stay close in time). */
	double want = 3.0 * b->rounds * b->seconds;
	int pr = want > READERS_ROUNDS_MAX ? READERS_ROUNDS_MAX : want < 3 ? 3 : (int)want;
	double paced_round = b->seconds / (2.0 * pr);
	struct attached *a = aligned_alloc(64, NREADERS * sizeof(*a));
	int i, k, started = 0, err = 0;
	size_t s;

	if (!a)
		return -ENOMEM;
	memset(a, 0, NREADERS * sizeof(*a));
	__atomic_store_n(&readers_stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&readers_active, 0, __ATOMIC_RELAXED);
	for (k = 0; k < NREADERS && !err; k++) {
		a[k].b = b;
		a[k].priv = malloc(NEIGHBOUR_BYTES);
		if (!a[k].priv) {
			err = -ENOMEM;
			break;
		}
		memset(a[k].priv, k, NEIGHBOUR_BYTES);
		err = ring_reader_open(&a[k].r, b->ring.mem, b->size);
		if (!err)
			err = -pthread_create(&a[k].t, NULL, attached_reader, &a[k]);
		if (!err)
			started++;
	}
	for (s = 0; s < nsizes && !err; s++) {
		uint32_t len = sizes[s];
		double rate = link_rate(b->link_gbps, len);
		uint64_t n = (uint64_t)(rate * per_round) / BATCH * BATCH + BATCH;
		uint64_t pn = (uint64_t)(rate * paced_round) / BATCH * BATCH + BATCH;
		double alone = 0, with = 0, x, secs = 0;
		double ra[READERS_ROUNDS_MAX], rw[READERS_ROUNDS_MAX], rn[READERS_ROUNDS_MAX];
		double qw[READERS_ROUNDS_MAX], qn[READERS_ROUNDS_MAX];
		uint64_t recs = 0, lost = 0;
		char name[48], target[40];
		int m;

		/* Paced: the readers keep up, as they must on a capture box. */
		for (k = 0; k < NREADERS; k++)
			a[k].records = a[k].lost = 0;
		neighbour_rate = rate;
		neighbour_len = len;
		for (i = 0; i < pr; i++) {
			/* The three in an order that turns, so that none is
			 * always the one after a pause. */
			for (m = 0; m < 3; m++) {
				int mode = (i + m) % 3;
				double *into;

				if (mode == READERS_NEIGHBOUR)
					neighbour_t0 = now_ns();
				if (mode != READERS_SLEEP) {
					__atomic_store_n(&readers_active, (uint32_t)mode,
							 __ATOMIC_RELEASE);
					/* Let every reader wake and catch up first. */
					if (mode == READERS_READ)
						nanosleep(&(struct timespec){ .tv_nsec = 5000000 },
							  NULL);
				}
				into = mode == READERS_READ	   ? rw
				       : mode == READERS_NEIGHBOUR ? rn
								   : ra;
				into[i] = run_paced(b, len, pn, rate);
				if (mode != READERS_SLEEP) {
					__atomic_store_n(&readers_active, READERS_SLEEP,
							 __ATOMIC_RELEASE);
					nanosleep(&(struct timespec){ .tv_nsec = 3000000 }, NULL);
				}
			}
		}
		for (i = 0; i < pr; i++) {
			qw[i] = ra[i] > 0 ? rw[i] / ra[i] : 0;
			qn[i] = ra[i] > 0 ? rn[i] / ra[i] : 0;
		}
		for (k = 0; k < NREADERS; k++) {
			recs += a[k].records;
			lost += a[k].lost;
		}
		/* Each median sorts its array: qw[] and qn[] then run from the
		 * lowest ratio to the highest, as the note gives them. */
		alone = median(ra, pr);
		x = median(qw, pr);
		snprintf(name, sizeof(name), "paced_%dreaders_mpps_%u", NREADERS, len);
		snprintf(target, sizeof(target), ">= %.2f x no readers", TARGET_READERS_RATIO);
		figure_ratio(b, name, median(rw, pr) / 1e6, "Mpps", alone / 1e6, x, "alone", target,
			     x >= TARGET_READERS_RATIO);
		snprintf(name, sizeof(name), "paced_%dneighbours_mpps_%u", NREADERS, len);
		figure_ratio(b, name, median(rn, pr) / 1e6, "Mpps", alone / 1e6, median(qn, pr),
			     "alone", NULL, -1);
		note(b,
		     "readers, %u B paced at %.2f Mpps (%.0f Gb/s): %d readers on CPU %d read "
		     "%.1f %% of what was written, lost %.2f %% to laps; the rounds' ratios "
		     "%.3f to %.3f with readers, %.3f to %.3f with neighbours",
		     len, rate / 1e6, b->link_gbps, NREADERS, b->cpu[1],
		     100.0 * (double)recs / ((double)NREADERS * (double)pn * pr),
		     recs + lost ? 100.0 * (double)lost / (double)(recs + lost) : 0.0, qw[0],
		     qw[pr - 1], qn[0], qn[pr - 1]);

		/* Saturated: the writer as fast as it goes. */
		n = calibrate(b, run_writer, len, per_round);
		alone = with = 0;
		recs = lost = 0;

		for (k = 0; k < NREADERS; k++)
			a[k].records = a[k].lost = 0;
		for (i = 0; i < b->rounds; i++) {
			x = timed(b, run_writer, len, n, NULL);
			alone = x > alone ? x : alone;
			__atomic_store_n(&readers_active, 1, __ATOMIC_RELEASE);
			/* Let every reader wake and catch up first. */
			nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
			x = timed(b, run_writer, len, n, NULL);
			secs += (double)n / x;
			with = x > with ? x : with;
			__atomic_store_n(&readers_active, 0, __ATOMIC_RELEASE);
			nanosleep(&(struct timespec){ .tv_nsec = 3000000 }, NULL);
		}
		for (k = 0; k < NREADERS; k++) {
			recs += a[k].records;
			lost += a[k].lost;
		}
		snprintf(name, sizeof(name), "satur_%dreaders_mpps_%u", NREADERS, len);
		figure(b, name, with / 1e6, "Mpps", alone / 1e6, "alone", NULL, -1);
		note(b,
		     "readers, %u B saturated: %d readers on CPU %d read %.2f Mrec/s each while "
		     "the writer ran, and lost %.1f %% of what it wrote to laps",
		     len, NREADERS, b->cpu[1], (double)recs / NREADERS / (secs ? secs : 1) / 1e6,
		     recs + lost ? 100.0 * (double)lost / (double)(recs + lost) : 0.0);
	}
	__atomic_store_n(&readers_stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < started; k++)
		pthread_join(a[k].t, NULL);
	for (k = 0; k < NREADERS; k++)
		free(a[k].priv);
	free(a);
	return err;
}

/*
 * Latency: the writer thread sends one sample every 5-20 us (random, so no
 * resonance with timer ticks), the reader thread spins and stamps arrival.
 * Stamps are TSC reads; an offset between the two CPUs' TSCs would shift
 * ring and bare alike.  Ring and bare alternate in chunks.
 *
 * On a shared machine either thread is sometimes interrupted or descheduled;
 * such a sample measures the scheduler, and the bare variant even loses it
 * (overwritten).  A sample is noisy if the reader saw a gap of more than
 * LAT_NOISE_NS between two polls that ended after its stamp or in the poll
 * that found it, or the writer took longer than that from stamp to the end
 * of its publish.  A ring that itself took that long would show up as many
 * more noisy ring than bare samples.  The figures
 * are over the quiet samples of both variants; a note says how many were
 * set aside and gives the percentiles over all of them.
 */
#define LAT_NOISE_NS 1000

enum { LAT_RING, LAT_BARE, LAT_NVAR };

struct lat_var {
	int64_t *all, *quiet; /* samples in TSC ticks */
	uint64_t *stamp;      /* stamp of all[i] */
	uint8_t *rnoisy;      /* all[i] was noisy on the reader side */
	uint64_t *wnoisy;     /* stamps noisy on the writer side, ascending */
	uint64_t nall, nquiet, nwnoisy;
	uint64_t sent;
};

struct lat {
	struct bench *b;
	pthread_barrier_t bar;
	int chunks;
	uint64_t per_chunk, max;
	struct lat_var var[LAT_NVAR];
	uint64_t bare __attribute__((aligned(64)));  /* the bare variant */
	uint64_t recv __attribute__((aligned(64)));  /* samples received */
	uint32_t ready __attribute__((aligned(64))); /* reader polls chunk c + 1 */
	uint32_t stop __attribute__((aligned(64)));  /* end of a chunk */
	int err;
};

static void lat_send_ring(struct bench *b, uint64_t stamp, uint64_t k)
{
	struct ring_rec *rec = ring_writer_reserve(&b->w, LAT_LEN);

	rec->ts_ns = stamp;
	rec->caplen = LAT_LEN;
	rec->wirelen = LAT_LEN;
	rec->iface = 0;
	rec->queue = 0;
	rec->feed = 0;
	rec->ts_source = RING_TS_PHC;
	rec->flags = 0;
	memcpy(rec + 1, b->src[k % NSRC], LAT_LEN);
	ring_writer_commit(&b->w, rec);
	ring_writer_publish(&b->w);
}

static void *lat_writer(void *arg)
{
	struct lat *l = arg;
	struct bench *b = l->b;
	uint64_t rnd = 0x9e3779b97f4a7c15ull, sent = 0, next, stamp, k;
	double tpn = b->tsc_per_ns;
	uint64_t noise = (uint64_t)(LAT_NOISE_NS * tpn);
	int c;

	if (pin(b->cpu[0]))
		l->err = -EINVAL;
	for (c = 0; c < l->chunks; c++) {
		int var = c & 1 ? LAT_BARE : LAT_RING;
		struct lat_var *v = &l->var[var];

		ring_store_relaxed32(&l->stop, 0);
		pthread_barrier_wait(&l->bar);
		/* Start once the reader spins, not while it is being woken. */
		while (ring_load_acquire32(&l->ready) != (uint32_t)c + 1)
			ring_cpu_relax();
		next = tsc_now();
		for (k = 0; k < l->per_chunk; k++) {
			rnd ^= rnd << 13;
			rnd ^= rnd >> 7;
			rnd ^= rnd << 17;
			next += (uint64_t)(tpn *
					   (double)(LAT_GAP_MIN_NS +
						    rnd % (LAT_GAP_MAX_NS - LAT_GAP_MIN_NS + 1)));
			while (tsc_now() < next)
				ring_cpu_relax();
			stamp = tsc_now();
			if (var == LAT_RING)
				lat_send_ring(b, stamp, k);
			else
				ring_store_release64(&l->bare, stamp);
			if (tsc_now() - stamp > noise && v->nwnoisy < l->max)
				v->wnoisy[v->nwnoisy++] = stamp;
			sent++;
			next = stamp;
		}
		v->sent += l->per_chunk;
		/* Give the reader 1 ms to take the last one; a bare sample
		 * overwritten while the reader was off-CPU never comes. */
		next = tsc_now() + (uint64_t)(tpn * 1e6);
		while (ring_load_relaxed64(&l->recv) < sent && tsc_now() < next)
			ring_cpu_relax();
		sent = ring_load_relaxed64(&l->recv);
		ring_store_relaxed32(&l->stop, 1);
		pthread_barrier_wait(&l->bar);
	}
	return NULL;
}

static int cmp_i64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, c = *(const int64_t *)pb;

	return (a > c) - (a < c);
}

static void lat_sample(struct lat *l, int var, uint64_t stamp, uint64_t seen, bool noisy)
{
	struct lat_var *v = &l->var[var];

	if (v->nall == l->max)
		return;
	v->stamp[v->nall] = stamp;
	v->rnoisy[v->nall] = noisy;
	v->all[v->nall++] = (int64_t)(seen - stamp);
}

static bool lat_wnoisy(const struct lat_var *v, uint64_t stamp)
{
	uint64_t lo = 0, hi = v->nwnoisy;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (v->wnoisy[mid] < stamp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nwnoisy && v->wnoisy[lo] == stamp;
}

/* Sort all samples, and collect and sort the quiet ones. */
static void lat_finish(struct lat_var *v)
{
	uint64_t i;

	for (i = 0; i < v->nall; i++)
		if (!v->rnoisy[i] && !lat_wnoisy(v, v->stamp[i]))
			v->quiet[v->nquiet++] = v->all[i];
	qsort(v->all, v->nall, sizeof(int64_t), cmp_i64);
	qsort(v->quiet, v->nquiet, sizeof(int64_t), cmp_i64);
}

static void *lat_reader(void *arg)
{
	struct lat *l = arg;
	struct bench *b = l->b;
	uint64_t noise = (uint64_t)(LAT_NOISE_NS * b->tsc_per_ns);
	uint64_t recv = 0, last, prev, noisy, it, t;
	struct ring_view v;
	int c;

	if (pin(b->cpu[1]))
		l->err = -EINVAL;
	for (c = 0; c < l->chunks; c++) {
		int var = c & 1 ? LAT_BARE : LAT_RING;

		pthread_barrier_wait(&l->bar);
		last = ring_load_acquire64(&l->bare);
		noisy = 0;
		prev = tsc_now();
		ring_store_release32(&l->ready, (uint32_t)c + 1);
		while (!ring_load_relaxed32(&l->stop)) {
			it = tsc_now();
			if (it - prev > noise)
				noisy = it;
			prev = it;
			if (var == LAT_RING) {
				if (ring_reader_peek(&b->r, &v))
					continue;
				t = tsc_now();
				if (ring_reader_release(&b->r) == 0)
					lat_sample(l, var, v.rec.ts_ns, t,
						   noisy > v.rec.ts_ns || t - it > noise);
			} else {
				t = ring_load_acquire64(&l->bare);
				if (t == last)
					continue;
				last = t;
				t = tsc_now();
				lat_sample(l, var, last, t, noisy > last || t - it > noise);
			}
			ring_store_relaxed64(&l->recv, ++recv);
		}
		/* Anything left came after the writer gave up: not a sample. */
		while (var == LAT_RING && ring_reader_peek(&b->r, &v) == 0)
			ring_reader_release(&b->r);
		pthread_barrier_wait(&l->bar);
	}
	return NULL;
}

/* Nearest-rank percentile of n sorted samples, in ns. */
static double pct(const int64_t *s, uint64_t n, double q, double tsc_per_ns)
{
	uint64_t i = (uint64_t)(q * (double)n + 0.999999);

	if (!n)
		return 0;
	i = i ? i - 1 : 0;
	return (double)s[i < n ? i : n - 1] / tsc_per_ns;
}

static int bench_latency(struct bench *b)
{
	static const struct {
		const char *name;
		double q;
	} ps[] = { { "latency_p50_ns", 0.50 },
		   { "latency_p99_ns", 0.99 },
		   { "latency_p999_ns", 0.999 } };
	double tpn = b->tsc_per_ns;
	struct lat_var *rv, *bv;
	uint64_t samples;
	struct lat *l;
	pthread_t tr;
	size_t i;
	int err = 0;

	if (b->cpu[1] < 0) {
		note(b, "latency: skipped, only one CPU available");
		return 0;
	}
	l = aligned_alloc(64, (sizeof(*l) + 63) & ~(size_t)63);
	if (!l)
		return -ENOMEM;
	memset(l, 0, sizeof(*l));
	l->b = b;
	samples = (uint64_t)(LAT_SAMPLES * b->seconds);
	if (samples < 10000)
		samples = 10000;
	l->chunks = LAT_CHUNKS;
	l->per_chunk = samples / (LAT_CHUNKS / 2);
	l->max = l->per_chunk * (LAT_CHUNKS / 2);
	for (i = 0; i < LAT_NVAR; i++) {
		struct lat_var *v = &l->var[i];

		v->all = calloc(l->max, sizeof(int64_t));
		v->quiet = calloc(l->max, sizeof(int64_t));
		v->stamp = calloc(l->max, sizeof(uint64_t));
		v->rnoisy = calloc(l->max, 1);
		v->wnoisy = calloc(l->max, sizeof(uint64_t));
		if (!v->all || !v->quiet || !v->stamp || !v->rnoisy || !v->wnoisy) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = ring_reader_seek(&b->r, RING_SEEK_NEWEST, 0);
	if (err)
		goto out;
	note(b,
	     "latency: writer CPU %d -> reader CPU %d, %llu samples each of ring "
	     "and bare in %d alternating chunks, gaps %d-%d us, TSC %.3f GHz",
	     b->cpu[0], b->cpu[1], (unsigned long long)l->max, LAT_CHUNKS, LAT_GAP_MIN_NS / 1000,
	     LAT_GAP_MAX_NS / 1000, tpn);
	pthread_barrier_init(&l->bar, NULL, 2);
	if (pthread_create(&tr, NULL, lat_reader, l)) {
		err = -EAGAIN;
		goto out_bar;
	}
	lat_writer(l); /* on this thread, already on the writer's CPU */
	pthread_join(tr, NULL);
	if (l->err) {
		err = l->err;
		goto out_bar;
	}
	for (i = 0; i < LAT_NVAR; i++)
		lat_finish(&l->var[i]);
	rv = &l->var[LAT_RING];
	bv = &l->var[LAT_BARE];
	note(b,
	     "latency: quiet samples ring %llu/%llu, bare %llu/%llu; noisy on the "
	     "writer side ring %llu, bare %llu; bare lost %llu; over all "
	     "samples ring p99 %.0f p999 %.0f ns, bare p99 %.0f p999 %.0f ns",
	     (unsigned long long)rv->nquiet, (unsigned long long)rv->sent,
	     (unsigned long long)bv->nquiet, (unsigned long long)bv->sent,
	     (unsigned long long)rv->nwnoisy, (unsigned long long)bv->nwnoisy,
	     (unsigned long long)(bv->sent - bv->nall), pct(rv->all, rv->nall, 0.99, tpn),
	     pct(rv->all, rv->nall, 0.999, tpn), pct(bv->all, bv->nall, 0.99, tpn),
	     pct(bv->all, bv->nall, 0.999, tpn));
	if (rv->nall && (rv->all[0] < 0 || bv->all[0] < 0))
		note(b, "latency: negative samples: the CPUs' TSCs are offset");
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		double ring = pct(rv->quiet, rv->nquiet, ps[i].q, tpn);
		double bare = pct(bv->quiet, bv->nquiet, ps[i].q, tpn);
		bool p99 = ps[i].q == 0.99;

		figure(b, ps[i].name, ring, "ns", bare, "bare", p99 ? "<= 2000 ns" : NULL,
		       p99 ? ring <= TARGET_P99_NS : -1);
	}
out_bar:
	pthread_barrier_destroy(&l->bar);
out:
	for (i = 0; i < LAT_NVAR; i++) {
		free(l->var[i].all);
		free(l->var[i].quiet);
		free(l->var[i].stamp);
		free(l->var[i].rnoisy);
		free(l->var[i].wnoisy);
	}
	free(l);
	return err;
}

/* "64,256,1500" into sizes[]. */
static int parse_sizes(const char *arg)
{
	const char *p = arg;
	size_t n = 0;

	while (*p) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || !v || v > MAX_LEN || n == MAX_SIZES || (*end && *end != ','))
			return -EINVAL;
		sizes[n++] = (uint32_t)v;
		p = *end ? end + 1 : end;
	}
	if (!n)
		return -EINVAL;
	nsizes = n;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ring [--seconds S] [--quick] [--size SIZE] [--sizes LIST] [--json]\n"
		   "            [--link-gbps G]\n"
		   "  --seconds S  time per throughput figure, and latency samples\n"
		   "               (200k per variant per second); default 1\n"
		   "  --quick      smoke run: 0.1 s, 64 MiB ring, fewer rounds\n"
		   "  --size SIZE  ring size, e.g. 512M (default 256M); twice that\n"
		   "               is mapped, in 2 MiB hugepages if enough are free\n"
		   "  --sizes LIST payload sizes, default 64,256,1500\n"
		   "  --json       one JSON object per figure and line\n"
		   "  --link-gbps G  the link the paced writer's packet rate is of, with\n"
		   "               24 bytes of preamble, gap and FCS a frame (default 10)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "quick", no_argument, NULL, 'q' },
		{ "size", required_argument, NULL, 'S' },
		{ "sizes", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "link-gbps", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .seconds = 1.0, .rounds = 5, .link_gbps = 10 };
	uint64_t size = 0;
	bool quick = false;
	size_t i;
	char *end;
	int c, err, load, ret = 1;

	while ((c = getopt_long(argc, argv, "s:qS:L:jg:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			b.seconds = strtod(optarg, &end);
			if (*end || !(b.seconds > 0)) {
				fprintf(stderr, "ring: bad --seconds '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q':
			quick = true;
			break;
		case 'S':
			if (units_parse_size(optarg, &size) < 0 || size < 8 * HUGE_2M) {
				fprintf(stderr, "ring: bad --size '%s' (at least 16M)\n", optarg);
				return 2;
			}
			break;
		case 'L':
			if (parse_sizes(optarg) < 0) {
				fprintf(stderr,
					"ring: bad --sizes '%s' (up to %d sizes, "
					"1..%u bytes)\n",
					optarg, MAX_SIZES, MAX_LEN);
				return 2;
			}
			break;
		case 'j':
			b.json = true;
			break;
		case 'g':
			b.link_gbps = strtod(optarg, &end);
			if (*end || !(b.link_gbps > 0) || b.link_gbps > 1000) {
				fprintf(stderr, "ring: bad --link-gbps '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (quick) {
		b.seconds = 0.1;
		b.rounds = 3;
	}
	if (!size)
		size = quick ? SIZE_QUICK : SIZE_DEFAULT;
	b.size = (size + HUGE_2M - 1) & ~(HUGE_2M - 1);
	b.capacity = (uint64_t)ring_layout_nblocks(b.size, RING_BLOCK_SIZE_DEFAULT) *
		     RING_BLOCK_SIZE_DEFAULT;

	pick_cpus(b.cpu);
	if (b.cpu[0] < 0 || pin(b.cpu[0])) {
		fprintf(stderr, "ring: cannot pin to a CPU\n");
		return 1;
	}
	b.frames = aligned_alloc(4096, NSRC * FRAME_SIZE);
	b.out = aligned_alloc(4096, 4096); /* page aligned: see ref_layout */
	if (!b.frames || !b.out)
		goto out;
	for (i = 0; i < NSRC * FRAME_SIZE; i++)
		b.frames[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i < NSRC; i++)
		b.src[i] = b.frames + i * FRAME_SIZE + FRAME_HEADROOM;
	memset(b.out, 0, FRAME_SIZE);

	load = others_runnable();
	err = memory_setup(&b);
	if (err) {
		fprintf(stderr, "ring: cannot map %llu MiB: %s\n",
			(unsigned long long)((b.size + b.capacity) >> 20), strerror(-err));
		goto out;
	}
	err = ring_layout_format(b.ring.mem, b.size, RING_BLOCK_SIZE_DEFAULT);
	if (!err)
		err = ring_writer_open(&b.w, b.ring.mem, b.size, (uint32_t)getpid());
	if (err) {
		fprintf(stderr, "ring: cannot format the ring: %s\n", strerror(-err));
		goto out;
	}
	b.tsc_per_ns = tsc_calibrate(quick ? 0.02 : 0.1);
	note(&b,
	     "ring: %llu MiB, %u x %u KiB blocks, publish every %d records, "
	     "%d source frames",
	     (unsigned long long)(b.size >> 20), b.w.hdr->nblocks, b.w.hdr->block_size >> 10, BATCH,
	     NSRC);
	note(&b,
	     "throughput: pinned to CPU %d; best of %d rounds (writer, ~%.0f ms "
	     "each) or of %d-50 full drains (reader), each round running the ring "
	     "and then memcpy in both layouts",
	     b.cpu[0], b.rounds, b.seconds / ((1.0 + REF_NLAYOUTS) * b.rounds) * 1e3, b.rounds);
	if (!b.json)
		printf("\n%-17s %10s %-4s %10s %6s  %-8s  %s\n", "figure", "value", "unit", "ref",
		       "ratio", "ref is", "target");
	bench_writer(&b);
	if (b.cpu[1] < 0)
		note(&b, "readers: one CPU only; the readers share the writer's");
	err = bench_readers(&b);
	if (!err)
		err = bench_reader(&b);
	if (!err)
		err = bench_latency(&b);
	if (err) {
		fprintf(stderr, "ring: %s\n", strerror(-err));
		goto out;
	}
	/* A busy machine slows both sides of a ratio, but not always alike. */
	note(&b, "load: %d other runnable tasks at the start, %d at the end%s", load,
	     others_runnable(), load > 0 ? " (figures are not reliable)" : "");
	if (!b.json)
		printf("\nref: memcpy of the same payloads, the faster layout: slots = "
		       "cache-line aligned slots,\n     ringpos = the ring's payload "
		       "addresses; bare = one shared uint64_t store/load; alone = the\n"
		       "     writer with no reader attached\n");
	ret = 0;
out:
	region_unmap(&b.ring);
	region_unmap(&b.ref);
	free(b.frames);
	free(b.out);
	return ret;
}
