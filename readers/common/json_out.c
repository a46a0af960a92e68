// SPDX-License-Identifier: BSD-2-Clause
#include <string.h>

#include "json_out.h"

size_t json_out_utf8(const unsigned char *p, size_t n, unsigned int *ret)
{
	size_t len, i;
	unsigned int cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*ret = cp;
	return len;
}

void json_out_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	unsigned int cp;

	fputc('"', f);
	while (i < len) {
		if (p[i] == '"' || p[i] == '\\') {
			fprintf(f, "\\%c", p[i++]);
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(f, "\\u%04x", p[i++]);
		} else if (p[i] < 0x80) {
			fputc(p[i++], f);
		} else if ((n = json_out_utf8(p + i, len - i, &cp))) {
			/* C1 controls too: a terminal showing the JSON obeys them. */
			if (cp < 0xa0)
				fprintf(f, "\\u%04x", cp);
			else
				fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\u%04x", p[i++]);
		}
	}
	fputc('"', f);
}
