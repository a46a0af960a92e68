/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_store.h - the selected packets held in memory between the check
 * pass and the sending, so that sending reads no file: no decompression,
 * no file opened between two packets, and --loop costs nothing.  Bounded:
 * a selection larger than the store's budget is not held (the program then
 * reads it a second time while sending).
 */
#ifndef CAPD_REPLAY_STORE_H
#define CAPD_REPLAY_STORE_H

#include <stdint.h>

/* One packet to replay: its time and the frame as captured. */
struct replay_pkt {
	uint64_t ts; /* packet time, ns since 1970 UTC */
	const uint8_t *data;
	uint32_t caplen, wirelen;
};

struct replay_store;

/*
 * A store for up to max_bytes of packets and their index (24 bytes each).
 * Address space is reserved, not memory: pages are used as packets come.
 * @return 0, or -ENOMEM.
 */
int replay_store_new(struct replay_store **s, uint64_t max_bytes);

/*
 * Append a copy of p.
 * @return 0; -ENOSPC once the budget is exceeded (the store is then of no
 *         use: free it); -ENOMEM.
 */
int replay_store_add(struct replay_store *s, const struct replay_pkt *p);

uint64_t replay_store_count(const struct replay_store *s);

/* Packet i (< replay_store_count()); valid while s is. */
void replay_store_get(const struct replay_store *s, uint64_t i, struct replay_pkt *p);

void replay_store_free(struct replay_store *s);

#endif
