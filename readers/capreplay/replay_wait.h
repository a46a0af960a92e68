/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_wait.h - waiting for an absolute time on CLOCK_MONOTONIC with
 * microsecond accuracy at a bounded CPU cost: sleep (clock_nanosleep() with
 * TIMER_ABSTIME, timer slack set to 1 ns) until spin_ns before the target,
 * then read the clock in a loop until it is reached.
 *
 * The cost: a wait shorter than spin_ns is all spinning, so a schedule
 * whose gaps are all below spin_ns keeps one CPU busy; with longer gaps,
 * each wait spins for about spin_ns plus the sleep's wake-up latency.
 * spin_ns 0 never spins (accuracy is then the scheduler's wake-up latency,
 * typically 50-100 us).  The counters say where the time went.
 *
 * While spinning, two clock reads in a row lie well under a microsecond
 * apart; REPLAY_WAIT_STALL_NS or more between them means the thread did not
 * run (an interrupt, another task, the hypervisor): a stall, counted with
 * its length.  The same stalls fall on the sends and on the work between
 * waits, where nothing sees them, so the counts sample how quiet the core
 * is rather than add up what it cost.
 */
#ifndef CAPD_REPLAY_WAIT_H
#define CAPD_REPLAY_WAIT_H

#include <signal.h>
#include <stdint.h>

#define REPLAY_WAIT_SPIN_DEFAULT  100000ull /* ns: covers a wake-up's usual latency */
#define REPLAY_WAIT_SPIN_MAX	  1000000000ull
#define REPLAY_WAIT_STALL_NS	  5000ull  /* a stall: this long between two reads */
#define REPLAY_WAIT_STALL_LONG_NS 20000ull /* a long one, counted apart */

struct replay_wait {
	uint64_t spin_ns; /* set by the caller; the rest counted */
	uint64_t waits;	  /* calls that had to wait (target in the future) */
	uint64_t sleeps;  /* of them, those that slept */
	uint64_t slept_ns, spun_ns;
	uint64_t stalls, stalls_long; /* while spinning; long: >= REPLAY_WAIT_STALL_LONG_NS */
	uint64_t stalled_ns, stall_max_ns;
};

/* CLOCK_MONOTONIC now, ns. */
uint64_t replay_wait_now(void);

/*
 * Set the calling thread's timer slack to 1 ns (prctl PR_SET_TIMERSLACK),
 * so that sleeps end when asked.  @return 0, or -errno.
 */
int replay_wait_setup(void);

/*
 * Return once CLOCK_MONOTONIC has reached target (ns), or as soon as *stop
 * is non-zero (checked at least every 50 ms while sleeping, and on every
 * turn while spinning; signals interrupting the sleep are handled).
 * *stop is read with a relaxed atomic load: a signal handler or another
 * thread may set it, the latter (or a handler running on it) with
 * __atomic_store_n() so that the write is no data race either.
 * @return the clock as last read: >= target unless stopped.
 */
uint64_t replay_wait_until(struct replay_wait *w, uint64_t target,
			   const volatile sig_atomic_t *stop);

/*
 * Wait until CLOCK_REALTIME reaches wall (ns since 1970 UTC), as above but
 * on the wall clock (--at).  @return 0 once reached, -EINTR if stopped.
 */
int replay_wait_wall(struct replay_wait *w, uint64_t wall, const volatile sig_atomic_t *stop);

#endif
