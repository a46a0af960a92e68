// SPDX-License-Identifier: BSD-2-Clause
/*
 * xdp_gen - the lab's NIC-like traffic source: sequence-numbered UDP
 * datagrams to a multicast group, transmitted by an XDP program
 * (xdp_gen.bpf.c) that BPF_PROG_TEST_RUN runs in live-frames mode with the
 * interface as ingress device; XDP_TX sends each frame out of it through
 * ndo_xdp_xmit.  On a veth the peer receives page-backed xdp_frames, as
 * from a NIC's receive ring; datagrams from a socket arrive as kmalloc'd
 * skbs that the peer's native XDP path must first copy into a page.
 *
 *   xdp_gen -i IFNAME -g GROUP -p PORT [-n COUNT] [-s SIZE] [-r PPS] [-b BATCH]
 *
 * Same payload as tests/lab/mcast_send.c (8-byte big-endian sequence
 * number from 0, 8-byte big-endian send time in ns, then bytes
 * (seq + i) & 0xff); the time is bpf_ktime_get_tai_ns(), CLOCK_TAI, which
 * equals mcast_send's CLOCK_REALTIME while the kernel's TAI offset is 0.
 * Destination MAC from the group, source MAC and address from IFNAME,
 * TTL/hop limit 8.  UDP checksum: 0 (none) over IPv4, computed over IPv6.
 *
 * The kernel runs the program BATCH (default 64, at most 256) times, then
 * lets softirqs run (the peer's NAPI, on this CPU), and so on.  Without -r
 * every run sends a frame: as fast as the CPU goes.  With -r the program
 * sends only when a frame is due and returns XDP_DROP (a page recycled) in
 * between, so the test run spins and the CPU is busy at any rate: a test
 * run per chunk with sleeps between would cost a synchronize_rcu() (tens of
 * ms, in page_pool_destroy) per chunk.
 *
 * XDP_TX has no back-pressure: a frame the peer's ring has no room for is
 * dropped, and so is everything when the peer has no NAPI (a veth has it
 * only with an XDP program attached or GRO on).  So "sent N" counts what
 * the interface's ndo_xdp_xmit accepted (ethtool -S tx_queue_*_xdp_xmit);
 * drops are reported on stderr, and make the exit status 1 when nothing
 * went out at all.
 *
 * Run it in the namespace that owns IFNAME: the test run looks the ingress
 * interface up in the caller's network namespace.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/sockios.h>
#include <linux/udp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xdp_gen.h"

/* Linux 5.18; Debian 12's uapi headers are from 6.1 but may lag elsewhere. */
#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif
#define MAX_BATCH 256	     /* the kernel's TEST_XDP_MAX_BATCH */
#define MAX_RUN	  (1u << 30) /* frames per unpaced test run */
#define TTL	  8

#ifndef XDP_GEN_OBJ_BUILD
#define XDP_GEN_OBJ_BUILD "xdp_gen.bpf.o"
#endif

struct opts {
	const char *ifname;
	const char *group;
	unsigned int port;
	unsigned long long count;
	unsigned int size;
	uint64_t pps;
	unsigned int batch;
};

/* The frame: Ethernet, IPv4 or IPv6, UDP, payload. */
struct frame {
	uint8_t buf[ETH_HLEN + sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
		    XDP_GEN_MAX_PAYLOAD];
	unsigned int len;
	unsigned int udp_off;
	int ipv6;
	uint32_t pseudo_sum; /* addresses, length, protocol (IPv6) */
};

static void usage(void)
{
	fprintf(stderr, "usage: xdp_gen -i IFNAME -g GROUP -p PORT [-n COUNT] [-s SIZE] [-r PPS]\n"
			"               [-b BATCH]\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xdp_gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Ones' complement sum of len bytes as big-endian 16-bit words, unfolded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* ---- the interface ---------------------------------------------------------- */

static void if_mac(int fd, const char *ifname, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("%s: SIOCGIFHWADDR: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

static unsigned int if_mtu(int fd, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		die("%s: SIOCGIFMTU: %s", ifname, strerror(errno));
	return (unsigned int)ifr.ifr_mtu;
}

/*
 * A source address of the interface: IPv4, or IPv6 preferring a global one
 * over the link-local one every interface has, as the kernel's source
 * selection would for a group of wider scope.
 */
static void if_addr(const char *ifname, int family, void *addr)
{
	const struct in6_addr *a;
	struct ifaddrs *ifa, *i;
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		die("getifaddrs: %s", strerror(errno));
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, ifname))
			continue;
		if (family == AF_INET) {
			memcpy(addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			found = 1;
			break;
		}
		a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (!found || !IN6_IS_ADDR_LINKLOCAL(a)) {
			memcpy(addr, a, 16);
			found = 1;
			if (!IN6_IS_ADDR_LINKLOCAL(a))
				break;
		}
	}
	freeifaddrs(ifa);
	if (!found)
		die("%s has no %s address", ifname, family == AF_INET ? "IPv4" : "IPv6");
}

/*
 * Sum of the veth/driver counters NAME_xdp_xmit and NAME_xdp_xmit_errors
 * over all tx queues (ethtool -S); -1 when the driver has none.
 */
struct xmit_stats {
	long long xmit, errors;
};

static struct xmit_stats if_xmit_stats(int fd, const char *ifname)
{
	struct xmit_stats st = { -1, -1 };
	struct ethtool_sset_info *si;
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_stats *es = NULL;
	struct ifreq ifr = { 0 };
	unsigned int n, i;
	size_t l;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	si = calloc(1, sizeof(*si) + sizeof(__u32));
	if (!si)
		return st;
	si->cmd = ETHTOOL_GSSET_INFO;
	si->sset_mask = 1ull << ETH_SS_STATS;
	ifr.ifr_data = (void *)si;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 || !si->sset_mask)
		goto out;
	n = si->data[0];
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	es = calloc(1, sizeof(*es) + (size_t)n * sizeof(__u64));
	if (!gs || !es)
		goto out;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = n;
	ifr.ifr_data = (void *)gs;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	es->cmd = ETHTOOL_GSTATS;
	es->n_stats = n;
	ifr.ifr_data = (void *)es;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const char *name = (const char *)gs->data + (size_t)i * ETH_GSTRING_LEN;

		l = strnlen(name, ETH_GSTRING_LEN);
		if (strncmp(name, "tx_queue_", 9))
			continue;
		if (l >= 9 && !strncmp(name + l - 9, "_xdp_xmit", 9))
			st.xmit = (st.xmit < 0 ? 0 : st.xmit) + (long long)es->data[i];
		else if (l >= 16 && !strncmp(name + l - 16, "_xdp_xmit_errors", 16))
			st.errors = (st.errors < 0 ? 0 : st.errors) + (long long)es->data[i];
	}
out:
	free(es);
	free(gs);
	free(si);
	return st;
}

/* ---- the frame ---------------------------------------------------------------- */

static void build_frame(struct frame *f, const struct opts *o, int fd)
{
	struct ethhdr *eth = (struct ethhdr *)f->buf;
	struct udphdr *udp;
	struct in6_addr g6;
	struct in_addr g4;
	unsigned int l3_len;

	memset(f, 0, sizeof(*f));
	if_mac(fd, o->ifname, eth->h_source);
	if (inet_pton(AF_INET, o->group, &g4) == 1) {
		struct iphdr *ip = (struct iphdr *)(eth + 1);
		const uint8_t *d = (const uint8_t *)&g4;

		if ((d[0] & 0xf0) != 0xe0)
			die("%s is not an IPv4 multicast group", o->group);
		/* RFC 1112: 01:00:5e and the group's low 23 bits. */
		memcpy(eth->h_dest, (uint8_t[]){ 0x01, 0x00, 0x5e, d[1] & 0x7f, d[2], d[3] }, 6);
		eth->h_proto = htons(ETH_P_IP);
		l3_len = sizeof(*ip);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + o->size));
		ip->frag_off = htons(0x4000); /* DF, as the kernel sends UDP */
		ip->ttl = TTL;
		ip->protocol = IPPROTO_UDP;
		if_addr(o->ifname, AF_INET, &ip->saddr);
		ip->daddr = g4.s_addr;
		ip->check = htons((uint16_t)~csum_fold(csum_add(0, (uint8_t *)ip, sizeof(*ip))));
	} else if (inet_pton(AF_INET6, o->group, &g6) == 1) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(eth + 1);
		uint32_t ulen = (uint32_t)(sizeof(*udp) + o->size);

		if (g6.s6_addr[0] != 0xff)
			die("%s is not an IPv6 multicast group", o->group);
		/* RFC 2464: 33:33 and the group's low 32 bits. */
		memcpy(eth->h_dest,
		       (uint8_t[]){ 0x33, 0x33, g6.s6_addr[12], g6.s6_addr[13], g6.s6_addr[14],
				    g6.s6_addr[15] },
		       6);
		eth->h_proto = htons(ETH_P_IPV6);
		l3_len = sizeof(*ip6);
		ip6->version = 6;
		ip6->payload_len = htons((uint16_t)ulen);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = TTL;
		if_addr(o->ifname, AF_INET6, &ip6->saddr);
		ip6->daddr = g6;
		f->ipv6 = 1;
		/* RFC 8200 8.1 pseudo-header: addresses, upper-layer length, next header. */
		f->pseudo_sum = csum_add(0, (uint8_t *)&ip6->saddr, 32);
		f->pseudo_sum += (ulen >> 16) + (ulen & 0xffff) + IPPROTO_UDP;
	} else {
		die("'%s' is not an IPv4 or IPv6 address", o->group);
	}
	f->udp_off = ETH_HLEN + l3_len;
	udp = (struct udphdr *)(f->buf + f->udp_off);
	udp->source = htons((uint16_t)o->port); /* any will do (mcast_send's is random) */
	udp->dest = htons((uint16_t)o->port);
	udp->len = htons((uint16_t)(sizeof(*udp) + o->size));
	f->len = f->udp_off + (unsigned int)sizeof(*udp) + o->size;
}

/* ---- the program ------------------------------------------------------------- */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static struct bpf_map *internal_map(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *map;
	size_t l, sl = strlen(suffix);

	bpf_object__for_each_map (map, obj) {
		l = strlen(bpf_map__name(map));
		if (bpf_map__is_internal(map) && l >= sl &&
		    !strcmp(bpf_map__name(map) + l - sl, suffix))
			return map;
	}
	return NULL;
}

/* Open the object, fill .rodata and .data from the frame, load. */
static struct bpf_object *load_prog(const struct frame *f, const struct opts *o, int *prog_fd,
				    int *bss_fd)
{
	const char *path = getenv("XDP_GEN_OBJ") ? getenv("XDP_GEN_OBJ") : XDP_GEN_OBJ_BUILD;
	static struct xdp_gen_cfg cfg;
	static struct xdp_gen_data gd;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *m_ro, *m_data, *m_bss;
	uint8_t pay[XDP_GEN_MAX_PAYLOAD];
	unsigned int s, i;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("%s: %s (set XDP_GEN_OBJ)", path, strerror(errno));
	m_ro = internal_map(obj, ".rodata");
	m_data = internal_map(obj, ".data");
	m_bss = internal_map(obj, ".bss");
	/* Each section holds exactly one of our structures. */
	if (!m_ro || !m_data || !m_bss || bpf_map__value_size(m_ro) != sizeof(cfg) ||
	    bpf_map__value_size(m_data) != sizeof(gd) ||
	    bpf_map__value_size(m_bss) != sizeof(struct xdp_gen_state))
		die("%s: unexpected .rodata/.data/.bss layout", path);
	cfg.count = o->count;
	cfg.pps = o->pps;
	cfg.udp_off = f->udp_off;
	cfg.payload = o->size;
	cfg.udp_csum = (uint32_t)f->ipv6;
	for (i = 0; i < sizeof(gd.pattern); i++)
		gd.pattern[i] = (uint8_t)i;
	if (f->ipv6) {
		/* Everything but seq and time, which the program adds. */
		for (s = 0; s < 256; s++) {
			uint32_t sum = f->pseudo_sum;

			memset(pay, 0, XDP_GEN_HDR);
			for (i = XDP_GEN_HDR; i < o->size; i++)
				pay[i] = (uint8_t)(s + i);
			sum = csum_add(sum, f->buf + f->udp_off, sizeof(struct udphdr));
			cfg.csum_base[s] = csum_fold(csum_add(sum, pay, o->size));
		}
	}
	if (bpf_map__set_initial_value(m_ro, &cfg, sizeof(cfg)) ||
	    bpf_map__set_initial_value(m_data, &gd, sizeof(gd)))
		die("%s: cannot set .rodata/.data", path);
	prog = bpf_object__find_program_by_name(obj, XDP_GEN_PROG);
	if (!prog)
		die("%s: no program %s", path, XDP_GEN_PROG);
	err = bpf_object__load(obj);
	if (err)
		die("%s: load: %s", path, strerror(-err));
	*prog_fd = bpf_program__fd(prog);
	*bss_fd = bpf_map__fd(m_bss);
	return obj;
}

/* One live test run of up to n program runs, batch at a time; 0 or -errno. */
static int run(int prog_fd, const struct frame *f, struct xdp_md *ctx, uint32_t n,
	       unsigned int batch)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = f->buf, .data_size_in = f->len, .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx), .repeat = n, .batch_size = batch < n ? batch : n,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, );

	return bpf_prog_test_run_opts(prog_fd, &t) < 0 ? -errno : 0;
}

static uint64_t sent_so_far(int bss_fd)
{
	struct xdp_gen_state st;
	int zero = 0;

	if (bpf_map_lookup_elem(bss_fd, &zero, &st) < 0)
		die(".bss: %s", strerror(errno));
	return st.sent;
}

/*
 * A paced test run only ends by a signal (see xdp_gen.bpf.c): this thread
 * sends one, again and again until main() has seen it, once every frame is
 * out.
 */
struct watcher {
	pthread_t main;
	int bss_fd;
	uint64_t count;
	int stop;
};

static void on_signal(int sig)
{
	(void)sig;
}

static void *watch(void *arg)
{
	struct watcher *w = arg;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		usleep(1000);
		if (sent_so_far(w->bss_fd) >= w->count)
			pthread_kill(w->main, SIGUSR1);
	}
	return NULL;
}

static int do_send(const struct opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	struct watcher w = { .count = o->count };
	struct xmit_stats s0, s1;
	struct xdp_md ctx = { 0 };
	struct bpf_object *obj;
	struct frame *f;
	uint64_t done = 0, left;
	unsigned int ifindex;
	pthread_t tid;
	int fd, prog_fd, r;

	ifindex = if_nametoindex(o->ifname);
	if (!ifindex)
		die("no interface %s", o->ifname);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	f = malloc(sizeof(*f));
	if (!f)
		die("out of memory");
	build_frame(f, o, fd);
	if (f->len > ETH_HLEN + if_mtu(fd, o->ifname))
		die("a %u-byte frame does not fit %s's MTU", f->len, o->ifname);
	obj = load_prog(f, o, &prog_fd, &w.bss_fd);

	/* data_end must be the frame's length; data 0 = no metadata. */
	ctx.data_end = f->len;
	ctx.ingress_ifindex = ifindex;
	s0 = if_xmit_stats(fd, o->ifname);
	if (!o->pps) {
		/* Every program run sends: exactly as many runs as frames. */
		while (done < o->count) {
			left = o->count - done;
			r = run(prog_fd, f, &ctx, left < MAX_RUN ? (uint32_t)left : MAX_RUN,
				o->batch);
			if (r < 0)
				die("BPF_PROG_TEST_RUN: %s", strerror(-r));
			done = sent_so_far(w.bss_fd);
		}
	} else {
		sigaction(SIGUSR1, &sa, NULL);
		w.main = pthread_self();
		if (pthread_create(&tid, NULL, watch, &w))
			die("pthread_create failed");
		while (done < o->count) {
			r = run(prog_fd, f, &ctx, UINT32_MAX, o->batch);
			if (r < 0 && r != -EINTR)
				die("BPF_PROG_TEST_RUN: %s", strerror(-r));
			done = sent_so_far(w.bss_fd);
		}
		__atomic_store_n(&w.stop, 1, __ATOMIC_RELAXED);
		pthread_join(tid, NULL);
	}
	s1 = if_xmit_stats(fd, o->ifname);
	bpf_object__close(obj);
	close(fd);
	free(f);
	if (s0.xmit < 0 || s1.xmit < 0) {
		/* No counters to tell: report what the program handed over. */
		printf("sent %llu\n", (unsigned long long)done);
		return 0;
	}
	printf("sent %lld\n", s1.xmit - s0.xmit);
	if ((uint64_t)(s1.xmit - s0.xmit) == done)
		return 0;
	fprintf(stderr,
		"xdp_gen: %llu of %llu frames not transmitted by %s (xdp_xmit_errors +%lld)%s\n",
		(unsigned long long)(done - (uint64_t)(s1.xmit - s0.xmit)),
		(unsigned long long)done, o->ifname, s1.errors - s0.errors,
		s1.xmit == s0.xmit ? ": does the peer have NAPI (an XDP program or GRO on)?" : "");
	return s1.xmit == s0.xmit;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1000, .size = 100, .batch = 64 };
	int c;

	while ((c = getopt(argc, argv, "i:g:p:n:s:r:b:")) != -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'g':
			o.group = optarg;
			break;
		case 'p':
			o.port = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o.count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			o.size = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o.pps = strtoull(optarg, NULL, 0);
			break;
		case 'b':
			o.batch = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!o.ifname || !o.group || !o.port || o.port > 65535 || o.size < XDP_GEN_HDR ||
	    o.size > XDP_GEN_MAX_PAYLOAD || !o.batch || o.batch > MAX_BATCH || optind != argc)
		usage();
	libbpf_set_print(libbpf_print);
	return do_send(&o);
}
