// SPDX-License-Identifier: BSD-2-Clause
/*
 * delay_fwd - a known delay between two capture points where the kernel
 * has no netem: every IPv4 UDP frame to GROUP that leaves interface IN is
 * sent again on interface OUT, DELAY +- JITTER ns (uniform) after the
 * kernel saw it leave, or dropped with probability LOSS (a seeded,
 * repeatable draw).  Frames are sent in order of their due time.
 *
 *   delay_fwd -i IN -o OUT -g GROUP -d DELAY_NS [-j JITTER_NS] [-l LOSS]
 *             [-s SEED] -t SECONDS
 *
 * Prints "ready" once listening, and at the end (after SECONDS, or on
 * SIGINT/SIGTERM) "forwarded N dropped M".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QLEN	8192
#define FRAME	2048
#define WAKE_NS 30000 /* woken this much early, then spinning */

struct item {
	uint64_t due;
	uint32_t len;
	uint8_t data[FRAME];
};

static struct item q[QLEN];
static unsigned int nq;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "delay_fwd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Keep q sorted by due time (insertion from the end: mostly in order). */
static void enqueue(const uint8_t *p, uint32_t len, uint64_t due)
{
	unsigned int i = nq;

	while (i > 0 && q[i - 1].due > due) {
		q[i] = q[i - 1];
		i--;
	}
	q[i].due = due;
	q[i].len = len;
	memcpy(q[i].data, p, len);
	nq++;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *group = NULL;
	uint64_t delay = 0, jitter = 0, end, forwarded = 0, dropped = 0;
	double loss = 0, secs = 0;
	struct sockaddr_ll sll = { 0 }, to = { 0 };
	struct in_addr grp;
	int c, rx, tx, on = 1;

	rnd_state = 88172645463325252ull;
	while ((c = getopt(argc, argv, "i:o:g:d:j:l:s:t:")) != -1) {
		switch (c) {
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'd':
			delay = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			jitter = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			loss = strtod(optarg, NULL);
			break;
		case 's':
			rnd_state = strtoull(optarg, NULL, 0) | 1;
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: delay_fwd -i IN -o OUT -g GROUP -d DELAY_NS "
					"[-j JITTER_NS] [-l LOSS] [-s SEED] -t SECONDS\n");
			return 2;
		}
	}
	if (!in || !out || !group || inet_pton(AF_INET, group, &grp) != 1 || secs <= 0 ||
	    jitter > delay) {
		fprintf(stderr, "delay_fwd: -i, -o, -g, -t needed; JITTER <= DELAY\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rx = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	if (rx < 0 || tx < 0)
		die("socket");
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(in);
	to.sll_family = AF_PACKET;
	to.sll_ifindex = (int)if_nametoindex(out);
	to.sll_halen = 6;
	if (!sll.sll_ifindex || !to.sll_ifindex)
		die("interface");
	if (bind(rx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind");
	if (setsockopt(rx, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0)
		die("SO_TIMESTAMPNS");
	printf("ready\n");
	fflush(stdout);
	end = now_ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);
	while (!stop && now_ns(CLOCK_MONOTONIC) < end) {
		uint8_t buf[FRAME], cbuf[256];
		struct sockaddr_ll from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		uint64_t t;
		struct pollfd pfd = { .fd = rx, .events = POLLIN };
		ssize_t n;

		/* Sleep until a frame comes or the next one is due (less a margin
		 * for waking up, then spin). */
		if (!nq) {
			poll(&pfd, 1, 100);
		} else {
			uint64_t now = now_ns(CLOCK_REALTIME);

			if (q[0].due > now + WAKE_NS) {
				int ms = (int)((q[0].due - now - WAKE_NS) / 1000000);

				if (ms > 0)
					poll(&pfd, 1, ms);
				else
					nanosleep(&(struct timespec){ .tv_nsec = (long)(q[0].due -
											now -
											WAKE_NS) },
						  NULL);
			}
		}
		n = recvmsg(rx, &mh, 0);
		t = now_ns(CLOCK_REALTIME);

		if (n >= 34 && from.sll_pkttype == PACKET_OUTGOING && buf[12] == 0x08 &&
		    buf[13] == 0x00 && buf[23] == 17 && !memcmp(buf + 30, &grp, 4)) {
			struct cmsghdr *cm;

			for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
				if (cm->cmsg_level == SOL_SOCKET &&
				    cm->cmsg_type == SO_TIMESTAMPNS) {
					struct timespec ts;

					memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
					t = (uint64_t)ts.tv_sec * 1000000000ull +
					    (uint64_t)ts.tv_nsec;
				}
			if ((double)(rnd() >> 11) / 9007199254740992.0 < loss) {
				dropped++;
			} else if (nq < QLEN) {
				uint64_t j = jitter ? rnd() % (2 * jitter + 1) : 0;

				enqueue(buf, (uint32_t)n, t + delay - jitter + j);
			} else {
				fprintf(stderr, "delay_fwd: queue full\n");
				return 1;
			}
		}
		/* Due frames out, busy-waiting for the next one when it is near. */
		while (nq && now_ns(CLOCK_REALTIME) >= q[0].due) {
			memcpy(to.sll_addr, q[0].data, 6);
			if (sendto(tx, q[0].data, q[0].len, 0, (struct sockaddr *)&to, sizeof(to)) <
			    0)
				die("sendto");
			forwarded++;
			memmove(q, q + 1, (nq - 1) * sizeof(q[0]));
			nq--;
		}
	}
	printf("forwarded %llu dropped %llu\n", (unsigned long long)forwarded,
	       (unsigned long long)dropped);
	return 0;
}
