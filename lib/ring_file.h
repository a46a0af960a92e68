/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_file.h - the ring as a file on hugetlbfs: creation by the writer,
 * read-only mapping by readers, and messages that tell an operator what to
 * do when either fails.
 */
#ifndef CAPD_RING_FILE_H
#define CAPD_RING_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RING_DIR_DEFAULT  "/dev/hugepages/capd"
#define RING_DIR_ENV	  "CAPD_RING_DIR" /* overrides RING_DIR_DEFAULT */
#define RING_SIZE_DEFAULT (8ULL << 30)
/* How long ring_file_create() waits for hugepages being released. */
#define RING_FILE_HUGEPAGE_WAIT_MS 2000u

struct ring_map {
	void *mem;
	uint64_t len;
	int fd;	      /* the ring file, open while mapped */
	bool created; /* ring_file_create() made a new file */
};

struct ring_file_opts {
	const char *path;    /* from ring_file_resolve() */
	uint64_t size;	     /* whole file, rounded up to the page size */
	uint32_t block_size; /* 0 = RING_BLOCK_SIZE_DEFAULT */
	gid_t gid;	     /* group that may read; (gid_t)-1 = keep */
	mode_t mode;	     /* e.g. 0640: readable by the group only */
	bool allow_any_fs;   /* tests: accept a file outside hugetlbfs */
};

/* The directory of rings named without a '/': RING_DIR_ENV, or RING_DIR_DEFAULT. */
const char *ring_file_dir(void);

/*
 * Turn a ring name ("md") into a path (RING_DIR_DEFAULT "/md", or under
 * $CAPD_RING_DIR); a name containing '/' is taken as a path.
 * @return 0, or -ENAMETOOLONG / -EINVAL (empty name).
 */
int ring_file_resolve(const char *name, char *buf, size_t len);

/*
 * Writer side: create or reuse the ring file and map it read-write with
 * every page populated.  A file that holds a ring of this size and block
 * size is reused as it is (positions and sequence numbers carry on).  Any
 * other file is replaced, never resized nor reformatted, so readers still
 * mapping it are neither cut short nor see its geometry change under them:
 * it is unlinked, and a new file is formatted that carries the old ring's
 * generation and sequence numbers on (ring_layout_format_after()).  The
 * parent directory is created with the same group if missing.  Short of
 * hugepages for a new file, it tries again for up to
 * RING_FILE_HUGEPAGE_WAIT_MS: a process that just exited (a capd's AF_XDP
 * memory) or the readers of a replaced ring may still be giving theirs
 * back.  The caller holds the ring's single-writer lock (ring_lock.h)
 * already.
 * @return 0; -ENOMEM if the hugepages are too few (after the wait);
 *         -EMEDIUMTYPE if the path is not on hugetlbfs; -EINVAL for a size
 *         or block size that gives no ring; -EBADMSG if a reused ring's
 *         header changed meanwhile; or the -errno of the failing system
 *         call.
 */
int ring_file_create(const struct ring_file_opts *o, struct ring_map *m);

/*
 * Reader side: open and map the ring read-only, then validate its header.
 * @return 0, the -errno of open/mmap (-EACCES for a user outside the
 *         group), or of ring_layout_check().
 */
int ring_file_open_ro(const char *path, struct ring_map *m);

void ring_file_close(struct ring_map *m);

/*
 * Explain err (returned by the functions above for path and size) in one
 * line an operator can act on: for -ENOMEM how many hugepages are needed,
 * free, and the command that reserves them; for -EACCES who may read the
 * ring and how to join its group.  size is 0 on the reader side.
 * @return buf.
 */
char *ring_file_explain(int err, const char *path, uint64_t size, char *buf, size_t len);

/* Hugepage figures of one page size, from sysfs. */
struct ring_hugepages {
	uint64_t page_size; /* bytes */
	uint64_t total;	    /* persistent pages (nr_hugepages) */
	uint64_t free;	    /* free and not reserved by a mapping */
	bool is_default;    /* the size /proc/sys/vm/nr_hugepages sets */
	/*
	 * The reserved count reads as more than the free one (a negative
	 * number wrapped around): the kernel is still releasing a dead
	 * process's pages, such as a capd's AF_XDP memory for about 100 ms
	 * after it exits.  free is then the free pages without subtracting
	 * reservations, unknown until it settles; it soon grows.
	 */
	bool settling;
};

/*
 * Figures for page_size bytes (0 = the default hugepage size).
 * @return 0, or -errno if the kernel has no such hugepage size.
 */
int ring_file_hugepages(uint64_t page_size, struct ring_hugepages *hp);

#endif
