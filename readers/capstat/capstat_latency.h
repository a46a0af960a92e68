/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capstat_latency.h - capstat's latency between two capture points
 * (docs/latency.md): point A is capstat's input; point B a second input
 * (--latency-to) read alongside it, or one interface of each pair of the
 * input (--latency-ifaces IFA=IFB).  capstat_latency.c reads and matches,
 * capstat_latency_out.c prints.
 */
#ifndef CAPD_CAPSTAT_LATENCY_H
#define CAPD_CAPSTAT_LATENCY_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "capstat.h"
#include "latency.h"
#include "readloop.h"

enum { CAPSTAT_LATENCY_TO, CAPSTAT_LATENCY_IFACES };

/* What a point's packets said of its clock. */
struct capstat_latency_point {
	uint64_t records;  /* packets of the point */
	uint64_t unsynced; /* stamped while the clock was not synced */
	uint64_t no_clock; /* from a file interface without a clock option */
	uint64_t lost;	   /* lost before capstat (ring overruns, drop counts) */
	uint8_t ts_source; /* enum ring_ts_source of its first packet */
	bool seen, mixed;  /* a packet seen; of several ts sources */
	bool rings;	   /* from rings */
	uint16_t ring;	   /* the ring of its first packet */
	/* The file interface last seen and what its clock option said:
	 * 0 none, 1 synced, 2 not synced; its ts_source. */
	const struct capfile *last_file;
	uint32_t last_if;
	uint8_t last_state, last_source;
};

/* The clock verdict of both points over the run. */
enum capstat_latency_clock {
	CAPSTAT_LATENCY_UNKNOWN,
	CAPSTAT_LATENCY_SYNCED,
	CAPSTAT_LATENCY_SAME_CLOCK,
	CAPSTAT_LATENCY_UNSYNCED,
};

/* --latency-to INPUT (which CAPSTAT_LATENCY_TO), --latency-ifaces A=B.
 * @return 0 or -EINVAL. */
int capstat_latency_opt(struct capstat_opts *o, int which, char *arg);

/*
 * After the options: nothing without either option; with --latency-to,
 * open the second input and start reading it.  Named after the first
 * input's kind: rings with -i, files with -r.
 * @return 0, or -errno with a line in err.
 */
int capstat_latency_open(struct capstat *cs, int argc, char **argv, char *err, size_t errlen);

/* Before packet p of the first input is handled: the second input's
 * packets up to p's time are matched; p's point is decided. */
void capstat_latency_packet(struct capstat *cs, const struct readloop_pkt *p,
			    const struct ringsrc *src, const volatile sig_atomic_t *stop);

/* The first input opened or closed a file (a later one may take the
 * address of one closed). */
void capstat_latency_file(struct capstat *cs);

/* Datagram m of feed f, of the packet capstat_latency_packet() was told of. */
void capstat_latency_msg(struct capstat *cs, struct capstat_feed *f, const struct seqdec_msg *m,
			 uint64_t ts);

/* Live, the first input idle at wall clock now. */
void capstat_latency_tick(struct capstat *cs, uint64_t now, const volatile sig_atomic_t *stop);

/*
 * The first input has ended (complete: read to its end, else stopped):
 * the second one is read to its end too (complete) or stopped, and what is
 * pending decided.  @return 0, or the second input's -errno with a line in err.
 */
int capstat_latency_end(struct capstat *cs, bool complete, const volatile sig_atomic_t *stop,
			char *err, size_t errlen);

void capstat_latency_close(struct capstat *cs);

/* The matcher, NULL without latency. */
const struct latency *capstat_latency_matcher(const struct capstat *cs);
/* The interval figures start again. */
void capstat_latency_interval(struct capstat *cs);
/* What the two points said so far, into pt[0] (A) and pt[1] (B). */
void capstat_latency_points(const struct capstat *cs, struct capstat_latency_point *pt);

/* The verdict so far; after capstat_latency_end(), over the whole run. */
enum capstat_latency_clock capstat_latency_verdict(const struct capstat *cs);
const char *capstat_latency_clock_name(enum capstat_latency_clock c);

/* capstat_latency_out.c: an interval (the interval's figures; then a new
 * interval starts) and the summary (all figures), as table, lines or JSON. */
void capstat_latency_print(struct capstat *cs, FILE *f, const char *when, bool summary);
/* ,"latency":{...} in the summary object. */
void capstat_latency_json_summary(const struct capstat *cs, FILE *f);
/* Prometheus gauges and counters of every feed. */
void capstat_latency_prom(const struct capstat *cs, FILE *f);

#endif
