/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_out.h - strings in the JSON the reader programs print.
 */
#ifndef CAPD_JSON_OUT_H
#define CAPD_JSON_OUT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Print s as a quoted JSON string.  Quote, backslash, control characters
 * (C0, DEL, and C1 in UTF-8: U+0080..U+009F) are escaped; other
 * well-formed UTF-8 is copied; any other byte (a payload's binary, a
 * broken name) becomes \u00XX, so the output is valid JSON whatever s
 * holds, and holds no control character.
 */
void json_out_str(FILE *f, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at p (n bytes left), 0 if
 * there is none (overlong forms, surrogates and code points beyond
 * U+10FFFF are not well-formed); its code point in *cp.
 */
size_t json_out_utf8(const unsigned char *p, size_t n, unsigned int *cp);

#endif
