/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test.h - the whole test harness: tests are plain programs that exit
 * 0 (pass), 1 (fail) or 77 (skip, with the reason on stderr).
 */
#ifndef CAPD_TEST_H
#define CAPD_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_EXIT_PASS 0
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

#define T_SKIP(...)                                    \
	do {                                           \
		fprintf(stderr, "SKIP: " __VA_ARGS__); \
		fputc('\n', stderr);                   \
		exit(T_EXIT_SKIP);                     \
	} while (0)

#define T_FAIL(...)                                                   \
	do {                                                          \
		fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                         \
		fputc('\n', stderr);                                  \
		exit(T_EXIT_FAIL);                                    \
	} while (0)

#define T_ASSERT(cond)                       \
	do {                                 \
		if (!(cond))                 \
			T_FAIL("%s", #cond); \
	} while (0)

/* Compare two integers, printing both on failure. */
#define T_EQ(a, b)                                                        \
	do {                                                              \
		long long _a = (long long)(a), _b = (long long)(b);       \
		if (_a != _b)                                             \
			T_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b); \
	} while (0)

static inline char *t_tmpdir_path(void)
{
	static char path[256];

	return path;
}

static inline void t_tmpdir_remove(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_tmpdir_path());
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", t_tmpdir_path());
}

/* A fresh directory /tmp/NAME.XXXXXX, removed at exit, also after T_FAIL. */
static inline const char *t_tmpdir(const char *name)
{
	char *path = t_tmpdir_path();

	snprintf(path, 256, "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(path))
		T_FAIL("mkdtemp %s: %s", path, strerror(errno));
	atexit(t_tmpdir_remove);
	return path;
}

#endif
