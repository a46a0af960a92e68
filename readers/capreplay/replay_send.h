/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay_send.h - handing replayed packets to the kernel, in batches of up
 * to REPLAY_SEND_BATCH with one sendmmsg() each.
 *
 * Payload mode (no privileges): ordinary UDP sockets, one per family,
 * IPv4 opened with the sender and IPv6 on first use, with
 * IP_MULTICAST_IF / IPV6_MULTICAST_IF set to the
 * interface, the multicast TTL (hop limit) set, and multicast loopback as
 * the kernel's default (on) unless no_loop.  The kernel builds the headers
 * and routes: this works through routers.
 *
 * Frame mode (CAP_NET_RAW): an AF_PACKET SOCK_RAW socket bound to the
 * interface sends whole frames as given (the caller rewrites them first,
 * replay_map.h).  AF_PACKET rather than AF_XDP: it needs no XDP program,
 * no UMEM and no driver support, goes through the interface's qdisc (so
 * tc shaping and netem apply, as a lab wants), and with one sendmmsg() per
 * batch the copy of a frame is not the cost; PACKET_QDISC_BYPASS is set
 * with qdisc_bypass (--topspeed) for the last factor.
 *
 * A send refused with ENOBUFS or EAGAIN (a queue full for a moment) is
 * retried for up to 1 ms before it counts as failed; any other error fails
 * that message only and the batch goes on after it.
 */
#ifndef CAPD_REPLAY_SEND_H
#define CAPD_REPLAY_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay_map.h"

#define REPLAY_SEND_BATCH 64
#define REPLAY_SEND_MAX	  65535 /* bytes of one message: a datagram's payload or a frame */

enum replay_mode {
	REPLAY_MODE_PAYLOAD,
	REPLAY_MODE_FRAME,
};

struct replay_send_opts {
	enum replay_mode mode;
	unsigned int ifindex; /* the interface to send on (if_nametoindex()) */
	int ttl;	      /* payload mode: multicast TTL / hop limit, 1..255 */
	bool no_loop;	      /* payload mode: IP_MULTICAST_LOOP off */
	bool qdisc_bypass;    /* frame mode: PACKET_QDISC_BYPASS */
	uint32_t sndbuf;      /* SO_SNDBUF to ask for; 0: the default */
};

struct replay_send;

/*
 * Open the sender (frame mode: its socket; payload mode: the IPv4 socket,
 * IPv6 on first use; a payload socket that fails is the first flush's error).
 * @return 0, or -errno with a line in err (-EPERM for frame mode without
 *         CAP_NET_RAW, saying so; -ENODEV for no such interface).
 */
int replay_send_open(struct replay_send **s, const struct replay_send_opts *o, char *err,
		     size_t errlen);

/*
 * Add a message to the batch: payload mode, len bytes of payload to d;
 * frame mode, a frame of len bytes (d NULL).  The bytes are copied.
 * @return 0; -EAGAIN when the batch is full (flush first); -EMSGSIZE over
 *         REPLAY_SEND_MAX.
 */
int replay_send_add(struct replay_send *s, const struct replay_dest *d, const uint8_t *data,
		    uint32_t len);

/* Messages in the batch. */
unsigned int replay_send_pending(const struct replay_send *s);

/*
 * Send the batch; it is empty afterwards.  res[k] (k < the number pending
 * on entry, at most REPLAY_SEND_BATCH) gets 0 for a message sent or the
 * positive errno that failed it.  A payload-mode socket that cannot be
 * opened fails its messages with that errno.  res may be NULL.
 * @return the number of messages sent.
 */
unsigned int replay_send_flush(struct replay_send *s, int *res);

/* The interface's MTU as the sender found it when opened (0 unknown). */
uint32_t replay_send_mtu(const struct replay_send *s);

/* Close the sockets and free s; s may be NULL. */
void replay_send_close(struct replay_send *s);

#endif
