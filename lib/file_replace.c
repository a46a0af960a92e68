// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_replace.h"

int file_replace(const char *path, mode_t mode, bool durable,
		 void (*fill)(FILE *f, const void *ctx), const void *ctx)
{
	size_t n = strlen(path) + sizeof(".tmp");
	char *tmp = malloc(n);
	FILE *f = NULL;
	int fd, r = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp", path);
	/* O_NOFOLLOW: in a directory others may write to, PATH.tmp could be
	 * a planted link. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd >= 0 && fchmod(fd, mode) == 0)
		f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
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
