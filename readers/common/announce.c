// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "announce.h"
#include "clock_ns.h"
#include "file_replace.h"
#include "readopt.h"
#include "reader_status.h"

#define ANNOUNCE_INTERVAL_NS 250000000ull
#define ANNOUNCE_CHECK_CALLS 16

struct announce {
	const struct ringsrc *src;
	unsigned int nfiles;
	unsigned int calls;
	uint64_t last_ns; /* CLOCK_MONOTONIC of the last write */
	char files[READER_STATUS_MAX_RINGS][RING_RUN_DIR_LEN + 64];
	bool tagged[READER_STATUS_MAX_RINGS]; /* files[i] is PID.TAG.status */
	char note[RING_RUN_DIR_LEN + 192];    /* why one is */
	struct reader_status st;
};

static void write_status(FILE *f, const void *ctx)
{
	reader_status_format(f, ctx);
}

/*
 * The directory is shared by the ring's group and sticky: a member may
 * have put a file of its own (or a directory, a link) at a reader's name
 * before the reader came, and nobody but its owner can remove it.  The
 * reader then writes PID.TAG.status, a name nobody can have guessed
 * (true; *uid: whose the file at PID.status is).
 */
static bool announce_retag(struct announce *a, unsigned int i, uid_t *uid)
{
	char *name = strrchr(a->files[i], '/') + 1;
	size_t left = sizeof(a->files[i]) - (size_t)(name - a->files[i]);
	struct stat st;
	uint64_t tag;

	if (a->tagged[i] || lstat(a->files[i], &st) < 0 ||
	    (S_ISREG(st.st_mode) && st.st_uid == geteuid()))
		return false;
	if (getrandom(&tag, sizeof(tag), 0) != (ssize_t)sizeof(tag))
		return false;
	snprintf(name, left, "%d.%0*" PRIx64 READER_STATUS_SUFFIX, (int)getpid(),
		 READER_STATUS_TAG_LEN, tag);
	a->tagged[i] = true;
	*uid = st.st_uid;
	return true;
}

/* Refresh the ring lines and write every file; the first error is
 * returned, and the file it came from in *failed. */
static int announce_write(struct announce *a, unsigned int *failed)
{
	unsigned int i;
	int r, err = 0;

	a->st.updated_ns = clock_ns(CLOCK_REALTIME);
	for (i = 0; i < a->st.nrings; i++) {
		const struct ring_reader *rd = ringsrc_reader(a->src, i);
		struct reader_status_ring *rs = &a->st.rings[i];
		uint64_t next;

		ringsrc_position(a->src, i, &next, &rs->last_ts);
		rs->next_seq = next == RING_SEQ_UNKNOWN ? READER_STATUS_SEQ_UNKNOWN : next;
		rs->generation = rd->generation;
		rs->position = rd->pos;
		rs->records = rd->records;
		rs->lost = rd->lost;
		rs->laps = rd->laps;
		ringsrc_ring_end(a->src, i, &rs->ring_seq, &rs->ring_pos, &rs->ring_ts);
	}
	for (i = 0; i < a->nfiles; i++) {
		char taken[sizeof(a->files[i])];
		uid_t uid;

		r = file_replace(a->files[i], 0644, false, write_status, &a->st);
		if (r < 0 && !a->tagged[i]) {
			memcpy(taken, a->files[i], sizeof(taken));
			if (announce_retag(a, i, &uid)) {
				r = file_replace(a->files[i], 0644, false, write_status, &a->st);
				if (r == 0 && !a->note[0]) {
					snprintf(a->note, sizeof(a->note),
						 "%s is held by uid %u, not by this reader: "
						 "announced as %s",
						 taken, (unsigned int)uid,
						 strrchr(a->files[i], '/') + 1);
					r = -EEXIST;
				}
			}
		}
		if (r < 0 && !err) {
			err = r;
			*failed = i;
		}
	}
	a->last_ns = clock_ns(CLOCK_MONOTONIC);
	return err;
}

/* RUN_DIR/readers/PID.status of ring i, if capd set that directory up. */
static int status_path(const struct ringsrc *src, unsigned int i, char *buf, size_t len)
{
	const struct ring_hdr *h = ringsrc_hdr(src, i);
	char dir[RING_RUN_DIR_LEN];
	struct stat st;

	memcpy(dir, h->run_dir, sizeof(dir));
	if (!dir[0] || memchr(dir, '\0', sizeof(dir)) == NULL)
		return -ENOENT;
	if ((size_t)snprintf(buf, len, "%s/" RING_READERS_SUBDIR, dir) >= len)
		return -ENAMETOOLONG;
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOENT;
	snprintf(buf + strlen(buf), len - strlen(buf), "/%d" READER_STATUS_SUFFIX, (int)getpid());
	return 0;
}

int announce_open(struct announce **ret, const struct ringsrc *src, const char *program, int argc,
		  char **argv, char *err, size_t errlen)
{
	struct announce *a;
	char *cmd;
	unsigned int i, j, n = ringsrc_count(src);
	int r;

	*ret = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->src = src;
	a->st.pid = (int32_t)getpid();
	a->st.started_ns = clock_ns(CLOCK_REALTIME);
	snprintf(a->st.program, sizeof(a->st.program), "%s", program);
	cmd = readopt_expr(argc, argv, 0);
	if (cmd)
		snprintf(a->st.command, sizeof(a->st.command), "%s", cmd);
	free(cmd);
	for (i = 0; i < n && i < READER_STATUS_MAX_RINGS; i++) {
		char *real = realpath(ringsrc_path(src, i), NULL);

		/* capctl compares paths: both sides resolve them. */
		snprintf(a->st.rings[i].path, sizeof(a->st.rings[i].path), "%s",
			 real ? real : ringsrc_path(src, i));
		free(real);
		a->st.nrings++;
		if (status_path(src, i, a->files[a->nfiles], sizeof(a->files[0])) < 0)
			continue;
		for (j = 0; j < a->nfiles; j++)
			if (!strcmp(a->files[j], a->files[a->nfiles]))
				break;
		if (j == a->nfiles)
			a->nfiles++;
	}
	*ret = a;
	r = announce_write(a, &i);
	if (r == -EEXIST && a->note[0])
		snprintf(err, errlen, "%s", a->note);
	else if (r < 0)
		snprintf(err, errlen, "%s: %s: capctl status will not list this reader",
			 a->files[i], strerror(-r));
	return r;
}

void announce_update(struct announce *a, bool idle)
{
	if (!a || !a->nfiles)
		return;
	if (!idle && ++a->calls < ANNOUNCE_CHECK_CALLS)
		return;
	a->calls = 0;
	if (clock_ns(CLOCK_MONOTONIC) - a->last_ns >= ANNOUNCE_INTERVAL_NS)
		announce_write(a, &(unsigned int){ 0 });
}

void announce_archive(struct announce *a, const struct reader_status_archive *ar)
{
	if (!a)
		return;
	a->st.archive = *ar;
	if (a->nfiles)
		announce_write(a, &(unsigned int){ 0 });
}

void announce_close(struct announce *a)
{
	unsigned int i;

	if (!a)
		return;
	for (i = 0; i < a->nfiles; i++)
		unlink(a->files[i]);
	free(a);
}
