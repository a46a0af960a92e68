/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock_status.h - what capd knows about the time it stamps with, for the
 * ring's clock page: ptp4l's datasets (through ptp_client.h, about once a
 * second), the kernel's TAI offset and sync state, the stamping NIC's PHC
 * and receive filter, and from all of these a synced/unsynced verdict with
 * the rule that produced it (enum ring_sync_rule, docs/clock.md).
 *
 * Runs in capd's housekeeping thread only; nothing here blocks.
 */
#ifndef CAPD_CLOCK_STATUS_H
#define CAPD_CLOCK_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "ptp_client.h"
#include "ring_format.h"

#define CLOCK_STATUS_ROUND_NS 1000000000ull /* one round of GETs a second */
#define CLOCK_STATUS_LOST_NS  2000000000ull /* silent this long: not answering */

struct clock_status_opts {
	const char *ptp4l_socket;  /* "" = no ptp4l */
	const char *client_socket; /* where capd binds its end */
	uint8_t domain;
	int64_t max_offset_ns; /* bound of RING_SYNC_PTP_SLAVE */
	const char *hw_ifname; /* NIC stamping in hardware, or NULL */
	int phc_fd;	       /* its /dev/ptpN open for reading, or -1 */
	int phc_index;	       /* N, or -1 */
};

/* Leap second plan, see ring_clock.leap_tai_ns. */
struct clock_leap {
	uint64_t tai_ns; /* 0 = none */
	int16_t before, after;
};

struct clock_status {
	struct clock_status_opts o;
	struct ptp_client pc;	   /* pc.fd < 0: no ptp4l to ask */
	int send_err;		   /* of the last round, 0 = sent */
	uint64_t next_round;	   /* CLOCK_MONOTONIC */
	uint64_t first_round;	   /* CLOCK_MONOTONIC, 0 = none sent yet */
	uint64_t last_answer;	   /* CLOCK_MONOTONIC, 0 = never */
	uint64_t last_answer_real; /* CLOCK_REALTIME */
	uint16_t port_seq;	   /* sequenceId of this round's PORT_DATA_SET */
	uint8_t port_rank;	   /* of the best port seen for port_seq */
	struct ptp_time_status ts;
	struct ptp_port_ds port;
	struct ptp_current_ds current;
	struct ptp_time_properties tprop;
	struct ptp_parent_ds parent;
	bool have_tprop;
	struct clock_leap leap;
};

/*
 * Set up (before capd drops privileges: the PHC must already be open).
 * @return 0, or the -errno of binding the client socket (capd then runs
 *         on with ptp_status NO_ANSWER).
 */
int clock_status_open(struct clock_status *cs, const struct clock_status_opts *o);

void clock_status_close(struct clock_status *cs);

/*
 * Collect ptp4l's answers and, once a round is due, send the next round of
 * GETs.  Call every ~100 ms.  The round's send error stays in send_err.
 */
void clock_status_poll(struct clock_status *cs, uint64_t now_mono);

/*
 * Fill every field of the clock page except seq and version into *c:
 * now_real is CLOCK_REALTIME, ts_source the stamp source in use.
 */
void clock_status_fill(struct clock_status *cs, struct ring_clock *c, uint64_t now_mono,
		       uint64_t now_real, uint8_t ts_source);

/* ---- pure parts, exposed for tests ---------------------------------------- */

/*
 * The verdict for a filled clock page: the first rule of enum
 * ring_sync_rule that applies.  kernel_synced: adjtimex() calls the system
 * clock synchronised.  Synced when the result is below 100.
 */
uint16_t clock_status_rule(const struct ring_clock *c, bool kernel_synced);

/*
 * Update the leap second plan from ptp4l's current UTC offset and flags
 * (PTP_TF_LEAP_61/59) at UTC time now_utc_ns: an announced leap is planned
 * for the coming UTC midnight; a plan is kept for a day after its leap so
 * that stamps from before it still convert with the old offset.
 */
void clock_status_leap(struct clock_leap *l, int16_t utc_offset, uint8_t flags,
		       uint64_t now_utc_ns);

#endif
