// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "replay_store.h"

struct replay_ent {
	uint64_t ts, off;
	uint32_t caplen, wirelen;
};

struct replay_store {
	uint8_t *bytes; /* max_bytes reserved with MAP_NORESERVE */
	uint64_t max_bytes, used;
	struct replay_ent *ent;
	uint64_t n, cap;
};

int replay_store_new(struct replay_store **ret, uint64_t max_bytes)
{
	struct replay_store *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->max_bytes = max_bytes ? max_bytes : 1;
	s->bytes = mmap(NULL, s->max_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->bytes == MAP_FAILED) {
		free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

int replay_store_add(struct replay_store *s, const struct replay_pkt *p)
{
	/* 8-byte aligned copies; the index counts against the budget too */
	uint64_t len = ((uint64_t)p->caplen + 7) & ~7ull;

	if (s->used + len + (s->n + 1) * sizeof(*s->ent) > s->max_bytes)
		return -ENOSPC;
	if (s->n == s->cap) {
		uint64_t cap = s->cap ? s->cap * 2 : 4096;
		struct replay_ent *e = realloc(s->ent, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->ent = e;
		s->cap = cap;
	}
	memcpy(s->bytes + s->used, p->data, p->caplen);
	s->ent[s->n++] = (struct replay_ent){ p->ts, s->used, p->caplen, p->wirelen };
	s->used += len;
	return 0;
}

uint64_t replay_store_count(const struct replay_store *s)
{
	return s->n;
}

void replay_store_get(const struct replay_store *s, uint64_t i, struct replay_pkt *p)
{
	const struct replay_ent *e = &s->ent[i];

	*p = (struct replay_pkt){ e->ts, s->bytes + e->off, e->caplen, e->wirelen };
}

void replay_store_free(struct replay_store *s)
{
	if (!s)
		return;
	munmap(s->bytes, s->max_bytes);
	free(s->ent);
	free(s);
}
