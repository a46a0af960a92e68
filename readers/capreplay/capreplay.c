// SPDX-License-Identifier: BSD-2-Clause
/*
 * capreplay - send recorded feeds back onto a network with their timing.
 *
 * Two passes over the selection: the check pass reads all of it before
 * anything is sent (so a refusal comes before the first packet, and the
 * schedule knows the span), keeping it in memory if it fits; the send
 * pass replays it from there, or reads the files again.  See
 * capreplay(1) and docs/capreplay.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"
#include "dumpselect.h"
#include "filter.h"
#include "frame.h"
#include "log.h"
#include "netdev.h"
#include "readloop.h"
#include "readopt.h"
#include "ringlist.h"
#include "replay_map.h"
#include "replay_report.h"
#include "replay_run.h"
#include "replay_sched.h"
#include "replay_send.h"
#include "replay_store.h"
#include "replay_wait.h"

#ifndef CAPD_VERSION
#define CAPD_VERSION "dev"
#endif

#define PRELOAD_DEFAULT_MIB 1024u
#define START_LEAD_NS	    1000000ull /* from the decision to start to the first packet */
#define PRELOAD_MAX_MIB	    (1u << 20)

struct opts {
	struct readopt_input in;
	struct dumpselect sel;
	char *expr;
	const char *ifname;
	enum replay_mode mode;
	struct replay_map map;
	bool ttl_set;
	enum replay_pace pace;
	uint64_t speed_u, pps;
	uint64_t loops; /* 0: until stopped */
	uint64_t at_wall;
	uint64_t spin_ns;
	int cpu; /* -1: not pinned */
	uint64_t preload_max;
	uint64_t count;
	bool json, quiet, dry_run, force, no_loop;
};

/* One pass over the selection: the check pass, or a send pass reading the files. */
struct pass {
	const struct opts *o;
	uint64_t *start_at; /* per file: where its selected packets may start */
	struct filter *flt;
	bool checking;
	/* check pass */
	struct replay_store *store; /* NULL: not held (too big, or sending re-reads) */
	uint64_t n, first_ts, last_ts, bytes;
	uint64_t not_udp, truncated;
	uint8_t group4[4]; /* payload mode: the first IPv4 group sent to */
	bool group4_seen;
	char refused[384];
	/* send pass */
	struct replay_run *run;
	const struct replay_sched *sched;
	uint64_t loop, i;
};

static const volatile sig_atomic_t *stop;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: capreplay -r FILE|DIR|PATTERN [-r ...] -o IFNAME [options] [EXPRESSION]\n"
		"Send recorded packets back onto a network with their recorded timing.\n"
		"Input (as capdump -r reads it):\n"
		"  -r FILE|DIR|PATTERN  pcapng or pcap, plain or zstd, an archive, a glob\n"
		"  --start TIME, --end TIME  only packets in [start, end) (UTC:\n"
		"             2026-11-21T20:13:16.5Z, or seconds since 1970)\n"
		"  --feed NAME   only packets of feed NAME (repeatable)\n"
		"  --seq FEED:FROM-TO  only packets carrying messages FROM..TO of FEED\n"
		"  --wire-ts KIND  frames carry a switch's timestamp (metamako, exablaze,\n"
		"             arista64, arista48): packet time is that time\n"
		"  EXPRESSION a pcap-filter expression, as tcpdump's\n"
		"  -c COUNT   send at most COUNT packets in all\n"
		"Where:\n"
		"  -o IFNAME, --intf IFNAME  the interface to send on (required)\n"
		"  --frame    send whole frames (AF_PACKET, needs CAP_NET_RAW); default:\n"
		"             each UDP payload from a UDP socket (no privileges)\n"
		"  --map FROM=TO  GROUP[:PORT]=GROUP[:PORT] ([v6]:port); repeatable\n"
		"  --ttl N    TTL / hop limit 1..255 (payload mode default 1: stays on the\n"
		"             link; frame mode default: as recorded)\n"
		"  --smac MAC, --dmac MAC  frame mode: rewrite the MAC addresses\n"
		"  --no-loopback  payload mode: no copy to this host's own listeners\n"
		"  --allow-unicast  allow destinations and --map targets that are not multicast\n"
		"  --force    send on an interface a running capd captures from\n"
		"Timing:\n"
		"  (default)  the recorded timing, against absolute times (no drift)\n"
		"  --speed X  X times as fast (2 halves every gap)\n"
		"  --pps N    N packets per second, evenly\n"
		"  --topspeed as fast as possible\n"
		"  --loop N   N passes (0: until stopped)\n"
		"  --at TIME  start at wall-clock TIME (as --start, or +SECONDS)\n"
		"  --spin US  busy-wait the last US microseconds before each send (default\n"
		"             %llu; 0: sleep only, less accurate, no CPU spent waiting)\n"
		"  --cpu N    run on CPU N\n"
		"  --preload-max MIB  hold a selection of up to MIB in memory (default %u);\n"
		"             a larger one is read again while sending\n"
		"Output:\n"
		"  --json     the report as one JSON object (default: text) on stdout\n"
		"  -q         no start line on stderr\n"
		"  -n, --dry-run  check and report what would be sent; send nothing\n"
		"  -h, --help     print this help and exit\n"
		"  -V, --version  print the version and exit\n"
		"Exit: 0 all sent; 1 refused or an input error; 2 packets not sent (the report\n"
		"says why).\n",
		(unsigned long long)(REPLAY_WAIT_SPIN_DEFAULT / 1000), PRELOAD_DEFAULT_MIB);
}

enum {
	OPT_START = 0x100,
	OPT_END,
	OPT_FEED,
	OPT_SEQ,
	OPT_FRAME,
	OPT_MAP,
	OPT_TTL,
	OPT_SMAC,
	OPT_DMAC,
	OPT_NO_LOOPBACK,
	OPT_ALLOW_UNICAST,
	OPT_FORCE,
	OPT_SPEED,
	OPT_PPS,
	OPT_TOPSPEED,
	OPT_LOOP,
	OPT_AT,
	OPT_SPIN,
	OPT_CPU,
	OPT_PRELOAD,
	OPT_JSON,
};

/* "+SECONDS" from now, or a time as --start takes it. */
static int parse_at(const char *s, uint64_t *wall)
{
	uint64_t secs;

	if (*s == '+') {
		if (readopt_time(s + 1, &secs) < 0)
			return -EINVAL;
		*wall = clock_ns(CLOCK_REALTIME) + secs;
		return 0;
	}
	return readopt_time(s, wall);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "feed", required_argument, NULL, OPT_FEED },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "intf", required_argument, NULL, 'o' },
		{ "frame", no_argument, NULL, OPT_FRAME },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "smac", required_argument, NULL, OPT_SMAC },
		{ "dmac", required_argument, NULL, OPT_DMAC },
		{ "no-loopback", no_argument, NULL, OPT_NO_LOOPBACK },
		{ "allow-unicast", no_argument, NULL, OPT_ALLOW_UNICAST },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "pps", required_argument, NULL, OPT_PPS },
		{ "topspeed", no_argument, NULL, OPT_TOPSPEED },
		{ "loop", required_argument, NULL, OPT_LOOP },
		{ "at", required_argument, NULL, OPT_AT },
		{ "spin", required_argument, NULL, OPT_SPIN },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "preload-max", required_argument, NULL, OPT_PRELOAD },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dry-run", no_argument, NULL, 'n' },
		READOPT_LONGOPTS,
	};
	const char **maps = calloc((size_t)argc, sizeof(*maps));
	unsigned int nmaps = 0, paces = 0, i;
	char err[256];
	uint64_t v;
	int c, r;

	if (!maps)
		return -ENOMEM;
	o->mode = REPLAY_MODE_PAYLOAD;
	o->map.ttl = -1;
	o->pace = REPLAY_PACE_ORIG;
	o->speed_u = REPLAY_SPEED_UNIT;
	o->loops = 1;
	o->spin_ns = REPLAY_WAIT_SPIN_DEFAULT;
	o->cpu = -1;
	o->preload_max = (uint64_t)PRELOAD_DEFAULT_MIB << 20;
	while ((c = getopt_long(argc, argv, "+r:i:o:c:qnhV" READOPT_REFUSED_OPTS, longopts,
				NULL)) != -1) {
		readopt_help_version(c, "capreplay", usage);
		if (readopt_refused(c, "capreplay") < 0)
			goto bad;
		switch (c) {
		case 'i':
			pr_err("-i %s: capreplay replays files: record the ring with capdump, then "
			       "replay the file (-r)",
			       optarg);
			goto bad;
		case 'o':
			o->ifname = optarg;
			continue;
		case 'c':
			if (!readopt_count(optarg, UINT64_MAX, &o->count) || !o->count) {
				readopt_bad_value("capreplay", "-c", optarg,
						  "not a count of 1 or more");
				goto bad;
			}
			continue;
		case 'q':
			o->quiet = true;
			continue;
		case 'n':
			o->dry_run = true;
			continue;
		case OPT_START:
		case OPT_END:
			if (readopt_time(optarg,
					 c == OPT_START ? &o->sel.start_ns : &o->sel.end_ns) < 0) {
				readopt_bad_value("capreplay", c == OPT_START ? "--start" : "--end",
						  optarg,
						  "not a time (2026-11-21T20:13:16.5Z or seconds)");
				goto bad;
			}
			continue;
		case OPT_FEED:
		case OPT_SEQ:
			r = c == OPT_FEED ? dumpselect_take_feed(&o->sel, optarg, err, sizeof(err))
					  : dumpselect_take_seq(&o->sel, optarg, err, sizeof(err));
			if (r < 0) {
				pr_err("%s", err);
				goto bad;
			}
			continue;
		case OPT_FRAME:
			o->mode = REPLAY_MODE_FRAME;
			continue;
		case OPT_MAP:
			maps[nmaps++] = optarg; /* once --allow-unicast is known */
			continue;
		case OPT_TTL:
			if (!readopt_count(optarg, 255, &v) || !v) {
				readopt_bad_value("capreplay", "--ttl", optarg, "not 1..255");
				goto bad;
			}
			o->map.ttl = (int)v;
			o->ttl_set = true;
			continue;
		case OPT_SMAC:
		case OPT_DMAC:
			if (replay_map_parse_mac(optarg,
						 c == OPT_SMAC ? o->map.smac : o->map.dmac) < 0) {
				readopt_bad_value("capreplay", c == OPT_SMAC ? "--smac" : "--dmac",
						  optarg, "not a MAC address (aa:bb:cc:dd:ee:ff)");
				goto bad;
			}
			*(c == OPT_SMAC ? &o->map.set_smac : &o->map.set_dmac) = true;
			continue;
		case OPT_NO_LOOPBACK:
			o->no_loop = true;
			continue;
		case OPT_ALLOW_UNICAST:
			o->map.allow_unicast = true;
			continue;
		case OPT_FORCE:
			o->force = true;
			continue;
		case OPT_SPEED:
			if (replay_sched_parse_speed(optarg, &o->speed_u) < 0) {
				readopt_bad_value("capreplay", "--speed", optarg,
						  "not a multiple from 0.000001 to 1000000");
				goto bad;
			}
			o->pace = REPLAY_PACE_ORIG;
			paces++;
			continue;
		case OPT_PPS:
			if (!readopt_count(optarg, REPLAY_PPS_MAX, &o->pps) || !o->pps) {
				readopt_bad_value("capreplay", "--pps", optarg,
						  "not a rate from 1 to 100000000");
				goto bad;
			}
			o->pace = REPLAY_PACE_PPS;
			paces++;
			continue;
		case OPT_TOPSPEED:
			o->pace = REPLAY_PACE_TOP;
			paces++;
			continue;
		case OPT_LOOP:
			if (!readopt_count(optarg, UINT64_MAX, &o->loops)) {
				readopt_bad_value("capreplay", "--loop", optarg,
						  "not a count (0: until stopped)");
				goto bad;
			}
			continue;
		case OPT_AT:
			if (parse_at(optarg, &o->at_wall) < 0) {
				readopt_bad_value("capreplay", "--at", optarg,
						  "not a time (2026-11-21T20:13:16.5Z, seconds "
						  "since 1970, or +SECONDS)");
				goto bad;
			}
			continue;
		case OPT_SPIN:
			if (!readopt_count(optarg, REPLAY_WAIT_SPIN_MAX / 1000, &v)) {
				readopt_bad_value("capreplay", "--spin", optarg,
						  "not microseconds from 0 to 1000000");
				goto bad;
			}
			o->spin_ns = v * 1000;
			continue;
		case OPT_CPU:
			if (!readopt_count(optarg, CPU_SETSIZE - 1, &v)) {
				readopt_bad_value("capreplay", "--cpu", optarg, "not a CPU number");
				goto bad;
			}
			o->cpu = (int)v;
			continue;
		case OPT_PRELOAD:
			if (!readopt_count(optarg, PRELOAD_MAX_MIB, &v)) {
				readopt_bad_value("capreplay", "--preload-max", optarg,
						  "not MiB from 0 to 1048576");
				goto bad;
			}
			o->preload_max = v << 20;
			continue;
		case OPT_JSON:
			o->json = true;
			continue;
		case '?':
		case ':':
			readopt_try_help("capreplay");
			goto bad;
		}
		r = readopt_input_take(&o->in, c, optarg);
		if (r < 0) {
			readopt_input_bad("capreplay", c, optarg);
			goto bad;
		}
		if (!r) {
			readopt_try_help("capreplay");
			goto bad;
		}
	}
	for (i = 0; i < nmaps; i++)
		if (replay_map_add(&o->map, maps[i], err, sizeof(err)) < 0) {
			pr_err("%s", err);
			goto bad;
		}
	free(maps);
	maps = NULL;
	if (paces > 1) {
		pr_err("--speed, --pps and --topspeed: one at most");
		goto bad;
	}
	if (!o->ifname) {
		pr_err("no interface to send on: -o IFNAME");
		goto bad;
	}
	if (o->mode == REPLAY_MODE_PAYLOAD && (o->map.set_smac || o->map.set_dmac)) {
		pr_err("--smac and --dmac rewrite frames: they need --frame");
		goto bad;
	}
	if (o->sel.start_ns && o->sel.end_ns && o->sel.end_ns <= o->sel.start_ns) {
		pr_err("--end is not after --start: no packet could be sent");
		goto bad;
	}
	if (o->in.nrings || o->in.from_set || o->in.back_secs > 0 || o->in.wait) {
		pr_err("capreplay replays files (-r): --from, -T and --wait are for rings");
		goto bad;
	}
	if (readopt_input_check(&o->in, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		goto bad;
	}
	o->expr = readopt_expr(argc, argv, optind);
	if (!o->expr)
		return -ENOMEM;
	return 0;
bad:
	free(maps);
	return -EINVAL;
}

/* The frame as the switch received it (readloop_pkt.orig), with its time. */
static void pkt_of(const struct readloop_pkt *p, struct replay_pkt *rp)
{
	*rp = (struct replay_pkt){ p->ts, p->orig, p->orig_caplen, p->orig_wirelen };
}

/*
 * Check pass: whether packet rp (packet number n of the selection, 1-based)
 * may be sent; a refusal goes into pass->refused.
 */
static int check_packet(struct pass *ps, const struct readloop_pkt *p, const struct replay_pkt *rp)
{
	const struct opts *o = ps->o;
	struct frame_info fi;
	struct replay_dest d;
	char a[96];

	if (o->mode == REPLAY_MODE_FRAME) {
		if (!replay_map_frame_check(&o->map, rp->data, rp->caplen))
			return 0;
		if (frame_decode(rp->data, rp->caplen, &fi) == 0)
			frame_addr_str(fi.family, fi.dst, fi.dport, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "a non-IP destination");
	} else {
		if (frame_decode(rp->data, rp->caplen, &fi) < 0 || fi.proto != 17 ||
		    !fi.payload_off) {
			ps->not_udp++;
			return 0;
		}
		if (replay_map_dest(&o->map, &fi, &d) != -EDESTADDRREQ) {
			if (!ps->group4_seen && d.family == AF_INET &&
			    replay_map_is_multicast(AF_INET, d.addr)) {
				memcpy(ps->group4, d.addr, 4);
				ps->group4_seen = true;
			}
			return 0;
		}
		frame_addr_str(d.family, d.addr, d.port, a, sizeof(a));
	}
	snprintf(ps->refused, sizeof(ps->refused),
		 "%s: packet %llu goes to %s, which is not multicast (--allow-unicast sends it)",
		 p->file ? capfile_path(p->file) : "input", (unsigned long long)ps->n, a);
	return -EDESTADDRREQ;
}

static int on_packet(void *ctx, const struct readloop_pkt *p)
{
	struct pass *ps = ctx;
	struct replay_pkt rp;
	int r;

	if (!dumpselect_packet(&ps->o->sel, p) ||
	    !filter_match(ps->flt, p->orig, p->orig_caplen, p->orig_wirelen))
		return 0;
	pkt_of(p, &rp);
	if (!ps->checking) {
		r = replay_run_packet(ps->run, &rp,
				      replay_sched_offset(ps->sched, ps->loop, ps->i++, rp.ts));
		return r;
	}
	ps->n++;
	if (ps->n == 1)
		ps->first_ts = rp.ts;
	if (rp.ts > ps->last_ts)
		ps->last_ts = rp.ts;
	ps->bytes += rp.caplen;
	if (rp.caplen < rp.wirelen)
		ps->truncated++;
	r = check_packet(ps, p, &rp);
	if (r < 0)
		return r;
	if (ps->store && replay_store_add(ps->store, &rp) < 0) {
		replay_store_free(ps->store); /* too big: sending reads again */
		ps->store = NULL;
	}
	/* -c with one pass: the rest would not be sent */
	if (ps->o->count && ps->o->loops == 1 && ps->n >= ps->o->count)
		return 1;
	return readloop_stopped(stop) ? 1 : 0;
}

/* One pass over the files. @return 0, 1 stopped, or -errno (reported). */
static int read_pass(struct pass *ps)
{
	struct readloop_ops ops = { .packet = on_packet };
	struct readloop *rl;
	unsigned int i;
	char err[512];
	int r;

	if (!ps->o->in.nfiles) /* the indexes left every file out */
		return 0;
	err[0] = '\0';
	r = readloop_open(&rl, &ps->o->in, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return r;
	}
	for (i = 0; ps->start_at && i < ps->o->in.nfiles; i++)
		readloop_file_skip(rl, i, ps->start_at[i]);
	r = readloop_run(rl, &ops, ps, stop, err, sizeof(err));
	readloop_close(rl);
	if (r == -EDESTADDRREQ && ps->refused[0]) {
		pr_err("%s", ps->refused);
		return r;
	}
	if (r < 0) {
		if (err[0])
			pr_err("%s", err);
		return r;
	}
	return r;
}

/* The refusals that need no reading. @return 0, or -errno (reported). */
static int check_where(const struct opts *o, unsigned int *ifindex)
{
	char ring[128];
	uint32_t pid;
	int r;

	*ifindex = if_nametoindex(o->ifname);
	if (!*ifindex) {
		pr_err("-o %s: no such interface", o->ifname);
		return -ENODEV;
	}
	r = o->force ? 0 : ringlist_capturing(NULL, o->ifname, ring, sizeof(ring), &pid);
	if (r > 0) {
		pr_err("-o %s: capd (pid %u) captures this interface into ring %s: a replay "
		       "would be recorded as traffic (--force sends anyway)",
		       o->ifname, pid, ring);
		return -EBUSY;
	}
	return 0;
}

/*
 * Sending to a group out of an interface, Linux keeps the route only when
 * a route of /4 or longer covers the group; otherwise it makes one for
 * every datagram and frees it through RCU on the sending CPU, whose
 * ksoftirqd then holds the sender up for tenths of a millisecond at a
 * time.  One line when that is so (the first IPv4 group stands for all).
 */
static void check_route(const struct pass *ps, unsigned int ifindex)
{
	char a[INET_ADDRSTRLEN];
	unsigned int len;
	int r;

	if (ps->o->quiet || ps->o->mode != REPLAY_MODE_PAYLOAD || !ps->group4_seen)
		return;
	r = netdev_route_prefix4((int)ifindex, ps->group4, &len);
	if ((r == 0 && len >= 4) || (r < 0 && r != -EHOSTUNREACH && r != -ENETUNREACH))
		return;
	inet_ntop(AF_INET, ps->group4, a, sizeof(a));
	pr_warn("-o %s: no route of /4 or longer covers group %s, so each datagram gets a route "
		"made and freed for it on the sending CPU, which delays sends at high rates "
		"('ip route add 224.0.0.0/4 dev %s' avoids it)",
		ps->o->ifname, a, ps->o->ifname);
}

static bool quiet;

/* dumpselect_prune()'s line for a file read whole. */
static void prune_warn(const char *line)
{
	if (!quiet)
		pr_warn("%s", line);
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

/* The send passes. @return 0, or -errno of the input (reported). */
static int send_passes(struct pass *ps, struct replay_run *run, const struct replay_sched *sched,
		       struct replay_report *rep)
{
	const struct opts *o = ps->o;
	uint64_t loop, i, n;
	int r = 0;

	ps->checking = false;
	ps->run = run;
	ps->sched = sched;
	for (loop = 0; !o->loops || loop < o->loops; loop++) {
		uint64_t before = run->handled;

		ps->loop = loop;
		ps->i = 0;
		if (ps->store) {
			n = replay_store_count(ps->store);
			for (i = 0, r = 0; i < n && !r; i++) {
				struct replay_pkt rp;

				replay_store_get(ps->store, i, &rp);
				r = replay_run_packet(run, &rp,
						      replay_sched_offset(sched, loop, i, rp.ts));
			}
		} else {
			r = read_pass(ps);
		}
		/* a pass ends with its last packet even when -c ends the run there */
		if (r >= 0 && run->handled - before == ps->n)
			rep->loops_done++;
		if (r)
			break;
	}
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct replay_run run;
	struct pass ps = { .o = &o, .checking = true };
	struct replay_send_opts so = { 0 };
	struct replay_send *snd = NULL;
	struct replay_sched sched;
	struct replay_report rep;
	unsigned int ifindex;
	uint64_t base, cpu0, wall, lead;
	const char *mode;
	char err[512];
	int r, rc = 1;

	log_init("capreplay", LOG_INFO);
	argv[0] = "capreplay";
	if (parse_args(argc, argv, &o) < 0)
		return 1;
	mode = o.mode == REPLAY_MODE_FRAME ? "frame" : "payload";
	stop = readopt_signals();
	o.in.strip_wire = true; /* send frames as the switch received them */
	replay_report_init(&rep);
	rep.loops_asked = o.loops;
	if (filter_open(o.expr, 1 /* Ethernet */, 65535, &ps.flt, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		goto out;
	}
	if (check_where(&o, &ifindex) < 0)
		goto out;
	so = (struct replay_send_opts){
		.mode = o.mode,
		.ifindex = ifindex,
		.ttl = o.ttl_set ? o.map.ttl : 1,
		.no_loop = o.no_loop,
		.qdisc_bypass = o.pace == REPLAY_PACE_TOP,
	};
	if (!o.dry_run && replay_send_open(&snd, &so, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		goto out;
	}
	quiet = o.quiet;
	if (dumpselect_active(&o.sel))
		dumpselect_prune(&o.sel, &o.in, &ps.start_at, prune_warn);
	if (o.preload_max && replay_store_new(&ps.store, o.preload_max) < 0)
		ps.store = NULL;
	r = read_pass(&ps);
	if (r < 0)
		goto out;
	if (readloop_stopped(stop)) { /* nothing sent */
		rep.interrupted = true;
		rc = 0;
		goto report;
	}
	if (!ps.n) {
		pr_err("the selection holds no packet: nothing to send");
		goto out;
	}
	rep.selected = ps.n;
	check_route(&ps, ifindex);
	if (o.count && o.loops == 1 && ps.n > o.count)
		ps.n = o.count;
	r = replay_sched_init(&sched, o.pace, o.speed_u, o.pps, ps.first_ts, ps.last_ts, ps.n);
	if (r < 0) {
		pr_err("no schedule for %llu packets: %s", (unsigned long long)ps.n, strerror(-r));
		goto out;
	}
	if (!o.quiet)
		pr_info("%llu packets (%llu bytes) over %.6f s, %s mode on %s%s%s",
			(unsigned long long)ps.n, (unsigned long long)ps.bytes,
			(double)(ps.last_ts - ps.first_ts) / 1e9, mode, o.ifname,
			ps.store ? ", held in memory" : ", read again while sending",
			o.dry_run ? ": dry run, nothing sent" : "");
	if (o.dry_run) {
		rep.skipped[REPLAY_SKIP_NOT_UDP] = ps.not_udp;
		rep.skipped[REPLAY_SKIP_TRUNCATED] = ps.truncated;
		rc = 0;
		goto report;
	}
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			pr_err("--cpu %d: %s", o.cpu, strerror(errno));
			goto out;
		}
	}
	if (o.spin_ns)
		replay_wait_setup();
	/* The first packet is waited for as the others are: due at "now", it
	 * would be late by the time its own preparation takes. */
	wall = o.at_wall > START_LEAD_NS ? o.at_wall - START_LEAD_NS : 0;
	if (wall &&
	    replay_wait_wall(&(struct replay_wait){ .spin_ns = o.spin_ns }, wall, stop) < 0) {
		rep.interrupted = true; /* before the start: nothing sent */
		rc = 0;
		goto report;
	}
	cpu0 = cpu_ns();
	wall = clock_ns(CLOCK_REALTIME);
	base = replay_wait_now();
	lead = o.at_wall ? (o.at_wall > wall ? o.at_wall - wall : 0) : START_LEAD_NS;
	base += lead;
	rep.start_wall = wall + lead;
	replay_run_init(&run,
			&(struct replay_run_opts){ .mode = o.mode,
						   .map = &o.map,
						   .send = snd,
						   .spin_ns = o.spin_ns,
						   .limit = o.count,
						   .stop = stop },
			&rep, base);
	r = send_passes(&ps, &run, &sched, &rep);
	replay_run_finish(&run);
	rep.cpu_ns = cpu_ns() - cpu0;
	rep.interrupted = readloop_stopped(stop);
	if (r < 0)
		goto report; /* the input broke: said, rc 1 */
	rc = replay_report_errors(&rep) || rep.skipped[REPLAY_SKIP_TRUNCATED] ||
			     rep.skipped[REPLAY_SKIP_TOO_BIG]
		     ? 2
		     : 0;
report:
	if (o.json)
		replay_report_json(stdout, &rep, mode, o.ifname);
	else
		replay_report_text(stdout, &rep, mode, o.ifname);
	fflush(stdout);
out:
	replay_send_close(snd);
	replay_store_free(ps.store);
	free(ps.start_at);
	filter_close(ps.flt);
	free(o.expr);
	readopt_input_free(&o.in);
	return rc;
}
