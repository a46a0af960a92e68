// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat - feed analysis, live from capd's rings (-i) or afterwards from
 * capture files (-r): per feed (group and port) rates, inter-arrival
 * times, microbursts; with a protocol (the feed table's, or --proto),
 * sequence gaps, duplicates, reordering, resets, session changes, and
 * app-to-wire latency where the protocol carries sender times; with --ab,
 * A/B line arbitration.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capstat.h"
#include "capstat_latency.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "filter.h"
#include "frame.h"
#include "json_out.h"
#include "log.h"
#include "readloop.h"
#include "readopt.h"

#define INTERVAL_DEFAULT 1.0
/*
 * How long after its end an interval stays open for packets stamped in it:
 * above the delay from the stamp to the reader (capd's batch, a merge of
 * rings, scheduling), below what a person watching calls late.
 */
#define GRACE_NS 100000000ull

/* Set by SIGINT, SIGTERM, SIGHUP (readopt_signals()). */
static const volatile sig_atomic_t *stop;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: capstat -i RING [-i RING...] | -r FILE [-r FILE...]\n"
		"               [--proto [FEED=]NAME ...] [--ab FEED_A=FEED_B ...]\n"
		"               [--exchange-tz [FEED=]ZONE ...] [--no-app2wire]\n"
		"               [--interval SEC] [--json] [--prom FILE] [--wide] [-c COUNT]\n"
		"               [--from newest|oldest] [-T SECONDS] [expression]\n"
		"  -i RING       ring name (under /dev/hugepages/capd) or path; several merge by "
		"time\n"
		"  -r FILE       read pcapng, pcapng.zst or pcap instead ('-' = standard input)\n"
		"  --proto NAME  sequence decoder: moldudp64, itch50 (ITCH 5.0 in MoldUDP64),\n"
		"                mdp3, pitch, seq:OFFSET:WIDTH:be|le or none;\n"
		"                FEED=NAME for one feed (a name or GROUP:PORT); overrides the\n"
		"                protocol the ring's (or file's) feed table names\n"
		"  --exchange-tz ZONE  time zone of ITCH and PITCH times of day "
		"(default " APP2WIRE_TZ_DEFAULT "),\n"
		"                FEED=ZONE for one feed\n"
		"  --no-app2wire no app-to-wire latency (packet time - sender time)\n"
		"  --ab A=B      arbitrate feeds A and B as the two lines of one stream\n"
		"  --latency-to INPUT  one-way latency from this input (point A) to a second\n"
		"                one (point B: a ring with -i, a file, directory or pattern with "
		"-r)\n"
		"  --latency-ifaces IFA=IFB  latency from interface IFA to IFB of the input\n"
		"  --interval SEC  report every SEC seconds (default 1), on whole multiples of\n"
		"                SEC of packet time; from files only when given\n"
		"  --json        one JSON object per feed and interval, then a summary object\n"
		"  --prom FILE   write Prometheus textfile-collector metrics to FILE\n"
		"  --wide        the table with every column (default: fits 120 columns)\n"
		"  -c COUNT      stop after COUNT packets\n"
		"  --from WHERE  where to start in the ring: newest (default) or oldest\n"
		"  -T SECONDS    start SECONDS back in time\n" READOPT_USAGE_RINGS
		"  -h, --help    print this help and exit\n"
		"  -V, --version print the version and exit\n"
		"  expression    pcap-filter(7): only matching packets are analysed\n");
}

static int parse_args(int argc, char **argv, struct capstat_opts *o)
{
	enum {
		OPT_PROTO = 256,
		OPT_AB,
		OPT_INTERVAL,
		OPT_JSON,
		OPT_PROM,
		OPT_WIDE,
		OPT_LATENCY_TO,
		OPT_LATENCY_IFACES,
		OPT_TZ,
		OPT_NO_A2W,
	};
	static const struct option longopts[] = {
		{ "exchange-tz", required_argument, NULL, OPT_TZ },
		{ "no-app2wire", no_argument, NULL, OPT_NO_A2W },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "ab", required_argument, NULL, OPT_AB },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "prom", required_argument, NULL, OPT_PROM },
		{ "wide", no_argument, NULL, OPT_WIDE },
		{ "latency-to", required_argument, NULL, OPT_LATENCY_TO },
		{ "latency-ifaces", required_argument, NULL, OPT_LATENCY_IFACES },
		READOPT_LONGOPTS,
	};
	char *end, err[128];
	int c, r;

	while ((c = getopt_long(argc, argv, "i:r:c:T:hVD" READOPT_REFUSED_OPTS, longopts, NULL)) !=
	       -1) {
		readopt_help_version(c, "capstat", usage);
		if (readopt_refused(c, "capstat") < 0)
			return -EINVAL;
		r = readopt_input_take(&o->in, c, optarg);
		if (r < 0) {
			readopt_input_bad("capstat", c, optarg);
			return -EINVAL;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_PROTO:
			if (capstat_add_proto(o, optarg) < 0) {
				pr_err("--proto: not "
				       "[FEED=]moldudp64|itch50|mdp3|pitch|seq:OFFSET:WIDTH:be|le|"
				       "none: "
				       "%s",
				       optarg);
				return -EINVAL;
			}
			break;
		case OPT_AB:
			if (capstat_add_pair(o, optarg) < 0) {
				pr_err("--ab: not FEED_A=FEED_B: %s", optarg);
				return -EINVAL;
			}
			break;
		case OPT_TZ:
			r = app2wire_add_tz(&o->a2w, optarg);
			if (r < 0) {
				pr_err("--exchange-tz: %s: %s", optarg,
				       r == -ENOENT ? "no such zone in the tz database (tzdata)"
						    : "not [FEED=]ZONE, e.g. America/New_York");
				return -EINVAL;
			}
			break;
		case OPT_NO_A2W:
			o->a2w.off = true;
			break;
		case OPT_INTERVAL:
			o->interval = strtod(optarg, &end);
			if (*end || !(o->interval >= 0.001 && o->interval <= 86400)) {
				readopt_bad_value("capstat", "--interval", optarg,
						  "give seconds from 0.001 to 86400");
				return -EINVAL;
			}
			o->interval_set = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PROM:
			o->prom = optarg;
			break;
		case OPT_WIDE:
			o->wide = true;
			break;
		case OPT_LATENCY_TO:
		case OPT_LATENCY_IFACES:
			if (capstat_latency_opt(o,
						c == OPT_LATENCY_TO ? CAPSTAT_LATENCY_TO
								    : CAPSTAT_LATENCY_IFACES,
						optarg) < 0) {
				readopt_bad_value(
					"capstat",
					c == OPT_LATENCY_TO ? "--latency-to" : "--latency-ifaces",
					optarg,
					c == OPT_LATENCY_TO ? "give a ring, file or pattern"
							    : "give IFACE_A=IFACE_B");
				return -EINVAL;
			}
			break;
		case 'c':
			if (!readopt_count(optarg, UINT64_MAX, &o->count) || !o->count) {
				readopt_bad_value("capstat", "-c", optarg,
						  "not a positive whole number");
				return -EINVAL;
			}
			break;
		default: /* getopt_long() named it */
			readopt_try_help("capstat");
			return -EINVAL;
		}
	}
	if (readopt_input_check(&o->in, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		return -EINVAL;
	}
	if (o->latency_to && o->latency_ifaces) {
		pr_err("--latency-to and --latency-ifaces: one or the other");
		return -EINVAL;
	}
	/* Rates and peaks need intervals even when only the summary is shown. */
	if (!o->interval_set)
		o->interval = INTERVAL_DEFAULT;
	/* Whole microseconds, so that intervals stay whole multiples. */
	o->interval = (double)(uint64_t)(o->interval * 1e6 + 0.5) / 1e6;
	o->expr = readopt_expr(argc, argv, optind);
	if (!o->expr)
		return -ENOMEM;
	return 0;
}

/*
 * The UDP payload as sent: frame_decode() counts to the end of the capture,
 * which includes Ethernet padding of short frames; the UDP length does not.
 */
static uint32_t udp_payload_len(const uint8_t *p, const struct frame_info *fi)
{
	uint32_t ulen = (uint32_t)p[fi->l4_off + 4] << 8 | p[fi->l4_off + 5];

	return ulen >= 8 && ulen - 8 < fi->payload_len ? ulen - 8 : fi->payload_len;
}

/* The interval of a packet stamped ts: 0 current, 1 next (advance()d to ts). */
static int interval_of(struct capstat *cs, uint64_t ts)
{
	if (!cs->iv_start)
		cs->iv_start = ts - ts % cs->iv_ns;
	if (ts < cs->iv_start) {
		/* Read after its interval was reported: counted in this one. */
		cs->late++;
		return 0;
	}
	return ts >= cs->iv_start + cs->iv_ns;
}

static void sequence(struct capstat *cs, struct capstat_feed *f, const uint8_t *p, uint32_t len,
		     uint64_t ts)
{
	struct seqdec_msg m;

	if (seqdec_decode(&f->dec, p, len, &m) != SEQDEC_OK) {
		f->undecodable++;
		return;
	}
	f->decoded++;
	if (m.send_ns)
		f->last_send_ns = m.send_ns;
	seqtrack_add(&f->st, &m);
	if (f->pair >= 0 && !(m.flags & SEQDEC_F_UNSEQUENCED))
		abarb_add(&cs->o.pairs[f->pair].ab, f->line, m.seq, m.count, ts);
	if (cs->lat)
		capstat_latency_msg(cs, f, &m, ts);
}

static void packet(struct capstat *cs, uint64_t ts, const uint8_t *p, uint32_t caplen,
		   uint32_t wirelen, const struct ring_feed *rf, const struct capfile *file,
		   struct filter *flt)
{
	struct frame_info fi;
	struct capstat_feed *f;
	unsigned int i;
	int next;

	cs->packets++;
	if (!cs->first_ts)
		cs->first_ts = ts;
	if (ts > cs->last_ts)
		cs->last_ts = ts;
	if (!filter_match(flt, p, caplen, wirelen)) {
		cs->filtered++;
		return;
	}
	if (frame_decode(p, caplen, &fi) < 0 || fi.proto != 17 || !fi.payload_off) {
		cs->not_udp++;
		return;
	}
	f = capstat_feed_get(cs, fi.family, fi.dst, fi.dport, rf, file);
	if (!f) {
		cs->untracked++;
		return;
	}
	next = interval_of(cs, ts);
	feedstat_add_iv(&f->fs, ts, wirelen, next);
	if (f->has_dec)
		sequence(cs, f, p + fi.payload_off, udp_payload_len(p, &fi), ts);
	if (f->a2w)
		app2wire_add(f->a2w, p + fi.payload_off, udp_payload_len(p, &fi), ts, next);
	for (i = 0; i < cs->o.npairs; i++)
		abarb_expire(&cs->o.pairs[i].ab, cs->last_ts);
}

/* The clock of every ring: how far its timestamps can be trusted. */
static void print_clock(const struct capstat *cs, struct ringsrc *src, FILE *f)
{
	struct ring_clock c;
	char line[2048];
	unsigned int i;

	for (i = 0; i < ringsrc_count(src); i++) {
		ringsrc_clock(src, i, &c);
		if (cs->o.json) {
			clock_text_json(line, sizeof(line), &c);
			fputs("{\"type\":\"clock\",\"ring\":", f);
			json_out_str(f, ringsrc_path(src, i));
			fprintf(f, ",\"clock\":%s}\n", line);
		} else {
			clock_text_describe(line, sizeof(line), &c);
			fprintf(f, "clock %s: %s\n", ringsrc_path(src, i), line);
		}
	}
}

/* Close the current interval: report it; the next one becomes current. */
static void end_interval(struct capstat *cs, struct ringsrc *src)
{
	double secs = (double)cs->iv_ns / 1e9;
	unsigned int i;
	int r;

	for (i = 0; i < cs->nfeeds; i++) {
		feedstat_interval(&cs->feeds[i]->fs, secs);
		if (cs->feeds[i]->a2w)
			app2wire_interval(cs->feeds[i]->a2w);
	}
	cs->iv_start += cs->iv_ns;
	cs->intervals++;
	/* From files, intervals are shown only when asked for. */
	if (cs->live || cs->o.interval_set) {
		capstat_print_interval(cs, stdout, cs->iv_start, secs);
		if (cs->lat) {
			char when[40];

			clock_text_utc(cs->iv_start, 9, when, sizeof(when));
			capstat_latency_print(cs, stdout, when, false);
		}
		if (src)
			print_clock(cs, src, stdout);
		fflush(stdout);
	}
	/* A file is written once, at the end: its intervals are past. */
	if (cs->o.prom && cs->live) {
		r = capstat_prom_write(cs, cs->o.prom);
		if (r < 0)
			pr_warn("%s: %s", cs->o.prom, strerror(-r));
	}
}

/* Close every interval that ended at least grace_ns before time t. */
static void advance(struct capstat *cs, struct ringsrc *src, uint64_t t)
{
	while (cs->iv_start && t >= cs->iv_start + cs->iv_ns + cs->grace_ns)
		end_interval(cs, src);
}

struct capstat_run {
	struct capstat *cs;
	struct filter *flt;
	struct ringsrc *src; /* NULL for files */
	bool checked;	     /* the --proto and --ab words against the input's names */
	bool bad_name;	     /* ... and one named no feed */
};

static bool has_words(const struct capstat_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->nprotos; i++)
		if (o->protos[i].feed)
			return true;
	for (i = 0; i < o->a2w.ntz; i++)
		if (o->a2w.tz[i].feed)
			return true;
	return o->npairs > 0;
}

/* The names of the rings' feed tables, of every ring read. */
static int check_ring_names(struct capstat_run *run)
{
	static struct capstat_known known[READOPT_MAX_INPUTS * RING_MAX_FEEDS];
	unsigned int i, j, n = 0;
	char err[1024];

	for (i = 0; i < ringsrc_count(run->src); i++) {
		const struct ring_feeds *rf = ringsrc_feeds(run->src, i);

		if (ringsrc_set_first(run->src, i) != i)
			continue; /* a set's members carry ring 0's feeds */
		for (j = 0; j < rf->nfeeds && j < RING_MAX_FEEDS; j++) {
			const struct ring_feed *fd = &rf->feeds[j];

			if (!fd->name[0] || !memchr(fd->name, '\0', sizeof(fd->name)))
				continue;
			known[n].name = fd->name;
			known[n].several =
				fd->prefix_len != (fd->family == 6 ? 128 : 32) || fd->nports != 1;
			n++;
		}
	}
	run->checked = true;
	if (capstat_names_check(&run->cs->o, known, n,
				ringsrc_count(run->src) == 1 ? ringsrc_path(run->src, 0)
							     : "the rings",
				err, sizeof(err)) < 0) {
		pr_err("%s", err);
		run->bad_name = true;
		return -ENOENT;
	}
	return 0;
}

/*
 * A file's names are those of its NRBs ahead of its first packet (capdump
 * writes them right after the interfaces, and names do not change in a
 * file), checked in the first file with a packet: later files are read
 * after the output has begun.  file NULL: there was no packet.
 */
static int check_file_names(struct capstat_run *run, const struct capfile *file)
{
	static struct capstat_known known[CAPFILE_NAMES_MAX];
	const struct capfile_name *nm = NULL;
	unsigned int i, n = 0;
	char err[1024], where[512];

	if (file)
		nm = capfile_names(file, &n);
	for (i = 0; i < n; i++)
		known[i] = (struct capstat_known){ .name = nm[i].name };
	if (file)
		snprintf(where, sizeof(where), "%s", capfile_path(file));
	else
		snprintf(where, sizeof(where), "%s (no packets)", run->cs->o.in.files[0]);
	run->checked = true;
	if (capstat_names_check(&run->cs->o, known, n, where, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		run->bad_name = true;
		return -ENOENT;
	}
	return 0;
}

static int on_packet(void *ctx, const struct readloop_pkt *p)
{
	struct capstat_run *run = ctx;
	struct capstat *cs = run->cs;

	if (p->file && !run->checked && check_file_names(run, p->file) < 0)
		return -ENOENT;
	cs->seen_ts = p->ts;
	advance(cs, run->src, p->ts);
	cs->lost += p->lost;
	capstat_wire_packet(cs, run->src, p);
	if (cs->lat)
		capstat_latency_packet(cs, p, run->src, stop);
	/* The frame as the switch received it (in.strip_wire): the filter,
	 * the feeds and their bytes see no stamp. */
	packet(cs, p->ts, p->orig, p->orig_caplen, p->orig_wirelen, p->feed, p->file, run->flt);
	return cs->o.count && cs->packets >= cs->o.count;
}

/*
 * Live, intervals also close on the wall clock, packets or not, once the
 * reader has caught up: a reader still reading packets older than the
 * grace leaves closing to packet time.
 */
static int on_tick(void *ctx, uint64_t now, bool idle)
{
	struct capstat_run *run = ctx;
	struct capstat *cs = run->cs;

	if (cs->lat && idle)
		capstat_latency_tick(cs, now, stop);
	if (!idle && now > cs->seen_ts + cs->grace_ns)
		return 0;
	if (!cs->iv_start)
		cs->iv_start = now - now % cs->iv_ns;
	advance(cs, run->src, now);
	return 0;
}

static int on_file(void *ctx, const struct capfile *f, bool end)
{
	struct capstat_run *run = ctx;

	(void)f;
	(void)end;
	if (run->cs->lat)
		capstat_latency_file(run->cs);
	return 0;
}

/* Each ring's reads, losses and lag at the end, by its name (a set's
 * members by their files' names), for the summary. */
static void rings_end(struct capstat *cs, const struct ringsrc *src)
{
	unsigned int i;

	cs->nrings = ringsrc_count(src) < RINGSRC_MAX ? ringsrc_count(src) : RINGSRC_MAX;
	for (i = 0; i < cs->nrings; i++) {
		const struct ring_reader *rd = ringsrc_reader(src, i);
		struct capstat_ring *cr = &cs->rings[i];
		uint64_t mine, last, end, tail, newest;

		snprintf(cr->name, sizeof(cr->name), "%s", ringsrc_name(src, i));
		cr->records = rd->records;
		cr->lost = rd->lost;
		ringsrc_position(src, i, &mine, &last);
		ringsrc_ring_end(src, i, &end, &tail, &newest);
		cr->behind_known = mine != RING_SEQ_UNKNOWN && end >= mine;
		cr->behind = cr->behind_known ? end - mine : 0;
	}
}

/* @return 0, -errno, or 2 when a --proto or --ab word names no feed. */
static int run(struct capstat *cs, struct filter *flt, int argc, char **argv)
{
	static const struct readloop_ops ops = { .packet = on_packet,
						 .tick = on_tick,
						 .file = on_file };
	struct capstat_run run = { .cs = cs, .flt = flt, .checked = !has_words(&cs->o) };
	struct readloop *rl;
	char err[512];
	int r;

	r = readloop_open(&rl, &cs->o.in, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return r;
	}
	run.src = readloop_rings(rl);
	if (capstat_wire_start(cs, rl) < 0) {
		readloop_close(rl);
		return -ENOMEM;
	}
	if (run.src && !run.checked && check_ring_names(&run) < 0) {
		readloop_close(rl);
		return 2;
	}
	if (readloop_announce(rl, "capstat", argc, argv, err, sizeof(err)) < 0)
		pr_warn("%s", err);
	/* Read from now on, the wall clock gives the first interval. */
	if (cs->live && cs->o.in.from != RING_SEEK_OLDEST && !(cs->o.in.back_secs > 0))
		on_tick(&run, clock_ns(CLOCK_REALTIME), true);
	r = readloop_run(rl, &ops, &run, stop, err, sizeof(err));
	if (r < 0 && err[0])
		pr_err("%s", err);
	if (r == 0 && !*stop && !run.checked)
		check_file_names(&run, NULL);
	if (run.bad_name) {
		readloop_close(rl);
		return 2;
	}
	if (run.src)
		rings_end(cs, run.src);
	if (cs->lat) {
		int rl2 = capstat_latency_end(cs, r == 0 && !*stop && !cs->live, stop, err,
					      sizeof(err));

		if (rl2 < 0) {
			pr_err("%s", err);
			r = r < 0 ? r : rl2;
		}
	}
	/* All read: what has ended is complete (files: packet time ended). */
	if (r == 0 && !*stop && cs->iv_start)
		advance(cs, run.src,
			cs->live ? clock_ns(CLOCK_REALTIME) + cs->grace_ns
				 : cs->iv_start + 2 * cs->iv_ns + cs->grace_ns);
	capstat_wire_end(cs);
	readloop_close(rl);
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	static struct capstat cs;
	struct filter *flt;
	char err[512];
	unsigned int i;
	int r;

	log_init("capstat", LOG_INFO);
	argv[0] = "capstat"; /* getopt's messages name the program, not its path */
	if (parse_args(argc, argv, &cs.o) < 0)
		return 2;
	stop = readopt_signals();
	cs.tty = isatty(STDOUT_FILENO);
	cs.live = cs.o.in.nrings > 0;
	cs.o.in.strip_wire = true; /* readloop_pkt.orig: no stamp in the frames */
	cs.iv_ns = (uint64_t)(cs.o.interval * 1e6 + 0.5) * 1000;
	cs.grace_ns = cs.iv_ns < GRACE_NS ? cs.iv_ns : GRACE_NS;
	r = filter_open(cs.o.expr, 1 /* Ethernet */, 65535, &flt, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return 2;
	}
	err[0] = '\0';
	r = capstat_latency_open(&cs, argc, argv, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		goto out;
	}
	if (err[0] && cs.lat)
		pr_warn("%s", err);
	r = run(&cs, flt, argc, argv);
	if (r == 2) /* a --proto or --ab word named no feed: no figures */
		goto out;
	/* What is still pending is decided with what was seen. */
	for (i = 0; i < cs.o.npairs; i++) {
		struct capstat_pair *p = &cs.o.pairs[i];
		int line;

		abarb_finish(&p->ab);
		for (line = ABARB_A; line <= ABARB_B; line++)
			if (p->feed[line] < 0)
				pr_warn("--ab %s: no packets of feed %s", p->name, p->spec[line]);
			else if (!cs.feeds[p->feed[line]]->has_dec)
				pr_warn("--ab %s: feed %s has no protocol (--proto, or proto in "
					"capd.conf)",
					p->name, p->spec[line]);
	}
	capstat_print_summary(&cs, stdout);
	fflush(stdout);
	if (cs.o.prom) {
		int rp = capstat_prom_write(&cs, cs.o.prom);

		if (rp < 0) {
			pr_err("%s: %s", cs.o.prom, strerror(-rp));
			r = rp;
		}
	}
out:
	capstat_latency_close(&cs);
	capstat_feeds_free(&cs);
	capstat_wire_free(&cs);
	filter_close(flt);
	free(cs.o.expr);
	readopt_input_free(&cs.o.in);
	return r == 2 ? 2 : r == -ESRCH ? 3 /* capd does not run the ring */ : r < 0 ? 1 : 0;
}
