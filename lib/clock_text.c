// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "clock_text.h"

const char *clock_text_port_state(uint8_t state)
{
	static const char *const names[] = {
		"UNKNOWN",    "INITIALIZING", "FAULTY",	 "DISABLED",	 "LISTENING",
		"PRE_MASTER", "MASTER",	      "PASSIVE", "UNCALIBRATED", "SLAVE",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "UNKNOWN";
}

char *clock_text_identity(const uint8_t id[8], char *buf)
{
	snprintf(buf, 19, "%02x%02x%02x.%02x%02x.%02x%02x%02x", id[0], id[1], id[2], id[3], id[4],
		 id[5], id[6], id[7]);
	return buf;
}

char *clock_text_utc(uint64_t ns, unsigned int digits, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000u);
	uint64_t frac = ns % 1000000000u;
	unsigned int i;
	struct tm tm;
	size_t n;

	for (i = digits; i < 9; i++)
		frac /= 10;
	gmtime_r(&secs, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%0*lluZ", (int)digits, (unsigned long long)frac);
	return buf;
}

const char *clock_text_source(uint8_t ts_source)
{
	switch (ts_source) {
	case RING_TS_PHC:
		return "phc";
	case RING_TS_KERNEL_TAI:
		return "kernel-tai";
	case RING_TS_USER_TAI:
		return "capd-tai";
	default:
		return "none";
	}
}

const char *clock_text_ptp_status(uint8_t status)
{
	switch (status) {
	case RING_PTP_ANSWERING:
		return "answering";
	case RING_PTP_NO_ANSWER:
		return "no-answer";
	case RING_PTP_NO_ACCESS:
		return "no-access";
	case RING_PTP_WAITING:
		return "waiting";
	default:
		return "off";
	}
}

const char *clock_text_rule(uint16_t rule)
{
	switch (rule) {
	case RING_SYNC_PTP_SLAVE:
		return "ptp4l port SLAVE within max_offset";
	case RING_SYNC_PTP_GM:
		return "ptp4l is the grandmaster";
	case RING_SYNC_KERNEL:
		return "no ptp4l; kernel clock synchronised";
	case RING_UNSYNC_PTP_LOST:
		return "ptp4l not answering";
	case RING_UNSYNC_PTP_ACCESS:
		return "ptp4l socket not accessible";
	case RING_UNSYNC_PORT_STATE:
		return "no ptp4l port in SLAVE state";
	case RING_UNSYNC_OFFSET:
		return "offset from master above max_offset";
	case RING_UNSYNC_PHC_SYS:
		return "system clock off the PTP clock (phc2sys?)";
	case RING_UNSYNC_KERNEL:
		return "no ptp4l; kernel clock unsynchronised";
	default:
		return "clock state not known yet";
	}
}

static const char *stamp_words(uint8_t ts_source)
{
	switch (ts_source) {
	case RING_TS_PHC:
		return "the NIC clock";
	case RING_TS_KERNEL_TAI:
		/* One page for every interface: the bypass path stamps at XDP
		 * ingress, the shared path at the packet socket (capd's log
		 * names each interface's). */
		return "the kernel's receive time (TAI)";
	case RING_TS_USER_TAI:
		return "capd";
	default:
		return "nowhere";
	}
}

int clock_text_describe(char *buf, size_t len, const struct ring_clock *c)
{
	char gm[19];

	if (c->ptp_status != RING_PTP_ANSWERING)
		return snprintf(buf, len,
				"%s: %s; ptp4l %s; kernel TAI offset %" PRId32 " s; stamps from %s",
				c->synced ? "synced" : "NOT synced", clock_text_rule(c->sync_rule),
				clock_text_ptp_status(c->ptp_status), c->kernel_tai_offset,
				stamp_words(c->ts_source));
	return snprintf(
		buf, len,
		"%s: %s; port %s, offset %" PRId64 " ns, path delay %" PRId64
		" ns, grandmaster %s%s, UTC offset %d s (%s%s%s); stamps from %s",
		c->synced ? "synced" : "NOT synced", clock_text_rule(c->sync_rule),
		clock_text_port_state(c->port_state), c->master_offset_ns, c->path_delay_ns,
		clock_text_identity(c->gm_identity, gm), c->gm_present ? "" : " (this clock)",
		c->utc_offset, c->time_flags & RING_TIME_UTC_OFF_VALID ? "valid" : "not valid",
		c->time_flags & RING_TIME_PTP_TIMESCALE ? ", PTP timescale" : ", ARB timescale",
		c->time_flags & RING_TIME_LEAP61   ? ", leap second +1 at midnight"
		: c->time_flags & RING_TIME_LEAP59 ? ", leap second -1 at midnight"
						   : "",
		stamp_words(c->ts_source));
}

int clock_text_json(char *buf, size_t len, const struct ring_clock *c)
{
	char gm[19], self[19];

	return snprintf(
		buf, len,
		"{\"synced\":%s,\"sync_rule\":%u,\"sync_reason\":\"%s\",\"ptp4l\":\"%s\","
		"\"port_state\":\"%s\",\"gm_identity\":\"%s\",\"gm_present\":%s,"
		"\"clock_identity\":\"%s\",\"steps_removed\":%u,\"offset_ns\":%" PRId64
		",\"path_delay_ns\":%" PRId64 ",\"max_offset_ns\":%" PRId64 ",\"utc_offset\":%d,"
		"\"utc_offset_valid\":%s,\"ptp_timescale\":%s,\"leap61\":%s,\"leap59\":%s,"
		"\"time_traceable\":%s,\"frequency_traceable\":%s,\"time_source\":%u,"
		"\"gm_clock_class\":%u,\"kernel_tai_offset\":%" PRId32 ",\"phc_index\":%" PRId32
		",\"phc_offset_ns\":%" PRId64 ",\"hwts_filter\":\"%s\",\"ts_source\":\"%s\","
		"\"leap_tai_ns\":%" PRIu64 ",\"ptp_update_ns\":%" PRIu64 ",\"update_ns\":%" PRIu64
		"}",
		c->synced ? "true" : "false", c->sync_rule, clock_text_rule(c->sync_rule),
		clock_text_ptp_status(c->ptp_status), clock_text_port_state(c->port_state),
		clock_text_identity(c->gm_identity, gm), c->gm_present ? "true" : "false",
		clock_text_identity(c->clock_identity, self), c->steps_removed, c->master_offset_ns,
		c->path_delay_ns, c->max_offset_ns, c->utc_offset,
		c->time_flags & RING_TIME_UTC_OFF_VALID ? "true" : "false",
		c->time_flags & RING_TIME_PTP_TIMESCALE ? "true" : "false",
		c->time_flags & RING_TIME_LEAP61 ? "true" : "false",
		c->time_flags & RING_TIME_LEAP59 ? "true" : "false",
		c->time_flags & RING_TIME_TIME_TRACEABLE ? "true" : "false",
		c->time_flags & RING_TIME_FREQ_TRACEABLE ? "true" : "false", c->time_source,
		c->gm_clock_class, c->kernel_tai_offset, c->phc_index, c->phc_offset_ns,
		c->hwts_filter == RING_HWTS_ALL	       ? "all"
		: c->hwts_filter == RING_HWTS_NARROWED ? "narrowed"
						       : "n/a",
		clock_text_source(c->ts_source), c->leap_tai_ns, c->ptp_update_ns, c->update_ns);
}
