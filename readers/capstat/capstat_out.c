// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_out.c - what capstat prints: a refreshing table on a terminal,
 * key=value lines otherwise, JSON lines with --json (schema in
 * docs/capstat.md).
 */
#include <stdio.h>
#include <string.h>

#include "capstat.h"
#include "capstat_latency.h"
#include "clock_text.h"
#include "json_out.h"

#define RANGES_PER_INTERVAL 64 /* gap ranges in an interval's JSON object */
#define RANGES_IN_TABLE	    8
#define TABLE_COLS	    120 /* the table's width without --wide */

/* The session as text: MoldUDP64's is ASCII, PITCH's unit a number. */
static void session_text(const struct capstat_feed *fd, char *buf, size_t len)
{
	const struct seqtrack *t = &fd->st;

	if (fd->dec.proto == SEQDEC_PITCH && t->session_len == 1)
		snprintf(buf, len, "%u", t->session[0]);
	else
		snprintf(buf, len, "%.*s", (int)t->session_len, (const char *)t->session);
}

static uint64_t us(uint64_t ns)
{
	return ns / 1000u;
}

/* The sequence counters the table and the lines show, in their order. */
#define SEQ_FIELDS 7

static const struct {
	const char *key, *title;
	int width;
} seq_col[SEQ_FIELDS] = {
	{ "gaps", "GAPS", 6 },	       { "missing", "MISSING", 8 },
	{ "duplicates", "DUP", 5 },    { "out_of_order", "OOO", 5 },
	{ "resets", "RST", 4 },	       { "session_changes", "SESS", 4 },
	{ "undecodable", "UNDEC", 6 },
};

static void seq_values(const struct capstat_feed *fd, uint64_t *v)
{
	const uint64_t all[SEQ_FIELDS] = { fd->st.gaps,	      fd->st.missing,
					   fd->st.duplicates, fd->st.out_of_order,
					   fd->st.resets,     fd->st.session_changes,
					   fd->undecodable };

	memcpy(v, all, sizeof(all));
}

static void json_feed(FILE *f, const struct capstat_feed *fd, bool summary, double secs)
{
	const struct feedstat *s = &fd->fs;
	const struct hist *iat = summary ? &s->iat : &s->iat_last;
	double pps = s->pps, bps = s->bps;
	char dec[64];
	unsigned int w, i, n;

	if (summary) {
		pps = secs > 0 ? (double)s->packets / secs : 0;
		bps = secs > 0 ? (double)s->bytes * 8 / secs : 0;
	}
	fputs("\"feed\":", f);
	json_out_str(f, fd->name);
	fprintf(f, ",\"group\":\"%s\",\"port\":%u,\"packets\":%llu,\"bytes\":%llu", fd->group,
		fd->port, (unsigned long long)s->packets, (unsigned long long)s->bytes);
	if (!summary)
		fprintf(f, ",\"interval_packets\":%llu,\"interval_bytes\":%llu",
			(unsigned long long)s->last_packets, (unsigned long long)s->last_bytes);
	fprintf(f, ",\"pps\":%.1f,\"bps\":%.0f,\"peak_pps\":%.1f,\"peak_bps\":%.0f", pps, bps,
		s->peak_pps, s->peak_bps);
	fprintf(f, ",\"iat_ns\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu}",
		(unsigned long long)hist_percentile(iat, 0.5),
		(unsigned long long)hist_percentile(iat, 0.99), (unsigned long long)iat->max);
	fputs(",\"burst\":{", f);
	for (w = 0; w < FEEDSTAT_NWIN; w++)
		fprintf(f, "%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", w ? "," : "",
			feedstat_win_name[w], (unsigned long long)s->burst[w].packets,
			(unsigned long long)s->burst[w].bytes);
	fprintf(f, "},\"burst_capped\":%s", s->capped ? "true" : "false");
	if (fd->a2w)
		app2wire_json(f, fd->a2w, summary ? &fd->a2w->run : &fd->a2w->last);
	else
		fputs(",\"app2wire\":null", f);
	if (!fd->has_dec) {
		fputs(",\"seq\":null", f);
		return;
	}
	{
		const struct seqtrack *t = &fd->st;
		char sess[16];

		session_text(fd, sess, sizeof(sess));
		fprintf(f, ",\"seq\":{\"proto\":\"%s\",\"proto_from\":\"%s\",\"session\":",
			seqdec_name(&fd->dec, dec, sizeof(dec)), fd->dec_from);
		json_out_str(f, sess);
		fprintf(f,
			",\"decoded\":%llu,\"undecodable\":%llu,\"messages\":%llu"
			",\"heartbeats\":%llu,\"ends\":%llu,\"unsequenced\":%llu",
			(unsigned long long)fd->decoded, (unsigned long long)fd->undecodable,
			(unsigned long long)t->messages, (unsigned long long)t->heartbeats,
			(unsigned long long)t->ends, (unsigned long long)t->unsequenced);
		if (t->started)
			fprintf(f, ",\"next\":%llu", (unsigned long long)t->expected);
		else
			fputs(",\"next\":null", f);
		fprintf(f, ",\"gaps\":%llu,\"missing\":%llu,\"gap_ranges\":[",
			(unsigned long long)t->gaps, (unsigned long long)t->missing);
		n = summary || t->nranges < RANGES_PER_INTERVAL ? t->nranges : RANGES_PER_INTERVAL;
		for (i = 0; i < n; i++)
			fprintf(f, "%s[%llu,%llu]", i ? "," : "",
				(unsigned long long)t->ranges[i].first,
				(unsigned long long)t->ranges[i].last);
		fprintf(f,
			"],\"gap_ranges_unlisted\":%llu,\"recovered\":%llu,\"duplicates\":%llu"
			",\"out_of_order\":%llu,\"resets\":%llu,\"session_changes\":%llu",
			(unsigned long long)(t->gaps - n), (unsigned long long)t->recovered,
			(unsigned long long)t->duplicates, (unsigned long long)t->out_of_order,
			(unsigned long long)t->resets, (unsigned long long)t->session_changes);
		if (fd->last_send_ns)
			fprintf(f, ",\"send_time_ns\":%llu", (unsigned long long)fd->last_send_ns);
		fputc('}', f);
	}
}

static const char *feed_name(const struct capstat *cs, const struct capstat_pair *p, int line)
{
	return p->feed[line] >= 0 ? cs->feeds[p->feed[line]]->name : p->spec[line];
}

static void json_pair(FILE *f, const struct capstat *cs, const struct capstat_pair *p)
{
	const struct abarb *a = &p->ab;

	fputs("\"pair\":", f);
	json_out_str(f, p->name);
	fputs(",\"a\":", f);
	json_out_str(f, feed_name(cs, p, ABARB_A));
	fputs(",\"b\":", f);
	json_out_str(f, feed_name(cs, p, ABARB_B));
	fprintf(f,
		",\"both\":%llu,\"lost_a_only\":%llu,\"lost_b_only\":%llu,\"lost_both\":%llu"
		",\"a_first\":%llu,\"b_first\":%llu,\"ties\":%llu,\"late\":%llu,\"restarts\":%llu"
		",\"pending\":%llu",
		(unsigned long long)a->both, (unsigned long long)a->lost_a,
		(unsigned long long)a->lost_b, (unsigned long long)a->lost_both,
		(unsigned long long)a->a_first, (unsigned long long)a->b_first,
		(unsigned long long)a->ties, (unsigned long long)a->late,
		(unsigned long long)a->restarts,
		(unsigned long long)(a->started ? a->top - a->base : 0));
	if (a->both)
		fprintf(f,
			",\"skew_ns\":{\"min\":%lld,\"p1\":%lld,\"p50\":%lld,\"p99\":%lld,"
			"\"max\":%lld}",
			(long long)abarb_skew(a, 0), (long long)abarb_skew(a, 0.01),
			(long long)abarb_skew(a, 0.5), (long long)abarb_skew(a, 0.99),
			(long long)abarb_skew(a, 1));
	else
		fputs(",\"skew_ns\":null", f);
}

/* Rates with SI prefixes, 4 significant characters or so. */
static const char *si(double v, char *buf, size_t len)
{
	static const char pfx[] = " kMGT";
	unsigned int i = 0;

	while (v >= 1000 && i < sizeof(pfx) - 2) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i ? "%.1f%c" : "%.0f", v, pfx[i]);
	return buf;
}

/*
 * Words on lines of at most TABLE_COLS columns (any length with --wide):
 * the first line starts with lead, the others with indent.
 */
struct wrap {
	FILE *f;
	unsigned int col, indent;
	bool wide;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word);

	if (!w->wide && w->col > w->indent && w->col + 1 + n > TABLE_COLS) {
		fprintf(w->f, "\n%*s", (int)w->indent, "");
		w->col = w->indent;
	}
	if (w->col > w->indent)
		fputc(' ', w->f), w->col++;
	fputs(word, w->f);
	w->col += (unsigned int)n;
}

static void wrap_fmt(struct wrap *w, const char *fmt, unsigned long long v)
{
	char word[64];

	snprintf(word, sizeof(word), fmt, v);
	wrap_word(w, word);
}

static void table_missing(FILE *f, const struct capstat *cs, const struct capstat_feed *fd,
			  bool summary)
{
	struct wrap w = { .f = f, .indent = 8, .wide = cs->o.wide };
	char word[48];
	unsigned int j;

	fputs("  missing:", f);
	w.col = 10;
	for (j = 0; j < fd->st.nranges && (summary || j < RANGES_IN_TABLE); j++) {
		const struct seqtrack_range *r = &fd->st.ranges[j];

		if (r->first == r->last)
			snprintf(word, sizeof(word), "%llu", (unsigned long long)r->first);
		else
			snprintf(word, sizeof(word), "%llu-%llu", (unsigned long long)r->first,
				 (unsigned long long)r->last);
		wrap_word(&w, word);
	}
	if (j < fd->st.gaps)
		wrap_fmt(&w, "(+%llu more)", (unsigned long long)(fd->st.gaps - j));
	fputc('\n', f);
}

static void table_pair(FILE *f, const struct capstat *cs, const struct capstat_pair *p)
{
	const struct abarb *ab = &p->ab;
	struct wrap w = { .f = f, .indent = 4, .wide = cs->o.wide };
	char word[2 * CAPSTAT_NAME_LEN + 8];

	snprintf(word, sizeof(word), "A/B %s:", p->name);
	fputs(word, f);
	w.col = (unsigned int)strlen(word);
	wrap_fmt(&w, "both %llu,", (unsigned long long)ab->both);
	wrap_fmt(&w, "lost on A only %llu,", (unsigned long long)ab->lost_a);
	wrap_fmt(&w, "on B only %llu,", (unsigned long long)ab->lost_b);
	wrap_fmt(&w, "on both %llu;", (unsigned long long)ab->lost_both);
	wrap_fmt(&w, "first A %llu,", (unsigned long long)ab->a_first);
	wrap_fmt(&w, "B %llu;", (unsigned long long)ab->b_first);
	snprintf(word, sizeof(word), "skew B-A ns p50 %lld p99 %lld",
		 (long long)abarb_skew(ab, 0.5), (long long)abarb_skew(ab, 0.99));
	wrap_word(&w, word);
	fputc('\n', f);
}

/*
 * Feeds as rows.  Default: what fits TABLE_COLS columns (name up to 20,
 * rates, IAT p50/p99, the sequence counters); --wide adds the peak bit
 * rate, IAT max and the bursts, and shows names up to 40 characters.
 */
static void table(FILE *f, const struct capstat *cs, bool summary, double secs)
{
	const bool wide = cs->o.wide;
	const int namew = wide ? 40 : 20;
	uint64_t x[SEQ_FIELDS];
	char a[16], b[16], c[16], d[16];
	unsigned int i, j, w;

	fprintf(f, "%-*s %10s %7s %7s %7s", namew, "FEED", "PACKETS", "PPS", "PEAK", "BIT/S");
	if (wide)
		fprintf(f, " %7s %19s %23s", "PEAK", "IAT us p50/p99/max",
			"BURST 1us/10us/100us/1ms");
	else
		fprintf(f, " %13s", "IAT us p50/99");
	for (j = 0; j < SEQ_FIELDS; j++)
		fprintf(f, " %*s", seq_col[j].width, seq_col[j].title);
	fputc('\n', f);
	for (i = 0; i < cs->nfeeds; i++) {
		const struct capstat_feed *fd = cs->feeds[i];
		const struct feedstat *s = &fd->fs;
		const struct hist *iat = summary ? &s->iat : &s->iat_last;
		double pps = summary && secs > 0 ? (double)s->packets / secs : s->pps;
		double bps = summary && secs > 0 ? (double)s->bytes * 8 / secs : s->bps;
		char iatb[64], burst[96];

		fprintf(f, "%-*.*s %10llu %7s %7s %7s", namew, namew, fd->name,
			(unsigned long long)s->packets, si(pps, a, sizeof(a)),
			si(s->peak_pps, b, sizeof(b)), si(bps, c, sizeof(c)));
		if (wide) {
			snprintf(iatb, sizeof(iatb), "%llu/%llu/%llu",
				 (unsigned long long)us(hist_percentile(iat, 0.5)),
				 (unsigned long long)us(hist_percentile(iat, 0.99)),
				 (unsigned long long)us(iat->max));
			burst[0] = '\0';
			for (w = 0; w < FEEDSTAT_NWIN; w++)
				snprintf(burst + strlen(burst), sizeof(burst) - strlen(burst),
					 "%s%llu", w ? "/" : "",
					 (unsigned long long)s->burst[w].packets);
			fprintf(f, " %7s %19s %23s", si(s->peak_bps, d, sizeof(d)), iatb, burst);
		} else {
			snprintf(iatb, sizeof(iatb), "%llu/%llu",
				 (unsigned long long)us(hist_percentile(iat, 0.5)),
				 (unsigned long long)us(hist_percentile(iat, 0.99)));
			fprintf(f, " %13s", iatb);
		}
		seq_values(fd, x);
		for (j = 0; fd->has_dec && j < SEQ_FIELDS; j++)
			fprintf(f, " %*llu", seq_col[j].width, (unsigned long long)x[j]);
		fputc('\n', f);
		if (fd->has_dec && fd->st.nranges)
			table_missing(f, cs, fd, summary);
		if (fd->a2w)
			app2wire_table(f, fd->a2w, summary ? &fd->a2w->run : &fd->a2w->last, wide);
	}
	for (i = 0; i < cs->o.npairs; i++)
		table_pair(f, cs, &cs->o.pairs[i]);
}

/* Not a terminal: one key=value line per feed and pair. */
static void lines(FILE *f, const struct capstat *cs, const char *when)
{
	uint64_t x[SEQ_FIELDS];
	unsigned int i, j;

	for (i = 0; i < cs->nfeeds; i++) {
		const struct capstat_feed *fd = cs->feeds[i];
		const struct feedstat *s = &fd->fs;

		fprintf(f,
			"%s feed=%s packets=%llu bytes=%llu pps=%.1f bps=%.0f peak_pps=%.1f"
			" iat_p50_ns=%llu iat_p99_ns=%llu iat_max_ns=%llu burst_1us=%llu"
			" burst_10us=%llu burst_100us=%llu burst_1ms=%llu",
			when, fd->name, (unsigned long long)s->packets,
			(unsigned long long)s->bytes, s->pps, s->bps, s->peak_pps,
			(unsigned long long)hist_percentile(&s->iat_last, 0.5),
			(unsigned long long)hist_percentile(&s->iat_last, 0.99),
			(unsigned long long)s->iat_last.max,
			(unsigned long long)s->burst[0].packets,
			(unsigned long long)s->burst[1].packets,
			(unsigned long long)s->burst[2].packets,
			(unsigned long long)s->burst[3].packets);
		seq_values(fd, x);
		for (j = 0; fd->has_dec && j < SEQ_FIELDS; j++)
			fprintf(f, " %s=%llu", seq_col[j].key, (unsigned long long)x[j]);
		if (fd->a2w)
			app2wire_lines(f, &fd->a2w->last);
		fputc('\n', f);
	}
	for (i = 0; i < cs->o.npairs; i++) {
		const struct abarb *ab = &cs->o.pairs[i].ab;

		fprintf(f,
			"%s ab=%s both=%llu lost_a_only=%llu lost_b_only=%llu lost_both=%llu"
			" a_first=%llu b_first=%llu skew_p50_ns=%lld skew_p99_ns=%lld\n",
			when, cs->o.pairs[i].name, (unsigned long long)ab->both,
			(unsigned long long)ab->lost_a, (unsigned long long)ab->lost_b,
			(unsigned long long)ab->lost_both, (unsigned long long)ab->a_first,
			(unsigned long long)ab->b_first, (long long)abarb_skew(ab, 0.5),
			(long long)abarb_skew(ab, 0.99));
	}
}

void capstat_print_interval(struct capstat *cs, FILE *f, uint64_t now, double secs)
{
	char when[40];
	unsigned int i;

	clock_text_utc(now, 9, when, sizeof(when));
	if (cs->o.json) {
		for (i = 0; i < cs->nfeeds; i++) {
			fprintf(f, "{\"type\":\"feed\",\"time\":\"%s\",\"interval_s\":%.6f,", when,
				secs);
			json_feed(f, cs->feeds[i], false, secs);
			fputs("}\n", f);
		}
		for (i = 0; i < cs->o.npairs; i++) {
			fprintf(f, "{\"type\":\"ab\",\"time\":\"%s\",\"interval_s\":%.6f,", when,
				secs);
			json_pair(f, cs, &cs->o.pairs[i]);
			fputs("}\n", f);
		}
		return;
	}
	if (!cs->tty) {
		lines(f, cs, when);
		return;
	}
	/* Like top: home, clear, redraw. */
	fprintf(f, "\033[H\033[2J");
	fprintf(f, "capstat  %s  every %.6g s  packets %llu  lost %llu  not UDP %llu\n\n", when,
		secs, (unsigned long long)cs->packets, (unsigned long long)cs->lost,
		(unsigned long long)cs->not_udp);
	table(f, cs, false, secs);
}

/* ,"rings":[...]: each ring read, by name, with its reads, losses and lag
 * at the end (null when not known); none from files. */
static void json_rings(FILE *f, const struct capstat *cs)
{
	unsigned int i;

	fputs(",\"rings\":[", f);
	for (i = 0; i < cs->nrings; i++) {
		const struct capstat_ring *r = &cs->rings[i];

		fputs(i ? ",{\"ring\":" : "{\"ring\":", f);
		json_out_str(f, r->name);
		fprintf(f, ",\"records\":%llu,\"lost\":%llu,\"behind\":",
			(unsigned long long)r->records, (unsigned long long)r->lost);
		if (r->behind_known)
			fprintf(f, "%llu}", (unsigned long long)r->behind);
		else
			fputs("null}", f);
	}
	fputc(']', f);
}

void capstat_print_summary(struct capstat *cs, FILE *f)
{
	double secs = cs->last_ts > cs->first_ts ? (double)(cs->last_ts - cs->first_ts) / 1e9 : 0;
	char when[40];
	unsigned int i;

	clock_text_utc(cs->last_ts, 9, when, sizeof(when));
	if (cs->o.json) {
		fprintf(f,
			"{\"type\":\"summary\",\"time\":\"%s\",\"duration_s\":%.6f,"
			"\"packets\":%llu,\"filtered\":%llu,\"not_udp\":%llu,\"untracked\":%llu,"
			"\"lost\":%llu,\"interval_s\":%.6f,\"intervals\":%llu,\"late\":%llu,"
			"\"feeds\":[",
			when, secs, (unsigned long long)cs->packets,
			(unsigned long long)cs->filtered, (unsigned long long)cs->not_udp,
			(unsigned long long)cs->untracked, (unsigned long long)cs->lost,
			(double)cs->iv_ns / 1e9, (unsigned long long)cs->intervals,
			(unsigned long long)cs->late);
		for (i = 0; i < cs->nfeeds; i++) {
			fputs(i ? ",{" : "{", f);
			json_feed(f, cs->feeds[i], true, secs);
			fputc('}', f);
		}
		fputs("],\"ab\":[", f);
		for (i = 0; i < cs->o.npairs; i++) {
			fputs(i ? ",{" : "{", f);
			json_pair(f, cs, &cs->o.pairs[i]);
			fputc('}', f);
		}
		fputs("]", f);
		capstat_latency_json_summary(cs, f);
		json_rings(f, cs);
		capstat_wire_json(cs, f);
		fputs("}\n", f);
		return;
	}
	fprintf(f,
		"%scapstat summary: %llu packets over %.3f s, %llu lost before capstat,"
		" %llu not UDP, %llu filtered out, %llu in feeds beyond %u\n",
		cs->tty && cs->live ? "\n" : "", (unsigned long long)cs->packets, secs,
		(unsigned long long)cs->lost, (unsigned long long)cs->not_udp,
		(unsigned long long)cs->filtered, (unsigned long long)cs->untracked,
		CAPSTAT_MAX_FEEDS);
	/* Several rings (a set's members among them): which one lost. */
	for (i = 0; cs->nrings > 1 && i < cs->nrings; i++) {
		const struct capstat_ring *r = &cs->rings[i];

		fprintf(f, "ring %s: %llu records read, %llu lost to ring overruns", r->name,
			(unsigned long long)r->records, (unsigned long long)r->lost);
		if (r->behind_known)
			fprintf(f, ", %llu behind its writer at the end",
				(unsigned long long)r->behind);
		fputc('\n', f);
	}
	table(f, cs, true, secs);
	capstat_wire_table(cs, f);
	capstat_latency_print(cs, f, when, true);
}
