// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ring_file.h"
#include "ring_layout.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

int ring_file_resolve(const char *name, char *buf, size_t len)
{
	const char *dir = getenv(RING_DIR_ENV);
	int n;

	if (!name || !*name)
		return -EINVAL;
	if (strchr(name, '/'))
		n = snprintf(buf, len, "%s", name);
	else
		n = snprintf(buf, len, "%s/%s", dir && *dir ? dir : RING_DIR_DEFAULT, name);
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
	uint64_t free, rsvd;
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
	hp->free = free > rsvd ? free - rsvd : 0;
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

/* Open the file, replacing one of another size; returns fd or -errno. */
static int open_sized(const struct ring_file_opts *o, uint64_t size, int *fresh)
{
	struct stat st;
	int fd, err;

	fd = open(o->path, O_RDWR | O_CREAT | O_CLOEXEC, o->mode);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto err_close;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto err_close;
	}
	*fresh = st.st_size == 0;
	if (st.st_size != 0 && (uint64_t)st.st_size != size) {
		/* Readers may still map the old file: give it up, don't shrink. */
		if (unlink(o->path) < 0) {
			err = -errno;
			goto err_close;
		}
		close(fd);
		return open_sized(o, size, fresh);
	}
	return fd;

err_close:
	close(fd);
	return err;
}

int ring_file_create(const struct ring_file_opts *o, struct ring_map *m)
{
	uint32_t bs = o->block_size ? o->block_size : RING_BLOCK_SIZE_DEFAULT;
	struct ring_hugepages hp;
	struct statfs sfs;
	uint64_t size = o->size, page = 4096;
	int fd, err, fresh = 0, hugetlb;
	void *mem;

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

	fd = open_sized(o, size, &fresh);
	if (fd < 0)
		return fd;
	if ((o->gid != (gid_t)-1 && fchown(fd, (uid_t)-1, o->gid) < 0) || fchmod(fd, o->mode) < 0) {
		err = -errno;
		goto err_close;
	}
	if (hugetlb && fresh && ring_file_hugepages(page, &hp) == 0 && hp.free < size / page) {
		err = -ENOMEM;
		goto err_close;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		err = -errno;
		goto err_close;
	}
	/* MAP_POPULATE takes every fault now, so the hot loop takes none. */
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		goto err_close;
	}
	if (ring_layout_check(mem, size) < 0 || ((struct ring_hdr *)mem)->block_size != bs) {
		err = ring_layout_format(mem, size, bs);
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
