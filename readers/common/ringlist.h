/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ringlist.h - what a ring says about itself at a glance: its writer's
 * state, what it holds (records, time window) and its feeds; and the rings
 * there are under the ring directory.  capctl status shows one ring in
 * full from it, `capdump -D` and `capstat -D` one line per ring, and the
 * readers say from it why a ring has nothing to read.
 *
 * A writer counts as running while the header says so and its heartbeat
 * (every 100 ms) is younger than RINGLIST_STALE_NS; one that says running
 * with an older heartbeat was killed or crashed (dead).
 */
#ifndef CAPD_RINGLIST_H
#define CAPD_RINGLIST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ring_file.h"
#include "ring_format.h"

#define RINGLIST_STALE_NS 1000000000ull

enum ringlist_state {
	RINGLIST_NEVER,	  /* no writer ever ran it (being set up) */
	RINGLIST_RUNNING, /* its writer runs */
	RINGLIST_STOPPED, /* its writer stopped cleanly */
	RINGLIST_DEAD,	  /* its writer was killed or crashed: no heartbeat */
};

struct ringlist_ring {
	enum ringlist_state state;
	uint32_t pid;	     /* of the (last) writer */
	uint64_t hb_age;     /* ns since its last heartbeat; UINT64_MAX: never */
	uint64_t writer_end; /* not running: CLOCK_REALTIME of its last heartbeat, 0 unknown */
	uint64_t file_size;
	uint64_t tail, next_seq, capacity;
	uint64_t records; /* records in the ring */
	uint64_t used;	  /* bytes of blocks holding them */
	uint64_t oldest_seq;
	uint64_t oldest_utc; /* 0 if the ring is empty */
	uint64_t newest_utc;
	uint64_t newest_ts; /* as stamped */
	uint32_t nfeeds;
};

/* The state of the writer of the ring whose header is h; *hb_age as in
 * struct ringlist_ring. */
enum ringlist_state ringlist_hdr_state(const struct ring_hdr *h, uint64_t *hb_age);

/* Inspect the ring of len bytes mapped at mem (ring_file_open_ro()). */
void ringlist_inspect(const void *mem, uint64_t len, struct ringlist_ring *r);

/* "running", "stopped", "dead" or "never-started". */
const char *ringlist_state_name(enum ringlist_state s);

/*
 * Whether a running writer captures the interface named ifname, in a ring
 * of dir (NULL for the ring directory): the first such ring's name into
 * ring (len bytes) and its writer's pid into *pid.  Interfaces are compared
 * by name (a ring does not say its writer's network namespace); rings this
 * user cannot read are passed over.
 * @return 1 found, 0 not, or -errno if the directory cannot be read.
 */
int ringlist_capturing(const char *dir, const char *ifname, char *ring, size_t len, uint32_t *pid);

/*
 * The names of the ring files in dir, NULL for the ring directory
 * (RING_DIR_ENV or RING_DIR_DEFAULT); dot files, such as capd's locks, are
 * not rings), in name order, joined by ", " into buf; "" if there are none.
 * @return the number of names, or -errno if the directory cannot be read.
 */
int ringlist_names(const char *dir, char *buf, size_t len);

/*
 * One line per ring file in the ring directory, in name order:
 *	NAME: STATE, pid PID, SIZE, N records, OLDEST .. NEWEST, feeds A B
 * with, for a ring of a set of several (ring_set.h), after "NAME:" either
 * "set of N rings (this one and .1 .. .N-1)," (ring 0), "member K of set
 * BASE (N rings)," or "not a current member of set BASE (...),"
 * (what -D prints); a line with the reason for a file that is no readable
 * ring; the directory and "no rings" if there are none.
 * @return the number of rings listed, or -errno with a line in err if
 *         the directory cannot be read.
 */
int ringlist_print(FILE *f, char *err, size_t errlen);

/*
 * Why ring path (name as given) has nothing to read for a reader that
 * will not wait: a line for the operator in buf.  r is NULL when no ring
 * file is at path (err: the -errno of opening it): the line then names the
 * rings in path's directory.
 * @return buf.
 */
char *ringlist_not_running(const char *name, const char *path, const struct ringlist_ring *r,
			   int err, char *buf, size_t len);

/*
 * Wait until a ring file is at path and its writer runs, looking every
 * RINGLIST_WAIT_MS, for as long as it takes: until *stop is set.  It looks
 * once even with *stop set already (whether to say that it waits).
 * @return 0 when it runs; -EINTR if stopped; -errno with a line in err if
 *         path holds something that is not a ring we may read (-EACCES:
 *         not in its group).
 */
#define RINGLIST_WAIT_MS 100
int ringlist_wait(const char *path, const volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
