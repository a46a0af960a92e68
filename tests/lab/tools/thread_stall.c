// SPDX-License-Identifier: BSD-2-Clause
/*
 * thread_stall - stops one thread of a process while the others run on,
 * as a capture loop stuck in the kernel or a driver would be:
 *
 *	thread_stall TID
 *
 * SIGSTOP cannot do this: a stop signal stops every thread of the process
 * (signal(7)), the ones that would notice the stall included.  ptrace can:
 * PTRACE_SEIZE and PTRACE_INTERRUPT put TID alone in a ptrace-stop.
 *
 * Prints "stalled TID" once the thread is stopped, then holds it until the
 * thread ends (its process killed: prints "ended TID", exits 0) or until
 * thread_stall gets SIGTERM or SIGINT (lets the thread go, exits 0).  A
 * signal sent to the thread itself is delivered and the thread stopped
 * again; one that kills the process ends it as it would without us.
 * Exits 1 with a message when TID cannot be traced.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	char *end;
	pid_t tid;
	int st;

	if (argc != 2) {
		fprintf(stderr, "usage: thread_stall TID\n");
		return 2;
	}
	tid = (pid_t)strtol(argv[1], &end, 10);
	if (*end || tid <= 0) {
		fprintf(stderr, "thread_stall: not a thread id: %s\n", argv[1]);
		return 2;
	}
	/* No SA_RESTART: the signal must end waitpid() below. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0) {
		fprintf(stderr, "thread_stall: ptrace %d: %s\n", (int)tid, strerror(errno));
		return 1;
	}
	if (waitpid(tid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "thread_stall: thread %d did not stop\n", (int)tid);
		return 1;
	}
	printf("stalled %d\n", (int)tid);
	fflush(stdout);
	while (!stop_requested) {
		if (waitpid(tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			printf("ended %d\n", (int)tid);
			return 0;
		}
		/*
		 * A signal-delivery-stop (no event in the status): deliver the
		 * signal, then stop the thread again.  Group-stops and our
		 * own interrupt stops need nothing: the thread stays put.
		 */
		if (WIFSTOPPED(st) && (st >> 16) == 0) {
			ptrace(PTRACE_CONT, tid, NULL, (void *)(long)WSTOPSIG(st));
			ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
		}
	}
	/* Detach needs the tracee stopped: it still is, unless it has gone. */
	if (ptrace(PTRACE_DETACH, tid, NULL, NULL) < 0 && errno != ESRCH) {
		fprintf(stderr, "thread_stall: detach %d: %s\n", (int)tid, strerror(errno));
		return 1;
	}
	printf("released %d\n", (int)tid);
	return 0;
}
