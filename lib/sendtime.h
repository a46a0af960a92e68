/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendtime.h - the sender's time of each message of a datagram, for
 * app-to-wire latency (wire time - sender time).  Pure: no state between
 * calls, no time zone; what the caller needs to make an instant of a time
 * of day (the exchange's local midnight, PITCH's last Time message of the
 * unit) is the caller's.
 *
 * Formats (field offsets from the start of the UDP payload or message):
 *  - MDP 3.0: the packet header's SendingTime (u64 LE at 4), ns since 1970
 *    UTC: one time per datagram.
 *  - ITCH 5.0 over MoldUDP64: each message block (u16 BE length + message
 *    after the 20-byte MoldUDP64 header) is Message Type (1), Stock Locate
 *    (2), Tracking Number (2), Timestamp (6, BE, ns since the exchange's
 *    local midnight), then the message's own fields.
 *  - CBOE PITCH: after the 8-byte sequenced unit header, messages of
 *    Length (u8, including itself) and Type (u8).  Time (0x20): Time (u32
 *    LE at 2), whole seconds since the exchange's local midnight.  Every
 *    other message: Time Offset (u32 LE at 2), ns since the unit's last
 *    Time message.
 */
#ifndef CAPD_SENDTIME_H
#define CAPD_SENDTIME_H

#include <stddef.h>
#include <stdint.h>

/* The message formats that carry a sender time. */
enum sendtime_proto {
	SENDTIME_MDP3,
	SENDTIME_ITCH50, /* ITCH 5.0 messages in MoldUDP64 */
	SENDTIME_PITCH,
};

/* What one message says of its time. */
enum sendtime_kind {
	SENDTIME_UNKNOWN,      /* no usable time: too short, zero or out of range */
	SENDTIME_UTC,	       /* ns is ns since 1970 UTC */
	SENDTIME_OF_DAY,       /* ns is ns since the exchange's local midnight */
	SENDTIME_PITCH_BASE,   /* a PITCH Time message: ns = its seconds * 1e9; no sample */
	SENDTIME_PITCH_BAD,    /* a PITCH Time message out of range: the unit's base is gone */
	SENDTIME_PITCH_OFFSET, /* ns since the unit's last Time message */
};

/*
 * The longest local day (25 h, the day summer time ends): a time of day or
 * a PITCH Time beyond it is SENDTIME_UNKNOWN / _PITCH_BAD.
 */
#define SENDTIME_DAY_MAX_NS (25ull * 3600 * 1000000000)

struct sendtime_msg {
	enum sendtime_kind kind;
	uint64_t ns;
	uint8_t unit; /* PITCH: the header's HdrUnit; else 0 */
};

/* A walk over the messages of one datagram. */
struct sendtime_iter {
	const uint8_t *p;
	size_t len, off;
	unsigned int left; /* messages still to return */
	enum sendtime_proto proto;
};

#define SENDTIME_OK	     0
#define SENDTIME_UNDECODABLE (-1)

/*
 * Start a walk over payload p of len bytes, which must stay valid during
 * the walk.  The datagram is checked as seqdec_decode() checks it (lengths
 * tile the datagram, sequence numbers), so this walks the datagrams seqdec
 * decodes, to their end, and no others.
 * @return SENDTIME_OK, or SENDTIME_UNDECODABLE (nothing to walk).
 */
int sendtime_begin(struct sendtime_iter *it, enum sendtime_proto proto, const uint8_t *p,
		   size_t len);

/*
 * The next message's time in m.  MDP 3.0: one message per datagram (its
 * SendingTime); MoldUDP64 heartbeats and end of session: none.
 * @return 1 with m filled, 0 at the end.
 */
int sendtime_next(struct sendtime_iter *it, struct sendtime_msg *m);

#endif
