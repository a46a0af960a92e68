// SPDX-License-Identifier: BSD-2-Clause
/* fuzz_seqdec_mdp3 - the mdp3 decoder (readers/seqdec_mdp3.c) on anything. */
#include "fuzz_seqdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seqdec d;

	if (seqdec_parse("mdp3", &d) == 0)
		fuzz_seqdec(&d, data, size);
	return 0;
}
