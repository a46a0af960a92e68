// SPDX-License-Identifier: BSD-2-Clause
/*
 * app2wire.c - app-to-wire latency distributions.  Local midnights come
 * from the C library's tz database through TZ: capstat prints only UTC
 * (gmtime), so it owns TZ, and sets it only when a feed's day changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app2wire.h"

#define NS_PER_S      1000000000ll
#define APP2WIRE_COLS 120 /* the table's width without --wide, as capstat_out.c's */
#define ZONE_CHARS                                             \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789/_+-."
#define APP2WIRE_FAR_NS (86400ull * NS_PER_S)

const double app2wire_q[APP2WIRE_NQ] = { 0.5, 0.9, 0.99, 0.999 };
const char *const app2wire_q_name[APP2WIRE_NQ] = { "p50", "p90", "p99", "p999" };

static bool zone_exists(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;

	if (!strcmp(tz, "UTC"))
		return true;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int app2wire_add_tz(struct app2wire_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');
	const char *feed = NULL, *tz = arg;

	if (o->ntz == APP2WIRE_TZ_RULES)
		return -EINVAL;
	if (eq) {
		*eq = '\0';
		feed = arg;
		tz = eq + 1;
		if (!*feed)
			return -EINVAL;
	}
	/* A name in the database, never a path out of it; printed as it is. */
	if (!*tz || *tz == '/' || strstr(tz, "..") || strspn(tz, ZONE_CHARS) != strlen(tz))
		return -EINVAL;
	if (!zone_exists(tz))
		return -ENOENT;
	o->tz[o->ntz].feed = feed;
	o->tz[o->ntz].tz = tz;
	o->ntz++;
	return 0;
}

const char *app2wire_tz_of(const struct app2wire_opts *o,
			   bool (*names)(const void *ctx, const char *word), const void *ctx)
{
	const char *all = NULL, *one = NULL;
	unsigned int i;

	for (i = 0; i < o->ntz; i++) {
		if (!o->tz[i].feed)
			all = o->tz[i].tz;
		else if (names(ctx, o->tz[i].feed))
			one = o->tz[i].tz;
	}
	return one ? one : all ? all : APP2WIRE_TZ_DEFAULT;
}

struct app2wire *app2wire_new(enum sendtime_proto proto, const char *tz)
{
	struct app2wire *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->proto = proto;
	a->tz = proto == SENDTIME_MDP3 ? NULL : tz;
	return a;
}

void app2wire_free(struct app2wire *a)
{
	free(a);
}

static int tz_use(const char *tz)
{
	static char cur[256];

	if (!strcmp(cur, tz))
		return 0;
	if (strlen(tz) >= sizeof(cur) || setenv("TZ", tz, 1) < 0)
		return -EINVAL;
	tzset();
	snprintf(cur, sizeof(cur), "%s", tz);
	return 0;
}

static bool same_date(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_yday == b->tm_yday;
}

int app2wire_midnight(const char *tz, int64_t t, int days, int64_t *ns)
{
	struct tm want, tm;
	time_t s = (time_t)t, m;
	int i;

	if (tz_use(tz) < 0 || !localtime_r(&s, &want))
		return -EINVAL;
	/* Noon of the date wanted always exists: it names the date. */
	want.tm_mday += days;
	want.tm_hour = 12;
	want.tm_min = want.tm_sec = 0;
	want.tm_isdst = -1;
	if (mktime(&want) == (time_t)-1)
		return -EINVAL;
	tm = want;
	tm.tm_hour = 0;
	tm.tm_isdst = -1;
	m = mktime(&tm);
	if (m == (time_t)-1)
		return -EINVAL;
	/*
	 * Where the clock jumps over midnight, mktime() may answer with an
	 * instant of the date before: the date begins at the jump, found to
	 * the minute (zones jump on whole minutes).
	 */
	for (i = 0; i < 24 * 60 && localtime_r(&m, &tm) && !same_date(&tm, &want); i++)
		m += 60;
	if (i == 24 * 60)
		return -EINVAL;
	*ns = (int64_t)m * NS_PER_S;
	return 0;
}

/* The midnights of the days around ts: D-1, D (of ts) and D+1. */
static int days_around(struct app2wire *a, uint64_t ts)
{
	int64_t t = (int64_t)(ts / NS_PER_S);
	int k;

	if (a->day_known && (int64_t)ts >= a->day[1] && (int64_t)ts < a->day[2])
		return 0;
	a->day_known = false;
	for (k = 0; k < 3; k++)
		if (app2wire_midnight(a->tz, t, k - 1, &a->day[k]) < 0)
			return -EINVAL;
	a->day_known = true;
	return 0;
}

static void dist_add(struct app2wire_dist *d, uint64_t ts, uint64_t sent)
{
	if (ts >= sent)
		hist_add(&d->pos, ts - sent);
	else
		hist_add(&d->neg, sent - ts);
}

/* The instant of time of day tod nearest to ts, of the dates around it. */
static bool of_day(struct app2wire *a, uint64_t ts, uint64_t tod, uint64_t *sent)
{
	uint64_t best = 0, dist = UINT64_MAX;
	int k;

	if (days_around(a, ts) < 0)
		return false;
	for (k = 0; k < 3; k++) {
		int64_t s = a->day[k] + (int64_t)tod;
		uint64_t d;

		if (s < 0)
			continue;
		d = (uint64_t)s > ts ? (uint64_t)s - ts : ts - (uint64_t)s;
		if (d < dist) {
			dist = d;
			best = (uint64_t)s;
		}
	}
	*sent = best;
	return dist != UINT64_MAX;
}

void app2wire_add(struct app2wire *a, const uint8_t *p, size_t len, uint64_t ts, int next)
{
	struct app2wire_dist *d = next ? &a->next : &a->iv;
	struct sendtime_iter it;
	struct sendtime_msg m;

	if (sendtime_begin(&it, a->proto, p, len) != SENDTIME_OK)
		return;
	while (sendtime_next(&it, &m)) {
		uint64_t sent = 0, tod = m.ns;
		bool known = false;

		switch (m.kind) {
		case SENDTIME_PITCH_BASE:
			a->base[m.unit] = m.ns;
			a->base_known[m.unit / 8] |= (uint8_t)(1u << (m.unit % 8));
			continue;
		case SENDTIME_PITCH_BAD:
			a->base_known[m.unit / 8] &= (uint8_t) ~(1u << (m.unit % 8));
			continue;
		case SENDTIME_UTC:
			sent = m.ns;
			known = true;
			break;
		case SENDTIME_PITCH_OFFSET:
			if (!(a->base_known[m.unit / 8] & (1u << (m.unit % 8))))
				break;
			tod = a->base[m.unit] + m.ns;
			/* fall through */
		case SENDTIME_OF_DAY:
			known = of_day(a, ts, tod, &sent);
			break;
		case SENDTIME_UNKNOWN:
			break;
		}
		/* A day apart is not a latency: a wrong clock, or not this format. */
		if (known && (ts > sent ? ts - sent : sent - ts) >= APP2WIRE_FAR_NS)
			known = false;
		if (!known) {
			d->unknown++;
			a->run.unknown++;
			continue;
		}
		dist_add(d, ts, sent);
		dist_add(&a->run, ts, sent);
	}
}

void app2wire_interval(struct app2wire *a)
{
	a->last = a->iv;
	a->iv = a->next;
	memset(&a->next, 0, sizeof(a->next));
}

uint64_t app2wire_count(const struct app2wire_dist *d)
{
	return d->neg.n + d->pos.n;
}

int64_t app2wire_quantile(const struct app2wire_dist *d, double q)
{
	return hist_percentile_signed(&d->neg, &d->pos, q);
}

int64_t app2wire_min(const struct app2wire_dist *d)
{
	return d->neg.n ? -(int64_t)d->neg.max : (int64_t)d->pos.min;
}

int64_t app2wire_max(const struct app2wire_dist *d)
{
	return d->pos.n ? (int64_t)d->pos.max : d->neg.n ? -(int64_t)d->neg.min : 0;
}

const char *app2wire_format(enum sendtime_proto proto)
{
	switch (proto) {
	case SENDTIME_MDP3:
		return "mdp3";
	case SENDTIME_ITCH50:
		return "itch50";
	case SENDTIME_PITCH:
		return "pitch";
	}
	return "?";
}

/* The values of hist bucket i: above the bucket below it, up to its own. */
static void bucket_range(unsigned int i, uint64_t *lo, uint64_t *hi)
{
	*lo = i ? hist_bucket_value(i - 1) + 1 : 0;
	*hi = hist_bucket_value(i);
}

void app2wire_json(FILE *f, const struct app2wire *a, const struct app2wire_dist *d)
{
	bool first = true;
	uint64_t lo, hi;
	unsigned int i, j;

	fprintf(f, ",\"app2wire\":{\"format\":\"%s\",\"tz\":", app2wire_format(a->proto));
	if (a->tz)
		fprintf(f, "\"%s\"", a->tz); /* ZONE_CHARS only: nothing to escape */
	else
		fputs("null", f);
	fprintf(f, ",\"messages\":%llu,\"unknown\":%llu", (unsigned long long)app2wire_count(d),
		(unsigned long long)d->unknown);
	if (!app2wire_count(d)) {
		fputs(",\"min_ns\":null", f);
		for (j = 0; j < APP2WIRE_NQ; j++)
			fprintf(f, ",\"%s_ns\":null", app2wire_q_name[j]);
		fputs(",\"max_ns\":null,\"buckets\":[]}", f);
		return;
	}
	fprintf(f, ",\"min_ns\":%lld", (long long)app2wire_min(d));
	for (j = 0; j < APP2WIRE_NQ; j++)
		fprintf(f, ",\"%s_ns\":%lld", app2wire_q_name[j],
			(long long)app2wire_quantile(d, app2wire_q[j]));
	fprintf(f, ",\"max_ns\":%lld,\"buckets\":[", (long long)app2wire_max(d));
	/* [low, high, count] of each bucket with samples, lowest value first. */
	for (i = HIST_BUCKETS; i-- > 0;) {
		if (!d->neg.b[i])
			continue;
		bucket_range(i, &lo, &hi);
		fprintf(f, "%s[%lld,%lld,%llu]", first ? "" : ",", -(long long)hi, -(long long)lo,
			(unsigned long long)d->neg.b[i]);
		first = false;
	}
	for (i = 0; i < HIST_BUCKETS; i++) {
		if (!d->pos.b[i])
			continue;
		bucket_range(i, &lo, &hi);
		fprintf(f, "%s[%llu,%llu,%llu]", first ? "" : ",", (unsigned long long)lo,
			(unsigned long long)hi, (unsigned long long)d->pos.b[i]);
		first = false;
	}
	fputs("]}", f);
}

/* Words on lines of at most APP2WIRE_COLS columns (any length when wide). */
struct words {
	FILE *f;
	unsigned int col;
	bool wide;
};

static void word(struct words *w, const char *s)
{
	size_t n = strlen(s);

	if (!w->wide && w->col > 8 && w->col + 1 + n > APP2WIRE_COLS) {
		fputs("\n        ", w->f);
		w->col = 8;
	} else if (w->col) {
		fputc(' ', w->f);
		w->col++;
	}
	fputs(s, w->f);
	w->col += (unsigned int)n;
}

/* name and a ns value as microseconds with three decimals, sign kept. */
static void word_us(struct words *w, const char *name, int64_t ns)
{
	uint64_t m = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;
	char s[64];

	snprintf(s, sizeof(s), "%s %s%llu.%03llu", name, ns < 0 ? "-" : "",
		 (unsigned long long)(m / 1000), (unsigned long long)(m % 1000));
	word(w, s);
}

void app2wire_table(FILE *f, const struct app2wire *a, const struct app2wire_dist *d, bool wide)
{
	struct words w = { .f = f, .wide = wide };
	char s[96];
	unsigned int j;

	fputs("  ", f);
	snprintf(s, sizeof(s), "app-to-wire %s: messages %llu unknown %llu%s",
		 app2wire_format(a->proto), (unsigned long long)app2wire_count(d),
		 (unsigned long long)d->unknown, app2wire_count(d) ? "; us" : "");
	w.col = 2;
	fputs(s, f);
	w.col += (unsigned int)strlen(s);
	if (app2wire_count(d)) {
		word_us(&w, "min", app2wire_min(d));
		for (j = 0; j < APP2WIRE_NQ; j++)
			word_us(&w, app2wire_q_name[j], app2wire_quantile(d, app2wire_q[j]));
		word_us(&w, "max", app2wire_max(d));
	}
	fputc('\n', f);
}

void app2wire_lines(FILE *f, const struct app2wire_dist *d)
{
	unsigned int j;

	fprintf(f, " a2w_messages=%llu a2w_unknown=%llu", (unsigned long long)app2wire_count(d),
		(unsigned long long)d->unknown);
	if (!app2wire_count(d))
		return;
	fprintf(f, " a2w_min_ns=%lld", (long long)app2wire_min(d));
	for (j = 0; j < APP2WIRE_NQ; j++)
		fprintf(f, " a2w_%s_ns=%lld", app2wire_q_name[j],
			(long long)app2wire_quantile(d, app2wire_q[j]));
	fprintf(f, " a2w_max_ns=%lld", (long long)app2wire_max(d));
}
