// SPDX-License-Identifier: BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock_ns.h"
#include "clock_text.h"
#include "ring.h"
#include "ring_clock.h"
#include "ring_file.h"
#include "ring_reader.h"
#include "ring_set.h"
#include "ringlist.h"
#include "units.h"

#define RINGLIST_MAX 256 /* ring files listed; nobody runs that many capds */

/* The first record at or after the reader's position, if any. */
static bool first_record(struct ring_reader *rd, struct ring_rec *rec)
{
	struct ring_view v;

	if (ring_reader_peek(rd, &v) < 0)
		return false;
	*rec = v.rec;
	return true;
}

static void find_window(const void *mem, uint64_t len, const struct ring_clock *clock,
			struct ringlist_ring *r)
{
	struct ring_reader rd;
	struct ring_rec rec;

	if (ring_reader_open(&rd, mem, len) < 0 || ring_reader_seek(&rd, RING_SEEK_OLDEST, 0) < 0)
		return;
	r->used = r->tail - (rd.pos - sizeof(struct ring_blk));
	if (!first_record(&rd, &rec))
		return;
	r->oldest_seq = rec.seq;
	r->records = r->next_seq - rec.seq;
	r->oldest_utc = ring_clock_to_utc(clock, rec.ts_source, rec.ts_ns);
	if (ring_reader_seek(&rd, RING_SEEK_SEQ, r->next_seq - 1) < 0 || !first_record(&rd, &rec))
		return;
	r->newest_ts = rec.ts_ns;
	r->newest_utc = ring_clock_to_utc(clock, rec.ts_source, rec.ts_ns);
}

enum ringlist_state ringlist_hdr_state(const struct ring_hdr *h, uint64_t *hb_age)
{
	uint64_t hb = ring_load_relaxed64(&h->heartbeat_ns), now = clock_ns(CLOCK_MONOTONIC);
	uint32_t state = ring_load_acquire32(&h->writer_state);

	*hb_age = !hb ? UINT64_MAX : now > hb ? now - hb : 0;
	if (state == RING_WRITER_RUNNING)
		return *hb_age < RINGLIST_STALE_NS ? RINGLIST_RUNNING : RINGLIST_DEAD;
	return state == RING_WRITER_STOPPED ? RINGLIST_STOPPED : RINGLIST_NEVER;
}

void ringlist_inspect(const void *mem, uint64_t len, struct ringlist_ring *r)
{
	const struct ring_hdr *h = mem;
	const struct ring_feeds *f = (const void *)((const uint8_t *)mem + RING_FEEDS_OFF);
	struct ring_clock clock;

	memset(r, 0, sizeof(*r));
	r->state = ringlist_hdr_state(h, &r->hb_age);
	r->pid = ring_load_relaxed32(&h->writer_pid);
	if (r->state != RINGLIST_RUNNING && r->hb_age != UINT64_MAX)
		r->writer_end = clock_ns(CLOCK_REALTIME) - r->hb_age;
	r->file_size = h->file_size;
	r->tail = ring_load_acquire64(&h->tail);
	r->next_seq = ring_load_relaxed64(&h->next_seq);
	r->capacity = ring_capacity(h);
	r->nfeeds = f->nfeeds < RING_MAX_FEEDS ? f->nfeeds : RING_MAX_FEEDS;
	ring_clock_read((const struct ring_clock *)((const uint8_t *)mem + RING_CLOCK_OFF), &clock);
	find_window(mem, len, &clock, r);
}

const char *ringlist_state_name(enum ringlist_state s)
{
	switch (s) {
	case RINGLIST_RUNNING:
		return "running";
	case RINGLIST_STOPPED:
		return "stopped";
	case RINGLIST_DEAD:
		return "dead";
	default:
		return "never-started";
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ring files' names, sorted; *names and each name malloc()ed. */
static int scan(const char *dir, char ***names)
{
	char **v = calloc(RINGLIST_MAX, sizeof(*v));
	struct dirent *de;
	int n = 0;
	DIR *d;

	*names = v;
	if (!v)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < RINGLIST_MAX) {
		if (de->d_name[0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		v[n] = strdup(de->d_name);
		if (!v[n])
			break;
		n++;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), name_cmp);
	return n;
}

static void scan_free(char **names, int n)
{
	while (names && n > 0)
		free(names[--n]);
	free(names);
}

int ringlist_names(const char *dir, char *buf, size_t len)
{
	char **names;
	size_t at = 0;
	int i, n = scan(dir ? dir : ring_file_dir(), &names);

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);

		at += w > 0 ? (size_t)w : 0;
	}
	scan_free(names, n);
	return n;
}

int ringlist_capturing(const char *dir, const char *ifname, char *ring, size_t len, uint32_t *pid)
{
	char **names, path[PATH_MAX];
	int i, found = 0, n;

	dir = dir ? dir : ring_file_dir();
	n = scan(dir, &names);
	for (i = 0; i < n && !found; i++) {
		struct ring_map m = { .fd = -1 };
		const struct ring_stats *st;
		uint64_t age;
		uint32_t k;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (ring_file_open_ro(path, &m) < 0)
			continue;
		st = (const void *)((const uint8_t *)m.mem + RING_STATS_OFF);
		if (ringlist_hdr_state(m.mem, &age) == RINGLIST_RUNNING)
			for (k = 0; k < st->niface && k < RING_MAX_IFACES && !found; k++)
				if (!strncmp(st->ifaces[k].name, ifname, RING_IFNAME_LEN)) {
					snprintf(ring, len, "%s", names[i]);
					*pid = ((const struct ring_hdr *)m.mem)->writer_pid;
					found = 1;
				}
		ring_file_close(&m);
	}
	scan_free(names, n);
	return n < 0 ? n : found;
}

static void print_feeds(FILE *f, const struct ring_map *m, uint32_t n)
{
	const struct ring_feeds *rf = (const void *)((const uint8_t *)m->mem + RING_FEEDS_OFF);
	uint32_t i;

	if (!n) {
		fputs(", no feeds (all multicast)", f);
		return;
	}
	fputs(", feeds", f);
	for (i = 0; i < n; i++)
		fprintf(f, " %.*s", RING_FEED_NAME_LEN, rf->feeds[i].name);
}

/*
 * What the ring at path, mapped at m, is in its set: ring 0 of a set of
 * several, a current member of the set whose ring 0 is beside it, or a
 * file left by an earlier start with more capture threads.  Nothing for a
 * ring that is a set of one.
 */
static void print_set(FILE *f, const char *path, const struct ring_map *m)
{
	const struct ring_hdr *h = m->mem;
	uint32_t n = ring_set_size(h), k = ring_load_relaxed32(&h->set_index);
	struct ring_map m0 = { .fd = -1 };
	char path0[4096], *dot, *base;

	if (n > RING_SET_MAX) {
		fprintf(f, " set of %" PRIu32 " rings (more than %u: damaged?),", n, RING_SET_MAX);
		return;
	}
	if (!k) {
		if (n == 2)
			fputs(" set of 2 rings (this one and .1),", f);
		else if (n > 2)
			fprintf(f, " set of %" PRIu32 " rings (this one and .1 .. .%" PRIu32 "),",
				n, n - 1);
		return;
	}
	snprintf(path0, sizeof(path0), "%s", path);
	dot = strrchr(path0, '.');
	base = strrchr(path0, '/');
	if (dot && (!base || dot > base))
		*dot = '\0';
	base = strrchr(path0, '/');
	if (!dot || ring_file_open_ro(path0, &m0) < 0) {
		fprintf(f, " member %" PRIu32 " of a set of %" PRIu32 " whose ring 0 is gone,", k,
			n);
		return;
	}
	if (ring_set_member_of(m0.mem, h, k))
		fprintf(f, " member %" PRIu32 " of set %s (%" PRIu32 " rings),", k,
			base ? base + 1 : path0, n);
	else
		fprintf(f,
			" not a current member of set %s (left from an earlier start of capd with "
			"more capture threads),",
			base ? base + 1 : path0);
	ring_file_close(&m0);
}

static void print_one(FILE *f, const char *name, const char *path)
{
	struct ring_map m = { .fd = -1 };
	struct ringlist_ring r;
	char a[40], b[40], why[512];
	int err = ring_file_open_ro(path, &m);

	if (err < 0) {
		fprintf(f, "%s: not a readable ring: %s\n", name,
			ring_file_explain(err, path, 0, why, sizeof(why)));
		return;
	}
	ringlist_inspect(m.mem, m.len, &r);
	fprintf(f, "%s:", name);
	print_set(f, path, &m);
	fprintf(f, " %s, pid %" PRIu32, ringlist_state_name(r.state), r.pid);
	if (r.writer_end)
		fprintf(f, " (%s %s)", r.state == RINGLIST_DEAD ? "last heartbeat" : "stopped",
			clock_text_utc(r.writer_end, 3, a, sizeof(a)));
	fprintf(f, ", %s, %" PRIu64 " records", units_format_size(r.file_size, b, sizeof(b)),
		r.records);
	if (r.oldest_utc)
		fprintf(f, ", %s .. %s", clock_text_utc(r.oldest_utc, 3, a, sizeof(a)),
			clock_text_utc(r.newest_utc, 3, b, sizeof(b)));
	else
		fputs(", empty", f);
	print_feeds(f, &m, r.nfeeds);
	fputc('\n', f);
	ring_file_close(&m);
}

int ringlist_print(FILE *f, char *err, size_t errlen)
{
	char **names, path[4096];
	int i, n = scan(ring_file_dir(), &names);

	if (n < 0) {
		snprintf(err, errlen, "%s: %s (no ring was ever created here: has capd run?)",
			 ring_file_dir(), strerror(-n));
		scan_free(names, 0);
		return n;
	}
	if (!n)
		fprintf(f, "no rings in %s\n", ring_file_dir());
	for (i = 0; i < n; i++)
		if (ring_file_resolve(names[i], path, sizeof(path)) == 0)
			print_one(f, names[i], path);
	scan_free(names, n);
	return n;
}

char *ringlist_not_running(const char *name, const char *path, const struct ringlist_ring *r,
			   int err, char *buf, size_t len)
{
	char names[1024], dir[4096], t[40];
	int n;

	if (!r) {
		/* The rings beside the one named: a misspelt name among them. */
		snprintf(dir, sizeof(dir), "%s", path);
		if (strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
		n = ringlist_names(dir[0] ? dir : "/", names, sizeof(names));
		snprintf(buf, len,
			 "ring %s: %s: %s: capd is not running on it (never started with "
			 "ring.name = %s?); %s%s%s",
			 name, path, strerror(-err), name,
			 n > 0	 ? "rings there: "
			 : n < 0 ? "no ring directory: "
				 : "no rings there",
			 n > 0 ? names : "", n < 0 ? "has capd ever run?" : "");
		return buf;
	}
	switch (r->state) {
	case RINGLIST_STOPPED:
		snprintf(buf, len, "ring %s: capd is not running: it stopped%s%s (pid %u)", name,
			 r->writer_end ? " at " : "",
			 r->writer_end ? clock_text_utc(r->writer_end, 3, t, sizeof(t)) : "",
			 r->pid);
		break;
	case RINGLIST_DEAD:
		snprintf(buf, len,
			 "ring %s: capd is not running: it was killed or crashed (pid %u, last "
			 "heartbeat %s)",
			 name, r->pid, clock_text_utc(r->writer_end, 3, t, sizeof(t)));
		break;
	case RINGLIST_NEVER:
		snprintf(buf, len, "ring %s: capd is not running: it is still setting the ring up",
			 name);
		break;
	default:
		snprintf(buf, len, "ring %s: capd is running (pid %u)", name, r->pid);
	}
	return buf;
}

int ringlist_wait(const char *path, const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	for (;;) {
		struct ring_map m = { .fd = -1 };
		uint64_t age;
		int r = ring_file_open_ro(path, &m);

		if (r == 0) {
			r = ringlist_hdr_state(m.mem, &age) == RINGLIST_RUNNING;
			ring_file_close(&m);
			if (r)
				return 0;
		} else if (r != -ENOENT && r != -EINVAL) { /* -EINVAL: being created */
			ring_file_explain(r, path, 0, err, errlen);
			return r;
		}
		if (*stop)
			return -EINTR;
		nanosleep(&(struct timespec){ .tv_nsec = RINGLIST_WAIT_MS * 1000000L }, NULL);
	}
}
