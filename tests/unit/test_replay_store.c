// SPDX-License-Identifier: BSD-2-Clause
/* replay_store: packets come back as they went in; the budget holds. */
#include <stdint.h>

#include "replay_store.h"
#include "test.h"

int main(void)
{
	struct replay_store *s;
	struct replay_pkt p, q;
	uint8_t buf[1600];
	uint64_t i, n = 0;
	int r;

	T_EQ(replay_store_new(&s, 1 << 20), 0);
	for (i = 0;; i++) {
		uint32_t len = 60 + (uint32_t)(i * 37 % 1400);

		memset(buf, (int)(i & 0xff), len);
		p = (struct replay_pkt){ 1000 + i, buf, len, len + (uint32_t)(i & 1) };
		r = replay_store_add(s, &p);
		if (r == -ENOSPC)
			break;
		T_EQ(r, 0);
		n++;
	}
	T_ASSERT(n > 100);
	T_EQ(replay_store_count(s), n);
	for (i = 0; i < n; i++) {
		uint32_t len = 60 + (uint32_t)(i * 37 % 1400), k;

		replay_store_get(s, i, &q);
		T_EQ(q.ts, 1000 + i);
		T_EQ(q.caplen, len);
		T_EQ(q.wirelen, len + (uint32_t)(i & 1));
		for (k = 0; k < len; k++)
			T_EQ(q.data[k], (uint8_t)(i & 0xff));
	}
	replay_store_free(s);
	return 0;
}
