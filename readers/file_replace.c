// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_replace.h"

int file_replace(const char *path, bool durable, void (*fill)(FILE *f, const void *ctx),
		 const void *ctx)
{
	size_t n = strlen(path) + sizeof(".tmp");
	char *tmp = malloc(n);
	FILE *f;
	int r = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		r = -errno;
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
