// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <linux/net_tstamp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "clock_status.h"
#include "hwtstamp.h"
#include "phc.h"

#define NS     1000000000LL
#define DAY_NS (86400 * NS)

static const uint16_t round_ids[] = {
	PTP_MID_PORT_DATA_SET,	  PTP_MID_TIME_STATUS_NP,
	PTP_MID_CURRENT_DATA_SET, PTP_MID_TIME_PROPERTIES_DATA_SET,
	PTP_MID_PARENT_DATA_SET,
};

int clock_status_open(struct clock_status *cs, const struct clock_status_opts *o)
{
	int r;

	memset(cs, 0, sizeof(*cs));
	cs->o = *o;
	cs->pc.fd = -1;
	if (!o->ptp4l_socket || !*o->ptp4l_socket)
		return 0;
	r = ptp_client_open(&cs->pc, o->ptp4l_socket, o->client_socket, o->domain);
	cs->send_err = r;
	return r;
}

void clock_status_close(struct clock_status *cs)
{
	ptp_client_close(&cs->pc);
}

/* With one answer per port, the port that says most about our time wins. */
static uint8_t port_rank(uint8_t state)
{
	switch (state) {
	case PTP_PS_SLAVE:
		return 5;
	case PTP_PS_UNCALIBRATED:
		return 4;
	case PTP_PS_MASTER:
		return 3;
	case PTP_PS_PASSIVE:
	case PTP_PS_PRE_MASTER:
	case PTP_PS_LISTENING:
		return 2;
	default:
		return 1;
	}
}

static void take_answer(struct clock_status *cs, const struct ptp_mgmt_msg *m, uint64_t now_mono)
{
	if (m->error)
		return;
	cs->last_answer = now_mono;
	switch (m->id) {
	case PTP_MID_PORT_DATA_SET:
		/* a new round's first port, or a better port of the same round */
		if (m->sequence_id != cs->port_seq ||
		    port_rank(m->u.port.port_state) > cs->port_rank) {
			cs->port = m->u.port;
			cs->port_seq = m->sequence_id;
			cs->port_rank = port_rank(m->u.port.port_state);
		}
		break;
	case PTP_MID_TIME_STATUS_NP:
		cs->ts = m->u.time_status;
		break;
	case PTP_MID_CURRENT_DATA_SET:
		cs->current = m->u.current;
		break;
	case PTP_MID_TIME_PROPERTIES_DATA_SET:
		cs->tprop = m->u.tprop;
		cs->have_tprop = true;
		break;
	case PTP_MID_PARENT_DATA_SET:
		cs->parent = m->u.parent;
		break;
	}
}

void clock_status_poll(struct clock_status *cs, uint64_t now_mono)
{
	struct ptp_mgmt_msg m;
	uint16_t seq;
	unsigned int i;
	int r = 0;

	if (cs->pc.fd < 0)
		return;
	/* A bad datagram is skipped; only an empty queue ends the loop. */
	while ((r = ptp_client_recv(&cs->pc, &m)) != 0)
		if (r > 0)
			take_answer(cs, &m, now_mono);
	if (now_mono < cs->next_round)
		return;
	cs->next_round = now_mono + CLOCK_STATUS_ROUND_NS;
	for (i = 0; i < sizeof(round_ids) / sizeof(round_ids[0]); i++) {
		r = ptp_client_get(&cs->pc, round_ids[i], &seq);
		if (r < 0)
			break;
		if (round_ids[i] == PTP_MID_PORT_DATA_SET) {
			cs->port_seq = seq;
			cs->port_rank = 0;
		}
	}
	cs->send_err = r;
	if (!cs->first_round)
		cs->first_round = now_mono;
}

static uint8_t ptp_status(const struct clock_status *cs, uint64_t now_mono)
{
	if (!cs->o.ptp4l_socket || !*cs->o.ptp4l_socket)
		return RING_PTP_OFF;
	if (cs->send_err == -EACCES || cs->send_err == -EPERM)
		return RING_PTP_NO_ACCESS;
	/* No socket (ptp4l removes it when it stops) or a dead one: gone now,
	 * whatever it said a moment ago. */
	if (cs->send_err == -ENOENT || cs->send_err == -ECONNREFUSED || cs->pc.fd < 0)
		return RING_PTP_NO_ANSWER;
	if (!cs->last_answer)
		return cs->first_round && now_mono - cs->first_round <= CLOCK_STATUS_LOST_NS
			       ? RING_PTP_WAITING
			       : RING_PTP_NO_ANSWER;
	if (now_mono - cs->last_answer > CLOCK_STATUS_LOST_NS)
		return RING_PTP_NO_ANSWER;
	return RING_PTP_ANSWERING;
}

static void fill_ptp(struct clock_status *cs, struct ring_clock *c)
{
	c->port_state = cs->port.port_state;
	c->gm_present = cs->ts.gm_present != 0;
	memcpy(c->gm_identity, cs->ts.gm_identity, 8);
	memcpy(c->clock_identity, cs->port.port.clock, 8);
	c->master_offset_ns = cs->ts.master_offset_ns;
	c->path_delay_ns = cs->current.mean_path_delay_ns;
	c->steps_removed = cs->current.steps_removed;
	c->gm_clock_class = cs->parent.gm_clock_class;
}

void clock_status_fill(struct clock_status *cs, struct ring_clock *c, uint64_t now_mono,
		       uint64_t now_real, uint8_t ts_source)
{
	struct timex tx = { 0 };
	int state, filter;
	int64_t phc;

	state = adjtimex(&tx);
	c->update_ns = now_real;
	c->ts_source = ts_source;
	c->kernel_tai_offset = tx.tai;
	c->max_offset_ns = cs->o.max_offset_ns;
	c->ptp_status = ptp_status(cs, now_mono);
	c->ptp_update_ns = cs->last_answer ? now_real - (now_mono - cs->last_answer) : 0;
	/* Datasets of a ptp4l that no longer answers say nothing about now;
	 * its time properties still say which timescale the PHC keeps. */
	c->port_state = 0;
	c->gm_present = 0;
	memset(c->gm_identity, 0, 8);
	memset(c->clock_identity, 0, 8);
	c->master_offset_ns = c->path_delay_ns = 0;
	c->steps_removed = 0;
	c->gm_clock_class = 0;
	if (c->ptp_status == RING_PTP_ANSWERING)
		fill_ptp(cs, c);
	if (cs->have_tprop) {
		c->utc_offset = cs->tprop.current_utc_offset;
		c->time_flags = cs->tprop.flags;
		c->time_source = cs->tprop.time_source;
		clock_status_leap(&cs->leap, cs->tprop.current_utc_offset, cs->tprop.flags,
				  now_real);
	}
	c->leap_tai_ns = cs->leap.tai_ns;
	c->leap_offset_before = cs->leap.before;
	c->leap_offset_after = cs->leap.after;

	c->phc_index = cs->o.phc_index;
	c->phc_offset_ns = 0;
	if (cs->o.phc_fd >= 0 && phc_offset_realtime(cs->o.phc_fd, &phc) == 0)
		c->phc_offset_ns = phc - (int64_t)tx.tai * NS;
	c->hwts_filter = RING_HWTS_NA;
	if (ts_source == RING_TS_PHC && cs->o.hw_ifname &&
	    hwtstamp_rx_filter(cs->o.hw_ifname, &filter) == 0)
		c->hwts_filter = filter == HWTSTAMP_FILTER_ALL ? RING_HWTS_ALL : RING_HWTS_NARROWED;

	c->sync_rule = clock_status_rule(c, state != TIME_ERROR && !(tx.status & STA_UNSYNC));
	c->synced = c->sync_rule < RING_UNSYNC_UNKNOWN;
}

uint16_t clock_status_rule(const struct ring_clock *c, bool kernel_synced)
{
	int64_t want;

	switch (c->ptp_status) {
	case RING_PTP_OFF:
		return kernel_synced ? RING_SYNC_KERNEL : RING_UNSYNC_KERNEL;
	case RING_PTP_NO_ACCESS:
		return RING_UNSYNC_PTP_ACCESS;
	case RING_PTP_ANSWERING:
		break;
	case RING_PTP_WAITING:
		return RING_UNSYNC_UNKNOWN;
	default:
		return RING_UNSYNC_PTP_LOST;
	}
	if (c->port_state == PTP_PS_MASTER && !c->gm_present &&
	    !memcmp(c->gm_identity, c->clock_identity, 8))
		return RING_SYNC_PTP_GM;
	if (c->port_state != PTP_PS_SLAVE)
		return RING_UNSYNC_PORT_STATE;
	if (llabs(c->master_offset_ns) > c->max_offset_ns)
		return RING_UNSYNC_OFFSET;
	/*
	 * Stamps from the system clock while ptp4l disciplines a PHC: only as
	 * good as phc2sys keeps the two together.  The PHC keeps the PTP
	 * timescale (TAI) or the grandmaster's ARB (UTC) one.
	 */
	if (c->ts_source != RING_TS_PHC && c->phc_index >= 0 && c->phc_offset_ns) {
		want = (c->time_flags & RING_TIME_PTP_TIMESCALE ? c->utc_offset : 0) -
		       (int64_t)c->kernel_tai_offset;
		if (llabs(c->phc_offset_ns - want * NS) > c->max_offset_ns)
			return RING_UNSYNC_PHC_SYS;
	}
	return RING_SYNC_PTP_SLAVE;
}

void clock_status_leap(struct clock_leap *l, int16_t utc_offset, uint8_t flags, uint64_t now_utc_ns)
{
	uint64_t midnight;
	int step;

	step = flags & PTP_TF_LEAP_61 ? 1 : flags & PTP_TF_LEAP_59 ? -1 : 0;
	if (step) {
		/* ptp4l announces the leap during the last day before it and
		 * clears the flag at the leap: the coming midnight is the one,
		 * unless a stale flag arrives just after it. */
		midnight = (now_utc_ns / DAY_NS + 1) * DAY_NS;
		if (l->tai_ns && l->before == utc_offset && l->after == utc_offset + step)
			return;
		/* In TAI, the leap begins when UTC would reach midnight
		 * (LEAP_61) or 23:59:59 (LEAP_59) at the old offset. */
		l->tai_ns = midnight + (uint64_t)((int64_t)utc_offset * NS) - (step < 0 ? NS : 0);
		l->before = utc_offset;
		l->after = (int16_t)(utc_offset + step);
		return;
	}
	if (!l->tai_ns)
		return;
	/* After the leap the plan converts older stamps for a day; a plan
	 * whose leap never happened (announcement withdrawn) is dropped. */
	if (utc_offset != l->after ||
	    now_utc_ns + (uint64_t)((int64_t)utc_offset * NS) > l->tai_ns + DAY_NS)
		memset(l, 0, sizeof(*l));
}
