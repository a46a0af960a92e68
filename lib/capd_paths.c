// SPDX-License-Identifier: BSD-2-Clause
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capd_paths.h"
#include "capd_paths_build.h"

/*
 * The prefix of an installed tree exe runs from, into buf: PREFIX when exe
 * is PREFIX/BINDIR/NAME or PREFIX/SBINDIR/NAME (relative GNU dirs) and not
 * in the configured directories themselves.  Returns false otherwise.
 */
static bool tree_prefix(const char *exe, char *buf, size_t len)
{
	static const char *const full[] = { CAPD_PATHS_BINDIR, CAPD_PATHS_SBINDIR };
	static const char *const rel[] = { CAPD_PATHS_BINDIR_REL, CAPD_PATHS_SBINDIR_REL };
	const char *slash = strrchr(exe, '/');
	size_t dlen, rlen;
	unsigned int i;

	if (!slash || slash == exe)
		return false;
	dlen = (size_t)(slash - exe);
	for (i = 0; i < 2; i++)
		if (strlen(full[i]) == dlen && !strncmp(exe, full[i], dlen))
			return false;
	for (i = 0; i < 2; i++) {
		rlen = strlen(rel[i]);
		if (!rlen || rel[i][0] == '/' || dlen <= rlen + 1)
			continue;
		if (exe[dlen - rlen - 1] != '/' || strncmp(exe + dlen - rlen, rel[i], rlen))
			continue;
		if (dlen - rlen - 1 >= len)
			return false;
		memcpy(buf, exe, dlen - rlen - 1);
		buf[dlen - rlen - 1] = '\0';
		return true;
	}
	return false;
}

static const char *path_for(const char *exe, const char *conf, const char *rel, char *buf,
			    size_t len)
{
	char prefix[PATH_MAX];
	int n;

	if (rel[0] != '/' && exe && tree_prefix(exe, prefix, sizeof(prefix))) {
		n = snprintf(buf, len, "%s/%s", prefix, rel);
		if (n > 0 && (size_t)n < len)
			return buf;
	}
	snprintf(buf, len, "%s", conf);
	return buf;
}

const char *capd_paths_conf_for(const char *exe, char *buf, size_t len)
{
	return path_for(exe, CAPD_PATHS_CONF, CAPD_PATHS_CONF_REL, buf, len);
}

const char *capd_paths_bpf_obj_for(const char *exe, char *buf, size_t len)
{
	return path_for(exe, CAPD_PATHS_BPF_OBJ, CAPD_PATHS_BPF_OBJ_REL, buf, len);
}

/* This process's executable, symbolic links resolved; NULL if unknown. */
static const char *self_exe(char *buf, size_t len)
{
	return realpath("/proc/self/exe", buf) && strlen(buf) < len ? buf : NULL;
}

const char *capd_paths_conf(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];

	if (!path[0])
		capd_paths_conf_for(self_exe(exe, sizeof(exe)), path, sizeof(path));
	return path;
}

const char *capd_paths_bpf_obj(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];

	if (!path[0])
		capd_paths_bpf_obj_for(self_exe(exe, sizeof(exe)), path, sizeof(path));
	return path;
}
