/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_run.h - the sending loop: each packet is prepared (its datagram
 * and destination, or its rewritten frame), waited for until it is due,
 * and handed to the sender; what is due together goes in one batch.
 *
 * A packet is added to the batch once due; the batch is sent when the next
 * packet is not yet due (before waiting for it), when it is full, or at
 * the end.  So a packet goes out right after the next one has been looked
 * at (from memory: tens of ns; read from a file: that read's time), and
 * packets due at once (a burst, or packets behind schedule) share one
 * system call.  Its send time, taken just before that call, minus its due
 * time is its error in the report.
 *
 * Due times never go backwards: a packet due before the previous one (an
 * input out of time order) is due with it, and counted (out_of_order).
 */
#ifndef CAPD_REPLAY_RUN_H
#define CAPD_REPLAY_RUN_H

#include <signal.h>
#include <stdint.h>

#include "replay_map.h"
#include "replay_report.h"
#include "replay_send.h"
#include "replay_store.h"
#include "replay_wait.h"

struct replay_run_opts {
	enum replay_mode mode;
	const struct replay_map *map;
	struct replay_send *send;
	uint64_t spin_ns;
	uint64_t limit; /* -c: packets handled (sent or failed) at most; 0 all */
	const volatile sig_atomic_t *stop;
};

struct replay_run {
	struct replay_run_opts o;
	struct replay_report *rep;
	struct replay_wait wait;
	uint64_t base;	   /* CLOCK_MONOTONIC ns of offset 0 */
	uint64_t last_due; /* of the previous packet */
	uint64_t handled;  /* sent, failed or skipped */
	uint64_t due[REPLAY_SEND_BATCH];
	uint32_t bytes[REPLAY_SEND_BATCH];
	uint8_t frame[REPLAY_SEND_MAX]; /* frame mode: the copy rewritten */
	int res[REPLAY_SEND_BATCH];
};

/* Set r up; offsets count from base (CLOCK_MONOTONIC ns). */
void replay_run_init(struct replay_run *r, const struct replay_run_opts *o,
		     struct replay_report *rep, uint64_t base);

/*
 * Replay packet p, due offset ns after the base.
 * @return 0 to go on; 1 when the limit is reached or *stop is set.
 */
int replay_run_packet(struct replay_run *r, const struct replay_pkt *p, uint64_t offset);

/* Send what is pending and close the figures (elapsed, spinning). */
void replay_run_finish(struct replay_run *r);

#endif
