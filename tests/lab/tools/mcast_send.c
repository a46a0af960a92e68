// SPDX-License-Identifier: BSD-2-Clause
/*
 * mcast_send - the lab's traffic source (and sink): sequence-numbered UDP
 * datagrams to a multicast (or unicast) group, IPv4 or IPv6.
 *
 * Payload: 8-byte big-endian sequence number, 8-byte big-endian send time
 * (CLOCK_REALTIME ns), then bytes (seq + i) & 0xff, so a receiver can check
 * every byte without knowing anything else.
 *
 *   mcast_send [-i IFNAME] -g GROUP -p PORT [-n COUNT] [-s SIZE] [-r PPS]
 *              [--ttl N] [--seq-start N] [--skip SEQ[,SEQ...]]
 *      send; without -r (or -r 0) as fast as possible, 64 per sendmmsg();
 *      --random: random payload bytes instead of the pattern (incompressible)
 *   mcast_send ... -r PPS -d SECONDS --per-interval SEC [--edge-us N]
 *      send at PPS for SECONDS (catching up in bursts of up to 64 when
 *      late), then print per interval of SEC on CLOCK_REALTIME (whole
 *      multiples of SEC, as capstat's): "interval END_NS SURE EDGE", SURE
 *      the packets surely stamped in it by the receiver, EDGE those that
 *      may be stamped in it or the next (the boundary fell between just
 *      before their send and N us (default 1000) after it returned)
 *   mcast_send --recv [-i IFNAME] -g GROUP -p PORT [-t SECONDS] [-n COUNT]
 *      receive (joining GROUP if multicast), verify payloads, print
 *      "received N bad M"
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HDR_LEN 16
#define BURST	64

struct opts {
	const char *ifname;
	const char *group;
	unsigned port;
	unsigned long long count;
	unsigned size;
	double pps;
	int ttl;
	unsigned long long seq_start;
	unsigned long long *skip;
	size_t nskip;
	int recv;
	int random;
	double seconds;
	double duration;
	double per_iv;
	unsigned edge_us;
};

/* Per interval: packets surely in it, and those straddling its end. */
struct ivcount {
	uint64_t first; /* index of the first interval */
	uint64_t n;
	unsigned long long *sure, *edge;
};

static void iv_add(struct ivcount *c, uint64_t iv_ns, uint64_t t0, uint64_t t1, unsigned n)
{
	uint64_t a = t0 / iv_ns, b = t1 / iv_ns;

	if (!c->n || a < c->first || a - c->first >= c->n)
		return;
	if (a == b)
		c->sure[a - c->first] += n;
	else /* straddles one boundary at most: intervals are longer than the edge */
		c->edge[a - c->first] += n;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mcast_send [-i IFNAME] -g GROUP -p PORT [-n COUNT] [-s SIZE] [-r PPS]\n"
		"                  [--ttl N] [--seq-start N] [--skip SEQ[,SEQ...]] [--random]\n"
		"                  [-d SECONDS] [--per-interval SEC [--edge-us N]]\n"
		"       mcast_send --recv [-i IFNAME] -g GROUP -p PORT [-t SECONDS] [-n COUNT]\n");
	exit(2);
}

static void parse_skip(struct opts *o, char *list)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		o->skip = realloc(o->skip, (o->nskip + 1) * sizeof(*o->skip));
		if (!o->skip) {
			perror("realloc");
			exit(1);
		}
		o->skip[o->nskip++] = strtoull(tok, NULL, 0);
	}
}

static int skipped(const struct opts *o, unsigned long long seq)
{
	size_t i;

	for (i = 0; i < o->nskip; i++)
		if (o->skip[i] == seq)
			return 1;
	return 0;
}

/* Resolve GROUP:PORT; returns the address family. */
static int make_addr(const struct opts *o, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, o->group, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(o->port);
		*len = sizeof(*sin);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, o->group, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(o->port);
		*len = sizeof(*sin6);
		return AF_INET6;
	}
	fprintf(stderr, "mcast_send: '%s' is not an IPv4 or IPv6 address\n", o->group);
	exit(2);
}

static int do_send(const struct opts *o)
{
	struct sockaddr_storage dst;
	unsigned ifindex = o->ifname ? if_nametoindex(o->ifname) : 0;
	unsigned long long seq, sent = 0, end = o->seq_start + o->count;
	uint64_t start, gap_ns = o->pps > 0 ? (uint64_t)(1e9 / o->pps) : 0;
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	unsigned int burst;
	socklen_t dlen;
	uint8_t *buf;
	int fd, af;
	unsigned i;
	struct ivcount ivc = { 0 };
	uint64_t t0 = 0;

	if (o->ifname && !ifindex) {
		fprintf(stderr, "mcast_send: no interface %s\n", o->ifname);
		return 1;
	}
	af = make_addr(o, &dst, &dlen);
	fd = socket(af, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (af == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };
		unsigned char ttl = (unsigned char)o->ttl;

		if ((ifindex && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0) {
			perror("setsockopt");
			return 1;
		}
	} else {
		int hops = o->ttl;

		if ((ifindex && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
					   sizeof(ifindex)) < 0) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0) {
			perror("setsockopt");
			return 1;
		}
	}
	/* Unpaced sending goes in bursts through sendmmsg(): the lab's
	 * highest offered rate. */
	burst = gap_ns && !o->per_iv ? 1 : BURST;
	buf = malloc((size_t)o->size * burst);
	if (!buf)
		return 1;
	if (o->per_iv) {
		uint64_t iv_ns = (uint64_t)(o->per_iv * 1e9), t = now_ns(CLOCK_REALTIME);

		ivc.first = t / iv_ns;
		ivc.n = (uint64_t)(o->duration / o->per_iv) * 4 +
			8; /* even at a quarter of the rate */
		ivc.sure = calloc(ivc.n, sizeof(*ivc.sure));
		ivc.edge = calloc(ivc.n, sizeof(*ivc.edge));
		if (!ivc.sure || !ivc.edge)
			return 1;
	}
	start = now_ns(CLOCK_MONOTONIC);
	seq = o->seq_start;
	while (seq < end) {
		unsigned int n = 0, done = 0;
		int r;

		if (gap_ns) {
			uint64_t due = start + (seq - o->seq_start) * gap_ns;
			struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u),
					       .tv_nsec = (long)(due % 1000000000u) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		if (o->per_iv) {
			/* Paced: what is due now, up to a burst (catching up). */
			uint64_t due = (now_ns(CLOCK_MONOTONIC) - start) / gap_ns + 1;

			burst = due > seq - o->seq_start ? (unsigned)(due - (seq - o->seq_start))
							 : 1;
			if (burst > BURST)
				burst = BURST;
			t0 = now_ns(CLOCK_REALTIME);
		}
		for (; seq < end && n < burst; seq++) {
			uint8_t *b = buf + (size_t)n * o->size;
			uint64_t be;

			if (skipped(o, seq))
				continue;
			be = htobe64(seq);
			memcpy(b, &be, 8);
			be = htobe64(now_ns(CLOCK_REALTIME));
			memcpy(b + 8, &be, 8);
			if (o->random) {
				/* Incompressible, for filling disks. */
				uint64_t x = seq * 0x9e3779b97f4a7c15ull + 1;

				for (i = HDR_LEN; i < o->size; i++) {
					x ^= x << 13, x ^= x >> 7, x ^= x << 17;
					b[i] = (uint8_t)x;
				}
			} else {
				for (i = HDR_LEN; i < o->size; i++)
					b[i] = (uint8_t)(seq + i);
			}
			iov[n].iov_base = b;
			iov[n].iov_len = o->size;
			msgs[n].msg_hdr = (struct msghdr){ .msg_name = &dst,
							   .msg_namelen = dlen,
							   .msg_iov = &iov[n],
							   .msg_iovlen = 1 };
			n++;
		}
		/* A full socket buffer is back-pressure, not loss: retry. */
		while (done < n) {
			r = sendmmsg(fd, msgs + done, n - done, 0);
			if (r > 0) {
				done += (unsigned int)r;
				continue;
			}
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("sendmmsg");
				return 1;
			}
			usleep(50);
		}
		if (o->per_iv)
			iv_add(&ivc, (uint64_t)(o->per_iv * 1e9), t0,
			       now_ns(CLOCK_REALTIME) + (uint64_t)o->edge_us * 1000, n);
		sent += n;
	}
	printf("sent %llu\n", sent);
	for (i = 0; i < ivc.n; i++)
		if (ivc.sure[i] || ivc.edge[i] || (i && ivc.edge[i - 1]))
			printf("interval %llu %llu %llu\n",
			       (unsigned long long)((ivc.first + i + 1) *
						    (uint64_t)(o->per_iv * 1e9)),
			       ivc.sure[i], ivc.edge[i]);
	free(ivc.sure);
	free(ivc.edge);
	free(buf);
	close(fd);
	return 0;
}

static int do_recv(const struct opts *o)
{
	struct sockaddr_storage grp;
	unsigned ifindex = o->ifname ? if_nametoindex(o->ifname) : 0;
	unsigned long long got = 0, bad = 0;
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(o->seconds * 1e9);
	socklen_t glen;
	uint8_t buf[65536];
	int fd, af, one = 1;

	af = make_addr(o, &grp, &glen);
	fd = socket(af, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		perror("socket");
		return 1;
	}
	if (af == AF_INET) {
		struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(o->port) };
		struct sockaddr_in *g = (struct sockaddr_in *)&grp;

		if (IN_MULTICAST(ntohl(g->sin_addr.s_addr)))
			any.sin_addr = g->sin_addr;
		if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
			perror("bind");
			return 1;
		}
		if (IN_MULTICAST(ntohl(g->sin_addr.s_addr))) {
			struct ip_mreqn mr = { .imr_multiaddr = g->sin_addr,
					       .imr_ifindex = (int)ifindex };

			if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
				perror("IP_ADD_MEMBERSHIP");
				return 1;
			}
		}
	} else {
		struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(o->port) };
		struct sockaddr_in6 *g = (struct sockaddr_in6 *)&grp;

		if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
			perror("bind");
			return 1;
		}
		if (IN6_IS_ADDR_MULTICAST(&g->sin6_addr)) {
			struct ipv6_mreq mr = { .ipv6mr_multiaddr = g->sin6_addr,
						.ipv6mr_interface = ifindex };

			if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) <
			    0) {
				perror("IPV6_ADD_MEMBERSHIP");
				return 1;
			}
		}
	}
	/* Tell a script waiting for us that the socket is ready. */
	printf("listening\n");
	fflush(stdout);
	while (!o->count || got + bad < o->count) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), seq;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		unsigned i;
		int ok;

		if (now >= deadline)
			break;
		if (poll(&p, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			continue;
		ok = n >= HDR_LEN;
		if (ok) {
			memcpy(&seq, buf, 8);
			seq = be64toh(seq);
			for (i = HDR_LEN; i < (unsigned)n; i++)
				if (buf[i] != (uint8_t)(seq + i))
					ok = 0;
		}
		ok ? got++ : bad++;
	}
	printf("received %llu bad %llu\n", got, bad);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ttl", required_argument, NULL, 'T' },
		{ "seq-start", required_argument, NULL, 'S' },
		{ "skip", required_argument, NULL, 'k' },
		{ "recv", no_argument, NULL, 'R' },
		{ "random", no_argument, NULL, 'X' },
		{ "per-interval", required_argument, NULL, 'I' },
		{ "edge-us", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .count = 1000, .size = 100, .ttl = 8, .seconds = 5, .edge_us = 1000 };
	int c;

	while ((c = getopt_long(argc, argv, "i:g:p:n:s:r:t:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'g':
			o.group = optarg;
			break;
		case 'p':
			o.port = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o.count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			o.size = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o.pps = strtod(optarg, NULL);
			break;
		case 't':
			o.seconds = strtod(optarg, NULL);
			break;
		case 'T':
			o.ttl = atoi(optarg);
			break;
		case 'S':
			o.seq_start = strtoull(optarg, NULL, 0);
			break;
		case 'k':
			parse_skip(&o, optarg);
			break;
		case 'R':
			o.recv = 1;
			break;
		case 'X':
			o.random = 1;
			break;
		case 'd':
			o.duration = strtod(optarg, NULL);
			break;
		case 'I':
			o.per_iv = strtod(optarg, NULL);
			break;
		case 'E':
			o.edge_us = (unsigned)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!o.group || !o.port || o.port > 65535 || o.size < HDR_LEN || o.size > 65507)
		usage();
	/* A duration at a rate is a count. */
	if (o.duration > 0 && o.pps > 0)
		o.count = (unsigned long long)(o.duration * o.pps + 0.5);
	if (o.per_iv && (o.pps <= 0 || o.per_iv * 1e6 <= o.edge_us))
		usage();
	return o.recv ? do_recv(&o) : do_send(&o);
}
