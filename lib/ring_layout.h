/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_layout.h - formatting a ring and validating a mapped one.
 * Pure functions over memory: no system calls except reading the clock.
 */
#ifndef CAPD_RING_LAYOUT_H
#define CAPD_RING_LAYOUT_H

#include <stdint.h>

#include "ring_format.h"

/*
 * Number of blocks a file of file_size bytes holds with this block size
 * (one block-sized area goes to the header pages).
 * @return the block count, or 0 if the file is too small or block_size is
 *         not a power of two within RING_BLOCK_SIZE_MIN..MAX.
 */
uint32_t ring_layout_nblocks(uint64_t file_size, uint32_t block_size);

/*
 * Write a fresh header into mem (len bytes, the whole file).  If mem already
 * holds a valid ring header of this version, its generation, next_seq,
 * bytes and crash counts carry over (ring_layout_format_after()), so
 * sequence numbers never repeat in one file.
 * Data blocks are not touched: nothing in them is reachable until written.
 * @return 0, or -EINVAL if len/block_size give fewer than RING_NBLOCKS_MIN
 *         blocks.
 */
int ring_layout_format(void *mem, uint64_t len, uint32_t block_size);

/*
 * The same for a new file that takes over from the ring whose header is
 * prev (another file, e.g. one of another geometry; NULL or not a valid
 * header of this version: start afresh): generation, next_seq, bytes and
 * the crash counts carry over from prev, so the sequence numbers at a
 * ring's path never repeat and a reader moving from the old file to the
 * new one counts exactly what it missed.  format_seq is prev's next_seq;
 * if prev's writer was killed (still "running"), the records it had taken
 * but not published are skipped and counted as ring_writer_open() would
 * (next_seq = taken_seq, crashes + 1, crash_lost), so a reader following
 * into the new file counts them as lost.  ring_layout_format() is this
 * with prev = mem.
 * @return as ring_layout_format().
 */
int ring_layout_format_after(void *mem, uint64_t len, uint32_t block_size,
			     const struct ring_hdr *prev);

/*
 * Check that hdr, mapped with len bytes, is a ring this code understands.
 * @return 0; -EINVAL if it is not a capd ring (bad magic); -EPROTONOSUPPORT
 *         if its version differs; -EBADMSG if its geometry is inconsistent
 *         or does not fit in len bytes.
 */
int ring_layout_check(const struct ring_hdr *hdr, uint64_t len);

#endif
