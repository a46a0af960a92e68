/* SPDX-License-Identifier: BSD-2-Clause */
/* fname.h - file names of capture files: extensions and free variants. */
#ifndef CAPD_FNAME_H
#define CAPD_FNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Start of the extension of path's last component (".pcapng.zst" in
 * "dir/cap.pcapng.zst"; a leading dot is not one), or its end if none. */
const char *fname_ext(const char *path);

/*
 * want if no file has that name, else the first free "NAME-N.EXT".
 * @return 0, -ENAMETOOLONG, or -EEXIST if 9999 variants are taken.
 */
int fname_free(const char *want, char *out, size_t len);

/*
 * Whether path, or its temporary name ".NAME.part" in the same directory
 * (lib/zout.h), exists: a file a writer of path must leave alone (a
 * dangling symlink counts).
 */
bool fname_taken(const char *path);

/*
 * Where the numbers of rotated files named "NAME_N_STAMP.EXT" (N of five
 * digits or more, STAMP of fourteen: dumpfile.h) continue for the pattern
 * NAME.EXT: one past the highest N of such a file, or of its temporary
 * name, in the pattern's directory; 0 if none or if it cannot be read.
 */
unsigned int fname_next_number(const char *pattern);

/* The capture format a file name asks for (fname_kind()). */
enum fname_format {
	FNAME_FORMAT_NONE,   /* no format suffix: the writer's default (pcapng) */
	FNAME_FORMAT_PCAPNG, /* .pcapng */
	FNAME_FORMAT_PCAP,   /* .pcap */
};

struct fname_kind {
	enum fname_format format;
	bool zstd;	     /* ends in .zst or .zstd */
	const char *refused; /* a compression capdump does not write (".gz", ...), or NULL */
};

/*
 * What path's last suffixes ask for, case-insensitively: a compression
 * suffix last (".zst"; ".gz", ".bz2", ".xz", ".lz4", ".zip" are refused),
 * a format suffix before it ("x.pcap.zst" is zstd-compressed pcap).  A
 * strftime(3) pattern is read as the names it makes (its suffixes are
 * literal).
 */
void fname_kind(const char *path, struct fname_kind *k);

#endif
