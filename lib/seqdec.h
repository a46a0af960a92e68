/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seqdec.h - sequence decoders: read the sequence header of a feed's UDP
 * payload (one protocol per file, seqdec_<proto>.c) and say which messages
 * it carries.  capd.conf's feeds[].proto, capstat's --proto and the feed
 * tables of rings and files name a decoder in seqdec_parse()'s syntax.
 *
 * A decoder is pure: it reads at most len bytes of the payload, keeps no
 * state between calls and never fails on any input other than by returning
 * SEQDEC_UNDECODABLE.  What can be checked (lengths against the datagram,
 * reserved values) is checked, so a foreign payload is seldom taken for a
 * sequenced one.
 */
#ifndef CAPD_SEQDEC_H
#define CAPD_SEQDEC_H

#include <stddef.h>
#include <stdint.h>

#define SEQDEC_SESSION_MAX 10 /* MoldUDP64's session is the longest */

enum seqdec_flags {
	SEQDEC_F_HEARTBEAT = 1 << 0,   /* no message; seq is the next one expected */
	SEQDEC_F_END = 1 << 1,	       /* end of session (MoldUDP64 count 0xFFFF) */
	SEQDEC_F_UNSEQUENCED = 1 << 2, /* carries messages outside the sequence */
};

/* What one datagram carries. */
struct seqdec_msg {
	uint64_t seq;	  /* sequence number of its first message */
	uint32_t count;	  /* messages in it; 0 with SEQDEC_F_HEARTBEAT / _END */
	uint32_t flags;	  /* SEQDEC_F_* */
	uint64_t send_ns; /* sending time, ns since 1970 UTC; 0 if the format has none */
	uint8_t session[SEQDEC_SESSION_MAX]; /* session id bytes (MoldUDP64 session,
					      * PITCH unit); a change is a new numbering */
	uint8_t session_len;		     /* 0: the format has no session */
};

enum seqdec_proto {
	SEQDEC_MOLDUDP64,
	SEQDEC_MDP3,
	SEQDEC_PITCH,
	SEQDEC_GENERIC,
};

/* A parsed protocol specification (feeds[].proto, --proto). */
struct seqdec {
	enum seqdec_proto proto;
	uint32_t offset;    /* generic: where the sequence number starts */
	uint8_t width;	    /* generic: 1, 2, 4 or 8 bytes */
	uint8_t big_endian; /* generic */
};

#define SEQDEC_OK	   0
#define SEQDEC_UNDECODABLE (-1)

/*
 * Parse "moldudp64", "mdp3", "pitch" or "seq:OFFSET:WIDTH:be|le" (OFFSET in
 * bytes from the start of the UDP payload, WIDTH 1, 2, 4 or 8).
 * @return 0, or -EINVAL.
 */
int seqdec_parse(const char *spec, struct seqdec *d);

/* The specification back, as seqdec_parse() accepts it. */
const char *seqdec_name(const struct seqdec *d, char *buf, size_t len);

/* Decode payload p of len bytes with d.  @return SEQDEC_OK or SEQDEC_UNDECODABLE. */
int seqdec_decode(const struct seqdec *d, const uint8_t *p, size_t len, struct seqdec_msg *m);

/*
 * One decoder per protocol, same contract as seqdec_decode().
 *
 * MoldUDP64: Session (10 bytes) + SequenceNumber (u64 BE) + MessageCount
 * (u16 BE; 0 heartbeat, 0xFFFF end of session), then MessageCount blocks of
 * u16 BE length + message, which must fill the datagram exactly.
 */
int seqdec_moldudp64(const uint8_t *p, size_t len, struct seqdec_msg *m);

/*
 * CME MDP 3.0 binary packet header: MsgSeqNum (u32 LE) + SendingTime (u64
 * LE, ns), then messages each led by a u16 LE size (which includes itself)
 * that must fill the datagram exactly.  One sequence number per packet.
 */
int seqdec_mdp3(const uint8_t *p, size_t len, struct seqdec_msg *m);

/*
 * CBOE PITCH sequenced unit header: HdrLength (u16 LE, the whole datagram),
 * HdrCount (u8, messages), HdrUnit (u8, reported as the session),
 * HdrSequence (u32 LE, first message; 0 = unsequenced), then HdrCount
 * messages each led by Length (u8, >= 2, including itself) and Type (u8).
 */
int seqdec_pitch(const uint8_t *p, size_t len, struct seqdec_msg *m);

/* seq:OFFSET:WIDTH:be|le - one message per datagram, no session. */
int seqdec_generic(const struct seqdec *d, const uint8_t *p, size_t len, struct seqdec_msg *m);

#endif
