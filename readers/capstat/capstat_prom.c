// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_prom.c - Prometheus textfile-collector output: the whole file is
 * written under a temporary name and renamed, so the collector never reads
 * half of it.
 */
#include <stdio.h>

#include "capstat.h"
#include "capstat_latency.h"
#include "file_replace.h"
#include "prom_label.h"

static void feed_labels(FILE *f, const struct capstat_feed *fd)
{
	fputs("feed=\"", f);
	prom_label(f, fd->name);
	fprintf(f, "\",group=\"%s\",port=\"%u\"", fd->group, fd->port);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One metric of every feed; get reads it (sequence metrics: decoded feeds only). */
static void per_feed(FILE *f, const struct capstat *cs, const char *name, const char *type,
		     const char *help, bool seq, double (*get)(const struct capstat_feed *))
{
	unsigned int i;

	head(f, name, type, help);
	for (i = 0; i < cs->nfeeds; i++) {
		if (seq && !cs->feeds[i]->has_dec)
			continue;
		fprintf(f, "%s{", name);
		feed_labels(f, cs->feeds[i]);
		fprintf(f, "} %.17g\n", get(cs->feeds[i]));
	}
}

#define GETTER(fn, expr)                                \
	static double fn(const struct capstat_feed *fd) \
	{                                               \
		return (double)(expr);                  \
	}

GETTER(g_packets, fd->fs.packets)
GETTER(g_bytes, fd->fs.bytes)
GETTER(g_pps, fd->fs.pps)
GETTER(g_bps, fd->fs.bps)
GETTER(g_peak_pps, fd->fs.peak_pps)
GETTER(g_peak_bps, fd->fs.peak_bps)
GETTER(g_messages, fd->st.messages)
GETTER(g_undecodable, fd->undecodable)
GETTER(g_gaps, fd->st.gaps)
GETTER(g_missing, fd->st.missing)
GETTER(g_recovered, fd->st.recovered)
GETTER(g_dups, fd->st.duplicates)
GETTER(g_ooo, fd->st.out_of_order)
GETTER(g_resets, fd->st.resets)
GETTER(g_sessions, fd->st.session_changes)
GETTER(g_heartbeats, fd->st.heartbeats)

/* Per pair, by line: lost on A only / B only / both, or which was first. */
static void ab_lines(FILE *f, const struct capstat *cs, const char *name, const char *help,
		     bool first)
{
	static const char *const lost_line[3] = { "A", "B", "both" };
	static const char *const first_line[3] = { "A", "B", "tie" };
	unsigned int i, j;

	head(f, name, "counter", help);
	for (i = 0; i < cs->o.npairs; i++) {
		const struct abarb *a = &cs->o.pairs[i].ab;
		const uint64_t v[2][3] = { { a->lost_a, a->lost_b, a->lost_both },
					   { a->a_first, a->b_first, a->ties } };

		for (j = 0; j < 3; j++) {
			fprintf(f, "%s{pair=\"", name);
			prom_label(f, cs->o.pairs[i].name);
			fprintf(f, "\",line=\"%s\"} %llu\n", first ? first_line[j] : lost_line[j],
				(unsigned long long)v[first][j]);
		}
	}
}

/*
 * App-to-wire latency of the feeds with sender times: quantiles of the last
 * closed interval (window="interval", what an alert watches) and of the
 * whole run (window="run"); 0 and 1 are the minimum and maximum.
 */
static void app2wire_prom(FILE *f, const struct capstat *cs)
{
	static const char *const win[2] = { "interval", "run" };
	unsigned int i, j, w;

	head(f, "capstat_app2wire_seconds", "gauge",
	     "App-to-wire latency (packet time - sender time) quantiles; may be negative.");
	for (i = 0; i < cs->nfeeds; i++) {
		const struct app2wire *a = cs->feeds[i]->a2w;

		for (w = 0; a && w < 2; w++) {
			const struct app2wire_dist *d = w ? &a->run : &a->last;

			if (!app2wire_count(d))
				continue;
			for (j = 0; j < APP2WIRE_NQ + 2; j++) {
				double q = j == 0 ? 0 : j <= APP2WIRE_NQ ? app2wire_q[j - 1] : 1;
				int64_t v = j == 0	       ? app2wire_min(d)
					    : j <= APP2WIRE_NQ ? app2wire_quantile(d, q)
							       : app2wire_max(d);

				fputs("capstat_app2wire_seconds{", f);
				feed_labels(f, cs->feeds[i]);
				fprintf(f, ",window=\"%s\",quantile=\"%g\"} %.9f\n", win[w], q,
					(double)v / 1e9);
			}
		}
	}
	for (w = 0; w < 2; w++) {
		const char *name =
			w ? "capstat_app2wire_unknown_total" : "capstat_app2wire_messages_total";

		head(f, name, "counter",
		     w ? "Messages whose sender time was not known."
		       : "Messages with a sender time (app-to-wire samples).");
		for (i = 0; i < cs->nfeeds; i++) {
			const struct app2wire *a = cs->feeds[i]->a2w;

			if (!a)
				continue;
			fprintf(f, "%s{", name);
			feed_labels(f, cs->feeds[i]);
			fprintf(f, "} %llu\n",
				(unsigned long long)(w ? a->run.unknown : app2wire_count(&a->run)));
		}
	}
}

static void write_all(FILE *f, const void *ctx)
{
	static const double q[] = { 0.5, 0.99, 1 };
	const struct capstat *cs = ctx;
	unsigned int i, j;

	per_feed(f, cs, "capstat_packets_total", "counter", "Packets of the feed.", false,
		 g_packets);
	per_feed(f, cs, "capstat_bytes_total", "counter", "Frame bytes of the feed.", false,
		 g_bytes);
	per_feed(f, cs, "capstat_packets_per_second", "gauge",
		 "Packet rate over the last interval.", false, g_pps);
	per_feed(f, cs, "capstat_bits_per_second", "gauge", "Bit rate over the last interval.",
		 false, g_bps);
	per_feed(f, cs, "capstat_peak_packets_per_second", "gauge", "Highest interval packet rate.",
		 false, g_peak_pps);
	per_feed(f, cs, "capstat_peak_bits_per_second", "gauge", "Highest interval bit rate.",
		 false, g_peak_bps);
	head(f, "capstat_interarrival_seconds", "gauge",
	     "Inter-arrival time quantiles since the start (1 = maximum).");
	for (i = 0; i < cs->nfeeds; i++)
		for (j = 0; j < 3; j++) {
			const struct hist *h = &cs->feeds[i]->fs.iat;

			fputs("capstat_interarrival_seconds{", f);
			feed_labels(f, cs->feeds[i]);
			fprintf(f, ",quantile=\"%g\"} %.9f\n", q[j],
				(double)(q[j] < 1 ? hist_percentile(h, q[j]) : h->max) / 1e9);
		}
	for (j = 0; j < 2; j++) {
		const char *name = j ? "capstat_microburst_bytes" : "capstat_microburst_packets";

		head(f, name, "gauge",
		     j ? "Most bytes seen within one window."
		       : "Most packets seen within one window.");
		for (i = 0; i < cs->nfeeds; i++) {
			unsigned int w;

			for (w = 0; w < FEEDSTAT_NWIN; w++) {
				const struct feedstat_burst *b = &cs->feeds[i]->fs.burst[w];

				fprintf(f, "%s{", name);
				feed_labels(f, cs->feeds[i]);
				fprintf(f, ",window=\"%s\"} %llu\n", feedstat_win_name[w],
					(unsigned long long)(j ? b->bytes : b->packets));
			}
		}
	}
	per_feed(f, cs, "capstat_messages_total", "counter", "Distinct sequenced messages.", true,
		 g_messages);
	per_feed(f, cs, "capstat_undecodable_total", "counter",
		 "Datagrams the decoder could not read.", true, g_undecodable);
	per_feed(f, cs, "capstat_heartbeats_total", "counter", "Heartbeat datagrams.", true,
		 g_heartbeats);
	per_feed(f, cs, "capstat_gaps", "gauge", "Open sequence gaps.", true, g_gaps);
	per_feed(f, cs, "capstat_missing_messages", "gauge", "Messages in open gaps.", true,
		 g_missing);
	per_feed(f, cs, "capstat_recovered_messages_total", "counter",
		 "Messages that arrived after their gap was seen.", true, g_recovered);
	per_feed(f, cs, "capstat_duplicates_total", "counter", "Duplicate datagrams.", true,
		 g_dups);
	per_feed(f, cs, "capstat_out_of_order_total", "counter", "Datagrams that filled a gap.",
		 true, g_ooo);
	per_feed(f, cs, "capstat_sequence_resets_total", "counter", "Sequence resets.", true,
		 g_resets);
	per_feed(f, cs, "capstat_session_changes_total", "counter", "Session changes.", true,
		 g_sessions);

	app2wire_prom(f, cs);

	ab_lines(f, cs, "capstat_ab_lost_messages_total",
		 "Messages lost on line A only, B only, or both.", false);
	ab_lines(f, cs, "capstat_ab_first_messages_total",
		 "Messages both lines delivered, by the line that was first.", true);
	head(f, "capstat_ab_skew_seconds", "gauge",
	     "Quantiles of tB - tA of messages both lines delivered.");
	for (i = 0; i < cs->o.npairs; i++)
		for (j = 0; j < 3; j++) {
			fputs("capstat_ab_skew_seconds{pair=\"", f);
			prom_label(f, cs->o.pairs[i].name);
			fprintf(f, "\",quantile=\"%g\"} %.9f\n", q[j],
				(double)abarb_skew(&cs->o.pairs[i].ab, q[j]) / 1e9);
		}
	head(f, "capstat_lost_records_total", "counter",
	     "Records lost before capstat saw them (ring overruns, pcapng drop counts).");
	fprintf(f, "capstat_lost_records_total %llu\n", (unsigned long long)cs->lost);
	capstat_wire_prom(cs, f);
	capstat_latency_prom(cs, f);
}

int capstat_prom_write(const struct capstat *cs, const char *path)
{
	return file_replace(path, 0644, false, write_all, cs);
}
