// SPDX-License-Identifier: BSD-2-Clause
/*
 * capdump - record, filter and print what capd captured, with tcpdump's
 * habits: -i RING (several merge in timestamp order), -w FILE (.zst
 * compresses, - is standard output), -C/-G/-W rotation, -c count, a
 * pcap-filter expression; -r FILE reads capture files instead of rings.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capfile.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "dumpfile.h"
#include "filter.h"
#include "frame.h"
#include "log.h"
#include "pcapng_clock.h"
#include "readloop.h"
#include "readopt.h"
#include "resume.h"

#define CAPDUMP_VERSION	   "capdump " CAPD_VERSION
#define ZSTD_LEVEL_DEFAULT 1 /* fast: one core keeps up with several Gb/s */

struct opts {
	struct readopt_input in;
	const char *out;
	uint64_t rotate_bytes;
	uint64_t rotate_secs;
	unsigned int max_files;
	uint64_t count;
	int level;
	bool level_set;
	bool pcap;
	uint64_t start_ns, end_ns; /* -r time range, UTC; 0 = open */
	const char *resume;
	bool quiet;
	char *expr;
};

/* Totals, for the summary and the ISBs. */
struct tally {
	uint64_t seen, written, filtered, lost;
	uint64_t if_accept[DUMPFILE_MAX_IFACES];
	uint64_t if_written[DUMPFILE_MAX_IFACES];
	uint64_t if_lost[DUMPFILE_MAX_IFACES];
	uint64_t if_unsynced[DUMPFILE_MAX_IFACES]; /* written while unsynced */
};

struct capdump {
	struct opts o;
	struct readloop *rl;
	struct ringsrc *src; /* the rings read, NULL for files */
	struct filter *filter;
	struct dumpfile *df;
	struct tally t;
	bool multiqueue[DUMPFILE_MAX_IFACES]; /* epb_queue tells something */
	unsigned int nifaces;
	struct ring_queue_stats base[RINGSRC_MAX][RING_MAX_QUEUES]; /* counters at start */
	uint64_t next_seq[RINGSRC_MAX]; /* per ring: after the last record consumed */
	uint64_t pending_drop;		/* lost records not yet told in an EPB */
	int write_err;			/* the output's error, if it failed */
	uint64_t last_tick;		/* when dumpfile_tick() last ran */
	struct resume_state rs;
	uint64_t saved_packets;
	/* the clock option and comment of the IDB or ISB being written */
	struct pcapng_clock clock_opt;
	struct pcapng_custom clock_custom;
	char clock_comment[DUMPFILE_COMMENT_MAX];
};

/* Set by SIGINT, SIGTERM, SIGHUP (readopt_signals()). */
static const volatile sig_atomic_t *stop;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: capdump -i RING [-i RING...] [-w FILE|-] [-C MB] [-G SEC] [-W N] [-c "
		"COUNT]\n"
		"               [-z LEVEL] [-F pcapng|pcap] [--from newest|oldest] [-T SECONDS]\n"
		"               [--resume STATEFILE] [-q] [expression]\n"
		"       capdump -r FILE [-r FILE...] [-w FILE|-] [--start TIME] [--end TIME] "
		"[...]\n"
		"  -i RING    ring name (under /dev/hugepages/capd) or path; several merge by "
		"time\n"
		"  -r FILE    read pcapng, pcapng.zst or pcap instead ('-' = standard input)\n"
		"  -w FILE    write pcapng (.zst: zstd compressed; '-' = standard output);\n"
		"             without -w one line per packet is printed\n"
		"  -C MB      new file after MB million bytes of pcapng\n"
		"  -G SEC     new file every SEC seconds, aligned to the UTC clock;\n"
		"             FILE may hold strftime(3) conversions (UTC)\n"
		"  -W N       keep at most N files, removing the oldest\n"
		"  -c COUNT   stop after COUNT packets\n"
		"  -z LEVEL   zstd level (default %d; negative = faster)\n"
		"  -F pcap    write nanosecond pcap for tools that cannot read pcapng\n"
		"  --from     where to start in the ring: newest (default) or oldest\n"
		"  -T SECONDS start SECONDS back in time\n"
		"  --start/--end TIME  only packets in [start, end) (UTC, "
		"YYYY-mm-ddTHH:MM:SS[.ns]Z\n"
		"             or seconds since 1970)\n"
		"  --resume STATEFILE  continue exactly after the last record a previous run\n"
		"             wrote to disk\n"
		"  -q         no summary at exit\n"
		"  -V, --version  print the version and exit\n",
		ZSTD_LEVEL_DEFAULT);
}

/* "2026-11-21T20:13:16.5Z", "2026-11-21 20:13:16" or "1763756000.5" -> UTC ns. */
static int parse_time(const char *s, uint64_t *out)
{
	struct tm tm = { 0 };
	const char *rest;
	char *end;
	uint64_t frac = 0, scale = 100000000u, t;

	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (rest) {
		time_t secs = timegm(&tm);

		if (*rest == '.')
			for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
				frac += (uint64_t)(*rest - '0') * scale;
		if (*rest == 'Z')
			rest++;
		if (*rest || secs < 0)
			return -EINVAL;
		*out = (uint64_t)secs * 1000000000u + frac;
		return 0;
	}
	/* Seconds since 1970, with up to 9 decimals, exactly (no double). */
	errno = 0;
	t = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	rest = end;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (uint64_t)(*rest - '0') * scale;
	if (*rest)
		return -EINVAL;
	*out = t * 1000000000u + frac;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_RESUME = 256, OPT_START, OPT_END };
	static const struct option longopts[] = {
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		READOPT_LONGOPTS,
	};
	char *end, err[128];
	int c, r;

	o->level = ZSTD_LEVEL_DEFAULT;
	while ((c = getopt_long(argc, argv, "i:r:w:C:G:W:c:z:F:T:qhV", longopts, NULL)) != -1) {
		readopt_help_version(c, "capdump", usage);
		r = readopt_input_take(&o->in, c, optarg);
		if (r < 0)
			goto bad;
		if (r > 0)
			continue;
		switch (c) {
		case 'w':
			o->out = optarg;
			break;
		case 'C':
			o->rotate_bytes = strtoull(optarg, &end, 10) * 1000000u;
			if (*end || !o->rotate_bytes)
				goto bad;
			break;
		case 'G':
			o->rotate_secs = strtoull(optarg, &end, 10);
			if (*end || !o->rotate_secs)
				goto bad;
			break;
		case 'W':
			o->max_files = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !o->max_files)
				goto bad;
			break;
		case 'c':
			o->count = strtoull(optarg, &end, 10);
			if (*end || !o->count)
				goto bad;
			break;
		case 'z':
			o->level = (int)strtol(optarg, &end, 10);
			o->level_set = true;
			if (*end || o->level < -100 || o->level > 22)
				goto bad;
			break;
		case 'F':
			if (!strcmp(optarg, "pcap"))
				o->pcap = true;
			else if (strcmp(optarg, "pcapng"))
				goto bad;
			break;
		case OPT_RESUME:
			o->resume = optarg;
			break;
		case OPT_START:
		case OPT_END:
			if (parse_time(optarg, c == OPT_START ? &o->start_ns : &o->end_ns) < 0) {
				pr_err("%s: not a time: %s", c == OPT_START ? "--start" : "--end",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			goto bad;
		}
	}
	if (readopt_input_check(&o->in, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		return -EINVAL;
	}
	if ((o->rotate_bytes || o->rotate_secs || o->max_files || o->pcap) && !o->out) {
		pr_err("-C, -G, -W and -F need -w FILE");
		return -EINVAL;
	}
	if (o->resume && o->in.nfiles) {
		pr_err("--resume works on rings (-i)");
		return -EINVAL;
	}
	o->expr = readopt_expr(argc, argv, optind);
	return o->expr ? 0 : -ENOMEM;
bad:
	if (optarg)
		pr_err("bad option value: %s", optarg);
	usage(stderr);
	return -EINVAL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* pcapng epb_flags: inbound, and the reception type from the destination MAC. */
static uint32_t epb_flags(const uint8_t *p, uint32_t caplen)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (caplen < 6)
		return PCAPNG_EPB_INBOUND;
	if (!memcmp(p, bcast, 6))
		return PCAPNG_EPB_INBOUND | PCAPNG_EPB_BROADCAST;
	return PCAPNG_EPB_INBOUND | (p[0] & 1 ? PCAPNG_EPB_MULTICAST : PCAPNG_EPB_UNICAST);
}

/* The one-line form: time, addresses, ports, length, feed. */
static void print_packet(uint64_t ts, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
			 const char *feed, uint64_t lost)
{
	struct frame_info fi;
	char tbuf[40], a[64], b[64];

	if (lost)
		printf("-- %llu record%s lost here (reader too slow: ring overrun) --\n",
		       (unsigned long long)lost, lost == 1 ? "" : "s");
	printf("%s ", clock_text_utc(ts, 9, tbuf, sizeof(tbuf)));
	if (frame_decode(p, caplen, &fi) == 0) {
		frame_addr_str(fi.family, fi.src, fi.sport, a, sizeof(a));
		frame_addr_str(fi.family, fi.dst, fi.dport, b, sizeof(b));
		printf("%s > %s %s %u", a, b, fi.proto == 17 ? "UDP" : "IP", wirelen);
	} else {
		printf("ethertype 0x%04x %u", caplen >= 14 ? (unsigned)(p[12] << 8 | p[13]) : 0,
		       wirelen);
	}
	if (feed && *feed)
		printf(" %s", feed);
	putchar('\n');
}

/* The ring interface if_id of the output comes from. */
static unsigned int ring_of(const struct capdump *d, uint32_t if_id, uint16_t *iface)
{
	unsigned int ring;

	for (ring = ringsrc_count(d->src); ring-- > 0;)
		if (if_id >= readloop_if_base(d->rl, ring))
			break;
	*iface = (uint16_t)(if_id - readloop_if_base(d->rl, ring));
	return ring;
}

/*
 * The clock option and comment of interface if_id, from its ring's clock
 * page now: `when` names the moment ("began", "ended"); an ISB also tells
 * how many packets were stamped unsynced.
 */
static void clock_quality(struct capdump *d, uint32_t if_id, const char *when, bool isb,
			  const char **comment, const struct pcapng_custom **custom,
			  size_t *ncustom)
{
	static const char *const how_words[] = {
		[RING_UTC_AS_IS] = "left on TAI (no valid UTC offset known)",
		[RING_UTC_PTP] = "converted to UTC with the PTP UTC offset",
		[RING_UTC_ARB] = "UTC as the grandmaster keeps it (ARB timescale)",
		[RING_UTC_KERNEL] = "converted to UTC with the kernel's TAI offset",
	};
	const struct ring_stats *st;
	enum ring_utc_how how;
	struct ring_clock c;
	unsigned int ring;
	uint16_t iface;
	uint8_t src;
	int n;

	ring = ring_of(d, if_id, &iface);
	st = ringsrc_stats(d->src, ring);
	src = iface < st->niface && iface < RING_MAX_IFACES ? st->ifaces[iface].ts_source
							    : RING_TS_NONE;
	ringsrc_clock(d->src, ring, &c);
	ring_clock_to_utc_how(&c, src, clock_ns(CLOCK_TAI), &how);
	pcapng_clock_encode(&d->clock_opt, &c, src, how, isb ? d->t.if_unsynced[if_id] : 0);
	n = snprintf(d->clock_comment, sizeof(d->clock_comment), "clock when this file %s: ", when);
	n += clock_text_describe(d->clock_comment + n, sizeof(d->clock_comment) - (size_t)n, &c);
	if ((size_t)n < sizeof(d->clock_comment))
		n += snprintf(d->clock_comment + n, sizeof(d->clock_comment) - (size_t)n,
			      "; timestamps %s", how_words[how]);
	if (isb && (size_t)n < sizeof(d->clock_comment))
		snprintf(d->clock_comment + n, sizeof(d->clock_comment) - (size_t)n,
			 "; %llu packet(s) of this interface stamped while not synced since the "
			 "recording began",
			 (unsigned long long)d->t.if_unsynced[if_id]);
	d->clock_custom = (struct pcapng_custom){
		.code = PCAPNG_OPT_CUSTOM_BIN,
		.pen = PCAPNG_PEN,
		.data = &d->clock_opt,
		.len = sizeof(d->clock_opt),
	};
	*comment = d->clock_comment;
	*custom = &d->clock_custom;
	*ncustom = 1;
}

static void fill_idb(void *ctx, uint32_t if_id, struct pcapng_idb_info *idb)
{
	struct capdump *d = ctx;

	if (d->src)
		clock_quality(d, if_id, "began", false, &idb->comment, &idb->custom, &idb->ncustom);
}

/* ISB counters of interface if_id: since capdump started (see docs). */
static void fill_isb(void *ctx, uint32_t if_id, struct pcapng_isb_info *isb)
{
	struct capdump *d = ctx;
	uint64_t recv = 0, ifdrop = 0, osdrop = 0;
	const struct ring_stats *st;
	unsigned int ring, q;
	uint16_t iface;

	isb->filteraccept = d->t.if_accept[if_id];
	isb->usrdeliv = d->t.if_written[if_id];
	if (!d->src)
		return;
	ring = ring_of(d, if_id, &iface);
	st = ringsrc_stats(d->src, ring);
	for (q = 0; q < st->nqueue && q < RING_MAX_QUEUES; q++) {
		const struct ring_queue_stats *s = &st->queues[q], *b = &d->base[ring][q];

		if (s->iface != iface)
			continue;
		recv += (s->xdp_redirected + s->xdp_passed) - (b->xdp_redirected + b->xdp_passed);
		ifdrop += s->nic_dropped - b->nic_dropped;
		osdrop += (s->xsk_rx_dropped + s->xsk_rx_ring_full) -
			  (b->xsk_rx_dropped + b->xsk_rx_ring_full);
	}
	isb->ifrecv = recv;
	isb->ifdrop = ifdrop;
	/* Records this reader lost to ring overruns are the OS's drops too. */
	isb->osdrop = osdrop + d->t.if_lost[if_id];
	clock_quality(d, if_id, "ended", true, &isb->comment, &isb->custom, &isb->ncustom);
}

static void save_state(struct capdump *d, bool file_done)
{
	const char *tmp, *final;
	uint64_t off, pk;
	unsigned int i;
	int r;

	if (!d->o.resume)
		return;
	d->rs.part[0] = '\0';
	if (!file_done && d->df && dumpfile_safe_point(d->df, &tmp, &final, &off, &pk)) {
		snprintf(d->rs.part, sizeof(d->rs.part), "%s", tmp);
		snprintf(d->rs.final, sizeof(d->rs.final), "%s", final);
		d->rs.offset = off;
		d->rs.compressed = ends_with(d->o.out, ".zst");
	}
	d->rs.nrings = ringsrc_count(d->src);
	for (i = 0; i < d->rs.nrings; i++) {
		snprintf(d->rs.rings[i].path, sizeof(d->rs.rings[i].path), "%s",
			 ringsrc_path(d->src, i));
		d->rs.rings[i].next_seq = d->next_seq[i];
	}
	r = resume_save(d->o.resume, &d->rs);
	if (r < 0)
		pr_warn("%s: saving the resume state: %s", d->o.resume, strerror(-r));
}

static void on_file_closed(void *ctx, const char *path)
{
	struct capdump *d = ctx;

	/* Everything consumed so far is in a complete file now. */
	save_state(d, true);
	(void)path;
}

/* After a write or tick: if the output was flushed, the state follows. */
static void maybe_save_state(struct capdump *d)
{
	const char *tmp, *final;
	uint64_t off, pk;

	if (d->o.resume && d->df && dumpfile_safe_point(d->df, &tmp, &final, &off, &pk) &&
	    pk != d->saved_packets) {
		d->saved_packets = pk;
		save_state(d, false);
	}
}

static int open_output(struct capdump *d, struct dumpfile_iface *ifs, struct pcapng_nrb_rec *names,
		       unsigned int nnames)
{
	struct dumpfile_opts fo = {
		.pattern = d->o.out,
		.level = d->o.level,
		.compress = ends_with(d->o.out, ".zst"),
		.pcap = d->o.pcap,
		.rotate_bytes = d->o.rotate_bytes,
		.rotate_ns = d->o.rotate_secs * 1000000000u,
		.max_files = d->o.max_files,
		/* A resumed recording must not replace what the last run wrote. */
		.keep_existing = d->o.resume != NULL,
		.filter = d->o.expr,
		.userappl = CAPDUMP_VERSION,
		.ifaces = ifs,
		.nifaces = d->nifaces,
		.names = names,
		.nnames = nnames,
		.isb = fill_isb,
		.idb = fill_idb,
		.closed = on_file_closed,
		.ctx = d,
	};
	char err[512];
	int r;

	if (d->o.level_set && !fo.compress)
		pr_warn("-z applies to .zst files only");
	r = dumpfile_open(&fo, &d->df, err, sizeof(err));
	if (r < 0)
		pr_err("%s", err);
	return r;
}

/* One IDB per interface of every ring; NRB names from the feed tables. */
static int setup_ring_output(struct capdump *d)
{
	static struct dumpfile_iface ifs[DUMPFILE_MAX_IFACES];
	static struct pcapng_nrb_rec names[DUMPFILE_MAX_NAMES];
	unsigned int i, j, nnames = 0;

	for (i = 0; i < ringsrc_count(d->src); i++) {
		const struct ring_stats *st = ringsrc_stats(d->src, i);
		const struct ring_feeds *rf = ringsrc_feeds(d->src, i);
		unsigned int n = st->niface ? st->niface : 1;

		memcpy(d->base[i], st->queues, sizeof(d->base[i]));
		for (j = 0; j < n && d->nifaces < DUMPFILE_MAX_IFACES; j++) {
			struct dumpfile_iface *f = &ifs[d->nifaces++];

			snprintf(f->name, sizeof(f->name), "%s",
				 st->niface ? st->ifaces[j].name : "unknown");
			d->multiqueue[d->nifaces - 1] = st->niface && st->ifaces[j].nqueues > 1;
			if (st->niface)
				snprintf(f->hardware, sizeof(f->hardware), "%.*s",
					 (int)sizeof(st->ifaces[j].hardware),
					 st->ifaces[j].hardware);
			snprintf(f->description, sizeof(f->description), "capd ring %s",
				 ringsrc_path(d->src, i));
			f->snaplen = 65535;
		}
		for (j = 0; j < rf->nfeeds && j < RING_MAX_FEEDS && nnames < DUMPFILE_MAX_NAMES;
		     j++) {
			const struct ring_feed *fd = &rf->feeds[j];

			/* NRB names addresses: only a feed of one group has one. */
			if (fd->prefix_len != (fd->family == 6 ? 128 : 32))
				continue;
			names[nnames].family = fd->family == 6 ? AF_INET6 : AF_INET;
			memcpy(names[nnames].addr, fd->addr, 16);
			names[nnames].name = fd->name;
			nnames++;
		}
	}
	return d->o.out ? open_output(d, ifs, names, nnames) : 0;
}

/* Interfaces of files are known once their first packet came. */
static int open_file_output(struct capdump *d, const struct capfile *f)
{
	static struct dumpfile_iface ifs[DUMPFILE_MAX_IFACES];
	unsigned int k, n = capfile_nifaces(f);

	d->nifaces = n < DUMPFILE_MAX_IFACES ? n : DUMPFILE_MAX_IFACES;
	for (k = 0; k < d->nifaces; k++) {
		snprintf(ifs[k].name, sizeof(ifs[k].name), "%s", capfile_iface(f, k)->name);
		ifs[k].snaplen = capfile_iface(f, k)->snaplen;
	}
	return open_output(d, ifs, NULL, 0);
}

static int on_packet(void *ctx, const struct readloop_pkt *p)
{
	struct capdump *d = ctx;
	uint32_t if_id = p->if_id, queue = READLOOP_NO_QUEUE;
	bool known = if_id < DUMPFILE_MAX_IFACES;
	int r;

	if (p->file &&
	    ((d->o.start_ns && p->ts < d->o.start_ns) || (d->o.end_ns && p->ts >= d->o.end_ns)))
		return 0;
	if (p->file && !d->df && d->o.out) {
		r = open_file_output(d, p->file);
		if (r < 0)
			return r;
	}
	if (p->rec) {
		d->next_seq[p->rec->ring] = p->rec->seq + 1;
		if (known && d->multiqueue[if_id])
			queue = p->queue;
	}
	d->t.seen++;
	d->pending_drop += p->lost;
	d->t.lost += p->lost;
	if (known)
		d->t.if_lost[if_id] += p->lost;
	if (!filter_match(d->filter, p->data, p->caplen, p->wirelen)) {
		d->t.filtered++;
		goto done;
	}
	if (known)
		d->t.if_accept[if_id]++;
	if (d->df) {
		/* The loss is told where it happened: on the next packet written. */
		r = dumpfile_write(d->df, if_id, p->ts, p->data, p->caplen, p->wirelen,
				   p->epb_flags ? p->epb_flags : epb_flags(p->data, p->caplen),
				   d->pending_drop, queue);
		if (r < 0) {
			d->write_err = r;
			return r;
		}
	} else {
		print_packet(p->ts, p->data, p->caplen, p->wirelen, p->feed ? p->feed->name : NULL,
			     d->pending_drop);
	}
	d->pending_drop = 0;
	d->t.written++;
	if (known) {
		d->t.if_written[if_id]++;
		if (p->rec && (p->rec->flags & RING_REC_F_UNSYNCED))
			d->t.if_unsynced[if_id]++;
	}
done:
	maybe_save_state(d);
	return d->o.count && d->t.written >= d->o.count;
}

/* Idle or not, time rotation and the flush cadence go on. */
static int on_tick(void *ctx, uint64_t now, bool idle)
{
	struct capdump *d = ctx;
	int r;

	if (d->df && (idle || now - d->last_tick > 100000000u)) {
		d->last_tick = now;
		r = dumpfile_tick(d->df, now);
		if (r < 0)
			return r;
	}
	maybe_save_state(d);
	return 0;
}

static int resume_rings(struct capdump *d)
{
	char done[4096];
	unsigned int i, j;
	int r;

	r = resume_load(d->o.resume, &d->rs);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		pr_err("%s: %s", d->o.resume,
		       r == -EBADMSG ? "not a capdump state file" : strerror(-r));
		return r;
	}
	r = resume_finish_part(&d->rs, done, sizeof(done));
	if (r < 0) {
		pr_err("%s: finishing %s: %s", d->o.resume, d->rs.part, strerror(-r));
		return r;
	}
	if (done[0] && !d->o.quiet)
		fprintf(stderr, "capdump: %s completed up to its last flush\n", done);
	for (i = 0; i < ringsrc_count(d->src); i++)
		for (j = 0; j < d->rs.nrings; j++)
			if (!strcmp(d->rs.rings[j].path, ringsrc_path(d->src, i))) {
				r = ringsrc_seek_seq(d->src, i, d->rs.rings[j].next_seq);
				if (r < 0)
					return r;
				d->next_seq[i] = d->rs.rings[j].next_seq;
			}
	return 0;
}

/* Open the input; for rings, resume and start the output before the first record. */
static int open_input(struct capdump *d, int argc, char **argv)
{
	char err[512];
	int r;

	r = readloop_open(&d->rl, &d->o.in, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return r;
	}
	d->src = readloop_rings(d->rl);
	if (!d->src)
		return 0;
	if (d->o.resume) {
		r = resume_rings(d);
		if (r < 0)
			return r;
	}
	r = setup_ring_output(d);
	if (r < 0)
		return r;
	if (readloop_announce(d->rl, "capdump", argc, argv, err, sizeof(err)) < 0 && !d->o.quiet)
		pr_warn("%s", err);
	return 0;
}

static int run(struct capdump *d)
{
	static const struct readloop_ops ops = { .packet = on_packet, .tick = on_tick };
	char err[512];
	unsigned int i;
	int r;

	r = readloop_run(d->rl, &ops, d, stop, err, sizeof(err));
	if (r < 0 && err[0])
		pr_err("%s", err);
	for (i = 0; d->src && i < ringsrc_count(d->src); i++)
		if (ringsrc_reader(d->src, i)->laps && !d->o.quiet)
			pr_warn("%s: lapped %llu times: the reader was too slow for the ring",
				ringsrc_path(d->src, i),
				(unsigned long long)ringsrc_reader(d->src, i)->laps);
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	static struct capdump d;
	char err[512], last[PATH_MAX] = "";
	unsigned int nfiles = 0;
	int r, rc;

	log_init("capdump", LOG_INFO);
	if (parse_args(argc, argv, &d.o) < 0)
		return 2;
	stop = readopt_signals();
	if (d.o.out && !strcmp(d.o.out, "-") && isatty(STDOUT_FILENO)) {
		pr_err("-w -: standard output is a terminal; pipe it (| wireshark -k -i -)");
		return 2;
	}
	r = filter_open(d.o.expr, 1 /* Ethernet */, 65535, &d.filter, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return 2;
	}
	r = open_input(&d, argc, argv);
	if (r == 0)
		r = run(&d);
	/* What the summary tells of the output, before it is freed. */
	if (d.df) {
		snprintf(last, sizeof(last), "%s", dumpfile_current(d.df));
		nfiles = dumpfile_files(d.df);
	}
	rc = dumpfile_close(d.df);
	d.df = NULL;
	if (!r)
		r = rc;
	if (r == 0 && d.o.resume && d.src)
		save_state(&d, true);
	if (d.write_err)
		pr_err("%s: %s; the file is closed and holds everything up to its last flush", last,
		       strerror(-d.write_err));
	if (!d.o.quiet) {
		fflush(stdout);
		fprintf(stderr, "capdump: %llu packets written", (unsigned long long)d.t.written);
		if (nfiles)
			fprintf(stderr, " to %u file%s", nfiles, nfiles == 1 ? "" : "s");
		fprintf(stderr, ", %llu filtered out, %llu lost to ring overruns",
			(unsigned long long)d.t.filtered, (unsigned long long)d.t.lost);
		if (d.src) {
			uint64_t before = 0;
			unsigned int i, q;

			for (i = 0; i < ringsrc_count(d.src); i++) {
				const struct ring_stats *st = ringsrc_stats(d.src, i);

				for (q = 0; q < st->nqueue && q < RING_MAX_QUEUES; q++) {
					const struct ring_queue_stats *s = &st->queues[q];
					const struct ring_queue_stats *b = &d.base[i][q];

					before += ring_queue_dropped(s) - ring_queue_dropped(b);
				}
			}
			fprintf(stderr, ", %llu dropped before the ring (NIC/kernel)",
				(unsigned long long)before);
		}
		fputc('\n', stderr);
	}
	readloop_close(d.rl);
	filter_close(d.filter);
	free(d.o.expr);
	return r < 0 ? 1 : 0;
}
