// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_wirets_arista - the Arista header decoders (lib/wirets.c), 64 and
 * 48-bit, and wirets_l3() that looks through the header, on anything.
 */
#include "fuzz_wirets_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum wirets_kind k[] = { WIRETS_ARISTA64, WIRETS_ARISTA48 };

	fuzz_wirets(k, 2, data, size);
	return 0;
}
