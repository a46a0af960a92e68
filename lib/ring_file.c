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

int ring_file_hugepages(struct ring_hugepages *hp)
{
	unsigned long long total = 0, free = 0, rsvd = 0, kb = 0, v;
	char line[128];
	FILE *f;
	int found = 0;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "HugePages_Total: %llu", &v) == 1)
			total = v, found |= 1;
		else if (sscanf(line, "HugePages_Free: %llu", &v) == 1)
			free = v, found |= 2;
		else if (sscanf(line, "HugePages_Rsvd: %llu", &v) == 1)
			rsvd = v, found |= 4;
		else if (sscanf(line, "Hugepagesize: %llu kB", &v) == 1)
			kb = v, found |= 8;
	}
	fclose(f);
	if (found != 15 || !kb)
		return -ENOENT;
	hp->page_size = kb * 1024;
	hp->total = total;
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
	if ((o->gid != (gid_t)-1 && fchown(fd, (uid_t)-1, o->gid) < 0) ||
	    fchmod(fd, o->mode) < 0) {
		err = -errno;
		goto err_close;
	}
	if (hugetlb && fresh && ring_file_hugepages(&hp) == 0 && hp.page_size == page &&
	    hp.free < size / page) {
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

static void explain_access(const char *path, char *buf, size_t len)
{
	struct stat st;
	struct group *gr;
	char gname[64];

	if (stat(path, &st) < 0) {
		snprintf(buf, len, "%s: %s (a directory on the way is not searchable)",
			 path, strerror(EACCES));
		return;
	}
	gr = getgrgid(st.st_gid);
	if (gr)
		snprintf(gname, sizeof(gname), "%s", gr->gr_name);
	else
		snprintf(gname, sizeof(gname), "%u", (unsigned)st.st_gid);
	snprintf(buf, len,
		 "%s: %s: the ring is readable by group '%s' (mode %04o); "
		 "add the user to it (usermod -aG %s USER) and log in again",
		 path, strerror(EACCES), gname, (unsigned)(st.st_mode & 07777), gname);
}

char *ring_file_explain(int err, const char *path, uint64_t size, char *buf, size_t len)
{
	struct ring_hugepages hp;

	switch (err) {
	case -ENOMEM:
		if (size && ring_file_hugepages(&hp) == 0) {
			uint64_t need = (size + hp.page_size - 1) / hp.page_size;

			snprintf(buf, len,
				 "%s: not enough hugepages: the ring needs %llu pages of %llu kB, "
				 "%llu are free; reserve them with: "
				 "echo %llu > /proc/sys/vm/nr_hugepages",
				 path, (unsigned long long)need,
				 (unsigned long long)(hp.page_size >> 10),
				 (unsigned long long)hp.free,
				 (unsigned long long)(hp.total - hp.free + need));
			return buf;
		}
		break;
	case -EACCES:
	case -EPERM:
		explain_access(path, buf, len);
		return buf;
	case -EMEDIUMTYPE:
		snprintf(buf, len, "%s: not on hugetlbfs; put the ring under a hugetlbfs mount "
			 "such as " RING_DIR_DEFAULT, path);
		return buf;
	case -EBUSY:
		snprintf(buf, len, "%s: another capd writes this ring", path);
		return buf;
	case -EINVAL:
		snprintf(buf, len, "%s: not a capd ring (or too small to be one)", path);
		return buf;
	case -EPROTONOSUPPORT:
		snprintf(buf, len, "%s: ring format version differs from this program's (%d)",
			 path, RING_VERSION);
		return buf;
	case -EBADMSG:
		snprintf(buf, len, "%s: ring header is inconsistent (damaged file?)", path);
		return buf;
	}
	snprintf(buf, len, "%s: %s", path, strerror(-err));
	return buf;
}
