/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cpulist.h - sets of CPUs as the kernel prints them in sysfs, procfs and
 * on its command line ("0-3,8,10-11"; "" is the empty set).  Pure.
 */
#ifndef CAPD_CPULIST_H
#define CAPD_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 4096 /* capture.cpu goes up to 4095 */

struct cpulist {
	uint64_t bits[CPULIST_MAX / 64];
};

/*
 * Parse s up to its end, a newline or a space (so a kernel parameter's
 * value parses in place).  Flags before the list, as in
 * "isolcpus=managed_irq,domain,2-3", are skipped.
 * @return 0, or -EINVAL (l is then empty) for anything else, or a CPU
 *         beyond CPULIST_MAX.
 */
int cpulist_parse(const char *s, struct cpulist *l);

bool cpulist_has(const struct cpulist *l, int cpu);

unsigned int cpulist_count(const struct cpulist *l);

/* Do a and b share a CPU? */
bool cpulist_meets(const struct cpulist *a, const struct cpulist *b);

/* Is every CPU of a in b (true for an empty a)? */
bool cpulist_within(const struct cpulist *a, const struct cpulist *b);

/* The lowest CPU in l that is not in except, or -1. */
int cpulist_first_not(const struct cpulist *l, const struct cpulist *except);

/* Print l as "0-3,8" ("" when empty) into buf. @return buf. */
char *cpulist_str(const struct cpulist *l, char *buf, size_t len);

#endif
