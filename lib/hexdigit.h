/* SPDX-License-Identifier: BSD-2-Clause */
/* hexdigit.h - one hexadecimal digit's value, for the plain parsers. */
#ifndef CAPD_HEXDIGIT_H
#define CAPD_HEXDIGIT_H

/* @return 0..15 for [0-9a-fA-F], -1 for any other character. */
static inline int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
