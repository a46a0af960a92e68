/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * latency.h - one-way latency between two capture points A and B that saw
 * the same feeds: each message, by (feed, session, sequence number), is
 * matched across the points and tB - tA goes into the feed's distribution.
 *
 * A feed is the same at both points when its name or its GROUP:PORT is
 * (latency_feed()).  Within a feed, each session (seqdec_msg.session) is
 * matched on its own by an A/B arbiter (abarb.h), A the first point, B
 * the second; LATENCY_SESSIONS sessions of a feed are matched at once,
 * a further one retires the one that saw a message longest ago (deciding
 * what it has pending).
 *
 * A datagram carrying k messages gives k samples, each stamped with the
 * datagram's time.  A message is decided as the arbiter decides (abarb.h):
 * seen at both points (a sample), at A only, at B only (not seen at the
 * other point within ABARB_HOLD_NS of packet time, or pushed out by
 * ABARB_WINDOW newer numbers: counted in `forced` as well), or at neither
 * (a number between others that no point saw).
 *
 * Memory: at most LATENCY_MAX_FEEDS feeds (more are counted in
 * latency.untracked), each of at most LATENCY_SESSIONS arbiters of
 * ABARB_WINDOW slots; nothing grows with the number of messages.
 *
 * The caller feeds both points in packet-time order (latency_add()) and
 * moves time on (latency_expire()); nothing here is thread-safe.
 */
#ifndef CAPD_LATENCY_H
#define CAPD_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "abarb.h"
#include "hist.h"
#include "seqdec.h"

#define LATENCY_MAX_FEEDS 32
#define LATENCY_SESSIONS  2
#define LATENCY_NAME_LEN  128

enum latency_point { LATENCY_A = ABARB_A, LATENCY_B = ABARB_B };

/* Counts of decided messages (latency_counts()). */
struct latency_counts {
	uint64_t both;	      /* seen at both points: samples */
	uint64_t a_only;      /* seen at A only */
	uint64_t b_only;      /* seen at B only */
	uint64_t neither;     /* numbers between others that neither point saw */
	uint64_t late;	      /* seen again, or after its decision */
	uint64_t forced;      /* decided by the window (ABARB_WINDOW) */
	uint64_t restarts;    /* numbering jumped by more than the window */
	uint64_t sessions;    /* sessions matched */
	uint64_t pending;     /* not decided yet */
	uint64_t unsequenced; /* datagrams outside the sequence: not matched */
};

struct latency_sess {
	bool used;
	uint8_t id[SEQDEC_SESSION_MAX];
	uint8_t len;
	uint64_t last_ts; /* packet time of its last message */
	struct abarb ab;
};

struct latency_feed {
	char name[LATENCY_NAME_LEN]; /* as the first point named it */
	char addr[64];		     /* GROUP:PORT */
	struct latency_sess sess[LATENCY_SESSIONS];
	/* Sessions retired: their counts and samples. */
	struct latency_counts done;
	struct hist done_neg, done_pos;
	/* Samples since latency_interval() (all sessions). */
	struct hist iv_neg, iv_pos;
	struct latency_counts iv_base; /* latency_counts() at the last interval */
	uint64_t unsequenced;
	uint64_t sessions;
};

struct latency {
	struct latency_feed *feed[LATENCY_MAX_FEEDS];
	unsigned int nfeeds;
	uint64_t untracked; /* messages of feeds beyond LATENCY_MAX_FEEDS */
	uint64_t after_end; /* messages not taken by latency_add_after_end() */
	uint64_t expired_at;
};

/*
 * The feed named name with group and port addr (either may be ""):
 * the one whose name or addr equals these, else a new one.
 * @return its index, -ENOSPC beyond LATENCY_MAX_FEEDS, or -ENOMEM.
 */
int latency_feed(struct latency *l, const char *name, const char *addr);

/* Point pt saw datagram m of feed at ts (packet time, ns). */
void latency_add(struct latency *l, int feed, enum latency_point pt, const struct seqdec_msg *m,
		 uint64_t ts);

/*
 * The same after the other point's input has ended early (stopped, -c):
 * only messages the other point saw and that wait for pt are taken; the
 * others are counted in latency.after_end, as no longer comparable.
 */
void latency_add_after_end(struct latency *l, int feed, enum latency_point pt,
			   const struct seqdec_msg *m, uint64_t ts);

/* Decide what has waited ABARB_HOLD_NS by packet time now. */
void latency_expire(struct latency *l, uint64_t now);

/* Decide everything pending (end of input). */
void latency_finish(struct latency *l);

/* Counts of feed i since the start; interval: since latency_interval(). */
void latency_counts(const struct latency *l, unsigned int i, bool interval,
		    struct latency_counts *c);

/*
 * The latency distribution of feed i (tB - tA, ns) since the start, or
 * since latency_interval(): *neg the magnitudes of negative samples, *pos
 * the others (hist_percentile_signed()).
 */
void latency_hist(const struct latency *l, unsigned int i, bool interval, struct hist *neg,
		  struct hist *pos);

/* A new interval starts for the figures of latency_counts() and _hist(). */
void latency_interval(struct latency *l);

void latency_free(struct latency *l);

#endif
