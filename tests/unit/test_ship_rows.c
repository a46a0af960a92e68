// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ship_rows - capship's rows of an archive made here, against
 * capdump --list --json of the same archive: four pcapng files (one zstd)
 * of a sequenced feed A with a gap inside the first file and one across
 * the first boundary, and an unsequenced feed B; ISBs as capdump writes
 * them (drops counted from the recording's start; a new recording in the
 * last file).  Per file its packets, times and drops; per feed its
 * counters; every gap inside and across files, as --list tells them.
 * Then exactly once: a pass that fails mid-way marks only what was
 * acknowledged, the next ships the rest, a third ships nothing; a file
 * without a trusted index is skipped with one line and shipped once it
 * has one; a file removed gives one removals row and leaves the state;
 * a state file cut short starts over; a file appended later continues
 * from the one before it.  batch_rows 7 makes several batches.  The
 * feeds' pauses (silences of 100 ms or more): none in these files; two
 * files appended with pauses, one with more than the index lists: per
 * feed its pauses and npauses, per listed pause a row, as in its index.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "archive_files.h"
#include "capindex.h"
#include "capindex_build.h"
#include "dumplist.h"
#include "ship_rows.h"
#include "ship_scan.h"
#include "ship_state.h"
#include "pcapng_feed.h"
#include "pcapng.h"
#include "ring_feed.h"
#include "test.h"
#include "udp_frame.h"

/* What the fake ClickHouse received: each table's rows, one per line. */
struct sink {
	char *rows[SHIP_TABLES];
	unsigned int calls, fail_at; /* fail the fail_at-th send (1-based; 0 never) */
};

static int sink_send(void *arg, enum ship_table t, const char *body, size_t len, char *why,
		     size_t whylen)
{
	struct sink *s = arg;
	size_t old = s->rows[t] ? strlen(s->rows[t]) : 0;

	if (++s->calls == s->fail_at) {
		snprintf(why, whylen, "Connection refused");
		return -EHOSTUNREACH;
	}
	s->rows[t] = realloc(s->rows[t], old + len + 1);
	T_ASSERT(s->rows[t]);
	memcpy(s->rows[t] + old, body, len);
	s->rows[t][old + len] = '\0';
	return 0;
}

static void sink_clear(struct sink *s)
{
	int t;

	for (t = 0; t < SHIP_TABLES; t++) {
		free(s->rows[t]);
		s->rows[t] = NULL;
	}
	s->calls = s->fail_at = 0;
}

static unsigned int nwarn;
static char last_warn[1024];

static void on_warn(void *arg, const char *line)
{
	(void)arg;
	nwarn++;
	snprintf(last_warn, sizeof(last_warn), "%s", line);
}

static unsigned int count(const char *s, const char *what)
{
	unsigned int n = 0;

	while (s && (s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

/* The value of "key": in the text from p (the first after p). */
static uint64_t num(const char *p, const char *key)
{
	char k[80];
	const char *q;

	snprintf(k, sizeof(k), "\"%s\":", key);
	q = strstr(p, k);
	if (!q)
		T_FAIL("no %s in %.300s", key, p);
	return strtoull(q + strlen(k), NULL, 10);
}

/* The row of table text whose "path" is path (and, with feed, "feed"). */
static char *row_of(const char *text, const char *path, const char *feed)
{
	char key[600];
	const char *p = text;

	snprintf(key, sizeof(key), "\"path\":\"%s\"", path);
	while (p && (p = strstr(p, key))) {
		const char *start = p, *end = strchr(p, '\n');

		while (start > text && start[-1] != '\n')
			start--;
		if (!feed || (strstr(start, feed) && strstr(start, feed) < end))
			return strndup(start, (size_t)(end - start));
		p = end;
	}
	T_FAIL("no row of %s %s in:\n%s", path, feed ? feed : "", text ? text : "(none)");
}

/* The listing's JSON of paths. */
static char *listing(char *dir)
{
	struct dumplist_opts o = { .json = true, .hole_ns = DUMPLIST_HOLE_NS };
	char *buf = NULL, *paths[1] = { dir };
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	T_ASSERT(f);
	T_EQ(dumplist_command(paths, 1, &o, f), 0);
	fclose(f);
	return buf;
}

/* The rows of file path against its object in the listing. */
static void compare_file(const struct sink *s, const char *list, const char *path)
{
	char *obj = archive_list_obj(list, path), *fr = row_of(s->rows[SHIP_FILES], path, NULL);
	char *ar = row_of(s->rows[SHIP_FEEDS], path, "\"feed\":\"A\"");
	char *br = row_of(s->rows[SHIP_FEEDS], path, "\"feed\":\"B\"");
	const char *seq = strstr(obj, "\"seq\":{"), *gb = strstr(obj, "\"gap_before_file\":");
	const char *gl;
	char key[700];

	T_ASSERT(seq && gb);
	T_EQ(num(fr, "packets"), num(obj, "packets"));
	T_EQ(num(fr, "first_ns"), num(obj, "first_ns"));
	T_EQ(num(fr, "last_ns"), num(obj, "last_ns"));
	T_EQ(num(fr, "span_start_ns"), num(obj, "span_start_ns"));
	T_EQ(num(fr, "span_end_ns"), num(obj, "span_end_ns"));
	T_EQ(num(fr, "bytes_wire"), num(obj, "bytes_wire"));
	/* one interface: the file's drops are its */
	T_EQ(num(fr, "if_drop"), num(strstr(obj, "\"interfaces\":"), "ifdrop"));
	T_EQ(num(fr, "os_drop"), num(strstr(obj, "\"interfaces\":"), "osdrop"));
	T_EQ(num(ar, "packets"), num(strstr(obj, "{\"name\":\"A\""), "packets"));
	T_EQ(num(ar, "seq_first"), num(seq, "first"));
	T_EQ(num(ar, "seq_last"), num(seq, "last"));
	T_EQ(num(ar, "seq_min"), num(seq, "min"));
	T_EQ(num(ar, "seq_max"), num(seq, "max"));
	T_EQ(num(ar, "gaps"), num(seq, "gaps"));
	T_EQ(num(ar, "missing"), num(seq, "missing"));
	T_ASSERT(strstr(ar, "\"proto\":\"generic\""));
	T_EQ(num(br, "packets"), num(strstr(obj, "{\"name\":\"B\""), "packets"));
	T_ASSERT(strstr(br, "\"proto\":\"none\",") && strstr(br, "\"seq_first\":0,"));
	/* the gaps: those inside, and the one across the boundary */
	for (gl = strstr(seq, "\"gap_list\":[{"); gl && gl < gb;
	     gl = strstr(gl + 1, "{\"first\":")) {
		snprintf(key, sizeof(key),
			 "\"feed\":\"A\",\"path\":\"%s\",\"data_mtime_ns\":%llu,\"seq_from\":%llu,"
			 "\"seq_to\":%llu,\"ts_ns\":%llu,\"boundary\":0,",
			 path, (unsigned long long)num(fr, "data_mtime_ns"),
			 (unsigned long long)num(gl, "first"),
			 (unsigned long long)num(gl, "last") + 1,
			 (unsigned long long)num(gl, "before_ns"));
		if (!strstr(s->rows[SHIP_GAPS], key))
			T_FAIL("gap %s not shipped:\n%s", key, s->rows[SHIP_GAPS]);
	}
	if (strncmp(gb, "\"gap_before_file\":null", 22)) {
		snprintf(
			key, sizeof(key),
			"\"path\":\"%s\",\"data_mtime_ns\":%llu,\"seq_from\":%llu,\"seq_to\":%llu,",
			path, (unsigned long long)num(fr, "data_mtime_ns"),
			(unsigned long long)num(gb, "first"),
			(unsigned long long)num(gb, "last") + 1);
		T_ASSERT(strstr(s->rows[SHIP_GAPS], key));
		T_ASSERT(strstr(strstr(s->rows[SHIP_GAPS], key), "\"boundary\":1,"));
	} else {
		snprintf(key, sizeof(key), "\"path\":\"%s\"", path);
		if (s->rows[SHIP_GAPS] && strstr(s->rows[SHIP_GAPS], key))
			T_ASSERT(!strstr(strstr(s->rows[SHIP_GAPS], key), "\"boundary\":1,") ||
				 strstr(strstr(s->rows[SHIP_GAPS], key), "\"boundary\":1,") >
					 strchr(strstr(s->rows[SHIP_GAPS], key), '\n'));
	}
	T_ASSERT(strstr(fr, "{\"box\":\"nyc1-a\",\"point\":\"nasdaq \\\"A\\\"\",\"path\":"));
	free(obj);
	free(fr);
	free(ar);
	free(br);
}

/* The feeds rows' pauses and npauses of file path, and its pauses rows,
 * against its index.  @return the pauses rows. */
static unsigned int compare_pauses(const struct sink *s, const char *path)
{
	struct capindex *ix;
	unsigned int k, g, rows = 0;
	char why[256], key[700];

	T_EQ(capindex_load(path, &ix, why, sizeof(why)), 0);
	for (k = 0; k < capindex_hdr(ix)->nfeeds; k++) {
		const struct capindex_feed *f = capindex_feed(ix, k);
		uint64_t mtime = capindex_hdr(ix)->data_mtime_ns;
		char *fr;

		snprintf(key, sizeof(key), "\"feed\":\"%s\"", f->name);
		fr = row_of(s->rows[SHIP_FEEDS], path, key);
		T_EQ(num(fr, "pauses"), f->pauses);
		T_EQ(num(fr, "npauses"), f->npauses);
		T_ASSERT(f->npauses <= f->pauses && f->npauses <= CAPINDEX_PAUSES_MAX);
		free(fr);
		snprintf(key, sizeof(key), "\"feed\":\"%s\",\"path\":\"%s\",", f->name, path);
		T_EQ(count(s->rows[SHIP_PAUSES], key), f->npauses);
		for (g = 0; g < f->npauses; g++) {
			snprintf(key, sizeof(key),
				 "{\"box\":\"nyc1-a\",\"point\":\"nasdaq "
				 "\\\"A\\\"\",\"feed\":\"%s\","
				 "\"path\":\"%s\",\"data_mtime_ns\":%llu,\"from_ns\":%llu,"
				 "\"to_ns\":%llu,\"shipped_ns\":",
				 f->name, path, (unsigned long long)mtime,
				 (unsigned long long)f->pause[g].from_ns,
				 (unsigned long long)f->pause[g].to_ns);
			if (!strstr(s->rows[SHIP_PAUSES], key))
				T_FAIL("pause %s not shipped:\n%s", key, s->rows[SHIP_PAUSES]);
			T_ASSERT(f->pause[g].to_ns - f->pause[g].from_ns >= CAPINDEX_PAUSE_NS);
		}
		rows += f->npauses;
	}
	capindex_free(ix);
	return rows;
}

int main(void)
{
	const char *dir = t_tmpdir("test_ship_rows");
	char p[4][400], idx[420], err[512], arch[300], state[300], why[512], *list;
	struct isb_counts c1 = { 2, 1, 0 }, c2 = { 5, 1, 0 }, c3 = { 5, 4, 0 }, c4 = { 7, 0, 0 };
	struct ship_conf conf;
	struct sink sink = { 0 };
	struct ship_scan sc;
	uint64_t n1, n2, n3, n4;
	int i, r;

	snprintf(arch, sizeof(arch), "%s/a", dir);
	T_EQ(mkdir(arch, 0755), 0);
	snprintf(state, sizeof(state), "%s/state", dir);
	for (i = 0; i < 4; i++)
		snprintf(p[i], sizeof(p[i]), "%s/r_%d.pcapng%s", arch, i + 1, i == 2 ? ".zst" : "");
	n1 = archive_make_file(p[0], T0, 1, 100, 50, 53, 4, &c1, 0, false);
	n2 = archive_make_file(p[1], T0 + 10 * SEC, 105, 200, 0, 0, 0, &c2, n1, false);
	n3 = archive_make_file(p[2], T0 + 25 * SEC, 201, 300, 0, 0, 0, &c3, n1 + n2, true);
	n4 = archive_make_file(p[3], T0 + 35 * SEC, 301, 310, 0, 0, 0, &c4, 0, false);
	T_ASSERT(n4);
	T_ASSERT(n3);
	for (i = 0; i < 4; i++)
		T_EQ(capindex_build_file(p[i], err, sizeof(err)), 0);
	/* r_4's index corrupt: skipped with one line, the others shipped */
	snprintf(idx, sizeof(idx), "%s.idx", p[3]);
	T_EQ(truncate(idx, 100), 0);

	ship_conf_defaults(&conf);
	snprintf(conf.box, sizeof(conf.box), "nyc1-a");
	snprintf(conf.point, sizeof(conf.point), "nasdaq \"A\"");
	snprintf(conf.archives[0], sizeof(conf.archives[0]), "%s", arch);
	conf.narchives = 1;
	conf.batch_rows = 7;
	sc = (struct ship_scan){ .conf = &conf,
				 .st = ship_state_new(),
				 .state_path = state,
				 .send = sink_send,
				 .send_arg = &sink,
				 .warn = on_warn };
	T_ASSERT(sc.st);

	/* A pass failing at its 5th insert: batch 1 (r_1, r_2: 8 rows) went
	 * out whole and is marked; batch 2 (r_3) got its files row in, not
	 * its feeds: r_3 is not marked. */
	sink.fail_at = 5;
	r = ship_scan_run(&sc, why, sizeof(why));
	T_EQ(r, -EHOSTUNREACH);
	T_ASSERT(strstr(why, "Connection refused"));
	T_EQ(sc.batches, 1u);
	T_EQ(nwarn, 1u);
	T_ASSERT(strstr(last_warn, "r_4.pcapng: not shipped: ") &&
		 strstr(last_warn, "capdump --list"));
	T_EQ(ship_state_nfiles(sc.st), 2u);
	ship_state_free(sc.st);
	T_EQ(ship_state_load(state, 1 << 20, &sc.st, why, sizeof(why)), 0);
	T_EQ(ship_state_nfiles(sc.st), 2u);

	/* the next pass ships the rest; r_4 is not warned about again */
	sink.fail_at = 0;
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(nwarn, 1u);
	T_EQ(ship_state_nfiles(sc.st), 3u);
	T_EQ(sc.files_shipped, 1u);
	/* r_3's files row came twice: in ClickHouse the same row */
	T_EQ(count(sink.rows[SHIP_FILES], "\"path\":\""), 4u);
	/* capdump --list rebuilds r_4's index; compare every file's rows */
	list = listing(arch);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(sc.files_shipped, 1u);
	T_EQ(ship_state_nfiles(sc.st), 4u);
	for (i = 0; i < 4; i++)
		compare_file(&sink, list, p[i]);
	/* the gaps the sender made: 50..52 in r_1, 101..104 across into r_2 */
	T_EQ(count(sink.rows[SHIP_GAPS], "\"seq_from\":50,\"seq_to\":53,"), 1u);
	T_EQ(count(sink.rows[SHIP_GAPS], "\"seq_from\":101,\"seq_to\":105,"), 1u);
	T_EQ(count(sink.rows[SHIP_GAPS], "\"boundary\":1"), 1u);
	free(list);

	/* nothing new: nothing sent */
	sink_clear(&sink);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(sink.calls, 0u);

	/* r_5 appended, r_4's recording going on: the walk continues from
	 * where the last one ended, with r_4's counters and last message */
	{
		char p5[400];
		struct isb_counts c5 = { 9, 0, 0 };

		snprintf(p5, sizeof(p5), "%s/r_5.pcapng", arch);
		T_ASSERT(archive_make_file(p5, T0 + 45 * SEC, 315, 320, 0, 0, 0, &c5, n4, false));
		T_EQ(capindex_build_file(p5, err, sizeof(err)), 0);
		T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
		T_EQ(sc.files_shipped, 1u);
		T_ASSERT(strstr(sink.rows[SHIP_FILES], "\"if_drop\":2,\"os_drop\":0,"));
		T_ASSERT(strstr(sink.rows[SHIP_GAPS], "\"seq_from\":311,\"seq_to\":315,"));
		list = listing(arch);
		compare_file(&sink, list, p5);
		free(list);
		sink_clear(&sink);
	}

	/* r_1 removed (by retention: with its index) */
	T_EQ(unlink(p[0]), 0);
	snprintf(idx, sizeof(idx), "%s.idx", p[0]);
	T_EQ(unlink(idx), 0);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(sc.removals, 1u);
	T_EQ(count(sink.rows[SHIP_REMOVALS], "\n"), 1u);
	T_ASSERT(strstr(sink.rows[SHIP_REMOVALS], "r_1.pcapng\",\"data_mtime_ns\":"));
	T_ASSERT(!sink.rows[SHIP_FILES]);
	T_EQ(ship_state_nfiles(sc.st), 4u);
	sink_clear(&sink);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(sink.calls, 0u);

	/* a state file cut short: refused; starting over ships all again */
	T_EQ(truncate(state, 40), 0);
	ship_state_free(sc.st);
	T_EQ(ship_state_load(state, 1 << 20, &sc.st, why, sizeof(why)), -EBADMSG);
	sc.st = ship_state_new();
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(count(sink.rows[SHIP_FILES], "\"path\":\""), 4u);
	T_EQ(sc.removals, 0u);

	/* packets 10 ms apart: no pause, and no pauses row */
	for (i = 1; i < 4; i++)
		T_EQ(compare_pauses(&sink, p[i]), 0u);
	T_ASSERT(!sink.rows[SHIP_PAUSES]);

	/* r_6: both feeds silent for 300 ms more before message 361; r_7: A
	 * silent for 120 ms more before each of its 40 messages after the
	 * first, more pauses than the index lists */
	{
		struct isb_counts c0 = { 0, 0, 0 };
		char p6[400], p7[400], key[600], *fr;
		const char *a;

		sink_clear(&sink);
		snprintf(p6, sizeof(p6), "%s/r_6.pcapng", arch);
		snprintf(p7, sizeof(p7), "%s/r_7.pcapng", arch);
		T_ASSERT(archive_make_paused(p6, T0 + 55 * SEC, 321, 400, 40, 300000000u, &c0, 0));
		T_ASSERT(archive_make_paused(p7, T0 + 65 * SEC, 401, 441, 1, 120000000u, &c0, 0));
		T_EQ(capindex_build_file(p6, err, sizeof(err)), 0);
		T_EQ(capindex_build_file(p7, err, sizeof(err)), 0);
		T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
		T_EQ(sc.files_shipped, 2u);
		/* r_6: A 360 at t, 361 at t + 310 ms; B 359 at t - 10 ms, 361 at t + 320 ms */
		T_EQ(compare_pauses(&sink, p6), 2u);
		snprintf(key, sizeof(key), "\"feed\":\"A\",\"path\":\"%s\",", p6);
		a = strstr(sink.rows[SHIP_PAUSES], key);
		T_ASSERT(a);
		T_EQ(num(a, "to_ns") - num(a, "from_ns"), 310000000u);
		snprintf(key, sizeof(key), "\"feed\":\"B\",\"path\":\"%s\",", p6);
		a = strstr(sink.rows[SHIP_PAUSES], key);
		T_ASSERT(a);
		T_EQ(num(a, "to_ns") - num(a, "from_ns"), 330000000u);
		/* r_7: A's 40 pauses counted, the first 32 listed and shipped */
		compare_pauses(&sink, p7);
		fr = row_of(sink.rows[SHIP_FEEDS], p7, "\"feed\":\"A\"");
		T_EQ(num(fr, "pauses"), 40u);
		T_EQ(num(fr, "npauses"), CAPINDEX_PAUSES_MAX);
		free(fr);
	}

	ship_scan_free(&sc);
	ship_state_free(sc.st);
	sink_clear(&sink);
	return 0;
}
