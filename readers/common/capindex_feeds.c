// SPDX-License-Identifier: BSD-2-Clause
/*
 * The feed tables an index attributes packets by: a file's own (the one
 * capdump writes into it, capfile_feeds()), or the rings' as capdump
 * writes them into its files, so that an index built while writing equals
 * one rebuilt from the file.
 */
#include <string.h>

#include "capfile.h"
#include "capindex_build.h"

unsigned int capindex_build_file_feeds(const struct capfile *f, struct ring_feed *out,
				       unsigned int max)
{
	unsigned int n = 0;
	const struct ring_feed *in = capfile_feeds(f, &n);

	if (n > max)
		n = max;
	if (n)
		memcpy(out, in, n * sizeof(*out));
	return n;
}

unsigned int capindex_build_ring_feeds(const struct ring_feed *in, unsigned int n,
				       struct ring_feed *out, unsigned int max)
{
	if (n > max)
		n = max;
	if (n)
		memcpy(out, in, n * sizeof(*out));
	return n;
}
