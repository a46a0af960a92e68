/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * app2wire.h - app-to-wire latency of one feed: the distribution of
 * (packet time - sender time) over its messages (lib/sendtime.h says what
 * the sender time of each format is), since the start and per interval.
 *
 * Samples: MDP 3.0 one per datagram (its one SendingTime); ITCH 5.0 and
 * PITCH one per message (each has its own time, and a datagram's messages
 * may have been stamped at different times).  A message whose time is not
 * known (too short, zero, out of range, a PITCH offset before any Time
 * message of its unit, a sender time a day or more away from the packet
 * time) is counted in unknown, not in the distribution.
 * PITCH Time messages mark a second; they are not samples.
 *
 * A time of day (ITCH, PITCH) is ns since the exchange's local midnight in
 * time zone tz (from the system's tz database): the elapsed time since the
 * first instant of the local date, so the day summer time begins or ends
 * is 23 or 25 hours long.  Of that date and the one before and after, the
 * one that puts the sender time nearest the packet time is taken, so a
 * message stamped before midnight and captured after it is not a day late.
 *
 * Negative values (the sender's clock ahead of the capture's) are kept as
 * such: two histograms, magnitudes of the negative samples and the others
 * (hist.h: percentiles at most 1/HIST_SUB of their value away from the
 * true one, toward the maximum for positive values, toward zero for
 * negative ones; minimum and maximum exact).
 */
#ifndef CAPD_APP2WIRE_H
#define CAPD_APP2WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "sendtime.h"

#define APP2WIRE_TZ_DEFAULT "America/New_York" /* Nasdaq's and Cboe US's */
#define APP2WIRE_TZ_RULES   64

/* --exchange-tz [FEED=]ZONE and --no-app2wire. */
struct app2wire_opts {
	bool off;
	struct app2wire_tz_rule {
		const char *feed; /* NULL: every feed */
		const char *tz;
	} tz[APP2WIRE_TZ_RULES];
	unsigned int ntz;
};

/* A signed distribution in ns, and the messages of unknown time. */
struct app2wire_dist {
	struct hist neg, pos;
	uint64_t unknown;
};

struct app2wire {
	enum sendtime_proto proto;
	const char *tz;		       /* ITCH, PITCH: the exchange's time zone */
	struct app2wire_dist run;      /* since the start */
	struct app2wire_dist iv, next; /* the current and the next interval */
	struct app2wire_dist last;     /* the last closed interval */
	int64_t day[3];		       /* local midnights (ns UTC) of days D-1, D, D+1 */
	bool day_known;		       /* packet time in [day[1], day[2]) */
	uint64_t base[256];	       /* PITCH: ns since midnight of each unit's last Time */
	uint8_t base_known[256 / 8];
};

/*
 * Parse "[FEED=]ZONE" into o; ZONE must be a zone of the tz database
 * (a file under $TZDIR or /usr/share/zoneinfo) or "UTC".
 * @return 0, -EINVAL (not a zone name) or -ENOENT (no such zone).
 */
int app2wire_add_tz(struct app2wire_opts *o, char *arg);

/* The zone for a feed named by names(ctx, word): the last rule naming it,
 * else the last rule for every feed, else APP2WIRE_TZ_DEFAULT. */
const char *app2wire_tz_of(const struct app2wire_opts *o,
			   bool (*names)(const void *ctx, const char *word), const void *ctx);

/* @return a new distribution of proto's messages (tz for times of day), or NULL. */
struct app2wire *app2wire_new(enum sendtime_proto proto, const char *tz);
void app2wire_free(struct app2wire *a);

/* The messages of UDP payload p (len bytes) captured at ts (ns UTC), in the
 * current interval (next 0) or the next one (1).  An undecodable payload
 * adds nothing (the sequence decoder counts it). */
void app2wire_add(struct app2wire *a, const uint8_t *p, size_t len, uint64_t ts, int next);

/* Close the current interval: it becomes last, the next one current. */
void app2wire_interval(struct app2wire *a);

/* Samples of d; its q-quantile, minimum and maximum in ns (0 when empty). */
uint64_t app2wire_count(const struct app2wire_dist *d);
int64_t app2wire_quantile(const struct app2wire_dist *d, double q);
int64_t app2wire_min(const struct app2wire_dist *d);
int64_t app2wire_max(const struct app2wire_dist *d);

/*
 * The local midnight (ns UTC) of the date days after (or before, negative)
 * the local date of t (s UTC) in time zone tz: the first instant of that
 * date where midnight does not exist.  @return 0 or -EINVAL.
 */
int app2wire_midnight(const char *tz, int64_t t, int days, int64_t *ns);

/* The name of proto's format in output: "mdp3", "itch50", "pitch". */
const char *app2wire_format(enum sendtime_proto proto);

/* ,"app2wire":{...} of d (as docs/capstat.md describes it), with buckets. */
void app2wire_json(FILE *f, const struct app2wire *a, const struct app2wire_dist *d);

/* The table's line of d ("  app-to-wire FORMAT: ...", in us; wrapped at
 * 120 columns unless wide) and the key=value words of the lines output
 * (" a2w_...=", in ns). */
void app2wire_table(FILE *f, const struct app2wire *a, const struct app2wire_dist *d, bool wide);
void app2wire_lines(FILE *f, const struct app2wire_dist *d);

/* The quantiles the outputs show, in order, and their names. */
#define APP2WIRE_NQ 4
extern const double app2wire_q[APP2WIRE_NQ];
extern const char *const app2wire_q_name[APP2WIRE_NQ];

#endif
