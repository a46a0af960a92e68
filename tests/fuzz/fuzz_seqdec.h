/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_seqdec.h - the body every decoder's fuzz target shares: the input
 * is a run of datagrams, each led by a 2-byte big-endian length; each is
 * decoded (within exactly its bytes, so ASan sees any overread) and what
 * decodes goes on into a sequence tracker, as in capstat.
 */
#ifndef CAPD_FUZZ_SEQDEC_H
#define CAPD_FUZZ_SEQDEC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqdec.h"
#include "seqtrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_seqdec(const struct seqdec *d, const uint8_t *data, size_t size)
{
	static struct seqtrack t;
	struct seqdec_msg m;

	if (seqtrack_init(&t) < 0)
		return;
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		uint8_t *copy;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		copy = malloc(n ? n : 1);
		if (!copy)
			break;
		memcpy(copy, data, n);
		if (seqdec_decode(d, copy, n, &m) == SEQDEC_OK) {
			if (m.count > 1u << 16 && !(m.flags & SEQDEC_F_UNSEQUENCED))
				abort(); /* no format carries that many */
			seqtrack_add(&t, &m);
		}
		free(copy);
		data += n;
		size -= n;
	}
	if (t.gaps < t.nranges || t.nranges > SEQTRACK_MAX_RANGES)
		abort();
	seqtrack_free(&t);
}

#endif
