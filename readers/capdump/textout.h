/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * textout.h - capdump's text output: one packet as tcpdump 4.99 prints it
 * (its line for IPv4/IPv6 UDP, its -e link header, its -x/-xx/-X/-XX/-A
 * dumps byte for byte, its -t time forms, -v/-vv IP details), then what
 * capd knows beyond it after " # " (feed, and with -v VLAN, ring sequence
 * and timestamp source), so that the rest of the line reads as tcpdump's.
 *
 *	struct textout_opts t = { 0 };	(zeroed: the defaults)
 *	getopt_long(..., "..." TEXTOUT_OPTSTRING, longopts with TEXTOUT_LONGOPTS)
 *	r = textout_take(&t, c, optarg);	(1 taken, 0 not ours, -EINVAL)
 *	... textout_packet(&t, pkt, lost) per packet ...
 *
 * Differences from tcpdump, on purpose: the default time is the UTC date
 * and time with nanoseconds ("2026-11-21T20:13:16.123456789Z"), every
 * time is UTC and has 9 digits unless --time-stamp-precision=micro, no
 * name is ever resolved (-n is accepted), and protocols above UDP are not
 * decoded (a UDP line is the same whatever the port).
 */
#ifndef CAPD_TEXTOUT_H
#define CAPD_TEXTOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "readloop.h"

/*
 * Short options textout_take() takes, to append to a getopt string.  'q'
 * is not among them: the program has it (capdump: no summary at exit);
 * textout_take() notes it (tcpdump's quiet form) and leaves it to it.
 */
#define TEXTOUT_OPTSTRING "nvetxXAl"

/* The options' lines for a usage text. */
#define TEXTOUT_USAGE                                                                    \
	"text output (without -w), as tcpdump prints it; times are UTC:\n"               \
	"  -t/-tt/-ttt/-tttt/-ttttt  no time, epoch seconds, delta to the previous,\n"   \
	"             date and time, delta to the first (default: 2026-...T...Z)\n"      \
	"  --time-stamp-precision=micro|nano, --micro, --nano  fraction digits (nano)\n" \
	"  -v, -vv    more per packet (IP header, checksums; VLAN, seq, feed...)\n"      \
	"  -e         link-level header      -n  accepted: nothing is resolved\n"        \
	"  -x, -xx, -X, -XX, -A  hex (and ASCII) of the packet, -xx/-XX with its\n"      \
	"             link header            -l  line-buffered output\n"

/* getopt_long() codes of the long options; the programs' stay below. */
enum {
	TEXTOUT_OPT_PRECISION = 0x1100, /* --time-stamp-precision=micro|nano */
	TEXTOUT_OPT_MICRO,		/* --micro */
	TEXTOUT_OPT_NANO,		/* --nano */
};

/* Entries for a getopt_long() table (no terminating entry). */
/* clang-format off */
#define TEXTOUT_LONGOPTS \
	{ "time-stamp-precision", required_argument, NULL, TEXTOUT_OPT_PRECISION }, \
	{ "micro", no_argument, NULL, TEXTOUT_OPT_MICRO }, \
	{ "nano", no_argument, NULL, TEXTOUT_OPT_NANO }
/* clang-format on */

/*
 * The options, each counted as tcpdump counts it.  Zeroed: nanosecond UTC
 * date-time, tcpdump's plain line, no dump.
 */
struct textout_opts {
	unsigned int t; /* -t count: 0 ours, 1 none, 2 epoch, 3 delta to the
			 * previous, 4 date and time, 5 delta to the first */
	unsigned int v; /* -v count */
	unsigned int x; /* -x count: 1 from the network header, 2 the frame */
	unsigned int X; /* -X count: as x, hex and ASCII */
	unsigned int A; /* -A count: ASCII from the network header */
	bool e;		/* link-level header */
	bool micro;	/* 6 fraction digits, as libpcap's micro precision */
	bool lbuf;	/* -l: line-buffered standard output */
	bool quiet;	/* set by the program for its -q: tcpdump's quiet form */
	/* textout_packet()'s memory across packets; zero before the first */
	bool started;
	uint64_t first_ts, prev_ts;
};

/*
 * Take option c of getopt_long() with its argument if it is one of
 * TEXTOUT_OPTSTRING or TEXTOUT_LONGOPTS.
 * @return 1 taken; 0 not one of them (and for 'q', noted); -EINVAL a bad
 *         value (a sixth -t).
 */
int textout_take(struct textout_opts *o, int c, const char *arg);

/*
 * Print packet p to standard output: a line "-- N ... --" first if lost
 * packets came right before it, then the packet's line and any dump.
 * @return 0, or -errno if standard output has failed (EPIPE...).
 */
int textout_packet(struct textout_opts *o, const struct readloop_pkt *p, uint64_t lost);

#endif
