// SPDX-License-Identifier: BSD-2-Clause
/* fuzz_seqdec_moldudp64 - the moldudp64 decoder (readers/seqdec_moldudp64.c) on anything. */
#include "fuzz_seqdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seqdec d;

	if (seqdec_parse("moldudp64", &d) == 0)
		fuzz_seqdec(&d, data, size);
	return 0;
}
