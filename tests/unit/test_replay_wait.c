// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_wait - a wait ends at or after its target and soon after it
 * (2 ms, loose enough for a loaded CI box), spinning or sleeping only; it
 * ends promptly when asked to stop, by a signal another thread sends (to
 * the waiter or to itself) or before it began;
 * a target in the past returns at once and is no wait; the wall-clock
 * wait too; a spinning wait held off its CPU (a signal handler that
 * sleeps 30 ms) counts that as one long stall of at least that length.
 * Under 1 s in all (2 s with retries on a busy machine).
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
 * On a machine shared with builds, a thread can wait for a CPU for a time
 * slice or more: that time (the scheduler's run delay, when the kernel
 * keeps it) is not the wait's lateness, and a wait still too late is tried
 * again up to TRIES times before it counts (ending early never does).
 */
#define TRIES 5
/* How soon a stop must be seen ("promptly"; a signal wakes the sleep). */
#define STOP_BOUND (20 * MS)

/* ns the calling thread has spent runnable but not running (0: unknown). */
static uint64_t run_delay(void)
{
	unsigned long long run, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &run, &delay) != 2)
			delay = 0;
		fclose(f);
	}
	return delay;
}

/* How late got is for target, less the time spent queued since q0. */
static uint64_t own_late(uint64_t got, uint64_t target, uint64_t q0)
{
	uint64_t late = got - target, q = run_delay() - q0;

	return late > q ? late - q : 0;
}

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
	uint64_t target, got, after, q0, late = 0, n = 0;
	int k, tries;

	for (k = 0; k < 5; k++) {
		for (tries = 0; tries < TRIES; tries++, n++) {
			q0 = run_delay();
			target = replay_wait_now() + MS + (uint64_t)k * 300000;
			got = replay_wait_until(&w, target, &stop);
			after = replay_wait_now();
			if (got < target || after < target)
				T_FAIL("spin %llu: returned %llu ns early",
				       (unsigned long long)spin_ns,
				       (unsigned long long)(target - got));
			late = own_late(got, target, q0);
			if (late <= BOUND)
				break;
		}
		if (tries == TRIES)
			T_FAIL("spin %llu: %d waits each more than %llu ns late, the last %llu",
			       (unsigned long long)spin_ns, TRIES, BOUND, (unsigned long long)late);
		n++;
	}
	T_EQ(w.waits, n);
	T_EQ(w.sleeps, n); /* 1 ms and more is longer than any spin here */
	T_ASSERT(w.slept_ns > 0);
	if (spin_ns == 0)
		T_EQ(w.spun_ns, 0); /* the sleep ends at or after the target */

	/* A wait shorter than the spin does not sleep. */
	if (spin_ns) {
		uint64_t spun = w.spun_ns, t = replay_wait_now();

		target = t + spin_ns / 2;
		got = replay_wait_until(&w, target, &stop);
		T_ASSERT(got >= target);
		T_EQ(w.waits, n + 1);
		T_EQ(w.sleeps, n);
		T_ASSERT(w.spun_ns > spun && w.spun_ns - spun <= got - t);
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

/*
 * The stop flag as capreplay sets it: from a signal handler.  The signal
 * comes from another thread, either to the waiting thread (as Ctrl-C
 * usually lands: the sleep is interrupted) or to the sender itself (a
 * process-directed signal may run its handler on any thread: the waiting
 * thread sees the flag at its next slice).
 */
static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	(void)sig;
	/* Atomic: this handler may run on the stopper's thread. */
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

struct stopper {
	pthread_t waiter;
	int to_self; /* the handler runs on the stopper's thread */
	int sig;     /* the signal sent; 0: SIGUSR1 */
	uint64_t delay_ns;
	uint64_t queued; /* the stopper's run delay */
};

static void *stopper_run(void *arg)
{
	struct stopper *s = arg;
	struct timespec ts = { 0, (long)s->delay_ns };
	uint64_t q0 = run_delay();
	int sig = s->sig ? s->sig : SIGUSR1;

	nanosleep(&ts, NULL);
	s->queued = run_delay() - q0;
	if (s->to_self)
		raise(sig);
	else
		pthread_kill(s->waiter, sig);
	return NULL;
}

/*
 * Wait up to 10 s for a stop that comes after s->delay_ns: how long after
 * it the wait ended, less the time this thread or the stopper's waited
 * for a CPU.
 */
static uint64_t stopped_after(struct replay_wait *w, struct stopper *s)
{
	uint64_t t0, got, q0 = run_delay(), took;
	int stopped;
	pthread_t th;

	stop_flag = 0;
	s->waiter = pthread_self();
	t0 = replay_wait_now();
	T_EQ(pthread_create(&th, NULL, stopper_run, s), 0);
	got = replay_wait_until(w, t0 + 10000 * MS, &stop_flag);
	stopped = __atomic_load_n(&stop_flag, __ATOMIC_RELAXED);
	took = own_late(got, t0, q0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(stopped, 1); /* not before the stop */
	T_ASSERT(got < t0 + 10000 * MS);
	took = took > s->queued ? took - s->queued : 0;
	return took > s->delay_ns ? took - s->delay_ns : 0;
}

/* A stop as above ends the wait within bound ns, in one of TRIES tries. */
static void stop_within(struct replay_wait *w, struct stopper *s, uint64_t bound, int line)
{
	uint64_t late = 0;
	int tries;

	for (tries = 0; tries < TRIES; tries++) {
		late = stopped_after(w, s);
		if (late <= bound)
			return;
	}
	T_FAIL("line %d: spin %llu, handler on the %s: stopped %llu us late", line,
	       (unsigned long long)w->spin_ns, s->to_self ? "stopper" : "waiter",
	       (unsigned long long)(late / 1000));
}

#define HOLD_NS (30 * MS)

static void on_usr2(int sig)
{
	struct timespec ts = { 0, (long)HOLD_NS };

	(void)sig;
	nanosleep(&ts, NULL);
}

static void test_stall(void)
{
	struct replay_wait w = { .spin_ns = REPLAY_WAIT_SPIN_MAX };
	struct stopper s = { .waiter = pthread_self(), .delay_ns = 20 * MS, .sig = SIGUSR2 };
	pthread_t th;
	uint64_t t0;

	T_EQ(sigaction(SIGUSR2, &(struct sigaction){ .sa_handler = on_usr2 }, NULL), 0);
	t0 = replay_wait_now();
	T_EQ(pthread_create(&th, NULL, stopper_run, &s), 0);
	T_ASSERT(replay_wait_until(&w, t0 + 100 * MS, NULL) >= t0 + 100 * MS);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(w.sleeps, 0);
	T_ASSERT(w.stalls_long >= 1 && w.stalls >= w.stalls_long);
	T_ASSERT(w.stall_max_ns >= HOLD_NS && w.stall_max_ns < 100 * MS);
	T_ASSERT(w.stalled_ns >= w.stall_max_ns && w.stalled_ns <= w.spun_ns);
}

static void test_stop(uint64_t spin_ns)
{
	struct replay_wait w = { .spin_ns = spin_ns };
	struct stopper s = { .delay_ns = 10 * MS };
	uint64_t t0 = replay_wait_now(), got;

	/* Stopped before: no wait at all. */
	stop_flag = 1;
	got = replay_wait_until(&w, t0 + 10000 * MS, &stop_flag);
	T_ASSERT(got < t0 + BOUND);
	T_EQ(replay_wait_wall(&w, wall_now() + 10000 * MS, &stop_flag), -EINTR);
	T_ASSERT(replay_wait_now() < t0 + BOUND);

	/* 10 ms into a 10 s sleep, the signal to the waiter: at once. */
	stop_within(&w, &s, STOP_BOUND, __LINE__);
	/* The handler on the other thread: within a 50 ms slice. */
	s.to_self = 1;
	stop_within(&w, &s, 50 * MS + STOP_BOUND, __LINE__);

	/* A spin is stopped too, wherever the handler runs. */
	if (spin_ns) {
		w.spin_ns = 10000 * MS;
		s.delay_ns = 5 * MS;
		stop_within(&w, &s, STOP_BOUND, __LINE__);
		s.to_self = 0;
		stop_within(&w, &s, STOP_BOUND, __LINE__);
	}
}

static void test_wall(void)
{
	struct replay_wait w = { .spin_ns = REPLAY_WAIT_SPIN_DEFAULT };
	volatile sig_atomic_t stop = 0;
	uint64_t wall, after = 0, q0, late = 0;
	int tries;

	for (tries = 0; tries < TRIES; tries++) {
		q0 = run_delay();
		wall = wall_now() + 20 * MS;
		T_EQ(replay_wait_wall(&w, wall, &stop), 0);
		after = wall_now();
		T_ASSERT(after >= wall);
		late = own_late(after, wall, q0);
		if (late <= BOUND)
			break;
	}
	if (tries == TRIES)
		T_FAIL("%d wall waits each more than %llu ns late, the last %llu", TRIES, BOUND,
		       (unsigned long long)late);
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
	T_EQ(sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 }, NULL), 0);
	t0 = replay_wait_now();
	test_until(REPLAY_WAIT_SPIN_DEFAULT);
	test_until(0);
	test_past();
	test_stop(REPLAY_WAIT_SPIN_DEFAULT);
	test_stop(0);
	test_wall();
	test_stall();
	T_ASSERT(replay_wait_now() - t0 < 2000 * MS);
	return T_EXIT_PASS;
}
