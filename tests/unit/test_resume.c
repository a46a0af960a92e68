// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_resume: capdump's --resume state (readers/capdump/resume.c).  The
 * state file: a round trip, a version 1 file, and malformed ones refused.
 * Finishing the temporary file a killed recorder left: cut at the saved
 * offset and ended; gone, empty, a link, a FIFO, another file's name; and
 * cut short (a power loss) at every length, zstd, pcapng and pcap alike:
 * the result is always a valid file holding whole packets only, all those
 * up to the last flush that survived, and the packets missing are counted.
 * The tracker of ring positions by output mark.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "pcapng.h"
#include "resume.h"
#include "test.h"

#define NPK	 1200
#define FLUSH_PK 200 /* packets between flushes: more than a zstd block */

static const char *dir;
static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A capture as capdump writes it: headers, then packets; where each
 * record ends (ends[0]: the headers), and flushes every FLUSH_PK packets. */
struct capture {
	int pcap;
	uint8_t *buf;
	size_t len;
	size_t shb; /* pcapng: the SHB alone, a valid file too */
	size_t ends[NPK + 1];
};

static void make_capture(struct capture *c, int pcap)
{
	static uint8_t pkt[1600];
	size_t cap = (NPK + 4) * 1700, i, n;

	c->pcap = pcap;
	c->buf = malloc(cap);
	T_ASSERT(c->buf);
	if (pcap) {
		c->len = pcap_file_header(c->buf, cap, 65535, 1);
	} else {
		c->len = pcapng_shb(c->buf, cap, &(struct pcapng_shb_info){ .userappl = "test" });
		c->shb = c->len;
		c->len += pcapng_idb(c->buf + c->len, cap - c->len,
				     &(struct pcapng_idb_info){ .linktype = 1, .snaplen = 65535 });
	}
	c->ends[0] = c->len;
	for (i = 1; i <= NPK; i++) {
		uint32_t caplen = 60 + (uint32_t)(xorshift() % 1400);

		for (n = 0; n < caplen; n++)
			pkt[n] = (uint8_t)(n % 7 ? i + n : xorshift());
		if (pcap)
			n = pcap_record(c->buf + c->len, cap - c->len, i * 1000, caplen, caplen,
					pkt);
		else
			n = pcapng_epb(c->buf + c->len, cap - c->len,
				       &(struct pcapng_epb_info){ .ts = i * 1000,
								  .caplen = caplen,
								  .wirelen = caplen,
								  .data = pkt,
								  .queue = UINT32_MAX,
								  .packetid = PCAPNG_ABSENT });
		T_ASSERT(n);
		c->len += n;
		c->ends[i] = c->len;
	}
}

/* The file of a recorder killed after packet `upto`, its last flush after
 * packet `flushed` (multiples of FLUSH_PK): what is on file, and the offset
 * of that flush. */
static void write_part(const char *path, const struct capture *c, int zstd, size_t flushed,
		       size_t upto, uint64_t *offset)
{
	size_t cap = ZSTD_compressBound(c->len) + 4096, i, len = 0;
	uint8_t *out = malloc(cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	int fd;

	T_ASSERT(out && cc);
	*offset = 0;
	if (!zstd) {
		memcpy(out, c->buf, c->ends[upto]);
		len = c->ends[upto];
		*offset = c->ends[flushed];
	} else {
		T_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 1)));
		T_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 0)));
		T_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0)));
		for (i = 0; i <= upto; i++) {
			size_t from = i ? c->ends[i - 1] : 0;
			ZSTD_inBuffer in = { c->buf + from, c->ends[i] - from, 0 };
			ZSTD_outBuffer o = { out, cap, len };
			ZSTD_EndDirective op = i % FLUSH_PK ? ZSTD_e_continue : ZSTD_e_flush;
			size_t r;

			do {
				r = ZSTD_compressStream2(cc, &o, &in, op);
				T_ASSERT(!ZSTD_isError(r));
			} while (op == ZSTD_e_continue ? in.pos < in.size : r != 0);
			len = o.pos;
			if (i == flushed)
				*offset = len;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && write(fd, out, len) == (ssize_t)len && !close(fd));
	ZSTD_freeCCtx(cc);
	free(out);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	T_ASSERT(fd >= 0 && !fstat(fd, &st));
	p = malloc((size_t)st.st_size + 1);
	T_ASSERT(p && read(fd, p, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* The finished file: one complete frame (zstd), its content a prefix of
 * the capture that ends at a record's end.  @return the packets in it. */
static size_t check_finished(const char *path, const struct capture *c, int zstd)
{
	size_t flen, len, i;
	uint8_t *f = read_all(path, &flen), *d = f;

	len = flen;
	if (zstd) {
		ZSTD_DCtx *dc = ZSTD_createDCtx();
		size_t cap = c->len + 1;
		ZSTD_inBuffer in = { f, flen, 0 };
		ZSTD_outBuffer o;
		size_t r;

		d = malloc(cap);
		T_ASSERT(d && dc);
		o = (ZSTD_outBuffer){ d, cap, 0 };
		r = ZSTD_decompressStream(dc, &o, &in);
		if (ZSTD_isError(r))
			T_FAIL("%s: %s", path, ZSTD_getErrorName(r));
		T_EQ(r, 0);	    /* a complete frame... */
		T_EQ(in.pos, flen); /* ... and nothing after it */
		len = o.pos;
		ZSTD_freeDCtx(dc);
		free(f);
	}
	T_ASSERT(len <= c->len && !memcmp(d, c->buf, len));
	for (i = 0; i <= NPK && c->ends[i] != len; i++)
		;
	if (i > NPK && c->shb && len == c->shb)
		i = 0;
	else if (i > NPK)
		T_FAIL("%s: %zu bytes, not at the end of a record", path, len);
	free(d);
	return i;
}

static void paths(char *part, char *final, const char *name)
{
	snprintf(final, RESUME_PATH_MAX, "%s/%s", dir, name);
	snprintf(part, RESUME_PATH_MAX, "%s/.%s.part", dir, name);
}

static void state_for(struct resume_state *s, const char *part, const char *final, int zstd,
		      int pcap, uint64_t offset, uint64_t packets)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->part, sizeof(s->part), "%s", part);
	snprintf(s->final, sizeof(s->final), "%s", final);
	s->offset = offset;
	s->packets = packets;
	s->compressed = zstd;
	s->pcap = pcap;
}

/* Killed after a flush: the file ends at that flush, whatever came after. */
static void test_finish(int zstd, int pcap)
{
	char part[RESUME_PATH_MAX], final[RESUME_PATH_MAX];
	struct resume_finished f;
	struct resume_state s;
	struct capture c;
	uint64_t off;

	make_capture(&c, pcap);
	paths(part, final, zstd ? "a.pcapng.zst" : "a.pcapng");
	write_part(part, &c, zstd, 5 * FLUSH_PK, 5 * FLUSH_PK + 17, &off);
	state_for(&s, part, final, zstd, pcap, off, 5 * FLUSH_PK);
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(!strcmp(f.name, final) && !f.removed && !f.missing && !f.lost);
	T_EQ(check_finished(final, &c, zstd), 5 * FLUSH_PK);
	/* Done already: nothing to do again. */
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(!f.name[0] && !f.removed);
	/* Again, with the final name taken: NAME-1.EXT. */
	write_part(part, &c, zstd, 2 * FLUSH_PK, 3 * FLUSH_PK, &off);
	s.offset = off;
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(strstr(f.name, "a-1.pcapng"));
	T_EQ(check_finished(f.name, &c, zstd), 2 * FLUSH_PK);
	T_ASSERT(!unlink(f.name) && !unlink(final));
	free(c.buf);
}

/*
 * Cut short at every length below the saved offset: a valid file of whole
 * packets, at least all those of the last flush within the cut, and
 * kept + lost = the state's packets; removed only if its first block is
 * not whole.
 */
static void test_short(int zstd, int pcap)
{
	char part[RESUME_PATH_MAX], final[RESUME_PATH_MAX];
	size_t flushed = 5 * FLUSH_PK, want, got, k;
	struct resume_finished f;
	struct resume_state s;
	struct capture c;
	uint64_t off, cut, step, offs[NPK / FLUSH_PK + 1];
	struct stat st;

	make_capture(&c, pcap);
	paths(part, final, zstd ? "s.pcapng.zst" : "s.pcapng");
	/* Where each flush ends in the file, for what must survive a cut. */
	for (k = 0; k * FLUSH_PK <= flushed; k++)
		write_part(part, &c, zstd, k * FLUSH_PK, k * FLUSH_PK, &offs[k]);
	write_part(part, &c, zstd, flushed, flushed, &off);
	step = off / 300 + 1;
	for (cut = 0; cut < off; cut += step + (cut & 3)) {
		write_part(part, &c, zstd, flushed, flushed, &off);
		T_ASSERT(!truncate(part, (off_t)cut));
		state_for(&s, part, final, zstd, pcap, off, flushed);
		T_EQ(resume_finish_part(&s, &f), 0);
		T_EQ(f.missing, off - cut);
		T_EQ(f.kept + f.lost, flushed);
		for (want = 0, k = 0; k * FLUSH_PK <= flushed; k++)
			if (offs[k] <= cut)
				want = k * FLUSH_PK;
		if (f.removed) {
			T_ASSERT(lstat(part, &st) && lstat(final, &st));
			T_EQ(f.kept, 0);
			/* Nothing whole: not even the headers (flush 0). */
			T_ASSERT(offs[0] > cut || !zstd);
			T_ASSERT(cut < c.ends[0] || zstd);
			continue;
		}
		T_ASSERT(!strcmp(f.name, final));
		got = check_finished(final, &c, zstd);
		T_EQ(got, f.kept);
		if (got < want)
			T_FAIL("cut at %llu of %llu: kept %zu packets, the flush within it had %zu",
			       (unsigned long long)cut, (unsigned long long)off, got, want);
		T_ASSERT(!unlink(final));
	}
	free(c.buf);
}

static void test_refused(void)
{
	char part[RESUME_PATH_MAX], final[RESUME_PATH_MAX], other[RESUME_PATH_MAX];
	struct resume_finished f;
	struct resume_state s;
	struct stat st;
	int fd;

	paths(part, final, "r.pcapng");
	snprintf(other, sizeof(other), "%s/victim", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && write(fd, "0123456789", 10) == 10 && !close(fd));

	/* A part that is not final's temporary name. */
	state_for(&s, other, final, 0, 0, 5, 0);
	T_EQ(resume_finish_part(&s, &f), -EINVAL);
	/* A link where the part was: not followed. */
	T_ASSERT(!symlink(other, part));
	state_for(&s, part, final, 0, 0, 5, 0);
	T_EQ(resume_finish_part(&s, &f), -ELOOP);
	T_ASSERT(!stat(other, &st) && st.st_size == 10);
	T_ASSERT(!unlink(part));
	/* A FIFO. */
	T_ASSERT(!mkfifo(part, 0600));
	T_EQ(resume_finish_part(&s, &f), -ENXIO);
	T_ASSERT(!unlink(part));
	/* Gone: renamed before the state was saved again. */
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(!f.name[0] && !f.removed);
	/* Nothing safe in it. */
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && write(fd, "xyz", 3) == 3 && !close(fd));
	s.offset = 0;
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(f.removed && lstat(part, &st) && lstat(final, &st));
	/* No part at all. */
	s.part[0] = s.final[0] = '\0';
	T_EQ(resume_finish_part(&s, &f), 0);
	T_ASSERT(!unlink(other));
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	T_ASSERT(fp && fputs(text, fp) >= 0 && !fclose(fp));
}

/* Not ours, or damaged. */
static const char *const bad_states[] = {
	"",
	"capdump-resume 3\n",
	"offset 5\ncapdump-resume 2\n",
	"capdump-resume 2\noffset -1\n",
	"capdump-resume 2\noffset 99999999999999999999999\n",
	"capdump-resume 2\noffset 12x\n",
	"capdump-resume 2\noffset\n",
	"capdump-resume 2\npart /d/.f.part\n",
	"capdump-resume 2\nfinal /d/f\n",
	"capdump-resume 2\nring 5 6\n",
	"capdump-resume 2\nring x 6 /r\n",
	"capdump-resume 2\nring 5 /r\n",
	"capdump-resume 1\nring 5\n",
	"capdump-resume 2\nring 5 6 /r", /* cut short */
};

static void test_state(void)
{
	char path[RESUME_PATH_MAX], text[8192], *big;
	struct resume_state s, t;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/state", dir);
	T_EQ(resume_load(path, &s), -ENOENT);
	memset(&s, 0, sizeof(s));
	snprintf(s.part, sizeof(s.part), "%s/.x y.pcapng.zst.part", dir);
	snprintf(s.final, sizeof(s.final), "%s/x y.pcapng.zst", dir);
	s.offset = 123456;
	s.packets = 789;
	s.compressed = 1;
	s.lost = 5;
	s.nrings = 2;
	snprintf(s.rings[0].path, sizeof(s.rings[0].path), "/dev/hugepages/capd/a b");
	s.rings[0].id = 1796540330909519882ULL;
	s.rings[0].next_seq = 42;
	snprintf(s.rings[1].path, sizeof(s.rings[1].path), "/r2");
	s.rings[1].next_seq = UINT64_MAX - 1;
	T_EQ(resume_save(path, &s, true), 0);
	T_EQ(resume_load(path, &t), 0);
	T_ASSERT(!strcmp(t.part, s.part) && !strcmp(t.final, s.final));
	T_EQ(t.offset, s.offset);
	T_EQ(t.packets, s.packets);
	T_EQ(t.compressed, 1);
	T_EQ(t.pcap, 0);
	T_EQ(t.lost, 5);
	T_EQ(t.nrings, 2);
	T_ASSERT(!strcmp(t.rings[0].path, s.rings[0].path) && t.rings[0].id == s.rings[0].id);
	T_ASSERT(t.rings[0].next_seq == 42 && t.rings[1].next_seq == UINT64_MAX - 1);
	T_ASSERT(!strcmp(t.rings[1].path, "/r2") && !t.rings[1].id);

	/* Version 1: rings by path, packets not known. */
	write_text(path, "capdump-resume 1\npart /d/.f.part\nfinal /d/f\noffset 10\n"
			 "compressed 1\nring 7 /dev/hugepages/capd/x y\n");
	T_EQ(resume_load(path, &t), 0);
	T_ASSERT(t.nrings == 1 && t.rings[0].next_seq == 7 && !t.rings[0].id);
	T_ASSERT(!strcmp(t.rings[0].path, "/dev/hugepages/capd/x y"));
	T_ASSERT(t.packets == UINT64_MAX && t.offset == 10);

	for (i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		write_text(path, bad_states[i]);
		if (resume_load(path, &t) != -EBADMSG)
			T_FAIL("accepted: \"%s\"", bad_states[i]);
	}
	/* Too many rings; a line too long. */
	snprintf(text, sizeof(text), "capdump-resume 2\n");
	for (i = 0; i <= RESUME_MAX_RINGS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "ring 1 2 /r%u\n", i);
	write_text(path, text);
	T_EQ(resume_load(path, &t), -EBADMSG);
	big = malloc(RESUME_PATH_MAX * 2 + 64);
	T_ASSERT(big);
	strcpy(big, "capdump-resume 2\npart /");
	memset(big + strlen(big), 'a', RESUME_PATH_MAX * 2 - 30);
	strcpy(big + RESUME_PATH_MAX * 2 - 7, "\n");
	write_text(path, big);
	T_EQ(resume_load(path, &t), -EBADMSG);
	free(big);
	T_ASSERT(!unlink(path));
}

static void test_track(void)
{
	static struct resume_track t;
	uint64_t m;

	resume_track_init(&t);
	T_ASSERT(t.next_seq[0] == RESUME_SEQ_UNKNOWN && t.next_seq[15] == RESUME_SEQ_UNKNOWN);
	/* Up to done: at once. */
	T_EQ(resume_track_add(&t, 0, 1, 9, 100), 0);
	T_ASSERT(t.next_seq[1] == 100 && t.id[1] == 9 && t.n == 0);
	/* Filtered records between two packets: one entry per ring and mark. */
	T_EQ(resume_track_add(&t, 1, 0, 7, 10), 0);
	T_EQ(resume_track_add(&t, 1, 0, 7, 11), 0);
	T_EQ(resume_track_add(&t, 1, 0, 7, 12), 0);
	T_EQ(t.n, 1);
	T_EQ(resume_track_add(&t, 2, 1, 9, 101), 0);
	T_EQ(resume_track_add(&t, 2, 0, 7, 13), 0);
	T_EQ(t.n, 3);
	resume_track_done(&t, 1);
	T_ASSERT(t.next_seq[0] == 12 && t.next_seq[1] == 100 && t.n == 2);
	resume_track_done(&t, 0); /* backwards: nothing */
	T_ASSERT(t.done == 1 && t.n == 2);
	resume_track_done(&t, 2);
	T_ASSERT(t.next_seq[0] == 13 && t.next_seq[1] == 101 && t.n == 0);
	/* Many pending, across growth and the ring buffer's wrap. */
	for (m = 3; m < 3 + 3000; m++)
		T_EQ(resume_track_add(&t, m, (unsigned int)(m % 3), m % 3, m * 10), 0);
	resume_track_done(&t, 2000);
	T_ASSERT(t.next_seq[0] == 1998 * 10 && t.next_seq[1] == 1999 * 10 &&
		 t.next_seq[2] == 2000 * 10);
	for (; m < 3 + 20000; m++)
		T_EQ(resume_track_add(&t, m, (unsigned int)(m % 5), 1, m * 10), 0);
	T_EQ(t.n, 3 + 20000 - 2001);
	resume_track_done(&t, 20000);
	T_ASSERT(t.next_seq[4] == 19999 * 10 && t.next_seq[0] == 20000 * 10);
	resume_track_done(&t, UINT64_MAX - 1);
	T_ASSERT(t.n == 0 && t.next_seq[2] == 20002 * 10);
	/* An entry's identity goes with it: a replaced ring. */
	T_EQ(resume_track_add(&t, UINT64_MAX, 3, 55, 0), 0);
	T_ASSERT(t.id[3] == 1);
	resume_track_done(&t, UINT64_MAX);
	T_ASSERT(t.id[3] == 55 && t.next_seq[3] == 0);
	resume_track_free(&t);
}

int main(void)
{
	int z, p;

	dir = t_tmpdir("test_resume");
	test_state();
	test_track();
	test_refused();
	for (z = 0; z < 2; z++)
		for (p = 0; p < 2; p++) {
			test_finish(z, p);
			test_short(z, p);
		}
	return T_EXIT_PASS;
}
