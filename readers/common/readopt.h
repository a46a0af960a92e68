/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readopt.h - what the command lines of the reader programs share, so that
 * -i RING / -r FILE, --from, -T, the trailing pcap-filter expression and
 * the signals behave the same in each of them.
 */
#ifndef CAPD_READOPT_H
#define CAPD_READOPT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ringsrc.h"

/* The words argv[first..argc-1] joined by spaces, as tcpdump joins them.
 * @return a malloc()ed string ("" without words), or NULL without memory. */
char *readopt_expr(int argc, char **argv, int first);

#define READOPT_MAX_INPUTS RINGSRC_MAX /* rings, and files, each */

/* The getopt_long() code of --from; the programs' own codes stay below. */
#define READOPT_FROM 0x1000
#define READOPT_WAIT 0x1001 /* --wait */

/*
 * What a reader reads: rings (-i RING) or files (-r FILE), and where it
 * starts in the rings (--from newest|oldest, -T SECONDS back).  Zeroed, it
 * has no input and starts at the newest record.
 */
struct readopt_input {
	char *rings[READOPT_MAX_INPUTS];
	unsigned int nrings;
	char *files[READOPT_MAX_INPUTS];
	unsigned int nfiles;
	enum ring_seek from;
	double back_secs; /* > 0: that many seconds back from now */
	/* --wait: wait for each ring to appear and its writer to run, and
	 * for a writer that died to come back, instead of ending (readloop.h) */
	bool wait;
	/* Where the reader loop tells what happens to the rings' writer
	 * (waiting for it, stopped, gone, back): one line, no newline; NULL
	 * for nowhere.  readopt_input_check() sets it to standard error. */
	void (*notice)(const char *line);
};

/*
 * Take option c of getopt_long() with its argument if it is one of the
 * above ('i', 'r', 'T', READOPT_FROM or READOPT_WAIT).  'D' (tcpdump's
 * list of interfaces) prints the rings with their writer's state, size,
 * window and feeds (ringlist_print()) and exits: 0, or 1 if the ring
 * directory cannot be read.
 * @return 1 taken; 0 not one of them; -EINVAL a bad value, or one input
 *         more than READOPT_MAX_INPUTS.
 */
int readopt_input_take(struct readopt_input *in, int c, char *arg);

/*
 * The long options every reader takes, to end a program's getopt_long()
 * table with (the terminating entry included): --from (taken by
 * readopt_input_take()), --help and --version (readopt_help_version()).
 */
/* clang-format off */
#define READOPT_LONGOPTS \
	{ "from", required_argument, NULL, READOPT_FROM }, \
	{ "wait", no_argument, NULL, READOPT_WAIT }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }
/* clang-format on */

/*
 * Option c of getopt_long(): if it is 'h' (--help), usage(stdout) and exit
 * 0; if 'V' (--version), print "PROGRAM VERSION" and exit 0; else nothing.
 */
void readopt_help_version(int c, const char *program, void (*usage)(FILE *f));

/* Once the options are read: rings or files, not both, not neither; and
 * in->notice prints "PROGRAM: LINE" on standard error.
 * @return 0, or -EINVAL with a line for the operator in err. */
int readopt_input_check(struct readopt_input *in, char *err, size_t errlen);

/*
 * SIGINT, SIGTERM and SIGHUP ask the program to stop: they set the flag
 * returned, which the reader loop watches.  SIGPIPE is ignored (a closed
 * pipe is an ordinary end, reported by write()).
 */
const volatile sig_atomic_t *readopt_signals(void);

#endif
