// SPDX-License-Identifier: BSD-2-Clause
/* replay_send.c - see replay_send.h */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "replay_send.h"

/* How long a send refused for a full queue is tried again. */
#define SEND_RETRY_NS 1000000

struct replay_send {
	struct replay_send_opts o;
	uint32_t mtu;
	int fd[2];  /* payload mode: AF_INET, AF_INET6; frame mode: fd[0] */
	int err[2]; /* payload mode: errno of a socket that could not be opened */
	unsigned int n;
	struct mmsghdr msg[REPLAY_SEND_BATCH];
	struct iovec iov[REPLAY_SEND_BATCH];
	struct sockaddr_storage to[REPLAY_SEND_BATCH];
	uint8_t *buf; /* REPLAY_SEND_BATCH slots of REPLAY_SEND_MAX bytes */
};

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static uint32_t if_mtu(const char *name)
{
	struct ifreq ifr;
	int fd, mtu = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu > 0 ? (uint32_t)mtu : 0;
}

static int setopt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) ? -errno : 0;
}

/* A payload-mode socket of family, as replay_send.h says it is set up. */
static int open_udp(const struct replay_send_opts *o, int family)
{
	struct ip_mreqn mr;
	int fd, err = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Unicast (--allow-unicast) leaves by the same interface (the
	 * *_UNICAST_IF index is in network order, for both families). */
	if (family == AF_INET) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = (int)o->ifindex;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
			err = -errno;
		if (!err)
			err = setopt(fd, IPPROTO_IP, IP_UNICAST_IF, (int)htonl(o->ifindex));
		if (!err)
			err = setopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, o->ttl);
		if (!err)
			err = setopt(fd, IPPROTO_IP, IP_TTL, o->ttl);
		if (!err && o->no_loop)
			err = setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
	} else {
		err = setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)o->ifindex);
		if (!err)
			err = setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_IF, (int)htonl(o->ifindex));
		if (!err)
			err = setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, o->ttl);
		if (!err)
			err = setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, o->ttl);
		if (!err && o->no_loop)
			err = setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
	}
	if (!err && o->sndbuf)
		err = setopt(fd, SOL_SOCKET, SO_SNDBUF, (int)o->sndbuf);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int open_packet(const struct replay_send_opts *o, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	int fd, e;

	/* Protocol 0: this socket sends only, nothing is queued to it. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		if (e == EPERM || e == EACCES) {
			snprintf(err, errlen,
				 "frame mode needs CAP_NET_RAW (run as root, or give the program "
				 "cap_net_raw); payload mode needs no privileges");
			return -EPERM;
		}
		snprintf(err, errlen, "AF_PACKET socket: %s", strerror(e));
		return -e;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)o->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		e = errno;
		snprintf(err, errlen, "AF_PACKET bind to interface %u: %s", o->ifindex,
			 strerror(e));
		goto fail;
	}
	if (o->qdisc_bypass && setopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1)) {
		e = errno;
		snprintf(err, errlen, "PACKET_QDISC_BYPASS: %s", strerror(e));
		goto fail;
	}
	if (o->sndbuf && setopt(fd, SOL_SOCKET, SO_SNDBUF, (int)o->sndbuf)) {
		e = errno;
		snprintf(err, errlen, "SO_SNDBUF %u: %s", o->sndbuf, strerror(e));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -e;
}

int replay_send_open(struct replay_send **sp, const struct replay_send_opts *o, char *err,
		     size_t errlen)
{
	char name[IF_NAMESIZE];
	struct replay_send *s;
	int fd;

	*sp = NULL;
	if (!o->ifindex || !if_indextoname(o->ifindex, name)) {
		snprintf(err, errlen, "interface %u: no such interface", o->ifindex);
		return -ENODEV;
	}
	if (o->mode == REPLAY_MODE_PAYLOAD && (o->ttl < 1 || o->ttl > 255)) {
		snprintf(err, errlen, "TTL %d: not 1..255", o->ttl);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->fd[0] = s->fd[1] = -1;
	s->buf = malloc((size_t)REPLAY_SEND_BATCH * REPLAY_SEND_MAX);
	if (!s->buf) {
		snprintf(err, errlen, "out of memory");
		replay_send_close(s);
		return -ENOMEM;
	}
	/* touched now, not by the first packets through each slot */
	memset(s->buf, 0, (size_t)REPLAY_SEND_BATCH * REPLAY_SEND_MAX);
	if (o->mode == REPLAY_MODE_FRAME) {
		fd = open_packet(o, err, errlen);
		if (fd < 0) {
			replay_send_close(s);
			return fd;
		}
		s->fd[0] = fd;
	} else {
		/* IPv4 now, so that the first packet does not wait for it;
		 * a failure is the first flush's to report */
		fd = open_udp(o, AF_INET);
		if (fd >= 0)
			s->fd[fam_idx(AF_INET)] = fd;
	}
	s->mtu = if_mtu(name);
	*sp = s;
	return 0;
}

int replay_send_add(struct replay_send *s, const struct replay_dest *d, const uint8_t *data,
		    uint32_t len)
{
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	unsigned int k = s->n;

	if (len > REPLAY_SEND_MAX)
		return -EMSGSIZE;
	if (s->n >= REPLAY_SEND_BATCH)
		return -EAGAIN;
	if (s->o.mode == REPLAY_MODE_PAYLOAD &&
	    (!d || (d->family != AF_INET && d->family != AF_INET6)))
		return -EINVAL;
	memcpy(s->buf + (size_t)k * REPLAY_SEND_MAX, data, len);
	s->iov[k].iov_base = s->buf + (size_t)k * REPLAY_SEND_MAX;
	s->iov[k].iov_len = len;
	memset(&s->msg[k], 0, sizeof(s->msg[k]));
	s->msg[k].msg_hdr.msg_iov = &s->iov[k];
	s->msg[k].msg_hdr.msg_iovlen = 1;
	if (s->o.mode == REPLAY_MODE_PAYLOAD) {
		memset(&s->to[k], 0, sizeof(s->to[k]));
		if (d->family == AF_INET) {
			sin = (struct sockaddr_in *)&s->to[k];
			sin->sin_family = AF_INET;
			sin->sin_port = htons(d->port);
			memcpy(&sin->sin_addr, d->addr, 4);
			s->msg[k].msg_hdr.msg_namelen = sizeof(*sin);
		} else {
			sin6 = (struct sockaddr_in6 *)&s->to[k];
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(d->port);
			memcpy(&sin6->sin6_addr, d->addr, 16);
			/* A link-scope group needs its link; the others ignore it. */
			sin6->sin6_scope_id = s->o.ifindex;
			s->msg[k].msg_hdr.msg_namelen = sizeof(*sin6);
		}
		s->msg[k].msg_hdr.msg_name = &s->to[k];
	}
	s->n++;
	return 0;
}

unsigned int replay_send_pending(const struct replay_send *s)
{
	return s->n;
}

/*
 * Messages [i, end) on fd, res[] set for each.  sendmmsg() stops at the
 * first message that fails and says so only when it is the first: so the
 * failed one is the next call's first, and is retried or given up alone.
 * @return the number sent.
 */
static unsigned int send_run(struct replay_send *s, int fd, unsigned int i, unsigned int end,
			     int *res)
{
	uint64_t deadline = 0;
	unsigned int sent = 0, k;
	int r, e;

	while (i < end) {
		r = sendmmsg(fd, &s->msg[i], end - i, 0);
		if (r > 0) {
			for (k = 0; k < (unsigned int)r; k++)
				res[i + k] = 0;
			i += (unsigned int)r;
			sent += (unsigned int)r;
			deadline = 0;
			continue;
		}
		e = r < 0 ? errno : EIO;
		if (e == EINTR)
			continue;
		if (e == ENOBUFS || e == EAGAIN) {
			if (!deadline)
				deadline = clock_ns(CLOCK_MONOTONIC) + SEND_RETRY_NS;
			if (clock_ns(CLOCK_MONOTONIC) < deadline) {
				sched_yield();
				continue;
			}
		}
		res[i++] = e;
		deadline = 0;
	}
	return sent;
}

unsigned int replay_send_flush(struct replay_send *s, int *res)
{
	unsigned int i = 0, end, sent = 0;
	int f, fd, fam, scratch[REPLAY_SEND_BATCH];

	if (!res)
		res = scratch;

	if (s->o.mode == REPLAY_MODE_FRAME) {
		sent = send_run(s, s->fd[0], 0, s->n, res);
		s->n = 0;
		return sent;
	}
	while (i < s->n) {
		/* A run of one family goes through that family's socket. */
		fam = s->to[i].ss_family;
		for (end = i + 1; end < s->n && s->to[end].ss_family == fam; end++)
			;
		f = fam_idx(fam);
		if (s->fd[f] < 0 && !s->err[f]) {
			fd = open_udp(&s->o, fam);
			if (fd < 0)
				s->err[f] = -fd;
			else
				s->fd[f] = fd;
		}
		if (s->fd[f] >= 0) {
			sent += send_run(s, s->fd[f], i, end, res);
		} else {
			for (; i < end; i++)
				res[i] = s->err[f];
		}
		i = end;
	}
	s->n = 0;
	return sent;
}

uint32_t replay_send_mtu(const struct replay_send *s)
{
	return s->mtu;
}

void replay_send_close(struct replay_send *s)
{
	if (!s)
		return;
	if (s->fd[0] >= 0)
		close(s->fd[0]);
	if (s->fd[1] >= 0)
		close(s->fd[1]);
	free(s->buf);
	free(s);
}
