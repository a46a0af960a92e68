// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_clock - the clock status path without a network: PTP management
 * messages against answers recorded from ptp4l, the synced verdict rule by
 * rule, leap second plans, TAI->UTC conversion of synthetic hardware
 * stamps across a leap second, and the pcapng clock option.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "clock_status.h"
#include "clock_text.h"
#include "pcapng_clock.h"
#include "ptp_mgmt.h"
#include "ring_clock.h"
#include "test.h"
#include "unit/ptp_vectors.h"

#define NS 1000000000LL

static const uint8_t gm_id[8] = { 0xce, 0x68, 0xb1, 0xff, 0xfe, 0x4b, 0xd2, 0xaa };
static const uint8_t slave_id[8] = { 0x1e, 0x7b, 0x19, 0xff, 0xfe, 0xf7, 0x72, 0xae };

static void decode_ok(const uint8_t *buf, size_t len, uint16_t id, struct ptp_mgmt_msg *m)
{
	T_EQ(ptp_mgmt_decode(buf, len, m), 0);
	T_EQ(m->id, id);
	T_EQ(m->action, 2);
	T_EQ(m->error, 0);
	T_EQ(m->domain, 0);
}

/* Our GETs are byte for byte what `pmc -z` sent, given its port and seq. */
static void test_requests(void)
{
	static const struct {
		const uint8_t *want;
		uint16_t id;
	} req[] = {
		{ req_slave_port_data_set, PTP_MID_PORT_DATA_SET },
		{ req_slave_time_status_np, PTP_MID_TIME_STATUS_NP },
		{ req_slave_time_properties, PTP_MID_TIME_PROPERTIES_DATA_SET },
		{ req_slave_current_data_set, PTP_MID_CURRENT_DATA_SET },
		{ req_slave_parent_data_set, PTP_MID_PARENT_DATA_SET },
	};
	uint8_t buf[PTP_MGMT_REQ_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		T_EQ(ptp_mgmt_get(buf, 0, 0x1383, (uint16_t)i, req[i].id), PTP_MGMT_REQ_LEN);
		T_ASSERT(!memcmp(buf, req[i].want, PTP_MGMT_REQ_LEN));
	}
	ptp_mgmt_get(buf, 24, 7, 0xbeef, PTP_MID_PORT_DATA_SET);
	T_EQ(buf[4], 24);
	T_EQ(buf[30] << 8 | buf[31], 0xbeef);
}

/* The recorded answers decode to what pmc printed (ptp_vectors.h). */
static void test_responses(void)
{
	struct ptp_mgmt_msg m;
	char id[19];

	decode_ok(resp_slave_port_data_set, sizeof(resp_slave_port_data_set), PTP_MID_PORT_DATA_SET,
		  &m);
	T_ASSERT(!memcmp(m.u.port.port.clock, slave_id, 8));
	T_EQ(m.u.port.port.port, 1);
	T_EQ(m.u.port.port_state, PTP_PS_UNCALIBRATED);
	T_ASSERT(!strcmp(clock_text_port_state(m.u.port.port_state), "UNCALIBRATED"));
	T_EQ(m.sequence_id, 0);

	decode_ok(resp_slave_time_status_np, sizeof(resp_slave_time_status_np),
		  PTP_MID_TIME_STATUS_NP, &m);
	T_EQ(m.u.time_status.master_offset_ns, -751);
	T_EQ(m.u.time_status.ingress_time_ns, 1795298032712152708LL);
	T_EQ(m.u.time_status.gm_present, 1);
	T_ASSERT(!strcmp(clock_text_identity(m.u.time_status.gm_identity, id),
			 "ce68b1.fffe.4bd2aa"));

	decode_ok(resp_slave_time_properties, sizeof(resp_slave_time_properties),
		  PTP_MID_TIME_PROPERTIES_DATA_SET, &m);
	T_EQ(m.u.tprop.current_utc_offset, 37);
	T_EQ(m.u.tprop.flags, 0);
	T_EQ(m.u.tprop.time_source, 0xa0);

	decode_ok(resp_slave_current_data_set, sizeof(resp_slave_current_data_set),
		  PTP_MID_CURRENT_DATA_SET, &m);
	T_EQ(m.u.current.steps_removed, 1);
	T_EQ(m.u.current.offset_from_master_ns, -751);
	T_EQ(m.u.current.mean_path_delay_ns, 2003);

	decode_ok(resp_slave_parent_data_set, sizeof(resp_slave_parent_data_set),
		  PTP_MID_PARENT_DATA_SET, &m);
	T_ASSERT(!memcmp(m.u.parent.parent.clock, gm_id, 8));
	T_EQ(m.u.parent.parent.port, 1);
	T_EQ(m.u.parent.gm_priority1, 10);
	T_EQ(m.u.parent.gm_clock_class, 248);
	T_EQ(m.u.parent.gm_priority2, 128);
	T_ASSERT(!memcmp(m.u.parent.gm_identity, gm_id, 8));

	decode_ok(resp_master_port_data_set, sizeof(resp_master_port_data_set),
		  PTP_MID_PORT_DATA_SET, &m);
	T_EQ(m.u.port.port_state, PTP_PS_MASTER);
	T_ASSERT(!memcmp(m.u.port.port.clock, gm_id, 8));
	decode_ok(resp_master_time_status_np, sizeof(resp_master_time_status_np),
		  PTP_MID_TIME_STATUS_NP, &m);
	T_EQ(m.u.time_status.gm_present, 0);
	T_ASSERT(!memcmp(m.u.time_status.gm_identity, gm_id, 8));

	/* Well formed, but a dataset capd does not read. */
	T_EQ(ptp_mgmt_decode(resp_slave_priority1, sizeof(resp_slave_priority1), &m), -ENOMSG);
	T_EQ(m.id, 0x2005);
}

/* Every cut of every recorded answer, and some bit flips, are refused or
 * decoded within bounds, never read past the end. */
static void test_damaged(void)
{
	static const struct {
		const uint8_t *p;
		size_t n;
	} v[] = {
		{ resp_slave_port_data_set, sizeof(resp_slave_port_data_set) },
		{ resp_slave_time_status_np, sizeof(resp_slave_time_status_np) },
		{ resp_slave_current_data_set, sizeof(resp_slave_current_data_set) },
		{ resp_slave_parent_data_set, sizeof(resp_slave_parent_data_set) },
	};
	uint8_t buf[256];
	struct ptp_mgmt_msg m;
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (n = 0; n < v[i].n; n++)
			T_ASSERT(ptp_mgmt_decode(v[i].p, n, &m) < 0);
		memcpy(buf, v[i].p, v[i].n);
		buf[0] = 0x0b; /* an ANNOUNCE, not a management message */
		T_EQ(ptp_mgmt_decode(buf, v[i].n, &m), -EBADMSG);
		memcpy(buf, v[i].p, v[i].n);
		buf[46] = 0; /* a GET, not a RESPONSE */
		T_EQ(ptp_mgmt_decode(buf, v[i].n, &m), -EBADMSG);
		memcpy(buf, v[i].p, v[i].n);
		buf[51] = 0xf0; /* TLV longer than the message */
		T_EQ(ptp_mgmt_decode(buf, v[i].n, &m), -EBADMSG);
		memcpy(buf, v[i].p, v[i].n);
		buf[3] = (uint8_t)(v[i].n + 1); /* messageLength beyond the datagram */
		T_EQ(ptp_mgmt_decode(buf, v[i].n, &m), -EBADMSG);
	}
}

/* MANAGEMENT_ERROR_STATUS (1588 Table 71): id and error are reported. */
static void test_error_status(void)
{
	uint8_t buf[64];
	struct ptp_mgmt_msg m;

	memcpy(buf, resp_slave_priority1, 48);
	buf[2] = 0;
	buf[3] = 56;
	buf[48] = 0x00, buf[49] = 0x02;		      /* MANAGEMENT_ERROR_STATUS */
	buf[50] = 0x00, buf[51] = 0x04;		      /* length: error, id (+4 reserved cut) */
	buf[52] = 0x00, buf[53] = 0x02;		      /* NOT_SUPPORTED */
	buf[54] = 0xc0, buf[55] = 0x00;		      /* TIME_STATUS_NP */
	T_EQ(ptp_mgmt_decode(buf, 56, &m), -EBADMSG); /* shorter than the TLV needs */
	buf[3] = 60;
	buf[51] = 8;
	memset(buf + 56, 0, 4);
	T_EQ(ptp_mgmt_decode(buf, 60, &m), 0);
	T_EQ(m.error, 2);
	T_EQ(m.id, PTP_MID_TIME_STATUS_NP);
}

static struct ring_clock answering(uint8_t state, int64_t offset)
{
	struct ring_clock c;

	memset(&c, 0, sizeof(c));
	c.ptp_status = RING_PTP_ANSWERING;
	c.port_state = state;
	c.master_offset_ns = offset;
	c.max_offset_ns = 1000;
	c.gm_present = 1;
	memcpy(c.gm_identity, gm_id, 8);
	memcpy(c.clock_identity, slave_id, 8);
	c.ts_source = RING_TS_PHC;
	c.phc_index = -1;
	return c;
}

static void test_verdict(void)
{
	struct ring_clock c;

	memset(&c, 0, sizeof(c));
	c.ptp_status = RING_PTP_OFF;
	T_EQ(clock_status_rule(&c, true), RING_SYNC_KERNEL);
	T_EQ(clock_status_rule(&c, false), RING_UNSYNC_KERNEL);
	c.ptp_status = RING_PTP_NO_ANSWER;
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PTP_LOST);
	c.ptp_status = RING_PTP_NO_ACCESS;
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PTP_ACCESS);
	c.ptp_status = RING_PTP_WAITING;
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_UNKNOWN);

	c = answering(PTP_PS_SLAVE, -1000);
	T_EQ(clock_status_rule(&c, false), RING_SYNC_PTP_SLAVE);
	c.master_offset_ns = 1001;
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_OFFSET);
	c = answering(PTP_PS_UNCALIBRATED, 0);
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PORT_STATE);
	c = answering(PTP_PS_LISTENING, 0);
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PORT_STATE);
	/* MASTER of a remote grandmaster (a boundary clock's master port
	 * without a slave port) is not a reference. */
	c = answering(PTP_PS_MASTER, 0);
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PORT_STATE);
	/* The grandmaster itself. */
	c = answering(PTP_PS_MASTER, 0);
	c.gm_present = 0;
	memcpy(c.clock_identity, gm_id, 8);
	T_EQ(clock_status_rule(&c, true), RING_SYNC_PTP_GM);

	/* Kernel stamps while ptp4l disciplines a PHC on TAI (UTC offset 37,
	 * kernel TAI offset 37 when phc2sys set it): PHC - CLOCK_TAI ~ 0. */
	c = answering(PTP_PS_SLAVE, 10);
	c.ts_source = RING_TS_KERNEL_TAI;
	c.phc_index = 0;
	c.time_flags = RING_TIME_PTP_TIMESCALE | RING_TIME_UTC_OFF_VALID;
	c.utc_offset = 37;
	c.kernel_tai_offset = 37;
	c.phc_offset_ns = 400;
	T_EQ(clock_status_rule(&c, true), RING_SYNC_PTP_SLAVE);
	c.phc_offset_ns = 5000; /* phc2sys not running */
	T_EQ(clock_status_rule(&c, true), RING_UNSYNC_PHC_SYS);
	c.kernel_tai_offset = 0; /* nobody set it: CLOCK_TAI is UTC, 37 s behind */
	c.phc_offset_ns = 37 * NS + 300;
	T_EQ(clock_status_rule(&c, true), RING_SYNC_PTP_SLAVE);
}

/* 2016-12-31T23:59:60Z, the last leap second: TAI-UTC went from 36 to 37. */
#define LEAP_2017_UTC 1483228800LL /* 2017-01-01T00:00:00Z */

static void test_leap_plan(void)
{
	struct clock_leap l = { 0 };
	uint64_t day_before = (uint64_t)(LEAP_2017_UTC - 3600) * NS;

	/* No announcement, no plan. */
	clock_status_leap(&l, 36, 0, day_before);
	T_EQ(l.tai_ns, 0);
	/* LEAP_61 an hour before midnight: the leap begins at TAI midnight+36 s. */
	clock_status_leap(&l, 36, PTP_TF_LEAP_61 | PTP_TF_UTC_OFF_VALID, day_before);
	T_EQ(l.tai_ns, (uint64_t)(LEAP_2017_UTC + 36) * NS);
	T_EQ(l.before, 36);
	T_EQ(l.after, 37);
	/* A stale flag just after midnight keeps the plan. */
	clock_status_leap(&l, 36, PTP_TF_LEAP_61, (uint64_t)(LEAP_2017_UTC + 1) * NS);
	T_EQ(l.tai_ns, (uint64_t)(LEAP_2017_UTC + 36) * NS);
	/* After the leap: the new offset, plan kept for a day, then dropped. */
	clock_status_leap(&l, 37, PTP_TF_UTC_OFF_VALID, (uint64_t)(LEAP_2017_UTC + 5) * NS);
	T_EQ(l.tai_ns, (uint64_t)(LEAP_2017_UTC + 36) * NS);
	clock_status_leap(&l, 37, 0, (uint64_t)(LEAP_2017_UTC + 86400) * NS);
	T_EQ(l.tai_ns, 0);

	/* A withdrawn announcement drops the plan. */
	clock_status_leap(&l, 36, PTP_TF_LEAP_61, day_before);
	T_ASSERT(l.tai_ns != 0);
	clock_status_leap(&l, 36, 0, day_before + 60 * NS);
	T_EQ(l.tai_ns, 0);

	/* LEAP_59: 23:59:59 is skipped; the change is at TAI 23:59:59 + 37. */
	clock_status_leap(&l, 37, PTP_TF_LEAP_59, day_before);
	T_EQ(l.tai_ns, (uint64_t)(LEAP_2017_UTC - 1 + 37) * NS);
	T_EQ(l.after, 36);
}

static uint64_t utc_of(const struct ring_clock *c, int64_t tai_s, int64_t frac_ns)
{
	enum ring_utc_how how;
	uint64_t utc =
		ring_clock_to_utc_how(c, RING_TS_PHC, (uint64_t)(tai_s * NS + frac_ns), &how);

	T_EQ(how, RING_UTC_PTP);
	return utc;
}

/* Synthetic PHC stamps every 0.5 s from UTC 23:59:58 across the leap. */
static void test_utc_across_leap(void)
{
	struct clock_leap l = { 0 };
	struct ring_clock c;
	static const struct {
		int64_t tai; /* seconds after TAI 2017-01-01T00:00:36 (= the leap) */
		int64_t frac;
		int64_t utc; /* expected, seconds since the epoch */
	} t[] = {
		{ -2, 0, LEAP_2017_UTC - 2 },	      /* 23:59:58 */
		{ -1, 500000000, LEAP_2017_UTC - 1 }, /* 23:59:59.5 */
		{ 0, 0, LEAP_2017_UTC - 1 },	      /* 23:59:60 reads as 23:59:59 again */
		{ 0, 999999999, LEAP_2017_UTC - 1 },  { 1, 0, LEAP_2017_UTC }, /* 00:00:00 */
		{ 2, 250000000, LEAP_2017_UTC + 1 },
	};
	unsigned int i, phase;
	uint64_t want;

	memset(&c, 0, sizeof(c));
	c.time_flags = RING_TIME_PTP_TIMESCALE | RING_TIME_UTC_OFF_VALID;
	/* Before the leap (flag set, offset 36) and after it (offset 37, flag
	 * gone): a reader converts the same stamps alike either way. */
	for (phase = 0; phase < 2; phase++) {
		int16_t off = phase ? 37 : 36;

		clock_status_leap(&l, off, phase ? 0 : PTP_TF_LEAP_61,
				  (uint64_t)(LEAP_2017_UTC + (phase ? 10 : -10)) * NS);
		c.utc_offset = off;
		c.leap_tai_ns = l.tai_ns;
		c.leap_offset_before = l.before;
		c.leap_offset_after = l.after;
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			want = (uint64_t)(t[i].utc * NS + t[i].frac);
			T_EQ(utc_of(&c, LEAP_2017_UTC + 36 + t[i].tai, t[i].frac), want);
		}
	}
	/* Without a plan a day later: the current offset for everything. */
	c.leap_tai_ns = 0;
	T_EQ(utc_of(&c, LEAP_2017_UTC + 86400 + 37, 0), (uint64_t)(LEAP_2017_UTC + 86400) * NS);
}

static void test_utc_sources(void)
{
	struct ring_clock c;
	enum ring_utc_how how;
	uint64_t ts = 1700000037ull * NS;

	memset(&c, 0, sizeof(c));
	c.utc_offset = 37;
	c.kernel_tai_offset = 37;
	/* Kernel stamps: CLOCK_TAI minus the kernel offset, whatever PTP says. */
	T_EQ(ring_clock_to_utc_how(&c, RING_TS_KERNEL_TAI, ts, &how), 1700000000ull * NS);
	T_EQ(how, RING_UTC_KERNEL);
	/* PHC on the ARB timescale (software ptp4l): already UTC. */
	T_EQ(ring_clock_to_utc_how(&c, RING_TS_PHC, ts, &how), ts);
	T_EQ(how, RING_UTC_ARB);
	/* PTP timescale, offset not valid: the kernel's offset if set ... */
	c.time_flags = RING_TIME_PTP_TIMESCALE;
	T_EQ(ring_clock_to_utc_how(&c, RING_TS_PHC, ts, &how), 1700000000ull * NS);
	T_EQ(how, RING_UTC_KERNEL);
	/* ... else the stamp stays TAI, and says so. */
	c.kernel_tai_offset = 0;
	T_EQ(ring_clock_to_utc_how(&c, RING_TS_PHC, ts, &how), ts);
	T_EQ(how, RING_UTC_AS_IS);
}

static void test_pcapng_option(void)
{
	static const uint8_t golden[64] = {
		1,    1,    1,	  0,	1,    1,    9,	  1,	0x0c, 0,    37,
		0,    37,   0,	  0,	0,    0xce, 0x68, 0xb1, 0xff, 0xfe, 0x4b,
		0xd2, 0xaa, 0x17, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -745 */
		0xd3, 0x07, 0,	  0,	0,    0,    0,	  0,		    /* 2003 */
		0,    0,    0,	  0,	0,    0,    0,	  0,		    /* no PHC */
		0x00, 0xca, 0x9a, 0x3b, 0,    0,    0,	  0,		    /* 1 s */
		5,    0,    0,	  0,	0,    0,    0,	  0,
	};
	struct ring_clock c = answering(PTP_PS_SLAVE, -745);
	struct pcapng_clock o, back;
	char line[512];

	c.synced = 1;
	c.sync_rule = RING_SYNC_PTP_SLAVE;
	c.time_flags = RING_TIME_PTP_TIMESCALE | RING_TIME_UTC_OFF_VALID;
	c.utc_offset = 37;
	c.kernel_tai_offset = 37;
	c.path_delay_ns = 2003;
	c.update_ns = NS;
	pcapng_clock_encode(&o, &c, RING_TS_PHC, RING_UTC_PTP, 5);
	T_ASSERT(!memcmp(&o, golden, sizeof(golden)));
	T_EQ(pcapng_clock_decode(golden, sizeof(golden), &back), 0);
	T_EQ(back.master_offset_ns, -745);
	T_EQ(back.unsynced, 5);
	T_EQ(pcapng_clock_decode(golden, 63, &back), -EBADMSG);

	clock_text_describe(line, sizeof(line), &c);
	T_ASSERT(strstr(line, "synced: ptp4l port SLAVE within max_offset; port SLAVE, offset "
			      "-745 ns, path delay 2003 ns, grandmaster ce68b1.fffe.4bd2aa"));
	T_ASSERT(!strcmp(clock_text_utc(1483228799012345678ull, 9, line, sizeof(line)),
			 "2016-12-31T23:59:59.012345678Z"));
	T_ASSERT(!strcmp(clock_text_utc(1483228799012345678ull, 3, line, sizeof(line)),
			 "2016-12-31T23:59:59.012Z"));
	clock_text_json(line, sizeof(line), &c);
	T_ASSERT(strstr(line, "\"port_state\":\"SLAVE\",\"gm_identity\":\"ce68b1.fffe.4bd2aa\""));
}

int main(void)
{
	test_requests();
	test_responses();
	test_damaged();
	test_error_status();
	test_verdict();
	test_leap_plan();
	test_utc_across_leap();
	test_utc_sources();
	test_pcapng_option();
	printf("test_clock: ok\n");
	return 0;
}
