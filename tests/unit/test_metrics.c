// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_metrics - capd's Prometheus textfile from a made-up ring: exact
 * sample lines, label escaping, the exposition format's rules (each family
 * announced once by HELP and TYPE right before its samples, counters and
 * only counters named *_total, no series twice, numbers that parse),
 * absent samples for what is unknown, and the file metrics_save() leaves.
 *
 * test_metrics --write FILE only writes the made-up ring's file, for
 * tests/metrics_parse.py (prometheus_client's parser, the documented list).
 */
#include <ctype.h>
#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "test.h"

#define RING	  "/dev/hugepages/capd/md"
#define NFAMILIES 28 /* docs/man/capd.8, METRICS */

static struct ring_hdr hdr;
static struct ring_stats stats;
static struct ring_clock clk;
static const uint8_t gm_id[8] = { 0xce, 0x68, 0xb1, 0xff, 0xfe, 0x4b, 0xd2, 0xaa };

static struct metrics_src src = {
	.rings = { { .hdr = &hdr, .stats = &stats, .path = RING } },
	.nrings = 1,
	.clock = &clk,
	.now_ns = 1763762010000000001ULL,
	.running = true,
};

static void add_queue(uint16_t iface, uint16_t queue, uint64_t base)
{
	struct ring_queue_stats *q = &stats.queues[stats.nqueue++];

	q->iface = iface;
	q->queue = queue;
	q->packets = base + 1;
	q->bytes = base + 2;
	q->truncated = base + 3;
	q->xsk_rx_dropped = base + 4;
	q->xsk_rx_ring_full = base + 5;
	q->xsk_fill_ring_empty = base + 6;
	q->xsk_invalid_descs = base + 7;
	q->xdp_redirected = base + 8;
	q->xdp_passed = base + 9;
	q->xdp_meta_failed = base + 10;
	q->pkt_drops = base + 11;
}

/* Two interfaces, three queues (NIC drops on each interface's first), a
 * synced PTP slave; eth2's hardware string needs every escape. */
static void make_ring(void)
{
	struct ring_iface *a = &stats.ifaces[0], *b = &stats.ifaces[1];

	memset(&hdr, 0, sizeof(hdr));
	memset(&stats, 0, sizeof(stats));
	memset(&clk, 0, sizeof(clk));
	hdr.block_size = 2u << 20;
	hdr.nblocks = 4095;
	hdr.generation = 3;
	hdr.writer_start_ns = 1763762006123456789ULL;
	hdr.next_seq = 123456;
	hdr.bytes = 98765432100ULL;
	hdr.crashes = 2;
	hdr.crash_lost = 56; /* gaps in seq: 123400 records written */

	stats.niface = 2;
	strcpy(a->name, "eth1");
	a->xdp_mode = 1;
	a->zerocopy = 1;
	a->ts_source = RING_TS_PHC;
	strcpy(a->hardware, "ice 0000:01:00.0");
	strcpy(b->name, "eth2");
	b->xdp_mode = 2;
	b->ts_source = RING_TS_KERNEL_TAI;
	strcpy(b->hardware, "odd \"drv\" \\x\ny");
	add_queue(0, 0, 1000);
	stats.queues[0].nic_dropped = 7;
	stats.queues[0].xdp_no_socket = 13;
	add_queue(0, 3, 2000);
	add_queue(1, 0, 3000);
	stats.queues[2].nic_dropped = 11;
	stats.busy_ns = 2500000000ULL;
	stats.polls = 77;
	stats.batches = 55;
	stats.local_consumers = 2;
	stats.consumers_appeared = 5;

	clk.ptp_status = RING_PTP_ANSWERING;
	clk.port_state = 9;
	memcpy(clk.gm_identity, gm_id, 8);
	clk.synced = 1;
	clk.sync_rule = RING_SYNC_PTP_SLAVE;
	clk.master_offset_ns = -751;
	clk.path_delay_ns = 2003;
	clk.utc_offset = 37;
	clk.time_flags = RING_TIME_UTC_OFF_VALID | RING_TIME_PTP_TIMESCALE;
	clk.ts_source = RING_TS_PHC;
}

static char *render(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	T_ASSERT(f);
	metrics_write(f, &src);
	T_ASSERT(!ferror(f));
	T_ASSERT(!fclose(f));
	return s;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define EXPECT_LINE(text, line)                                    \
	do {                                                       \
		if (!has_line(text, line))                         \
			T_FAIL("no line\n%s\nin\n%s", line, text); \
	} while (0)
#define EXPECT_NO(text, what)                                           \
	do {                                                            \
		if (strstr(text, what))                                 \
			T_FAIL("unexpected \"%s\" in\n%s", what, text); \
	} while (0)

/* ---- the exposition format, checked line by line ------------------------------ */

struct family {
	char name[96];
	bool counter;
};

static bool name_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

/* A metric or label name at *p: copied to out, *p moved past it. */
static void take_name(const char **p, char *out, size_t len, const char *line)
{
	size_t n = 0;

	if (!name_char(**p, true))
		T_FAIL("no name at \"%s\" in: %s", *p, line);
	while (name_char(**p, false)) {
		T_ASSERT(n + 1 < len);
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
}

/* {key="value",...}: only \\, \" and \n escapes; keys distinct. */
static void take_labels(const char **p, const char *line)
{
	char keys[8][32];
	unsigned int n = 0, i;

	if (**p != '{')
		T_FAIL("no labels (every sample has ring=) in: %s", line);
	(*p)++;
	while (**p != '}') {
		T_ASSERT(n < 8);
		take_name(p, keys[n], sizeof(keys[n]), line);
		for (i = 0; i < n; i++)
			if (!strcmp(keys[i], keys[n]))
				T_FAIL("label %s twice in: %s", keys[n], line);
		if (n == 0 && strcmp(keys[0], "ring"))
			T_FAIL("first label is not ring in: %s", line);
		n++;
		if ((*p)[0] != '=' || (*p)[1] != '"')
			T_FAIL("bad label in: %s", line);
		for (*p += 2; **p != '"'; (*p)++) {
			if (!**p || **p == '\n')
				T_FAIL("unterminated label value in: %s", line);
			if (**p == '\\' && (!(*p)[1] || !strchr("\\\"n", *++*p)))
				T_FAIL("bad escape in: %s", line);
		}
		(*p)++;
		if (**p == ',')
			(*p)++;
		else if (**p != '}')
			T_FAIL("bad label list in: %s", line);
	}
	(*p)++;
}

/* @return the number of families; every series is also kept in *series. */
static int check_format(const char *text, int *nsamples)
{
	static struct family fam[64];
	static char series[512][256];
	char name[96], type[16];
	const char *line, *eol, *p;
	int nfam = 0, nser = 0, i;
	bool typed = false;

	T_ASSERT(text[0] && text[strlen(text) - 1] == '\n');
	for (line = text; *line; line = eol + 1) {
		char buf[512];

		eol = strchr(line, '\n');
		T_ASSERT((size_t)(eol - line) < sizeof(buf));
		memcpy(buf, line, (size_t)(eol - line));
		buf[eol - line] = '\0';
		if (!strncmp(buf, "# HELP ", 7)) {
			p = buf + 7;
			take_name(&p, name, sizeof(name), buf);
			if (*p != ' ' || !p[1])
				T_FAIL("empty HELP: %s", buf);
			if (strchr(p, '\\'))
				T_FAIL("backslash in HELP: %s", buf);
			for (i = 0; i < nfam; i++)
				if (!strcmp(fam[i].name, name))
					T_FAIL("family %s announced twice", name);
			T_ASSERT(nfam < 64);
			snprintf(fam[nfam].name, sizeof(fam[nfam].name), "%s", name);
			nfam++;
			typed = false;
			continue;
		}
		if (!strncmp(buf, "# TYPE ", 7)) {
			if (!nfam || typed || sscanf(buf, "# TYPE %95s %15s", name, type) != 2 ||
			    strcmp(name, fam[nfam - 1].name))
				T_FAIL("TYPE not right after its HELP: %s", buf);
			if (strcmp(type, "counter") && strcmp(type, "gauge"))
				T_FAIL("type %s: %s", type, buf);
			fam[nfam - 1].counter = !strcmp(type, "counter");
			typed = true;
			continue;
		}
		if (buf[0] == '#' || !buf[0])
			T_FAIL("stray line: \"%s\"", buf);
		/* a sample: of the family announced last, whose HELP and TYPE it follows */
		p = buf;
		take_name(&p, name, sizeof(name), buf);
		if (!nfam || !typed || strcmp(name, fam[nfam - 1].name))
			T_FAIL("sample outside its family's block: %s", buf);
		if (strncmp(name, "capd_", 5))
			T_FAIL("not capd_: %s", buf);
		take_labels(&p, buf);
		T_ASSERT(nser < 512);
		snprintf(series[nser], sizeof(series[nser]), "%.*s", (int)(p - buf), buf);
		for (i = 0; i < nser; i++)
			if (!strcmp(series[i], series[nser]))
				T_FAIL("series twice: %s", buf);
		nser++;
		if (*p++ != ' ')
			T_FAIL("no value: %s", buf);
		{
			char *end;

			strtod(p, &end);
			if (end == p || *end)
				T_FAIL("value is not a number: %s", buf);
		}
	}
	for (i = 0; i < nfam; i++) {
		size_t n = strlen(fam[i].name);
		bool total = n > 6 && !strcmp(fam[i].name + n - 6, "_total");

		if (fam[i].counter != total)
			T_FAIL("%s: counters, and only counters, end in _total", fam[i].name);
	}
	if (nsamples)
		*nsamples = nser;
	return nfam;
}

/* ---- the tests ---------------------------------------------------------------- */

static void test_values(void)
{
	char *t;
	int nfam, nser;

	make_ring();
	t = render();
	nfam = check_format(t, &nser);
	T_EQ(nfam, NFAMILIES);
	/* 14 ring families, 3 queues x (6 + 2 actions + 5 stages), 2 interfaces, 5 clock */
	T_EQ(nser, 14 + 3 * 13 + 2 + 5);

	EXPECT_LINE(t, "capd_running{ring=\"" RING "\"} 1");
	EXPECT_LINE(t, "capd_start_time_seconds{ring=\"" RING "\"} 1763762006.123456789");
	EXPECT_LINE(t, "capd_last_update_time_seconds{ring=\"" RING "\"} 1763762010.000000001");
	EXPECT_LINE(t, "capd_ring_generation{ring=\"" RING "\"} 3");
	EXPECT_LINE(t, "capd_ring_size_bytes{ring=\"" RING "\"} 8587837440");
	EXPECT_LINE(t, "capd_ring_records_total{ring=\"" RING "\"} 123400");
	EXPECT_LINE(t, "capd_ring_written_bytes_total{ring=\"" RING "\"} 98765432100");
	EXPECT_LINE(t, "capd_ring_writer_crashes_total{ring=\"" RING "\"} 2");
	EXPECT_LINE(t, "capd_ring_crash_lost_packets_total{ring=\"" RING "\"} 56");
	EXPECT_LINE(t, "capd_capture_busy_seconds_total{ring=\"" RING "\"} 2.500000000");
	EXPECT_LINE(t, "capd_capture_polls_total{ring=\"" RING "\"} 77");
	EXPECT_LINE(t, "capd_capture_batches_total{ring=\"" RING "\"} 55");
	EXPECT_LINE(t, "capd_local_consumers{ring=\"" RING "\"} 2");
	EXPECT_LINE(t, "capd_local_consumers_appeared_total{ring=\"" RING "\"} 5");

	/* per queue: the labels and which field each series reads */
	EXPECT_LINE(t, "capd_received_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"0\"} 1001");
	EXPECT_LINE(t, "capd_received_bytes_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\"} 2002");
	EXPECT_LINE(t, "capd_truncated_packets_total{ring=\"" RING
		       "\",interface=\"eth2\",queue=\"0\"} 3003");
	EXPECT_LINE(t, "capd_xdp_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"0\",action=\"redirect\"} 1008");
	EXPECT_LINE(t, "capd_xdp_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"0\",action=\"pass\"} 1009");
	EXPECT_LINE(t, "capd_xdp_metadata_failures_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\"} 2010");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"0\",stage=\"nic\"} 7");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\",stage=\"nic\"} 0");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth2\",queue=\"0\",stage=\"nic\"} 11");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\",stage=\"rx_ring_full\"} 2005");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\",stage=\"xsk\"} 2004");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"0\",stage=\"no_socket\"} 13");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\",stage=\"no_socket\"} 0");
	EXPECT_LINE(t, "capd_dropped_packets_total{ring=\"" RING
		       "\",interface=\"eth1\",queue=\"3\",stage=\"socket\"} 2011");
	EXPECT_NO(t, "stage=\"fill_ring_empty\"");
	EXPECT_LINE(t, "capd_xsk_fill_ring_empty_total{ring=\"" RING
		       "\",interface=\"eth2\",queue=\"0\"} 3006");
	EXPECT_LINE(t, "capd_xsk_invalid_descriptors_total{ring=\"" RING
		       "\",interface=\"eth2\",queue=\"0\"} 3007");

	/* per interface; eth2's hardware needs \", \\ and \n */
	EXPECT_LINE(t,
		    "capd_interface_info{ring=\"" RING "\",interface=\"eth1\",xdp_mode=\"native\","
		    "zerocopy=\"true\",ts_source=\"phc\",hardware=\"ice 0000:01:00.0\"} 1");
	EXPECT_LINE(t, "capd_interface_info{ring=\"" RING "\",interface=\"eth2\","
		       "xdp_mode=\"generic\",zerocopy=\"false\",ts_source=\"kernel-tai\","
		       "hardware=\"odd \\\"drv\\\" \\\\x\\ny\"} 1");

	/* the clock, with the names pmc uses */
	EXPECT_LINE(t, "capd_clock_synced{ring=\"" RING "\"} 1");
	EXPECT_LINE(t, "capd_clock_offset_seconds{ring=\"" RING "\"} -0.000000751");
	EXPECT_LINE(t, "capd_clock_path_delay_seconds{ring=\"" RING "\"} 0.000002003");
	EXPECT_LINE(t, "capd_clock_utc_offset_seconds{ring=\"" RING "\"} 37.000000000");
	EXPECT_LINE(t, "capd_clock_info{ring=\"" RING "\",ptp4l=\"answering\",port_state=\"SLAVE\","
		       "gm_identity=\"ce68b1.fffe.4bd2aa\",ts_source=\"phc\"} 1");
	EXPECT_LINE(t, "# TYPE capd_dropped_packets_total counter");
	EXPECT_LINE(t, "# TYPE capd_clock_offset_seconds gauge");
	free(t);
}

/* What is not known is left out, not written as 0; the last write says 0. */
static void test_unknown_and_stopped(void)
{
	char *t;

	make_ring();
	clk.ptp_status = RING_PTP_NO_ANSWER;
	clk.port_state = 0;
	memset(clk.gm_identity, 0, 8);
	clk.synced = 0;
	clk.time_flags = 0;
	clk.ts_source = RING_TS_KERNEL_TAI;
	src.running = false;
	stats.nqueue = 0;
	stats.niface = 0;
	t = render();
	T_EQ(check_format(t, NULL), NFAMILIES);
	EXPECT_LINE(t, "capd_running{ring=\"" RING "\"} 0");
	EXPECT_LINE(t, "capd_clock_synced{ring=\"" RING "\"} 0");
	EXPECT_LINE(t, "# TYPE capd_clock_offset_seconds gauge");
	EXPECT_NO(t, "capd_clock_offset_seconds{");
	EXPECT_NO(t, "capd_clock_path_delay_seconds{");
	EXPECT_NO(t, "capd_clock_utc_offset_seconds{");
	EXPECT_NO(t, "capd_received_packets_total{");
	EXPECT_LINE(t,
		    "capd_clock_info{ring=\"" RING "\",ptp4l=\"no-answer\",port_state=\"UNKNOWN\","
		    "gm_identity=\"\",ts_source=\"kernel-tai\"} 1");
	free(t);

	/* ptp4l answering again, a path that needs escaping, a negative offset of seconds */
	make_ring();
	clk.master_offset_ns = -1500000000LL;
	src.rings[0].path = "/tmp/a\"b\\c\nd";
	t = render();
	T_EQ(check_format(t, NULL), NFAMILIES);
	EXPECT_LINE(t, "capd_running{ring=\"/tmp/a\\\"b\\\\c\\nd\"} 0");
	EXPECT_LINE(t, "capd_clock_offset_seconds{ring=\"/tmp/a\\\"b\\\\c\\nd\"} -1.500000000");
	free(t);
	src.rings[0].path = RING;
	src.running = true;
}

/*
 * A set of two rings (capture.cpus): every family once, each ring's
 * samples under its own ring label, its own queues and thread figures;
 * no series twice.
 */
static void test_set(void)
{
	static struct ring_hdr hdr1;
	static struct ring_stats stats1;
	int n1, n2;
	char *t;

	make_ring();
	t = render();
	T_EQ(check_format(t, &n1), NFAMILIES);
	free(t);
	hdr1 = hdr;
	hdr1.generation = 1;
	stats1 = stats;
	stats1.nqueue = 1;
	stats1.queues[0] = stats.queues[1];
	stats1.busy_ns = 1000000001ULL;
	src.rings[1] = (struct metrics_ring){ .hdr = &hdr1, .stats = &stats1, .path = RING ".1" };
	src.nrings = 2;
	t = render();
	T_EQ(check_format(t, &n2), NFAMILIES);
	T_ASSERT(n2 > n1);
	EXPECT_LINE(t, "capd_ring_generation{ring=\"" RING "\"} 3");
	EXPECT_LINE(t, "capd_ring_generation{ring=\"" RING ".1\"} 1");
	EXPECT_LINE(t, "capd_capture_busy_seconds_total{ring=\"" RING ".1\"} 1.000000001");
	EXPECT_LINE(t, "capd_capture_busy_seconds_total{ring=\"" RING "\"} 2.500000000");
	EXPECT_LINE(t, "capd_received_packets_total{ring=\"" RING
		       ".1\",interface=\"eth1\",queue=\"3\"} 2001");
	EXPECT_NO(t, "capd_received_packets_total{ring=\"" RING ".1\",interface=\"eth2\"");
	EXPECT_LINE(t, "capd_clock_synced{ring=\"" RING ".1\"} 1");
	free(t);
	src.nrings = 1;
}

/* A corrupt table (counts beyond the arrays, a queue of no interface, a
 * name without its NUL) reads nothing outside the ring's statistics (run
 * under ASan to see it); its series may repeat, so no check_format(). */
static void test_bounds(void)
{
	char *t;

	make_ring();
	stats.niface = 1000;
	stats.nqueue = 100000;
	stats.queues[1].iface = 999;
	memset(stats.ifaces[0].name, 'x', sizeof(stats.ifaces[0].name));
	t = render();
	EXPECT_LINE(t, "capd_received_packets_total{ring=\"" RING
		       "\",interface=\"\",queue=\"3\"} 2001");
	EXPECT_LINE(t, "capd_received_packets_total{ring=\"" RING
		       "\",interface=\"xxxxxxxxxxxxxxxx\",queue=\"0\"} 1001");
	free(t);
}

static void test_save(void)
{
	const char *dir = t_tmpdir("test_metrics");
	char path[300], tmp[310], *want, got[16384];
	struct stat st;
	glob_t g;
	size_t n;
	FILE *f;

	make_ring();
	snprintf(path, sizeof(path), "%s/capd.prom", dir);
	umask(077); /* the file is 0644 all the same: node_exporter reads it */
	T_EQ(metrics_save(path, &src), 0);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_mode & 07777, 0644);
	/* No temporary file left behind, whatever file_replace() names it. */
	snprintf(tmp, sizeof(tmp), "%s.*", path);
	T_EQ(glob(tmp, 0, NULL, &g), GLOB_NOMATCH);
	f = fopen(path, "r");
	T_ASSERT(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	want = render();
	T_ASSERT(!strcmp(got, want));
	free(want);
	/* replaced whole */
	src.running = false;
	T_EQ(metrics_save(path, &src), 0);
	f = fopen(path, "r");
	T_ASSERT(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	T_ASSERT(has_line(got, "capd_running{ring=\"" RING "\"} 0"));
	T_ASSERT(!has_line(got, "capd_running{ring=\"" RING "\"} 1"));
	src.running = true;

	snprintf(path, sizeof(path), "%s/missing/capd.prom", dir);
	T_EQ(metrics_save(path, &src), -ENOENT);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		int r;

		make_ring();
		r = metrics_save(argv[2], &src);
		if (r < 0)
			T_FAIL("%s: %s", argv[2], strerror(-r));
		return T_EXIT_PASS;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: test_metrics [--write FILE]\n");
		return 2;
	}
	test_values();
	test_unknown_and_stopped();
	test_set();
	test_bounds();
	test_save();
	printf("test_metrics: %d families\n", NFAMILIES);
	return T_EXIT_PASS;
}
