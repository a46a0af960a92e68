// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_conf.c - libFuzzer target for capd_conf_parse_string().  Besides
 * "never crashes", it checks the dump contract on every accepted input: the
 * dump parses back to the same struct and dumps to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig before 1.7.3 leaks a string token discarded in error recovery
 * (hyperrealm/libconfig#142, fixed by PR #155).  capd parses once, so only
 * the fuzzer notices; our own leaks are still reported.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char *dump_str(const struct capd_conf *c)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		abort();
	capd_conf_dump(c, f);
	if (fclose(f))
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct capd_conf a, b;
	char err[256], *text, *d1, *d2;

	if (size > CAPD_CONF_MAX_TEXT)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (capd_conf_parse_string(&a, text, "fuzz", err, sizeof(err))) {
		/* every refusal names file and line */
		if (strncmp(err, "fuzz:", 5))
			abort();
		free(text);
		return 0;
	}
	free(text);
	d1 = dump_str(&a);
	if (capd_conf_parse_string(&b, d1, "dump", err, sizeof(err))) {
		fprintf(stderr, "accepted config dumps to one that fails: %s\n%s", err, d1);
		abort();
	}
	d2 = dump_str(&b);
	if (memcmp(&a, &b, sizeof(a)) || strcmp(d1, d2)) {
		fprintf(stderr, "dump round trip differs:\n%s---\n%s", d1, d2);
		abort();
	}
	free(d1);
	free(d2);
	return 0;
}
