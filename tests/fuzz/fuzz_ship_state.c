// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_ship_state - capship's state parser on any bytes: it accepts or
 * refuses with a reason, never reads past the input; what it accepts it
 * finds again entry by entry.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ship_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ship_state *st = NULL;
	char why[256];
	size_t i;

	/* a copy of exactly size bytes: ASan catches a read past it */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (ship_state_parse(buf, size, &st, why, sizeof(why)) == 0) {
		for (i = 0; i < ship_state_nfiles(st); i++) {
			struct ship_state_file *f = ship_state_file(st, i);

			if (ship_state_find(st, f->path, f->mtime_ns, f->size) != f)
				abort();
		}
	} else if (st || !why[0]) {
		abort();
	}
	ship_state_free(st);
	free(buf);
	return 0;
}
