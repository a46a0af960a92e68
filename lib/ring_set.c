// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ring_set.h"

int ring_set_member_path(const char *path0, unsigned int k, char *buf, size_t len)
{
	int n;

	if (k == 0)
		n = snprintf(buf, len, "%s", path0);
	else
		n = snprintf(buf, len, "%s.%u", path0, k);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void ring_set_stamp(struct ring_hdr *h, uint32_t size, uint32_t index, uint64_t id)
{
	/* Plain stores: no reader trusts the ring before writer_state says running. */
	h->set_size = size;
	h->set_index = index;
	h->set_id = id;
}

bool ring_set_member_of(const struct ring_hdr *h0, const struct ring_hdr *hk, uint32_t k)
{
	uint64_t id0 = ring_load_relaxed64(&h0->set_id);

	return ring_load_relaxed32(&hk->set_index) == k &&
	       ring_load_relaxed32(&hk->set_size) == ring_load_relaxed32(&h0->set_size) &&
	       ring_load_relaxed64(&hk->set_id) == id0 && (id0 != 0 || k == 0);
}
