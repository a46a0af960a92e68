/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filelist.h - the capture files a command line names: a file as it is,
 * "-" (standard input), a directory as its capture files, a glob(3)
 * pattern as the names it matches.  An archive capdump recorded is a
 * directory of rotated files whose names sort in time order, so a
 * directory's files come in byte order of their names, as ls(1) in the C
 * locale and the shell's globs give them.
 *
 * A directory's capture files, and a pattern's: regular files (not
 * followed through symbolic links), not hidden (temporaries of files and
 * indexes being written are), named .pcapng, .pcap or .ntar, each
 * optionally followed by .zst or .zstd, case-insensitively; a directory's
 * are not looked for in its subdirectories.  So a pattern that matches
 * every name in a directory names its recordings, not their indexes.
 */
#ifndef CAPD_FILELIST_H
#define CAPD_FILELIST_H

#include <stdbool.h>
#include <stddef.h>

struct filelist {
	char **path; /* malloc'd, n of them */
	size_t n, cap;
};

/*
 * Append what arg names: arg itself when it is a file, "-", or no
 * directory and no pattern; a directory's capture files (none is an
 * error); a pattern's capture files when no file is named arg (none is
 * an error).  A name that exists as nothing is appended as it is, so that
 * opening it reports it.
 * @return 0, or -errno with one line for the operator in err (-ENOENT:
 *	   nothing matched; -ENOMEM; the errno of reading a directory).
 */
int filelist_add(struct filelist *l, const char *arg, char *err, size_t errlen);

/* Append path as it is (a copy).  @return 0 or -ENOMEM. */
int filelist_append(struct filelist *l, const char *path);

/* Whether a directory entry named name is a capture file by its name. */
bool filelist_capture_name(const char *name);

void filelist_free(struct filelist *l); /* empties it; may be called again */

#endif
