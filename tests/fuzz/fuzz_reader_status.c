// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_reader_status.c - libFuzzer target for the reader status parser
 * (capctl reads files any member of the capture group may write).  Besides
 * "never crashes": whatever parses is printed and parsed again, and from
 * then on the text is a fixed point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t print(const struct reader_status *st, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	long n;

	if (!f)
		abort();
	reader_status_format(f, st);
	n = ftell(f);
	fclose(f);
	if (n <= 0 || (size_t)n >= size)
		abort();
	return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reader_status a, b;
	static char t1[65536], t2[65536];
	size_t n1, n2;

	if (reader_status_parse((const char *)data, size, &a) < 0)
		return 0;
	n1 = print(&a, t1, sizeof(t1));
	if (reader_status_parse(t1, n1, &b) < 0)
		abort();
	n2 = print(&b, t2, sizeof(t2));
	if (n1 != n2 || memcmp(t1, t2, n1))
		abort();
	return 0;
}
