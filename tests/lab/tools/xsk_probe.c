// SPDX-License-Identifier: BSD-2-Clause
/*
 * xsk_probe - lab tool: attach capd's XDP program to one interface, receive
 * the selected feeds on one queue through AF_XDP, check every frame, and
 * report.  Detaches on SIGINT/SIGTERM, after -t seconds or -c frames.
 *
 *   xsk_probe -i IFNAME [-q QUEUE] [-m auto|native|generic] [-z auto|on|off]
 *             [-f FEED]... [-a] [-t SECONDS] [-c COUNT] [-H] [--no-hw] [-v]
 *
 * FEED is ADDR[/LEN][:PORT[,PORT...]], IPv6 with ports as [ADDR]/LEN:PORTS;
 * feed indexes follow the order of -f.  -a captures unmatched multicast too.
 *
 * Every frame is checked independently of the XDP program: Ethernet, at
 * most one VLAN tag, IPv4/IPv6, UDP; lengths consistent with the wire
 * length; the feed the program reported equals the one this tool computes
 * from its own copy of the feed list; the payload is mcast_send's
 * (8-byte big-endian sequence, 8-byte time, then (seq + i) & 0xff).
 *
 * Output, one "key=value ..." line per item, after a "ready" line once the
 * socket is registered (scripts start their senders then):
 *   info mode=native prog=capd_xdp_hw hw_bound=1 hw_ts=1 zerocopy=0 ...
 *   feed index=0 frames=N bytes=N maxlen=N multibuf=N vlan=N seq_gaps=N seq_dups=N
 *   total frames=N bad=N unexpected=N meta=N tai=N hw=N hw_tried=N hw_err=E
 *   xdp rx=N passed=N selected=N redirected=N no_socket=N ...
 *   xsk rx_dropped=N rx_ring_full=N fill_empty=N invalid=N wakeups=N ...
 *   detach=ok
 * Exit status: 0 ran (the caller judges the figures), 1 error, 77 skipped.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xdp_prog.h"
#include "xsk.h"

#define MAX_FEEDS   64
#define BATCH	    64
#define PAYLOAD_HDR 16

struct feed_stats {
	uint64_t frames, bytes, maxlen, multibuf, vlan;
	uint64_t seq_gaps, seq_dups;
	uint64_t next_seq;
	int seen;
};

static struct xdp_feed feeds[MAX_FEEDS];
static struct feed_stats fstats[MAX_FEEDS + 1]; /* [MAX_FEEDS]: feed NONE */
static size_t nfeeds;
static int verbose;
static volatile sig_atomic_t stop;

static struct {
	uint64_t frames, bad, unexpected, meta, tai, hw, hw_tried, incomplete;
	int hw_err;
	char first_bad[160];
} total;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_libbpf(int level, const char *fmt, va_list ap)
{
	if (verbose || level == 0)
		vfprintf(stderr, fmt, ap);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xsk_probe -i IFNAME [-q QUEUE] [-m auto|native|generic] [-z auto|on|off]\n"
		"                 [-f ADDR[/LEN][:PORT[,PORT...]]]... [-a] [-t SECONDS] [-c "
		"COUNT]\n"
		"                 [-H] [--no-hw] [-v]\n");
	exit(1);
}

static int parse_feed(const char *arg, struct xdp_feed *f)
{
	char buf[128], *addr = buf, *ports = NULL, *len = NULL, *p;
	int bits;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	memset(f, 0, sizeof(*f));
	if (buf[0] == '[') {
		addr = buf + 1;
		p = strchr(addr, ']');
		if (!p)
			return -1;
		*p++ = '\0';
		if (*p == '/') {
			len = p + 1;
			p = strchr(len, ':');
		} else if (*p != ':' && *p) {
			return -1;
		}
		if (p && *p == ':') {
			*p = '\0';
			ports = p + 1;
		}
	} else if (strchr(buf, ':') == strrchr(buf, ':')) {
		/* IPv4: ADDR[/LEN][:PORTS] */
		ports = strchr(buf, ':');
		if (ports)
			*ports++ = '\0';
		len = strchr(addr, '/');
		if (len)
			*len++ = '\0';
	} else {
		/* IPv6 without brackets: ADDR[/LEN], no ports */
		len = strchr(addr, '/');
		if (len)
			*len++ = '\0';
	}
	if (inet_pton(AF_INET, addr, f->addr) == 1) {
		f->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, addr, f->addr) == 1) {
		f->family = AF_INET6;
		bits = 128;
	} else {
		return -1;
	}
	f->prefix_len = (uint8_t)(len ? atoi(len) : bits);
	if (len && (atoi(len) < 0 || atoi(len) > bits))
		return -1;
	while (ports && *ports) {
		unsigned long v = strtoul(ports, &p, 10);

		if (!v || v > 65535 || f->nports == XDP_FEED_MAX_PORTS || (*p && *p != ','))
			return -1;
		f->ports[f->nports++] = (uint16_t)v;
		ports = *p ? p + 1 : p;
	}
	return 0;
}

/* Does prefix (a, len) contain b?  The tool's own, independent of xdp_prog.c. */
static int in_prefix(const uint8_t *a, unsigned int len, const uint8_t *b)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned int bit = 7 - i % 8;

		if (((a[i / 8] >> bit) & 1) != ((b[i / 8] >> bit) & 1))
			return 0;
	}
	return 1;
}

/*
 * The feed a datagram belongs to, by the documented rules: the longest
 * matching prefix; there a listed port, else an any-port feed; covering
 * shorter prefixes are consulted until an any-port feed is met.
 * Returns CAPD_FEED_NONE if no feed selects it.
 */
static unsigned int expected_feed(int family, const uint8_t *dst, uint16_t port)
{
	int len, max = family == AF_INET ? 32 : 128;
	size_t i, k;

	for (len = max; len >= 0; len--) {
		int any = -1;

		for (i = 0; i < nfeeds; i++) {
			const struct xdp_feed *f = &feeds[i];

			if (f->family != family || f->prefix_len != len ||
			    !in_prefix(f->addr, (unsigned int)len, dst))
				continue;
			if (!f->nports) {
				if (any < 0)
					any = (int)f->index;
				continue;
			}
			for (k = 0; k < f->nports; k++)
				if (f->ports[k] == port)
					return f->index;
		}
		if (any >= 0)
			return (unsigned int)any;
	}
	return CAPD_FEED_NONE;
}

static void mark_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mark_bad(const char *fmt, ...)
{
	va_list ap;

	total.bad++;
	if (total.first_bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(total.first_bad, sizeof(total.first_bad), fmt, ap);
	va_end(ap);
}

static void check_frame(const uint8_t *buf, uint32_t caplen, uint32_t wire,
			const struct xsk_rx_frame *fr, int capture_all)
{
	const struct capd_xdp_meta *m = fr->meta;
	uint32_t off = sizeof(struct ethhdr), l2, l3len, i, paylen;
	uint8_t dst[16] = { 0 };
	uint16_t proto, dport, ulen;
	const struct udphdr *udp;
	unsigned int feed, got;
	struct feed_stats *fs;
	uint64_t seq;
	int family, vlan = 0;

	total.frames++;
	if (fr->flags & XSK_RX_F_INCOMPLETE)
		total.incomplete++;
	if (m) {
		total.meta++;
		if (m->tai_ns)
			total.tai++;
		if (m->flags & CAPD_META_F_HW_TS)
			total.hw++;
		if (m->flags & CAPD_META_F_HW_TRIED)
			total.hw_tried++;
		if (CAPD_META_HW_ERR(m->flags))
			total.hw_err = (int)CAPD_META_HW_ERR(m->flags);
	}
	if (caplen != wire || wire < off) {
		mark_bad("truncated copy %u of %u", caplen, wire);
		return;
	}
	memcpy(&proto, buf + 12, 2);
	proto = ntohs(proto);
	if (proto == ETH_P_8021Q || proto == 0x88a8) {
		memcpy(&proto, buf + 16, 2);
		proto = ntohs(proto);
		off += 4;
		vlan = 1;
	}
	if (proto == ETH_P_IP && wire >= off + sizeof(struct iphdr)) {
		const struct iphdr *ip = (const void *)(buf + off);

		family = AF_INET;
		if (ip->protocol != IPPROTO_UDP) {
			total.unexpected++;
			return;
		}
		l3len = ntohs(ip->tot_len);
		memcpy(dst, &ip->daddr, 4);
		off += ip->ihl * 4u;
	} else if (proto == ETH_P_IPV6 && wire >= off + sizeof(struct ipv6hdr)) {
		const struct ipv6hdr *ip6 = (const void *)(buf + off);

		family = AF_INET6;
		if (ip6->nexthdr != IPPROTO_UDP) {
			total.unexpected++;
			return;
		}
		l3len = ntohs(ip6->payload_len) + (uint32_t)sizeof(*ip6);
		memcpy(dst, &ip6->daddr, 16);
		off += sizeof(*ip6);
	} else {
		total.unexpected++;
		return;
	}
	if (wire < off + sizeof(*udp)) {
		mark_bad("short udp: wire %u", wire);
		return;
	}
	udp = (const void *)(buf + off);
	dport = ntohs(udp->dest);
	ulen = ntohs(udp->len);
	/*
	 * The IP length must cover exactly the UDP datagram and end at the
	 * frame's end (Ethernet may pad a short frame up to 60 bytes).
	 */
	l2 = vlan ? 18u : 14u;
	if (off + ulen != l2 + l3len || l2 + l3len > wire || (l2 + l3len < wire && wire > 60)) {
		mark_bad("length mismatch: wire %u l3 %u udp %u", wire, l3len, ulen);
		return;
	}
	feed = expected_feed(family, dst, dport);
	if (feed == CAPD_FEED_NONE && !capture_all) {
		mark_bad("unselected datagram to port %u delivered", dport);
		return;
	}
	got = m ? m->feed : CAPD_FEED_NONE - 1u;
	if (m && got != feed) {
		mark_bad("feed %u reported, %u expected (port %u)", got, feed, dport);
		return;
	}
	/* Payload: mcast_send's pattern. */
	paylen = ulen - (uint32_t)sizeof(*udp);
	off += sizeof(*udp);
	if (paylen < PAYLOAD_HDR) {
		mark_bad("payload of %u bytes", paylen);
		return;
	}
	memcpy(&seq, buf + off, 8);
	seq = be64toh(seq);
	for (i = PAYLOAD_HDR; i < paylen; i++) {
		if (buf[off + i] != (uint8_t)(seq + i)) {
			mark_bad("seq %llu: payload byte %u is %#x", (unsigned long long)seq, i,
				 buf[off + i]);
			return;
		}
	}
	fs = &fstats[feed == CAPD_FEED_NONE ? MAX_FEEDS : feed];
	fs->frames++;
	fs->bytes += wire;
	if (wire > fs->maxlen)
		fs->maxlen = wire;
	if (fr->nbufs > 1)
		fs->multibuf++;
	fs->vlan += (uint64_t)vlan;
	if (fs->seen && seq < fs->next_seq)
		fs->seq_dups++;
	else if (fs->seen && seq > fs->next_seq)
		fs->seq_gaps += seq - fs->next_seq;
	if (!fs->seen || seq >= fs->next_seq)
		fs->next_seq = seq + 1;
	fs->seen = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-hw", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct xdp_prog_opts po = { .mode = XDP_PROG_MODE_AUTO };
	struct xsk_rx_opts xo = { .zerocopy = XSK_RX_ZC_AUTO };
	const struct xdp_prog_info *pi;
	const struct xsk_rx_info *xi;
	struct xsk_rx_frame fr[BATCH];
	struct capd_xdp_counters cnt;
	struct xsk_rx_stats st;
	struct xdp_prog *prog = NULL;
	struct xsk_rx *xsk = NULL;
	struct sigaction sa;
	double seconds = 10, deadline;
	unsigned long long want = 0;
	/* +2: IP headers 4-byte aligned behind the 14-byte Ethernet header */
	static uint8_t frame_buf[65536 + 2] __attribute__((aligned(8)));
	uint8_t *buf = frame_buf + 2;
	int c, r, ret = 1;
	unsigned int i, n;

	while ((c = getopt_long(argc, argv, "i:q:m:z:f:at:c:Hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			po.ifname = xo.ifname = optarg;
			break;
		case 'q':
			xo.queue = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			if (!strcmp(optarg, "native"))
				po.mode = XDP_PROG_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				po.mode = XDP_PROG_MODE_GENERIC;
			else if (!strcmp(optarg, "auto"))
				po.mode = XDP_PROG_MODE_AUTO;
			else
				usage();
			break;
		case 'z':
			if (!strcmp(optarg, "on"))
				xo.zerocopy = XSK_RX_ZC_ON;
			else if (!strcmp(optarg, "off"))
				xo.zerocopy = XSK_RX_ZC_OFF;
			else if (!strcmp(optarg, "auto"))
				xo.zerocopy = XSK_RX_ZC_AUTO;
			else
				usage();
			break;
		case 'f':
			if (nfeeds == MAX_FEEDS || parse_feed(optarg, &feeds[nfeeds])) {
				fprintf(stderr, "xsk_probe: bad feed '%s'\n", optarg);
				return 1;
			}
			feeds[nfeeds].index = (uint16_t)nfeeds;
			nfeeds++;
			break;
		case 'a':
			po.capture_all = true;
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'c':
			want = strtoull(optarg, NULL, 0);
			break;
		case 'H':
			xo.no_hugepages = true;
			break;
		case 'N':
			po.no_hw_ts = true;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (!po.ifname || optind != argc)
		usage();
	if (geteuid() != 0) {
		fprintf(stderr, "xsk_probe: needs root\n");
		return 77;
	}
	po.feeds = feeds;
	po.nfeeds = nfeeds;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	xdp_prog_set_print(print_libbpf);
	r = xdp_prog_open(&po, &prog);
	if (r) {
		fprintf(stderr, "xsk_probe: attach to %s: %s\n", po.ifname, strerror(-r));
		return 1;
	}
	pi = xdp_prog_info(prog);
	xo.xdp_flags = pi->xdp_flags;
	xo.meta_in_frame = pi->meta_in_frame;
	xo.no_sg = !(pi->feat & XDP_PROG_F_SG);
	r = xsk_rx_open(&xo, &xsk);
	if (r) {
		fprintf(stderr, "xsk_probe: AF_XDP socket on %s queue %u: %s\n", xo.ifname,
			xo.queue, strerror(-r));
		goto out;
	}
	r = xdp_prog_xsk_add(prog, xo.queue, xsk_rx_fd(xsk));
	if (r) {
		fprintf(stderr, "xsk_probe: xsks_map: %s\n", strerror(-r));
		goto out;
	}
	xi = xsk_rx_info(xsk);
	printf("info mode=%s prog=%s prog_id=%u hw_bound=%d hw_ts=%d zerocopy=%d hugepages=%d "
	       "features_known=%d xdp_features=%#llx rx_meta=%#llx hw_err=%d native_err=%d "
	       "zc_err=%d feat=%#x feat_kernel=%#x sg=%d obj=%s\n",
	       xdp_prog_mode_str(pi->mode), pi->prog_name, pi->prog_id, pi->hw_bound, pi->hw_ts,
	       xi->zerocopy, xi->hugepages, pi->features_known,
	       (unsigned long long)pi->xdp_features, (unsigned long long)pi->rx_metadata_features,
	       pi->hw_err, pi->native_err, xi->zc_err, pi->feat, pi->feat_kernel, xi->sg,
	       pi->obj_path);
	printf("ready\n");
	fflush(stdout);

	deadline = now_s() + seconds;
	while (!stop && now_s() < deadline && (!want || total.frames < want)) {
		n = xsk_rx_peek(xsk, fr, BATCH);
		if (!n) {
			/* A test tool may sleep; capd's hot loop spins instead. */
			struct pollfd p = { .fd = xsk_rx_fd(xsk), .events = POLLIN };

			poll(&p, 1, 50);
			continue;
		}
		for (i = 0; i < n; i++) {
			uint32_t wire = xsk_rx_copy(xsk, &fr[i], buf, 65536);

			check_frame(buf, wire < 65536 ? wire : 65536, wire, &fr[i], po.capture_all);
		}
		xsk_rx_release(xsk);
	}

	for (i = 0; i <= MAX_FEEDS; i++) {
		struct feed_stats *fs = &fstats[i];
		char idx[16] = "none";

		if (i < MAX_FEEDS && i >= nfeeds)
			continue;
		if (i == MAX_FEEDS && !fs->frames)
			continue;
		if (i < MAX_FEEDS)
			snprintf(idx, sizeof(idx), "%u", i);
		printf("feed index=%s frames=%llu bytes=%llu maxlen=%llu multibuf=%llu vlan=%llu "
		       "seq_gaps=%llu seq_dups=%llu\n",
		       idx, (unsigned long long)fs->frames, (unsigned long long)fs->bytes,
		       (unsigned long long)fs->maxlen, (unsigned long long)fs->multibuf,
		       (unsigned long long)fs->vlan, (unsigned long long)fs->seq_gaps,
		       (unsigned long long)fs->seq_dups);
	}
	printf("total frames=%llu bad=%llu unexpected=%llu meta=%llu tai=%llu hw=%llu "
	       "hw_tried=%llu hw_err=%d incomplete=%llu\n",
	       (unsigned long long)total.frames, (unsigned long long)total.bad,
	       (unsigned long long)total.unexpected, (unsigned long long)total.meta,
	       (unsigned long long)total.tai, (unsigned long long)total.hw,
	       (unsigned long long)total.hw_tried, total.hw_err,
	       (unsigned long long)total.incomplete);
	if (total.first_bad[0])
		printf("first_bad %s\n", total.first_bad);
	if (!xdp_prog_counters(prog, xo.queue, &cnt)) {
		printf("xdp");
		for (i = 0; i < CAPD_CNT__MAX; i++)
			printf(" %s=%llu", capd_xdp_counter_name(i), (unsigned long long)cnt.c[i]);
		printf("\n");
	}
	if (!xsk_rx_stats(xsk, &st))
		printf("xsk rx_dropped=%llu rx_ring_full=%llu fill_empty=%llu invalid=%llu "
		       "frames=%llu bufs=%llu incomplete=%llu wakeups=%llu\n",
		       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
		       (unsigned long long)st.rx_fill_ring_empty,
		       (unsigned long long)st.rx_invalid_descs, (unsigned long long)st.frames,
		       (unsigned long long)st.bufs, (unsigned long long)st.incomplete,
		       (unsigned long long)st.wakeups);
	ret = 0;
out:
	xsk_rx_close(xsk);
	r = xdp_prog_close(prog);
	printf("detach=%s\n", r ? strerror(-r) : "ok");
	if (r)
		ret = 1;
	return ret;
}
