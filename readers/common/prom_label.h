/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prom_label.h - a Prometheus label value in the text exposition format
 * (node_exporter's textfile collector reads the readers' metrics files).
 */
#ifndef CAPD_PROM_LABEL_H
#define CAPD_PROM_LABEL_H

#include <stdio.h>

/* Write s as a label value, without its quotes: backslash, double quote
 * and newline escaped, as the format asks. */
void prom_label(FILE *f, const char *s);

#endif
