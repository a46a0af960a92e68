/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * archive_files.h - the capture files of a small archive, made as capdump
 * writes them, for the tests of capdump --list and capship: a file built
 * in archive_buf (archive_put()) and written out.
 */
#ifndef CAPD_TEST_ARCHIVE_FILES_H
#define CAPD_TEST_ARCHIVE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T0  1767225600000000000ull /* 2026-01-01T00:00:00Z */
#define SEC 1000000000ull

#define ARCHIVE_BUF (1u << 20)
extern uint8_t archive_buf[ARCHIVE_BUF];
extern size_t archive_len;

/* Append n bytes (n > 0) to the file in archive_buf. */
void archive_put(const void *p, size_t n);

/* Write p[0..n) as path (created or truncated). */
void archive_write_file(const char *path, const void *p, size_t n);

/* The counters of the ISB a file ends with. */
struct isb_counts {
	uint64_t ifdrop, osdrop, usrdeliv;
};

/*
 * A file as capdump writes it: feed A (239.1.1.1, "seq:0:4:be") with
 * messages seq_from..seq_to but those in [gap_from, gap_to), feed B
 * (239.1.1.2, no protocol) every other packet; one packet every 10 ms from
 * t0; a closing ISB from t0 to t0 + 10 s.  @return the interface's packets.
 */
uint64_t archive_make_file(const char *path, uint64_t t0, uint32_t seq_from, uint32_t seq_to,
			   uint32_t gap_from, uint32_t gap_to, uint64_t dropcount,
			   const struct isb_counts *c, uint64_t deliv_before, bool zstd);

/*
 * The same without gaps or drops, and with both feeds silent for pause_ns
 * more before the packets of every pause_every-th message after seq_from.
 */
uint64_t archive_make_paused(const char *path, uint64_t t0, uint32_t seq_from, uint32_t seq_to,
			     uint32_t pause_every, uint64_t pause_ns, const struct isb_counts *c,
			     uint64_t deliv_before);

/* The object of file name in capdump --list --json's output out, up to
 * the next file's (free() it). */
char *archive_list_obj(const char *out, const char *name);

#endif
