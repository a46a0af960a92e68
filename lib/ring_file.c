// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "ring_file.h"
#include "ring_layout.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

const char *ring_file_dir(void)
{
	const char *dir = getenv(RING_DIR_ENV);

	return dir && *dir ? dir : RING_DIR_DEFAULT;
}

int ring_file_resolve(const char *name, char *buf, size_t len)
{
	int n;

	if (!name || !*name)
		return -EINVAL;
	if (strchr(name, '/'))
		n = snprintf(buf, len, "%s", name);
	else
		n = snprintf(buf, len, "%s/%s", ring_file_dir(), name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The default hugepage size from /proc/meminfo, in bytes, or 0. */
static uint64_t default_hugepage_size(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static int read_hugepage_count(uint64_t page_size, const char *name, uint64_t *v)
{
	char path[128];
	unsigned long long n;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
		 (unsigned long long)(page_size >> 10), name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	r = fscanf(f, "%llu", &n) == 1 ? 0 : -EIO;
	fclose(f);
	*v = n;
	return r;
}

int ring_file_hugepages(uint64_t page_size, struct ring_hugepages *hp)
{
	uint64_t free = 0, rsvd = 0; /* gcc -O3 cannot see r < 0 returned first */
	int r;

	if (!page_size)
		page_size = default_hugepage_size();
	if (!page_size)
		return -ENOENT;
	hp->page_size = page_size;
	hp->is_default = page_size == default_hugepage_size();
	r = read_hugepage_count(page_size, "nr_hugepages", &hp->total);
	if (!r)
		r = read_hugepage_count(page_size, "free_hugepages", &free);
	if (!r)
		r = read_hugepage_count(page_size, "resv_hugepages", &rsvd);
	if (r < 0)
		return r;
	/* Reservations are a part of the free pages.  More of them than
	 * free pages is the kernel's count gone negative while it still
	 * releases a dead process's pages: not a figure to subtract. */
	hp->settling = rsvd > free;
	hp->free = hp->settling ? free : free - rsvd;
	return 0;
}

/* Create the parent directory if missing, and statfs() it into sfs. */
static int prepare_parent_dir(const char *path, gid_t gid, struct statfs *sfs)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (mkdir(dir, 0750) == 0) {
		/* The directory must be searchable by the readers' group. */
		if (gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) < 0)
			return -errno;
	} else if (errno != EEXIST) {
		return -errno;
	}
	return statfs(dir, sfs) < 0 ? -errno : 0;
}

/*
 * Open the ring file read-write.  A file holding a ring of exactly this
 * size and block size is kept (*fresh = 0); any other is replaced by a new,
 * empty one (*fresh = 1): unlinked, never resized nor reformatted, since
 * readers may map it and must not see it change under them.  The replaced
 * ring's header goes to *prev (*have_prev), so the new one carries its
 * sequence on.  Returns the fd, or -errno.
 */
static int open_ring(const struct ring_file_opts *o, uint64_t size, uint32_t bs, int *fresh,
		     struct ring_hdr *prev, bool *have_prev)
{
	struct ring_hdr h;
	struct stat st;
	int fd, err, tries;

	for (tries = 0; tries < 8; tries++) {
		fd = open(o->path, O_RDWR | O_CREAT | O_CLOEXEC, o->mode);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0) {
			err = -errno;
			goto err_close;
		}
		*fresh = st.st_size == 0;
		if (*fresh)
			return fd;
		if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		    ring_layout_check(&h, (uint64_t)st.st_size) == 0) {
			if ((uint64_t)st.st_size == size && h.block_size == bs)
				return fd;
			*prev = h;
			*have_prev = true;
		}
		if (unlink(o->path) < 0) {
			err = -errno;
			goto err_close;
		}
		close(fd);
	}
	return -EAGAIN; /* something keeps putting files there */

err_close:
	close(fd);
	return err;
}

/*
 * Map a new ring of size bytes, every page populated.  Right after another
 * process exits, the kernel may still be releasing its hugepages (a dead
 * capd's AF_XDP memory takes about 100 ms), and readers of a replaced ring
 * let go of it within a second or two: short of pages, try again for
 * RING_FILE_HUGEPAGE_WAIT_MS before giving up.
 */
static int map_new(int fd, uint64_t size, uint64_t page, bool hugetlb, void **mem)
{
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + RING_FILE_HUGEPAGE_WAIT_MS * 1000000ull;
	struct ring_hugepages hp;
	void *p;
	int err;

	for (;;) {
		/* While the figures settle only the kernel can tell: try. */
		if (hugetlb && ring_file_hugepages(page, &hp) == 0 && !hp.settling &&
		    hp.free < size / page) {
			err = -ENOMEM;
		} else {
			/* MAP_POPULATE takes every fault now, so the hot loop
			 * takes none; hugetlbfs reserves the pages at mmap(). */
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
				 0);
			if (p != MAP_FAILED) {
				*mem = p;
				return 0;
			}
			err = -errno;
		}
		if (err != -ENOMEM || clock_ns(CLOCK_MONOTONIC) >= deadline)
			return err;
		nanosleep(&(struct timespec){ .tv_nsec = 20000000L }, NULL);
	}
}

int ring_file_create(const struct ring_file_opts *o, struct ring_map *m)
{
	uint32_t bs = o->block_size ? o->block_size : RING_BLOCK_SIZE_DEFAULT;
	struct ring_hdr prev;
	struct statfs sfs;
	uint64_t size = o->size, page = 4096;
	int fd, err, fresh = 0, hugetlb;
	bool have_prev = false;
	void *mem = NULL;

	err = prepare_parent_dir(o->path, o->gid, &sfs);
	if (err < 0)
		return err;
	hugetlb = (unsigned long)sfs.f_type == HUGETLBFS_MAGIC;
	if (!hugetlb && !o->allow_any_fs)
		return -EMEDIUMTYPE;
	if (hugetlb)
		page = (uint64_t)sfs.f_bsize;
	size = (size + page - 1) / page * page;
	if (!ring_layout_nblocks(size, bs))
		return -EINVAL;

	fd = open_ring(o, size, bs, &fresh, &prev, &have_prev);
	if (fd < 0)
		return fd;
	if ((o->gid != (gid_t)-1 && fchown(fd, (uid_t)-1, o->gid) < 0) || fchmod(fd, o->mode) < 0) {
		err = -errno;
		goto err_close;
	}
	if (!fresh) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
		if (mem == MAP_FAILED) {
			err = -errno;
			goto err_close;
		}
		/* open_ring() checked it; the caller's lock keeps other
		 * writers out. */
		if (ring_layout_check(mem, size) < 0 ||
		    ((struct ring_hdr *)mem)->block_size != bs) {
			err = -EBADMSG;
			goto err_unmap;
		}
	} else {
		if (ftruncate(fd, (off_t)size) < 0) {
			err = -errno;
			goto err_close;
		}
		err = map_new(fd, size, page, hugetlb, &mem);
		if (err < 0)
			goto err_close;
		err = ring_layout_format_after(mem, size, bs, have_prev ? &prev : NULL);
		if (err < 0)
			goto err_unmap;
	}
	m->mem = mem;
	m->len = size;
	m->fd = fd;
	m->created = fresh;
	return 0;

err_unmap:
	munmap(mem, size);
err_close:
	close(fd);
	if (fresh)
		unlink(o->path);
	return err;
}

int ring_file_open_ro(const char *path, struct ring_map *m)
{
	struct stat st;
	void *mem;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto err_close;
	}
	if ((uint64_t)st.st_size < RING_META_SIZE) {
		err = -EINVAL;
		goto err_close;
	}
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		goto err_close;
	}
	err = ring_layout_check(mem, (uint64_t)st.st_size);
	if (err < 0) {
		munmap(mem, (size_t)st.st_size);
		goto err_close;
	}
	m->mem = mem;
	m->len = (uint64_t)st.st_size;
	m->fd = fd;
	m->created = false;
	return 0;

err_close:
	close(fd);
	return err;
}

void ring_file_close(struct ring_map *m)
{
	if (m->mem)
		munmap(m->mem, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->mem = NULL;
	m->fd = -1;
}

static const char *group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned)gid);
	return buf;
}

/* Who may pass (dir) or read (file) st, and how to become one of them. */
static void explain_mode(const char *what, const struct stat *st, int bit, char *buf, size_t len)
{
	char g[64];

	group_name(st->st_gid, g, sizeof(g));
	if (st->st_gid == 0)
		snprintf(buf, len,
			 "%s belongs to group root (mode %04o): set ring.group in "
			 "capd.conf to a capture group, restart capd, and join that group",
			 what, (unsigned)(st->st_mode & 07777));
	else if (!(st->st_mode & bit))
		snprintf(buf, len,
			 "%s (group '%s', mode %04o) gives its group no access: "
			 "ring.mode in capd.conf must grant group read",
			 what, g, (unsigned)(st->st_mode & 07777));
	else
		snprintf(buf, len,
			 "%s is open to group '%s' (mode %04o) only: add the user to "
			 "it (usermod -aG %s USER) and log in again",
			 what, g, (unsigned)(st->st_mode & 07777), g);
}

static void explain_access(const char *path, char *buf, size_t len)
{
	char dir[4096], why[512];
	struct stat st;
	char *p;

	/* The first directory on the way that we may not search is the culprit. */
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (access(dir, X_OK) < 0 && errno == EACCES && stat(dir, &st) == 0) {
			explain_mode(dir, &st, S_IXGRP, why, sizeof(why));
			snprintf(buf, len, "%s: %s: %s", path, strerror(EACCES), why);
			return;
		}
		*p = '/';
	}
	if (stat(path, &st) < 0) {
		snprintf(buf, len, "%s: %s", path, strerror(EACCES));
		return;
	}
	explain_mode("the ring", &st, S_IRGRP, why, sizeof(why));
	snprintf(buf, len, "%s: %s: %s", path, strerror(EACCES), why);
}

/* Page size of the hugetlbfs holding path (0 if unknown: the default). */
static uint64_t mount_page_size(const char *path)
{
	char dir[4096];
	struct statfs sfs;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	if (statfs(dir, &sfs) < 0 || (unsigned long)sfs.f_type != HUGETLBFS_MAGIC)
		return 0;
	return (uint64_t)sfs.f_bsize;
}

char *ring_file_explain(int err, const char *path, uint64_t size, char *buf, size_t len)
{
	struct ring_hugepages hp;

	switch (err) {
	case -ENOMEM:
		if (size && ring_file_hugepages(mount_page_size(path), &hp) == 0) {
			uint64_t need = (size + hp.page_size - 1) / hp.page_size;
			char knob[128];

			if (hp.is_default)
				snprintf(knob, sizeof(knob), "/proc/sys/vm/nr_hugepages");
			else
				snprintf(knob, sizeof(knob),
					 "/sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages",
					 (unsigned long long)(hp.page_size >> 10));
			snprintf(buf, len,
				 "%s: not enough hugepages: the ring needs %llu pages of %llu kB, "
				 "%llu are free; reserve them with: echo %llu > %s",
				 path, (unsigned long long)need,
				 (unsigned long long)(hp.page_size >> 10),
				 (unsigned long long)hp.free,
				 (unsigned long long)(hp.total + need -
						      (hp.free < need ? hp.free : need)),
				 knob);
			return buf;
		}
		break;
	case -EACCES:
	case -EPERM:
		explain_access(path, buf, len);
		return buf;
	case -EMEDIUMTYPE:
		snprintf(buf, len,
			 "%s: not on hugetlbfs; put the ring under a hugetlbfs mount "
			 "such as " RING_DIR_DEFAULT,
			 path);
		return buf;
	case -EBUSY:
		snprintf(buf, len, "%s: another capd writes this ring", path);
		return buf;
	case -EINVAL:
		if (size)
			snprintf(buf, len,
				 "%s: a ring of %llu bytes is too small: it needs room "
				 "for %u blocks (8M with the default 2M blocks)",
				 path, (unsigned long long)size, RING_NBLOCKS_MIN + 1);
		else
			snprintf(buf, len, "%s: not a capd ring (or too small to be one)", path);
		return buf;
	case -EPROTONOSUPPORT:
		snprintf(buf, len, "%s: ring format version differs from this program's (%d)", path,
			 RING_VERSION);
		return buf;
	case -EBADMSG:
		snprintf(buf, len, "%s: ring header is inconsistent (damaged file?)", path);
		return buf;
	}
	snprintf(buf, len, "%s: %s", path, strerror(-err));
	return buf;
}
