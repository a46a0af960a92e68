// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_reader_status - the reader status file: a round trip through the
 * text, strings that cannot break a line, and every way a file is refused.
 */
#include <stdint.h>

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

int main(void)
{
	test_round_trip();
	test_control_chars();
	test_refused();
	printf("test_reader_status: ok\n");
	return T_EXIT_PASS;
}
