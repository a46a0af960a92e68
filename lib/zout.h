/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zout.h - the output sink every capture file is written through: plain or
 * one zstd frame per file, flushed at the caller's record boundaries so a
 * live or crashed file is readable up to the last flush, written under a
 * temporary name and renamed when complete (or, asked to, into a device, a
 * FIFO or a symlink in place: never over one), every write checked and
 * counted.
 *
 * One frame per file because Wireshark/tshark 4.0 misreads files of five or
 * more concatenated zstd frames; the frame carries no content size and no
 * checksum (it is streamed, and a salvaged frame must stay valid).
 *
 * Not thread-safe: one caller per struct zout, in one thread (or with its
 * calls serialised).  No function logs; all return 0 or a negative errno.
 *
 * Threaded (zout_opts.threaded): zstd and write(2) run on a thread of
 * zout's own while the caller goes on.  The caller is still one thread and
 * no call may overlap another; the thread is internal: it takes no call and
 * calls nothing back.
 *
 *  - Batches: zout_write() copies buf into a batch of up to
 *    ZOUT_STAGE_BYTES and returns.  A batch is handed to the thread by the
 *    first zout_write() that finds it holding more than ZOUT_STAGE_FILL
 *    bytes (or too full for buf), after waiting for the thread to be done
 *    with the batch before; the caller fills the other one meanwhile.  Both
 *    are allocated by zout_open().
 *  - Sync points: a hand-over, zout_wait(), zout_flush(), zout_tick() and
 *    zout_close().  The last four wait for the thread to be idle, then
 *    write what is staged themselves (on the caller's thread), and leave
 *    the thread idle.
 *  - On file: zout_write() returning 0 means accepted, not written.  All
 *    that was accepted is on file, flushed, once zout_flush() returns 0.
 *  - Flush cadence: checked at the end of every batch instead of every
 *    zout_write(), so flushes still fall between two zout_write()s, in the
 *    one frame of the file.
 *  - Counters: zout_bytes_out(), zout_bytes_safe(), zout_bytes_safe_out(),
 *    zout_mark_safe() and zout_error() are as of the last sync point: they
 *    may lag the file (the thread may have written and flushed more
 *    since), never lead it, so a safe point read from them is on file.
 *    zout_bytes_in() counts what is staged.
 *  - Errors: a write error on the thread is sticky as ever; it is returned
 *    by the first call that is a sync point, and every call after.  What
 *    was accepted meanwhile is dropped; zout_close() salvages as ever.
 *  - Without the thread (pthread_create(3) failed) zout_open() still
 *    succeeds and all of the above holds, each batch being written by the
 *    caller when it is handed over.
 *  - The thread blocks every signal but SIGPIPE and SIGXFSZ, which write(2)
 *    sends to the thread that writes: ignore or handle them process-wide.
 *
 * Workers (zout_opts.workers >= 2, zstd only): zstd compresses on that many
 * threads of libzstd's own (ZSTD_c_nbWorkers), in jobs of ZOUT_JOB_BYTES
 * of input, still into one frame; zout (its thread, or the caller) only
 * feeds them and writes what they produce.  A flush ends the job being
 * filled and waits for every job in flight, so the input cadence must
 * leave each worker several jobs: it is at least workers x
 * ZOUT_JOBS_PER_FLUSH x ZOUT_JOB_BYTES of input (32 MiB for 2 workers).
 * A flush also comes once workers x ZOUT_OUT_PER_FLUSH of output (or
 * flush_bytes, if more) were written since the last one, at the cost of
 * idle workers on data that compresses little (such a flush ends their
 * jobs early).  A full disk cuts off (back to the last flush) at most that
 * and the output of the jobs in flight (a few per worker; as much file as
 * input for data that does not compress).  What a crash can lose is the
 * input since the last flush: at most that, or flush_ns of it, whichever
 * comes first.  The workers block signals as zout's thread
 * does.  libzstd allocates the workers' buffers as they first run, not
 * zout_open().  A libzstd built without threads has
 * none: zstd then runs as without workers (zout_workers() says 0).
 *
 * Plain (level 0): output is buffered and written in calls of at least
 * the buffer's size (256 KiB) that end at a multiple of ZOUT_ALIGN of the
 * file; a threaded batch is written from the batch itself, not copied
 * again (nor into it, with zout_room()).  Only a flush (or the close)
 * writes up to an unaligned end.
 */
#ifndef CAPD_ZOUT_H
#define CAPD_ZOUT_H

#include <stddef.h>
#include <stdint.h>

#define ZOUT_FLUSH_BYTES_DEFAULT (1ULL << 20)
#define ZOUT_FLUSH_NS_DEFAULT	 1000000000ULL
#define ZOUT_MODE_DEFAULT	 0644
#define ZOUT_STAGE_BYTES	 (512u << 10) /* threaded: the size of a batch */
#define ZOUT_STAGE_FILL		 (384u << 10) /* ... handed over once past this */
#define ZOUT_ALIGN		 4096u	      /* plain: where writes end, but at a flush */
#define ZOUT_WORKERS_MAX	 64	      /* zout_opts.workers */
#define ZOUT_JOB_BYTES		 (4u << 20)   /* workers: input per zstd job */
#define ZOUT_JOBS_PER_FLUSH	 4	      /* workers: jobs each between two flushes */
#define ZOUT_OUT_PER_FLUSH	 (1u << 20)   /* workers: output each between two, at most */

struct zout_opts {
	const char *path; /* final file name; "-" = standard output (no temp name, no rename) */
	int level;	  /* 0 = no compression; else zstd level (negative = fast levels), e.g. 1 */
	uint64_t
		flush_bytes; /* flush after this many input bytes since the last flush; 0 = 1 MiB */
	uint64_t flush_ns; /* ... or this long since the last flush (monotonic, tick resolution); 0
			      = 1 s */
	unsigned int mode; /* file mode, e.g. 0640, less the umask; 0 = 0644 */
	int fsync;	   /* fsync at close (and directory fsync after the rename) */
	int overwrite;	   /* replace an existing final name instead of -EEXIST */
	int threaded;	   /* compress and write on a thread of zout's own (see above) */
	int in_place;	   /* write into a path that is not a regular file (zout_open()) */
	/* fdatasync(2) at every flush before it counts as safe: a safe point
	 * then survives power loss, not only the end of the process (a file
	 * that cannot be synced, e.g. a pipe, is written as without it) */
	int sync_flush;
	/* zstd worker threads (see above): 0 or 1 = none, up to ZOUT_WORKERS_MAX */
	unsigned int workers;
};

struct zout;

/*
 * Create the file under a temporary name in the same directory
 * (".NAME.part", O_EXCL) and allocate every buffer the writer will need.
 * The final name appears only at zout_close().  o is not used afterwards.
 *
 * A path that exists and is not a regular file is never replaced.  With
 * o->in_place it is written into as it is, like standard output (no
 * temporary name, no rename): a character device or a FIFO (opened without
 * following a symlink; a FIFO's open waits for its reader), or a symlink
 * in a directory that only the caller (or root) can write, i.e. owned by
 * the caller or root and without group or other write permission.  What
 * such a symlink names is opened: a character device, a FIFO, or a
 * regular file, which is truncated (-EEXIST if !o->overwrite) and, after
 * a write error, salvaged in place.  A symlink in a directory others can
 * write is refused: they could point it anywhere.
 *
 * @return 0 and *z; -EINVAL for an empty path, a path ending in '/', a
 *         level outside ZSTD_minCLevel()..ZSTD_maxCLevel() or more than
 *         ZOUT_WORKERS_MAX workers; -ENAMETOOLONG
 *         if the temporary name would be longer than NAME_MAX; -EEXIST if the
 *         final name exists and !o->overwrite, or if the temporary name
 *         exists (a live writer's, or a crashed one's holding data up to
 *         its last flush: never removed here), or if the path is not a
 *         regular file and !o->in_place; -ELOOP for a symlink in a
 *         directory others can write; -ENXIO for a socket, a block device
 *         or anything else that is neither; -EISDIR for a directory; -ENOMEM;
 *         or the -errno of open(2) on the directory, the temporary file or
 *         the path written in place (-ENOENT: a dangling symlink; -EINTR: a
 *         signal while waiting for a FIFO's reader).  Threaded, the thread
 *         is started last; if it cannot be, see above.
 */
int zout_open(const struct zout_opts *o, struct zout **z);

/* What zout_open() makes of a path, as the file system holds it now. */
enum zout_target {
	ZOUT_TARGET_FILE,     /* no such file, or a regular file: a new file renamed to it */
	ZOUT_TARGET_IN_PLACE, /* "-", a character device, a FIFO, a symlink: written into */
	ZOUT_TARGET_NONE,     /* a socket, a block device, a directory...: refused */
};

/*
 * For checks before zout_open() (which decides again, safely): what path
 * is, and in *kind how to name it in a message ("a FIFO", "standard
 * output"; "" for ZOUT_TARGET_FILE).  A path that cannot be looked at
 * (no permission...) is ZOUT_TARGET_FILE: zout_open() will tell why.
 */
enum zout_target zout_target(const char *path, const char **kind);

/*
 * Accept all of buf (compressing if level != 0), then flush if a cadence
 * is due, so a flush only ever happens between two zout_write() calls,
 * i.e. at the caller's record boundaries.  Output is buffered: the file
 * sees large writes whatever the record size.  Never allocates (but
 * libzstd's workers, see above).
 * Threaded: buf is copied into the batch (see above); a write larger than
 * ZOUT_STAGE_BYTES is a batch of its own, written on the caller's thread.
 * @return 0, or the -errno of the failing write(2) (-ENOSPC, -EIO, -EFBIG,
 *         -EPIPE when standard output is a closed pipe and SIGPIPE is
 *         ignored).  The error is sticky: every later call returns it and
 *         nothing more is written; zout_close() then salvages the file.
 *         Threaded, the error may be that of an earlier batch.
 */
int zout_write(struct zout *z, const void *buf, size_t len);

/*
 * Threaded: room to build the next write in place, in the batch, instead
 * of in a buffer of the caller's that zout_write() would copy: *cap bytes,
 * at least want, at the pointer returned (the batch is handed over first,
 * as zout_write() would, if it is past ZOUT_STAGE_FILL or has less room).
 * zout_commit(z, len) then takes the first len <= *cap of them as
 * zout_write() takes a copy.  Nothing but zout_commit(), zout_mark() or
 * another zout_room() may come between.
 * @return NULL if not threaded, want > ZOUT_STAGE_BYTES or after an error
 *         (the next zout_write() returns it): use zout_write() instead.
 */
void *zout_room(struct zout *z, size_t want, size_t *cap);
int zout_commit(struct zout *z, size_t len); /* @return 0 */

/*
 * Tag the data of the zout_write()s that follow with mark, a number of the
 * caller's (e.g. the records written so far, these included), so that
 * zout_mark_safe() can tell which of them the last flush covers.  0 until
 * set.
 */
void zout_mark(struct zout *z, uint64_t mark);

/* Flush now, whatever the cadence.  @return as zout_write(). */
int zout_flush(struct zout *z);

/*
 * Flush if the time cadence is due and anything was accepted since the
 * last flush: for a caller idle between records, so a quiet capture still
 * reaches the file within flush_ns.  Threaded: zout_wait() first.
 * @return as zout_write().
 */
int zout_tick(struct zout *z);

/*
 * Threaded: wait for the thread to be idle, then write what is staged (a
 * batch: the cadence is checked at its end), so that the counters and the
 * error below are current.  Otherwise nothing to do.
 * @return as zout_write().
 */
int zout_wait(struct zout *z);

/*
 * Threaded: zout_wait(), then end the thread.  End the zstd frame, write
 * the rest, fsync if asked, rename the temporary file to the final name
 * (atomically refusing to replace an existing one unless overwrite), fsync
 * the directory if asked, free z.
 *
 * After a write error (an earlier one or one while closing) the file is
 * salvaged instead: truncated to the end of the last complete flush and,
 * for zstd, ended with an empty last raw block (0x01 0x00 0x00), so it is
 * a valid, complete frame holding everything up to that flush (an empty
 * frame if no flush completed), then renamed as above.  If even those
 * 3 bytes cannot be written, the last flushed block is marked last in
 * place instead.  Standard output and a character device or FIFO written
 * in place cannot be salvaged: they are left as they are.
 *
 * @return 0, or the first error: the write error being salvaged after,
 *         else that of fsync(2), close(2) or the rename (-EEXIST if the
 *         final name appeared meanwhile; the data then stay under the
 *         temporary name).  z is freed in every case.
 */
int zout_close(struct zout *z);

/*
 * Close and remove the temporary file, free z (threaded: once the thread
 * is done with its batch; what is staged is dropped).  On standard output
 * or a path written in place what was written stays written.  z may be
 * NULL.
 */
void zout_abort(struct zout *z);

/* Threaded, all but zout_bytes_in() and the names are as of the last sync point. */
uint64_t zout_bytes_in(const struct zout *z);  /* uncompressed bytes accepted */
uint64_t zout_bytes_out(const struct zout *z); /* bytes written to the fd */
/* Uncompressed bytes covered by the last complete flush: what survives a
 * crash (with sync_flush, a power loss too). */
uint64_t zout_bytes_safe(const struct zout *z);
/* The file's length at that flush: where to cut it to keep just that. */
uint64_t zout_bytes_safe_out(const struct zout *z);
/* The mark (zout_mark()) of the last zout_write() that flush covers; 0 if none. */
uint64_t zout_mark_safe(const struct zout *z);
const char *zout_path(const struct zout *z);	 /* final name, as given */
unsigned int zout_workers(const struct zout *z); /* zstd's worker threads, 0 = none */
const char *zout_tmp_path(const struct zout *z); /* temporary name; the final one in place */

/*
 * The temporary name zout_open() gives the file path while it is written
 * (not in place): "DIR/.BASE.part".
 * @return 0, or -ENAMETOOLONG (buf too small or the name too long).
 */
int zout_tmp_name(const char *path, char *buf, size_t len);
int zout_error(const struct zout *z); /* the sticky error, or 0 */

#endif
