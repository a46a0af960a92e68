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
#include <stdint.h>
#include <stdio.h>

#include "filelist.h"
#include "ringsrc.h"

/* The words argv[first..argc-1] joined by spaces, as tcpdump joins them.
 * @return a malloc()ed string ("" without words), or NULL without memory. */
char *readopt_expr(int argc, char **argv, int first);

#define READOPT_MAX_INPUTS 16 /* -i and -r each; a ring set counts once */

/* The getopt_long() code of --from; the programs' own codes stay below. */
#define READOPT_FROM	0x1000
#define READOPT_WAIT	0x1001 /* --wait */
#define READOPT_WIRE_TS 0x1002 /* --wire-ts KIND */

/*
 * What a reader reads: rings (-i RING) or files (-r FILE), and where it
 * starts in the rings (--from newest|oldest, -T SECONDS back).  Zeroed, it
 * has no input and starts at the newest record.
 */
struct readopt_input {
	char *rings[READOPT_MAX_INPUTS];
	unsigned int nrings;
	/* -r as given (file_args), and the files they name once
	 * readopt_input_check() has expanded directories and patterns
	 * (filelist.h): files, nfiles, any number of them */
	struct filelist file_args, flist;
	char **files;
	unsigned int nfiles;
	enum ring_seek from;
	bool from_set;	  /* --from was given */
	double back_secs; /* > 0: that many seconds back from now */
	/* --wait: wait for each ring to appear and its writer to run, and
	 * for a writer that died to come back, instead of ending (readloop.h) */
	bool wait;
	/* --wire-ts KIND (files): decode the stamps of this enum wirets_kind
	 * in every interface's frames; 0 (none given): as each file's IDB
	 * says (capdump writes it, pcapng_clock.h), else none */
	uint8_t wire_ts;
	/* Set by the program: readloop_pkt.orig holds the frame without its
	 * stamp for every kind, not only for the Arista header (--strip-timestamp) */
	bool strip_wire;
	/* Where the reader loop tells what happens to the rings' writer
	 * (waiting for it, stopped, gone, back): one line, no newline; NULL
	 * for nowhere.  readopt_input_check() sets it to standard error. */
	void (*notice)(const char *line);
};

/*
 * Take option c of getopt_long() with its argument if it is one of the
 * above ('i', 'r', 'T', READOPT_FROM, READOPT_WAIT or READOPT_WIRE_TS).  'D' (tcpdump's
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
	{ "wire-ts", required_argument, NULL, READOPT_WIRE_TS }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }
/* clang-format on */

/*
 * Option c of getopt_long(): if it is 'h' (--help), usage(stdout) and exit
 * 0; if 'V' (--version), print "PROGRAM VERSION" and exit 0; else nothing.
 */
void readopt_help_version(int c, const char *program, void (*usage)(FILE *f));

/*
 * A time on the command line: "2026-11-21T20:13:16.5Z", "2026-11-21
 * 20:13:16" (UTC, up to 9 decimals) or seconds since 1970 ("1763756000.5").
 * @return 0 with UTC ns in *out, or -EINVAL.
 */
int readopt_time(const char *s, uint64_t *out);

/* The usage lines of --wait and -D (readopt_input_take()). */
#define READOPT_USAGE_RINGS                                                              \
	"  --wait     wait for the ring to exist and capd to run it (for a service)\n"   \
	"  -D         list the rings: writer state, size, records, time window, feeds\n" \
	"  --wire-ts KIND  -r: frames carry a switch's timestamp (metamako, exablaze,\n" \
	"             arista64, arista48): packet time is that time (capdump's own\n"    \
	"             files say it themselves)\n"

/* Once the options are read: rings or files, not both, not neither;
 * --from or -T, not both, and only with rings; --wire-ts only with files
 * (a ring says each interface's kind); -r's directories and
 * patterns expanded into in->files; and in->notice prints "PROGRAM: LINE"
 * on standard error.
 * @return 0, or -errno with a line for the operator in err (-EINVAL; the
 *	   errors of filelist_add()). */
int readopt_input_check(struct readopt_input *in, char *err, size_t errlen);

/* What readopt_input_take() and readopt_input_check() allocated. */
void readopt_input_free(struct readopt_input *in);

/*
 * Option errors, the same in every reader.  getopt_long() itself names an
 * unknown option or a missing argument (opterr left on); the program then
 * calls readopt_try_help() for the one line after it, never the usage.
 */

/* "PROGRAM: OPTION ARG: WHY" and readopt_try_help(): a bad value.
 * option as typed ("-C", "--start"). */
void readopt_bad_value(const char *program, const char *option, const char *arg, const char *why);

/* A whole number of decimal digits only, at most max, into *v.
 * @return whether s is one. */
bool readopt_count(const char *s, uint64_t max, uint64_t *v);

/* readopt_bad_value() for an option readopt_input_take() refused. */
void readopt_input_bad(const char *program, int c, const char *arg);

/* "Try 'PROGRAM --help' for the options." on stderr. */
void readopt_try_help(const char *program);

/*
 * tcpdump options a reader understands but refuses, with the reason: put
 * READOPT_REFUSED_OPTS in the getopt optstring, so that getopt_long()
 * returns them (their arguments taken) instead of calling them invalid,
 * and pass every option to readopt_refused().  Not among them: the text
 * flags (-v, -e, -x, -X, -A, -t, -n, -l, -q...), which a program takes or
 * leaves to getopt's "invalid option".
 */
#define READOPT_REFUSED_OPTS "IpB:y:Lj:JZ:E:M:Q:"

/*
 * If c is one of READOPT_REFUSED_OPTS: one line "PROGRAM: -c: not
 * supported: WHY" on stderr and -ENOTSUP; else 0.
 */
int readopt_refused(int c, const char *program);

/*
 * SIGINT, SIGTERM and SIGHUP ask the program to stop: they set the flag
 * returned, which the reader loop watches.  So does SIGPIPE (a write into
 * a pipe or socket whose reader is gone, as with tcpdump, which stops on
 * it), which also sets readopt_pipe_closed(); write() then fails with
 * EPIPE instead of killing the process, so the program still reports.
 */
const volatile sig_atomic_t *readopt_signals(void);

/* Whether SIGPIPE came (see readopt_signals()). */
bool readopt_pipe_closed(void);

/*
 * Stop promptly when the reader of fd (standard output into a pipe) goes
 * away, even while nothing is written: a thread waits for it in poll(2)
 * and raises SIGPIPE, handled as above.  Nothing is done if fd is not a
 * FIFO or a socket.  After readopt_signals().
 * @return 0, or -errno (the thread could not be started).
 */
int readopt_watch_pipe(int fd);

#endif
