// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock_ns.h"
#include "ring_clock.h"
#include "ring_file.h"
#include "ring_set.h"
#include "ringsrc.h"

#define MERGE_WAIT_NS	      20000000ull    /* how long a silent ring may hold others back */
#define QUIET_MARGIN_NS	      2000000ull     /* stamped, not yet in a socket: NIC and kernel */
#define QUIET_HOLD_NS	      1000000000ull  /* ... unless its writer says it is still behind */
#define IDLE_SLEEP_NS	      200000L	     /* readers poll: nothing wakes them */
#define CLOCK_REFRESH_RECORDS 4096	     /* and at every idle moment */
#define FILE_CHECK_NS	      200000000ull   /* how often an idle ring's file is looked at */
#define WRITER_GONE_NS	      1000000000ull  /* a heartbeat this old: no writer (ring-format.md) */
#define REPLACE_ERR_NS	      10000000000ull /* a path holding an unreadable file this long: fail */
#define MEMBER_WAIT_NS	      2000000000ull  /* how long a member of a set is waited for */
#define MEMBER_POLL_NS	      20000000L	     /* and how often it is looked for meanwhile */

struct ring_in {
	char path[4096];
	char name[512];	     /* as given, with ".k" for member k > 0 of a set */
	unsigned int first;  /* index of ring 0 of its set in the source */
	uint32_t set_size;   /* rings of its set read (1: a ring read alone) */
	uint32_t set_index;  /* its place in the set */
	bool head;	     /* ring 0 of a set given by name, watched for a new set */
	struct ring_map map; /* map.mem is NULL between a replaced file and its successor */
	struct ring_reader rd;
	dev_t dev; /* the file mapped */
	ino_t ino;
	uint8_t *meta;		    /* between files: the header pages of the one left */
	uint64_t next_check;	    /* CLOCK_MONOTONIC of the next look at the file */
	uint64_t left_ns;	    /* when the replaced file was left */
	struct ring_clock clock;    /* snapshot, refreshed now and then */
	unsigned int clock_age;	    /* records converted with it */
	struct ringsrc_rec pending; /* next record of this ring, if have */
	uint64_t last_ts;	    /* of the last record handed out */
	uint64_t pending_since;
	uint8_t *buf; /* pending.data */
	int have;
	int done;	   /* writer stopped and drained */
	uint64_t stop_seq; /* the set changed: read up to here (s->stale) */
};

struct ringsrc {
	unsigned int n;
	char err[1024]; /* why the last call failed, "" if it did not */
	/* A set changed size under the reader: why it ends once every ring
	 * is read up to stop_seq ("" while no set changed). */
	char stale[1024];
	struct ring_in in[];
};

/* The header pages of ring i: of its mapping, or of the copy kept of the
 * file left while waiting for its successor. */
static const uint8_t *meta(const struct ring_in *in)
{
	return in->map.mem ? in->map.mem : in->meta;
}

static int file_id(struct ring_in *in)
{
	struct stat st;

	if (fstat(in->map.fd, &st) < 0)
		return -errno;
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	return 0;
}

/* Map the ring at in->path (resolved) and attach a reader to it. */
static int open_one(struct ring_in *in, char *err, size_t errlen)
{
	int r = ring_file_open_ro(in->path, &in->map);

	if (r < 0) {
		ring_file_explain(r, in->path, 0, err, errlen);
		return r;
	}
	r = ring_reader_open(&in->rd, in->map.mem, in->map.len);
	if (r == 0)
		r = file_id(in);
	if (r < 0) {
		ring_file_explain(r, in->path, 0, err, errlen);
		ring_file_close(&in->map);
		return r;
	}
	in->buf = malloc(in->rd.max_caplen);
	if (!in->buf) {
		ring_file_close(&in->map);
		return -ENOMEM;
	}
	/* The first record converts with the clock page as it is, not zeros. */
	in->clock_age = CLOCK_REFRESH_RECORDS;
	return 0;
}

/*
 * Open member k of the set whose ring 0 is s->in[first], into s->in[at].
 * capd stamps every member before its capture threads start, and a reader
 * may come in between: a member missing or not yet current is looked for
 * again for up to MEMBER_WAIT_NS.
 */
static int open_member(struct ringsrc *s, unsigned int first, uint32_t k, unsigned int at,
		       char *err, size_t errlen)
{
	struct ring_in *in0 = &s->in[first], *in = &s->in[at];
	const struct ring_hdr *h0 = in0->map.mem;
	uint64_t until = clock_ns(CLOCK_MONOTONIC) + MEMBER_WAIT_NS;
	char why[512];
	int r;

	if (ring_set_member_path(in0->path, k, in->path, sizeof(in->path)) < 0 ||
	    ring_set_member_path(in0->name, k, in->name, sizeof(in->name)) < 0) {
		snprintf(err, errlen, "ring %s: member %u: %s", in0->name, k,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	in->first = first;
	in->set_size = in0->set_size;
	in->set_index = k;
	for (;;) {
		r = open_one(in, why, sizeof(why));
		if (r == 0 && ring_set_member_of(h0, in->map.mem, k))
			return 0;
		if (r == 0) {
			const struct ring_hdr *hk = in->map.mem;

			snprintf(why, sizeof(why),
				 "%.300s is not member %u of this set (it says member %u of %u, "
				 "set id "
				 "%llu; ring 0 says %u rings, set id %llu): left from an earlier "
				 "start of capd with more capture threads?",
				 in->path, k, ring_load_relaxed32(&hk->set_index),
				 ring_set_size(hk),
				 (unsigned long long)ring_load_relaxed64(&hk->set_id),
				 ring_set_size(h0),
				 (unsigned long long)ring_load_relaxed64(&h0->set_id));
			free(in->buf);
			in->buf = NULL;
			ring_file_close(&in->map);
			r = -ESTALE;
		} else if (r == -ENOMEM) {
			return r;
		}
		if (clock_ns(CLOCK_MONOTONIC) >= until)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = MEMBER_POLL_NS }, NULL);
	}
	snprintf(err, errlen, "ring %s (a set of %u rings): member %s: %s (waited %llu s)",
		 in0->name, in0->set_size, in->name, why, MEMBER_WAIT_NS / 1000000000ull);
	return r;
}

/* Open the ring named name at s->in[at] and, if it is ring 0 of a set of
 * several, its other members after it; s->n counts what is open. */
static int open_set(struct ringsrc *s, const char *name, unsigned int max, char *err, size_t errlen)
{
	unsigned int at = s->n;
	struct ring_in *in = &s->in[at];
	const struct ring_hdr *h;
	uint32_t n, k;
	int r;

	snprintf(in->name, sizeof(in->name), "%s", name);
	r = ring_file_resolve(name, in->path, sizeof(in->path));
	if (r < 0) {
		snprintf(err, errlen, "ring '%s': %s", name, strerror(-r));
		return r;
	}
	r = open_one(in, err, errlen);
	if (r < 0)
		return r;
	s->n = at + 1;
	h = in->map.mem;
	in->first = at;
	in->set_size = 1;
	in->head = !ring_load_relaxed32(&h->set_index);
	/* A member given by its own name (NAME.k) is read alone. */
	n = ring_load_relaxed32(&h->set_index) ? 1 : ring_set_size(h);
	if (n > RING_SET_MAX) {
		snprintf(err, errlen,
			 "ring %s: %s says it heads a set of %u rings; at most %u can be read "
			 "(damaged?)",
			 name, in->path, n, RING_SET_MAX);
		return -EPROTO;
	}
	if (at + n > max) {
		snprintf(err, errlen, "ring %s: a set of %u rings: more than %u rings in all", name,
			 n, max);
		return -E2BIG;
	}
	in->set_size = n;
	for (k = 1; k < n; k++) {
		r = open_member(s, at, k, at + k, err, errlen);
		if (r < 0)
			return r;
		s->n = at + k + 1;
	}
	return 0;
}

int ringsrc_open(struct ringsrc **ret, char *const *names, unsigned int n, char *err, size_t errlen)
{
	struct ringsrc *s;
	unsigned int i;
	int r = 0;

	if (!n || n > RINGSRC_MAX) {
		snprintf(err, errlen, "between 1 and %d rings", RINGSRC_MAX);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s) + RINGSRC_MAX * sizeof(s->in[0]));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < RINGSRC_MAX; i++)
		s->in[i].map.fd = -1;
	for (i = 0; i < n && r == 0; i++)
		r = open_set(s, names[i], RINGSRC_MAX, err, errlen);
	if (r < 0) {
		ringsrc_close(s);
		return r;
	}
	*ret = s;
	return 0;
}

void ringsrc_close(struct ringsrc *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		ring_file_close(&s->in[i].map);
		free(s->in[i].buf);
		free(s->in[i].meta);
	}
	free(s);
}

int ringsrc_seek_ring(struct ringsrc *s, unsigned int i, enum ring_seek where, uint64_t arg)
{
	struct ring_in *in;
	int r;

	if (i >= s->n)
		return -EINVAL;
	in = &s->in[i];
	if (where == RING_SEEK_TIME) {
		/* Rings stamp in TAI (or PHC); the caller speaks UTC. */
		ringsrc_clock(s, i, &in->clock);
		arg += (uint64_t)((int64_t)in->clock.kernel_tai_offset * 1000000000LL);
	}
	r = ring_reader_seek(&in->rd, where, arg);
	if (r < 0)
		return r;
	in->have = 0;
	in->done = 0;
	return 0;
}

int ringsrc_seek(struct ringsrc *s, enum ring_seek where, uint64_t arg)
{
	unsigned int i;
	int r;

	for (i = 0; i < s->n; i++) {
		r = ringsrc_seek_ring(s, i, where, arg);
		if (r < 0)
			return r;
	}
	return 0;
}

int ringsrc_seek_seq(struct ringsrc *s, unsigned int i, uint64_t seq)
{
	if (i >= s->n)
		return -EINVAL;
	s->in[i].have = 0;
	s->in[i].done = 0;
	return ring_reader_seek(&s->in[i].rd, RING_SEEK_SEQ, seq);
}

/* Has the writer of h gone (stopped, crashed, never started)? */
static bool writer_gone(const struct ring_hdr *h, uint64_t now)
{
	uint64_t hb;

	if (ring_load_acquire32(&h->writer_state) != RING_WRITER_RUNNING)
		return true;
	hb = ring_load_relaxed64(&h->heartbeat_ns);
	return !hb || (now > hb && now - hb > WRITER_GONE_NS);
}

/* Is the file mapped no longer the one at the path (unlinked, or another
 * file there now)? */
static bool file_replaced(const struct ring_in *in)
{
	struct stat st;

	if (fstat(in->map.fd, &st) == 0 && st.st_nlink == 0)
		return true;
	if (stat(in->path, &st) < 0)
		return errno == ENOENT;
	return st.st_dev != in->dev || st.st_ino != in->ino;
}

/*
 * Let go of the file of ring i: everything in it has been read and no
 * writer will add to it.  Its hugepages go back to the system now, not when
 * its successor appears: capd may need them to create it.  The header
 * pages are kept (stats, feeds, clock, positions stay readable).
 */
static int leave_file(struct ring_in *in, uint64_t now)
{
	uint8_t *m = malloc(RING_META_SIZE);

	if (!m)
		return -ENOMEM;
	memcpy(m, in->map.mem, RING_META_SIZE);
	free(in->meta);
	in->meta = m;
	ring_reader_detach(&in->rd, (const struct ring_hdr *)m);
	ring_file_close(&in->map);
	in->left_ns = now;
	return 0;
}

/*
 * Between files: map the ring now at the path if a writer has taken it
 * over, and go on there at its oldest record.
 * @return 1 when attached, 0 not yet, or -errno with s->err set (the
 *         path holds something that is no ring for too long).
 */
static int attach_successor(struct ringsrc *s, unsigned int i, uint64_t now)
{
	struct ring_in *in = &s->in[i];
	struct ring_map m = { .fd = -1 };
	uint8_t *buf;
	char why[512];
	int r;

	r = ring_file_open_ro(in->path, &m);
	if (r == 0 && ring_load_acquire32(&((const struct ring_hdr *)m.mem)->writer_state) ==
			      RING_WRITER_NONE)
		r = -EAGAIN; /* its writer is still setting it up */
	if (r == 0)
		r = ring_reader_reattach(&in->rd, m.mem, m.len);
	if (r < 0) {
		ring_file_close(&m);
		/* None yet, or one still being created: wait for capd. */
		if (r == -ENOENT || r == -EINVAL || r == -EAGAIN ||
		    now - in->left_ns < REPLACE_ERR_NS)
			return 0;
		snprintf(s->err, sizeof(s->err), "%s (the file that replaced the one read so far)",
			 ring_file_explain(r, in->path, 0, why, sizeof(why)));
		return r;
	}
	buf = realloc(in->buf, in->rd.max_caplen); /* another block size, another limit */
	if (!buf) {
		ring_reader_detach(&in->rd, (const struct ring_hdr *)in->meta);
		ring_file_close(&m);
		return -ENOMEM;
	}
	in->buf = buf;
	in->map = m;
	file_id(in);
	free(in->meta);
	in->meta = NULL;
	in->clock_age = CLOCK_REFRESH_RECORDS;
	return 1;
}

/*
 * Ring i has nothing new: now and then, look whether its file was replaced
 * (capd restarted with another size or block size) while no writer is left
 * in it; then leave it and follow the ring to its new file.
 * @return 1 if ring i is now read from a new file, 0 if not, or -errno.
 */
static int check_file(struct ringsrc *s, unsigned int i)
{
	struct ring_in *in = &s->in[i];
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	int r;

	if (now < in->next_check)
		return 0;
	in->next_check = now + FILE_CHECK_NS;
	if (in->map.mem) {
		/* A writer still running writes into the file it has, even
		 * if someone removed it from the directory. */
		if (!writer_gone(in->map.mem, now) || !file_replaced(in))
			return 0;
		r = leave_file(in, now);
		if (r < 0)
			return r;
	}
	return attach_successor(s, i, now);
}

/* Try to take one record of ring i into its pending slot. */
static int fill(struct ringsrc *s, unsigned int i)
{
	struct ring_in *in = &s->in[i];
	struct ring_view v;
	int r;

	for (;;) {
		if (!in->map.mem) {
			r = check_file(s, i);
			if (r <= 0)
				return r;
		}
		r = ring_reader_peek(&in->rd, &v);
		if (r == -EPIPE) {
			in->done = 1;
			return 0;
		}
		if (r == -EAGAIN) {
			in->clock_age = CLOCK_REFRESH_RECORDS; /* idle: refresh next */
			r = check_file(s, i);
			if (r > 0)
				continue; /* a new file: read it at once */
			return r;
		}
		if (r == -EPROTO)
			snprintf(s->err, sizeof(s->err),
				 "%.512s: the ring's header no longer shows the geometry this "
				 "reader attached with (reformatted in place, or damaged): start "
				 "it again",
				 in->path);
		if (r < 0)
			return r;
		memcpy(in->buf, v.data, v.rec.caplen);
		if (ring_reader_release(&in->rd) == 0)
			break;
		/* Overwritten while copied: lapped; the loss shows on the next. */
	}
	/* The clock page changes about once a second: a copy per record
	 * would cost more than the conversion. */
	if (in->clock_age++ >= CLOCK_REFRESH_RECORDS ||
	    (v.events & (RING_EV_GENERATION | RING_EV_REPLACED))) {
		ringsrc_clock(s, i, &in->clock);
		in->clock_age = 0;
	}
	in->pending = (struct ringsrc_rec){
		.ts_utc = ring_clock_to_utc(&in->clock, v.rec.ts_source, v.rec.ts_ns),
		.ts = v.rec.ts_ns,
		.seq = v.rec.seq,
		.lost = v.lost,
		.data = in->buf,
		.caplen = v.rec.caplen,
		.wirelen = v.rec.wirelen,
		.events = v.events,
		.ring = (uint16_t)i,
		.iface = v.rec.iface,
		.queue = v.rec.queue,
		.feed = v.rec.feed,
		.ts_source = v.rec.ts_source,
		.flags = v.rec.flags,
	};
	in->have = 1;
	/* Only a merge waits for other rings; one ring needs no clock. */
	in->pending_since = s->n > 1 ? clock_ns(CLOCK_MONOTONIC) : 0;
	return 1;
}

/*
 * Has the writer of a set been restarted with another number of rings
 * (capture threads)?  Rings added would be missed, rings gone wait for
 * nothing: the reader reads what every ring has published by now, then
 * ends with a line (docs/capdump.md, "Ring sets").  The same number goes
 * on, each ring on its own, as a single ring does.
 */
static void check_sets(struct ringsrc *s)
{
	unsigned int i, j;

	for (i = 0; i < s->n && !s->stale[0]; i++) {
		const struct ring_in *in = &s->in[i];
		const struct ring_hdr *h = (const struct ring_hdr *)meta(in);
		uint32_t n;

		if (!in->head)
			continue;
		n = ring_set_size(h);
		if (n == in->set_size || ring_load_relaxed32(&h->set_index))
			continue;
		snprintf(s->stale, sizeof(s->stale),
			 "ring %s: capd now writes a set of %u ring(s) there, not the %u read so "
			 "far (restarted with other capture.cpus): start the reader again to "
			 "read the new set",
			 in->name, n, in->set_size);
		/* What is published now is still read; then the end. */
		for (j = 0; j < s->n; j++)
			s->in[j].stop_seq = ring_load_acquire64(
				&((const struct ring_hdr *)meta(&s->in[j]))->next_seq);
	}
}

/*
 * How long ring i, which has no record pending, may hold back a record
 * stamped ts_utc: 0 when its writer's last quiet pass (ring_hdr.quiet_ts)
 * began QUIET_MARGIN_NS after that stamp, so nothing older can come from
 * it; QUIET_HOLD_NS while the writer's quiet passes are recent and on the
 * clock the records are stamped with, so a capture thread that is late
 * (not scheduled) holds the merge back rather than be overtaken;
 * MERGE_WAIT_NS when the ring cannot tell (an older capd, a replaced
 * file, a clock the mark cannot be compared with, a thread that has not
 * passed for QUIET_HOLD_NS) or the stamp is ahead of this reader's clock.
 */
static uint64_t quiet_hold(const struct ring_in *in, uint64_t ts_utc, uint64_t now_utc)
{
	const struct ring_hdr *h = in->map.mem;
	uint64_t q;

	if (!h)
		return MERGE_WAIT_NS;
	q = ring_load_acquire64(&h->quiet_ts);
	if (!q || (in->clock.ts_source == RING_TS_PHC && !in->clock.synced))
		return MERGE_WAIT_NS;
	q = ring_clock_to_utc(&in->clock, RING_TS_USER_TAI, q);
	if (q >= ts_utc + QUIET_MARGIN_NS)
		return 0;
	if (now_utc > q + QUIET_HOLD_NS || ts_utc > now_utc + QUIET_MARGIN_NS)
		return MERGE_WAIT_NS;
	return QUIET_HOLD_NS;
}

/*
 * How long the oldest pending record (ring best) is held back for the
 * rings without one; 0: hand it out.  A ring that says it is quiet past
 * the record is looked at once more: what it published before that mark
 * is there now (the acquire load of quiet_ts), and if it holds something,
 * *refill is set and the merge starts again.
 */
static int64_t merge_hold(struct ringsrc *s, int best, bool *refill)
{
	uint64_t ts = s->in[best].pending.ts_utc, hold = 0, h, now_utc;
	unsigned int i;
	int r;

	now_utc = clock_ns(CLOCK_REALTIME);
	*refill = false;
	for (i = 0; i < s->n; i++) {
		struct ring_in *in = &s->in[i];

		if (in->have || in->done)
			continue;
		h = quiet_hold(in, ts, now_utc);
		if (!h) {
			r = fill(s, i);
			if (r < 0)
				return r;
			*refill |= in->have != 0;
		}
		if (h > hold)
			hold = h;
	}
	return (int64_t)hold;
}

int ringsrc_next(struct ringsrc *s, struct ringsrc_rec *out, int timeout_ms)
{
	uint64_t start = 0, now = 0;
	unsigned int i;
	int r;

	s->err[0] = '\0';
	check_sets(s);
	for (;;) {
		int best = -1, waiting = 0, live = 0;
		int64_t hold;

		for (i = 0; i < s->n; i++) {
			struct ring_in *in = &s->in[i];

			if (!in->have && !in->done) {
				r = fill(s, i);
				if (r < 0)
					return r;
			}
			if (in->done && !in->have)
				continue;
			if (s->stale[0] && (!in->have || in->pending.seq >= in->stop_seq))
				continue; /* read as far as the old set goes */
			live++;
			if (!in->have) {
				waiting++;
				continue;
			}
			if (best < 0 || in->pending.ts_utc < s->in[best].pending.ts_utc)
				best = (int)i;
		}
		if (!live && s->stale[0]) {
			snprintf(s->err, sizeof(s->err), "%s", s->stale);
			return -ESTALE;
		}
		if (!live)
			return -EPIPE;
		/* Hold the oldest back while another ring may still deliver
		 * an older record (merge_hold()). */
		hold = 0;
		if (best >= 0 && waiting) {
			bool refill;

			hold = merge_hold(s, best, &refill);
			if (hold < 0)
				return (int)hold;
			if (refill)
				continue;
			now = clock_ns(CLOCK_MONOTONIC);
		}
		if (best >= 0 && (!hold || now - s->in[best].pending_since >= (uint64_t)hold)) {
			struct ring_in *in = &s->in[best];

			/* in->buf is refilled only by the next call. */
			*out = in->pending;
			in->have = 0;
			in->last_ts = out->ts;
			return 1;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (!start)
			start = now;
		if (now - start >= (uint64_t)timeout_ms * 1000000u)
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = IDLE_SLEEP_NS }, NULL);
	}
}

unsigned int ringsrc_count(const struct ringsrc *s)
{
	return s->n;
}

const char *ringsrc_path(const struct ringsrc *s, unsigned int i)
{
	return s->in[i].path;
}

const char *ringsrc_name(const struct ringsrc *s, unsigned int i)
{
	return s->in[i].name;
}

unsigned int ringsrc_set_first(const struct ringsrc *s, unsigned int i)
{
	return s->in[i].first;
}

unsigned int ringsrc_set_count(const struct ringsrc *s, unsigned int i)
{
	return s->in[s->in[i].first].set_size;
}

const struct ring_hdr *ringsrc_hdr(const struct ringsrc *s, unsigned int i)
{
	return (const struct ring_hdr *)meta(&s->in[i]);
}

const struct ring_stats *ringsrc_stats(const struct ringsrc *s, unsigned int i)
{
	return (const struct ring_stats *)(meta(&s->in[i]) + RING_STATS_OFF);
}

const struct ring_feeds *ringsrc_feeds(const struct ringsrc *s, unsigned int i)
{
	return (const struct ring_feeds *)(meta(&s->in[i]) + RING_FEEDS_OFF);
}

const struct ring_reader *ringsrc_reader(const struct ringsrc *s, unsigned int i)
{
	return &s->in[i].rd;
}

void ringsrc_position(const struct ringsrc *s, unsigned int i, uint64_t *next_seq,
		      uint64_t *last_ts)
{
	const struct ring_in *in = &s->in[i];
	const struct ring_hdr *h = (const struct ring_hdr *)meta(in);

	if (in->have)
		*next_seq = in->pending.seq;
	else if (in->rd.expect != RING_SEQ_UNKNOWN)
		*next_seq = in->rd.expect;
	else if (in->rd.pos >= ring_load_acquire64(&h->tail))
		*next_seq = ring_load_relaxed64(&h->next_seq); /* caught up */
	else
		*next_seq = RING_SEQ_UNKNOWN;
	*last_ts = in->last_ts;
}

void ringsrc_ring_end(const struct ringsrc *s, unsigned int i, uint64_t *next_seq, uint64_t *tail,
		      uint64_t *newest_ts)
{
	const struct ring_in *in = &s->in[i];
	const struct ring_hdr *h = (const struct ring_hdr *)meta(in);
	uint64_t mine, last;
	struct ring_reader rd;
	struct ring_view v;

	*tail = ring_load_acquire64(&h->tail);
	*next_seq = ring_load_relaxed64(&h->next_seq);
	ringsrc_position(s, i, &mine, &last);
	*newest_ts = mine == *next_seq ? last : 0;
	if (mine == *next_seq || !*next_seq || !in->map.mem ||
	    ring_reader_open(&rd, in->map.mem, in->map.len) < 0 ||
	    ring_reader_seek(&rd, RING_SEEK_SEQ, *next_seq - 1) < 0 ||
	    ring_reader_peek(&rd, &v) < 0)
		return;
	*newest_ts = v.rec.ts_ns;
}

void ringsrc_clock(const struct ringsrc *s, unsigned int i, struct ring_clock *out)
{
	ring_clock_read((const struct ring_clock *)(meta(&s->in[i]) + RING_CLOCK_OFF), out);
}

const char *ringsrc_error(const struct ringsrc *s)
{
	return s->err;
}
