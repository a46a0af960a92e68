// SPDX-License-Identifier: BSD-2-Clause
/*
 * feed_send - the lab's sequenced feed sender: MoldUDP64, MDP 3.0, CBOE
 * PITCH or a plain 8-byte big-endian sequence number, following a plan of
 * sequence numbers given word by word, optionally on two lines (A and B)
 * at once.
 *
 *   feed_send [-i IFNAME] -g GROUP -p PORT [-G GROUP_B -P PORT_B]
 *             --proto moldudp64|mdp3|pitch|seq [-m MSGS] [-r PPS] PLAN...
 *
 * PLAN words, in order:
 *   N-M        packets N, N+MSGS, ... up to M, each with MSGS messages (the
 *              last with fewer if M is reached); mdp3 and seq: one each
 *   N          one packet at N (N/K: with K messages)
 *   a:WORD     WORD on line A only (B drops it); b:WORD on B only
 *   hb:N       heartbeat carrying next sequence number N (moldudp64, pitch)
 *   end:N      MoldUDP64 end of session, next sequence number N
 *   session:S  MoldUDP64 session S (10 characters, space padded) or PITCH unit S
 *   sleep:MS   idle MS milliseconds
 *   burst:N-M  like N-M but back to back, one sendmmsg() without pacing
 *   junk:LEN   a datagram of LEN bytes that no decoder accepts
 * Packets are paced at PPS (default 5000); line B is sent right after A.
 * Prints "sent N" (datagrams, both lines counted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"

#define MAX_DGRAM 1500
#define MAX_BURST 1024
#define MSG_BODY  8 /* payload bytes of each message */

enum proto { P_MOLD, P_MDP3, P_PITCH, P_SEQ };

struct line {
	struct sockaddr_in dst;
};

struct sender {
	enum proto proto;
	unsigned int msgs;
	double pps;
	struct line line[2];
	int nlines;
	int fd;
	char session[11]; /* 10 bytes on the wire */
	uint8_t unit;
	uint64_t sent;
	uint64_t next_due; /* CLOCK_MONOTONIC ns */
	/* A burst collects datagrams here and sends them at once. */
	uint8_t buf[MAX_BURST][MAX_DGRAM];
	struct iovec iov[MAX_BURST];
	struct mmsghdr msg[MAX_BURST];
	unsigned int nbuf;
	int bursting;
};

static void die(const char *what)
{
	fprintf(stderr, "feed_send: %s\n", what);
	exit(2);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Build one datagram. count: messages (0: heartbeat); mold_count: raw field. */
static size_t build(struct sender *s, uint8_t *p, uint64_t seq, unsigned int count,
		    unsigned int mold_count)
{
	size_t n = 0;
	unsigned int i;

	switch (s->proto) {
	case P_MOLD:
		memcpy(p, s->session, 10);
		put_be(p + 10, seq, 8);
		put_be(p + 18, mold_count, 2);
		n = 20;
		for (i = 0; i < count; i++) {
			put_be(p + n, MSG_BODY, 2);
			put_be(p + n + 2, seq + i, MSG_BODY);
			n += 2 + MSG_BODY;
		}
		break;
	case P_MDP3:
		put_le(p, seq, 4);
		put_le(p + 4, clock_ns(CLOCK_REALTIME), 8);
		/* One message: size, SBE header (block length, template, schema, version), body. */
		put_le(p + 12, 2 + 8 + MSG_BODY, 2);
		put_le(p + 14, MSG_BODY, 2);
		put_le(p + 16, 32, 2);
		put_le(p + 18, 1, 2);
		put_le(p + 20, 9, 2);
		put_le(p + 22, seq, MSG_BODY);
		n = 22 + MSG_BODY;
		break;
	case P_PITCH:
		p[2] = (uint8_t)count;
		p[3] = s->unit;
		put_le(p + 4, seq, 4);
		n = 8;
		for (i = 0; i < count; i++) {
			p[n] = 2 + MSG_BODY;
			p[n + 1] = 0x21;
			put_le(p + n + 2, seq + i, MSG_BODY);
			n += 2 + MSG_BODY;
		}
		put_le(p, n, 2);
		break;
	case P_SEQ:
		put_be(p, seq, 8);
		memset(p + 8, 0, 8);
		n = 16;
		break;
	}
	return n;
}

static void flush(struct sender *s)
{
	unsigned int done = 0;
	int r, fd = s->fd;

	while (done < s->nbuf) {
		r = sendmmsg(fd, s->msg + done, s->nbuf - done, 0);
		if (r > 0) {
			done += (unsigned int)r;
			continue;
		}
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("sendmmsg");
			exit(1);
		}
		usleep(50);
	}
	s->sent += s->nbuf;
	s->nbuf = 0;
}

static void pace(struct sender *s)
{
	struct timespec ts;

	if (s->pps <= 0 || s->bursting)
		return;
	if (!s->next_due)
		s->next_due = clock_ns(CLOCK_MONOTONIC);
	ts.tv_sec = (time_t)(s->next_due / 1000000000u);
	ts.tv_nsec = (long)(s->next_due % 1000000000u);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	s->next_due += (uint64_t)(1e9 / s->pps);
}

/* Queue a datagram to the lines in mask (bit 0 A, bit 1 B); sent now unless bursting. */
static void emit(struct sender *s, unsigned int mask, uint64_t seq, unsigned int count,
		 unsigned int mold_count, size_t junk)
{
	int l;

	pace(s);
	for (l = 0; l < s->nlines; l++) {
		uint8_t *p;
		size_t n;

		if (!(mask & (1u << l)))
			continue;
		if (s->nbuf == MAX_BURST)
			flush(s);
		p = s->buf[s->nbuf];
		if (junk) {
			memset(p, 0xee, junk);
			n = junk;
		} else {
			n = build(s, p, seq, count, mold_count);
		}
		s->iov[s->nbuf] = (struct iovec){ .iov_base = p, .iov_len = n };
		s->msg[s->nbuf].msg_hdr = (struct msghdr){ .msg_name = &s->line[l].dst,
							   .msg_namelen = sizeof(s->line[l].dst),
							   .msg_iov = &s->iov[s->nbuf],
							   .msg_iovlen = 1 };
		s->nbuf++;
	}
	if (!s->bursting)
		flush(s);
}

static void range(struct sender *s, unsigned int mask, const char *w)
{
	unsigned long long a, b, k = 0;
	unsigned int per = s->proto == P_MOLD || s->proto == P_PITCH ? s->msgs : 1;
	char *end;

	a = strtoull(w, &end, 10);
	if (end == w)
		die("bad plan word");
	if (*end == '-') {
		b = strtoull(end + 1, &end, 10);
		if (*end || b < a)
			die("bad range");
		while (a <= b) {
			unsigned int n = b - a + 1 < per ? (unsigned int)(b - a + 1) : per;

			emit(s, mask, a, n, n, 0);
			a += n;
		}
		return;
	}
	if (*end == '/') {
		k = strtoull(end + 1, &end, 10);
		per = (unsigned int)k;
	}
	if (*end)
		die("bad plan word");
	emit(s, mask, a, per, per, 0);
}

static void word(struct sender *s, const char *w, unsigned int mask)
{
	if (!strncmp(w, "a:", 2) || !strncmp(w, "b:", 2)) {
		word(s, w + 2, w[0] == 'a' ? 1 : 2);
	} else if (!strncmp(w, "hb:", 3)) {
		emit(s, mask, strtoull(w + 3, NULL, 10), 0, 0, 0);
	} else if (!strncmp(w, "end:", 4)) {
		emit(s, mask, strtoull(w + 4, NULL, 10), 0, 0xffff, 0);
	} else if (!strncmp(w, "session:", 8)) {
		if (s->proto == P_PITCH)
			s->unit = (uint8_t)atoi(w + 8);
		else
			snprintf(s->session, sizeof(s->session), "%-10.10s", w + 8);
	} else if (!strncmp(w, "sleep:", 6)) {
		usleep((useconds_t)atoi(w + 6) * 1000);
		s->next_due = 0;
	} else if (!strncmp(w, "burst:", 6)) {
		s->bursting = 1;
		range(s, mask, w + 6);
		s->bursting = 0;
		flush(s);
		s->next_due = 0;
	} else if (!strncmp(w, "junk:", 5)) {
		size_t n = strtoul(w + 5, NULL, 10);

		if (n < 1 || n > MAX_DGRAM)
			die("junk length out of range");
		emit(s, mask, 0, 0, 0, n);
	} else {
		range(s, mask, w);
	}
}

static void make_line(struct line *l, const char *group, unsigned int port)
{
	memset(&l->dst, 0, sizeof(l->dst));
	if (inet_pton(AF_INET, group, &l->dst.sin_addr) != 1)
		die("group must be an IPv4 address");
	l->dst.sin_family = AF_INET;
	l->dst.sin_port = htons((uint16_t)port);
}

static int make_socket(unsigned int ifindex)
{
	unsigned char ttl = 8;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	if (ifindex) {
		struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0)
			die("IP_MULTICAST_IF");
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
		die("IP_MULTICAST_TTL");
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sender s = { .msgs = 1, .pps = 5000, .session = "SESSION001", .unit = 1 };
	const char *ifname = NULL, *group[2] = { NULL, NULL };
	unsigned int port[2] = { 0, 0 }, ifindex = 0;
	int c, i;

	while ((c = getopt_long(argc, argv, "i:g:p:G:P:m:r:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'g':
			group[0] = optarg;
			break;
		case 'p':
			port[0] = (unsigned int)atoi(optarg);
			break;
		case 'G':
			group[1] = optarg;
			break;
		case 'P':
			port[1] = (unsigned int)atoi(optarg);
			break;
		case 'm':
			s.msgs = (unsigned int)atoi(optarg);
			break;
		case 'r':
			s.pps = strtod(optarg, NULL);
			break;
		case 'x':
			if (!strcmp(optarg, "moldudp64"))
				s.proto = P_MOLD;
			else if (!strcmp(optarg, "mdp3"))
				s.proto = P_MDP3;
			else if (!strcmp(optarg, "pitch"))
				s.proto = P_PITCH;
			else if (!strcmp(optarg, "seq"))
				s.proto = P_SEQ;
			else
				die("--proto: moldudp64, mdp3, pitch or seq");
			break;
		default:
			die("usage: feed_send [-i IF] -g GROUP -p PORT [-G GROUP -P PORT] --proto "
			    "P "
			    "[-m MSGS] [-r PPS] PLAN...");
		}
	}
	if (!group[0] || !port[0] || s.msgs < 1 || s.msgs > 100 || !!group[1] != !!port[1])
		die("need -g GROUP -p PORT (and -G with -P); 1 <= -m <= 100");
	if (ifname && !(ifindex = if_nametoindex(ifname)))
		die("no such interface");
	s.nlines = group[1] ? 2 : 1;
	s.fd = make_socket(ifindex);
	for (i = 0; i < s.nlines; i++)
		make_line(&s.line[i], group[i], port[i]);
	for (i = optind; i < argc; i++)
		word(&s, argv[i], 3);
	flush(&s);
	printf("sent %llu\n", (unsigned long long)s.sent);
	return 0;
}
