// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_seqdec_generic - seq:OFFSET:WIDTH:be|le (readers/seqdec_generic.c):
 * the first 4 bytes choose offset, width and byte order, the rest is the
 * run of datagrams.
 */
#include <stdio.h>

#include "fuzz_seqdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int widths[4] = { 1, 2, 4, 8 };
	struct seqdec d;
	char spec[64];

	if (size < 4)
		return 0;
	snprintf(spec, sizeof(spec), "seq:%u:%u:%s", (unsigned int)(data[0] << 8 | data[1]),
		 widths[data[2] & 3], data[3] & 1 ? "le" : "be");
	if (seqdec_parse(spec, &d) == 0)
		fuzz_seqdec(&d, data + 4, size - 4);
	return 0;
}
