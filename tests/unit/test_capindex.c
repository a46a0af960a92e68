// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_capindex - the index of a capture file: what a writer builds while
 * it writes equals, byte for byte, what a rebuild reads back from the file
 * (plain and zstd); the round trip; every byte flipped and every truncation
 * of a written index refused; an index of another version of its file
 * (size, mtime, content) never trusted; the bounded lists stay bounded;
 * a feed's first and last session, and an index whose sessions do not hold
 * together refused; the same datagram in other frames counted the same.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "capindex.h"
#include "capindex_build.h"
#include "pcapng_feed.h"
#include "pcapng.h"
#include "test.h"
#include "udp_frame.h"

#define T0	    1700000000000000000ull
#define NPKTS	    3000
#define SPAN_BEFORE 1000000000ull  /* the file was opened 1 s before its first packet */
#define SPAN_END    30000000000ull /* and closed 30 s after T0 */

static uint8_t file[8u << 20];
static size_t flen;

static void put(const void *p, size_t n)
{
	T_ASSERT(n && flen + n <= sizeof(file));
	memcpy(file + flen, p, n);
	flen += n;
}

static void feed_def(struct ring_feed *f, const char *name, unsigned int g)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->family = 4;
	f->prefix_len = 32;
	f->addr[0] = 239, f->addr[1] = 1, f->addr[2] = 1, f->addr[3] = (uint8_t)g;
}

/*
 * A pcapng file of two feeds (g 1: seq with a gap every 500; g 2) and
 * foreign traffic, written into file[] while the "live" builder b is told
 * every packet with its offset, as capdump does.
 */
static void make_file(struct capindex_build *b)
{
	static uint8_t blk[70000];
	struct pcapng_nrb_rec names[2] = { { AF_INET, { 239, 1, 1, 1 }, "feedA" },
					   { AF_INET, { 239, 1, 1, 2 }, "feedB" } };
	struct ring_feed feeds[2];
	struct pcapng_feed opt[2];
	struct pcapng_custom c[2];
	uint8_t f[2048];
	uint32_t seq = 100, len;
	unsigned int i;

	flen = 0;
	put(blk, pcapng_shb(blk, sizeof(blk), &(struct pcapng_shb_info){ .userappl = "t" }));
	put(blk, pcapng_idb(blk, sizeof(blk),
			    &(struct pcapng_idb_info){ .linktype = 1, .snaplen = 65535 }));
	feed_def(&feeds[0], "feedA", 1);
	feed_def(&feeds[1], "feedB", 2);
	/* The feed table as capdump writes it: custom options of the NRB. */
	for (i = 0; i < 2; i++) {
		pcapng_feed_encode(&opt[i], &feeds[i]);
		c[i] = (struct pcapng_custom){ .code = PCAPNG_OPT_CUSTOM_BIN,
					       .pen = PCAPNG_PEN,
					       .data = &opt[i],
					       .len = sizeof(opt[i]) };
		pcapng_feed_decode(&opt[i], sizeof(opt[i]), &feeds[i]);
	}
	put(blk, pcapng_nrb_custom(blk, sizeof(blk), names, 2, c, 2));
	capindex_build_begin(b);
	capindex_build_feeds(b, feeds, 2);
	for (i = 0; i < NPKTS; i++) {
		unsigned int g = i % 3 + 1; /* 3: no feed */
		uint64_t ts = T0 + (uint64_t)i * 7000000u;
		struct pcapng_epb_info e = { .ts = ts,
					     .queue = UINT32_MAX,
					     .packetid = PCAPNG_ABSENT };

		if (g == 1 && i % 1500 == 0)
			seq += 7; /* a gap of 7 messages */
		len = udp_frame(f, g, g == 1 ? seq++ : i, i % 900);
		e.caplen = e.wirelen = len;
		e.data = f;
		e.dropcount = i == 42 ? 5 : 0;
		capindex_build_packet(b, &(struct capindex_build_pkt){ .offset = flen,
								       .linktype = 1,
								       .has_ts = true,
								       .ts_ns = ts,
								       .data = f,
								       .caplen = len,
								       .wirelen = len,
								       .dropcount = e.dropcount });
		put(blk, pcapng_epb(blk, sizeof(blk), &e));
	}
	/* ISBs with times (ns units): the span is the lowest start, the highest end */
	put(blk, pcapng_isb(blk, sizeof(blk),
			    &(struct pcapng_isb_info){ .ts = T0 + 1,
						       .starttime = T0 - SPAN_BEFORE,
						       .endtime = T0 + 1,
						       .ifrecv = PCAPNG_ABSENT,
						       .ifdrop = PCAPNG_ABSENT,
						       .filteraccept = PCAPNG_ABSENT,
						       .osdrop = PCAPNG_ABSENT,
						       .usrdeliv = PCAPNG_ABSENT }));
	capindex_build_isb(b, 0, 0, 0, 0, 0, 0, 0);
	capindex_build_span(b, true, T0 - SPAN_BEFORE, true, T0 + 1);
	put(blk, pcapng_isb(blk, sizeof(blk),
			    &(struct pcapng_isb_info){ .ts = T0,
						       .starttime = T0,
						       .endtime = T0 + SPAN_END,
						       .ifrecv = 4000,
						       .ifdrop = 3,
						       .filteraccept = PCAPNG_ABSENT,
						       .osdrop = 11,
						       .usrdeliv = NPKTS }));
	capindex_build_isb(b, 0,
			   CAPINDEX_IFRECV | CAPINDEX_IFDROP | CAPINDEX_OSDROP | CAPINDEX_USRDELIV,
			   4000, 3, 11, 0, NPKTS);
	capindex_build_span(b, true, T0, true, T0 + SPAN_END);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

static size_t read_file(const char *path, uint8_t *p, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	T_ASSERT(fd >= 0);
	n = read(fd, p, cap);
	close(fd);
	T_ASSERT(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* The live index equals the rebuilt one, byte for byte. */
static void test_live_equals_rebuild(const char *dir, bool zstd)
{
	static uint8_t live[4u << 20], rebuilt[4u << 20], z[8u << 20];
	char data[300], idx[310], err[512];
	struct capindex_build *b;
	size_t nl, nr;

	T_ASSERT(capindex_build_new(&b) == 0);
	make_file(b);
	snprintf(data, sizeof(data), "%s/a.pcapng%s", dir, zstd ? ".zst" : "");
	snprintf(idx, sizeof(idx), "%s.idx", data);
	if (zstd) {
		size_t zn = ZSTD_compress(z, sizeof(z), file, flen, 1);

		T_ASSERT(!ZSTD_isError(zn));
		write_file(data, z, zn);
	} else {
		write_file(data, file, flen);
	}
	T_EQ(capindex_build_write(b, data), 0);
	nl = read_file(idx, live, sizeof(live));
	unlink(idx);
	T_EQ(capindex_build_file(data, err, sizeof(err)), 0);
	nr = read_file(idx, rebuilt, sizeof(rebuilt));
	T_EQ(nl, nr);
	T_ASSERT(!memcmp(live, rebuilt, nl));
	capindex_build_free(b);
}

static void test_round_trip(const char *dir)
{
	char data[300], why[512];
	const struct capindex_feed *fa, *fb;
	const struct capindex_hdr *h;
	const struct capindex_pos *p;
	struct capindex *ix;
	unsigned int i;

	snprintf(data, sizeof(data), "%s/a.pcapng", dir);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), 0);
	h = capindex_hdr(ix);
	T_EQ(h->packets, NPKTS);
	T_EQ(h->first_ns, T0);
	T_EQ(h->last_ns, T0 + (uint64_t)(NPKTS - 1) * 7000000u);
	T_EQ(h->unattributed, NPKTS / 3);
	T_EQ(h->span_start_ns, T0 - SPAN_BEFORE);
	T_EQ(h->span_end_ns, T0 + SPAN_END);
	T_EQ(h->nfeeds, 2);
	T_EQ(h->nifaces, 1);
	T_EQ(capindex_iface(ix, 0)->packets, NPKTS);
	T_EQ(capindex_iface(ix, 0)->dropcount, 5);
	T_EQ(capindex_iface(ix, 0)->ifdrop, 3);
	T_EQ(capindex_iface(ix, 0)->osdrop, 11);
	T_EQ(capindex_iface(ix, 0)->present & CAPINDEX_FILTERACCEPT, 0);
	fa = capindex_feed(ix, 0);
	fb = capindex_feed(ix, 1);
	T_ASSERT(!strcmp(fa->name, "feedA") && !strcmp(fb->name, "feedB"));
	T_EQ(fa->packets, NPKTS / 3);
	T_EQ(fb->packets, NPKTS / 3);
	T_EQ(fa->first_ns, T0);
	T_EQ(fb->first_ns, T0 + 7000000u);
	T_EQ(fa->proto, CAPINDEX_PROTO_NONE); /* the feed table says none */
	T_EQ(fa->seq_msg_packets, 0);
	T_EQ(fa->seq_min, 0);
	T_EQ(fa->seq_max, 0);
	T_ASSERT(capindex_feed(ix, 2) == NULL);
	/* Positions: in order, every 100 ms slot, and seek finds the start. */
	T_ASSERT(h->npos > 100);
	for (i = 1; i < h->npos; i++)
		T_ASSERT(capindex_pos(ix, i)->ts_ns / CAPINDEX_POS_NS >
				 capindex_pos(ix, i - 1)->ts_ns / CAPINDEX_POS_NS ||
			 capindex_pos(ix, i)->offset >=
				 capindex_pos(ix, i - 1)->offset + CAPINDEX_POS_BYTES);
	p = capindex_seek(ix, T0 + 5000000000ull);
	T_ASSERT(p && p->max_before < T0 + 5000000000ull);
	T_ASSERT(p + 1 > capindex_pos(ix, h->npos - 1) || p[1].max_before >= T0 + 5000000000ull);
	T_ASSERT(p->ts_ns >= T0 + 5000000000ull - CAPINDEX_POS_NS);
	T_ASSERT(capindex_seek(ix, 0) == capindex_pos(ix, 0));
	capindex_free(ix);
}

/* Every byte flipped, every truncation: refused, never trusted. */
static void test_corruption(const char *dir)
{
	static uint8_t buf[4u << 20], bad[4u << 20];
	char data[300], idx[310], why[512];
	struct capindex *ix;
	size_t n, i;
	int r;

	snprintf(data, sizeof(data), "%s/a.pcapng", dir);
	snprintf(idx, sizeof(idx), "%s.idx", data);
	n = read_file(idx, buf, sizeof(buf));
	T_EQ(capindex_parse(buf, n, &ix, why, sizeof(why)), 0);
	capindex_free(ix);
	for (i = 0; i < n; i++) {
		memcpy(bad, buf, n);
		bad[i] ^= 0x20;
		r = capindex_parse(bad, n, &ix, why, sizeof(why));
		if (r >= 0)
			T_FAIL("byte %zu flipped: accepted", i);
		T_ASSERT(ix == NULL && (r == -EBADMSG || r == -EPROTONOSUPPORT));
	}
	for (i = 0; i < n; i++) {
		r = capindex_parse(buf, i, &ix, why, sizeof(why));
		if (r != -EBADMSG)
			T_FAIL("truncated to %zu: %d", i, r);
	}
	/* And through the file: corrupt, then truncated, then gone. */
	memcpy(bad, buf, n);
	bad[n / 2] ^= 1;
	write_file(idx, bad, n);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -EBADMSG);
	write_file(idx, buf, n - 1);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -EBADMSG);
	unlink(idx);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -ENOENT);
	write_file(idx, buf, n);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), 0);
	capindex_free(ix);
}

/* An index of another version of its file is never trusted. */
static void test_stale(const char *dir)
{
	char data[300], why[512];
	struct timespec ts[2];
	struct capindex *ix;
	struct stat st;
	uint8_t c;
	int fd;

	snprintf(data, sizeof(data), "%s/a.pcapng", dir);
	T_ASSERT(stat(data, &st) == 0);
	/* older or newer than its file */
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ts[1].tv_nsec = (ts[1].tv_nsec + 1) % 1000000000;
	T_ASSERT(utimensat(AT_FDCWD, data, ts, 0) == 0);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -ESTALE);
	ts[1] = st.st_mtim;
	T_ASSERT(utimensat(AT_FDCWD, data, ts, 0) == 0);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), 0);
	capindex_free(ix);
	/* the same size and time, another content */
	fd = open(data, O_RDWR);
	T_ASSERT(fd >= 0 && pread(fd, &c, 1, st.st_size - 100) == 1);
	c ^= 0xff;
	T_ASSERT(pwrite(fd, &c, 1, st.st_size - 100) == 1);
	close(fd);
	T_ASSERT(utimensat(AT_FDCWD, data, ts, 0) == 0);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -ESTALE);
	T_ASSERT(ix == NULL);
	/* grown */
	fd = open(data, O_WRONLY | O_APPEND);
	T_ASSERT(fd >= 0 && write(fd, &c, 1) == 1);
	close(fd);
	T_EQ(capindex_load(data, &ix, why, sizeof(why)), -ESTALE);
}

/* Packet data (len bytes, whole, Ethernet) at offset, stamped ts_ns. */
static void add_packet(struct capindex_build *b, uint64_t offset, uint64_t ts_ns,
		       const uint8_t *data, uint32_t len)
{
	capindex_build_packet(b, &(struct capindex_build_pkt){ .offset = offset,
							       .linktype = 1,
							       .has_ts = true,
							       .ts_ns = ts_ns,
							       .data = data,
							       .caplen = len,
							       .wirelen = len });
}

/* Gaps: all counted, CAPINDEX_GAPS_MAX listed; positions bounded. */
static void test_bounds(void)
{
	struct seqdec dec;
	struct capindex_build *b;
	struct ring_feed fd;
	struct capindex *ix;
	uint8_t f[256], *buf;
	size_t len;
	uint32_t i, len1, seq = 1;
	char why[256];
	int fdd;

	T_ASSERT(capindex_build_new(&b) == 0);
	feed_def(&fd, "seq", 1);
	capindex_build_begin(b);
	capindex_build_feeds(b, &fd, 1);
	T_EQ(seqdec_parse("seq:0:4:be", &dec), 0);
	capindex_build_set_proto(b, 0, &dec);
	for (i = 0; i < 100; i++) {
		len1 = udp_frame(f, 1, seq, 0);
		seq += 3; /* two missing each time */
		add_packet(b, i * 100u, T0 + i, f, len1);
	}
	/* one late, one of the same number */
	len1 = udp_frame(f, 1, 5, 0);
	add_packet(b, 100000, T0 + 200, f, len1);
	/* positions: one per packet (each in a new slot), past the bound */
	for (i = 0; i < CAPINDEX_POS_MAX + 1000; i++)
		add_packet(b, 200000 + (uint64_t)i * 10,
			   T0 + (uint64_t)(i + 1) * CAPINDEX_POS_NS * 4, f, 10);
	fdd = open("/dev/null", O_RDONLY);
	T_ASSERT(fdd >= 0);
	/* /dev/null is not a regular file: identify refuses it */
	T_EQ(capindex_build_encode(b, fdd, &buf, &len), -ENXIO);
	close(fdd);
	fdd = open("/proc/self/exe", O_RDONLY);
	T_EQ(capindex_build_encode(b, fdd, &buf, &len), 0);
	close(fdd);
	T_EQ(capindex_parse(buf, len, &ix, why, sizeof(why)), 0);
	free(buf);
	T_EQ(capindex_feed(ix, 0)->gaps, 99);
	T_EQ(capindex_feed(ix, 0)->missing, 198);
	T_EQ(capindex_feed(ix, 0)->ngaps, CAPINDEX_GAPS_MAX);
	T_EQ(capindex_feed(ix, 0)->gap[0].from, 2);
	T_EQ(capindex_feed(ix, 0)->gap[0].to, 4);
	T_EQ(capindex_feed(ix, 0)->late, 1);
	T_EQ(capindex_feed(ix, 0)->seq_first, 1);
	T_EQ(capindex_feed(ix, 0)->seq_last, 298);
	T_EQ(capindex_feed(ix, 0)->proto, CAPINDEX_PROTO_GENERIC);
	/* the late packet counts in the bounds too: 1..298 over 101 packets */
	T_EQ(capindex_feed(ix, 0)->seq_min, 1);
	T_EQ(capindex_feed(ix, 0)->seq_max, 298);
	T_EQ(capindex_feed(ix, 0)->seq_msg_packets, 101);
	/* no ISB: the span is the packets' time range */
	T_EQ(capindex_hdr(ix)->span_start_ns, capindex_hdr(ix)->first_ns);
	T_EQ(capindex_hdr(ix)->span_end_ns, capindex_hdr(ix)->last_ns);
	T_ASSERT(capindex_hdr(ix)->npos <= CAPINDEX_POS_MAX);
	T_ASSERT(capindex_hdr(ix)->npos > CAPINDEX_POS_MAX / 2);
	T_EQ(capindex_hdr(ix)->pos_ns, 2ull * CAPINDEX_POS_NS);
	capindex_free(ix);
	capindex_build_free(b);
}

/* seq_min/seq_max bound the late packets too, below seq_first. */
static void test_seq_bounds(void)
{
	static const uint32_t seqs[] = { 10, 11, 3, 12 };
	struct capindex_build *b;
	struct capindex *ix;
	struct ring_feed fd;
	struct seqdec dec;
	uint8_t f[256], *buf;
	char why[256];
	size_t len;
	uint32_t i, n;
	int fdd;

	T_ASSERT(capindex_build_new(&b) == 0);
	feed_def(&fd, "seq", 1);
	capindex_build_begin(b);
	capindex_build_feeds(b, &fd, 1);
	T_EQ(seqdec_parse("seq:0:4:be", &dec), 0);
	capindex_build_set_proto(b, 0, &dec);
	for (i = 0; i < 4; i++) {
		n = udp_frame(f, 1, seqs[i], 0);
		add_packet(b, i * 100u, T0 + i, f, n);
	}
	/* an ISB with an end only: the start is the first packet's */
	capindex_build_span(b, false, 0, true, T0 + 1000);
	fdd = open("/proc/self/exe", O_RDONLY);
	T_ASSERT(fdd >= 0);
	T_EQ(capindex_build_encode(b, fdd, &buf, &len), 0);
	close(fdd);
	T_EQ(capindex_parse(buf, len, &ix, why, sizeof(why)), 0);
	free(buf);
	T_EQ(capindex_feed(ix, 0)->seq_first, 10);
	T_EQ(capindex_feed(ix, 0)->seq_last, 12);
	T_EQ(capindex_feed(ix, 0)->late, 1);
	T_EQ(capindex_feed(ix, 0)->seq_min, 3);
	T_EQ(capindex_feed(ix, 0)->seq_max, 12);
	T_EQ(capindex_feed(ix, 0)->seq_msg_packets, 4);
	T_EQ(capindex_hdr(ix)->span_start_ns, T0);
	T_EQ(capindex_hdr(ix)->span_end_ns, T0 + 1000);
	capindex_free(ix);
	capindex_build_free(b);
}

/* MoldUDP64 to group 239.1.1.g: session ten times s, count messages of one byte from seq. */
static uint32_t mold_frame(uint8_t *f, unsigned int g, char s, uint64_t seq, uint16_t count)
{
	uint32_t n = udp_frame(f, g, 0, 16 + 3u * count), k;
	uint8_t *p = f + 42;

	memset(p, s, 10);
	for (k = 0; k < 8; k++)
		p[10 + k] = (uint8_t)(seq >> (56 - 8 * k));
	p[18] = (uint8_t)(count >> 8), p[19] = (uint8_t)count;
	for (k = 0; k < count; k++)
		p[20 + 3 * k] = 0, p[21 + 3 * k] = 1, p[22 + 3 * k] = (uint8_t)k;
	return n;
}

/* An index of b's packets so far, parsed (the identity: this program's). */
static struct capindex *built(struct capindex_build *b, uint8_t **buf, size_t *len)
{
	struct capindex *ix;
	char why[256];
	int fd = open("/proc/self/exe", O_RDONLY);

	T_ASSERT(fd >= 0);
	T_EQ(capindex_build_encode(b, fd, buf, len), 0);
	close(fd);
	if (capindex_parse(*buf, *len, &ix, why, sizeof(why)))
		T_FAIL("own index refused: %s", why);
	return ix;
}

/* Feed k of ix changed by change(), encoded again: refused by the parser. */
static void refused(const struct capindex *ix, unsigned int k,
		    void (*change)(struct capindex_feed *))
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	struct capindex_feed feeds[4];
	struct capindex_iface ifs[4];
	struct capindex_pos pos[64];
	struct capindex *bad = NULL;
	char why[256] = "";
	uint8_t *buf;
	size_t len;
	uint32_t i;

	T_ASSERT(h->nfeeds <= 4 && h->nifaces <= 4 && h->npos <= 64);
	for (i = 0; i < h->nfeeds; i++)
		feeds[i] = *capindex_feed(ix, i);
	for (i = 0; i < h->nifaces; i++)
		ifs[i] = *capindex_iface(ix, i);
	for (i = 0; i < h->npos; i++)
		pos[i] = *capindex_pos(ix, i);
	change(&feeds[k]);
	T_EQ(capindex_encode(h, ifs, feeds, pos, &buf, &len), 0);
	T_EQ(capindex_parse(buf, len, &bad, why, sizeof(why)), -EBADMSG);
	T_ASSERT(bad == NULL && strstr(why, "malformed"));
	free(buf);
}

static void no_change_of_session(struct capindex_feed *f)
{
	f->sessions = 0;
}

static void first_session_too_long(struct capindex_feed *f)
{
	f->first_session_len = sizeof(f->first_session) + 1;
}

static void first_session_not_decoded(struct capindex_feed *f)
{
	f->first_session_len = 1;
}

/*
 * The first session and the last: a file that starts in session A and
 * changes to B has its first number in A and its last in B; without a
 * change both are the same; a parser refuses an index that says otherwise.
 */
static void test_sessions(void)
{
	static const struct {
		char s;
		uint64_t seq;
		uint16_t count;
	} pk[] = { { 'A', 105, 2 }, { 'A', 107, 1 }, { 'B', 1, 3 }, { 'B', 6, 1 } };
	struct capindex_build *b;
	const struct capindex_feed *f, *g;
	struct capindex *ix;
	struct ring_feed fd[2];
	struct seqdec dec;
	uint8_t fr[256], *buf;
	size_t len;
	uint32_t i, n;

	T_ASSERT(capindex_build_new(&b) == 0);
	feed_def(&fd[0], "mold", 1);
	feed_def(&fd[1], "still", 2);
	capindex_build_begin(b);
	capindex_build_feeds(b, fd, 2);
	T_EQ(seqdec_parse("moldudp64", &dec), 0);
	capindex_build_set_proto(b, 0, &dec);
	capindex_build_set_proto(b, 1, &dec);
	for (i = 0; i < 4; i++) {
		n = mold_frame(fr, 1, pk[i].s, pk[i].seq, pk[i].count);
		add_packet(b, i * 100u, T0 + i, fr, n);
		n = mold_frame(fr, 2, 'C', 10 + i, 1);
		add_packet(b, i * 100u + 50, T0 + i, fr, n);
	}
	ix = built(b, &buf, &len);
	free(buf);
	f = capindex_feed(ix, 0);
	T_EQ(f->seq_packets, 4);
	T_EQ(f->sessions, 1);
	T_EQ(f->seq_first, 105);
	T_EQ(f->first_session_len, 10);
	T_ASSERT(!memcmp(f->first_session, "AAAAAAAAAA", 10));
	T_EQ(f->seq_last, 6);
	T_EQ(f->session_len, 10);
	T_ASSERT(!memcmp(f->session, "BBBBBBBBBB", 10));
	T_EQ(f->gaps, 1); /* 4..5 in session B */
	g = capindex_feed(ix, 1);
	T_EQ(g->sessions, 0);
	T_EQ(g->seq_first, 10);
	T_EQ(g->seq_last, 13);
	T_EQ(g->first_session_len, 10);
	T_ASSERT(!memcmp(g->first_session, "CCCCCCCCCC", 10));
	T_ASSERT(!memcmp(g->session, "CCCCCCCCCC", 10));
	/* what the index says of its sessions must hold together */
	refused(ix, 0, no_change_of_session);
	refused(ix, 1, first_session_too_long);
	capindex_free(ix);

	/* no packet decoded: no first session */
	capindex_build_begin(b);
	capindex_build_feeds(b, fd, 1);
	ix = built(b, &buf, &len);
	free(buf);
	T_EQ(capindex_feed(ix, 0)->seq_packets, 0);
	T_EQ(capindex_feed(ix, 0)->first_session_len, 0);
	refused(ix, 0, first_session_not_decoded);
	capindex_free(ix);
	capindex_build_free(b);
}

/* Frame fr of n bytes with `at` bytes (a VLAN tag, IP options) put in at off. */
static uint32_t insert(uint8_t *fr, uint32_t n, uint32_t off, const uint8_t *at, uint32_t len)
{
	memmove(fr + off + len, fr + off, n - off);
	memcpy(fr + off, at, len);
	return n + len;
}

/*
 * The usual frame (Ethernet, IPv4 without options, UDP) is read by a short
 * path, any other by frame_decode(): the same datagram in other frames
 * counts the same; a datagram that is not all there is not decoded.
 */
static void test_frame_forms(void)
{
	static const uint8_t vlan[4] = { 0x81, 0x00, 0x00, 0x07 }, opt[4] = { 1, 1, 1, 0 };
	struct capindex_build *b;
	const struct capindex_feed *f;
	struct capindex *ix;
	struct ring_feed fd;
	struct seqdec dec;
	uint8_t fr[256], *buf;
	uint32_t form, i, n;
	size_t len;

	T_ASSERT(capindex_build_new(&b) == 0);
	feed_def(&fd, "mold", 1);
	T_EQ(seqdec_parse("moldudp64", &dec), 0);
	for (form = 0; form < 7; form++) {
		capindex_build_begin(b);
		capindex_build_feeds(b, &fd, 1);
		capindex_build_set_proto(b, 0, &dec);
		for (i = 0; i < 3; i++) {
			n = mold_frame(fr, 1, 'S', 100 + 2 * i, 2);
			if (form == 1) /* a VLAN tag */
				n = insert(fr, n, 12, vlan, sizeof(vlan));
			if (form == 2) { /* IPv4 options: 24 bytes of header */
				n = insert(fr, n, 34, opt, sizeof(opt));
				fr[14] = 0x46;
			}
			if (form == 3) { /* Ethernet padding: not payload */
				memset(fr + n, 0xee, 6);
				n += 6;
			}
			if (form == 4) /* a fragment after the first: no UDP header */
				fr[21] = 0x10;
			if (form == 5) /* cut inside the UDP header */
				n = 14 + 20 + 6;
			if (form == 6) /* not IPv4 after all */
				fr[14] = 0x55;
			add_packet(b, i * 100u, T0 + i, fr, n);
		}
		ix = built(b, &buf, &len);
		free(buf);
		f = capindex_feed(ix, 0);
		T_EQ(f->packets, form == 6 ? 0 : 3);
		T_EQ(capindex_hdr(ix)->unattributed, form == 6 ? 3 : 0);
		T_EQ(f->seq_undecodable, 0);
		if (form <= 3) {
			T_EQ(f->seq_packets, 3);
			T_EQ(f->seq_first, 100);
			T_EQ(f->seq_last, 105);
			T_EQ(f->seq_min, 100);
			T_EQ(f->seq_max, 105);
			T_EQ(f->gaps, 0);
		} else {
			T_EQ(f->seq_packets, 0);
		}
		capindex_free(ix);
	}
	capindex_build_free(b);
}

static void pause_too_short(struct capindex_feed *f)
{
	f->pause[3].to_ns = f->pause[3].from_ns + CAPINDEX_PAUSE_NS - 1;
}

static void pauses_swapped(struct capindex_feed *f)
{
	struct capindex_pause a = f->pause[3];

	f->pause[3] = f->pause[4];
	f->pause[4] = a;
}

/*
 * Pauses: silences of at least CAPINDEX_PAUSE_NS between a feed's packets
 * listed in time order, CAPINDEX_PAUSES_MAX of them and all counted; a
 * late packet splits the pause it falls in, or trims or removes it; a
 * listed pause that is out of order or too short is refused on reading.
 */
static void test_pauses(void)
{
	const uint64_t P = CAPINDEX_PAUSE_NS, MS = 1000000;
	struct capindex_build *b;
	const struct capindex_feed *c;
	struct capindex *ix;
	struct ring_feed fd;
	uint8_t f[256], *buf;
	uint64_t t = T0, off = 0;
	size_t len;
	uint32_t i, n;

	T_ASSERT(capindex_build_new(&b) == 0);
	feed_def(&fd, "p", 1);
	capindex_build_begin(b);
	capindex_build_feeds(b, &fd, 1);
	n = udp_frame(f, 1, 1, 0);
	add_packet(b, off += 100, t, f, n);
	add_packet(b, off += 100, t += P - 1, f, n);	      /* 99.999999 ms: no pause */
	add_packet(b, off += 100, t += P, f, n);	      /* a pause (1) */
	add_packet(b, off += 100, t += 3 * P, f, n);	      /* a pause (2) of 300 ms */
	add_packet(b, off += 100, t - 2 * P, f, n);	      /* late: splits (2) in two */
	add_packet(b, off += 100, t += 5 * P, f, n);	      /* a pause (3) of 500 ms */
	add_packet(b, off += 100, t - 5 * P + 50 * MS, f, n); /* late: trims (3) at its start */
	add_packet(b, off += 100, t += 2 * P, f, n);	      /* a pause (4) of 200 ms */
	add_packet(b, off += 100, t - P, f, n);		      /* late: leaves two of 100 ms */
	add_packet(b, off += 100, t += 2 * P - 1, f, n);      /* a pause (5) of 199.999999 ms */
	add_packet(b, off += 100, t - P, f, n);		      /* late: leaves 100 and 99.999999 */
	for (i = 0; i < CAPINDEX_PAUSES_MAX; i++)	      /* more than the list holds */
		add_packet(b, off += 100, t += P, f, n);
	ix = built(b, &buf, &len);
	c = capindex_feed(ix, 0);
	t = T0 + P - 1;
	T_EQ(c->npauses, CAPINDEX_PAUSES_MAX);
	T_EQ(c->pauses, 7 + CAPINDEX_PAUSES_MAX);
	T_EQ(c->pause[0].from_ns, t);
	T_EQ(c->pause[0].to_ns, t + P);
	T_EQ(c->pause[1].from_ns, t + P);
	T_EQ(c->pause[1].to_ns, t + 2 * P);
	T_EQ(c->pause[2].from_ns, t + 2 * P);
	T_EQ(c->pause[2].to_ns, t + 4 * P);
	T_EQ(c->pause[3].from_ns, t + 4 * P + 50 * MS);
	T_EQ(c->pause[3].to_ns, t + 9 * P);
	T_EQ(c->pause[4].to_ns, t + 10 * P);
	T_EQ(c->pause[5].from_ns, t + 10 * P);
	T_EQ(c->pause[5].to_ns, t + 11 * P);
	T_EQ(c->pause[6].from_ns, t + 12 * P - 1);
	T_EQ(c->pause[6].to_ns, t + 13 * P - 1);
	T_EQ(c->pause[7].from_ns, t + 13 * P - 1);
	/* a listed pause too short, then two out of order: refused */
	refused(ix, 0, pause_too_short);
	refused(ix, 0, pauses_swapped);
	capindex_free(ix);
	free(buf);
	capindex_build_free(b);
}

int main(void)
{
	const char *dir = t_tmpdir("test_capindex");

	test_live_equals_rebuild(dir, true);
	test_live_equals_rebuild(dir, false);
	test_round_trip(dir);
	test_corruption(dir);
	test_stale(dir);
	test_bounds();
	test_seq_bounds();
	test_sessions();
	test_frame_forms();
	test_pauses();
	return T_EXIT_PASS;
}
