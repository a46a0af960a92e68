/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capstat.h - capstat's state, shared by its files: capstat.c (options,
 * inputs, the loop), capstat_feeds.c (feeds and what applies to them),
 * capstat_out.c (table, lines, JSON) and capstat_prom.c (Prometheus).
 */
#ifndef CAPD_CAPSTAT_H
#define CAPD_CAPSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "abarb.h"
#include "app2wire.h"
#include "capfile.h"
#include "feedstat.h"
#include "ring_format.h"
#include "readloop.h"
#include "readopt.h"
#include "ring_reader.h"
#include "seqdec.h"
#include "seqtrack.h"

#define CAPSTAT_MAX_FEEDS 1024
#define CAPSTAT_MAX_RULES 64
#define CAPSTAT_NAME_LEN  128

/* --proto [FEED=]SPEC: which decoder applies to which feed ("" = all). */
struct capstat_proto_rule {
	const char *feed;
	bool none; /* SPEC "none": no decoder, whatever the input says */
	bool itch; /* SPEC "itch50": MoldUDP64 carrying ITCH 5.0 messages */
	struct seqdec dec;
};

/* --ab FEED_A=FEED_B */
struct capstat_pair {
	const char *spec[2]; /* as given: a name or GROUP:PORT */
	int feed[2];	     /* feed index, -1 until that feed shows */
	struct abarb ab;
	char name[2 * CAPSTAT_NAME_LEN + 2]; /* "A=B" */
};

struct capstat_feed {
	char name[CAPSTAT_NAME_LEN]; /* from the ring's feed table or the file, else GROUP:PORT */
	char base[64];		     /* the name the ring or file gives the group; "" if none */
	char addr[64];		     /* GROUP:PORT */
	char group[48];		     /* the group alone */
	int family;
	uint8_t dst[16];
	uint16_t port;
	bool has_dec;
	struct seqdec dec;
	bool itch;	      /* MoldUDP64 of ITCH 5.0 messages (--proto itch50) */
	struct app2wire *a2w; /* app-to-wire latency; NULL: no sender times */
	const char *dec_from; /* where dec came from: "ring", "file" or "--proto" */
	uint64_t decoded, undecodable;
	uint64_t last_send_ns; /* sending time of the last datagram, if the format has one */
	struct feedstat fs;
	struct seqtrack st;
	int pair; /* index into pairs, or -1 */
	enum abarb_line line;
	int lat; /* its latency feed + 1 (capstat_latency.h); 0 not yet known */
};

struct capstat_opts {
	struct readopt_input in;
	struct capstat_proto_rule protos[CAPSTAT_MAX_RULES];
	unsigned int nprotos;
	struct capstat_pair pairs[CAPSTAT_MAX_RULES];
	unsigned int npairs;
	struct app2wire_opts a2w; /* --exchange-tz, --no-app2wire */
	double interval;	  /* seconds; 0: summary only */
	bool interval_set;
	bool json;
	bool wide;
	const char *prom;
	uint64_t count;
	char *expr;
	char *latency_to;	    /* --latency-to INPUT */
	const char *latency_ifaces; /* --latency-ifaces IFA=IFB */
};

struct capstat {
	struct capstat_opts o;
	struct capstat_feed *feeds[CAPSTAT_MAX_FEEDS];
	unsigned int nfeeds;
	uint32_t hash[4 * CAPSTAT_MAX_FEEDS]; /* feed index + 1, 0 = empty */
	uint64_t packets;		      /* every packet read */
	uint64_t filtered;		      /* not matching the expression */
	uint64_t not_udp;		      /* non-IP, non-UDP, fragments */
	uint64_t untracked;		      /* UDP beyond CAPSTAT_MAX_FEEDS */
	uint64_t lost;			      /* records lost to ring overruns / dropcount */
	/* Each ring's share of lost, a set's members among them, and how far
	 * behind its writer the reader was at the end (capstat_rings_end()). */
	unsigned int nrings;
	struct capstat_ring {
		char name[512]; /* as given, NAME.k for member k of a set */
		uint64_t records, lost, behind;
		bool behind_known;
	} rings[RINGSRC_MAX];
	uint64_t first_ts, last_ts; /* packet time, ns UTC */
	/*
	 * Intervals are whole multiples of iv_ns of UTC (packet time), so a
	 * packet counts in the interval its timestamp names.  One closes
	 * when packet time, or live the wall clock, is grace_ns past its end.
	 */
	uint64_t iv_ns, grace_ns;
	uint64_t iv_start;  /* start of the current interval; 0 until known */
	uint64_t seen_ts;   /* timestamp of the packet last read */
	uint64_t late;	    /* packets stamped before the current interval */
	uint64_t intervals; /* closed */
	bool tty;
	bool live;
	struct capstat_wire *wire;   /* capstat_wire.c */
	struct capstat_latency *lat; /* NULL without latency between two points */
};

struct capstat_latency;

/* capstat_feeds.c */

/*
 * The feed of a UDP datagram to (family, dst, port); created on first
 * sight, named after rf (the ring's feed it belongs to, NULL if none):
 * rf's name when rf is exactly one group and one port, NAME@GROUP:PORT when
 * it is more.  Without rf, after the name file's NRBs give the group (file
 * NULL: none): that name, or NAME@GROUP:PORT for a second port of that
 * group.  GROUP:PORT without either.
 * Its decoder: a --proto rule naming it, else a --proto rule for all feeds,
 * else the protocol of its entry in the input's feed table (rf's, or the
 * one of file's feed table that selects the datagram), else none.
 * @return the feed, or NULL beyond CAPSTAT_MAX_FEEDS or out of memory.
 */
struct capstat_feed *capstat_feed_get(struct capstat *cs, int family, const uint8_t *dst,
				      uint16_t port, const struct ring_feed *rf,
				      const struct capfile *file);
void capstat_feeds_free(struct capstat *cs);

/* Parse "[FEED=]SPEC" (SPEC as seqdec_parse() takes it, "itch50" or "none") and
 * "A=B" into cs->o. @return 0 or -EINVAL. */
int capstat_add_proto(struct capstat_opts *o, char *arg);
int capstat_add_pair(struct capstat_opts *o, char *arg);

/* A feed name the input knows: a ring's feed table entry, a file's NRB name. */
struct capstat_known {
	const char *name;
	bool several; /* of several groups or ports: only NAME@GROUP:PORT names one */
};

/*
 * Check that every --proto and --ab word can name a feed of the input,
 * whose names are known[0..n): a known name (of one group and port),
 * GROUP:PORT as capstat writes it, or NAME@GROUP:PORT of a known NAME.
 * where names the input in the message.
 * @return 0, or -ENOENT with a line naming the word in err.
 */
int capstat_names_check(const struct capstat_opts *o, const struct capstat_known *known,
			unsigned int n, const char *where, char *err, size_t errlen);

/* capstat_out.c */

/* The end of an interval: each feed and pair as table, lines or JSON. */
void capstat_print_interval(struct capstat *cs, FILE *f, uint64_t now, double secs);

/* The final summary (after abarb_finish() of every pair). */
void capstat_print_summary(struct capstat *cs, FILE *f);

/* capstat_wire.c: time from the wire, per interface and per switch port */

#define CAPSTAT_WIRE_IFACES   4096 /* interfaces named */
#define CAPSTAT_WIRE_NAME_LEN 64

/* Before the loop runs: its counts are read from rl until
 * capstat_wire_end(), which keeps a copy.  @return 0 or -ENOMEM. */
int capstat_wire_start(struct capstat *cs, const struct readloop *rl);
void capstat_wire_end(struct capstat *cs);
void capstat_wire_free(struct capstat *cs);
/* Every packet read (before the filter): its interface's name, its port. */
void capstat_wire_packet(struct capstat *cs, const struct ringsrc *src,
			 const struct readloop_pkt *p);
/* The tables, when an interface has a stamp from the wire. */
void capstat_wire_table(const struct capstat *cs, FILE *f);
/* ,"wire":[...],"ports":[...],"ports_beyond":N (docs/capstat.md) */
void capstat_wire_json(const struct capstat *cs, FILE *f);
void capstat_wire_prom(const struct capstat *cs, FILE *f);

/* capstat_prom.c */

/* Write the Prometheus textfile: path.tmp, then renamed. @return 0 or -errno. */
int capstat_prom_write(const struct capstat *cs, const char *path);

#endif
