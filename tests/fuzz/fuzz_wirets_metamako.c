// SPDX-License-Identifier: BSD-2-Clause
/* fuzz_wirets_metamako - the metamako trailer decoder (lib/wirets.c) on anything. */
#include "fuzz_wirets_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum wirets_kind k[] = { WIRETS_METAMAKO };

	fuzz_wirets(k, 1, data, size);
	return 0;
}
