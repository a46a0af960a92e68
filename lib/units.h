/* SPDX-License-Identifier: BSD-2-Clause */
/* units.h - the quantities users type and read: sizes with K/M/G/T. */
#ifndef CAPD_UNITS_H
#define CAPD_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a byte size: a decimal integer with an optional binary suffix
 * K, M, G or T (optionally followed by "iB" or "B"), e.g. "8G", "512MiB".
 * @return 0, -EINVAL if s is not such a size, -ERANGE if it overflows.
 */
int units_parse_size(const char *s, uint64_t *out);

/*
 * Print a byte size for people: "512 B", then the largest binary unit
 * that leaves at least 1, with one decimal ("1.5 KiB", "8.0 GiB").
 * @return buf.
 */
char *units_format_size(uint64_t bytes, char *buf, size_t len);

#endif
