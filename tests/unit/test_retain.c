// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_retain - capdump's retention (readers/capdump/retain.c): --min-free
 * parsing, which names belong to the archive and in which order, how many
 * files a budget removes, and a pass over a directory: the oldest go with
 * their indexes, the file being written and foreign files stay, stale
 * index temporaries go and fresh ones stay, the stats agree with what is left.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "retain.h"
#include "test.h"

static void test_parse_free(void)
{
	uint64_t b;
	unsigned int pct;

	T_EQ(retain_parse_free("20G", &b, &pct), 0);
	T_EQ(b, 20ull << 30);
	T_EQ(pct, 0);
	T_EQ(retain_parse_free("512MiB", &b, &pct), 0);
	T_EQ(b, 512ull << 20);
	T_EQ(retain_parse_free("10%", &b, &pct), 0);
	T_EQ(b, 0);
	T_EQ(pct, 10);
	T_EQ(retain_parse_free("99%", &b, &pct), 0);
	T_EQ(pct, 99);
	/* None (a unit's default) */
	T_EQ(retain_parse_free("0", &b, &pct), 0);
	T_ASSERT(!b && !pct);
	T_EQ(retain_parse_free("0%", &b, &pct), 0);
	T_ASSERT(!b && !pct);
	T_EQ(retain_parse_free("00%", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("100%", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("%", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("-5%", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("5%x", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("5 %", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("1X", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("", &b, &pct), -EINVAL);
	T_EQ(retain_parse_free("99999999999999999999T", &b, &pct), -EINVAL);
}

static bool match(const char *pat, const char *name, struct retain_key *k)
{
	return retain_match(pat, retain_pattern_dated(pat), name, k);
}

static void test_match_numbered(void)
{
	static const char pat[] = "cap.pcapng.zst";
	struct retain_key k;

	T_ASSERT(match(pat, "cap_00001_20261121201604.pcapng.zst", &k));
	T_EQ(k.primary, 1);
	T_ASSERT(k.has_time);
	T_EQ(k.time_s, 1795292164);
	T_ASSERT(match(pat, "cap_123456_20261121201604.pcapng.zst", &k));
	T_EQ(k.primary, 123456);
	T_ASSERT(!match(pat, "cap_0001_20261121201604.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap_00001_2026112120160.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap_00001_2026112120160x.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap_00001_20261121201604.pcapng", &k));
	T_ASSERT(!match(pat, "cap_00001_20261121201604.pcapng.zst.idx", &k));
	T_ASSERT(!match(pat, ".cap_00001_20261121201604.pcapng.zst.part", &k));
	T_ASSERT(!match(pat, "xcap_00001_20261121201604.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap_00001_20261121201604_00001.pcapng.zst", &k));
	T_ASSERT(!match(pat, "cap_x0001_20261121201604.pcapng.zst", &k));
}

static void test_match_strftime(void)
{
	static const char pat[] = "md_%Y%m%dT%H%M%SZ.pcapng.zst";
	struct retain_key k;

	T_ASSERT(retain_pattern_dated(pat));
	T_ASSERT(match(pat, "md_20261121T201604Z.pcapng.zst", &k));
	T_ASSERT(k.has_time);
	T_EQ(k.time_s, 1795292164);
	T_EQ(k.primary, 1795292164);
	T_EQ(k.secondary, 0);
	T_ASSERT(match(pat, "md_20261121T201604Z_00002.pcapng.zst", &k));
	T_EQ(k.primary, 1795292164);
	T_EQ(k.secondary, 2);
	T_ASSERT(!match(pat, "md_20261121T201604Z_2.pcapng.zst", &k));
	T_ASSERT(!match(pat, "md_20261121T201604Z_00000.pcapng.zst", &k));
	T_ASSERT(!match(pat, "md_20261321T201604Z.pcapng.zst", &k));
	T_ASSERT(!match(pat, "md_2026112T201604Z.pcapng.zst", &k));
	T_ASSERT(!match(pat, "md_20261121T201604Z.pcapng.zst.idx", &k));
	T_ASSERT(!match(pat, "md_20261121T201604Z.pcapng", &k));
	T_ASSERT(!match(pat, ".md_20261121T201604Z.pcapng.zst.part", &k));
	T_ASSERT(!match(pat, "md_ 20261121T201604Z.pcapng.zst", &k));
	T_ASSERT(!match(pat, "xx_20261121T201604Z.pcapng.zst", &k));
	/* Names of the dates and %F. */
	T_ASSERT(match("%F_%H-%M.pcap", "2026-11-21_20-16.pcap", &k));
	T_EQ(k.time_s, 1795292160);
	T_ASSERT(match("%s.pcapng", "1795292164.pcapng", &k));
	/* Without a date, names repeat: modification time decides (retain_run). */
	T_ASSERT(!retain_pattern_dated("%H%M.pcapng"));
	T_ASSERT(!retain_pattern_dated("%Y%H.pcapng"));
	T_ASSERT(match("%H%M.pcapng", "2016.pcapng", &k));
	T_ASSERT(!k.has_time);
	T_ASSERT(!match("%H%M.pcapng", "2516.pcapng", &k));
	/* Conversions in what dumpfile takes for the extension. */
	T_ASSERT(match("md.%Y%m%d.pcapng", "md.20261121.pcapng", &k));
	T_ASSERT(match("md.%Y%m%d.pcapng", "md_00003.20261121.pcapng", &k));
	T_EQ(k.secondary, 3);
	T_ASSERT(!match("md.%Y%m%d.pcapng", "md.20261121.pcapng.idx", &k));
}

static void test_sort_choose(void)
{
	struct retain_file f[5] = {
		{ .name = "c", .key = { .primary = 30 }, .bytes = 100, .disk = 4096 },
		{ .name = "a2",
		  .key = { .primary = 10, .secondary = 2 },
		  .bytes = 100,
		  .disk = 4096 },
		{ .name = "a1",
		  .key = { .primary = 10, .secondary = 1 },
		  .bytes = 100,
		  .disk = 4096 },
		{ .name = "b", .key = { .primary = 20 }, .bytes = 300, .disk = 8192 },
		{ .name = "a0", .key = { .primary = 10 }, .bytes = 100, .disk = 4096 },
	};

	retain_sort(f, 5);
	T_ASSERT(!strcmp(f[0].name, "a0") && !strcmp(f[1].name, "a1") && !strcmp(f[2].name, "a2") &&
		 !strcmp(f[3].name, "b") && !strcmp(f[4].name, "c"));
	/* 700 bytes: within budget, nothing; one over, the oldest. */
	T_EQ(retain_choose(f, 5, 700, 700, 0, 0), 0);
	T_EQ(retain_choose(f, 5, 700, 699, 0, 0), 1);
	T_EQ(retain_choose(f, 5, 700, 400, 0, 0), 3);
	T_EQ(retain_choose(f, 5, 700, 100, 0, 0), 4);
	T_EQ(retain_choose(f, 5, 700, 1, 0, 0), 5);
	/* No budget: nothing. */
	T_EQ(retain_choose(f, 5, 700, 0, 0, 0), 0);
	/* Free space: what the removals free counts. */
	T_EQ(retain_choose(f, 5, 700, 0, 10000, 10000), 0);
	T_EQ(retain_choose(f, 5, 700, 0, 10000, 10001), 1);
	T_EQ(retain_choose(f, 5, 700, 0, 10000, 10000 + 3 * 4096), 3);
	T_EQ(retain_choose(f, 5, 700, 0, 10000, 10000 + 3 * 4096 + 1), 4);
	T_EQ(retain_choose(f, 5, 700, 0, 0, UINT64_MAX), 5);
	/* Both: the stricter. */
	T_EQ(retain_choose(f, 5, 700, 650, 10000, 10000 + 2 * 4096), 2);
	T_EQ(retain_choose(f, 0, 700, 1, 0, 0), 0);
}

static void put(const char *dir, const char *name, size_t size, time_t age)
{
	char path[512];
	struct timespec ts[2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, (off_t)size) == 0);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age;
	ts[1] = ts[0];
	T_ASSERT(futimens(fd, ts) == 0);
	close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

struct seen {
	unsigned int removed, stale, failed, shortage;
	char names[8][128];
};

static void on_event(void *ctx, enum retain_event ev, const char *path, const struct retain_file *f,
		     int err)
{
	struct seen *s = ctx;
	const char *b = strrchr(path, '/');

	(void)err;
	switch (ev) {
	case RETAIN_REMOVED:
		T_ASSERT(f && s->removed < 8);
		snprintf(s->names[s->removed++], sizeof(s->names[0]), "%s", b ? b + 1 : path);
		break;
	case RETAIN_STALE:
		s->stale++;
		break;
	case RETAIN_REMOVE_FAILED:
		s->failed++;
		break;
	case RETAIN_SHORT:
		s->shortage++;
		break;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_run(void)
{
	const char *dir = t_tmpdir("test_retain");
	char pat[512], err[256];
	struct retain *r;
	struct seen s = { 0 };
	const struct retain_stats *st;

	/* Four complete files of 1000 bytes + indexes of 100; written out of
	 * name order on purpose: names decide, not times. */
	put(dir, "a_20261121T000003Z.pcapng", 1000, 50);
	put(dir, "a_20261121T000003Z.pcapng.idx", 100, 50);
	put(dir, "a_20261121T000001Z.pcapng", 1000, 10);
	put(dir, "a_20261121T000001Z.pcapng.idx", 100, 10);
	put(dir, "a_20261121T000002Z.pcapng", 1000, 30);
	put(dir, "a_20261121T000002Z.pcapng.idx", 100, 30);
	put(dir, "a_20261121T000002Z_00001.pcapng", 1000, 40);
	/* The file being written, foreign files, an index without its file */
	put(dir, ".a_20261121T000004Z.pcapng.part", 5000, 0);
	put(dir, "b_20261121T000000Z.pcapng", 1000, 100);
	put(dir, "a_20261121T000000Z.pcapng.zst", 1000, 100);
	put(dir, "notes.txt", 1000, 100);
	/* index temporaries: a stale one of an archive name, a fresh one, a foreign one */
	put(dir, ".a_20261121T000001Z.pcapng.idx.Ab12Cd", 10, 120);
	put(dir, ".a_20261121T000002Z.pcapng.idx.Zz99Yy", 10, 1);
	put(dir, ".b_20261121T000000Z.pcapng.idx.Ab12Cd", 10, 120);

	snprintf(pat, sizeof(pat), "%s/%%Y/a.pcapng", dir);
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .max_bytes = 1 }, &r, err,
			sizeof(err)),
	     -EINVAL);
	T_ASSERT(strstr(err, "directory"));

	/* Names that do not read back: refused, not left to fill the disk. */
	snprintf(pat, sizeof(pat), "%s/a_%%Z_%%Y%%m%%d%%H.pcapng", dir);
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .max_bytes = 1 }, &r, err,
			sizeof(err)),
	     -EINVAL);
	T_ASSERT(strstr(err, "read back"));

	snprintf(pat, sizeof(pat), "%s/a_%%Y%%m%%dT%%H%%M%%SZ.pcapng", dir);
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .max_bytes = 2300 }, &r, err,
			sizeof(err)),
	     0);
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	st = retain_stats(r);
	/* 4300 bytes: the two oldest go (1100 each), 2100 stay. */
	T_EQ(s.removed, 2);
	T_ASSERT(!strcmp(s.names[0], "a_20261121T000001Z.pcapng"));
	T_ASSERT(!strcmp(s.names[1], "a_20261121T000002Z.pcapng"));
	T_ASSERT(!exists(dir, "a_20261121T000001Z.pcapng"));
	T_ASSERT(!exists(dir, "a_20261121T000001Z.pcapng.idx"));
	T_ASSERT(!exists(dir, "a_20261121T000002Z.pcapng.idx"));
	T_ASSERT(exists(dir, "a_20261121T000002Z_00001.pcapng"));
	T_ASSERT(exists(dir, "a_20261121T000003Z.pcapng"));
	T_ASSERT(exists(dir, "a_20261121T000003Z.pcapng.idx"));
	T_ASSERT(exists(dir, ".a_20261121T000004Z.pcapng.part"));
	T_ASSERT(exists(dir, "b_20261121T000000Z.pcapng"));
	T_ASSERT(exists(dir, "a_20261121T000000Z.pcapng.zst"));
	T_ASSERT(exists(dir, "notes.txt"));
	T_EQ(s.stale, 1);
	T_ASSERT(!exists(dir, ".a_20261121T000001Z.pcapng.idx.Ab12Cd"));
	T_ASSERT(exists(dir, ".a_20261121T000002Z.pcapng.idx.Zz99Yy"));
	T_ASSERT(exists(dir, ".b_20261121T000000Z.pcapng.idx.Ab12Cd"));
	T_EQ(st->files, 2);
	T_EQ(st->bytes, 2100);
	T_EQ(st->removed, 2);
	T_EQ(st->removed_bytes, 2200);
	T_EQ(st->stale_removed, 1);
	T_EQ(st->oldest_ns, 1795219202ull * 1000000000u);
	T_EQ(st->newest_ns, 1795219203ull * 1000000000u);
	T_ASSERT(st->free_bytes > 0);
	T_EQ(s.shortage, 0);
	/* Within budget now: a second pass removes nothing. */
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	T_EQ(s.removed, 2);
	T_EQ(st->files, 2);
	retain_free(r);

	/* More free space than the filesystem has: all of the archive goes
	 * but its newest file, then the shortage is told once. */
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .min_free = UINT64_MAX / 2 }, &r,
			err, sizeof(err)),
	     0);
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	T_EQ(s.removed, 3);
	T_ASSERT(!strcmp(s.names[2], "a_20261121T000002Z_00001.pcapng"));
	T_ASSERT(exists(dir, "a_20261121T000003Z.pcapng"));
	T_EQ(s.shortage, 1);
	T_ASSERT(retain_short(r));
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	T_EQ(s.shortage, 1);
	T_EQ(retain_stats(r)->files, 1);
	T_ASSERT(exists(dir, ".a_20261121T000004Z.pcapng.part"));
	T_ASSERT(exists(dir, "notes.txt"));
	T_EQ(s.failed, 0);
	retain_free(r);

	/* Numbered names: by number, whatever the stamps say. */
	put(dir, "n_00007_20261121000000.pcap", 10, 0);
	put(dir, "n_00008_20201121000000.pcap", 10, 0);
	put(dir, "n_00009_20251121000000.pcap", 10, 0);
	snprintf(pat, sizeof(pat), "%s/n.pcap", dir);
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .max_bytes = 10 }, &r, err,
			sizeof(err)),
	     0);
	memset(&s, 0, sizeof(s));
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	T_EQ(s.removed, 2);
	T_ASSERT(!strcmp(s.names[0], "n_00007_20261121000000.pcap"));
	T_ASSERT(!strcmp(s.names[1], "n_00008_20201121000000.pcap"));
	T_ASSERT(exists(dir, "n_00009_20251121000000.pcap"));
	retain_free(r);
	/* The newest stays, even alone over the budget. */
	T_EQ(retain_new(&(struct retain_opts){ .pattern = pat, .max_bytes = 1 }, &r, err,
			sizeof(err)),
	     0);
	T_EQ(retain_run(r, now_ns(), on_event, &s), 0);
	T_EQ(s.removed, 2);
	T_ASSERT(exists(dir, "n_00009_20251121000000.pcap"));
	T_EQ(retain_stats(r)->files, 1);
	T_EQ(retain_stats(r)->bytes, 10);
	retain_free(r);
}

int main(void)
{
	/* strptime(3) reads %s as local time: the same everywhere. */
	setenv("TZ", "UTC0", 1);
	tzset();
	test_parse_free();
	test_match_numbered();
	test_match_strftime();
	test_sort_choose();
	test_run();
	printf("test_retain: ok\n");
	return T_EXIT_PASS;
}
