// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_ship_jsonl - capship's reading of a capstat --json line on any
 * bytes: it takes or refuses the line with a reason, never reads past it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ship_jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ship_jsonl j;
	char why[128] = "";
	/* a copy of exactly size bytes: ASan catches a read past it */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (ship_jsonl_parse(buf, size, &j, why, sizeof(why)) && !why[0])
		abort();
	if (!memchr(j.feed, '\0', sizeof(j.feed)))
		abort();
	free(buf);
	return 0;
}
