// SPDX-License-Identifier: BSD-2-Clause
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ring.h"
#include "status_thread.h"

static unsigned int stats_nqueue(const struct ring_stats *st)
{
	uint32_t n = ring_load_relaxed32(&st->nqueue);

	return n < RING_MAX_QUEUES ? n : RING_MAX_QUEUES;
}

static unsigned int stats_niface(const struct ring_stats *st)
{
	uint32_t n = ring_load_relaxed32(&st->niface);

	return n < RING_MAX_IFACES ? n : RING_MAX_IFACES;
}

struct status_thread_sum status_thread_sum(const struct ring_stats *st)
{
	struct status_thread_sum s = { 0 };
	unsigned int q;

	for (q = 0; q < stats_nqueue(st); q++) {
		s.packets += ring_load_relaxed64(&st->queues[q].packets);
		s.bytes += ring_load_relaxed64(&st->queues[q].bytes);
	}
	return s;
}

/* Append to buf; false once it no longer fits. */
static bool put(char *buf, size_t len, size_t *at, const char *fmt, const char *name,
		unsigned int v)
{
	int n = name ? snprintf(buf + *at, len - *at, fmt, name, v)
		     : snprintf(buf + *at, len - *at, fmt, v);

	if (n < 0 || (size_t)n >= len - *at)
		return false;
	*at += (size_t)n;
	return true;
}

char *status_thread_queues(const struct ring_stats *st, char *buf, size_t len)
{
	unsigned int nq = stats_nqueue(st), q, p;
	size_t at = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	/* Each interface once, where its first queue is; its queues after it. */
	for (q = 0; q < nq; q++) {
		uint16_t i = st->queues[q].iface;
		char name[RING_IFNAME_LEN + 1] = "?";
		bool first = true;

		for (p = 0; p < q && st->queues[p].iface != i; p++)
			;
		if (p < q)
			continue;
		if (i < stats_niface(st))
			snprintf(name, sizeof(name), "%.*s", RING_IFNAME_LEN, st->ifaces[i].name);
		for (p = q; p < nq; p++) {
			if (st->queues[p].iface != i)
				continue;
			if (!(first ? put(buf, len, &at, at ? " %s:%u" : "%s:%u", name,
					  st->queues[p].queue)
				    : put(buf, len, &at, ",%u", NULL, st->queues[p].queue)))
				goto cut;
			first = false;
		}
	}
	return buf;
cut:
	/* Room for "..." is kept by cutting back to it. */
	if (len >= 4) {
		at = at + 4 <= len ? at : len - 4;
		memcpy(buf + at, "...", 4);
	} else {
		buf[0] = '\0';
	}
	return buf;
}

double status_thread_busy_share(uint64_t busy_ns, uint64_t start_ns, uint64_t now_ns)
{
	if (!start_ns || now_ns <= start_ns)
		return 0;
	if (busy_ns >= now_ns - start_ns)
		return 1;
	return (double)busy_ns / (double)(now_ns - start_ns);
}
