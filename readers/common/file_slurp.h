/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_slurp.h - the whole of a regular file another process may write,
 * bounded: an index, capship's state.
 */
#ifndef CAPD_FILE_SLURP_H
#define CAPD_FILE_SLURP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read path (not followed if a symlink) whole into *out (malloc()ed, free()
 * it), *len bytes.  At most one byte more than its size at open is read:
 * a file that grew while read gives *len == *size + 1.  size may be NULL.
 * @return 0, -ENXIO (not a regular file), -EFBIG (longer than max bytes),
 *	   -ENOMEM, or -errno of open, fstat or read.
 */
int file_slurp(const char *path, size_t max, uint8_t **out, size_t *len, size_t *size);

#endif
