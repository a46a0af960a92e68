// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_dumplist - capdump --list over an archive of files made here: a
 * directory of four pcapng files (one zstd) of a sequenced feed and an
 * unsequenced one, with ISBs as capdump writes them (times, counters
 * since the recording started; a second recording in the last file), one
 * indexed, one without an index, one with a corrupt one.  The listing must
 * give every file's packets and drops, the gaps inside files and across
 * their boundaries, the hole in time; build and store the missing and
 * corrupt indexes; select by --start/--end; list directories and globs in
 * name order, skip hidden files and indexes; exit 1 for what it cannot read.
 * Then MoldUDP64 files whose sessions change inside and at their
 * boundaries: the gaps across boundaries are judged by each file's first
 * session and number against the previous file's last.
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
#include "pcapng_feed.h"
#include "pcapng.h"
#include "ring_feed.h"
#include "test.h"
#include "udp_frame.h"

/* The listing of paths as a string (free() it), its exit status in *rc. */
static char *list(char *const *paths, int n, bool json, uint64_t start, uint64_t end, int *rc)
{
	struct dumplist_opts o = {
		.json = json, .start_ns = start, .end_ns = end, .hole_ns = DUMPLIST_HOLE_NS
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	T_ASSERT(f);
	*rc = dumplist_command(paths, n, &o, f);
	fclose(f);
	return buf;
}

static void expect(const char *out, const char *what)
{
	if (!strstr(out, what))
		T_FAIL("not in the listing: %s\n--- listing:\n%s", what, out);
}

/* A MoldUDP64 packet's session (ten times s), first message and count. */
struct mold_pkt {
	char s;
	uint64_t seq;
	uint16_t count;
};

/*
 * A file of feed M (239.1.1.3, moldudp64): packets pk[0..n) one every
 * 10 ms from t0, each message of one byte; a closing ISB at t0 + 10 s.
 */
static void make_mold_file(const char *path, uint64_t t0, const struct mold_pkt *pk, unsigned int n)
{
	static uint8_t blk[4096];
	struct ring_feed feed = { .name = "M", .family = 4, .prefix_len = 32 };
	struct pcapng_feed opt;
	struct pcapng_custom cu;
	struct seqdec dec;
	uint8_t f[512];
	uint32_t len, k;
	unsigned int i;

	archive_len = 0;
	archive_put(blk,
		    pcapng_shb(blk, sizeof(blk), &(struct pcapng_shb_info){ .userappl = "t" }));
	archive_put(blk, pcapng_idb(blk, sizeof(blk),
				    &(struct pcapng_idb_info){ .linktype = 1, .snaplen = 65535 }));
	feed.addr[0] = 239, feed.addr[1] = 1, feed.addr[2] = 1, feed.addr[3] = 3;
	T_EQ(seqdec_parse("moldudp64", &dec), 0);
	T_EQ(ring_feed_set_proto(&feed, &dec), 0);
	pcapng_feed_encode(&opt, &feed);
	cu = (struct pcapng_custom){
		.code = PCAPNG_OPT_CUSTOM_BIN, .pen = PCAPNG_PEN, .data = &opt, .len = sizeof(opt)
	};
	archive_put(blk, pcapng_nrb_custom(blk, sizeof(blk), NULL, 0, &cu, 1));
	for (i = 0; i < n; i++) {
		struct pcapng_epb_info e = { .queue = UINT32_MAX, .packetid = PCAPNG_ABSENT };
		uint8_t *p = f + 42;

		T_ASSERT(pk[i].count <= 100);
		/* udp_frame()'s headers, the MoldUDP64 datagram in place of its payload */
		udp_frame(f, 3, 0, 20);
		len = 42 + 20 + 3u * pk[i].count;
		f[16] = (uint8_t)((len - 14) >> 8), f[17] = (uint8_t)(len - 14);
		f[38] = (uint8_t)((len - 34) >> 8), f[39] = (uint8_t)(len - 34);
		memset(p, pk[i].s, 10);
		for (k = 0; k < 8; k++)
			p[10 + k] = (uint8_t)(pk[i].seq >> (56 - 8 * k));
		p[18] = (uint8_t)(pk[i].count >> 8), p[19] = (uint8_t)pk[i].count;
		for (k = 0; k < pk[i].count; k++)
			p[20 + 3 * k] = 0, p[21 + 3 * k] = 1, p[22 + 3 * k] = (uint8_t)k;
		e.ts = t0 + i * 10000000ull;
		e.caplen = e.wirelen = len;
		e.data = f;
		archive_put(blk, pcapng_epb(blk, sizeof(blk), &e));
	}
	archive_put(blk, pcapng_isb(blk, sizeof(blk),
				    &(struct pcapng_isb_info){ .ts = t0 + 10 * SEC,
							       .starttime = t0,
							       .endtime = t0 + 10 * SEC,
							       .ifrecv = n,
							       .filteraccept = n,
							       .usrdeliv = n }));
	archive_write_file(path, archive_buf, archive_len);
}

/*
 * Gaps at file boundaries when sessions change (MoldUDP64): a file is
 * compared by its first session and number with the previous file's last
 * session and number, whatever happens in between.
 *  m_1: A 1..100;
 *  m_2: A 105..150, then B 1..40: 101..104 missing before it (in A), though
 *       its session changes later;
 *  m_3: B 43..60: 41..42 missing before it (in B), though m_2 began in A;
 *  m_4: C 1..10, then D 1..5: a new numbering at the boundary, no gap;
 *  m_5: C 11..20: after D, another session: no gap either.
 */
static void test_sessions(const char *dir)
{
	static const struct mold_pkt m1[] = { { 'A', 1, 50 }, { 'A', 51, 50 } },
				     m2[] = { { 'A', 105, 46 }, { 'B', 1, 20 }, { 'B', 21, 20 } },
				     m3[] = { { 'B', 43, 18 } },
				     m4[] = { { 'C', 1, 10 }, { 'D', 1, 5 } },
				     m5[] = { { 'C', 11, 10 } };
	static const struct {
		const struct mold_pkt *pk;
		unsigned int n;
	} files[] = { { m1, 2 }, { m2, 3 }, { m3, 1 }, { m4, 2 }, { m5, 1 } };
	char p[5][400], pattern[400], *paths[1], *out, *obj;
	unsigned int i;
	int rc;

	for (i = 0; i < 5; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/m_%u.pcapng", dir, i + 1);
		make_mold_file(p[i], T0 + i * 10 * SEC, files[i].pk, files[i].n);
	}
	snprintf(pattern, sizeof(pattern), "%s/m_*.pcapng", dir);
	paths[0] = pattern;
	out = list(paths, 1, true, 0, 0, &rc);
	T_EQ(rc, 0);
	obj = archive_list_obj(out, p[0]);
	expect(obj, "\"seq\":{\"first\":1,\"last\":100,");
	expect(obj, "\"gap_before_file\":null");
	free(obj);
	obj = archive_list_obj(out, p[1]);
	expect(obj, "\"seq\":{\"first\":105,\"last\":40,\"min\":1,\"max\":150,\"packets\":3,"
		    "\"undecodable\":0,\"sessions\":1,\"gaps\":0,");
	expect(obj, "\"gap_before_file\":{\"first\":101,\"last\":104,\"missing\":4}");
	free(obj);
	obj = archive_list_obj(out, p[2]);
	expect(obj, "\"seq\":{\"first\":43,\"last\":60,");
	expect(obj, "\"gap_before_file\":{\"first\":41,\"last\":42,\"missing\":2}");
	free(obj);
	obj = archive_list_obj(out, p[3]);
	expect(obj, "\"sessions\":1,");
	expect(obj, "\"gap_before_file\":null");
	free(obj);
	obj = archive_list_obj(out, p[4]);
	expect(obj, "\"seq\":{\"first\":11,\"last\":20,");
	expect(obj, "\"gap_before_file\":null");
	free(obj);
	expect(out, "{\"name\":\"M\",\"packets\":9,");
	expect(out, "\"gaps\":0,\"missing\":0,\"late\":0,\"gaps_across\":2,\"missing_across\":6}");
	free(out);

	/* m_2 outside --start/--end: m_3, listed alone, continues from it */
	out = list(paths, 1, true, T0 + 21 * SEC, T0 + 30 * SEC, &rc);
	T_EQ(rc, 0);
	expect(out, "\"archive\":{\"files\":1,");
	expect(out, "\"gap_before_file\":{\"first\":41,\"last\":42,\"missing\":2}");
	free(out);
}

int main(void)
{
	const char *dir = t_tmpdir("test_dumplist");
	char p[4][300], idx[320], err[512], pattern[320], dirp[300],
		missing[] = "/nonexistent/r.pcapng";
	char *out, *obj;
	struct isb_counts c1 = { 2, 1, 0 }, c2 = { 5, 1, 0 }, c3 = { 5, 4, 0 }, c4 = { 7, 0, 0 };
	char *paths[3];
	uint64_t n1, n2, n3, n4;
	struct stat st;
	int rc, i;

	for (i = 0; i < 4; i++)
		snprintf(p[i], sizeof(p[i]), "%s/r_%d.pcapng%s", dir, i + 1, i == 2 ? ".zst" : "");
	/* 1: 1..100 but 50..52; 2: 105..200 (101..104 missing across);
	 * 3: 201..300 after a hole of 5 s; 4: a new recording, 301..310 */
	n1 = archive_make_file(p[0], T0, 1, 100, 50, 53, 4, &c1, 0, false);
	n2 = archive_make_file(p[1], T0 + 10 * SEC, 105, 200, 0, 0, 0, &c2, n1, false);
	n3 = archive_make_file(p[2], T0 + 25 * SEC, 201, 300, 0, 0, 0, &c3, n1 + n2, true);
	n4 = archive_make_file(p[3], T0 + 35 * SEC, 301, 310, 0, 0, 0, &c4, 0, false);
	T_ASSERT(n1 && n2 && n3 && n4);
	/* 1 indexed, 2 without, 3 with a corrupt index, 4 indexed */
	T_EQ(capindex_build_file(p[0], err, sizeof(err)), 0);
	T_EQ(capindex_build_file(p[2], err, sizeof(err)), 0);
	T_EQ(capindex_build_file(p[3], err, sizeof(err)), 0);
	snprintf(idx, sizeof(idx), "%s.idx", p[2]);
	T_EQ(truncate(idx, 100), 0);
	/* neither a hidden file nor an index is listed */
	snprintf(idx, sizeof(idx), "%s/.r_0.pcapng", dir);
	archive_write_file(idx, "x", 1);

	snprintf(dirp, sizeof(dirp), "%s", dir);
	paths[0] = dirp;
	out = list(paths, 1, true, 0, 0, &rc);
	T_EQ(rc, 0);
	/* the missing and the corrupt index were built and stored */
	snprintf(idx, sizeof(idx), "%s.idx", p[1]);
	T_EQ(stat(idx, &st), 0);
	snprintf(idx, sizeof(idx), "%s.idx", p[2]);
	T_ASSERT(stat(idx, &st) == 0 && st.st_size > 100);
	T_ASSERT(!strstr(out, ".r_0") && !strstr(out, ".idx\""));
	/* in name order */
	T_ASSERT(strstr(out, "r_1.pcapng\"") < strstr(out, "r_2.pcapng\"") &&
		 strstr(out, "r_2.pcapng\"") < strstr(out, "r_3.pcapng.zst\"") &&
		 strstr(out, "r_3.pcapng.zst\"") < strstr(out, "r_4.pcapng\""));

	obj = archive_list_obj(out, p[0]);
	expect(obj, "\"index\":\"ok\"");
	expect(obj, "\"span_start_ns\":1767225600000000000,\"span_start\":\"2026-01-01T00:00:00."
		    "000000000Z\"");
	expect(obj, "\"span_end_ns\":1767225610000000000");
	expect(obj, "\"hole_before\":null");
	expect(obj, "\"epb_dropcount\":4,\"isb\":true,\"ifdrop\":2,\"osdrop\":1}");
	expect(obj, "\"seq\":{\"first\":1,\"last\":100,\"min\":1,\"max\":100,\"packets\":97,");
	expect(obj, "\"gaps\":1,\"missing\":3,\"late\":0,\"gap_list\":[{\"first\":50,\"last\":52,"
		    "\"missing\":3,");
	expect(obj, "\"gap_before_file\":null");
	expect(obj, "{\"name\":\"B\",\"packets\":49,");
	expect(obj, "\"proto\":\"none\",\"seq\":null");
	free(obj);

	obj = archive_list_obj(out, p[1]);
	expect(obj, "\"index\":\"rebuilt\"");
	expect(obj, "\"ifdrop\":3,\"osdrop\":0}");
	expect(obj, "\"gap_before_file\":{\"first\":101,\"last\":104,\"missing\":4}");
	expect(obj, "\"hole_before\":null");
	free(obj);

	obj = archive_list_obj(out, p[2]);
	expect(obj, "\"index\":\"rebuilt\"");
	expect(obj, "\"hole_before\":{\"start_ns\":1767225620000000000,");
	expect(obj, "\"end_ns\":1767225625000000000,");
	expect(obj, "\"ifdrop\":0,\"osdrop\":3}");
	expect(obj, "\"gap_before_file\":null");
	free(obj);

	/* a new recording: its counters are its own */
	obj = archive_list_obj(out, p[3]);
	expect(obj, "\"ifdrop\":7,\"osdrop\":0}");
	expect(obj, "\"gap_before_file\":null");
	free(obj);

	expect(out, "\"archive\":{\"files\":4,\"unreadable\":0,");
	expect(out, "\"epb_dropcount\":4,\"ifdrop\":12,\"osdrop\":4,\"isb_unknown\":0,"
		    "\"holes\":1,\"hole_ns\":5000000000,");
	expect(out, "\"seq_min\":1,\"seq_max\":310,\"gaps\":1,\"missing\":3,\"late\":0,"
		    "\"gaps_across\":1,\"missing_across\":4}");
	free(out);

	/* Text: the same facts for people. */
	out = list(paths, 1, false, 0, 0, &rc);
	T_EQ(rc, 0);
	expect(out, "  interface 0: ");
	expect(out, "epb_dropcount 4, ifdrop 2, osdrop 1\n");
	expect(out, "    gap 50..52 (3 missing) before 2026-01-01T00:00:00.");
	expect(out, "    gap before this file: 101..104 (4 missing)\n");
	expect(out, "-- hole: 2026-01-01T00:00:20.000000000Z .. 2026-01-01T00:00:25.000000000Z "
		    "(5.000 s) --\n");
	expect(out, "archive: 4 files, 0 not read, 2026-01-01T00:00:00.000000000Z .. ");
	expect(out, "across files 1 (4 missing)");
	free(out);

	/* --start/--end: the files whose time meets [start, end) */
	out = list(paths, 1, true, T0 + 12 * SEC, T0 + 25 * SEC, &rc);
	T_EQ(rc, 0);
	expect(out, "\"archive\":{\"files\":1,");
	T_ASSERT(strstr(out, "r_2.pcapng\"") && !strstr(out, "r_3.pcapng.zst\""));
	/* continuing from the file before, which is not listed */
	expect(out, "\"ifdrop\":3,\"osdrop\":0}");
	expect(out, "\"gap_before_file\":{\"first\":101,\"last\":104,\"missing\":4}");
	free(out);

	/* a glob, a file named, a path that is not there: exit 1, listed as such */
	snprintf(pattern, sizeof(pattern), "%s/r_[34]*", dir);
	paths[0] = pattern;
	paths[1] = p[0];
	paths[2] = missing;
	out = list(paths, 3, true, 0, 0, &rc);
	T_EQ(rc, 1);
	T_ASSERT(strstr(out, "r_3.pcapng.zst\"") < strstr(out, "r_4.pcapng\"") &&
		 strstr(out, "r_4.pcapng\"") < strstr(out, "r_1.pcapng\""));
	T_ASSERT(!strstr(out, "r_2.pcapng\""));
	expect(out, "{\"name\":\"/nonexistent/r.pcapng\",\"error\":");
	expect(out, "\"archive\":{\"files\":3,\"unreadable\":1,");
	free(out);

	/* Names are not trusted to be text: JSON escapes them. */
	snprintf(pattern, sizeof(pattern), "%s/q\"\\\n.pcapng", dir);
	T_EQ(link(p[0], pattern), 0);
	paths[0] = pattern;
	out = list(paths, 1, true, 0, 0, &rc);
	T_EQ(rc, 0);
	expect(out, "/q\\\"\\\\\\u000a.pcapng\",\"index\":\"rebuilt\"");
	free(out);

	snprintf(dirp, sizeof(dirp), "%s/sessions", dir);
	T_EQ(mkdir(dirp, 0755), 0);
	test_sessions(dirp);
	return T_EXIT_PASS;
}
