// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_replace.h"

#define FILE_REPLACE_TRIES 8

/*
 * In a directory others may write to, a temporary name they can guess is
 * one they can take first (a file we cannot open, a link to follow): the
 * name is random, and created only if nobody holds it.
 */
static int create_tmp(const char *path, char *tmp, size_t size, mode_t mode)
{
	unsigned int i;
	uint64_t rnd;
	ssize_t got;
	int fd;

	for (i = 0; i < FILE_REPLACE_TRIES; i++) {
		got = getrandom(&rnd, sizeof(rnd), 0);
		if (got != (ssize_t)sizeof(rnd))
			return got < 0 ? -errno : -EIO;
		snprintf(tmp, size, "%s.%016" PRIx64 ".tmp", path, rnd);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int file_replace(const char *path, mode_t mode, bool durable,
		 void (*fill)(FILE *f, const void *ctx), const void *ctx)
{
	size_t n = strlen(path) + sizeof(".0123456789abcdef.tmp");
	char *tmp = malloc(n);
	FILE *f = NULL;
	int fd, r = 0;

	if (!tmp)
		return -ENOMEM;
	fd = create_tmp(path, tmp, n, mode);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (fchmod(fd, mode) == 0)
		f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		goto out;
	}
	fill(f, ctx);
	if (fflush(f) || ferror(f) || (durable && fsync(fileno(f))))
		r = errno ? -errno : -EIO;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(tmp);
	return r;
}

int file_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd, r = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >=
		 sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}
