// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <sys/socket.h>
#include <string.h>

#include "frame.h"
#include "readloop.h"
#include "replay_run.h"

#define ETH_HLEN     14
#define IPV4_UDP_MAX 65507u /* 65535 - IPv4 header 20 - UDP header 8 */
#define IPV6_UDP_MAX 65527u /* 65535 - UDP header 8 (the IPv6 header is not counted) */

void replay_run_init(struct replay_run *r, const struct replay_run_opts *o,
		     struct replay_report *rep, uint64_t base)
{
	memset(r->due, 0, sizeof(r->due));
	r->o = *o;
	r->rep = rep;
	r->wait = (struct replay_wait){ .spin_ns = o->spin_ns };
	r->base = base;
	r->last_due = base;
	r->handled = 0;
}

static void flush(struct replay_run *r)
{
	unsigned int k, n = replay_send_pending(r->o.send);
	uint64_t at;

	if (!n)
		return;
	at = replay_wait_now();
	replay_send_flush(r->o.send, r->res);
	r->rep->elapsed_ns = at - r->base;
	for (k = 0; k < n; k++)
		if (r->res[k])
			replay_report_error(r->rep, r->res[k]);
		else
			replay_report_sent(r->rep, r->due[k], at, r->bytes[k]);
}

/*
 * The message packet p becomes: the datagram and its destination, or the
 * rewritten frame.  @return its length, or -1 when it is not sent (counted).
 */
static int prepare(struct replay_run *r, const struct replay_pkt *p, struct replay_dest *d,
		   const uint8_t **msg)
{
	uint32_t mtu = replay_send_mtu(r->o.send), l2;
	struct frame_info fi;
	int e;

	if (r->o.mode == REPLAY_MODE_FRAME) {
		if (p->caplen < p->wirelen) {
			r->rep->skipped[REPLAY_SKIP_TRUNCATED]++;
			return -1;
		}
		/* The MTU counts what follows the link header and its tags: the
		 * frame is decoded for them only when it may be too big, as
		 * replay_map_frame() decodes it anyway. */
		if (mtu && p->caplen > mtu + ETH_HLEN)
			l2 = frame_decode(p->data, p->caplen, &fi) == 0 ? fi.l3_off : ETH_HLEN;
		else
			l2 = ETH_HLEN;
		if (p->caplen > REPLAY_SEND_MAX || (mtu && p->caplen - l2 > mtu)) {
			r->rep->skipped[REPLAY_SKIP_TOO_BIG]++;
			return -1;
		}
		memcpy(r->frame, p->data, p->caplen);
		replay_map_frame(r->o.map, r->frame, p->caplen);
		*msg = r->frame;
		return (int)p->caplen;
	}
	if (frame_decode(p->data, p->caplen, &fi) < 0 || fi.proto != 17 || !fi.payload_off) {
		r->rep->skipped[REPLAY_SKIP_NOT_UDP]++;
		return -1;
	}
	/* A datagram cut by the capture (or a first fragment) would be sent
	 * short: the UDP length says what it was. */
	if (fi.l4_off + 8 > p->caplen ||
	    (uint32_t)((p->data[fi.l4_off + 4] << 8 | p->data[fi.l4_off + 5]) - 8) !=
		    fi.payload_len) {
		r->rep->skipped[REPLAY_SKIP_TRUNCATED]++;
		return -1;
	}
	e = replay_map_dest(r->o.map, &fi, d);
	if (e == -EPROTONOSUPPORT) {
		r->rep->skipped[REPLAY_SKIP_NOT_UDP]++;
		return -1;
	}
	if (e < 0) { /* the check pass refused these: not reached */
		replay_report_error(r->rep, -e);
		return -1;
	}
	/* Larger than the MTU, the kernel fragments it; beyond IP's limit, nothing can carry it. */
	if (fi.payload_len > (fi.family == AF_INET ? IPV4_UDP_MAX : IPV6_UDP_MAX)) {
		r->rep->skipped[REPLAY_SKIP_TOO_BIG]++;
		return -1;
	}
	*msg = p->data + fi.payload_off;
	return (int)fi.payload_len;
}

int replay_run_packet(struct replay_run *r, const struct replay_pkt *p, uint64_t offset)
{
	uint64_t due = r->base + offset, now;
	struct replay_dest d;
	const uint8_t *msg;
	unsigned int k;
	int len;

	if (offset > UINT64_MAX - r->base)
		due = UINT64_MAX;
	if (due < r->last_due) {
		r->rep->out_of_order++;
		due = r->last_due;
	}
	r->last_due = due;
	len = prepare(r, p, &d, &msg);
	if (len >= 0) {
		now = replay_wait_now();
		if (due > now) {
			flush(r);
			now = replay_wait_until(&r->wait, due, r->o.stop);
			if (now < due) /* stopped while waiting: not due, not sent */
				return 1;
		}
		k = replay_send_pending(r->o.send);
		if (k == REPLAY_SEND_BATCH) {
			flush(r);
			k = 0;
		}
		if (replay_send_add(r->o.send, r->o.mode == REPLAY_MODE_PAYLOAD ? &d : NULL, msg,
				    (uint32_t)len) < 0) {
			r->rep->skipped[REPLAY_SKIP_TOO_BIG]++;
		} else {
			r->due[k] = due;
			r->bytes[k] = (uint32_t)len;
		}
	}
	r->handled++;
	if (r->o.limit && r->handled >= r->o.limit)
		return 1;
	return readloop_stopped(r->o.stop) ? 1 : 0;
}

void replay_run_finish(struct replay_run *r)
{
	flush(r);
	r->rep->spun_ns += r->wait.spun_ns;
	r->rep->stalls_5us += r->wait.stalls;
	r->rep->stalls_20us += r->wait.stalls_long;
	r->rep->stalled_ns += r->wait.stalled_ns;
	if (r->wait.stall_max_ns > r->rep->stall_max_ns)
		r->rep->stall_max_ns = r->wait.stall_max_ns;
}
