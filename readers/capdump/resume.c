// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_replace.h"
#include "fname.h"
#include "resume.h"

#define RESUME_MAGIC "capdump-resume 1"

int resume_load(const char *path, struct resume_state *s)
{
	char line[4200], key[32], val[4096];
	FILE *f;
	int r = 0, magic = 0;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long n;

		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, RESUME_MAGIC)) {
			magic = 1;
			continue;
		}
		if (sscanf(line, "%31s %4095[^\n]", key, val) != 2)
			continue;
		if (!strcmp(key, "part"))
			snprintf(s->part, sizeof(s->part), "%s", val);
		else if (!strcmp(key, "final"))
			snprintf(s->final, sizeof(s->final), "%s", val);
		else if (!strcmp(key, "offset") && sscanf(val, "%llu", &n) == 1)
			s->offset = n;
		else if (!strcmp(key, "compressed"))
			s->compressed = atoi(val);
		else if (!strcmp(key, "ring") && s->nrings < RESUME_MAX_RINGS) {
			char p[4096];

			if (sscanf(val, "%llu %4095[^\n]", &n, p) != 2) {
				r = -EBADMSG;
				break;
			}
			s->rings[s->nrings].next_seq = n;
			snprintf(s->rings[s->nrings].path, sizeof(s->rings[0].path), "%s", p);
			s->nrings++;
		}
	}
	fclose(f);
	return r ? r : magic ? 0 : -EBADMSG;
}

static void write_state(FILE *f, const void *ctx)
{
	const struct resume_state *s = ctx;
	unsigned int i;

	fprintf(f, "%s\n", RESUME_MAGIC);
	if (s->part[0])
		fprintf(f, "part %s\nfinal %s\noffset %llu\ncompressed %d\n", s->part, s->final,
			(unsigned long long)s->offset, s->compressed);
	for (i = 0; i < s->nrings; i++)
		fprintf(f, "ring %llu %s\n", (unsigned long long)s->rings[i].next_seq,
			s->rings[i].path);
}

int resume_save(const char *path, const struct resume_state *s)
{
	/* The state must not claim more than is on disk: data first, then it. */
	return file_replace(path, 0644, true, write_state, s);
}

int resume_finish_part(const struct resume_state *s, char *out, size_t outlen)
{
	/* An empty raw block marked last ends a zstd frame (RFC 8878 3.1.1.2). */
	static const unsigned char last_block[3] = { 0x01, 0x00, 0x00 };
	struct stat st;
	int fd, r = 0;

	out[0] = '\0';
	if (!s->part[0] || stat(s->part, &st) < 0)
		return 0;
	fd = open(s->part, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((uint64_t)st.st_size < s->offset)
		r = -EBADMSG; /* shorter than what was flushed: not ours to fix */
	else if (ftruncate(fd, (off_t)s->offset) < 0)
		r = -errno;
	else if (s->compressed && s->offset &&
		 pwrite(fd, last_block, sizeof(last_block), (off_t)s->offset) !=
			 (ssize_t)sizeof(last_block))
		r = -errno;
	else if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (!r)
		r = fname_free(s->final, out, outlen);
	if (!r && rename(s->part, out) < 0)
		r = -errno;
	return r;
}
