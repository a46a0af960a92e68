// SPDX-License-Identifier: BSD-2-Clause
#include <stdint.h>
#include <stdlib.h>

#include "ring_layout.h"
#include "ring_reader.h"
#include "ring_writer.h"
#include "test.h"

int main(void)
{
	uint64_t len = 8 * RING_BLOCK_SIZE_MIN;
	void *mem = aligned_alloc(4096, len);
	struct ring_writer w;
	struct ring_reader r;
	struct ring_view v;
	uint64_t i, got = 0;

	T_ASSERT(mem);
	T_EQ(ring_layout_format(mem, len, RING_BLOCK_SIZE_MIN), 0);
	T_EQ(ring_writer_open(&w, mem, len, 1), 0);
	T_EQ(ring_reader_open(&r, mem, len), 0);
	for (i = 0; i < 1000; i++) {
		struct ring_rec *rec = ring_writer_reserve(&w, 100 + i % 900);
		T_ASSERT(rec);
		rec->ts_ns = i;
		rec->caplen = 100 + i % 900;
		rec->wirelen = rec->caplen;
		rec->iface = 0;
		rec->queue = 0;
		rec->feed = RING_FEED_NONE;
		rec->ts_source = RING_TS_USER_TAI;
		rec->flags = 0;
		memset(rec + 1, (int)(i & 0xff), rec->caplen);
		ring_writer_commit(&w, rec);
		ring_writer_publish(&w);
		while (ring_reader_peek(&r, &v) == 0) {
			T_EQ(v.rec.seq, got);
			T_EQ(v.data[0], got & 0xff);
			T_EQ(ring_reader_release(&r), 0);
			got++;
		}
	}
	T_EQ(got, 1000);
	ring_writer_close(&w);
	T_EQ(ring_reader_peek(&r, &v), -EPIPE);
	free(mem);
	return T_EXIT_PASS;
}
