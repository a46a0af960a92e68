// SPDX-License-Identifier: BSD-2-Clause
/*
 * replay_wait.c - see replay_wait.h.  Sleeps are absolute (TIMER_ABSTIME)
 * so that an interrupted or late sleep never shifts the next target, and
 * are cut into slices so that a stop request is seen within one slice.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <time.h>

#include "clock_ns.h"
#include "replay_wait.h"

#define REPLAY_WAIT_SLICE_NS 50000000ull /* longest sleep between looks at *stop */

uint64_t replay_wait_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int replay_wait_setup(void)
{
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) < 0)
		return -errno;
	return 0;
}

/*
 * Atomic, so that a stop set by another thread (or by a signal handler
 * that ran on one) is no data race; relaxed: nothing else is published
 * through it, and the load is a plain one on every target we build for.
 */
static int replay_wait_stopped(const volatile sig_atomic_t *stop)
{
	return stop && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

static void replay_wait_stall(struct replay_wait *w, uint64_t ns)
{
	w->stalls++;
	if (ns >= REPLAY_WAIT_STALL_LONG_NS)
		w->stalls_long++;
	w->stalled_ns += ns;
	if (ns > w->stall_max_ns)
		w->stall_max_ns = ns;
}

/* The common wait on clk; returns the clock as last read. */
static uint64_t replay_wait_on(struct replay_wait *w, clockid_t clk, uint64_t target,
			       const volatile sig_atomic_t *stop)
{
	uint64_t now = clock_ns(clk), t0, wake, prev;
	struct timespec ts;

	if (now >= target)
		return now;
	w->waits++;
	if (target - now > w->spin_ns && !replay_wait_stopped(stop)) {
		w->sleeps++;
		t0 = now;
		while (target - now > w->spin_ns && !replay_wait_stopped(stop)) {
			wake = target - w->spin_ns;
			if (wake - now > REPLAY_WAIT_SLICE_NS)
				wake = now + REPLAY_WAIT_SLICE_NS;
			ts.tv_sec = (time_t)(wake / 1000000000ull);
			ts.tv_nsec = (long)(wake % 1000000000ull);
			/* EINTR (a signal) or a slice's end: look at *stop and go on. */
			clock_nanosleep(clk, TIMER_ABSTIME, &ts, NULL);
			now = clock_ns(clk);
			if (now >= target)
				break;
		}
		w->slept_ns += now > t0 ? now - t0 : 0; /* the wall clock may step back */
	}
	t0 = now;
	while (now < target && !replay_wait_stopped(stop)) {
		prev = now;
		now = clock_ns(clk);
		/* now < prev: the wall clock stepped back, no stall */
		if (now >= prev + REPLAY_WAIT_STALL_NS)
			replay_wait_stall(w, now - prev);
	}
	w->spun_ns += now > t0 ? now - t0 : 0;
	return now;
}

uint64_t replay_wait_until(struct replay_wait *w, uint64_t target,
			   const volatile sig_atomic_t *stop)
{
	return replay_wait_on(w, CLOCK_MONOTONIC, target, stop);
}

int replay_wait_wall(struct replay_wait *w, uint64_t wall, const volatile sig_atomic_t *stop)
{
	return replay_wait_on(w, CLOCK_REALTIME, wall, stop) >= wall ? 0 : -EINTR;
}
