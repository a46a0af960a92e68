/* SPDX-License-Identifier: BSD-2-Clause */
/* units.h - parsing of the quantities users type: sizes with K/M/G/T. */
#ifndef CAPD_UNITS_H
#define CAPD_UNITS_H

#include <stdint.h>

/*
 * Parse a byte size: a decimal integer with an optional binary suffix
 * K, M, G or T (optionally followed by "iB" or "B"), e.g. "8G", "512MiB".
 * @return 0, -EINVAL if s is not such a size, -ERANGE if it overflows.
 */
int units_parse_size(const char *s, uint64_t *out);

#endif
