// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_wait - a wait ends at or after its target and soon after it
 * (2 ms, loose enough for a loaded CI box), spinning or sleeping only; it
 * ends promptly when asked to stop, by another thread or before it began;
 * a target in the past returns at once and is no wait; the wall-clock
 * wait too.  Under 1 s in all (2 s with retries on a busy machine).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "replay_wait.h"
#include "test.h"

#define MS    1000000ull
#define BOUND (2 * MS) /* how late a wait may end on a busy machine */
/*
 * On a machine shared with builds, a wait can be preempted for a time
 * slice or more: a wait is tried again up to TRIES times before its
 * lateness counts as ours (ending early is never tolerated).
 */
#define TRIES 5

static uint64_t wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_until(uint64_t spin_ns)
{
	struct replay_wait w = { .spin_ns = spin_ns };
	volatile sig_atomic_t stop = 0;
	uint64_t target, got, after, n = 0;
	int k, tries;

	for (k = 0; k < 5; k++) {
		for (tries = 0; tries < TRIES; tries++, n++) {
			target = replay_wait_now() + MS + (uint64_t)k * 300000;
			got = replay_wait_until(&w, target, &stop);
			after = replay_wait_now();
			if (got < target || after < target)
				T_FAIL("spin %llu: returned %llu ns early",
				       (unsigned long long)spin_ns,
				       (unsigned long long)(target - got));
			if (got - target <= BOUND)
				break;
		}
		if (tries == TRIES)
			T_FAIL("spin %llu: %d waits each more than %llu ns late, the last %llu",
			       (unsigned long long)spin_ns, TRIES, BOUND,
			       (unsigned long long)(got - target));
		n++;
	}
	T_EQ(w.waits, n);
	T_EQ(w.sleeps, n); /* 1 ms and more is longer than any spin here */
	T_ASSERT(w.slept_ns > 0);
	if (spin_ns == 0)
		T_EQ(w.spun_ns, 0); /* the sleep ends at or after the target */
	else
		T_ASSERT(w.spun_ns > 0);

	/* A wait shorter than the spin does not sleep. */
	if (spin_ns) {
		target = replay_wait_now() + spin_ns / 2;
		got = replay_wait_until(&w, target, &stop);
		T_ASSERT(got >= target);
		T_EQ(w.waits, n + 1);
		T_EQ(w.sleeps, n);
	}
}

static void test_past(void)
{
	struct replay_wait w = { .spin_ns = REPLAY_WAIT_SPIN_DEFAULT };
	uint64_t now = replay_wait_now(), got;

	got = replay_wait_until(&w, now - MS, NULL);
	T_ASSERT(got >= now && got - now < BOUND);
	got = replay_wait_until(&w, 0, NULL);
	T_ASSERT(got >= now);
	T_EQ(w.waits, 0);
	T_EQ(w.sleeps, 0);
	T_EQ(w.slept_ns, 0);
	T_EQ(w.spun_ns, 0);
}

struct stopper {
	volatile sig_atomic_t *stop;
	uint64_t delay_ns;
};

static void *stopper_run(void *arg)
{
	struct stopper *s = arg;
	struct timespec ts = { 0, (long)s->delay_ns };

	nanosleep(&ts, NULL);
	*s->stop = 1;
	return NULL;
}

static void test_stop(uint64_t spin_ns)
{
	struct replay_wait w = { .spin_ns = spin_ns };
	volatile sig_atomic_t stop = 1;
	struct stopper s = { &stop, 20 * MS };
	uint64_t t0 = replay_wait_now(), got;
	pthread_t th;

	/* Stopped before: no wait at all. */
	got = replay_wait_until(&w, t0 + 10000 * MS, &stop);
	T_ASSERT(got < t0 + BOUND);
	T_EQ(replay_wait_wall(&w, wall_now() + 10000 * MS, &stop), -EINTR);
	T_ASSERT(replay_wait_now() < t0 + BOUND);

	/* Stopped by another thread 20 ms into a 10 s wait: within a 50 ms slice. */
	stop = 0;
	T_EQ(pthread_create(&th, NULL, stopper_run, &s), 0);
	t0 = replay_wait_now();
	got = replay_wait_until(&w, t0 + 10000 * MS, &stop);
	T_EQ(pthread_join(th, NULL), 0);
	T_ASSERT(got >= t0 + 20 * MS);
	if (got - t0 > 20 * MS + 50 * MS + 10 * BOUND)
		T_FAIL("stopped after %llu ms", (unsigned long long)((got - t0) / MS));

	/* A spin is stopped too: the whole wait is shorter than the spin. */
	if (spin_ns) {
		w.spin_ns = 10000 * MS;
		stop = 0;
		s.delay_ns = 5 * MS;
		T_EQ(pthread_create(&th, NULL, stopper_run, &s), 0);
		t0 = replay_wait_now();
		got = replay_wait_until(&w, t0 + 10000 * MS, &stop);
		T_EQ(pthread_join(th, NULL), 0);
		T_ASSERT(got - t0 < 5 * MS + 10 * BOUND);
	}
}

static void test_wall(void)
{
	struct replay_wait w = { .spin_ns = REPLAY_WAIT_SPIN_DEFAULT };
	volatile sig_atomic_t stop = 0;
	uint64_t wall, after = 0;
	int tries;

	for (tries = 0; tries < TRIES; tries++) {
		wall = wall_now() + 20 * MS;
		T_EQ(replay_wait_wall(&w, wall, &stop), 0);
		after = wall_now();
		T_ASSERT(after >= wall);
		if (after - wall <= BOUND)
			break;
	}
	if (tries == TRIES)
		T_FAIL("%d wall waits each more than %llu ns late, the last %llu", TRIES, BOUND,
		       (unsigned long long)(after - wall));
	T_EQ(w.waits, tries + 1);
	T_EQ(w.sleeps, tries + 1);
	/* In the past: at once. */
	T_EQ(replay_wait_wall(&w, wall, &stop), 0);
	T_EQ(w.waits, tries + 1);
}

int main(void)
{
	uint64_t t0;

	/* Without it the wait is still correct, only later: the bounds hold. */
	if (replay_wait_setup() != 0)
		fprintf(stderr, "replay_wait_setup failed; going on\n");
	t0 = replay_wait_now();
	test_until(REPLAY_WAIT_SPIN_DEFAULT);
	test_until(0);
	test_past();
	test_stop(REPLAY_WAIT_SPIN_DEFAULT);
	test_stop(0);
	test_wall();
	T_ASSERT(replay_wait_now() - t0 < 2000 * MS);
	return T_EXIT_PASS;
}
