// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_ptp_mgmt - ptp_mgmt_decode() on anything a process that can write
 * to capd's client socket might send.  Seeds: answers recorded from ptp4l.
 */
#include <stddef.h>
#include <stdint.h>

#include "ptp_mgmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptp_mgmt_msg m;

	ptp_mgmt_decode(data, size, &m);
	return 0;
}
