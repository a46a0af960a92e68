// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ship_intervals - capstat --json files into intervals_local rows:
 * the documented feed objects, a latency object merged into its feed's
 * row, app-to-wire latency where no one-way latency is given; an interval
 * waits until a later one (or the summary) begins; a partial last line
 * waits; lines that are no JSON are passed over and counted; a file
 * shorter than its offset is read again from its start; through
 * ship_scan, the offsets are in the state only once acknowledged, and a
 * pass that fails sends the same rows again.  Then the line parser
 * against hostile lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship_intervals.h"
#include "ship_jsonl.h"
#include "ship_scan.h"
#include "ship_state.h"
#include "test.h"

#define L1                                                                                         \
	"{\"type\":\"feed\",\"time\":\"2026-05-01T12:00:01.000000000Z\",\"interval_s\":1.000000,"  \
	"\"feed\":\"MOLD\",\"group\":\"239.1.1.1\",\"port\":30001,\"packets\":1510,\"bytes\":"     \
	"105700,\"interval_packets\":1000,\"interval_bytes\":70000,\"pps\":1000.0,\"bps\":560000," \
	"\"iat_ns\":{\"p50\":1000447,\"p99\":1015807,\"max\":1020014},\"burst\":{\"1us\":"         \
	"{\"packets\":1,\"bytes\":70}},\"burst_capped\":false,\"app2wire\":null,\"seq\":{"         \
	"\"proto\":"                                                                               \
	"\"moldudp64\",\"session\":\"SESSION001\",\"next\":4531,\"gaps\":1,\"missing\":1,"         \
	"\"gap_ranges\":[[77,77]],\"gap_ranges_unlisted\":0}}\n"
#define L1B                                                                                        \
	"{\"type\":\"feed\",\"time\":\"2026-05-01T12:00:01.000000000Z\",\"interval_s\":1.000000,"  \
	"\"feed\":\"IT\\u0043H\",\"interval_packets\":5,\"interval_bytes\":500,"                   \
	"\"app2wire\":{\"format\":\"itch50\",\"tz\":null,\"messages\":5,\"min_ns\":-3,\"p50_ns\":" \
	"1200,\"p90_ns\":1500,\"p99_ns\":-40,\"max_ns\":9000,\"buckets\":[[-5,-3,1]]},\"seq\":"    \
	"null}\n"
#define LAT1                                                                                     \
	"{\"type\":\"latency\",\"time\":\"2026-05-01T12:00:01.000000000Z\",\"feed\":\"MOLD\","   \
	"\"addr\":\"239.1.1.1\",\"clock\":\"synced\",\"valid\":true,\"both\":10,\"latency_ns\":" \
	"{\"min\":100,\"p50\":250,\"p90\":300,\"p99\":777,\"p999\":800,\"max\":900,\"buckets\":" \
	"[[256,3]]}}\n"
#define AB1 "{\"type\":\"ab\",\"time\":\"2026-05-01T12:00:01.000000000Z\",\"pair\":\"A=B\"}\n"
#define L2                                                                                        \
	"{\"type\":\"feed\",\"time\":\"2026-05-01T12:00:02.000000000Z\",\"interval_s\":1.000000," \
	"\"feed\":\"MOLD\",\"interval_packets\":900,\"interval_bytes\":63000,\"app2wire\":null,"  \
	"\"seq\":{\"gaps\":3,\"missing\":7}}\n"
#define SUM                                                                                       \
	"{\"type\":\"summary\",\"time\":\"2026-05-01T12:00:02.500000000Z\",\"feeds\":[{\"feed\":" \
	"\"X\"}]}\n"
#define T1 "\"end_ns\":1777636801000000000,"
#define T2 "\"end_ns\":1777636802000000000,"

static void write_text(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);

	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
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

static char *rows_of(const char *path, uint64_t from, size_t max, uint64_t *upto, uint64_t *bad,
		     int *rc)
{
	struct ship_rows_id id = { .box = "b1", .point = "p", .shipped_ns = 5 };
	struct ship_batch b = { 0 };
	char why[512], *out;
	size_t len;

	*rc = ship_intervals_file(path, from, &id, &b, max, upto, bad, why, sizeof(why));
	out = strdup(ship_batch_text(&b, SHIP_INTERVALS, &len));
	ship_batch_free(&b);
	return out;
}

struct sink {
	char *rows;
	unsigned int calls, fail_at;
};

static int sink_send(void *arg, enum ship_table t, const char *body, size_t len, char *why,
		     size_t whylen)
{
	struct sink *s = arg;
	size_t old = s->rows ? strlen(s->rows) : 0;

	T_EQ(t, SHIP_INTERVALS);
	if (++s->calls == s->fail_at) {
		snprintf(why, whylen, "HTTP 500: Code: 252, too many parts");
		return -EIO;
	}
	s->rows = realloc(s->rows, old + len + 1);
	T_ASSERT(s->rows);
	memcpy(s->rows + old, body, len);
	s->rows[old + len] = '\0';
	return 0;
}

static void bad_line(const char *line)
{
	struct ship_jsonl j;
	char why[128] = "";

	if (ship_jsonl_parse(line, strlen(line), &j, why, sizeof(why)) != -EBADMSG || !why[0])
		T_FAIL("accepted: %s", line);
}

int main(void)
{
	const char *dir = t_tmpdir("test_ship_intervals");
	char path[300], state[300], why[512], *out;
	uint64_t upto, bad, ns;
	struct ship_conf conf;
	struct ship_scan sc;
	struct sink sink = { 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/mold.json", dir);
	/* interval 1 whole, interval 2 begun, a partial line */
	write_text(path, L1 L1B LAT1 AB1 L2 "{\"type\":\"fe", O_TRUNC);
	out = rows_of(path, 0, 1000, &upto, &bad, &rc);
	T_EQ(rc, 0);
	T_EQ(bad, 0u);
	/* interval 1's rows; interval 2 waits for what follows it */
	T_EQ(upto, strlen(L1 L1B LAT1 AB1));
	T_EQ(count(out, "\n"), 2u);
	T_ASSERT(strstr(out,
			"{\"box\":\"b1\",\"point\":\"p\",\"feed\":\"MOLD\"," T1
			"\"interval_ns\":1000000000,\"packets\":1000,\"bytes\":70000,\"gaps\":1,"
			"\"missing\":1,\"lat_p50_ns\":250,\"lat_p99_ns\":777,\"shipped_ns\":5}\n"));
	T_ASSERT(strstr(out, "\"feed\":\"ITCH\"," T1 "\"interval_ns\":1000000000,\"packets\":5,"
			     "\"bytes\":500,\"gaps\":0,\"missing\":0,\"lat_p50_ns\":1200,"
			     "\"lat_p99_ns\":-40,"));
	free(out);
	/* from there: nothing complete yet */
	out = rows_of(path, upto, 1000, &upto, &bad, &rc);
	T_EQ(rc, 0);
	T_EQ(upto, strlen(L1 L1B LAT1 AB1));
	T_ASSERT(!out[0]);
	free(out);
	/* the partial line becomes junk, then the summary closes interval 2 */
	write_text(path, "ed\" broken\n" SUM, O_APPEND);
	out = rows_of(path, upto, 1000, &upto, &bad, &rc);
	T_EQ(rc, 0);
	T_EQ(bad, 1u);
	T_EQ(upto, strlen(L1 L1B LAT1 AB1 L2 "{\"type\":\"feed\" broken\n" SUM));
	T_ASSERT(strstr(out, "\"feed\":\"MOLD\"," T2 "\"interval_ns\":1000000000,\"packets\":900,"
			     "\"bytes\":63000,\"gaps\":3,\"missing\":7,\"lat_p50_ns\":0,"
			     "\"lat_p99_ns\":0,"));
	T_EQ(count(out, "\n"), 1u);
	free(out);
	/* max_rows: one interval at a time */
	out = rows_of(path, 0, 1, &upto, &bad, &rc);
	T_EQ(rc, 0);
	T_EQ(upto, strlen(L1 L1B LAT1 AB1));
	free(out);
	/* a file shorter than the offset: -ESTALE */
	out = rows_of(path, 1u << 20, 1000, &upto, &bad, &rc);
	T_EQ(rc, -ESTALE);
	free(out);

	/* Through ship_scan: a failed insert marks nothing, the next pass
	 * sends the same rows again; a file replaced is read from its start. */
	snprintf(state, sizeof(state), "%s/state", dir);
	ship_conf_defaults(&conf);
	snprintf(conf.box, sizeof(conf.box), "b1");
	snprintf(conf.capstat_dir, sizeof(conf.capstat_dir), "%s", dir);
	write_text(path, L1 L1B LAT1 AB1 L2, O_TRUNC);
	sc = (struct ship_scan){ .conf = &conf,
				 .st = ship_state_new(),
				 .state_path = state,
				 .send = sink_send,
				 .send_arg = &sink };
	sink.fail_at = 1;
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), -EIO);
	T_EQ(ship_state_offset(sc.st, path), 0u);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(ship_state_offset(sc.st, path), strlen(L1 L1B LAT1 AB1));
	T_EQ(count(sink.rows, "\n"), 2u);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(sink.calls, 2u); /* nothing new: nothing sent */
	write_text(path, SUM, O_APPEND);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(count(sink.rows, T2), 1u);
	T_EQ(ship_state_offset(sc.st, path), strlen(L1 L1B LAT1 AB1 L2 SUM));
	/* the state keeps it */
	ship_state_free(sc.st);
	T_EQ(ship_state_load(state, 1 << 20, &sc.st, why, sizeof(why)), 0);
	T_EQ(ship_state_offset(sc.st, path), strlen(L1 L1B LAT1 AB1 L2 SUM));
	/* replaced by a shorter file (capstat started again): from its start */
	write_text(path, L2 SUM, O_TRUNC);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(count(sink.rows, T2), 2u);
	T_EQ(ship_state_offset(sc.st, path), strlen(L2 SUM));
	/* a file gone: its offset leaves the state */
	T_EQ(unlink(path), 0);
	T_EQ(ship_scan_run(&sc, why, sizeof(why)), 0);
	T_EQ(ship_state_noffsets(sc.st), 0u);
	ship_scan_free(&sc);
	ship_state_free(sc.st);
	free(sink.rows);

	/* the line parser */
	T_EQ(ship_jsonl_utc("2026-05-01T12:00:01Z", &ns), 0);
	T_EQ(ns, 1777636801000000000ull);
	T_EQ(ship_jsonl_utc("2026-05-01T12:00:01.5Z", &ns), 0);
	T_EQ(ns, 1777636801500000000ull);
	T_EQ(ship_jsonl_utc("2026-05-01T12:00:01.Z", &ns), -EINVAL);
	T_EQ(ship_jsonl_utc("2026-13-01T12:00:01Z", &ns), -EINVAL);
	T_EQ(ship_jsonl_utc("2026-05-01T12:00:01+01:00", &ns), -EINVAL);
	bad_line("");
	bad_line("[]");
	bad_line("{\"type\":\"feed\"");
	bad_line("{\"type\":\"feed\"}");
	bad_line("{\"type\":\"feed\",\"time\":\"x\",\"feed\":\"A\"}");
	bad_line("{\"a\":1} x");
	bad_line("{\"a\":\"\\q\"}");
	bad_line("{\"a\":\"\\u12\"}");
	bad_line("{\"a\":tru}");
	bad_line("{\"a\":\"\x01\"}");
	bad_line("{\"a\":[1,2}");
	bad_line("{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}");
	return 0;
}
