// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_capfile.c - libFuzzer target for the capture-file reader.  Besides
 * "never crashes", it checks the reader's contract on every input: records
 * point at their interface, every data byte is readable, errors say where,
 * truncation is reported once and other errors stick.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small input can decompress to a lot; that is the reader's right, not a finding. */
#define MAX_DECOMPRESSED (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile_rec r;
	struct capfile *f;
	uint64_t off = 0;
	unsigned int sum = 0, i;
	int ret;

	if (capfile_open_mem(data, size, "fuzz", &f)) {
		if (f || strncmp(capfile_error(NULL), "fuzz: ", 6))
			abort();
		return 0;
	}
	while ((ret = capfile_next(f, &r)) == 1) {
		if (r.if_id >= capfile_nifaces(f) || !capfile_iface(f, r.if_id))
			abort();
		for (i = 0; i < r.caplen; i++)
			sum += r.data[i];
		if (capfile_offset(f) < off)
			abort();
		off = capfile_offset(f);
		if (off > MAX_DECOMPRESSED)
			break;
	}
	if (ret < 0) {
		if (strncmp(capfile_error(f), "fuzz: offset ", 13))
			abort();
		/* truncation once, then the end; anything else again */
		if (capfile_next(f, &r) != (ret == -EIO ? 0 : ret))
			abort();
	} else if (ret == 0 && capfile_next(f, &r) != 0) {
		abort();
	}
	capfile_close(f);
	/* keep the reads of every data byte */
	__asm__ volatile("" : : "r"(sum));
	return 0;
}
