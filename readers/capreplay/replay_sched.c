// SPDX-License-Identifier: BSD-2-Clause
/*
 * replay_sched.c - see replay_sched.h.  Each offset is one multiplication
 * and one division of the packet's own figures; a 128-bit product is used
 * only when the 64-bit one would overflow, so the common case stays cheap.
 */
#include <errno.h>
#include <stdint.h>

#include "replay_sched.h"

/* a * b / c rounded down (c > 0), or UINT64_MAX when it does not fit. */
static uint64_t replay_sched_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 q;

	if (b == 0 || a <= UINT64_MAX / b)
		return a * b / c;
	q = (unsigned __int128)a * b / c;
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

/* a + b, or UINT64_MAX when it does not fit. */
static uint64_t replay_sched_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int replay_sched_init(struct replay_sched *s, enum replay_pace pace, uint64_t speed_u, uint64_t pps,
		      uint64_t first_ts, uint64_t last_ts, uint64_t npkts)
{
	uint64_t span;

	if (npkts == 0 || last_ts < first_ts)
		return -EINVAL;
	switch (pace) {
	case REPLAY_PACE_ORIG:
		if (speed_u < REPLAY_SPEED_MIN || speed_u > REPLAY_SPEED_MAX)
			return -EINVAL;
		break;
	case REPLAY_PACE_PPS:
		if (pps == 0 || pps > REPLAY_PPS_MAX)
			return -EINVAL;
		break;
	case REPLAY_PACE_TOP:
		break;
	default:
		return -EINVAL;
	}
	span = last_ts - first_ts;
	*s = (struct replay_sched){
		.pace = pace,
		.speed_u = speed_u,
		.pps = pps,
		.first_ts = first_ts,
		.last_ts = last_ts,
		.npkts = npkts,
	};
	if (npkts == 1 || span == 0)
		s->period = REPLAY_LOOP_PERIOD1;
	else
		s->period = replay_sched_add(span, span / (npkts - 1));
	return 0;
}

uint64_t replay_sched_offset(const struct replay_sched *s, uint64_t loop, uint64_t i, uint64_t ts)
{
	uint64_t t;

	switch (s->pace) {
	case REPLAY_PACE_ORIG:
		t = ts > s->first_ts ? ts - s->first_ts : 0;
		t = replay_sched_add(t, replay_sched_muldiv(loop, s->period, 1));
		if (t == UINT64_MAX)
			return UINT64_MAX;
		return replay_sched_muldiv(t, REPLAY_SPEED_UNIT, s->speed_u);
	case REPLAY_PACE_PPS:
		t = replay_sched_add(replay_sched_muldiv(loop, s->npkts, 1), i);
		if (t == UINT64_MAX)
			return UINT64_MAX;
		return replay_sched_muldiv(t, 1000000000ull, s->pps);
	default:
		return 0;
	}
}

int replay_sched_parse_speed(const char *s, uint64_t *speed_u)
{
	uint64_t v = 0, unit = REPLAY_SPEED_UNIT;
	int digits = 0;

	/* Whole part: at least one digit; stop before it can overflow. */
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > REPLAY_SPEED_MAX / REPLAY_SPEED_UNIT)
			return -EINVAL;
	}
	if (digits == 0)
		return -EINVAL;
	v *= REPLAY_SPEED_UNIT;
	if (*s == '.') {
		for (s++, digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			unit /= 10;
			if (unit == 0) /* a 7th decimal: not representable */
				return -EINVAL;
			v += (uint64_t)(*s - '0') * unit;
		}
		if (digits == 0)
			return -EINVAL;
	}
	if (*s == 'x' || *s == 'X')
		s++;
	if (*s != '\0' || v < REPLAY_SPEED_MIN || v > REPLAY_SPEED_MAX)
		return -EINVAL;
	*speed_u = v;
	return 0;
}
