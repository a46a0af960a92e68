// SPDX-License-Identifier: BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
	if (lstat(want, &st) < 0)
		return 0;
	for (i = 1; i < 10000; i++) {
		if ((size_t)snprintf(out, len, "%.*s-%d%s", (int)(ext - want), want, i, ext) >= len)
			return -ENAMETOOLONG;
		if (lstat(out, &st) < 0)
			return 0;
	}
	return -EEXIST;
}

bool fname_taken(const char *path)
{
	const char *base = strrchr(path, '/');
	char tmp[PATH_MAX + sizeof("..part")];
	struct stat st;

	base = base ? base + 1 : path;
	if (!lstat(path, &st))
		return true;
	snprintf(tmp, sizeof(tmp), "%.*s.%s.part", (int)(base - path), path, base);
	return !lstat(tmp, &st);
}

/* N if name is "PREFIX_N_STAMP.EXT" (see fname.h), else -1. */
static long long numbered(const char *name, const char *prefix, size_t plen, const char *ext)
{
	unsigned long long n;
	const char *p;
	char *end;
	int i;

	if (strncmp(name, prefix, plen) || name[plen] != '_')
		return -1;
	p = name + plen + 1;
	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i < 5 || p[i] != '_')
		return -1;
	n = strtoull(p, &end, 10);
	if (n >= UINT_MAX)
		return -1;
	for (p = end + 1, i = 0; i < 14; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	return strcmp(p + 14, ext) ? -1 : (long long)n;
}

unsigned int fname_next_number(const char *pattern)
{
	const char *slash = strrchr(pattern, '/'), *base = slash ? slash + 1 : pattern;
	const char *ext = fname_ext(pattern);
	char dir[PATH_MAX], name[NAME_MAX + 1];
	unsigned int next = 0;
	struct dirent *e;
	long long n;
	size_t len;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - pattern) + 1 : 1,
		 slash ? pattern : ".");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		snprintf(name, sizeof(name), "%s", e->d_name);
		/* A temporary name: ".NAME.part". */
		if (name[0] == '.' && len > 6 && !strcmp(name + len - 5, ".part")) {
			name[len - 5] = '\0';
			memmove(name, name + 1, len - 5);
		}
		n = numbered(name, base, (size_t)(ext - base), ext);
		if (n >= next)
			next = (unsigned int)n + 1;
	}
	closedir(d);
	return next;
}

/* The last suffix of base[0..len): ".pcap" of "x.pcap", or NULL. */
static const char *last_suffix(const char *base, size_t len, size_t *slen)
{
	size_t i;

	for (i = len; i-- > 1;)
		if (base[i] == '.') {
			*slen = len - i;
			return base + i;
		}
	return NULL;
}

static bool suffix_is(const char *s, size_t len, const char *want)
{
	return s && len == strlen(want) && !strncasecmp(s, want, len);
}

void fname_kind(const char *path, struct fname_kind *k)
{
	static const char *const refused[] = { ".gz", ".bz2", ".xz", ".lz4", ".zip", ".lzma" };
	const char *base = strrchr(path, '/'), *s;
	size_t len, slen = 0, i;

	*k = (struct fname_kind){ .format = FNAME_FORMAT_NONE };
	base = base ? base + 1 : path;
	len = strlen(base);
	s = last_suffix(base, len, &slen);
	if (suffix_is(s, slen, ".zst") || suffix_is(s, slen, ".zstd")) {
		k->zstd = true;
	} else {
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (suffix_is(s, slen, refused[i]))
				k->refused = refused[i];
	}
	if (k->zstd || k->refused) {
		len = (size_t)(s - base);
		s = last_suffix(base, len, &slen);
	}
	if (suffix_is(s, slen, ".pcapng"))
		k->format = FNAME_FORMAT_PCAPNG;
	else if (suffix_is(s, slen, ".pcap"))
		k->format = FNAME_FORMAT_PCAP;
}
