// SPDX-License-Identifier: BSD-2-Clause
#include <stdint.h>

#include "test.h"
#include "units.h"

static void check_format(void)
{
	static const struct {
		uint64_t v;
		const char *out;
	} cases[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" },
		{ (1ULL << 20) - 1, "1024.0 KiB" },
		{ 1ULL << 20, "1.0 MiB" },
		{ 8ULL << 30, "8.0 GiB" },
		{ 1ULL << 40, "1.0 TiB" },
		{ UINT64_MAX, "16.0 EiB" },
	};
	char buf[32];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(units_format_size(cases[i].v, buf, sizeof(buf)), cases[i].out))
			T_FAIL("%llu: got '%s', want '%s'", (unsigned long long)cases[i].v, buf,
			       cases[i].out);
}

int main(void)
{
	static const struct {
		const char *in;
		int err;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "64K", 0, 64ULL << 10 },
		{ "8G", 0, 8ULL << 30 },
		{ "8g", 0, 8ULL << 30 },
		{ "512MiB", 0, 512ULL << 20 },
		{ "2MB", 0, 2ULL << 20 },
		{ "1T", 0, 1ULL << 40 },
		{ "", -EINVAL, 0 },
		{ "G", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "8X", -EINVAL, 0 },
		{ "8 G", -EINVAL, 0 },
		{ "8GX", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "16777216T", -ERANGE, 0 },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int err = units_parse_size(cases[i].in, &v);

		if (err != cases[i].err || (!err && v != cases[i].v))
			T_FAIL("'%s': got %d/%llu, want %d/%llu", cases[i].in, err,
			       (unsigned long long)v, cases[i].err, (unsigned long long)cases[i].v);
	}
	check_format();
	return T_EXIT_PASS;
}
