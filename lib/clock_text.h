/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock_text.h - the ring's clock page in words: the names pmc uses for
 * PTP values, one line for people (logs, pcapng comments, capstat) and a
 * JSON object for machines (capctl status --json, capstat --json).
 */
#ifndef CAPD_CLOCK_TEXT_H
#define CAPD_CLOCK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "ring_format.h"

/* "SLAVE", "UNCALIBRATED", ... as pmc prints portState; "UNKNOWN" for 0. */
const char *clock_text_port_state(uint8_t state);

/* A clockIdentity as pmc prints it, "ce68b1.fffe.4bd2aa"; buf >= 19 bytes. */
char *clock_text_identity(const uint8_t id[8], char *buf);

/*
 * UTC time ns (since the epoch) as ISO 8601, "2026-11-21T22:13:26.123Z",
 * with digits (1..9) digits of the second's fraction; buf >= 32 bytes.
 * @return buf.
 */
char *clock_text_utc(uint64_t ns, unsigned int digits, char *buf, size_t len);

/* "phc", "kernel-tai", "capd-tai" or "none" (enum ring_ts_source). */
const char *clock_text_source(uint8_t ts_source);

/* "off", "answering", "no-answer", "no-access", "waiting" (enum ring_ptp_status). */
const char *clock_text_ptp_status(uint8_t status);

/* A short reason for enum ring_sync_rule: "ptp4l port SLAVE within max_offset". */
const char *clock_text_rule(uint16_t rule);

/*
 * One line describing c, e.g. "synced: ptp4l port SLAVE within 1000 ns;
 * offset -751 ns, path delay 2003 ns, grandmaster ce68b1.fffe.4bd2aa,
 * UTC offset 37 s (valid), stamps from the NIC clock".
 * @return the length snprintf would have written.
 */
int clock_text_describe(char *buf, size_t len, const struct ring_clock *c);

/*
 * The JSON object {"synced":..,"sync_rule":..,"port_state":..,...} for c,
 * without a trailing newline (field list in docs/clock.md).
 * @return the length snprintf would have written.
 */
int clock_text_json(char *buf, size_t len, const struct ring_clock *c);

#endif
