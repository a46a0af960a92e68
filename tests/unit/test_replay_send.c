// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_send - capreplay's senders on lo.  Payload mode: 100
 * datagrams to a group in batches arrive in order with their payloads and
 * the TTL asked for; a 65th message in a batch and one over the maximum are
 * refused; an IPv6 group likewise where lo routes IPv6 multicast (or
 * through the veth pair REPLAY_SEND_IPV6_IFS="OUT IN" names: lab script
 * capreplay_send_ipv6.sh).  Frame
 * mode: refused with a line naming CAP_NET_RAW without it (a child that
 * gave up root, when run as root); as root, 10 frames sent through
 * AF_PACKET on lo are received by a UDP socket joined to their group.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replay_frame.h"
#include "replay_send.h"
#include "test.h"

static unsigned int lo;

/* A socket joined to group on ifindex, bound to it; its port in *port. */
static int receiver(int family, const uint8_t *group, unsigned int ifindex, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct timeval tv = { .tv_sec = 2 };
	int fd, on = 1;

	fd = socket(family, SOCK_DGRAM, 0);
	T_ASSERT(fd >= 0);
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, group, 4);
		T_EQ(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
		memcpy(&mr.imr_multiaddr, group, 4);
		T_EQ(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)), 0);
		T_EQ(setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)), 0);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		struct ipv6_mreq mr = { .ipv6mr_interface = ifindex };

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, group, 16);
		sin6->sin6_scope_id = ifindex;
		T_EQ(bind(fd, (struct sockaddr *)sin6, sizeof(*sin6)), 0);
		memcpy(&mr.ipv6mr_multiaddr, group, 16);
		T_EQ(setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), 0);
		T_EQ(setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)), 0);
	}
	T_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	T_EQ(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* Receive one datagram into buf; its TTL (hop limit) in *ttl.  @return its length. */
static ssize_t recv_one(int fd, uint8_t *buf, size_t len, int *ttl)
{
	char cbuf[128];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &mh, 0);

	*ttl = -1;
	if (n < 0)
		T_FAIL("recvmsg: %s", strerror(errno));
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
			memcpy(ttl, CMSG_DATA(c), sizeof(*ttl));
	return n;
}

static void payload(uint8_t *p, unsigned int i)
{
	snprintf((char *)p, 32, "replayed datagram %05u", i);
}

/* 100 datagrams to group in batches of 1..64; @return 0, or the errno that failed them. */
static int send_100(int family, const uint8_t *group, unsigned int out, int rfd, uint16_t port)
{
	struct replay_send_opts o = {
		.mode = REPLAY_MODE_PAYLOAD, .ifindex = out, .ttl = 7, .sndbuf = 1 << 20
	};
	struct replay_send *s;
	struct replay_dest d = { .family = family, .port = port };
	int res[REPLAY_SEND_BATCH], ttl;
	uint8_t p[32], got[64];
	unsigned int i, k, sent = 0, b = 1;
	char err[256];

	memcpy(d.addr, group, family == AF_INET ? 4 : 16);
	T_EQ(replay_send_open(&s, &o, err, sizeof(err)), 0);
	T_ASSERT(replay_send_mtu(s) >= 1280); /* lo: 65536 unless changed */
	for (i = 0; i < 100;) {
		/* Batches of 1, 2, 4 .. 64, then the rest. */
		for (k = 0; k < b && i < 100; k++, i++) {
			payload(p, i);
			T_EQ(replay_send_add(s, &d, p, (uint32_t)strlen((char *)p)), 0);
		}
		T_EQ(replay_send_pending(s), k);
		memset(res, 0x55, sizeof(res));
		sent += replay_send_flush(s, res);
		T_EQ(replay_send_pending(s), 0);
		if (res[0] == ENETUNREACH && family == AF_INET6 && out == lo) {
			replay_send_close(s);
			return ENETUNREACH;
		}
		while (k--)
			T_EQ(res[k], 0);
		if (b < REPLAY_SEND_BATCH)
			b *= 2;
	}
	T_EQ(sent, 100);
	for (i = 0; i < 100; i++) {
		ssize_t n = recv_one(rfd, got, sizeof(got), &ttl);

		payload(p, i);
		T_EQ(n, (ssize_t)strlen((char *)p));
		if (memcmp(got, p, (size_t)n))
			T_FAIL("datagram %u: '%.*s'", i, (int)n, got);
		T_EQ(ttl, 7);
	}

	/* A batch holds 64 messages; a message at most REPLAY_SEND_MAX bytes. */
	for (i = 0; i < REPLAY_SEND_BATCH; i++)
		T_EQ(replay_send_add(s, &d, p, 4), 0);
	T_EQ(replay_send_add(s, &d, p, 4), -EAGAIN);
	T_EQ(replay_send_pending(s), REPLAY_SEND_BATCH);
	T_EQ(replay_send_flush(s, NULL), REPLAY_SEND_BATCH);
	for (i = 0; i < REPLAY_SEND_BATCH; i++)
		T_EQ(recv_one(rfd, got, sizeof(got), &ttl), 4);
	{
		static uint8_t big[REPLAY_SEND_MAX + 1];

		T_EQ(replay_send_add(s, &d, big, REPLAY_SEND_MAX + 1), -EMSGSIZE);
		T_EQ(replay_send_pending(s), 0);
	}
	replay_send_close(s);
	return 0;
}

static void test_payload(void)
{
	uint8_t g4[4] = { 239, 255, 0, 0 }, g6[16] = { 0xff, 0x12 };
	const char *ifs = getenv("REPLAY_SEND_IPV6_IFS");
	unsigned int out = lo, in = lo;
	char o[IF_NAMESIZE], i[IF_NAMESIZE];
	uint16_t port;
	int fd;

	/* A group of this process's own, apart from any other test's. */
	g4[2] = (uint8_t)(getpid() >> 8), g4[3] = (uint8_t)getpid();
	fd = receiver(AF_INET, g4, lo, &port);
	T_EQ(send_100(AF_INET, g4, lo, fd, port), 0);
	close(fd);

	/* lo routes no IPv6 multicast unless told to: a lab script gives a veth pair. */
	if (ifs) {
		if (sscanf(ifs, "%15s %15s", o, i) != 2 || !(out = if_nametoindex(o)) ||
		    !(in = if_nametoindex(i)))
			T_FAIL("REPLAY_SEND_IPV6_IFS='%s': not two interfaces OUT IN", ifs);
	}
	g6[14] = g4[2], g6[15] = g4[3];
	fd = receiver(AF_INET6, g6, in, &port);
	if (send_100(AF_INET6, g6, out, fd, port) == ENETUNREACH)
		fprintf(stderr, "note: lo routes no IPv6 multicast here, IPv6 part not run\n");
	close(fd);
}

static void test_frame_unprivileged(void)
{
	struct replay_send_opts o = { .mode = REPLAY_MODE_FRAME, .ifindex = lo };
	struct replay_send *s;
	char err[256] = "";

	T_EQ(replay_send_open(&s, &o, err, sizeof(err)), -EPERM);
	T_ASSERT(strstr(err, "CAP_NET_RAW") != NULL);
	T_ASSERT(s == NULL);
}

/* Unprivileged, or in a child that gave up root (and so its capabilities). */
static void test_frame_eperm(void)
{
	pid_t pid;
	int st;

	if (geteuid()) {
		test_frame_unprivileged();
		return;
	}
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		test_frame_unprivileged();
		_exit(0);
	}
	T_EQ(waitpid(pid, &st, 0), pid);
	T_ASSERT(WIFEXITED(st));
	T_EQ(WEXITSTATUS(st), 0);
}

static void test_frame_root(void)
{
	struct replay_send_opts o = { .mode = REPLAY_MODE_FRAME, .ifindex = lo };
	uint8_t g[4] = { 239, 255, 1, 0 }, f[128], got[64];
	struct rf_spec sp = { .dst = g, .ttl = 9, .no_csum = true, .plen = 24 };
	struct replay_send *s;
	int res[REPLAY_SEND_BATCH], fd, ttl;
	unsigned int i;
	uint32_t len;
	char err[256];

	g[3] = (uint8_t)getpid();
	/* Root without CAP_NET_RAW (a container): the refusal, tested above. */
	if (replay_send_open(&s, &o, err, sizeof(err)) == -EPERM) {
		fprintf(stderr, "note: root without CAP_NET_RAW, frame mode sent nothing\n");
		return;
	}
	T_ASSERT(s != NULL);
	fd = receiver(AF_INET, g, lo, &sp.dport);
	for (i = 0; i < 10; i++) {
		len = rf_build(f, &sp);
		f[5] = g[3]; /* the group's MAC: 01:00:5e:7f:01:g */
		f[3] = 0x7f, f[4] = 0x01;
		f[42] = (uint8_t)i; /* the payload's first byte: its number */
		T_EQ(replay_send_add(s, NULL, f, len), 0);
	}
	T_EQ(replay_send_flush(s, res), 10);
	for (i = 0; i < 10; i++)
		T_EQ(res[i], 0);
	for (i = 0; i < 10; i++) {
		T_EQ(recv_one(fd, got, sizeof(got), &ttl), 24);
		T_EQ(got[0], i);
		T_EQ(ttl, 9);
	}
	replay_send_close(s);
	close(fd);
}

int main(void)
{
	struct replay_send_opts o = { .mode = REPLAY_MODE_PAYLOAD, .ifindex = 0, .ttl = 1 };
	struct replay_send *s;
	char err[256];

	lo = if_nametoindex("lo");
	if (!lo)
		T_SKIP("no lo");
	T_EQ(replay_send_open(&s, &o, err, sizeof(err)), -ENODEV);
	o.ifindex = 999999;
	T_EQ(replay_send_open(&s, &o, err, sizeof(err)), -ENODEV);
	replay_send_close(NULL);

	test_payload();
	test_frame_eperm();
	if (geteuid() == 0)
		test_frame_root();
	else
		fprintf(stderr, "note: not root, frame mode sent nothing\n");
	return T_EXIT_PASS;
}
