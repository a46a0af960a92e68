/* SPDX-License-Identifier: BSD-2-Clause */
/* fname.h - file names of capture files: extensions and free variants. */
#ifndef CAPD_FNAME_H
#define CAPD_FNAME_H

#include <stddef.h>

/* Start of the extension of path's last component (".pcapng.zst" in
 * "dir/cap.pcapng.zst"; a leading dot is not one), or its end if none. */
const char *fname_ext(const char *path);

/*
 * want if no file has that name, else the first free "NAME-N.EXT".
 * @return 0, -ENAMETOOLONG, or -EEXIST if 9999 variants are taken.
 */
int fname_free(const char *want, char *out, size_t len);

#endif
