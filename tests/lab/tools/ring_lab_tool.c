// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_lab_tool.c - test-only CLI the lab scripts drive, so they exercise
 * lib/ring_file.c exactly as capd and the readers do:
 *
 *   create PATH SIZE GID MODE [RECORDS]   create the ring (GID -1 = keep),
 *                                         write RECORDS test records, close
 *   read PATH                             read and verify every record
 *   map-rw PATH                           try to get write access; exit 0
 *                                         only if the kernel refuses it all
 *
 * Exit status: 0 ok, 1 verification failed, 2 the ring call failed (the
 * ring_file_explain() text is on stderr), 3 a write mapping succeeded,
 * 64 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring_payload.h"
#include "ring_file.h"
#include "ring_layout.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "units.h"

#define EXIT_VERIFY   1
#define EXIT_RING     2
#define EXIT_WRITABLE 3
#define EXIT_USAGE    64
#define BATCH	      32

static int usage(void)
{
	fprintf(stderr, "usage: ring_lab_tool create PATH SIZE GID MODE [RECORDS]\n"
			"       ring_lab_tool read PATH\n"
			"       ring_lab_tool map-rw PATH\n");
	return EXIT_USAGE;
}

static int fail_ring(int err, const char *path, uint64_t size)
{
	char msg[512];

	fprintf(stderr, "%s\n", ring_file_explain(err, path, size, msg, sizeof(msg)));
	return EXIT_RING;
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || end == s || *end || *s == '-' ? -EINVAL : 0;
}

static int cmd_create(int argc, char **argv)
{
	struct ring_file_opts o = { .path = argv[2] };
	struct ring_writer w;
	struct ring_map m;
	uint64_t gid, mode, n = 0, i, first;
	int err;

	if (argc < 6 || argc > 7)
		return usage();
	if (units_parse_size(argv[3], &o.size) < 0) {
		fprintf(stderr, "bad size '%s'\n", argv[3]);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[4], "-1"))
		gid = (gid_t)-1;
	else if (parse_u64(argv[4], 10, &gid) < 0 || gid >= (gid_t)-1) {
		fprintf(stderr, "bad gid '%s'\n", argv[4]);
		return EXIT_USAGE;
	}
	if (parse_u64(argv[5], 8, &mode) < 0 || mode > 07777) {
		fprintf(stderr, "bad mode '%s' (octal)\n", argv[5]);
		return EXIT_USAGE;
	}
	if (argc == 7 && parse_u64(argv[6], 10, &n) < 0) {
		fprintf(stderr, "bad record count '%s'\n", argv[6]);
		return EXIT_USAGE;
	}
	o.gid = (gid_t)gid;
	o.mode = (mode_t)mode;

	err = ring_file_create(&o, &m);
	if (err < 0)
		return fail_ring(err, o.path, o.size);
	err = ring_writer_open(&w, m.mem, m.len, (uint32_t)getpid());
	if (err < 0) {
		ring_file_close(&m);
		return fail_ring(err, o.path, o.size);
	}
	first = w.seq;
	for (i = 0; i < n; i++) {
		uint64_t seq = w.seq;
		struct ring_rec *rec = ring_writer_reserve(&w, payload_caplen(seq));

		if (!rec) {
			fprintf(stderr, "%s: record of %u bytes does not fit a block\n", o.path,
				payload_caplen(seq));
			ring_writer_close(&w);
			ring_file_close(&m);
			return EXIT_RING;
		}
		payload_rec_fill(rec, seq);
		payload_fill((uint8_t *)(rec + 1), rec->caplen, seq);
		ring_writer_commit(&w, rec);
		if (i % BATCH == BATCH - 1)
			ring_writer_publish(&w);
	}
	ring_writer_close(&w);
	printf("created %s: %" PRIu64 " bytes, %u blocks of %u KiB, wrote %" PRIu64
	       " records (seq %" PRIu64 "..%" PRIu64 ")\n",
	       o.path, m.len, w.hdr->nblocks, w.hdr->block_size >> 10, n, first, w.seq - 1);
	ring_file_close(&m);
	return 0;
}

static int cmd_read(const char *path)
{
	uint64_t n = 0, bad = 0, first = RING_SEQ_UNKNOWN, last = 0;
	struct ring_reader r;
	struct ring_view v;
	struct ring_map m;
	uint8_t *buf;
	int err;

	err = ring_file_open_ro(path, &m);
	if (err < 0)
		return fail_ring(err, path, 0);
	err = ring_reader_open(&r, m.mem, m.len);
	if (err == 0)
		err = ring_reader_seek(&r, RING_SEEK_OLDEST, 0);
	if (err < 0) {
		ring_file_close(&m);
		return fail_ring(err, path, 0);
	}
	buf = malloc(r.max_caplen);
	if (!buf) {
		ring_file_close(&m);
		return EXIT_RING;
	}
	/* -EPIPE after the last record of a closed ring; -EAGAIN if the
	 * writer never closed it: either way, everything there was is read. */
	while ((err = ring_reader_peek(&r, &v)) == 0) {
		memcpy(buf, v.data, v.rec.caplen);
		if (ring_reader_release(&r) != 0)
			continue;
		if (first == RING_SEQ_UNKNOWN)
			first = v.rec.seq;
		last = v.rec.seq;
		n++;
		if (!payload_rec_ok(&v.rec) || payload_check(buf, v.rec.caplen, v.rec.seq) >= 0) {
			if (bad++ < 5)
				fprintf(stderr, "%s: record seq %" PRIu64 " is corrupt\n", path,
					v.rec.seq);
		}
	}
	free(buf);
	ring_file_close(&m);
	if (err != -EPIPE && err != -EAGAIN)
		return fail_ring(err, path, 0);
	printf("read %" PRIu64 " records", n);
	if (n)
		printf(" (seq %" PRIu64 "..%" PRIu64 ")", first, last);
	printf(", lost %" PRIu64 ", laps %" PRIu64 ", rejected %" PRIu64 ", corrupt %" PRIu64 "\n",
	       r.lost, r.laps, r.rejected, bad);
	return bad || r.rejected ? EXIT_VERIFY : 0;
}

/* Each way a reader could get write access must be refused by the kernel. */
static int cmd_map_rw(const char *path)
{
	struct stat st;
	int fd, writable = 0;
	void *mem;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		printf("open O_RDWR: succeeded\n");
		close(fd);
		writable = 1;
	} else {
		printf("open O_RDWR: refused: %s\n", strerror(errno));
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open O_RDONLY: refused: %s (no mapping possible)\n", strerror(errno));
		return writable ? EXIT_WRITABLE : 0;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		printf("fstat: %s\n", strerror(errno));
		close(fd);
		return EXIT_RING;
	}
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem != MAP_FAILED) {
		printf("mmap PROT_WRITE MAP_SHARED of O_RDONLY fd: succeeded\n");
		munmap(mem, (size_t)st.st_size);
		writable = 1;
	} else {
		printf("mmap PROT_WRITE MAP_SHARED of O_RDONLY fd: refused: %s\n", strerror(errno));
	}
	/* Upgrading a read-only mapping is the other road to the same pages. */
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (mem != MAP_FAILED) {
		if (mprotect(mem, (size_t)st.st_size, PROT_READ | PROT_WRITE) == 0) {
			printf("mprotect PROT_WRITE of a PROT_READ mapping: succeeded\n");
			writable = 1;
		} else {
			printf("mprotect PROT_WRITE of a PROT_READ mapping: refused: %s\n",
			       strerror(errno));
		}
		munmap(mem, (size_t)st.st_size);
	}
	close(fd);
	return writable ? EXIT_WRITABLE : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc, argv);
	if (argc != 3)
		return usage();
	if (!strcmp(argv[1], "read"))
		return cmd_read(argv[2]);
	if (!strcmp(argv[1], "map-rw"))
		return cmd_map_rw(argv[2]);
	return usage();
}
