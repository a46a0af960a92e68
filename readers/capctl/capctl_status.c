// SPDX-License-Identifier: BSD-2-Clause
/*
 * capctl status: what a ring says about its writer, its contents, its
 * counters and its clock, and which readers say they are attached.
 *
 * A writer counts as running while its state says so and its heartbeat
 * (every 100 ms) is younger than a second (ringlist.h): a killed capd shows
 * as stopped within that time.  A reader rewrites its status file every
 * 250 ms with where the ring stood then; one older than READER_OVERDUE_NS
 * is taken as not reading, one older than READER_STALE_NS is shown as
 * stale (stopped, or stuck behind its output).
 *
 * Every member of the ring's group may write the readers directory, so a
 * status file proves nothing by itself: it counts only if the process its
 * name gives is alive and owned by the file's owner, and its content names
 * the same pid.  That leaves a member able to show its own processes as
 * readers, and no one else's; READERS_PER_UID bounds how many, so that
 * one user's files cannot crowd out another's.
 *
 * A ring named with its set's name (lib/ring_set.h) is shown with the
 * other rings of its set, one per capture thread: the members are found
 * by name and believed only when their header says they are the current
 * member k of ring 0's set, since a file NAME.k may be left over from a
 * start with more threads.  A set size beyond RING_SET_MAX is hostile and
 * shows ring 0 alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capctl.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "json_out.h"
#include "log.h"
#include "reader_status.h"
#include "ringlist.h"
#include "ring.h"
#include "ring_clock.h"
#include "ring_file.h"
#include "ring_format.h"
#include "ring_reader.h"
#include "ring_set.h"
#include "status_thread.h"
#include "units.h"
#include "wirets.h"

#define CAPCTL_NOT_RUNNING 3 /* exit status: capd does not run the ring */
#define READER_STALE_NS	   2000000000ull
#define READER_OVERDUE_NS  750000000ull /* three of its status periods */
#define READERS_PER_UID	   64

/* One attached reader, as capctl sees it against the ring now. */
struct reader {
	struct reader_status st;
	uid_t uid;			       /* of the file and of the process */
	unsigned int ring_i;		       /* st.rings[ring_i] is this ring */
	const struct reader_status_ring *ring; /* the line for this ring */
	uint64_t update_age;
	bool stale;
	bool lag_now; /* lag against the ring now, not as of its status */
	bool seq_known;
	uint64_t lag_records; /* published, not yet delivered to it */
	uint64_t lag_bytes;
	uint64_t lag_ns;      /* newest stamp - its last stamp; 0 unknown */
	uint64_t overwritten; /* of its lag, already gone: it will count them lost */
};

struct status {
	const char *path;
	const struct ring_hdr *h;
	const struct ring_stats *st;
	struct ring_clock clock;
	uint64_t uptime;	  /* 0 unless running */
	struct ringlist_ring win; /* the writer, what the ring holds */
	struct reader *readers;
	unsigned int nreaders;
	bool readers_known;	 /* the ring names a readers directory we could list */
	struct skipped *skipped; /* status files not listed, by owner */
	unsigned int nskipped;
	unsigned int unverifiable; /* of processes /proc does not show us */
};

/* Status files of one owner that are not listed. */
struct skipped {
	uid_t uid;
	unsigned int over_limit; /* beyond READERS_PER_UID */
	unsigned int refused;	 /* not its process's file, or malformed */
};

/* One ring of the set shown: ring 0 is the one named. */
struct member {
	char path[4096];
	struct ring_map m;
	struct status s;
	int err; /* 0: gathered; else why not (-ESTALE: not a current member) */
};

struct set {
	struct member *mb; /* mb[0] is the ring named */
	unsigned int n;	   /* members tried: 1, or the set's size */
	uint32_t claimed;  /* set_size of ring 0, even beyond RING_SET_MAX */
	bool expanded;	   /* ring 0 of a set of more than one */
};

static bool writer_running(const struct status *s)
{
	return s->win.state == RINGLIST_RUNNING;
}

/* A dead writer (killed or crashed) shows as stopped, with crashed true. */
static const char *writer_state(const struct status *s)
{
	return ringlist_state_name(s->win.state == RINGLIST_DEAD ? RINGLIST_STOPPED : s->win.state);
}

/* Stopped without closing the ring: killed or crashed. */
static bool writer_crashed(const struct status *s)
{
	return s->win.state == RINGLIST_DEAD;
}

/*
 * The effective uid of live process pid.  kill(2) is no witness: it says
 * EPERM for another user's process without saying whose it is.
 * @return 0; -ESRCH if there is no such process or it is a zombie;
 *         -EACCES if it exists but /proc hides it from us (hidepid).
 */
static int proc_owner(int32_t pid, uid_t *uid)
{
	char path[32], buf[4096];
	const char *state, *id;
	unsigned int euid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kill(pid, 0) == 0 || errno == EPERM ? -EACCES : -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EACCES;
	buf[n] = '\0';
	/* The kernel escapes the name's newlines: lines start with the kernel's keys. */
	state = strstr(buf, "\nState:\t");
	id = strstr(buf, "\nUid:\t");
	if (!state || !id || sscanf(id, "\nUid:\t%*u\t%u", &euid) != 1)
		return -EACCES;
	if (state[8] == 'Z' || state[8] == 'X')
		return -ESRCH;
	*uid = euid;
	return 0;
}

/*
 * Load status file name into r if it is what it claims to be.  *uid is its
 * owner whenever it could be opened.
 * @return 0; -ESRCH if its process is gone (a killed reader's file) or it
 *         went away; -EACCES if its process cannot be checked; -EINVAL if
 *         it is refused.
 */
static int reader_load(int dfd, const char *name, char *text, struct reader *r, uid_t *uid)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	size_t len = 0;
	struct stat st;
	int32_t pid;
	uid_t owner;
	ssize_t n;
	int ret;

	if (fd < 0) {
		if (errno == ENOENT)
			return -ESRCH;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			*uid = st.st_uid;
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		ret = -EINVAL;
		goto out;
	}
	*uid = st.st_uid;
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode) || st.st_size > READER_STATUS_MAX_SIZE ||
	    reader_status_name_pid(name, &pid) < 0)
		goto out;
	ret = proc_owner(pid, &owner);
	if (ret < 0)
		goto out;
	ret = -EINVAL;
	if (owner != st.st_uid)
		goto out;
	/* One more byte than a status can have: a longer file is refused. */
	while (len <= READER_STATUS_MAX_SIZE &&
	       (n = read(fd, text + len, READER_STATUS_MAX_SIZE + 1 - len)) > 0)
		len += (size_t)n;
	if (reader_status_parse(text, len, &r->st) < 0 || r->st.pid != pid)
		goto out;
	r->uid = st.st_uid;
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * Compare a reader's view with the ring.  Its lag is taken where both were
 * at the same moment, when it wrote its status: the ring moved on since,
 * and so did a reader that keeps up.  A reader whose status is overdue is
 * not reading, and its lag is what the ring got that it has not read: up
 * to now.
 */
static void reader_judge(const struct status *s, struct reader *r, uint64_t now_real)
{
	const struct reader_status_ring *rs = r->ring;
	uint64_t ring_seq = s->win.next_seq, ring_pos = s->win.tail, ring_ts = s->win.newest_ts;

	r->update_age = now_real > r->st.updated_ns ? now_real - r->st.updated_ns : 0;
	r->stale = r->update_age >= READER_STALE_NS;
	r->seq_known = rs->next_seq != READER_STATUS_SEQ_UNKNOWN;
	r->lag_now =
		rs->ring_seq == READER_STATUS_SEQ_UNKNOWN || r->update_age >= READER_OVERDUE_NS;
	if (!r->lag_now) {
		ring_seq = rs->ring_seq;
		ring_pos = rs->ring_pos;
		ring_ts = rs->ring_ts;
	}
	if (r->seq_known && ring_seq > rs->next_seq)
		r->lag_records = ring_seq - rs->next_seq;
	if (ring_pos > rs->position)
		r->lag_bytes = ring_pos - rs->position;
	if (rs->last_ts && ring_ts > rs->last_ts && (r->lag_records || !r->seq_known))
		r->lag_ns = ring_ts - rs->last_ts;
	if (r->seq_known && s->win.records && s->win.oldest_seq > rs->next_seq)
		r->overwritten = s->win.oldest_seq - rs->next_seq;
}

static struct skipped *skipped_of(struct status *s, uid_t uid)
{
	struct skipped *k;
	unsigned int i;

	for (i = 0; i < s->nskipped; i++)
		if (s->skipped[i].uid == uid)
			return &s->skipped[i];
	k = realloc(s->skipped, (s->nskipped + 1) * sizeof(*k));
	if (!k)
		return NULL;
	s->skipped = k;
	k = &k[s->nskipped++];
	*k = (struct skipped){ .uid = uid };
	return k;
}

/* Add r unless its owner has READERS_PER_UID listed; a second file of the
 * same process (a PID.TAG.status beside an old PID.status) counts once. */
static int reader_add(struct status *s, const struct reader *r, size_t *cap)
{
	unsigned int i, same_uid = 0;
	struct skipped *k;
	struct reader *rs;

	for (i = 0; i < s->nreaders; i++) {
		if (s->readers[i].st.pid == r->st.pid) {
			if (r->st.updated_ns > s->readers[i].st.updated_ns)
				s->readers[i] = *r;
			return 0;
		}
		same_uid += s->readers[i].uid == r->uid;
	}
	if (same_uid >= READERS_PER_UID) {
		k = skipped_of(s, r->uid);
		if (!k)
			return -ENOMEM;
		k->over_limit++;
		return 0;
	}
	if (s->nreaders == *cap) {
		rs = realloc(s->readers, (*cap ? 2 * *cap : 16) * sizeof(*rs));
		if (!rs)
			return -ENOMEM;
		s->readers = rs;
		*cap = *cap ? 2 * *cap : 16;
	}
	s->readers[s->nreaders++] = *r;
	return 0;
}

/* The line of rings[] for the ring at path, -1 if none. */
static int ring_index(const struct reader_status *st, const char *path)
{
	unsigned int i;

	for (i = 0; i < st->nrings; i++)
		if (!strcmp(st->rings[i].path, path))
			return (int)i;
	return -1;
}

static int reader_cmp(const void *a, const void *b)
{
	const struct reader *x = a, *y = b;

	return (x->st.pid > y->st.pid) - (x->st.pid < y->st.pid);
}

static int skipped_cmp(const void *a, const void *b)
{
	const struct skipped *x = a, *y = b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

/*
 * The live readers whose status names this ring.  Files of dead readers
 * (killed: they could not remove theirs) are skipped, not removed: the
 * directory is sticky, and they are not ours.
 */
static void find_readers(struct status *s)
{
	char dir[RING_RUN_DIR_LEN + sizeof(RING_READERS_SUBDIR) + 1], *me, *text;
	uint64_t now = clock_ns(CLOCK_REALTIME);
	struct reader *r = NULL;
	struct dirent *de;
	unsigned int i;
	size_t cap = 0;
	DIR *d;

	memcpy(dir, s->h->run_dir, RING_RUN_DIR_LEN);
	dir[RING_RUN_DIR_LEN - 1] = '\0';
	if (!dir[0])
		return;
	strcat(dir, "/" RING_READERS_SUBDIR);
	d = opendir(dir);
	if (!d)
		return;
	me = realpath(s->path, NULL);
	text = malloc(READER_STATUS_MAX_SIZE + 1);
	r = malloc(sizeof(*r));
	if (!text || !r)
		goto out;
	s->readers_known = true;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		uid_t uid = (uid_t)-1;
		struct skipped *k;
		int ret;

		/* Not a status file: a temporary one, or nothing of ours. */
		if (n <= strlen(READER_STATUS_SUFFIX) ||
		    strcmp(de->d_name + n - strlen(READER_STATUS_SUFFIX), READER_STATUS_SUFFIX))
			continue;
		memset(r, 0, sizeof(*r));
		ret = reader_load(dirfd(d), de->d_name, text, r, &uid);
		if (ret == -ESRCH)
			continue;
		if (ret == -EACCES) {
			s->unverifiable++;
			continue;
		}
		if (ret < 0) {
			k = skipped_of(s, uid);
			if (k)
				k->refused++;
			continue;
		}
		ret = ring_index(&r->st, me ? me : s->path);
		if (ret < 0)
			continue;
		r->ring_i = (unsigned int)ret;
		if (reader_add(s, r, &cap) < 0)
			break;
	}
	qsort(s->readers, s->nreaders, sizeof(*s->readers), reader_cmp);
	qsort(s->skipped, s->nskipped, sizeof(*s->skipped), skipped_cmp);
	/* Pointers into them only now that they stay where they are. */
	for (i = 0; i < s->nreaders; i++) {
		s->readers[i].ring = &s->readers[i].st.rings[s->readers[i].ring_i];
		reader_judge(s, &s->readers[i], now);
	}
out:
	free(r);
	free(text);
	free(me);
	closedir(d);
}

static void gather(const struct ring_map *m, const char *path, struct status *s)
{
	const struct ring_hdr *h = m->mem;
	uint64_t now;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->h = h;
	s->st = (const struct ring_stats *)((const uint8_t *)m->mem + RING_STATS_OFF);
	ring_clock_read((const struct ring_clock *)((const uint8_t *)m->mem + RING_CLOCK_OFF),
			&s->clock);
	ringlist_inspect(m->mem, m->len, &s->win);
	if (writer_running(s)) {
		now = clock_ns(CLOCK_REALTIME);
		s->uptime = now > h->writer_start_ns ? now - h->writer_start_ns : 0;
	}
	find_readers(s);
}

/* The drops before the ring, by stage (docs/architecture.md). */
struct drops {
	uint64_t nic, xsk, rx_ring_full, no_socket;
	uint64_t socket; /* the shared path's AF_PACKET socket */
};

static struct drops queue_drops(const struct ring_queue_stats *q)
{
	return (struct drops){
		.nic = ring_load_relaxed64(&q->nic_dropped),
		.xsk = ring_load_relaxed64(&q->xsk_rx_dropped),
		.rx_ring_full = ring_load_relaxed64(&q->xsk_rx_ring_full),
		.no_socket = ring_load_relaxed64(&q->xdp_no_socket),
		.socket = ring_load_relaxed64(&q->pkt_drops),
	};
}

static const char *xdp_mode(uint8_t m)
{
	return m == 1 ? "native" : m == 2 ? "generic" : "none";
}

/* ring_iface.wire_ts in the text: "none" for nic, else capd.conf's name. */
static const char *wire_ts_text(uint8_t kind)
{
	return kind == RING_WIRE_TS_NONE ? "none" : wirets_kind_name(kind);
}

static unsigned int niface(const struct ring_stats *st)
{
	return st->niface < RING_MAX_IFACES ? st->niface : RING_MAX_IFACES;
}

static unsigned int nqueue(const struct ring_stats *st)
{
	return st->nqueue < RING_MAX_QUEUES ? st->nqueue : RING_MAX_QUEUES;
}

static void text_ring(const struct status *s)
{
	char a[40], b[40], size[32];

	printf("ring       %s (%s, %u blocks of %s)\n", s->path,
	       units_format_size(s->h->file_size, a, sizeof(a)), s->h->nblocks,
	       units_format_size(s->h->block_size, b, sizeof(b)));
	if (!s->win.oldest_utc) {
		printf("           empty\n");
		return;
	}
	printf("           holds %" PRIu64 " records in %s (%.1f %% full), %s .. %s (%.3f s)\n",
	       s->win.records, units_format_size(s->win.used, size, sizeof(size)),
	       100.0 * (double)s->win.used / (double)s->win.capacity,
	       clock_text_utc(s->win.oldest_utc, 3, a, sizeof(a)),
	       clock_text_utc(s->win.newest_utc, 3, b, sizeof(b)),
	       s->win.newest_utc > s->win.oldest_utc ? (s->win.newest_utc - s->win.oldest_utc) / 1e9
						     : 0);
}

/* Records written: the sequence numbers given out but the crashes' gaps. */
static uint64_t written(const struct status *s)
{
	uint64_t lost = ring_load_relaxed64(&s->h->crash_lost);

	return s->win.next_seq > lost ? s->win.next_seq - lost : 0;
}

/* What the ring got and what crashes cost it: each ring of a set its own. */
static void text_records(const struct status *s)
{
	const struct ring_hdr *h = s->h;

	printf("records    %" PRIu64 " written, %" PRIu64 " bytes captured\n", written(s),
	       ring_load_relaxed64(&h->bytes));
	if (ring_load_relaxed32(&h->crashes))
		printf("crashes    %u writer(s) killed or crashed, %" PRIu64
		       " packet(s) they had taken lost (gaps in seq)\n",
		       ring_load_relaxed32(&h->crashes), ring_load_relaxed64(&h->crash_lost));
}

static void text_writer(const struct status *s)
{
	const struct ring_hdr *h = s->h;
	char t[40];

	printf("writer     %s%s, pid %u, generation %u", writer_state(s),
	       writer_crashed(s) ? " (killed or crashed: no heartbeat)" : "", h->writer_pid,
	       h->generation);
	if (h->writer_start_ns)
		printf(", started %s", clock_text_utc(h->writer_start_ns, 3, t, sizeof(t)));
	if (s->uptime)
		printf(", up %.1f s", s->uptime / 1e9);
	if (s->win.hb_age != UINT64_MAX)
		printf(", heartbeat %.1f s ago", s->win.hb_age / 1e9);
	putchar('\n');
	text_records(s);
	if (ring_load_relaxed64(&s->st->local_consumers) ||
	    ring_load_relaxed64(&s->st->consumers_appeared))
		printf("consumers  %" PRIu64
		       " local socket(s) get nothing of a captured feed, %" PRIu64
		       " appeared since the writer started (capctl doctor names them)\n",
		       ring_load_relaxed64(&s->st->local_consumers),
		       ring_load_relaxed64(&s->st->consumers_appeared));
}

/* Does the ring of s capture a queue of interface i? */
static bool has_queues(const struct status *s, unsigned int i)
{
	unsigned int q;

	for (q = 0; q < nqueue(s->st); q++)
		if (s->st->queues[q].iface == i)
			return true;
	return false;
}

/* in_set: one ring of several, each with some queues: an interface none of
 * whose queues this ring has is left out. */
static void text_counters(const struct status *s, bool in_set)
{
	const struct ring_stats *st = s->st;
	unsigned int i, q;

	for (i = 0; i < niface(st); i++) {
		const struct ring_iface *f = &st->ifaces[i];

		if (in_set && !has_queues(s, i))
			continue;

		if (f->path == RING_PATH_SHARED)
			printf("interface  %.*s (%s): shared path (AF_PACKET), timestamps %s, wire "
			       "timestamp %s, %u queue(s)\n",
			       RING_IFNAME_LEN, f->name, f->hardware[0] ? f->hardware : "?",
			       clock_text_source(f->ts_source), wire_ts_text(f->wire_ts),
			       f->nqueues);
		else
			printf("interface  %.*s (%s): XDP %s, %s, timestamps %s, wire timestamp "
			       "%s, %u "
			       "queue(s)\n",
			       RING_IFNAME_LEN, f->name, f->hardware[0] ? f->hardware : "?",
			       xdp_mode(f->xdp_mode), f->zerocopy ? "zero-copy" : "copy mode",
			       clock_text_source(f->ts_source), wire_ts_text(f->wire_ts),
			       f->nqueues);
		for (q = 0; q < nqueue(st); q++) {
			const struct ring_queue_stats *qs = &st->queues[q];
			struct drops d;

			if (qs->iface != i)
				continue;
			d = queue_drops(qs);
			printf("  queue %-3u %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
			       " truncated; dropped: ",
			       qs->queue, ring_load_relaxed64(&qs->packets),
			       ring_load_relaxed64(&qs->bytes),
			       ring_load_relaxed64(&qs->truncated));
			/* Each path's own stages: the other's are always 0 there. */
			if (f->path == RING_PATH_SHARED)
				printf("AF_PACKET socket %" PRIu64
				       "; the socket filter took %" PRIu64 "\n",
				       d.socket, ring_load_relaxed64(&qs->pkt_packets));
			else
				printf("NIC %" PRIu64 ", XDP socket %" PRIu64
				       ", RX ring full %" PRIu64 ", no socket %" PRIu64
				       "; fill ring found empty %" PRIu64 "\n",
				       d.nic, d.xsk, d.rx_ring_full, d.no_socket,
				       ring_load_relaxed64(&qs->xsk_fill_ring_empty));
		}
	}
}

static void text_skipped(const struct status *s)
{
	unsigned int i;

	for (i = 0; i < s->nskipped; i++) {
		const struct skipped *k = &s->skipped[i];

		printf("  not listed: uid %u:", (unsigned int)k->uid);
		if (k->over_limit)
			printf(" %u status file(s) over the limit of %u per user%s", k->over_limit,
			       READERS_PER_UID, k->refused ? "," : "");
		if (k->refused)
			printf(" %u refused (not the file of a live process of theirs it names, "
			       "or malformed)",
			       k->refused);
		putchar('\n');
	}
	if (s->unverifiable)
		printf("  not listed: %u status file(s) of processes /proc hides from this user "
		       "(run as root to see them)\n",
		       s->unverifiable);
}

/* A file's time in an archive: its name's, to the second. */
static const char *archive_time(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* A recorder's archive (capdump --archive-size, --min-free). */
static void text_archive(const struct reader_status_archive *a)
{
	char size[32], t[40];

	if (!a->present)
		return;
	printf("            archive ");
	reader_status_put_text(stdout, a->dir);
	printf(": %" PRIu64 " files, %s", a->files,
	       units_format_size(a->bytes, size, sizeof(size)));
	if (a->budget)
		printf(" of %s", units_format_size(a->budget, size, sizeof(size)));
	if (a->files) {
		printf(", oldest %s", archive_time(a->oldest_ns, t, sizeof(t)));
		printf(", newest %s", archive_time(a->newest_ns, t, sizeof(t)));
	}
	printf("\n            %" PRIu64 " removed (%s)", a->removed,
	       units_format_size(a->removed_bytes, size, sizeof(size)));
	printf(", %s free", units_format_size(a->free, size, sizeof(size)));
	if (a->min_free)
		printf(" (keeps %s)", units_format_size(a->min_free, size, sizeof(size)));
	putchar('\n');
}

/* of: the ring's file name when it is one of a set's, else NULL. */
static void text_readers(const struct status *s, const char *of)
{
	char size[32];
	unsigned int i;

	if (!s->readers_known) {
		printf("readers    unknown (no readers directory named by the ring%s%s)\n",
		       of ? " " : "", of ? of : "");
		return;
	}
	printf("readers    %u attached%s%s\n", s->nreaders, of ? " to " : "", of ? of : "");
	for (i = 0; i < s->nreaders; i++) {
		const struct reader *r = &s->readers[i];

		printf("  pid %-7d uid %-6u ", r->st.pid, (unsigned int)r->uid);
		reader_status_put_text(stdout, r->st.command[0] ? r->st.command : r->st.program);
		putchar('\n');
		printf("            ");
		if (r->seq_known)
			printf("lag %" PRIu64 " records", r->lag_records);
		else
			printf("lag unknown records");
		printf(" (%s", units_format_size(r->lag_bytes, size, sizeof(size)));
		if (r->lag_ns)
			printf(", %.3f s", r->lag_ns / 1e9);
		printf("), %" PRIu64 " read, %" PRIu64 " lost (%" PRIu64 " laps)", r->ring->records,
		       r->ring->lost, r->ring->laps);
		if (r->overwritten)
			printf(", %" PRIu64 " already overwritten", r->overwritten);
		printf("; status %.2f s old", r->update_age / 1e9);
		if (r->lag_now)
			printf(", lag counted to now");
		if (r->stale)
			printf(" (not updating: stopped or stuck?)");
		putchar('\n');
		text_archive(&r->st.archive);
	}
	text_skipped(s);
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const char *member_problem(int err)
{
	return err == -ESTALE ? "not a current member of the set (left by an earlier start, or "
				"not yet stamped by a starting capd)"
			      : strerror(-err);
}

static int32_t thread_cpu(const struct ring_stats *st)
{
	return (int32_t)ring_load_relaxed32((const uint32_t *)&st->thread_cpu);
}

/* The end of the writer's run: now while it runs, else its last
 * heartbeat (0, unknown, makes the busy share 0). */
static uint64_t run_end(const struct status *s, uint64_t now)
{
	return writer_running(s) ? now : s->win.writer_end;
}

/* One line per capture thread: where it runs, what it owns, how busy. */
static void text_threads(const struct set *set)
{
	uint64_t now = clock_ns(CLOCK_REALTIME);
	char queues[512];
	unsigned int k;

	if (set->claimed > RING_SET_MAX)
		printf("set        the ring says its set has %u rings, more than %u: this ring "
		       "alone is shown\n",
		       set->claimed, RING_SET_MAX);
	else if (set->expanded)
		printf("set        %u rings, one per capture thread (set id %" PRIu64 ")\n", set->n,
		       ring_load_relaxed64(&set->mb[0].s.h->set_id));
	for (k = 0; k < set->n; k++) {
		const struct member *mb = &set->mb[k];
		const struct status *s = &mb->s;
		struct status_thread_sum sum;
		int32_t cpu;

		if (mb->err) {
			printf("thread %-3u ring %s: %s\n", k, file_name(mb->path),
			       member_problem(mb->err));
			continue;
		}
		/* A writer older than sets says nothing of its thread. */
		if (!ring_load_relaxed32(&s->h->set_size))
			continue;
		cpu = thread_cpu(s->st);
		sum = status_thread_sum(s->st);
		printf("thread %-3u ", ring_load_relaxed32(&s->h->set_index));
		if (cpu < 0)
			printf("not pinned");
		else
			printf("core %d", cpu);
		printf(", tid %u, ring %s, queues %s\n", ring_load_relaxed32(&s->st->thread_tid),
		       file_name(mb->path), status_thread_queues(s->st, queues, sizeof(queues)));
		printf("           busy %.2f %% of its time, %" PRIu64 " packets, %" PRIu64
		       " bytes\n",
		       100 * status_thread_busy_share(ring_load_relaxed64(&s->st->busy_ns),
						      s->h->writer_start_ns, run_end(s, now)),
		       sum.packets, sum.bytes);
	}
}

static void status_text(const struct set *set)
{
	const struct status *s = &set->mb[0].s;
	char line[768], t[40];
	unsigned int k;

	text_threads(set);
	text_ring(s);
	text_writer(s);
	text_counters(s, set->expanded);
	/* The other rings: their window, records and queues; one writer, one clock. */
	for (k = 1; k < set->n; k++) {
		if (set->mb[k].err)
			continue;
		text_ring(&set->mb[k].s);
		text_records(&set->mb[k].s);
		text_counters(&set->mb[k].s, true);
	}
	clock_text_describe(line, sizeof(line), &s->clock);
	printf("clock      %s\n", line);
	if (s->clock.update_ns)
		printf("           as of %s\n",
		       clock_text_utc(s->clock.update_ns, 3, t, sizeof(t)));
	for (k = 0; k < set->n; k++)
		if (!set->mb[k].err)
			text_readers(&set->mb[k].s,
				     set->expanded ? file_name(set->mb[k].path) : NULL);
}

static void json_window(const struct status *s)
{
	printf(",\"capacity\":%" PRIu64 ",\"used\":%" PRIu64 ",\"fill\":%.4f,\"records\":%" PRIu64,
	       s->win.capacity, s->win.used, (double)s->win.used / (double)s->win.capacity,
	       s->win.records);
	if (s->win.oldest_utc)
		printf(",\"oldest_seq\":%" PRIu64 ",\"oldest_ns\":%" PRIu64
		       ",\"newest_ns\":%" PRIu64 ",\"window_ns\":%" PRIu64,
		       s->win.oldest_seq, s->win.oldest_utc, s->win.newest_utc,
		       s->win.newest_utc > s->win.oldest_utc ? s->win.newest_utc - s->win.oldest_utc
							     : 0);
}

static void json_drops(struct drops d)
{
	printf("\"dropped\":{\"nic\":%" PRIu64 ",\"xsk\":%" PRIu64 ",\"rx_ring_full\":%" PRIu64
	       ",\"no_socket\":%" PRIu64 ",\"socket\":%" PRIu64 ",\"total\":%" PRIu64 "}",
	       d.nic, d.xsk, d.rx_ring_full, d.no_socket, d.socket,
	       d.nic + d.xsk + d.rx_ring_full + d.no_socket + d.socket);
}

/* The counters of every ring of the set: the interface table is the same
 * in each (ring 0's is shown), each ring holds its thread's queues. */
static void json_counters(const struct set *set)
{
	const struct ring_stats *st = set->mb[0].s.st;
	uint64_t pkts = 0, bytes = 0, busy = 0, polls = 0, batches = 0;
	struct drops all = { 0 };
	unsigned int i, q, n, k;

	for (k = 0; k < set->n; k++) {
		if (set->mb[k].err)
			continue;
		busy += ring_load_relaxed64(&set->mb[k].s.st->busy_ns);
		polls += ring_load_relaxed64(&set->mb[k].s.st->polls);
		batches += ring_load_relaxed64(&set->mb[k].s.st->batches);
	}
	printf(",\"capture\":{\"busy_ns\":%" PRIu64 ",\"polls\":%" PRIu64 ",\"batches\":%" PRIu64
	       "},\"consumers\":{\"local\":%" PRIu64 ",\"appeared\":%" PRIu64 "},\"interfaces\":[",
	       busy, polls, batches, ring_load_relaxed64(&st->local_consumers),
	       ring_load_relaxed64(&st->consumers_appeared));
	for (i = 0; i < niface(st); i++) {
		const struct ring_iface *f = &st->ifaces[i];
		char name[RING_IFNAME_LEN + 1], hw[sizeof(f->hardware) + 1];

		snprintf(name, sizeof(name), "%.*s", RING_IFNAME_LEN, f->name);
		snprintf(hw, sizeof(hw), "%.*s", (int)sizeof(f->hardware), f->hardware);
		printf("%s{\"name\":", i ? "," : "");
		json_out_str(stdout, name);
		printf(",\"ifindex\":%u,\"hardware\":", f->ifindex);
		json_out_str(stdout, hw);
		printf(",\"path\":\"%s\",\"xdp_mode\":\"%s\",\"zerocopy\":%s,\"ts_source\":\"%s\","
		       "\"wire_ts\":\"%s\",\"queues\":[",
		       f->path == RING_PATH_SHARED ? "shared" : "bypass", xdp_mode(f->xdp_mode),
		       f->zerocopy ? "true" : "false", clock_text_source(f->ts_source),
		       wirets_kind_name(f->wire_ts));
		for (k = 0, n = 0; k < set->n; k++) {
			const struct ring_stats *kst = set->mb[k].s.st;

			if (set->mb[k].err)
				continue;
			for (q = 0; q < nqueue(kst); q++) {
				const struct ring_queue_stats *qs = &kst->queues[q];
				struct drops d;

				if (qs->iface != i)
					continue;
				d = queue_drops(qs);
				pkts += ring_load_relaxed64(&qs->packets);
				bytes += ring_load_relaxed64(&qs->bytes);
				all.nic += d.nic;
				all.xsk += d.xsk;
				all.rx_ring_full += d.rx_ring_full;
				all.no_socket += d.no_socket;
				all.socket += d.socket;
				printf("%s{\"queue\":%u,\"thread\":%u,\"packets\":%" PRIu64
				       ",\"bytes\":%" PRIu64 ",\"truncated\":%" PRIu64 ",",
				       n++ ? "," : "", qs->queue, k,
				       ring_load_relaxed64(&qs->packets),
				       ring_load_relaxed64(&qs->bytes),
				       ring_load_relaxed64(&qs->truncated));
				json_drops(d);
				printf(",\"fill_ring_empty\":%" PRIu64
				       ",\"xdp_redirected\":%" PRIu64 ",\"xdp_passed\":%" PRIu64
				       ",\"xdp_meta_failed\":%" PRIu64
				       ",\"xsk_invalid_descs\":%" PRIu64 "}",
				       ring_load_relaxed64(&qs->xsk_fill_ring_empty),
				       ring_load_relaxed64(&qs->xdp_redirected),
				       ring_load_relaxed64(&qs->xdp_passed),
				       ring_load_relaxed64(&qs->xdp_meta_failed),
				       ring_load_relaxed64(&qs->xsk_invalid_descs));
			}
		}
		printf("]}");
	}
	printf("],\"totals\":{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",", pkts, bytes);
	json_drops(all);
	putchar('}');
}

/* null: the reader keeps no archive. */
static void json_archive(const struct reader_status_archive *a)
{
	printf(",\"archive\":");
	if (!a->present) {
		printf("null");
		return;
	}
	printf("{\"dir\":");
	json_out_str(stdout, a->dir);
	printf(",\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"oldest_ns\":%" PRIu64
	       ",\"newest_ns\":%" PRIu64 ",\"removed\":%" PRIu64 ",\"removed_bytes\":%" PRIu64
	       ",\"budget\":%" PRIu64 ",\"min_free\":%" PRIu64 ",\"free\":%" PRIu64
	       ",\"checked_ns\":%" PRIu64 "}",
	       a->files, a->bytes, a->oldest_ns, a->newest_ns, a->removed, a->removed_bytes,
	       a->budget, a->min_free, a->free, a->checked_ns);
}

static void json_readers(const struct status *s)
{
	unsigned int i;

	if (!s->readers_known) {
		printf(",\"readers\":null");
		return;
	}
	printf(",\"readers\":[");
	for (i = 0; i < s->nreaders; i++) {
		const struct reader *r = &s->readers[i];

		printf("%s{\"pid\":%d,\"uid\":%u,\"program\":", i ? "," : "", r->st.pid,
		       (unsigned int)r->uid);
		json_out_str(stdout, r->st.program);
		printf(",\"command\":");
		json_out_str(stdout, r->st.command);
		printf(",\"started_ns\":%" PRIu64 ",\"updated_ns\":%" PRIu64
		       ",\"update_age_ns\":%" PRIu64
		       ",\"stale\":%s,\"lag_as_of\":\"%s\",\"generation\":%u,\"next_seq\":",
		       r->st.started_ns, r->st.updated_ns, r->update_age,
		       r->stale ? "true" : "false", r->lag_now ? "now" : "status",
		       r->ring->generation);
		if (r->seq_known)
			printf("%" PRIu64 ",\"lag_records\":%" PRIu64, r->ring->next_seq,
			       r->lag_records);
		else
			printf("null,\"lag_records\":null");
		printf(",\"lag_bytes\":%" PRIu64 ",\"lag_ns\":%" PRIu64 ",\"overwritten\":%" PRIu64
		       ",\"records\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"laps\":%" PRIu64,
		       r->lag_bytes, r->lag_ns, r->overwritten, r->ring->records, r->ring->lost,
		       r->ring->laps);
		json_archive(&r->st.archive);
		putchar('}');
	}
	printf("],\"readers_not_listed\":{\"per_uid_limit\":%u,\"unverifiable\":%u,\"uids\":[",
	       READERS_PER_UID, s->unverifiable);
	for (i = 0; i < s->nskipped; i++)
		printf("%s{\"uid\":%u,\"over_limit\":%u,\"refused\":%u}", i ? "," : "",
		       (unsigned int)s->skipped[i].uid, s->skipped[i].over_limit,
		       s->skipped[i].refused);
	printf("]}");
}

static void json_thread(const struct member *mb, unsigned int k, uint64_t now)
{
	const struct status *s = &mb->s;
	const struct ring_stats *st = s->st;
	struct status_thread_sum sum;
	unsigned int q, n;
	int32_t cpu;

	printf("%s{\"index\":%u,\"path\":", k ? "," : "", k);
	json_out_str(stdout, mb->path);
	if (mb->err) {
		printf(",\"error\":");
		json_out_str(stdout, member_problem(mb->err));
		putchar('}');
		return;
	}
	cpu = thread_cpu(st);
	sum = status_thread_sum(st);
	printf(",\"error\":null,\"core\":");
	if (!ring_load_relaxed32(&s->h->set_size) || cpu < 0)
		printf("null");
	else
		printf("%d", cpu);
	printf(",\"tid\":%u,\"queues\":[",
	       ring_load_relaxed32(&s->h->set_size) ? ring_load_relaxed32(&st->thread_tid) : 0);
	for (q = 0, n = 0; q < nqueue(st); q++) {
		const struct ring_queue_stats *qs = &st->queues[q];
		char name[RING_IFNAME_LEN + 1] = "";

		if (qs->iface < niface(st))
			snprintf(name, sizeof(name), "%.*s", RING_IFNAME_LEN,
				 st->ifaces[qs->iface].name);
		printf("%s{\"interface\":", n++ ? "," : "");
		json_out_str(stdout, name);
		printf(",\"queue\":%u,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", qs->queue,
		       ring_load_relaxed64(&qs->packets), ring_load_relaxed64(&qs->bytes));
	}
	printf("],\"busy_ns\":%" PRIu64 ",\"busy_share\":%.4f,\"polls\":%" PRIu64
	       ",\"batches\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
	       ",\"ring\":{\"size\":%" PRIu64 ",\"block_size\":%u,\"blocks\":%u",
	       ring_load_relaxed64(&st->busy_ns),
	       status_thread_busy_share(ring_load_relaxed64(&st->busy_ns), s->h->writer_start_ns,
					run_end(s, now)),
	       ring_load_relaxed64(&st->polls), ring_load_relaxed64(&st->batches), sum.packets,
	       sum.bytes, s->h->file_size, s->h->block_size, s->h->nblocks);
	json_window(s);
	printf("},\"writer\":{\"state\":\"%s\",\"crashed\":%s,\"records\":%" PRIu64
	       ",\"bytes\":%" PRIu64 ",\"crashes\":%u,\"crash_lost\":%" PRIu64 "}",
	       writer_state(s), writer_crashed(s) ? "true" : "false", written(s),
	       ring_load_relaxed64(&s->h->bytes), ring_load_relaxed32(&s->h->crashes),
	       ring_load_relaxed64(&s->h->crash_lost));
	json_readers(s);
	putchar('}');
}

/* The set: null for a ring whose writer is older than sets. */
static void json_set(const struct set *set)
{
	const struct ring_hdr *h = set->mb[0].s.h;
	uint64_t now = clock_ns(CLOCK_REALTIME);
	unsigned int k;

	if (!ring_load_relaxed32(&h->set_size)) {
		printf(",\"set\":null");
	} else {
		printf(",\"set\":{\"size\":%u,\"index\":%u,\"id\":%" PRIu64 ",\"shown\":%u}",
		       set->claimed, ring_load_relaxed32(&h->set_index),
		       ring_load_relaxed64(&h->set_id), set->n);
	}
	printf(",\"threads\":[");
	for (k = 0; k < set->n; k++)
		json_thread(&set->mb[k], k, now);
	putchar(']');
}

/* "ring" and "readers" are the named ring's; "writer" is the process, with
 * the records, bytes and crash losses of every ring of its set. */
static void status_json(const struct set *set)
{
	const struct status *s = &set->mb[0].s;
	const struct ring_hdr *h = s->h;
	uint64_t records = 0, bytes = 0, lost = 0;
	char clock[2048];
	unsigned int k;

	for (k = 0; k < set->n; k++) {
		if (set->mb[k].err)
			continue;
		records += written(&set->mb[k].s);
		bytes += ring_load_relaxed64(&set->mb[k].s.h->bytes);
		lost += ring_load_relaxed64(&set->mb[k].s.h->crash_lost);
	}

	clock_text_json(clock, sizeof(clock), &s->clock);
	fputs("{\"ring\":{\"path\":", stdout);
	json_out_str(stdout, s->path);
	printf(",\"size\":%" PRIu64 ",\"block_size\":%u,\"blocks\":%u", h->file_size, h->block_size,
	       h->nblocks);
	json_window(s);
	printf("},\"writer\":{\"state\":\"%s\",\"crashed\":%s,\"pid\":%u,\"generation\":%u,"
	       "\"start_ns\":%" PRIu64 ",\"uptime_ns\":%" PRIu64 ",\"heartbeat_age_ns\":",
	       writer_state(s), writer_crashed(s) ? "true" : "false", h->writer_pid, h->generation,
	       h->writer_start_ns, s->uptime);
	if (s->win.hb_age == UINT64_MAX)
		printf("null");
	else
		printf("%" PRIu64, s->win.hb_age);
	printf(",\"records\":%" PRIu64 ",\"bytes\":%" PRIu64
	       ",\"crashes\":%u,\"crash_lost\":%" PRIu64 "}",
	       records, bytes, ring_load_relaxed32(&h->crashes), lost);
	json_set(set);
	json_counters(set);
	printf(",\"clock\":%s", clock);
	json_readers(s);
	printf("}\n");
}

/*
 * The other rings of the set whose ring 0 is set->mb[0] (gathered): each
 * opened and gathered, or its err says why not.  A ring that is itself a
 * member k > 0 (named NAME.k) is shown alone.
 */
static void set_open(struct set *set)
{
	const struct ring_hdr *h0 = set->mb[0].s.h;
	unsigned int k;

	set->claimed = ring_set_size(h0);
	if (ring_load_relaxed32(&h0->set_index) != 0 || set->claimed < 2 ||
	    set->claimed > RING_SET_MAX)
		return;
	set->expanded = true;
	set->n = set->claimed;
	for (k = 1; k < set->n; k++) {
		struct member *mb = &set->mb[k];

		mb->err = ring_set_member_path(set->mb[0].path, k, mb->path, sizeof(mb->path));
		if (!mb->err)
			mb->err = ring_file_open_ro(mb->path, &mb->m);
		if (mb->err)
			continue;
		if (!ring_set_member_of(h0, mb->m.mem, k)) {
			mb->err = -ESTALE;
			continue;
		}
		gather(&mb->m, mb->path, &mb->s);
	}
}

static volatile sig_atomic_t status_stop;

static void status_on_signal(int sig)
{
	(void)sig;
	status_stop = 1;
}

/* --wait: until the ring is there and capd runs it, one line saying so. */
static int status_wait(const char *name, const char *path)
{
	struct sigaction sa = { .sa_handler = status_on_signal };
	char msg[512];
	int r;

	r = ringlist_wait(path, &(volatile sig_atomic_t){ 1 }, msg, sizeof(msg));
	if (r != -EINTR)
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "capctl: ring %s: waiting for capd to run it (%s)\n", name, path);
	r = ringlist_wait(path, &status_stop, msg, sizeof(msg));
out:
	if (r < 0 && r != -EINTR)
		pr_err("%s", msg);
	return r;
}

int capctl_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct member mb[RING_SET_MAX]; /* large: off the stack */
	struct set set = { .mb = mb, .n = 1 };
	const char *name = "default";
	char msg[1536];
	bool json = false, wait = false;
	unsigned int k;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "jwh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			wait = true;
			break;
		case 'h':
			printf("usage: capctl status [RING] [--json] [--wait]\n");
			return 0;
		default: /* getopt_long() named it */
			fprintf(stderr, "Try 'capctl status --help' for the options.\n");
			return 2;
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc) {
		pr_err("status: one ring at a time");
		return 2;
	}
	for (k = 0; k < RING_SET_MAX; k++)
		mb[k].m.fd = -1;
	r = ring_file_resolve(name, mb[0].path, sizeof(mb[0].path));
	if (r == 0 && wait) {
		r = status_wait(name, mb[0].path);
		if (r < 0)
			return r == -EINTR ? CAPCTL_NOT_RUNNING : 1;
	}
	if (r == 0)
		r = ring_file_open_ro(mb[0].path, &mb[0].m);
	if (r == -ENOENT) {
		pr_err("%s", ringlist_not_running(name, mb[0].path, NULL, r, msg, sizeof(msg)));
		return CAPCTL_NOT_RUNNING;
	}
	if (r < 0) {
		pr_err("%s", ring_file_explain(r, mb[0].path, 0, msg, sizeof(msg)));
		return 1;
	}
	gather(&mb[0].m, mb[0].path, &mb[0].s);
	set_open(&set);
	if (json)
		status_json(&set);
	else
		status_text(&set);
	fflush(stdout);
	/* "Is capd alive?" is what a script asks: not running is not 0. */
	r = writer_running(&mb[0].s) ? 0 : CAPCTL_NOT_RUNNING;
	if (r)
		pr_err("%s",
		       ringlist_not_running(name, mb[0].path, &mb[0].s.win, 0, msg, sizeof(msg)));
	for (k = 0; k < set.n; k++) {
		free(mb[k].s.readers);
		free(mb[k].s.skipped);
		ring_file_close(&mb[k].m);
	}
	return r;
}
