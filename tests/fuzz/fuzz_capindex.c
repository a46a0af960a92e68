// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_capindex.c - libFuzzer target for the index reader (an index is a
 * file anyone who can write the archive may have written).  The first byte
 * chooses: the rest parsed as it is, or with its length and checksum fixed
 * up first, so that the checks behind the checksum are reached too.
 * Whatever parses is walked (every record, seeks) and encoded again: the
 * same bytes, a fixed point.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct capindex *ix, const uint8_t *in, size_t len)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	struct capindex_iface *ifs = calloc(h->nifaces + 1, sizeof(*ifs));
	struct capindex_feed *feeds = calloc(h->nfeeds + 1, sizeof(*feeds));
	struct capindex_pos *pos = calloc(h->npos + 1, sizeof(*pos));
	const struct capindex_pos *p;
	uint8_t *out;
	size_t olen;
	uint32_t i;

	if (!ifs || !feeds || !pos)
		abort();
	for (i = 0; i < h->nifaces; i++)
		ifs[i] = *capindex_iface(ix, i);
	for (i = 0; i < h->nfeeds; i++) {
		feeds[i] = *capindex_feed(ix, i);
		if (strnlen(feeds[i].name, sizeof(feeds[i].name)) == sizeof(feeds[i].name) ||
		    feeds[i].ngaps > CAPINDEX_GAPS_MAX || feeds[i].npauses > CAPINDEX_PAUSES_MAX)
			abort();
	}
	for (i = 0; i < h->npos; i++)
		pos[i] = *capindex_pos(ix, i);
	if (capindex_iface(ix, h->nifaces) || capindex_feed(ix, h->nfeeds) ||
	    capindex_pos(ix, h->npos))
		abort();
	p = capindex_seek(ix, h->first_ns + (h->last_ns - h->first_ns) / 2);
	if (h->npos && (!p || p < capindex_pos(ix, 0) || p > capindex_pos(ix, h->npos - 1)))
		abort();
	capindex_seek(ix, 0);
	capindex_seek(ix, UINT64_MAX);
	if (capindex_encode(h, ifs, feeds, pos, &out, &olen) < 0)
		abort();
	if (olen != len || memcmp(out, in, len))
		abort();
	free(out);
	free(ifs);
	free(feeds);
	free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capindex *ix;
	uint8_t *buf;
	char why[256];
	size_t len;

	if (!size)
		return 0;
	len = size - 1;
	buf = malloc(len + 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);
	if ((data[0] & 1) && len >= sizeof(struct capindex_hdr) + 8) {
		uint64_t v = htole64(len), sum;

		memcpy(buf + offsetof(struct capindex_hdr, total_len), &v, sizeof(v));
		sum = htole64(capindex_fnv(CAPINDEX_FNV_INIT, buf, len - 8));
		memcpy(buf + len - 8, &sum, sizeof(sum));
	}
	if (capindex_parse(buf, len, &ix, why, sizeof(why)) == 0) {
		walk(ix, buf, len);
		capindex_free(ix);
	} else if (ix) {
		abort();
	}
	free(buf);
	return 0;
}
