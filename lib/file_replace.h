/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_replace.h - replace a small file whole: write PATH.RANDOM.tmp, then
 * rename(2) it over PATH, so that whoever reads PATH sees the old content
 * or the new one, never a part (state files, Prometheus textfiles).
 * RANDOM is 16 hex digits from getrandom(2), and the temporary file is
 * created only if no such name exists (O_EXCL, O_NOFOLLOW): in a directory
 * others may write to, nobody can take or redirect it beforehand.
 */
#ifndef CAPD_FILE_REPLACE_H
#define CAPD_FILE_REPLACE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * fill writes the new content to f.  The file gets exactly the permission
 * bits mode, whatever the umask.  With durable, the data reaches the disk
 * (fsync) before the rename.
 * @return 0, or -errno (-EPERM from rename(2): PATH is another user's
 *         file in a sticky directory); the temporary file is gone either
 *         way.
 */
int file_replace(const char *path, mode_t mode, bool durable,
		 void (*fill)(FILE *f, const void *ctx), const void *ctx);

/*
 * fsync(2) the directory path is in, so that a file created or renamed
 * there survives a power loss (file_replace() does not do it).
 * @return 0, or -errno.
 */
int file_sync_dir(const char *path);

#endif
