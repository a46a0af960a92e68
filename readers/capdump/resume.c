// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "file_replace.h"
#include "fname.h"
#include "resume.h"
#include "zout.h"

#define RESUME_MAGIC	"capdump-resume 2"
#define RESUME_MAGIC_V1 "capdump-resume 1" /* rings by path only */

#define PCAPNG_SHB	   0x0a0d0d0au
#define PCAP_MAGIC_NS	   0xa1b23c4du
#define PCAP_MAGIC_US	   0xa1b2c3d4u
#define WALK_MAX_RECORD	   (16u << 20) /* far more than any block capdump writes */
#define ZSTD_MAGIC	   0xfd2fb528u
#define ZSTD_BLOCK_MAX	   (128u << 10) /* RFC 8878 3.1.1.2.4 */
#define ZSTD_FRAME_HDR_MAX 18u

/* Digits only, all of s, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EBADMSG;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end)
		return -EBADMSG;
	*v = n;
	return 0;
}

/* "NEXT_SEQ ID PATH" (version 2) or "NEXT_SEQ PATH" (version 1). */
static int parse_ring(char *val, int version, struct resume_state *s)
{
	char *f[2] = { NULL, NULL }, *p = val;
	int i, nf = version == 1 ? 1 : 2;

	if (s->nrings == RESUME_MAX_RINGS)
		return -EBADMSG;
	for (i = 0; i < nf; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (!p)
			return -EBADMSG;
		*p++ = '\0';
	}
	if (!*p || parse_u64(f[0], &s->rings[s->nrings].next_seq) ||
	    (nf == 2 && parse_u64(f[1], &s->rings[s->nrings].id)))
		return -EBADMSG;
	snprintf(s->rings[s->nrings].path, sizeof(s->rings[0].path), "%s", p);
	s->nrings++;
	return 0;
}

static int parse_line(char *line, int version, struct resume_state *s)
{
	char *val = strchr(line, ' ');
	uint64_t n;

	if (!val)
		return -EBADMSG;
	*val++ = '\0';
	if (!strcmp(line, "ring"))
		return parse_ring(val, version, s);
	if (!strcmp(line, "part") || !strcmp(line, "final")) {
		if (!*val)
			return -EBADMSG;
		snprintf(line[0] == 'p' ? s->part : s->final, RESUME_PATH_MAX, "%s", val);
		return 0;
	}
	if (parse_u64(val, &n))
		return -EBADMSG;
	if (!strcmp(line, "offset"))
		s->offset = n;
	else if (!strcmp(line, "packets"))
		s->packets = n;
	else if (!strcmp(line, "lost"))
		s->lost = n;
	else if (!strcmp(line, "compressed"))
		s->compressed = n != 0;
	else if (!strcmp(line, "pcap"))
		s->pcap = n != 0;
	/* Other keys: a later version's, not needed to resume. */
	return 0;
}

int resume_load(const char *path, struct resume_state *s)
{
	char line[RESUME_PATH_MAX + 64];
	int r = 0, version = 0;
	size_t len;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->packets = UINT64_MAX;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!r && fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (!len || line[len - 1] != '\n') {
			r = -EBADMSG; /* too long, or cut short */
			break;
		}
		line[len - 1] = '\0';
		if (!version) {
			if (!strcmp(line, RESUME_MAGIC))
				version = 2;
			else if (!strcmp(line, RESUME_MAGIC_V1))
				version = 1;
			else
				r = -EBADMSG;
			continue;
		}
		r = parse_line(line, version, s);
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	if (!r && (!version || !s->part[0] != !s->final[0]))
		r = -EBADMSG;
	return r;
}

static void write_state(FILE *f, const void *ctx)
{
	const struct resume_state *s = ctx;
	unsigned int i;

	fprintf(f, "%s\n", RESUME_MAGIC);
	if (s->part[0]) {
		fprintf(f, "part %s\nfinal %s\noffset %llu\ncompressed %d\npcap %d\n", s->part,
			s->final, (unsigned long long)s->offset, s->compressed, s->pcap);
		if (s->packets != UINT64_MAX)
			fprintf(f, "packets %llu\n", (unsigned long long)s->packets);
	}
	if (s->lost)
		fprintf(f, "lost %llu\n", (unsigned long long)s->lost);
	for (i = 0; i < s->nrings; i++)
		fprintf(f, "ring %llu %llu %s\n", (unsigned long long)s->rings[i].next_seq,
			(unsigned long long)s->rings[i].id, s->rings[i].path);
}

int resume_save(const char *path, const struct resume_state *s, bool durable)
{
	/* The data it describes were synced before (zout sync_flush). */
	int r = file_replace(path, 0644, true, write_state, s);

	return r || !durable ? r : file_sync_dir(path);
}

/* part is what zout names final's temporary file: ".NAME.part" beside it. */
static bool part_of(const char *part, const char *final)
{
	char want[RESUME_PATH_MAX + 8];

	return !zout_tmp_name(final, want, sizeof(want)) && !strcmp(part, want);
}

/*
 * The records of a capture file as its bytes come: pcapng blocks or, for
 * pcap, the file header then records.  cut is the end of the last complete
 * one, records the packets up to it.
 */
struct walk {
	bool pcap;
	bool started; /* pcap: past the file header */
	bool packet;  /* the record being walked is a packet */
	bool bad;
	uint8_t hdr[24];
	unsigned int hn, need; /* header bytes gathered, and wanted */
	uint64_t left;	       /* body bytes of the record still to come */
	uint64_t pos, cut, records;
};

static void walk_init(struct walk *w, bool pcap)
{
	memset(w, 0, sizeof(*w));
	w->pcap = pcap;
	w->need = pcap ? 24 : 8;
}

/* Its header is whole: how long the record is, or bad. */
static void walk_header(struct walk *w)
{
	uint32_t a, b;

	memcpy(&a, w->hdr, 4);
	memcpy(&b, w->hdr + (w->pcap ? 8 : 4), 4);
	if (w->pcap && !w->started) {
		w->started = true;
		w->bad = a != PCAP_MAGIC_NS && a != PCAP_MAGIC_US;
		w->left = 0;
		w->packet = false;
	} else if (w->pcap) {
		w->bad = b > WALK_MAX_RECORD;
		w->left = b;
		w->packet = true;
	} else {
		/* Written on this host, in its byte order; an SHB first. */
		w->bad = b < 12 || b % 4 || b > WALK_MAX_RECORD || (!w->pos && a != PCAPNG_SHB);
		w->left = b - 8;
		w->packet = a == 6 || a == 3 || a == 2; /* EPB, SPB, obsolete PB */
	}
}

static void walk_feed(struct walk *w, const uint8_t *p, size_t n)
{
	size_t k;

	while (!w->bad && (n || (w->hn == w->need && !w->left))) {
		if (w->hn < w->need) {
			k = w->need - w->hn < n ? w->need - w->hn : n;
			memcpy(w->hdr + w->hn, p, k);
			w->hn += (unsigned int)k;
			p += k;
			n -= k;
			if (w->hn < w->need)
				break;
			walk_header(w);
			w->pos += w->hn;
			continue;
		}
		k = w->left < n ? (size_t)w->left : n;
		w->left -= k;
		w->pos += k;
		p += k;
		n -= k;
		if (w->left)
			break;
		w->records += w->packet;
		w->cut = w->pos;
		w->hn = 0;
		w->need = w->pcap ? 16 : 8;
	}
}

/* Only whole records of a plain file: *cut, *kept. */
static int walk_plain(int fd, uint64_t size, bool pcap, uint64_t *cut, uint64_t *kept)
{
	static uint8_t buf[1u << 16];
	uint64_t off = 0;
	struct walk w;
	ssize_t n;

	walk_init(&w, pcap);
	while (off < size && !w.bad) {
		n = pread(fd, buf, size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf),
			  (off_t)off);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		walk_feed(&w, buf, (size_t)n);
		off += (uint64_t)n;
	}
	*cut = w.cut;
	*kept = w.records;
	return 0;
}

static size_t zstd_frame_header_size(uint8_t fhd)
{
	static const uint8_t did[4] = { 0, 1, 2, 4 }, fcs[4] = { 0, 2, 4, 8 };
	unsigned int single = fhd >> 5 & 1;

	return 4 + 1 + !single + did[fhd & 3] + (fhd >> 6 ? fcs[fhd >> 6] : single);
}

/*
 * Only whole records in whole blocks of a zstd frame: decompressed block
 * by block, a cut after a block that ends on a record's end.  A last block
 * ends the walk before it (the caller ends the frame again).
 */
static int walk_zstd(int fd, uint64_t size, bool pcap, uint64_t *cut, uint64_t *kept)
{
	static uint8_t in_buf[ZSTD_BLOCK_MAX + 3], out_buf[1u << 17];
	ZSTD_DStream *ds = ZSTD_createDStream();
	uint64_t off;
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	struct walk w;
	uint32_t magic, h, csize;
	size_t r;
	int err = 0;

	*cut = 0;
	*kept = 0;
	if (!ds)
		return -ENOMEM;
	walk_init(&w, pcap);
	if (size < 5 || pread(fd, in_buf, 5, 0) != 5)
		goto out;
	memcpy(&magic, in_buf, 4);
	off = zstd_frame_header_size(in_buf[4]);
	if (magic != ZSTD_MAGIC || off > size || pread(fd, in_buf, off, 0) != (ssize_t)off)
		goto out;
	in = (ZSTD_inBuffer){ in_buf, off, 0 };
	out = (ZSTD_outBuffer){ out_buf, sizeof(out_buf), 0 };
	if (ZSTD_isError(ZSTD_decompressStream(ds, &out, &in)))
		goto out;
	while (off + 3 <= size && !w.bad) {
		if (pread(fd, in_buf, 3, (off_t)off) != 3) {
			err = -errno;
			break;
		}
		h = in_buf[0] | in_buf[1] << 8 | (uint32_t)in_buf[2] << 16;
		csize = ((h >> 1) & 3) == 1 ? 1 : h >> 3;
		if ((h & 1) || ((h >> 1) & 3) == 3 || csize > ZSTD_BLOCK_MAX ||
		    off + 3 + csize > size)
			break;
		if (pread(fd, in_buf + 3, csize, (off_t)off + 3) != (ssize_t)csize) {
			err = -errno;
			break;
		}
		in = (ZSTD_inBuffer){ in_buf, 3 + (size_t)csize, 0 };
		do {
			out = (ZSTD_outBuffer){ out_buf, sizeof(out_buf), 0 };
			r = ZSTD_decompressStream(ds, &out, &in);
			if (ZSTD_isError(r))
				goto out;
			walk_feed(&w, out_buf, out.pos);
		} while (in.pos < in.size || out.pos == out.size);
		off += 3 + csize;
		if (!w.bad && w.cut && w.pos == w.cut) {
			*cut = off;
			*kept = w.records;
		}
	}
out:
	ZSTD_freeDStream(ds);
	return err;
}

int resume_finish_part(const struct resume_state *s, struct resume_finished *f)
{
	/* An empty raw block marked last ends a zstd frame (RFC 8878 3.1.1.2). */
	static const unsigned char last_block[3] = { 0x01, 0x00, 0x00 };
	uint64_t len = s->offset;
	struct stat st;
	int fd, r = 0;

	memset(f, 0, sizeof(*f));
	f->kept = s->packets;
	if (!s->part[0])
		return 0;
	if (!part_of(s->part, s->final))
		return -EINVAL;
	/* Not through a link: whoever planted one would choose what we cut. */
	fd = open(s->part, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -ENXIO;
	else if ((uint64_t)st.st_size < s->offset) {
		/* A power loss took what the disk had not written: keep what is whole. */
		f->missing = s->offset - (uint64_t)st.st_size;
		r = s->compressed ? walk_zstd(fd, (uint64_t)st.st_size, s->pcap, &len, &f->kept)
				  : walk_plain(fd, (uint64_t)st.st_size, s->pcap, &len, &f->kept);
		if (s->packets != UINT64_MAX && s->packets > f->kept)
			f->lost = s->packets - f->kept;
	}
	if (r)
		goto out;
	if (!len) {
		/* Nothing in it was safe, or nothing whole is left. */
		f->removed = true;
		f->kept = 0;
		if (unlink(s->part) < 0)
			r = -errno;
		goto out;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		r = -errno;
		goto out;
	}
	if (s->compressed) {
		ssize_t n = pwrite(fd, last_block, sizeof(last_block), (off_t)len);

		if (n != (ssize_t)sizeof(last_block)) {
			r = n < 0 ? -errno : -ENOSPC;
			goto out;
		}
	}
	if (fsync(fd) < 0) {
		r = -errno;
		goto out;
	}
	r = fname_free(s->final, f->name, sizeof(f->name));
	if (!r && rename(s->part, f->name) < 0)
		r = -errno;
	if (!r)
		r = file_sync_dir(f->name);
out:
	close(fd);
	if (r)
		f->name[0] = '\0';
	return r;
}

void resume_track_init(struct resume_track *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < RESUME_MAX_RINGS; i++)
		t->next_seq[i] = RESUME_SEQ_UNKNOWN;
}

static struct resume_track_ent *track_at(const struct resume_track *t, size_t i)
{
	return &t->ent[(t->head + i) % t->cap];
}

int resume_track_add(struct resume_track *t, uint64_t mark, unsigned int ring, uint64_t id,
		     uint64_t next_seq)
{
	struct resume_track_ent *e;
	size_t i, cap;

	if (ring >= RESUME_MAX_RINGS)
		return 0;
	if (mark <= t->done) {
		t->id[ring] = id;
		t->next_seq[ring] = next_seq;
		return 0;
	}
	/* Records filtered out between two packets come as one entry per ring. */
	if (t->n) {
		e = track_at(t, t->n - 1);
		if (e->mark == mark && e->ring == ring) {
			e->id = id;
			e->next_seq = next_seq;
			return 0;
		}
	}
	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 4096;
		e = malloc(cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		for (i = 0; i < t->n; i++)
			e[i] = *track_at(t, i);
		free(t->ent);
		t->ent = e;
		t->cap = cap;
		t->head = 0;
	}
	*track_at(t, t->n++) = (struct resume_track_ent){
		.mark = mark, .id = id, .next_seq = next_seq, .ring = ring
	};
	return 0;
}

void resume_track_done(struct resume_track *t, uint64_t mark)
{
	struct resume_track_ent *e;

	if (mark <= t->done)
		return;
	while (t->n && (e = track_at(t, 0))->mark <= mark) {
		t->id[e->ring] = e->id;
		t->next_seq[e->ring] = e->next_seq;
		t->head = (t->head + 1) % t->cap;
		t->n--;
	}
	t->done = mark;
}

void resume_track_free(struct resume_track *t)
{
	free(t->ent);
	t->ent = NULL;
	t->cap = t->n = t->head = 0;
}
