// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "clock_ns.h"
#include "zout.h"

#define ZOUT_BUF_SIZE (256u << 10) /* a multiple of ZOUT_ALIGN */

/* What the caller knows of the sink, as of the last sync point. */
struct zout_seen {
	int err;
	uint64_t out;
	uint64_t safe_in;
	uint64_t safe_out;
	uint64_t safe_mark;
};

struct zout {
	/*
	 * The sink: the file, the compressor and their counts.  Threaded, the
	 * thread has it while busy, the caller otherwise: lock hands it over.
	 */
	int fd;
	ZSTD_CCtx *cctx;      /* NULL: level 0 */
	unsigned int workers; /* zstd's threads, 0 = none */
	uint8_t *buf;	      /* output not yet written */
	size_t cap;
	size_t len;
	uint64_t in;
	uint64_t out;
	uint64_t mark;	  /* of the last write taken */
	uint64_t safe_in; /* in, out and mark at the last complete flush */
	uint64_t safe_out;
	uint64_t safe_mark;
	uint64_t flush_bytes;
	uint64_t flush_out; /* workers: flush after this much output too */
	uint64_t flush_ns;
	uint64_t last_flush;
	int err;
	/* The frame's block headers, walked as produced (see scan()). */
	uint64_t scanned;
	uint64_t blk_next;
	uint64_t blk_last; /* offset of the last block header seen, 0 = none */
	uint64_t safe_blk; /* ... at the last complete flush */
	uint8_t blk_hdr[3];
	uint8_t blk_hn;
	uint8_t blk_last_b0; /* first byte of that header */
	uint8_t safe_blk_b0;

	/* The caller's. */
	int dirfd;    /* -1: standard output, or a path written in place */
	bool own_fd;  /* ... the latter: fd is ours to close */
	bool regular; /* ... a regular file, through a symlink: salvaged in place */
	bool fsync;
	bool overwrite;
	bool sync_flush;
	uint64_t accepted;
	uint64_t next_mark; /* zout_mark() */
	struct zout_seen seen;
	uint8_t *stage; /* threaded: the batch being filled */
	uint8_t *spare; /* ... the thread's batch, or a free one */
	size_t stage_len;
	uint64_t stage_mark;
	pthread_t thread;
	bool threaded; /* the thread runs */

	/* The hand-over: under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const uint8_t *job;
	size_t job_len;
	uint64_t job_mark;
	bool busy;
	bool quit;

	const char *path;
	const char *base; /* final name within the directory */
	const char *tmp_path;
	const char *tmp_base;
	char names[];
};

static int zstd_errno(size_t r)
{
	return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? -ENOMEM : -EINVAL;
}

/*
 * writev(2), or pwritev(2) at off if off >= 0, until all of iov[0, cnt)
 * is written (iov is advanced); *done, if not NULL, counts the bytes.
 */
static int xwritev(int fd, struct iovec *iov, int cnt, off_t off, uint64_t *done)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t r;

	while (cnt) {
		r = off < 0 ? writev(fd, iov, cnt) : pwritev(fd, iov, cnt, off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A non-blocking standard output inherited from the caller. */
			if (errno == EAGAIN) {
				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		if (r == 0)
			return -EIO;
		if (off >= 0)
			off += r;
		if (done)
			*done += (uint64_t)r;
		for (; cnt && (size_t)r >= iov->iov_len; iov++, cnt--)
			r -= (ssize_t)iov->iov_len;
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* write(2), or pwrite(2) at off if off >= 0, until all of p is written. */
static int xwrite(int fd, const void *p, size_t n, off_t off, uint64_t *done)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = n };

	return xwritev(fd, &iov, 1, off, done);
}

static size_t frame_header_size(uint8_t fhd)
{
	static const uint8_t did[4] = { 0, 1, 2, 4 }, fcs[4] = { 0, 2, 4, 8 };
	unsigned int single = fhd >> 5 & 1;

	return 4 + 1 + !single + did[fhd & 3] + (fhd >> 6 ? fcs[fhd >> 6] : single);
}

/*
 * Note where each block of the frame starts, so that a salvage that cannot
 * append even an empty last block can mark the last flushed block as the
 * last one in place.  p is the next n bytes of the frame.
 */
static void scan(struct zout *z, const uint8_t *p, size_t n)
{
	uint64_t base = z->scanned, end = base + n;
	uint32_t h;

	/* The header comes whole with the first output. */
	if (!base && n >= 5)
		z->blk_next = frame_header_size(p[4]);
	while (z->blk_next < end) {
		z->blk_hdr[z->blk_hn++] = p[z->blk_next++ - base];
		if (z->blk_hn < 3)
			continue;
		h = z->blk_hdr[0] | z->blk_hdr[1] << 8 | (uint32_t)z->blk_hdr[2] << 16;
		z->blk_last = z->blk_next - 3;
		z->blk_last_b0 = z->blk_hdr[0];
		/* An RLE block stores one byte for its Block_Size bytes. */
		z->blk_next += ((h >> 1) & 3) == 1 ? 1 : h >> 3;
		z->blk_hn = 0;
	}
	z->scanned = end;
}

static int drain(struct zout *z)
{
	size_t n = z->len;

	if (!n)
		return 0;
	if (z->cctx)
		scan(z, z->buf, n);
	z->len = 0;
	return xwrite(z->fd, z->buf, n, -1, &z->out);
}

static int fail(struct zout *z, int err)
{
	if (!z->err)
		z->err = err;
	return z->err;
}

/* ZSTD_e_continue: until all of buf is taken; else until the frame says done. */
static int compress(struct zout *z, const void *buf, size_t len, ZSTD_EndDirective op)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	ZSTD_outBuffer out;
	size_t r;
	int err;

	do {
		out = (ZSTD_outBuffer){ z->buf, z->cap, z->len };
		r = ZSTD_compressStream2(z->cctx, &out, &in, op);
		if (ZSTD_isError(r))
			return zstd_errno(r);
		z->len = out.pos;
		if (z->len == z->cap && (err = drain(z)))
			return err;
	} while (op == ZSTD_e_continue ? in.pos < in.size : r != 0);
	return 0;
}

/*
 * Plain: buffered until z->buf would fill, then written in one call up to
 * the last ZOUT_ALIGN boundary of the file, what z->buf holds first and
 * the rest straight from buf (a batch is not copied again); less than
 * ZOUT_ALIGN stays buffered.  Only a flush writes an unaligned end.
 */
static int copy(struct zout *z, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct iovec iov[2];
	size_t keep, n;
	int err;

	if (z->len + len < z->cap) {
		if (len)
			memcpy(z->buf + z->len, p, len);
		z->len += len;
		return 0;
	}
	keep = (size_t)((z->out + z->len + len) % ZOUT_ALIGN);
	if (keep > len) {
		/* The boundary falls within z->buf. */
		n = z->len + len - keep;
		if ((err = xwrite(z->fd, z->buf, n, -1, &z->out)))
			return err;
		memmove(z->buf, z->buf + n, z->len - n);
		z->len -= n;
		memcpy(z->buf + z->len, p, len);
		z->len += len;
		return 0;
	}
	iov[0] = (struct iovec){ z->buf, z->len };
	/* writev(2) takes a const buffer through a non-const iovec. */
	iov[1] = (struct iovec){ (void *)(uintptr_t)p, len - keep };
	if ((err = xwritev(z->fd, iov, 2, -1, &z->out)))
		return err;
	memcpy(z->buf, p + len - keep, keep);
	z->len = keep;
	return 0;
}

static bool time_due(const struct zout *z)
{
	/* Read once per record: CLOCK_MONOTONIC at tick resolution, cheaper. */
	return z->in != z->safe_in &&
	       clock_ns(CLOCK_MONOTONIC_COARSE) - z->last_flush >= z->flush_ns;
}

static int sink_flush(struct zout *z)
{
	int err;

	if (z->err)
		return z->err;
	if (z->cctx && (err = compress(z, NULL, 0, ZSTD_e_flush)))
		return fail(z, err);
	if ((err = drain(z)))
		return fail(z, err);
	/* What a state saved from the safe point describes must be on disk
	 * before it; EINVAL: a pipe or terminal, nothing to sync. */
	if (z->sync_flush && fdatasync(z->fd) && errno != EINVAL)
		return fail(z, -errno);
	z->safe_in = z->in;
	z->safe_out = z->out;
	z->safe_mark = z->mark;
	z->safe_blk = z->blk_last;
	z->safe_blk_b0 = z->blk_last_b0;
	z->last_flush = clock_ns(CLOCK_MONOTONIC_COARSE);
	return 0;
}

/* A zout_write() when not threaded; a whole batch when threaded. */
static int sink_write(struct zout *z, const void *buf, size_t len, uint64_t mark)
{
	int err;

	if (z->err)
		return z->err;
	err = z->cctx ? compress(z, buf, len, ZSTD_e_continue) : copy(z, buf, len);
	if (err)
		return fail(z, err);
	z->in += len;
	z->mark = mark;
	if (z->in - z->safe_in >= z->flush_bytes || time_due(z) ||
	    (z->workers && z->out - z->safe_out >= z->flush_out))
		return sink_flush(z);
	return 0;
}

/* Only while the caller has the sink. */
static void see(struct zout *z)
{
	z->seen = (struct zout_seen){
		.err = z->err,
		.out = z->out,
		.safe_in = z->safe_in,
		.safe_out = z->safe_out,
		.safe_mark = z->safe_mark,
	};
}

static void *compressor(void *arg)
{
	struct zout *z = arg;

	pthread_mutex_lock(&z->lock);
	for (;;) {
		while (!z->busy && !z->quit)
			pthread_cond_wait(&z->cond, &z->lock);
		if (!z->busy)
			break;
		pthread_mutex_unlock(&z->lock);
		sink_write(z, z->job, z->job_len, z->job_mark);
		pthread_mutex_lock(&z->lock);
		z->busy = false;
		pthread_cond_broadcast(&z->cond);
	}
	pthread_mutex_unlock(&z->lock);
	return NULL;
}

/*
 * Block in the calling thread, and so in the threads it starts, every
 * signal but those a fault or a write(2) raises: signals sent to the
 * process are for the caller's threads, which they must interrupt.
 */
static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigfillset(&set);
	sigdelset(&set, SIGPIPE);
	sigdelset(&set, SIGXFSZ);
	sigdelset(&set, SIGSEGV);
	sigdelset(&set, SIGBUS);
	sigdelset(&set, SIGFPE);
	sigdelset(&set, SIGILL);
	sigdelset(&set, SIGTRAP);
	sigdelset(&set, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &set, old);
}

static void start_thread(struct zout *z)
{
	sigset_t old;

	block_signals(&old);
	z->threaded = !pthread_create(&z->thread, NULL, compressor, z);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The thread finishes its batch first; what is staged stays. */
static void stop_thread(struct zout *z)
{
	if (!z->threaded)
		return;
	pthread_mutex_lock(&z->lock);
	z->quit = true;
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
	pthread_join(z->thread, NULL);
	z->threaded = false;
}

/* Then the sink is the caller's. */
static void wait_idle(struct zout *z)
{
	if (z->threaded) {
		pthread_mutex_lock(&z->lock);
		while (z->busy)
			pthread_cond_wait(&z->cond, &z->lock);
		pthread_mutex_unlock(&z->lock);
	}
	see(z);
}

/* Write what is staged on the caller's thread, the thread idle. */
static int settle(struct zout *z)
{
	wait_idle(z);
	if (z->stage_len && !z->seen.err) {
		sink_write(z, z->stage, z->stage_len, z->stage_mark);
		see(z);
	}
	z->stage_len = 0;
	return z->seen.err;
}

/* The thread writes the batch while the caller fills the other one. */
static int hand_over(struct zout *z)
{
	uint8_t *t;

	if (!z->threaded)
		return settle(z);
	wait_idle(z);
	if (z->seen.err)
		return z->seen.err;
	pthread_mutex_lock(&z->lock);
	z->job = z->stage;
	z->job_len = z->stage_len;
	z->job_mark = z->stage_mark;
	z->busy = true;
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
	t = z->stage;
	z->stage = z->spare;
	z->spare = t;
	z->stage_len = 0;
	return 0;
}

static int setup_zstd(struct zout *z, int level, unsigned int workers)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };
	ZSTD_outBuffer out = { z->buf, z->cap, 0 };
	sigset_t old;
	size_t r;

	z->cctx = ZSTD_createCCtx();
	if (!z->cctx)
		return -ENOMEM;
	/* No content size: streamed.  No checksum: a salvaged frame, cut
	 * at a flush, could not carry a right one. */
	r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 0);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_contentSizeFlag, 0);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, 0);
	/* A libzstd built without threads refuses workers: it compresses
	 * alone, as with none. */
	if (!ZSTD_isError(r) && workers > 1 &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, (int)workers))) {
		z->workers = workers;
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, ZOUT_JOB_BYTES);
	}
	/* An empty flush allocates the whole workspace now and writes
	 * nothing (the frame header comes with the first data), so that
	 * zout_write() never allocates.  It starts the workers too: with
	 * the signals of zout's own thread. */
	if (!ZSTD_isError(r)) {
		if (z->workers)
			block_signals(&old);
		r = ZSTD_compressStream2(z->cctx, &out, &in, ZSTD_e_flush);
		if (z->workers)
			pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (ZSTD_isError(r))
		return zstd_errno(r);
	z->len = out.pos;
	return 0;
}

/* A directory someone other than the caller (or root) can write to. */
static bool dir_shared(const struct stat *st)
{
	return (st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_uid != geteuid() && st->st_uid != 0);
}

/*
 * st is the path's own (lstat).  The checks are made again on what was
 * opened: the name may have changed in between.
 */
static int open_in_place(struct zout *z, const struct stat *st, bool in_place)
{
	int fd, err = 0, flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;
	struct stat dst, fst;

	if (!in_place)
		return -EEXIST;
	if (S_ISLNK(st->st_mode)) {
		if (fstat(z->dirfd, &dst))
			return -errno;
		if (dir_shared(&dst))
			return -ELOOP;
		/* A block device is never opened for writing, not even to look. */
		if (fstatat(z->dirfd, z->base, &fst, 0))
			return -errno;
		if (S_ISREG(fst.st_mode) && !z->overwrite)
			return -EEXIST;
	} else {
		fst = *st;
		flags |= O_NOFOLLOW;
	}
	if (S_ISDIR(fst.st_mode))
		return -EISDIR;
	if (!S_ISREG(fst.st_mode) && !S_ISCHR(fst.st_mode) && !S_ISFIFO(fst.st_mode))
		return -ENXIO;
	fd = openat(z->dirfd, z->base, flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &fst))
		err = -errno;
	else if (S_ISREG(fst.st_mode) && (!S_ISLNK(st->st_mode) || !z->overwrite))
		err = -EEXIST;
	else if (S_ISREG(fst.st_mode) && ftruncate(fd, 0))
		err = -errno;
	else if (!S_ISREG(fst.st_mode) && !S_ISCHR(fst.st_mode) && !S_ISFIFO(fst.st_mode))
		err = -ENXIO;
	if (err) {
		close(fd);
		return err;
	}
	z->fd = fd;
	z->own_fd = true;
	z->regular = S_ISREG(fst.st_mode);
	close(z->dirfd);
	z->dirfd = -1;
	z->tmp_path = z->path;
	return 0;
}

enum zout_target zout_target(const char *path, const char **kind)
{
	struct stat st;

	*kind = "";
	if (!strcmp(path, "-")) {
		*kind = "standard output";
		return ZOUT_TARGET_IN_PLACE;
	}
	if (lstat(path, &st) || S_ISREG(st.st_mode))
		return ZOUT_TARGET_FILE;
	if (S_ISCHR(st.st_mode))
		*kind = "a character device";
	else if (S_ISFIFO(st.st_mode))
		*kind = "a FIFO";
	else if (S_ISLNK(st.st_mode))
		*kind = "a symlink";
	else if (S_ISSOCK(st.st_mode))
		*kind = "a socket";
	else if (S_ISBLK(st.st_mode))
		*kind = "a block device";
	else if (S_ISDIR(st.st_mode))
		*kind = "a directory";
	else
		*kind = "not a regular file";
	return S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISLNK(st.st_mode)
		       ? ZOUT_TARGET_IN_PLACE
		       : ZOUT_TARGET_NONE;
}

int zout_open(const struct zout_opts *o, struct zout **zp)
{
	bool is_stdout;
	const char *slash;
	size_t plen, dlen, blen;
	struct stat st;
	struct zout *z;
	char *s, *dir;
	int err;

	*zp = NULL;
	if (!o->path || !*o->path)
		return -EINVAL;
	if (o->level && (o->level < ZSTD_minCLevel() || o->level > ZSTD_maxCLevel()))
		return -EINVAL;
	if (o->workers > ZOUT_WORKERS_MAX)
		return -EINVAL;
	is_stdout = !strcmp(o->path, "-");
	plen = strlen(o->path);
	slash = strrchr(o->path, '/');
	dlen = slash ? (size_t)(slash - o->path) + 1 : 0;
	blen = plen - dlen;
	if (!blen)
		return -EINVAL;
	if (blen + sizeof("..part") - 1 > NAME_MAX)
		return -ENAMETOOLONG;

	/* path, tmp_path, directory */
	z = calloc(1, sizeof(*z) + 3 * (plen + sizeof("..part")));
	if (!z)
		return -ENOMEM;
	z->fd = -1;
	z->dirfd = -1;
	pthread_mutex_init(&z->lock, NULL);
	pthread_cond_init(&z->cond, NULL);
	s = z->names;
	z->path = s;
	z->base = s + dlen;
	s += sprintf(s, "%s", o->path) + 1;
	z->tmp_path = s;
	z->tmp_base = s + dlen;
	zout_tmp_name(o->path, s, plen + sizeof("..part"));
	s += strlen(s) + 1;
	dir = s;
	/* "/x" lives in "/", "d/x" in "d/", "x" in "." */
	sprintf(dir, "%.*s", (int)(dlen ? dlen : 1), dlen ? o->path : ".");

	z->flush_bytes = o->flush_bytes ? o->flush_bytes : ZOUT_FLUSH_BYTES_DEFAULT;
	z->flush_ns = o->flush_ns ? o->flush_ns : ZOUT_FLUSH_NS_DEFAULT;
	z->fsync = o->fsync;
	z->sync_flush = o->sync_flush;
	z->overwrite = o->overwrite;
	z->cap = ZOUT_BUF_SIZE;
	if (z->cap < ZSTD_CStreamOutSize())
		z->cap = ZSTD_CStreamOutSize();
	z->buf = malloc(z->cap);
	err = -ENOMEM;
	if (!z->buf)
		goto fail;
	if (o->level && (err = setup_zstd(z, o->level, o->workers)))
		goto fail;
	/* A flush waits for every job: between two, jobs for each worker;
	 * but no more file than ZOUT_OUT_PER_FLUSH each (zout.h). */
	z->flush_out = z->flush_bytes > (uint64_t)z->workers * ZOUT_OUT_PER_FLUSH
			       ? z->flush_bytes
			       : (uint64_t)z->workers * ZOUT_OUT_PER_FLUSH;
	if (z->workers &&
	    z->flush_bytes < (uint64_t)z->workers * ZOUT_JOBS_PER_FLUSH * ZOUT_JOB_BYTES)
		z->flush_bytes = (uint64_t)z->workers * ZOUT_JOBS_PER_FLUSH * ZOUT_JOB_BYTES;
	if (o->threaded) {
		z->stage = malloc(ZOUT_STAGE_BYTES);
		z->spare = malloc(ZOUT_STAGE_BYTES);
		err = -ENOMEM;
		if (!z->stage || !z->spare)
			goto fail;
	}

	if (is_stdout) {
		z->tmp_path = z->path;
		z->fd = STDOUT_FILENO;
	} else {
		z->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = -errno;
		if (z->dirfd < 0)
			goto fail;
		if (!fstatat(z->dirfd, z->base, &st, AT_SYMLINK_NOFOLLOW)) {
			err = -EEXIST;
			if (S_ISREG(st.st_mode) && !z->overwrite)
				goto fail;
			/* Never renamed over: /dev/null, a FIFO into Wireshark... */
			if (!S_ISREG(st.st_mode) && (err = open_in_place(z, &st, o->in_place)))
				goto fail;
		}
		if (z->dirfd >= 0) {
			z->fd = openat(z->dirfd, z->tmp_base,
				       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				       o->mode ? o->mode : ZOUT_MODE_DEFAULT);
			err = -errno;
			if (z->fd < 0)
				goto fail;
		}
	}
	z->last_flush = clock_ns(CLOCK_MONOTONIC_COARSE);
	/* Without the thread, the same batches, written by the caller. */
	if (o->threaded)
		start_thread(z);
	*zp = z;
	return 0;
fail:
	zout_abort(z);
	return err;
}

int zout_write(struct zout *z, const void *buf, size_t len)
{
	int err;

	if (z->seen.err)
		return z->seen.err;
	if (!z->stage) {
		err = sink_write(z, buf, len, z->next_mark);
		see(z);
		if (!err)
			z->accepted += len;
		return err;
	}
	if (z->stage_len &&
	    (z->stage_len > ZOUT_STAGE_FILL || len > ZOUT_STAGE_BYTES - z->stage_len) &&
	    (err = hand_over(z)))
		return err;
	if (len > ZOUT_STAGE_BYTES) {
		wait_idle(z);
		if (!z->seen.err) {
			sink_write(z, buf, len, z->next_mark);
			see(z);
		}
		if (z->seen.err)
			return z->seen.err;
	} else {
		if (len)
			memcpy(z->stage + z->stage_len, buf, len);
		z->stage_len += len;
		z->stage_mark = z->next_mark;
	}
	z->accepted += len;
	return 0;
}

void *zout_room(struct zout *z, size_t want, size_t *cap)
{
	if (!z->stage || z->seen.err || want > ZOUT_STAGE_BYTES)
		return NULL;
	if (z->stage_len &&
	    (z->stage_len > ZOUT_STAGE_FILL || want > ZOUT_STAGE_BYTES - z->stage_len) &&
	    hand_over(z))
		return NULL;
	*cap = ZOUT_STAGE_BYTES - z->stage_len;
	return z->stage + z->stage_len;
}

int zout_commit(struct zout *z, size_t len)
{
	z->stage_len += len;
	z->stage_mark = z->next_mark;
	z->accepted += len;
	return 0;
}

void zout_mark(struct zout *z, uint64_t mark)
{
	z->next_mark = mark;
}

int zout_flush(struct zout *z)
{
	int err = settle(z);

	if (err)
		return err;
	err = sink_flush(z);
	see(z);
	return err;
}

int zout_tick(struct zout *z)
{
	int err = settle(z);

	if (err || !time_due(z))
		return err;
	err = sink_flush(z);
	see(z);
	return err;
}

int zout_wait(struct zout *z)
{
	return settle(z);
}

/*
 * Cut the file back to the last complete flush and end the frame there.
 * Best effort: the caller reports the error that brought us here.
 */
static void salvage(struct zout *z)
{
	/* Window 1 KiB, no content size, no checksum; an empty last raw block. */
	static const uint8_t empty_frame[] = {
		0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00
	};
	const uint8_t *tail = empty_frame + 6;
	size_t n = 3;
	uint8_t b0;

	if (ftruncate(z->fd, (off_t)z->safe_out) || !z->cctx)
		return;
	if (!z->safe_out) {
		tail = empty_frame;
		n = sizeof(empty_frame);
	}
	if (!xwrite(z->fd, tail, n, (off_t)z->safe_out, NULL))
		return;
	/* A full disk may not have room even for 3 more bytes; the last
	 * flushed block's header is already on it. */
	if (!z->safe_blk || ftruncate(z->fd, (off_t)z->safe_out))
		return;
	b0 = z->safe_blk_b0 | 1; /* Last_Block */
	xwrite(z->fd, &b0, 1, (off_t)z->safe_blk, NULL);
}

static int publish(struct zout *z)
{
	if (z->overwrite)
		return renameat(z->dirfd, z->tmp_base, z->dirfd, z->base) ? -errno : 0;
	if (!renameat2(z->dirfd, z->tmp_base, z->dirfd, z->base, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* A file system without RENAME_NOREPLACE: link(2) does not replace either. */
	if (linkat(z->dirfd, z->tmp_base, z->dirfd, z->base, 0))
		return -errno;
	return unlinkat(z->dirfd, z->tmp_base, 0) ? -errno : 0;
}

static void zout_free(struct zout *z)
{
	stop_thread(z);
	if (z->fd >= 0 && (z->dirfd >= 0 || z->own_fd))
		close(z->fd);
	if (z->dirfd >= 0)
		close(z->dirfd);
	ZSTD_freeCCtx(z->cctx);
	free(z->buf);
	free(z->stage);
	free(z->spare);
	pthread_mutex_destroy(&z->lock);
	pthread_cond_destroy(&z->cond);
	free(z);
}

int zout_close(struct zout *z)
{
	int err, e;

	settle(z);
	stop_thread(z);
	err = z->err;
	if (!err && z->cctx)
		err = compress(z, NULL, 0, ZSTD_e_end);
	if (!err)
		err = drain(z);
	if (err && (z->dirfd >= 0 || z->regular))
		salvage(z);
	if (z->fsync && fsync(z->fd)) {
		e = -errno;
		/* Standard output may be a pipe or a terminal. */
		if (!err && !(e == -EINVAL && z->dirfd < 0))
			err = e;
	}
	if (z->dirfd < 0 && !z->own_fd)
		goto out;
	e = close(z->fd) && errno != EINTR ? -errno : 0;
	z->fd = -1;
	if (e && !err)
		err = e;
	/* In place: the name is what it was. */
	if (z->dirfd < 0)
		goto out;
	e = publish(z);
	if (!e && z->fsync && fsync(z->dirfd))
		e = -errno;
	if (e && !err)
		err = e;
out:
	zout_free(z);
	return err;
}

void zout_abort(struct zout *z)
{
	if (!z)
		return;
	stop_thread(z);
	if (z->dirfd >= 0 && z->fd >= 0) {
		close(z->fd);
		z->fd = -1;
		unlinkat(z->dirfd, z->tmp_base, 0);
	}
	zout_free(z);
}

uint64_t zout_bytes_in(const struct zout *z)
{
	return z->accepted;
}

uint64_t zout_bytes_out(const struct zout *z)
{
	return z->seen.out;
}

uint64_t zout_bytes_safe(const struct zout *z)
{
	return z->seen.safe_in;
}

uint64_t zout_bytes_safe_out(const struct zout *z)
{
	return z->seen.safe_out;
}

uint64_t zout_mark_safe(const struct zout *z)
{
	return z->seen.safe_mark;
}

const char *zout_path(const struct zout *z)
{
	return z->path;
}

unsigned int zout_workers(const struct zout *z)
{
	return z->workers;
}

int zout_tmp_name(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path) + 1 : 0;
	int n;

	if (strlen(path + dlen) + sizeof("..part") - 1 > NAME_MAX)
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%.*s.%s.part", dlen, path, path + dlen);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

const char *zout_tmp_path(const struct zout *z)
{
	return z->tmp_path;
}

int zout_error(const struct zout *z)
{
	return z->seen.err;
}
