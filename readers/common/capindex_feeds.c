// SPDX-License-Identifier: BSD-2-Clause
/*
 * TEMPORARY stand-in for the feed table capfile reads back from a file
 * (capfile_feeds(), another change): until then a file's feeds are the
 * addresses its NRBs name, each a feed of one group and any port, in the
 * order capfile_names() gives them.  Replace both functions with the
 * accessor when it lands: file feeds = capfile_feeds(), ring feeds = a copy.
 */
#include <string.h>

#include "capfile.h"
#include "capindex_build.h"

unsigned int capindex_build_file_feeds(const struct capfile *f, struct ring_feed *out,
				       unsigned int max)
{
	const struct capfile_name *nm;
	unsigned int i, n, k = 0;

	nm = capfile_names(f, &n);
	for (i = 0; i < n && k < max; i++) {
		struct ring_feed *o = &out[k++];

		memset(o, 0, sizeof(*o));
		memcpy(o->name, nm[i].name, strnlen(nm[i].name, sizeof(o->name) - 1));
		o->family = nm[i].family == 6 ? 6 : 4;
		o->prefix_len = o->family == 6 ? 128 : 32;
		memcpy(o->addr, nm[i].addr, sizeof(o->addr));
	}
	return k;
}

/* As capdump names them: feeds of one group only; an address named twice
 * is one feed, where it came first, with its last name (capfile_names()). */
unsigned int capindex_build_ring_feeds(const struct ring_feed *in, unsigned int n,
				       struct ring_feed *out, unsigned int max)
{
	unsigned int i, j, k = 0;

	for (i = 0; i < n; i++) {
		const struct ring_feed *fd = &in[i];
		uint8_t fam = fd->family == 6 ? 6 : 4;
		size_t alen = fam == 6 ? 16 : 4;

		if (fd->prefix_len != (fam == 6 ? 128 : 32))
			continue;
		for (j = 0; j < k; j++)
			if (out[j].family == fam && !memcmp(out[j].addr, fd->addr, alen))
				break;
		if (j == k) {
			if (k == max)
				continue;
			memset(&out[k], 0, sizeof(out[k]));
			out[k].family = fam;
			out[k].prefix_len = fam == 6 ? 128 : 32;
			memcpy(out[k].addr, fd->addr, alen);
			k++;
		}
		memset(out[j].name, 0, sizeof(out[j].name));
		memcpy(out[j].name, fd->name, strnlen(fd->name, sizeof(out[j].name) - 1));
	}
	return k;
}
