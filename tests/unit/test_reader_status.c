// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_reader_status - the reader status file: a round trip through the
 * text, strings that cannot break a line, and every way a file is refused;
 * its size bound, the names it may have, and how its strings are printed
 * (text and JSON) so that nothing in them reaches a terminal as a control.
 */
#include <stdint.h>

#include "json_out.h"
#include "reader_status.h"
#include "test.h"

static size_t format(const struct reader_status *st, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	long n;

	T_ASSERT(f);
	reader_status_format(f, st);
	n = ftell(f);
	T_ASSERT(fclose(f) == 0);
	T_ASSERT(n > 0 && (size_t)n < size);
	return (size_t)n;
}

static struct reader_status sample(void)
{
	struct reader_status st = {
		.pid = 4242,
		.program = "capdump",
		.command = "capdump -i default -w /srv/a b.pcapng.zst",
		.started_ns = 1763719200123456789ull,
		.updated_ns = 1763719260523456789ull,
		.nrings = 2,
	};

	snprintf(st.rings[0].path, sizeof(st.rings[0].path), "/dev/hugepages/capd/default");
	st.rings[0].generation = 3;
	st.rings[0].next_seq = 1000;
	st.rings[0].position = 2162688;
	st.rings[0].records = 1000;
	st.rings[0].lost = 7;
	st.rings[0].laps = 1;
	st.rings[0].last_ts = 1763719297523456789ull;
	snprintf(st.rings[1].path, sizeof(st.rings[1].path), "/dev/hugepages/capd/with space=x");
	st.rings[1].generation = UINT32_MAX;
	st.rings[1].next_seq = READER_STATUS_SEQ_UNKNOWN;
	st.rings[1].position = UINT64_MAX;
	return st;
}

static int parse(const char *text, struct reader_status *st)
{
	return reader_status_parse(text, strlen(text), st);
}

static void test_round_trip(void)
{
	struct reader_status a = sample(), b;
	char buf[4096];
	size_t n = format(&a, buf, sizeof(buf));
	unsigned int i;

	T_EQ(reader_status_parse(buf, n, &b), 0);
	T_EQ(b.pid, a.pid);
	T_ASSERT(!strcmp(b.program, a.program) && !strcmp(b.command, a.command));
	T_EQ(b.started_ns, a.started_ns);
	T_EQ(b.updated_ns, a.updated_ns);
	T_EQ(b.nrings, 2);
	for (i = 0; i < 2; i++) {
		T_ASSERT(!strcmp(b.rings[i].path, a.rings[i].path));
		T_EQ(b.rings[i].generation, a.rings[i].generation);
		T_EQ(b.rings[i].next_seq, a.rings[i].next_seq);
		T_EQ(b.rings[i].position, a.rings[i].position);
		T_EQ(b.rings[i].records, a.rings[i].records);
		T_EQ(b.rings[i].lost, a.rings[i].lost);
		T_EQ(b.rings[i].laps, a.rings[i].laps);
		T_EQ(b.rings[i].last_ts, a.rings[i].last_ts);
	}
	T_ASSERT(strstr(buf, " next_seq=- "));
	/* Every prefix is refused or parsed, never more. */
	for (i = 0; i < n; i++) {
		int r = reader_status_parse(buf, i, &b);

		T_ASSERT(r == 0 || r == -EINVAL || r == -EPROTO);
	}
}

/* A recorder's archive line: a round trip, absent unless given, refused when malformed. */
static void test_archive(void)
{
	static const char head[] = "capd-reader 1\npid 7\nupdated 5\n";
	struct reader_status a = sample(), b;
	struct reader_status_archive *x = &a.archive;
	char buf[8192];
	size_t n;

	n = format(&a, buf, sizeof(buf));
	T_ASSERT(!strstr(buf, "archive"));
	T_EQ(reader_status_parse(buf, n, &b), 0);
	T_ASSERT(!b.archive.present);
	*x = (struct reader_status_archive){ .present = true,
					     .files = 12,
					     .bytes = 1073741824,
					     .oldest_ns = 1763712000000000000ull,
					     .newest_ns = 1763719200000000000ull,
					     .removed = 3,
					     .removed_bytes = 268435456,
					     .budget = 1ull << 40,
					     .min_free = 0,
					     .free = 53687091200ull,
					     .checked_ns = 1763719201123456789ull };
	snprintf(x->dir, sizeof(x->dir), "/var/lib/capdump/a b=c");
	n = format(&a, buf, sizeof(buf));
	T_EQ(reader_status_parse(buf, n, &b), 0);
	T_ASSERT(b.archive.present && !strcmp(b.archive.dir, x->dir));
	T_EQ(b.archive.files, 12);
	T_EQ(b.archive.bytes, 1073741824);
	T_EQ(b.archive.oldest_ns, x->oldest_ns);
	T_EQ(b.archive.newest_ns, x->newest_ns);
	T_EQ(b.archive.removed, 3);
	T_EQ(b.archive.removed_bytes, 268435456);
	T_EQ(b.archive.budget, 1ull << 40);
	T_EQ(b.archive.free, 53687091200ull);
	T_EQ(b.archive.checked_ns, x->checked_ns);
	T_EQ(b.nrings, 2);
	snprintf(buf, sizeof(buf), "%sarchive files=1 bytes=2\n", head);
	T_EQ(parse(buf, &b), -EINVAL);
	snprintf(buf, sizeof(buf), "%sarchive files=x dir=/d\n", head);
	T_EQ(parse(buf, &b), -EINVAL);
	snprintf(buf, sizeof(buf), "%sarchive files=1 dir=\n", head);
	T_EQ(parse(buf, &b), -EINVAL);
	/* Unknown keys are someone newer's. */
	snprintf(buf, sizeof(buf), "%sarchive files=1 later=9 dir=/d\n", head);
	T_EQ(parse(buf, &b), 0);
	T_ASSERT(b.archive.present && b.archive.files == 1 && !strcmp(b.archive.dir, "/d"));
}

static void test_control_chars(void)
{
	struct reader_status a = sample(), b;
	char buf[4096];
	size_t n;

	snprintf(a.command, sizeof(a.command), "capdump\nring generation=1 path=/x\r\t");
	snprintf(a.rings[0].path, sizeof(a.rings[0].path), "/a\nb");
	n = format(&a, buf, sizeof(buf));
	T_EQ(reader_status_parse(buf, n, &b), 0);
	T_ASSERT(!strcmp(b.command, "capdump?ring generation=1 path=/x??"));
	T_ASSERT(!strcmp(b.rings[0].path, "/a?b"));
	T_EQ(b.nrings, 2);
}

static void test_refused(void)
{
	static const char head[] = "capd-reader 1\npid 7\nupdated 5\n";
	struct reader_status st;
	char buf[4096];
	int i;

	T_EQ(parse("", &st), -EPROTO);
	T_EQ(parse("capd-reader 2\npid 7\nupdated 5\n", &st), -EPROTO);
	T_EQ(parse("pid 7\ncapd-reader 1\nupdated 5\n", &st), -EPROTO);
	T_EQ(parse(head, &st), 0);
	T_EQ(st.nrings, 0);
	T_EQ(parse("capd-reader 1\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 7\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 0\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 2147483648\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 7x\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid -7\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid\nupdated 5\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 7\nupdated 18446744073709551616\n", &st), -EINVAL);
	T_EQ(parse("capd-reader 1\npid 7\nupdated 18446744073709551615\n", &st), 0);
	snprintf(buf, sizeof(buf), "%sring generation=1 next_seq=2\n", head);
	T_EQ(parse(buf, &st), -EINVAL);
	snprintf(buf, sizeof(buf), "%sring path=\n", head);
	T_EQ(parse(buf, &st), -EINVAL);
	snprintf(buf, sizeof(buf), "%sring generation=4294967296 path=/r\n", head);
	T_EQ(parse(buf, &st), -EINVAL);
	snprintf(buf, sizeof(buf), "%sring lost= path=/r\n", head);
	T_EQ(parse(buf, &st), -EINVAL);
	snprintf(buf, sizeof(buf), "%sring nothing path=/r\n", head);
	T_EQ(parse(buf, &st), -EINVAL);
	/* Unknown keys and fields are for later versions. */
	snprintf(buf, sizeof(buf), "%sfuture 1 2 3\nring color=blue lost=3 path=/r\n", head);
	T_EQ(parse(buf, &st), 0);
	T_EQ(st.rings[0].lost, 3);
	T_EQ(st.rings[0].next_seq, READER_STATUS_SEQ_UNKNOWN);
	T_ASSERT(!strcmp(st.rings[0].path, "/r"));
	/* A NUL inside a string is not a shorter string. */
	T_EQ(reader_status_parse("capd-reader 1\npid 7\nupdated 5\nprogram a\0b\n", 43, &st),
	     -EINVAL);
	snprintf(buf, sizeof(buf), "%s", head);
	for (i = 0; i < READER_STATUS_MAX_RINGS + 1; i++)
		strcat(buf, "ring path=/r\n");
	T_EQ(parse(buf, &st), -E2BIG);
}

/* The longest status there can be fits the bound; one byte more is refused. */
static void test_size(void)
{
	static char buf[2 * READER_STATUS_MAX_SIZE];
	struct reader_status a, b;
	size_t n;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	a.pid = INT32_MIN;
	memset(a.program, 'p', sizeof(a.program) - 1);
	memset(a.command, 'c', sizeof(a.command) - 1);
	a.started_ns = a.updated_ns = UINT64_MAX;
	a.nrings = READER_STATUS_MAX_RINGS;
	for (i = 0; i < a.nrings; i++) {
		struct reader_status_ring *r = &a.rings[i];

		memset(r->path, '/', sizeof(r->path) - 1);
		r->generation = UINT32_MAX;
		r->next_seq = r->position = r->records = r->lost = r->laps = r->last_ts =
			UINT64_MAX - 1;
	}
	a.archive.present = true;
	memset(a.archive.dir, '/', sizeof(a.archive.dir) - 1);
	a.archive.files = a.archive.bytes = a.archive.oldest_ns = a.archive.newest_ns =
		a.archive.removed = a.archive.removed_bytes = a.archive.budget =
			a.archive.min_free = a.archive.free = a.archive.checked_ns = UINT64_MAX;
	n = format(&a, buf, sizeof(buf));
	printf("longest status: %zu bytes, bound %d\n", n, READER_STATUS_MAX_SIZE);
	T_ASSERT(n <= READER_STATUS_MAX_SIZE);
	a.pid = INT32_MAX;
	n = format(&a, buf, sizeof(buf));
	T_EQ(reader_status_parse(buf, n, &b), 0);
	T_EQ(b.nrings, READER_STATUS_MAX_RINGS);
	/* Padded with lines of unknown keys up to the bound, and one past it. */
	n = (size_t)snprintf(buf, sizeof(buf), "capd-reader 1\npid 7\nupdated 5\n");
	memset(buf + n, 'x', READER_STATUS_MAX_SIZE - n - 1);
	buf[READER_STATUS_MAX_SIZE - 1] = '\n';
	T_EQ(reader_status_parse(buf, READER_STATUS_MAX_SIZE, &b), 0);
	buf[READER_STATUS_MAX_SIZE] = '\n';
	T_EQ(reader_status_parse(buf, READER_STATUS_MAX_SIZE + 1, &b), -EFBIG);
}

/* No reader writes a control character: a file that holds one is not a
 * reader's.  Bytes above 0x7f are a command line's own (any locale). */
static void test_control_refused(void)
{
	static const char head[] = "capd-reader 1\npid 7\nupdated 5\n";
	static const char *const bad[] = {
		"program cap\x1b]0;owned\x07dump\n",
		"command capdump \x1b[2J\x1b[31m\n",
		"command capdump\t-i x\n",
		"command capdump\r\n",
		"program del\x7f\n",
		"ring lost=1 path=/dev/hugepages/capd/\x1b[Kr\n",
	};
	struct reader_status st;
	char buf[512];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", head, bad[i]);
		if (parse(buf, &st) != -EINVAL)
			T_FAIL("accepted bad[%u]", i);
	}
	snprintf(buf, sizeof(buf), "%scommand capdump -w caf\xc3\xa9 \xc2\x9b \xff\n", head);
	T_EQ(parse(buf, &st), 0);
	T_ASSERT(!strcmp(st.command, "capdump -w caf\xc3\xa9 \xc2\x9b \xff"));
}

static void test_name_pid(void)
{
	static const char *const bad[] = {
		".status",
		"status",
		"4242",
		"4242.status.tmp",
		"4242.status.0123456789abcdef.tmp",
		"04242.status",
		"0.status",
		"-1.status",
		"+1.status",
		" 1.status",
		"2147483648.status",
		"99999999999999999999999.status",
		"4242..status",
		"4242.0123456789ABCDEF.status",
		"4242.0123456789abcde.status",
		"4242.0123456789abcdef0.status",
		"4242.0123456789abcdeg.status",
		"4242.0123456789abcdef.0123456789abcdef.status",
		"x.status",
		"4242.status.status",
		"4242.statusx",
	};
	unsigned int i;
	int32_t pid = 0;

	T_EQ(reader_status_name_pid("4242.status", &pid), 0);
	T_EQ(pid, 4242);
	T_EQ(reader_status_name_pid("1.0123456789abcdef.status", &pid), 0);
	T_EQ(pid, 1);
	T_EQ(reader_status_name_pid("2147483647.status", &pid), 0);
	T_EQ(pid, INT32_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reader_status_name_pid(bad[i], &pid) != -EINVAL)
			T_FAIL("accepted the name %s", bad[i]);
}

/* What f printed of s, in buf. */
static const char *printed(void (*print)(FILE *f, const char *s), const char *s, char *buf,
			   size_t size)
{
	FILE *f;

	memset(buf, 0, size);
	f = fmemopen(buf, size, "w");
	T_ASSERT(f);
	print(f, s);
	T_ASSERT(fclose(f) == 0);
	return buf;
}

/* A byte below 0x20, DEL, or C1: alone (U+0080..U+009F in 8-bit
 * terminals) or as UTF-8 (0xc2 0x80..0x9f). */
static int has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; p[i]; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] >= 0x80 && p[i] <= 0x9f && (i == 0 || p[i - 1] < 0x80 || p[i - 1] == 0xc2))
			return 1;
	}
	return 0;
}

static void test_put_text(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "capdump -i default", "capdump -i default" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6",
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6" },
		{ "\x1b]0;owned\x07\x1b[2J", "\\x1b]0;owned\\x07\\x1b[2J" },
		{ "a\tb\rc\nd\x7f", "a\\x09b\\x0dc\\x0ad\\x7f" },
		/* C1: CSI alone (8-bit terminals) and as UTF-8 (U+009B) */
		{ "\x9b"
		  "31m \xc2\x9b"
		  "31m \xc2\x85",
		  "\\x9b31m \\xc2\\x9b31m \\xc2\\x85" },
		{ "\xc2\xa0", "\xc2\xa0" },
		/* not UTF-8: stray, overlong, surrogate, cut short, too large */
		{ "\xff \xc0\x9b \xed\xa0\x80 \xe2\x82 \xf4\x90\x80\x80",
		  "\\xff \\xc0\\x9b \\xed\\xa0\\x80 \\xe2\\x82 \\xf4\\x90\\x80\\x80" },
		/* a backslash cannot pass for an escape */
		{ "\\x1b", "\\\\x1b" },
		{ "", "" },
	};
	char buf[512];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		printed(reader_status_put_text, cases[i].in, buf, sizeof(buf));
		if (strcmp(buf, cases[i].out))
			T_FAIL("case %u: printed \"%s\", want \"%s\"", i, buf, cases[i].out);
		T_ASSERT(!has_control(buf));
	}
	/* Every byte after every byte: never a control character out. */
	for (i = 0; i < 256 * 256; i++) {
		char in[4] = { (char)(i >> 8), (char)(i & 0xff), 'x', '\0' };

		if (!in[0])
			continue;
		printed(reader_status_put_text, in, buf, sizeof(buf));
		if (has_control(buf))
			T_FAIL("%02x %02x printed with a control character", i >> 8, i & 0xff);
	}
}

static void test_json_controls(void)
{
	char buf[512];
	unsigned int i;

	printed(json_out_str,
		"cap\x1b[2J\xc2\x9b"
		"31m\xc2\x85\xc2\xa0\xc3\xa9\x7f",
		buf, sizeof(buf));
	T_ASSERT(!strcmp(buf, "\"cap\\u001b[2J\\u009b31m\\u0085\xc2\xa0\xc3\xa9\\u007f\""));
	for (i = 0; i < 256 * 256; i++) {
		char in[4] = { (char)(i >> 8), (char)(i & 0xff), 'x', '\0' };

		if (!in[0])
			continue;
		printed(json_out_str, in, buf, sizeof(buf));
		if (has_control(buf))
			T_FAIL("%02x %02x printed with a control character", i >> 8, i & 0xff);
	}
}

int main(void)
{
	test_round_trip();
	test_control_chars();
	test_archive();
	test_refused();
	test_size();
	test_control_refused();
	test_name_pid();
	test_put_text();
	test_json_controls();
	printf("test_reader_status: ok\n");
	return T_EXIT_PASS;
}
