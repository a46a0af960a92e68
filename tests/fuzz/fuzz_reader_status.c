// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_reader_status.c - libFuzzer target for the reader status parser
 * (capctl reads files any member of the capture group may write).  Besides
 * "never crashes": whatever parses is printed and parsed again, and from
 * then on the text is a fixed point; no string parsed holds a control
 * character, and none printed for a terminal (reader_status_put_text) or
 * as JSON (json_out_str) shows one.  The input as a file name goes through
 * reader_status_name_pid().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
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

/* A control character in what s printed as: C0, DEL, C1 alone or in UTF-8. */
static void check_printed(void (*put)(FILE *f, const char *s), const char *s)
{
	static char out[8 * 4096];
	FILE *f = fmemopen(out, sizeof(out), "w");
	long n, i;

	if (!f)
		abort();
	put(f, s);
	n = ftell(f);
	fclose(f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i], prev = i ? (unsigned char)out[i - 1] : 0;

		if (c < 0x20 || c == 0x7f ||
		    (c >= 0x80 && c <= 0x9f && (prev < 0x80 || prev == 0xc2)))
			abort();
	}
}

static void check_str(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	check_printed(reader_status_put_text, s);
	check_printed(json_out_str, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reader_status a, b;
	static char t1[65536], t2[65536], name[256];
	size_t n1, n2;
	unsigned int i;
	int32_t pid;

	if (size < sizeof(name)) {
		memcpy(name, data, size);
		name[size] = '\0';
		if (reader_status_name_pid(name, &pid) == 0 && pid <= 0)
			abort();
	}
	if (reader_status_parse((const char *)data, size, &a) < 0)
		return 0;
	check_str(a.program);
	check_str(a.command);
	for (i = 0; i < a.nrings; i++)
		check_str(a.rings[i].path);
	n1 = print(&a, t1, sizeof(t1));
	if (reader_status_parse(t1, n1, &b) < 0)
		abort();
	n2 = print(&b, t2, sizeof(t2));
	if (n1 != n2 || memcmp(t1, t2, n1))
		abort();
	return 0;
}
