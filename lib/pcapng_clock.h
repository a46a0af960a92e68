/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_clock.h - the clock quality of a capture file: a pcapng custom
 * option (code 2989, copyable binary, PEN PCAPNG_PEN) that capdump puts on
 * every IDB (the clock when the file was opened) and ISB (when it was
 * closed), next to a human-readable opt_comment saying the same.
 *
 * The option's data after the PEN is struct pcapng_clock: little-endian,
 * `version` first.  Later versions only append fields, so a reader takes
 * the fields it knows from any version >= 1 (docs/clock.md).
 */
#ifndef CAPD_PCAPNG_CLOCK_H
#define CAPD_PCAPNG_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "ring_clock.h"

#define PCAPNG_CLOCK_VERSION 1

struct pcapng_clock {
	uint8_t version;	   /* PCAPNG_CLOCK_VERSION */
	uint8_t synced;		   /* ring_clock.synced */
	uint16_t sync_rule;	   /* enum ring_sync_rule */
	uint8_t ts_source;	   /* enum ring_ts_source of the interface */
	uint8_t utc_how;	   /* enum ring_utc_how: how stamps became UTC */
	uint8_t port_state;	   /* PTP portState, 0 unknown */
	uint8_t ptp_status;	   /* enum ring_ptp_status */
	uint16_t time_flags;	   /* enum ring_time_flags */
	int16_t utc_offset;	   /* TAI - UTC, s */
	int32_t kernel_tai_offset; /* s */
	uint8_t gm_identity[8];
	int64_t master_offset_ns;
	int64_t path_delay_ns;
	int64_t phc_offset_ns;
	uint64_t update_ns; /* UTC time of this clock status */
	uint64_t unsynced;  /* ISB: packets of the interface stamped while
			     * unsynced, since the recording began */
} __attribute__((__packed__));

_Static_assert(sizeof(struct pcapng_clock) == 64, "pcapng clock option v1");
_Static_assert(offsetof(struct pcapng_clock, gm_identity) == 16, "pcapng clock option v1");

/*
 * Fill *o from the clock page c, for stamps of ts_source converted as how;
 * unsynced is 0 on an IDB.  Byte order is little-endian whatever the host.
 */
void pcapng_clock_encode(struct pcapng_clock *o, const struct ring_clock *c, uint8_t ts_source,
			 enum ring_utc_how how, uint64_t unsynced);

/*
 * Decode the option data after the PEN.
 * @return 0, or -EBADMSG when it is shorter than version 1 or version 0.
 */
int pcapng_clock_decode(const void *data, size_t len, struct pcapng_clock *o);

#endif
