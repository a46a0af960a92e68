// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_latency_out.c - the latency between two capture points as
 * capstat prints it: table rows, key=value lines, JSON objects and
 * Prometheus metrics (docs/latency.md).  Figures from clocks that cannot
 * be compared are never printed as plain figures: the table and the lines
 * mark them, JSON puts them under another key, Prometheus labels them.
 */
#include <stdio.h>

#include "capstat_latency.h"
#include "json_out.h"
#include "prom_label.h"

static const double quant[] = { 0, 0.5, 0.9, 0.99, 0.999, 1 };
static const char *const qkey[] = { "min", "p50", "p90", "p99", "p999", "max" };
#define NQ 6

struct fig {
	struct latency_counts c;
	struct hist neg, pos;
	int64_t q[NQ];
};

static bool valid(enum capstat_latency_clock v)
{
	return v == CAPSTAT_LATENCY_SYNCED || v == CAPSTAT_LATENCY_SAME_CLOCK;
}

/* The exact minimum and maximum, the percentiles from the buckets. */
static void figures(const struct latency *l, unsigned int i, bool interval, struct fig *g)
{
	unsigned int k;

	latency_counts(l, i, interval, &g->c);
	latency_hist(l, i, interval, &g->neg, &g->pos);
	for (k = 0; k < NQ; k++)
		g->q[k] = hist_percentile_signed(&g->neg, &g->pos, quant[k]);
	if (g->neg.n)
		g->q[0] = -(int64_t)g->neg.max;
	else if (g->pos.n)
		g->q[0] = (int64_t)g->pos.min;
	if (g->pos.n)
		g->q[NQ - 1] = (int64_t)g->pos.max;
	else if (g->neg.n)
		g->q[NQ - 1] = -(int64_t)g->neg.min;
}

/* [[upper bound ns, count], ...] of the buckets with samples, lowest first. */
static void json_buckets(FILE *f, const struct fig *g)
{
	bool first = true;
	unsigned int i;

	fputs("\"buckets\":[", f);
	for (i = HIST_BUCKETS; i-- > 0;)
		if (g->neg.b[i]) {
			/* of a negative bucket, the value closest to zero */
			fprintf(f, "%s[%lld,%llu]", first ? "" : ",",
				-(long long)(i ? hist_bucket_value(i - 1) + 1 : 0),
				(unsigned long long)g->neg.b[i]);
			first = false;
		}
	for (i = 0; i < HIST_BUCKETS; i++)
		if (g->pos.b[i]) {
			fprintf(f, "%s[%llu,%llu]", first ? "" : ",",
				(unsigned long long)hist_bucket_value(i),
				(unsigned long long)g->pos.b[i]);
			first = false;
		}
	fputc(']', f);
}

static void json_one(FILE *f, const struct latency *l, unsigned int i, bool interval,
		     enum capstat_latency_clock v)
{
	static struct fig g;
	unsigned int k;

	figures(l, i, interval, &g);
	fputs("\"feed\":", f);
	json_out_str(f, l->feed[i]->name);
	fputs(",\"addr\":", f);
	json_out_str(f, l->feed[i]->addr);
	fprintf(f,
		",\"clock\":\"%s\",\"valid\":%s,\"both\":%llu,\"a_only\":%llu,\"b_only\":%llu"
		",\"neither\":%llu,\"late\":%llu,\"window_forced\":%llu,\"restarts\":%llu"
		",\"pending\":%llu,\"sessions\":%llu,\"unsequenced\":%llu",
		capstat_latency_clock_name(v), valid(v) ? "true" : "false",
		(unsigned long long)g.c.both, (unsigned long long)g.c.a_only,
		(unsigned long long)g.c.b_only, (unsigned long long)g.c.neither,
		(unsigned long long)g.c.late, (unsigned long long)g.c.forced,
		(unsigned long long)g.c.restarts, (unsigned long long)g.c.pending,
		(unsigned long long)g.c.sessions, (unsigned long long)g.c.unsequenced);
	fprintf(f, ",\"%s\":", valid(v) ? "latency_ns" : "latency_unsynced_ns");
	if (!g.c.both && !g.neg.n && !g.pos.n) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (k = 0; k < NQ; k++)
		fprintf(f, "\"%s\":%lld,", qkey[k], (long long)g.q[k]);
	json_buckets(f, &g);
	fputc('}', f);
}

static void json_points(FILE *f, const struct capstat *cs)
{
	struct capstat_latency_point pt[2];
	int k;

	capstat_latency_points(cs, pt);
	fputs("\"points\":{", f);
	for (k = 0; k < 2; k++)
		fprintf(f,
			"%s\"%c\":{\"packets\":%llu,\"unsynced\":%llu,\"no_clock\":%llu"
			",\"lost\":%llu}",
			k ? "," : "", 'a' + k, (unsigned long long)pt[k].records,
			(unsigned long long)pt[k].unsynced, (unsigned long long)pt[k].no_clock,
			(unsigned long long)pt[k].lost);
	fputc('}', f);
}

void capstat_latency_json_summary(const struct capstat *cs, FILE *f)
{
	const struct latency *l = capstat_latency_matcher(cs);
	enum capstat_latency_clock v;
	unsigned int i;

	if (!l)
		return;
	v = capstat_latency_verdict(cs);
	fprintf(f,
		",\"latency\":{\"clock\":\"%s\",\"hold_ns\":%llu,\"window\":%u,\"untracked\":%llu,"
		"\"after_end\":%llu,",
		capstat_latency_clock_name(v), (unsigned long long)ABARB_HOLD_NS, ABARB_WINDOW,
		(unsigned long long)l->untracked, (unsigned long long)l->after_end);
	json_points(f, cs);
	fputs(",\"feeds\":[", f);
	for (i = 0; i < l->nfeeds; i++) {
		fputs(i ? ",{" : "{", f);
		json_one(f, l, i, false, v);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* A latency as the table shows it: microseconds, 1 decimal. */
static void us(char *buf, size_t len, int64_t ns)
{
	snprintf(buf, len, "%.1f", (double)ns / 1000);
}

static void table(FILE *f, const struct capstat *cs, bool summary, enum capstat_latency_clock v)
{
	const struct latency *l = capstat_latency_matcher(cs);
	static struct fig g;
	char x[NQ][24];
	unsigned int i, k;

	fprintf(f, "\nLATENCY B-A (clock: %s%s)\n", capstat_latency_clock_name(v),
		valid(v) ? "" : ": figures in [] are not comparable");
	fprintf(f, "%-20s %10s %8s %8s %9s %9s %9s %9s %9s %9s\n", "FEED", "BOTH", "A-ONLY",
		"B-ONLY", "MIN us", "P50", "P90", "P99", "P99.9", "MAX");
	for (i = 0; i < l->nfeeds; i++) {
		figures(l, i, !summary, &g);
		for (k = 0; k < NQ; k++) {
			char n[20];

			us(n, sizeof(n), g.q[k]);
			if (valid(v))
				snprintf(x[k], sizeof(x[k]), "%s", n);
			else
				snprintf(x[k], sizeof(x[k]), "[%s]", n);
		}
		fprintf(f, "%-20.20s %10llu %8llu %8llu %9s %9s %9s %9s %9s %9s\n",
			l->feed[i]->name, (unsigned long long)g.c.both,
			(unsigned long long)g.c.a_only, (unsigned long long)g.c.b_only, x[0], x[1],
			x[2], x[3], x[4], x[5]);
	}
}

static void lines(FILE *f, const struct capstat *cs, const char *when, bool summary,
		  enum capstat_latency_clock v)
{
	const struct latency *l = capstat_latency_matcher(cs);
	static struct fig g;
	unsigned int i, k;

	for (i = 0; i < l->nfeeds; i++) {
		figures(l, i, !summary, &g);
		fprintf(f, "%s latency=%s clock=%s both=%llu a_only=%llu b_only=%llu neither=%llu",
			when, l->feed[i]->name, capstat_latency_clock_name(v),
			(unsigned long long)g.c.both, (unsigned long long)g.c.a_only,
			(unsigned long long)g.c.b_only, (unsigned long long)g.c.neither);
		for (k = 0; k < NQ; k++)
			fprintf(f, " %s%s_ns=%lld", valid(v) ? "" : "unsynced_", qkey[k],
				(long long)g.q[k]);
		fputc('\n', f);
	}
}

void capstat_latency_print(struct capstat *cs, FILE *f, const char *when, bool summary)
{
	const struct latency *l = capstat_latency_matcher(cs);
	enum capstat_latency_clock v;
	unsigned int i;

	if (!l)
		return;
	v = capstat_latency_verdict(cs);
	if (cs->o.json && !summary) {
		for (i = 0; i < l->nfeeds; i++) {
			fprintf(f, "{\"type\":\"latency\",\"time\":\"%s\",", when);
			json_one(f, l, i, true, v);
			fputs("}\n", f);
		}
	} else if (!cs->o.json) {
		if (cs->tty || summary)
			table(f, cs, summary, v);
		else
			lines(f, cs, when, summary, v);
	}
	if (!summary)
		capstat_latency_interval(cs);
}

void capstat_latency_prom(const struct capstat *cs, FILE *f)
{
	static const char *const side[] = { "a_only", "b_only", "both" };
	const struct latency *l = capstat_latency_matcher(cs);
	enum capstat_latency_clock v;
	static struct fig g;
	unsigned int i, k;

	if (!l)
		return;
	v = capstat_latency_verdict(cs);
	fputs("# HELP capstat_latency_seconds One-way latency B - A between the capture points, "
	      "since the start (quantile 0 = minimum, 1 = maximum); clock says whether the two "
	      "points' clocks can be compared.\n# TYPE capstat_latency_seconds gauge\n",
	      f);
	for (i = 0; i < l->nfeeds; i++) {
		figures(l, i, false, &g);
		for (k = 0; k < NQ; k++) {
			fputs("capstat_latency_seconds{feed=\"", f);
			prom_label(f, l->feed[i]->name);
			fprintf(f, "\",clock=\"%s\",quantile=\"%g\"} %.9f\n",
				capstat_latency_clock_name(v), quant[k], (double)g.q[k] / 1e9);
		}
	}
	fputs("# HELP capstat_latency_messages_total Messages matched between the capture points: "
	      "seen at both, at A only, at B only.\n# TYPE capstat_latency_messages_total "
	      "counter\n",
	      f);
	for (i = 0; i < l->nfeeds; i++) {
		struct latency_counts c;

		latency_counts(l, i, false, &c);
		for (k = 0; k < 3; k++) {
			fputs("capstat_latency_messages_total{feed=\"", f);
			prom_label(f, l->feed[i]->name);
			fprintf(f, "\",seen=\"%s\"} %llu\n", side[k],
				(unsigned long long)(k == 0   ? c.a_only
						     : k == 1 ? c.b_only
							      : c.both));
		}
	}
}
