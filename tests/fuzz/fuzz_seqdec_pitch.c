// SPDX-License-Identifier: BSD-2-Clause
/* fuzz_seqdec_pitch - the pitch decoder (readers/seqdec_pitch.c) on anything. */
#include "fuzz_seqdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seqdec d;

	if (seqdec_parse("pitch", &d) == 0)
		fuzz_seqdec(&d, data, size);
	return 0;
}
