// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fname.h"

const char *fname_ext(const char *path)
{
	const char *base = strrchr(path, '/'), *ext;

	base = base ? base + 1 : path;
	ext = strchr(base + (*base == '.'), '.');
	return ext ? ext : base + strlen(base);
}

int fname_free(const char *want, char *out, size_t len)
{
	const char *ext = fname_ext(want);
	struct stat st;
	int i;

	if ((size_t)snprintf(out, len, "%s", want) >= len)
		return -ENAMETOOLONG;
	if (stat(want, &st) < 0)
		return 0;
	for (i = 1; i < 10000; i++) {
		if ((size_t)snprintf(out, len, "%.*s-%d%s", (int)(ext - want), want, i, ext) >= len)
			return -ENAMETOOLONG;
		if (stat(out, &st) < 0)
			return 0;
	}
	return -EEXIST;
}
