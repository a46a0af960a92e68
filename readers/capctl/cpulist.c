// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"

static void set_bit(struct cpulist *l, unsigned int cpu)
{
	l->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static bool at_end(char c)
{
	return c == '\0' || c == '\n' || c == ' ';
}

int cpulist_parse(const char *s, struct cpulist *l)
{
	memset(l, 0, sizeof(*l));
	/* isolcpus flags (domain, managed_irq, nohz) come before the list */
	while (isalpha((unsigned char)*s)) {
		s += strcspn(s, ", \n");
		if (*s == ',')
			s++;
	}
	while (!at_end(*s)) {
		unsigned long lo, hi;
		char *end;

		if (!isdigit((unsigned char)*s))
			goto bad;
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				goto bad;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi >= CPULIST_MAX)
			goto bad;
		for (; lo <= hi; lo++)
			set_bit(l, (unsigned int)lo);
		s = end;
		if (*s == ',')
			s++;
		else if (!at_end(*s))
			goto bad;
	}
	return 0;
bad:
	memset(l, 0, sizeof(*l));
	return -EINVAL;
}

bool cpulist_has(const struct cpulist *l, int cpu)
{
	return cpu >= 0 && cpu < CPULIST_MAX && (l->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned int cpulist_count(const struct cpulist *l)
{
	unsigned int i, n = 0;

	for (i = 0; i < CPULIST_MAX / 64; i++)
		n += (unsigned int)__builtin_popcountll(l->bits[i]);
	return n;
}

int cpulist_first_not(const struct cpulist *l, const struct cpulist *except)
{
	int cpu;

	for (cpu = 0; cpu < CPULIST_MAX; cpu++)
		if (cpulist_has(l, cpu) && !cpulist_has(except, cpu))
			return cpu;
	return -1;
}

char *cpulist_str(const struct cpulist *l, char *buf, size_t len)
{
	size_t used = 0;
	int cpu = 0;

	buf[0] = '\0';
	while (cpu < CPULIST_MAX) {
		int first = cpu;
		int n;

		if (!cpulist_has(l, cpu)) {
			cpu++;
			continue;
		}
		while (cpu + 1 < CPULIST_MAX && cpulist_has(l, cpu + 1))
			cpu++;
		if (first == cpu)
			n = snprintf(buf + used, len - used, "%s%d", used ? "," : "", first);
		else
			n = snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", first,
				     cpu);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
		cpu++;
	}
	return buf;
}

bool cpulist_meets(const struct cpulist *a, const struct cpulist *b)
{
	unsigned int i;

	for (i = 0; i < CPULIST_MAX / 64; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

bool cpulist_within(const struct cpulist *a, const struct cpulist *b)
{
	unsigned int i;

	for (i = 0; i < CPULIST_MAX / 64; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}
