/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wirets_check.h - the body the switch timestamp decoders' fuzz
 * targets share.  The input is 8 bytes of host time, 2 bytes of wire bytes
 * beyond the capture (0 for most), then the captured frame, copied to
 * exactly its size so that ASan sees any overread.  Whatever the decoder
 * says must hold together: a status in range, a cut inside the frame,
 * a strip that removes exactly the cut.
 */
#ifndef CAPD_FUZZ_WIRETS_CHECK_H
#define CAPD_FUZZ_WIRETS_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wirets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_wirets_one(enum wirets_kind kind, const uint8_t *p, uint32_t caplen,
			    uint32_t wirelen, uint64_t host_ts)
{
	struct wirets w;
	uint8_t *out;
	uint32_t wl = wirelen, cl, cut;
	int st;

	st = wirets_decode(kind, p, caplen, wirelen, host_ts, &w);
	if (st != w.status || st < 0 || st > WIRETS_STATUS_MAX || w.kind != kind)
		abort();
	if (w.sub_ns >= 1u << 24)
		abort();
	if (st != WIRETS_OK) {
		if (w.ts_ns || w.flags || w.sub_ns || w.device || w.port || w.seq)
			abort(); /* no time, not even part of one */
		if (st != WIRETS_MALFORMED && (w.cut_off || w.cut_len))
			abort();
	}
	if (w.cut_len && (w.cut_len > wirelen || w.cut_off > wirelen - w.cut_len))
		abort();
	if (st != WIRETS_OK)
		return;
	if (!w.cut_len || w.cut_off + w.cut_len > caplen)
		abort(); /* an OK stamp was read, so it was captured */
	if ((kind == WIRETS_METAMAKO || kind == WIRETS_EXABLAZE) &&
	    w.cut_off + w.cut_len != wirelen)
		abort(); /* a trailer ends the frame */
	if ((kind == WIRETS_ARISTA64 && w.cut_len != 14) ||
	    (kind == WIRETS_ARISTA48 && w.cut_len != 12) ||
	    ((w.flags & WIRETS_F_TAI) && kind != WIRETS_ARISTA64 && kind != WIRETS_ARISTA48))
		abort();
	out = malloc(caplen ? caplen : 1);
	if (!out)
		return;
	cl = wirets_strip(&w, p, caplen, out, &wl);
	cut = w.cut_len;
	if (cl != caplen - cut || wl != wirelen - cut)
		abort();
	if (memcmp(out, p, w.cut_off) ||
	    memcmp(out + w.cut_off, p + w.cut_off + cut, caplen - w.cut_off - cut))
		abort();
	free(out);
}

/* Decode data as each of kinds[0, n). */
static void fuzz_wirets(const enum wirets_kind *kinds, int n, const uint8_t *data, size_t size)
{
	uint64_t host_ts = 0;
	uint32_t caplen, wirelen, l3;
	uint16_t et;
	uint8_t *p;
	int i;

	if (size < 10 || size - 10 > 65535)
		return;
	for (i = 0; i < 8; i++)
		host_ts = host_ts << 8 | data[i];
	caplen = (uint32_t)(size - 10);
	wirelen = caplen + ((uint32_t)data[8] << 8 | data[9]);
	p = malloc(caplen ? caplen : 1);
	if (!p)
		return;
	memcpy(p, data + 10, caplen);
	for (i = 0; i < n; i++)
		fuzz_wirets_one(kinds[i], p, caplen, wirelen, host_ts);
	if (wirets_l3(p, caplen, &l3, &et) == 0 && (l3 > caplen || l3 < 14))
		abort();
	free(p);
}

#endif
