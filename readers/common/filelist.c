// SPDX-License-Identifier: BSD-2-Clause
/* filelist.c - command-line file names, directories and globs as files. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "filelist.h"

int filelist_append(struct filelist *l, const char *path)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->path, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->path = p;
		l->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	l->path[l->n++] = copy;
	return 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !strncasecmp(s + n - k, suffix, k);
}

bool filelist_capture_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	if (ends_with(name, n, ".zst"))
		n -= 4;
	else if (ends_with(name, n, ".zstd"))
		n -= 5;
	/* the name must have a stem before its format suffix */
	return (n > 7 && ends_with(name, n, ".pcapng")) || (n > 5 && ends_with(name, n, ".pcap")) ||
	       (n > 5 && ends_with(name, n, ".ntar"));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int filelist_dir(struct filelist *l, const char *dir, char *err, size_t errlen)
{
	size_t first = l->n, dlen = strlen(dir);
	char path[PATH_MAX];
	struct dirent *e;
	int r = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((errno = 0, e = readdir(d))) {
		struct stat st;

		if (!filelist_capture_name(e->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
				     dlen && dir[dlen - 1] == '/' ? "" : "/",
				     e->d_name) >= sizeof(path) ||
		    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = filelist_append(l, path);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(-r));
			break;
		}
	}
	if (!r && errno) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
	}
	closedir(d);
	if (!r && l->n == first) {
		snprintf(err, errlen,
			 "%s: a directory without capture files (*.pcapng, *.pcap, .zst)", dir);
		r = -ENOENT;
	}
	if (!r)
		qsort(l->path + first, l->n - first, sizeof(*l->path), by_name);
	return r;
}

static int filelist_glob(struct filelist *l, const char *pattern, char *err, size_t errlen)
{
	size_t first = l->n, i;
	glob_t g;
	int r;

	r = glob(pattern, GLOB_ERR, NULL, &g);
	if (r == GLOB_NOMATCH) {
		snprintf(err, errlen, "%s: no capture file matches", pattern);
		globfree(&g);
		return -ENOENT;
	}
	if (r) {
		snprintf(err, errlen, "%s: %s", pattern,
			 r == GLOB_NOSPACE ? strerror(ENOMEM) : "a directory could not be read");
		globfree(&g);
		return r == GLOB_NOSPACE ? -ENOMEM : -EIO;
	}
	for (i = 0, r = 0; i < g.gl_pathc && !r; i++) {
		const char *slash = strrchr(g.gl_pathv[i], '/');
		struct stat st;

		if (filelist_capture_name(slash ? slash + 1 : g.gl_pathv[i]) &&
		    lstat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
			r = filelist_append(l, g.gl_pathv[i]);
	}
	if (r < 0)
		snprintf(err, errlen, "%s: %s", pattern, strerror(-r));
	else if (l->n == first) {
		snprintf(err, errlen, "%s: no capture file matches", pattern);
		r = -ENOENT;
	}
	globfree(&g);
	return r;
}

int filelist_add(struct filelist *l, const char *arg, char *err, size_t errlen)
{
	bool named = !strcmp(arg, "-");
	struct stat st;
	int r;

	if (!named && stat(arg, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return filelist_dir(l, arg, err, errlen);
		named = true;
	}
	if (!named && errno == ENOENT && strpbrk(arg, "*?["))
		return filelist_glob(l, arg, err, errlen);
	r = filelist_append(l, arg);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", arg, strerror(-r));
	return r;
}

void filelist_free(struct filelist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->path[i]);
	free(l->path);
	*l = (struct filelist){ 0 };
}
