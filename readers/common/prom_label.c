// SPDX-License-Identifier: BSD-2-Clause
/* prom_label.c - Prometheus label values. */
#include "prom_label.h"

void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}
