// SPDX-License-Identifier: BSD-2-Clause
/*
 * capdump - record, filter and print what capd captured, with tcpdump's
 * habits: -i RING (several merge in timestamp order), -w FILE (.zst
 * compresses, - is standard output), -C/-G/-W rotation, -c count, a
 * pcap-filter expression; -r FILE reads capture files instead of rings.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stddef.h>
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
#include "capindex.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "delivery.h"
#include "dumpfile.h"
#include "dumpindex.h"
#include "dumplist.h"
#include "dumpselect.h"
#include "filter.h"
#include "fname.h"
#include "log.h"
#include "pcapng_clock.h"
#include "pcapng_wirets.h"
#include "pcapng_feed.h"
#include "readloop.h"
#include "reader_status.h"
#include "readopt.h"
#include "resume.h"
#include "retain.h"
#include "retain_prom.h"
#include "textout.h"
#include "units.h"
#include "zout.h"

#define CAPDUMP_VERSION	   "capdump " CAPD_VERSION
#define ZSTD_LEVEL_DEFAULT 1 /* fast: one core keeps up with several Gb/s */
/* --zstd-threads: by default one per CPU capdump may run on, up to this */
#define ZSTD_THREADS_DEFAULT_MAX 8
#define SNAPLEN_DEFAULT		 65535
#define SNAPLEN_MAX		 262144 /* tcpdump's -s 0 */
#define CAPDUMP_LINKTYPES	 16	/* link types among the files read in one run */
/* Packets (or text lines) in flight to a pipe: more waits for a flush. */
#define DELIVERY_RING 65536
/* --resume: the state follows the flushes at most this often (each save is
 * an fsync; a state that lags only makes a restart read more again) */
#define RESUME_SAVE_NS 100000000u
/* --min-free: how often free space is looked at between rotations */
#define RETAIN_CHECK_NS 5000000000ull

struct opts {
	struct readopt_input in;
	const char *out;
	uint64_t rotate_bytes;
	uint64_t rotate_secs;
	unsigned int max_files;
	uint64_t count;
	int level;
	bool level_set;
	unsigned int zthreads; /* --zstd-threads: zstd's worker threads (zout.h), <= 1 = none */
	bool zthreads_set;
	bool pcap;	    /* nanosecond pcap: -F pcap or a .pcap name */
	bool compress;	    /* zstd: a .zst name */
	const char *format; /* -F as given, or NULL */
	uint32_t snaplen;   /* -s: bytes of each packet written at most */
	bool snaplen_set;
	bool packet_flush;     /* -U */
	struct dumpselect sel; /* --start, --end, --feed, --seq */
	const char *resume;
	bool no_index;		 /* --no-index: no FILE.idx beside the files written */
	bool strip_ts;		 /* --strip-timestamp: frames without a switch's stamp */
	struct retain_opts keep; /* --archive-size, --min-free (retain.h) */
	const char *prom;	 /* --prom: the archive's metrics */
	bool quiet;
	char *expr;
	struct textout_opts text;
};

/* One queue's ISB figures, as capd counts them (docs/architecture.md). */
struct qcount {
	uint16_t iface;
	uint64_t recv, ifdrop, osdrop;
};

/*
 * The ISB counters of one ring since capdump started, across its writer's
 * generations: capd counts from zero at every start (it zeroes the
 * counters, then increments the generation).  When a new generation shows,
 * or counters go down, what the last one had counted since `base` is
 * folded into the per-interface totals and counting starts again from 0.
 */
struct ring_counts {
	uint32_t gen; /* of last */
	bool ahead;   /* folded on counters going down, before gen changed */
	unsigned int nqueue;
	struct qcount last[RING_MAX_QUEUES]; /* at the last look */
	struct qcount base[RING_MAX_QUEUES]; /* when counting began: at start, or 0 */
	uint64_t recv[RING_MAX_IFACES], ifdrop[RING_MAX_IFACES], osdrop[RING_MAX_IFACES];
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
	struct dumpindex *ix;		/* NULL: no index written */
	struct capindex_build_pkt ipkt; /* index_packet()'s, off the stack */
	struct retain *ret;		/* NULL: no --archive-size, --min-free nor --prom */
	uint64_t last_short;		/* when on_tick() last looked at the free space */
	struct tally t;
	bool multiqueue[DUMPFILE_MAX_IFACES]; /* epb_queue tells something */
	unsigned int nifaces;
	struct ring_counts counts[RINGSRC_MAX];
	uint64_t pending_drop; /* lost records not yet told in an EPB */
	int write_err;	       /* the output's error, if it failed */
	uint64_t last_tick;    /* when dumpfile_tick() last ran */
	struct resume_state rs;
	struct resume_track track; /* ring positions by packets written */
	uint64_t saved_packets, saved_offset, last_save;
	/* Packets a short file lost (resume_finish_part()), told in the
	 * epb_dropcount of the packet numbered carry_mark: kept in the state
	 * until that packet is safe. */
	uint64_t carry_lost, carry_mark;
	/* the clock option and comment of the IDB or ISB being written */
	struct pcapng_clock clock_opt;
	struct pcapng_custom clock_custom;
	/* an IDB's custom options: the clock's, the stamp its frames carry */
	struct pcapng_wirets_if wire_if_opt;
	struct pcapng_custom idb_custom[2];
	/* a packet's options: the file's and the host's stamp (pcapng_wirets.h) */
	uint8_t *epb_opts;
	size_t epb_opts_cap;
	char clock_comment[DUMPFILE_COMMENT_MAX];
	/* What reached the reader: of the text lines (stdout), of -w written in place. */
	struct delivery text, piped;
	bool piping; /* piped counts */
	/* The file being read (-r): its interfaces (capfile_iface() numbers)
	 * mapped so far, as output interfaces, and the filter for each. */
	unsigned int fmapped;
	uint32_t fmap[DUMPFILE_MAX_IFACES];
	struct filter *fflt[DUMPFILE_MAX_IFACES];
	bool fsecs[DUMPFILE_MAX_IFACES]; /* if_tsresol 0 (seconds): written in ns */
	/* The filter compiled for each link type met in files. */
	struct {
		uint16_t linktype;
		struct filter *f;
	} lt_filter[CAPDUMP_LINKTYPES];
	unsigned int nlt_filter;
	char fcomment[DUMPFILE_COMMENT_MAX]; /* an IDB's comment: the filter applied */
	/* The rings' feed tables, for the NRB of every file (pcapng_feed.h). */
	struct pcapng_feed feed_opt[DUMPFILE_MAX_FEEDS];
	struct pcapng_custom feed_custom[DUMPFILE_MAX_FEEDS];
	unsigned int nfeeds;
	/* A selective read (dumpselect_active()): the file being read has
	 * written a packet (fcontrib); until then its blocks are held. */
	bool selective, fcontrib;
	struct held_block *held;
	size_t nheld, held_cap, held_bytes;
	unsigned int files_total; /* -r: files named, before the indexes skipped some */
	uint64_t *start_at;	  /* -r with --start: per file read, where its packets may start */
};

/* Blocks of a file held until it contributes a packet (a selective read). */
#define HELD_BYTES_MAX (64u << 20)
struct held_block {
	uint8_t kind; /* enum capfile_kind */
	uint32_t if_id;
	uint32_t len;
	uint8_t *data;
};

/* Set by SIGINT, SIGTERM, SIGHUP (readopt_signals()). */
static const volatile sig_atomic_t *stop;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: capdump -i RING [-i RING...] [-w FILE|-] [-C MB] [-G SEC] [-W N] [-c "
		"COUNT]\n"
		"               [-s SNAPLEN] [-U] [-z LEVEL] [-F pcapng|pcap] [--from "
		"newest|oldest]\n"
		"               [-T SECONDS] [--resume STATEFILE] [-q] [expression]\n"
		"       capdump -r FILE [-r FILE...] [-w FILE|-] [--start TIME] [--end TIME] "
		"[...]\n"
		"  -i RING    ring name (under /dev/hugepages/capd) or path; several merge by "
		"time\n"
		"  -r FILE    read pcapng, pcap, or either zstd-compressed ('-' = standard input)\n"
		"  -w FILE    write a capture file ('-' = standard output); without -w one line\n"
		"             per packet is printed.  The name says the format: .pcap nanosecond\n"
		"             pcap, .pcapng (or anything else) pcapng, a further .zst zstd\n"
		"             (x.pcapng.zst, x.pcap.zst); .gz, .xz, .bz2... are refused\n"
		"  -F FORMAT  pcapng or pcap, for names that do not say it (-w -, x.zst)\n"
		"  -C MB      new file after MB million bytes\n"
		"  -G SEC     new file every SEC seconds, aligned to the UTC clock;\n"
		"             FILE may hold strftime(3) conversions (UTC)\n"
		"  -W N       with -C or -G: keep at most N files, removing the oldest\n"
		"  -c COUNT   stop after COUNT packets\n"
		"  -s SNAPLEN write at most SNAPLEN bytes of each packet (0 = %u)\n"
		"  -U         packet-buffered: each packet reaches -w (or the terminal, the pipe)\n"
		"             as it is written, e.g. -U -w - | wireshark -k -i -\n"
		"  -z LEVEL   zstd level (default %d; negative = faster)\n"
		"  --zstd-threads N  compress on N threads (default: one per CPU capdump may\n"
		"             run on, at most %d; 0 or 1 = on one thread)\n"
		"  --from WHERE  where to start in the ring: newest (default) or oldest\n"
		"  -T SECONDS start SECONDS back in time\n" READOPT_USAGE_RINGS
		"  --start TIME, --end TIME  -r: only packets in [start, end) (UTC,\n"
		"             YYYY-mm-ddTHH:MM:SS[.ns]Z or seconds since 1970)\n"
		"  --feed NAME  only packets of feed NAME (repeat for more)\n"
		"  --seq FEED:FROM-TO  only packets of FEED carrying messages FROM..TO\n"
		"             -r FILE may be a directory (an archive) or a pattern ('x/*.zst'):\n"
		"             with --start/--end/--feed/--seq, files whose index shows no\n"
		"             such packet are not read\n"
		"  --resume STATEFILE  continue exactly after the last record a previous run\n"
		"             wrote to disk\n"
		"  --no-index write no FILE.idx beside each file closed\n"
		"  --strip-timestamp  write frames without the timestamp trailer or header\n"
		"             a switch added (the original frames); the time stays the wire's\n"
		"  --archive-size SIZE  with -C or -G: remove the oldest files of -w's\n"
		"             directory (and their indexes) while they exceed SIZE (K, M, G, T)\n"
		"  --min-free SIZE|N%%  with -C or -G: the same while the filesystem of -w\n"
		"             has less free space than SIZE, or N%% of its size\n"
		"  --prom FILE  write the archive's size, span and removals as Prometheus\n"
		"             textfile-collector metrics after each rotation\n"
		"  --index [--force] FILE|DIR...  check the indexes of closed files, write\n"
		"             those missing or not trusted (--force: all); must come first\n"
		"  --list [--json] [--start T] [--end T] [--hole SEC] PATH...  list files,\n"
		"             directories or patterns from their indexes: spans, packets,\n"
		"             drops, feeds' sequence ranges and gaps, holes; must come first\n"
		"  -q         no summary at exit\n"
		"  -K         accepted: checksums are never verified\n"
		"  -h, --help     print this help and exit\n"
		"  -V, --version  print the version and exit\n",
		SNAPLEN_MAX, ZSTD_LEVEL_DEFAULT, ZSTD_THREADS_DEFAULT_MAX);
	fputs(TEXTOUT_USAGE, f);
}

/* A positive decimal number (no sign, no junk) up to max. */
/*
 * The output's format from -w's name and -F (fname.h): a name that says a
 * format gets it, -F may only agree with it; a compression capdump does not
 * write is refused rather than written as something else.
 */
static int choose_format(struct opts *o)
{
	static const char *const names[] = {
		[FNAME_FORMAT_PCAPNG] = "pcapng", [FNAME_FORMAT_PCAP] = "pcap"
	};
	struct fname_kind k;

	fname_kind(o->out, &k);
	if (k.refused) {
		pr_err("-w %s: capdump does not write %s files; name it .zst for zstd (read by "
		       "tshark, Wireshark and capdump -r), or pipe -w - into the compressor",
		       o->out, k.refused);
		return -EINVAL;
	}
	if (o->format && k.format != FNAME_FORMAT_NONE && strcmp(o->format, names[k.format])) {
		pr_err("-F %s contradicts -w %s, a %s name: make them agree", o->format, o->out,
		       names[k.format]);
		return -EINVAL;
	}
	o->compress = k.zstd;
	o->pcap = k.format == FNAME_FORMAT_PCAP || (o->format && !strcmp(o->format, "pcap"));
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		OPT_RESUME = 256,
		OPT_START,
		OPT_END,
		OPT_NO_INDEX,
		OPT_FEED,
		OPT_SEQ,
		OPT_ARCHIVE_SIZE,
		OPT_MIN_FREE,
		OPT_PROM,
		OPT_ZSTD_THREADS,
		OPT_STRIP_TS
	};
	static const struct option longopts[] = {
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "no-index", no_argument, NULL, OPT_NO_INDEX },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "feed", required_argument, NULL, OPT_FEED },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "archive-size", required_argument, NULL, OPT_ARCHIVE_SIZE },
		{ "min-free", required_argument, NULL, OPT_MIN_FREE },
		{ "prom", required_argument, NULL, OPT_PROM },
		{ "zstd-threads", required_argument, NULL, OPT_ZSTD_THREADS },
		{ "strip-timestamp", no_argument, NULL, OPT_STRIP_TS },
		TEXTOUT_LONGOPTS,
		READOPT_LONGOPTS,
	};
	char *end, err[256];
	uint64_t v;
	int c, r;

	o->level = ZSTD_LEVEL_DEFAULT;
	o->snaplen = SNAPLEN_DEFAULT;
	while ((c = getopt_long(
			argc, argv,
			"i:r:w:C:G:W:c:z:F:T:s:UKqhVD" TEXTOUT_OPTSTRING READOPT_REFUSED_OPTS,
			longopts, NULL)) != -1) {
		readopt_help_version(c, "capdump", usage);
		if (readopt_refused(c, "capdump") < 0)
			return -EINVAL;
		r = readopt_input_take(&o->in, c, optarg);
		if (r < 0) {
			readopt_input_bad("capdump", c, optarg);
			return -EINVAL;
		}
		if (r > 0)
			continue;
		r = textout_take(&o->text, c, optarg);
		if (r < 0) {
			if (c == 't')
				readopt_bad_value("capdump", "-t", "given 6 times",
						  "at most -ttttt");
			else
				readopt_bad_value("capdump", "--time-stamp-precision", optarg,
						  "give micro or nano");
			return -EINVAL;
		}
		if (r > 0)
			continue;
		switch (c) {
		case 'w':
			o->out = optarg;
			break;
		case 'C':
			if (!readopt_count(optarg, UINT64_MAX / 1000000u, &v) || !v)
				goto bad_count;
			o->rotate_bytes = v * 1000000u;
			break;
		case 'G':
			if (!readopt_count(optarg, UINT64_MAX / 1000000000u, &o->rotate_secs) ||
			    !o->rotate_secs)
				goto bad_count;
			break;
		case 'W':
			if (!readopt_count(optarg, UINT_MAX, &v) || !v)
				goto bad_count;
			o->max_files = (unsigned int)v;
			break;
		case 'c':
			if (!readopt_count(optarg, UINT64_MAX, &o->count) || !o->count)
				goto bad_count;
			break;
		case 's':
			if (!readopt_count(optarg, SNAPLEN_MAX, &v)) {
				readopt_bad_value("capdump", "-s", optarg,
						  "give a number of bytes from 0 (all) to 262144");
				return -EINVAL;
			}
			o->snaplen = v ? (uint32_t)v : SNAPLEN_MAX;
			o->snaplen_set = true;
			break;
		case 'U':
			o->packet_flush = true;
			break;
		case 'K':
			break;
		case 'z':
			errno = 0;
			o->level = (int)strtol(optarg, &end, 10);
			o->level_set = true;
			if (end == optarg || *end || errno || o->level < -100 || o->level > 22) {
				readopt_bad_value("capdump", "-z", optarg,
						  "give a zstd level from -100 to 22");
				return -EINVAL;
			}
			break;
		case 'F':
			if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng")) {
				readopt_bad_value("capdump", "-F", optarg, "give pcapng or pcap");
				return -EINVAL;
			}
			o->format = optarg;
			break;
		case OPT_RESUME:
			o->resume = optarg;
			break;
		case OPT_NO_INDEX:
			o->no_index = true;
			break;
		case OPT_STRIP_TS:
			o->strip_ts = true;
			o->in.strip_wire = true;
			break;
		case OPT_START:
		case OPT_END:
			if (readopt_time(optarg,
					 c == OPT_START ? &o->sel.start_ns : &o->sel.end_ns) < 0) {
				readopt_bad_value(
					"capdump", c == OPT_START ? "--start" : "--end", optarg,
					"not a time (YYYY-mm-ddTHH:MM:SS[.ns]Z or seconds "
					"since 1970)");
				return -EINVAL;
			}
			break;
		case OPT_FEED:
		case OPT_SEQ:
			r = c == OPT_FEED ? dumpselect_take_feed(&o->sel, optarg, err, sizeof(err))
					  : dumpselect_take_seq(&o->sel, optarg, err, sizeof(err));
			if (r < 0) {
				fprintf(stderr, "capdump: %s\n", err);
				readopt_try_help("capdump");
				return -EINVAL;
			}
			break;
		case OPT_ARCHIVE_SIZE:
			/* 0: none, for a unit's default */
			if (units_parse_size(optarg, &o->keep.max_bytes) < 0) {
				readopt_bad_value("capdump", "--archive-size", optarg,
						  "give a size in bytes, e.g. 500G (K, M, G, T: "
						  "powers of 1024; 0 = no budget)");
				return -EINVAL;
			}
			break;
		case OPT_MIN_FREE:
			if (retain_parse_free(optarg, &o->keep.min_free, &o->keep.min_free_pct) <
			    0) {
				readopt_bad_value("capdump", "--min-free", optarg,
						  "give a size (e.g. 20G) or a share of the "
						  "filesystem from 1% to 99% (0 = none)");
				return -EINVAL;
			}
			break;
		case OPT_PROM:
			o->prom = optarg;
			break;
		case OPT_ZSTD_THREADS:
			if (!readopt_count(optarg, ZOUT_WORKERS_MAX, &v)) {
				readopt_bad_value("capdump", "--zstd-threads", optarg,
						  "give a number of threads from 0 to 64");
				return -EINVAL;
			}
			o->zthreads = (unsigned int)v;
			o->zthreads_set = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			/* getopt_long() named the option. */
			readopt_try_help("capdump");
			return -EINVAL;
		}
	}
	if (readopt_input_check(&o->in, err, sizeof(err)) < 0) {
		pr_err("%s", err);
		return -EINVAL;
	}
	if ((o->rotate_bytes || o->rotate_secs || o->max_files || o->format || o->level_set ||
	     o->zthreads_set) &&
	    !o->out) {
		pr_err("-C, -G, -W, -F, -z and --zstd-threads are about the file: they need -w "
		       "FILE");
		return -EINVAL;
	}
	if (o->max_files && !o->rotate_bytes && !o->rotate_secs) {
		pr_err("-W keeps the last N files of a rotation: it needs -C or -G");
		return -EINVAL;
	}
	if ((o->keep.max_bytes || o->keep.min_free || o->keep.min_free_pct || o->prom) &&
	    (!o->out || (!o->rotate_bytes && !o->rotate_secs))) {
		pr_err("--archive-size, --min-free and --prom are about the files of a rotation: "
		       "they need -w FILE with -C or -G");
		return -EINVAL;
	}
	if ((o->sel.start_ns || o->sel.end_ns) && o->in.nrings) {
		pr_err("--start and --end select packets of files (-r); in a ring, start with -T "
		       "or --from");
		return -EINVAL;
	}
	if (o->sel.start_ns && o->sel.end_ns && o->sel.end_ns <= o->sel.start_ns) {
		pr_err("--end is not after --start: no packet could be written");
		return -EINVAL;
	}
	if (o->resume && o->in.nfiles) {
		pr_err("--resume works on rings (-i)");
		return -EINVAL;
	}
	if (o->out && choose_format(o) < 0)
		return -EINVAL;
	/* /dev/null, a FIFO...: never replaced, so never rotated or resumed either. */
	if (o->out && (o->rotate_bytes || o->rotate_secs || o->resume)) {
		char msg[PATH_MAX + 128];

		if (dumpfile_check_target(o->out, msg, sizeof(msg)) < 0) {
			pr_err("%s", msg);
			return -EINVAL;
		}
	}
	o->expr = readopt_expr(argc, argv, optind);
	return o->expr ? 0 : -ENOMEM;
bad_count:
	readopt_bad_value("capdump", (char[]){ '-', (char)c, '\0' }, optarg,
			  "not a positive whole number");
	return -EINVAL;
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

/* The ring interface if_id of the output comes from: of ring 0 of its set
 * (the members of a set share ring 0's interfaces, clock and feeds). */
static unsigned int ring_of(const struct capdump *d, uint32_t if_id, uint16_t *iface)
{
	unsigned int ring;

	for (ring = ringsrc_count(d->src); ring-- > 0;)
		if (if_id >= readloop_if_base(d->rl, ring))
			break;
	*iface = (uint16_t)(if_id - readloop_if_base(d->rl, ring));
	return ringsrc_set_first(d->src, ring);
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

/* The stamp interface if_id's frames carry, as written (none once stripped). */
static enum wirets_kind wire_kind(struct capdump *d, uint32_t if_id)
{
	const struct ring_stats *st;
	unsigned int ring;
	uint16_t iface;

	if (d->o.strip_ts)
		return WIRETS_NONE;
	ring = ring_of(d, if_id, &iface);
	st = ringsrc_stats(d->src, ring);
	if (iface >= st->niface || iface >= RING_MAX_IFACES ||
	    st->ifaces[iface].wire_ts > WIRETS_KIND_MAX)
		return WIRETS_NONE;
	return (enum wirets_kind)st->ifaces[iface].wire_ts;
}

static void fill_idb(void *ctx, uint32_t if_id, struct pcapng_idb_info *idb)
{
	struct capdump *d = ctx;
	enum wirets_kind kind;

	if (!d->src)
		return;
	clock_quality(d, if_id, "began", false, &idb->comment, &idb->custom, &idb->ncustom);
	kind = wire_kind(d, if_id);
	if (kind == WIRETS_NONE)
		return;
	/* After the clock option, which readers look for first. */
	pcapng_wirets_if_encode(&d->wire_if_opt, kind);
	d->idb_custom[0] = d->clock_custom;
	d->idb_custom[1] = (struct pcapng_custom){
		.code = PCAPNG_OPT_CUSTOM_BIN,
		.pen = PCAPNG_PEN,
		.data = &d->wire_if_opt,
		.len = sizeof(d->wire_if_opt),
	};
	idb->custom = d->idb_custom;
	idb->ncustom = 2;
}

static void queue_counts(const struct ring_queue_stats *s, struct qcount *c)
{
	c->iface = s->iface;
	/* XDP's frames on the bypass path, the socket filter's on the shared one */
	c->recv = ring_load_relaxed64(&s->xdp_redirected) + ring_load_relaxed64(&s->xdp_passed) +
		  ring_load_relaxed64(&s->pkt_packets);
	c->ifdrop = ring_load_relaxed64(&s->nic_dropped);
	/* With the selected frames of queues capd has no socket on. */
	c->osdrop = ring_load_relaxed64(&s->xsk_rx_dropped) +
		    ring_load_relaxed64(&s->xsk_rx_ring_full) +
		    ring_load_relaxed64(&s->xdp_no_socket) + ring_load_relaxed64(&s->pkt_drops);
}

static uint64_t since(uint64_t now, uint64_t base)
{
	return now > base ? now - base : 0;
}

/* The generation in last is over: into the totals, and count from 0. */
static void counts_fold(struct ring_counts *c)
{
	unsigned int q;

	for (q = 0; q < c->nqueue; q++) {
		const struct qcount *l = &c->last[q], *b = &c->base[q];

		if (l->iface >= RING_MAX_IFACES)
			continue;
		c->recv[l->iface] += since(l->recv, b->recv);
		c->ifdrop[l->iface] += since(l->ifdrop, b->ifdrop);
		c->osdrop[l->iface] += since(l->osdrop, b->osdrop);
	}
	memset(c->base, 0, sizeof(c->base));
}

/* A look at ring i's counters; start: they are where counting begins. */
static void counts_refresh(struct capdump *d, unsigned int i, bool start)
{
	struct ring_counts *c = &d->counts[i];
	const struct ring_stats *st = ringsrc_stats(d->src, i);
	uint32_t gen = ring_load_acquire32(&ringsrc_hdr(d->src, i)->generation);
	unsigned int q, n = ring_load_relaxed32(&st->nqueue);
	struct qcount cur[RING_MAX_QUEUES];
	bool down;

	n = n < RING_MAX_QUEUES ? n : RING_MAX_QUEUES;
	down = n < c->nqueue;
	for (q = 0; q < n; q++) {
		queue_counts(&st->queues[q], &cur[q]);
		if (q < c->nqueue &&
		    (cur[q].recv < c->last[q].recv || cur[q].ifdrop < c->last[q].ifdrop ||
		     cur[q].osdrop < c->last[q].osdrop))
			down = true;
	}
	/* Zeroed before the generation shows: fold once, not again for it. */
	if (!start && (down || (gen != c->gen && !c->ahead)))
		counts_fold(c);
	c->ahead = gen == c->gen && (down || c->ahead);
	c->gen = gen;
	c->nqueue = n;
	memcpy(c->last, cur, n * sizeof(cur[0]));
	if (start)
		memcpy(c->base, cur, n * sizeof(cur[0]));
}

/* Interface iface of a ring, since capdump started. */
static void counts_iface(const struct ring_counts *c, unsigned int iface, uint64_t *recv,
			 uint64_t *ifdrop, uint64_t *osdrop)
{
	unsigned int q;

	*recv = c->recv[iface];
	*ifdrop = c->ifdrop[iface];
	*osdrop = c->osdrop[iface];
	for (q = 0; q < c->nqueue; q++) {
		const struct qcount *l = &c->last[q], *b = &c->base[q];

		if (l->iface != iface)
			continue;
		*recv += since(l->recv, b->recv);
		*ifdrop += since(l->ifdrop, b->ifdrop);
		*osdrop += since(l->osdrop, b->osdrop);
	}
}

/* ISB counters of interface if_id: since capdump started, across capd's
 * restarts (see docs). */
static void fill_isb(void *ctx, uint32_t if_id, struct pcapng_isb_info *isb)
{
	struct capdump *d = ctx;
	uint64_t recv = 0, ifdrop = 0, osdrop = 0;
	unsigned int ring, k;
	uint16_t iface;

	isb->filteraccept = d->t.if_accept[if_id];
	isb->usrdeliv = d->t.if_written[if_id];
	if (!d->src)
		return;
	/* A set reads as one capture: its interface's queues are spread over
	 * its rings, one per capture thread. */
	ring = ring_of(d, if_id, &iface);
	for (k = ring; k < ring + ringsrc_set_count(d->src, ring); k++) {
		uint64_t rc = 0, idr = 0, odr = 0;

		counts_refresh(d, k, false);
		if (iface < RING_MAX_IFACES)
			counts_iface(&d->counts[k], iface, &rc, &idr, &odr);
		recv += rc;
		ifdrop += idr;
		osdrop += odr;
	}
	isb->ifrecv = recv;
	isb->ifdrop = ifdrop;
	/* Records this reader lost to ring overruns are the OS's drops too. */
	isb->osdrop = osdrop + d->t.if_lost[if_id];
	clock_quality(d, if_id, "ended", true, &isb->comment, &isb->custom, &isb->ncustom);
	if (d->ix) {
		uint8_t res;
		int64_t off;

		dumpfile_iface_ts(d->df, if_id, &res, &off);
		dumpindex_isb_info(d->ix, if_id, isb, res, off);
	}
}

/*
 * The state of safe point sp: the file in progress (if any) and, for every
 * ring, the record after the last one the packets up to sp->packets cover.
 * durable: a file appears or is renamed, no power loss may bring back a
 * state that does not know it.
 */
static void save_state(struct capdump *d, const struct dumpfile_safe *sp, bool durable)
{
	struct resume_state *rs = &d->rs;
	unsigned int i;
	int r;

	if (!d->o.resume || !d->src)
		return;
	resume_track_done(&d->track, sp->packets);
	rs->part[0] = rs->final[0] = '\0';
	rs->offset = 0;
	rs->packets = UINT64_MAX;
	if (sp->tmp) {
		snprintf(rs->part, sizeof(rs->part), "%s", sp->tmp);
		snprintf(rs->final, sizeof(rs->final), "%s", sp->final);
		rs->offset = sp->offset;
		rs->packets = sp->file_packets;
		rs->compressed = d->o.compress;
		rs->pcap = d->o.pcap;
	}
	rs->lost = sp->packets < d->carry_mark ? d->carry_lost : 0;
	rs->nrings = 0;
	for (i = 0; i < ringsrc_count(d->src) && i < RESUME_MAX_RINGS; i++) {
		if (d->track.next_seq[i] == RESUME_SEQ_UNKNOWN)
			continue;
		snprintf(rs->rings[rs->nrings].path, sizeof(rs->rings[0].path), "%s",
			 ringsrc_path(d->src, i));
		rs->rings[rs->nrings].id = d->track.id[i];
		rs->rings[rs->nrings].next_seq = d->track.next_seq[i];
		rs->nrings++;
	}
	r = resume_save(d->o.resume, rs, durable);
	if (r < 0) {
		pr_warn("%s: saving the resume state: %s", d->o.resume, strerror(-r));
		return;
	}
	d->saved_packets = sp->packets;
	d->saved_offset = sp->offset;
}

/* A file's headers are on disk, all of it before its rename, or it was
 * renamed: the state must say so before the output goes on. */
static void on_safe(void *ctx, const struct dumpfile_safe *sp)
{
	struct capdump *d = ctx;

	save_state(d, sp, sp->tmp != NULL);
}

/* After a write or tick: if the output was flushed, the state follows. */
static void maybe_save_state(struct capdump *d)
{
	struct dumpfile_safe sp;
	uint64_t now;

	if (!d->o.resume || !d->df || !dumpfile_safe_point(d->df, &sp) ||
	    (sp.packets == d->saved_packets && sp.offset == d->saved_offset))
		return;
	now = clock_ns(CLOCK_MONOTONIC_COARSE);
	if (now - d->last_save < RESUME_SAVE_NS)
		return;
	d->last_save = now;
	save_state(d, &sp, false);
}

/*
 * Ring positions for the state: where the record of p leaves its ring,
 * once the output holds packet `mark`.
 */
static int track(struct capdump *d, const struct readloop_pkt *p, uint64_t mark)
{
	if (!d->o.resume || !p->rec)
		return 0;
	return resume_track_add(&d->track, mark, p->rec->ring,
				ringsrc_hdr(d->src, p->rec->ring)->format_ns, p->rec->seq + 1);
}

/* Whether the files written get an index: regular files, unless --no-index. */
static bool indexing(const struct capdump *d)
{
	const char *kind;

	return d->o.out && !d->o.no_index && strcmp(d->o.out, "-") &&
	       zout_target(d->o.out, &kind) == ZOUT_TARGET_FILE;
}

/* The index of each file written, with the feed table the file will hold. */
static int index_setup(struct capdump *d)
{
	static struct ring_feed feeds[CAPINDEX_FEEDS_MAX];
	enum dumpindex_table how;
	unsigned int i, n = 0;

	if (!indexing(d) || d->ix)
		return 0;
	how = d->o.pcap		    ? DUMPINDEX_NONE
	      : d->src		    ? DUMPINDEX_RINGS
	      : d->o.in.nfiles == 1 ? DUMPINDEX_INPUT
				    : DUMPINDEX_RESCAN;
	/* The feed table as the files carry it (feed_table()) and as a rebuild
	 * reads it back: the same index either way. */
	for (i = 0; how == DUMPINDEX_RINGS && i < d->nfeeds && n < CAPINDEX_FEEDS_MAX; i++)
		if (pcapng_feed_decode(&d->feed_opt[i], sizeof(d->feed_opt[i]), &feeds[n]) == 0)
			n++;
	return dumpindex_new(&d->ix, how, feeds, n);
}

/* Each removal of the archive's retention is one line. */
static void on_retain(void *ctx, enum retain_event ev, const char *path,
		      const struct retain_file *f, int err)
{
	const struct retain_stats *st = retain_stats(((struct capdump *)ctx)->ret);
	char size[32], min[32], avail[32];

	switch (ev) {
	case RETAIN_REMOVED:
		pr_notice("removed %s and its index (%s): the oldest file of the archive", path,
			  units_format_size(f->bytes, size, sizeof(size)));
		break;
	case RETAIN_REMOVE_FAILED:
		pr_warn("removing %s: %s", path, strerror(-err));
		break;
	case RETAIN_STALE:
		pr_notice("removed %s: an index temporary a crashed writer left", path);
		break;
	case RETAIN_SHORT:
		pr_warn("%s: %s free, below --min-free %s, and no file of the archive is left to "
			"remove",
			path, units_format_size(st->free_bytes, avail, sizeof(avail)),
			units_format_size(st->min_free_bytes, min, sizeof(min)));
		break;
	}
}

/* Keep the archive in its budget, and tell status what it holds. */
static void retain_pass(struct capdump *d)
{
	const struct retain_stats *st;
	struct reader_status_archive ar;
	uint64_t now = clock_ns(CLOCK_REALTIME);
	int r;

	if (!d->ret)
		return;
	r = retain_run(d->ret, now, on_retain, d);
	if (r < 0) {
		pr_warn("%s: reading the archive: %s", retain_dir(d->ret), strerror(-r));
		return;
	}
	st = retain_stats(d->ret);
	ar = (struct reader_status_archive){
		.present = true,
		.files = st->files,
		.bytes = st->bytes,
		.oldest_ns = st->oldest_ns,
		.newest_ns = st->newest_ns,
		.removed = st->removed,
		.removed_bytes = st->removed_bytes,
		.budget = d->o.keep.max_bytes,
		.min_free = st->min_free_bytes,
		.free = st->free_bytes,
		.checked_ns = now,
	};
	snprintf(ar.dir, sizeof(ar.dir), "%s", retain_dir(d->ret));
	readloop_archive(d->rl, &ar);
	if (!d->o.prom)
		return;
	r = retain_prom_save(d->o.prom, &(struct retain_prom){ .dir = retain_dir(d->ret),
							       .st = st,
							       .budget = d->o.keep.max_bytes,
							       .now_ns = now });
	if (r < 0)
		pr_warn("%s: %s", d->o.prom, strerror(-r));
}

/* A file is complete under its final name: its index beside it, then the
 * archive's budget (retain.h). */
static void on_closed(void *ctx, const char *path)
{
	struct capdump *d = ctx;

	dumpindex_closed(d->ix, path, d->df && dumpfile_error(d->df));
	retain_pass(d);
}

/* The packet just written, for its file's index, as the file holds it. */
static void index_packet(struct capdump *d, const struct readloop_pkt *p,
			 const struct dumpfile_pkt *w)
{
	struct capindex_build_pkt *ip = &d->ipkt;
	const struct dumpfile_last *l;

	if (!d->ix)
		return;
	l = dumpfile_last(d->df);
	*ip = (struct capindex_build_pkt){
		.offset = l->offset,
		.if_id = w->if_id,
		.linktype = PCAPNG_LINKTYPE_ETHERNET,
		.has_ts = !l->spb,
		.ts_ns = l->ts_ns,
		.data = w->data,
		.caplen = w->caplen,
		.wirelen = w->wirelen,
		.dropcount = d->o.pcap ? 0 : w->dropcount,
	};
	if (p->frec) {
		const struct capfile_iface *ci = capfile_iface(p->file, p->if_id);

		ip->linktype = ci->linktype;
		/* pcapng: read back from the same raw time, units and offset. */
		if (!d->o.pcap) {
			ip->dropcount = p->frec->dropcount;
			ip->ts_ns = p->frec->has_ts
					    ? p->frec->ts_ns
					    : (uint64_t)((__int128)ci->tsoffset * 1000000000);
		}
	}
	dumpindex_packet(d->ix, p->file, ip);
}

/* One per CPU this process may run on (its affinity: a service's
 * CPUAffinity=, isolated cores left out), up to ZSTD_THREADS_DEFAULT_MAX. */
static unsigned int zthreads_default(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	return n < 1			      ? 1
	       : n > ZSTD_THREADS_DEFAULT_MAX ? ZSTD_THREADS_DEFAULT_MAX
					      : (unsigned int)n;
}

/* From rings: their interfaces and feed names; from files: none yet
 * (ifs NULL), they are added as each file describes them (map_ifaces()). */
static int open_output(struct capdump *d, struct dumpfile_iface *ifs, struct pcapng_nrb_rec *names,
		       unsigned int nnames)
{
	struct dumpfile_opts fo = {
		.pattern = d->o.out,
		.level = d->o.level,
		.workers = d->o.zthreads_set ? d->o.zthreads : zthreads_default(),
		.compress = d->o.compress,
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
		.feeds = d->feed_custom,
		.nfeeds = d->nfeeds,
		/* A file's ISBs are carried from it: capdump claims no counts. */
		.isb = ifs ? fill_isb : NULL,
		.idb = ifs ? fill_idb : NULL,
		.safe = d->o.resume ? on_safe : NULL,
		.durable = d->o.resume != NULL,
		.packet_flush = d->o.packet_flush,
		.delivery = d->piping ? &d->piped : NULL,
		.ctx = d,
	};
	char err[512];
	int r;

	if (d->o.level_set && !fo.compress)
		pr_warn("-z applies to .zst files only");
	if (d->o.zthreads_set && !fo.compress)
		pr_warn("--zstd-threads applies to .zst files only");
	if (index_setup(d) < 0)
		return -ENOMEM;
	/* --prom alone: the archive watched, nothing removed. */
	if (d->o.keep.max_bytes || d->o.keep.min_free || d->o.keep.min_free_pct || d->o.prom) {
		d->o.keep.pattern = d->o.out;
		r = retain_new(&d->o.keep, &d->ret, err, sizeof(err));
		if (r < 0) {
			pr_err("%s", err);
			return r;
		}
	}
	fo.closed = d->ix || d->ret ? on_closed : NULL;
	r = dumpfile_open(&fo, &d->df, err, sizeof(err));
	if (r < 0)
		pr_err("%s", err);
	/* The archive earlier runs left, before this run adds to it. */
	else
		retain_pass(d);
	return r;
}

/*
 * Every ring's feed table, with the feeds' protocols, as custom options
 * of the files' NRB, so that a file knows its feeds as the rings did
 * (capstat -r decodes with them).  An identical entry of several rings
 * is written once.
 */
static void feed_table(struct capdump *d)
{
	unsigned int i, j, k;

	for (i = 0; i < ringsrc_count(d->src); i++) {
		const struct ring_feeds *rf = ringsrc_feeds(d->src, i);

		if (ringsrc_set_first(d->src, i) != i)
			continue; /* a set's members carry ring 0's feeds */
		for (j = 0; j < rf->nfeeds && j < RING_MAX_FEEDS && d->nfeeds < DUMPFILE_MAX_FEEDS;
		     j++) {
			struct pcapng_feed *o = &d->feed_opt[d->nfeeds];

			pcapng_feed_encode(o, &rf->feeds[j]);
			for (k = 0; k < d->nfeeds && memcmp(&d->feed_opt[k], o, sizeof(*o)); k++)
				;
			if (k < d->nfeeds)
				continue;
			d->feed_custom[d->nfeeds] = (struct pcapng_custom){
				.code = PCAPNG_OPT_CUSTOM_BIN,
				.pen = PCAPNG_PEN,
				.data = o,
				.len = sizeof(*o),
			};
			d->nfeeds++;
		}
	}
}

/* One IDB per interface of every ring, a set counting as one ring (its
 * members share ring 0's interfaces); NRB names from the feed tables. */
static int setup_ring_output(struct capdump *d)
{
	static struct dumpfile_iface ifs[DUMPFILE_MAX_IFACES];
	static struct pcapng_nrb_rec names[DUMPFILE_MAX_NAMES];
	unsigned int i, j, nnames = 0;

	for (i = 0; i < ringsrc_count(d->src); i++) {
		const struct ring_stats *st = ringsrc_stats(d->src, i);
		const struct ring_feeds *rf = ringsrc_feeds(d->src, i);
		unsigned int n = st->niface ? st->niface : 1;

		counts_refresh(d, i, true);
		if (ringsrc_set_first(d->src, i) != i)
			continue;
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
			f->snaplen = d->o.snaplen;
			f->linktype = PCAPNG_LINKTYPE_ETHERNET;
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
	feed_table(d);
	return d->o.out ? open_output(d, ifs, names, nnames) : 0;
}

/*
 * The filter for a file's interface: the expression compiled for its link
 * type, as tcpdump compiles it for each file (compiled once per type).
 * One that libpcap cannot compile for the type stops the run: its packets
 * would otherwise be lost unseen.
 */
static int filter_for(struct capdump *d, const struct capfile_iface *ci, struct filter **f)
{
	char err[512];
	unsigned int k;
	int r;

	for (k = 0; k < d->nlt_filter; k++)
		if (d->lt_filter[k].linktype == ci->linktype) {
			*f = d->lt_filter[k].f;
			return 0;
		}
	if (d->nlt_filter == CAPDUMP_LINKTYPES) {
		pr_err("more than %u link types in the input", CAPDUMP_LINKTYPES);
		return -E2BIG;
	}
	r = filter_open(d->o.expr, ci->linktype, SNAPLEN_MAX, f, err, sizeof(err));
	if (r < 0) {
		pr_err("filter '%s' cannot apply to interface %s%s%s(link type %u): %s", d->o.expr,
		       ci->name[0] ? "'" : "", ci->name, ci->name[0] ? "' " : "", ci->linktype,
		       err);
		return r;
	}
	d->lt_filter[d->nlt_filter].linktype = ci->linktype;
	d->lt_filter[d->nlt_filter++].f = *f;
	return 0;
}

/* di's options: the input IDB's and the stamp-kind option of --wire-ts. */
static int idb_wire_opts(struct capdump *d, const struct capfile_iface *ci,
			 struct dumpfile_iface *di)
{
	struct pcapng_wirets_if o;
	size_t need = ci->optlen + 4 + PCAPNG_PAD(4 + sizeof(o));
	uint8_t *q;

	if (need > d->epb_opts_cap) {
		q = realloc(d->epb_opts, need);
		if (!q) {
			pr_err("%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		d->epb_opts = q;
		d->epb_opts_cap = need;
	}
	q = d->epb_opts;
	if (ci->optlen)
		memcpy(q, ci->opts, ci->optlen);
	pcapng_wirets_if_encode(&o, (enum wirets_kind)d->o.in.wire_ts);
	memcpy(q + ci->optlen, &(struct pcapng_opt_hdr){ PCAPNG_OPT_CUSTOM_BIN, 4 + sizeof(o) }, 4);
	memcpy(q + ci->optlen + 4, &(uint32_t){ PCAPNG_PEN }, 4);
	memcpy(q + ci->optlen + 8, &o, sizeof(o));
	memset(q + ci->optlen + 8 + sizeof(o), 0, need - ci->optlen - 8 - sizeof(o));
	di->opts = q;
	di->optlen = need;
	return 0;
}

/*
 * Every interface file f has described and that is not mapped yet becomes
 * an output interface: its link type, snap length, timestamp units, offset
 * and options as they are in the file, so that each packet keeps its
 * meaning and its exact timestamp.  Interfaces of several sections and
 * files each get their own number: none can collide.
 */
static int map_ifaces(struct capdump *d, const struct capfile *f)
{
	unsigned int n = capfile_nifaces(f);
	enum wirets_kind had;
	char err[512];
	int r;

	for (; d->fmapped < n; d->fmapped++) {
		const struct capfile_iface *ci = capfile_iface(f, d->fmapped);
		struct dumpfile_iface di = {
			.linktype = ci->linktype,
			.snaplen = ci->snaplen,
			.tsresol = ci->tsresol,
			.tsoffset = ci->tsoffset,
			.opts = ci->opts,
			.optlen = ci->optlen,
			.comment = d->fcomment[0] ? d->fcomment : NULL,
		};
		uint32_t id = d->fmapped;

		if (d->fmapped >= DUMPFILE_MAX_IFACES) {
			pr_err("%s: more than %u interfaces", capfile_path(f), DUMPFILE_MAX_IFACES);
			return -E2BIG;
		}
		r = filter_for(d, ci, &d->fflt[d->fmapped]);
		if (r < 0)
			return r;
		/* -s cuts shorter than the file did, never longer. */
		if (d->o.snaplen_set && (!di.snaplen || di.snaplen > d->o.snaplen))
			di.snaplen = d->o.snaplen;
		/* --wire-ts: the output says the kind its frames carry (dumpfile
		 * copies the blob), unless the input said one already. */
		if (d->o.in.wire_ts && !d->o.strip_ts &&
		    pcapng_wirets_if_find(ci->opts, ci->optlen, &had) < 0) {
			r = idb_wire_opts(d, ci, &di);
			if (r < 0)
				return r;
		}
		/* dumpfile's tsresol 0 means its default, ns: whole seconds go as ns. */
		d->fsecs[d->fmapped] = ci->tsresol == 0;
		if (d->fsecs[d->fmapped])
			di.tsresol = 9;
		if (d->df) {
			r = dumpfile_add_iface(d->df, &di, &id, err, sizeof(err));
			if (r < 0) {
				pr_err("%s", err);
				return r;
			}
		}
		d->fmap[d->fmapped] = id;
	}
	return 0;
}

static void held_drop(struct capdump *d);

/*
 * A file opened: the output exists from the first one on, so that an input
 * without packets still gives a valid (empty) file.  A file read: what it
 * described after its last packet is written too, and what it held that
 * cannot be carried is told.
 */
static int on_file(void *ctx, const struct capfile *f, bool end)
{
	struct capdump *d = ctx;
	const struct capfile_stats *st;
	int r;

	if (!end) {
		d->fmapped = 0;
		d->fcontrib = false;
		if (d->o.out && !d->df && (r = open_output(d, NULL, NULL, 0)) < 0)
			return r;
	}
	/* A selective read: a file none of whose packets is written leaves
	 * nothing in the output, as the files its index let us skip. */
	if (d->selective && !d->fcontrib) {
		held_drop(d);
		return 0;
	}
	r = map_ifaces(d, f);
	if (r < 0 || !end || d->o.quiet)
		return r;
	st = capfile_stats(f);
	if (st->unknown_blocks || st->nocopy_blocks || st->opts_dropped)
		pr_warn("%s: not carried into the output: %llu block(s) of unknown type, %llu "
			"custom block(s) marked do-not-copy, %llu option(s) of unknown format in "
			"another byte order",
			capfile_path(f), (unsigned long long)st->unknown_blocks,
			(unsigned long long)st->nocopy_blocks,
			(unsigned long long)st->opts_dropped);
	return 0;
}

/*
 * A file's NRB, ISB, DSB or copyable custom block, in its place among the
 * packets.  Names and decryption secrets are needed by every file of a
 * rotation: sticky.  An ISB names the output's number of its interface.
 */
static int carry_block(struct capdump *d, const struct capfile *f, uint8_t kind, uint32_t if_id,
		       const uint8_t *data, uint32_t len)
{
	uint8_t *copy = NULL;
	int r;

	r = map_ifaces(d, f);
	if (r < 0)
		return r;
	if (kind == CAPFILE_ISB) {
		uint32_t id;

		if (if_id >= d->fmapped || len < sizeof(struct pcapng_isb_hdr))
			return 0; /* the reader checked both: cannot happen */
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, data, len);
		id = d->fmap[if_id];
		memcpy(copy + offsetof(struct pcapng_isb_hdr, if_id), &id, sizeof(id));
	}
	r = dumpfile_block(d->df, copy ? copy : data, len,
			   kind == CAPFILE_NRB || kind == CAPFILE_DSB);
	if (!r && copy && d->ix) {
		uint8_t res;
		int64_t off;

		dumpfile_iface_ts(d->df, d->fmap[if_id], &res, &off);
		dumpindex_isb_block(d->ix, d->fmap[if_id], copy, len, res, off);
	}
	free(copy);
	if (r < 0) {
		d->write_err = r;
		return r;
	}
	return 0;
}

static void held_drop(struct capdump *d)
{
	size_t i;

	for (i = 0; i < d->nheld; i++)
		free(d->held[i].data);
	d->nheld = 0;
	d->held_bytes = 0;
}

/* A block of a file that has not contributed yet: kept until it does. */
static int held_add(struct capdump *d, const struct capfile *f, const struct capfile_rec *b)
{
	struct held_block *h;

	if (d->held_bytes + b->caplen > HELD_BYTES_MAX) {
		pr_err("%s: more than %u MiB of blocks (statistics, names, secrets) before the "
		       "first packet selected",
		       capfile_path(f), HELD_BYTES_MAX >> 20);
		return -E2BIG;
	}
	if (d->nheld == d->held_cap) {
		size_t cap = d->held_cap ? d->held_cap * 2 : 16;

		h = realloc(d->held, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		d->held = h;
		d->held_cap = cap;
	}
	h = &d->held[d->nheld];
	h->data = malloc(b->caplen);
	if (!h->data)
		return -ENOMEM;
	memcpy(h->data, b->data, b->caplen);
	h->kind = b->kind;
	h->if_id = b->if_id;
	h->len = b->caplen;
	d->nheld++;
	d->held_bytes += b->caplen;
	return 0;
}

static int on_block(void *ctx, const struct capfile *f, const struct capfile_rec *b)
{
	struct capdump *d = ctx;

	if (!d->df)
		return 0;
	if (d->selective && !d->fcontrib)
		return held_add(d, f, b);
	return carry_block(d, f, b->kind, b->if_id, b->data, b->caplen);
}

/*
 * A selective read: whether the file's packet p, selected, passes the
 * filter too; its file's first such packet brings the file's interfaces
 * and the blocks held so far into the output, in the order the file had
 * them.  @return 1 written from now on, 0 filtered out, or -errno.
 */
static int file_contributes(struct capdump *d, const struct readloop_pkt *p)
{
	struct filter *flt;
	size_t i;
	int r;

	r = filter_for(d, capfile_iface(p->file, p->if_id), &flt);
	if (r < 0)
		return r;
	if (!filter_match(flt, p->orig, p->orig_caplen, p->orig_wirelen))
		return 0;
	d->fcontrib = true;
	r = map_ifaces(d, p->file);
	for (i = 0; i < d->nheld && r == 0; i++)
		r = carry_block(d, p->file, d->held[i].kind, d->held[i].if_id, d->held[i].data,
				d->held[i].len);
	held_drop(d);
	return r < 0 ? r : 1;
}

/*
 * A packet's lines are printed: counted once they reach standard output
 * (-U: now).  A failed write stops the run (EPIPE: the reader is gone).
 */
static int text_sent(struct capdump *d)
{
	if (d->o.packet_flush)
		fflush(stdout);
	if (!delivery_add(&d->text, delivery_stdout_offset(&d->text))) {
		fflush(stdout);
		delivery_add(&d->text, delivery_stdout_offset(&d->text));
	}
	if (ferror(stdout)) {
		d->write_err = errno ? -errno : -EIO;
		return d->write_err;
	}
	return 0;
}

/*
 * The packet's options: the file's (may be none) and, for a stamp from
 * the wire decoded here, the host's stamp (pcapng_wirets.h), on every
 * packet of the interface, whatever the status.  A file's packet that
 * has the option already keeps it as it is.
 * @return 0 and *opts, *optlen; -ENOMEM.
 */
static int wire_opts(struct capdump *d, const struct readloop_pkt *p, const void **opts,
		     size_t *optlen)
{
	const void *fo = p->frec ? p->frec->opts : NULL;
	size_t flen = p->frec ? p->frec->optlen : 0, need;
	struct pcapng_wirets o;
	struct wirets w;
	uint64_t host;
	uint8_t *q;

	*opts = fo;
	*optlen = flen;
	if (!p->wire || (flen && pcapng_wirets_find(fo, flen, &w, &host) == 0))
		return 0;
	need = flen + 4 + PCAPNG_PAD(4 + sizeof(o));
	if (need > d->epb_opts_cap) {
		q = realloc(d->epb_opts, need);
		if (!q)
			return -ENOMEM;
		d->epb_opts = q;
		d->epb_opts_cap = need;
	}
	q = d->epb_opts;
	if (flen)
		memcpy(q, fo, flen);
	pcapng_wirets_encode(&o, p->wire, p->host_ts);
	/* An OPTIONS BLOB is in host byte order, the PEN too. */
	memcpy(q + flen, &(struct pcapng_opt_hdr){ PCAPNG_OPT_CUSTOM_BIN, 4 + sizeof(o) }, 4);
	memcpy(q + flen + 4, &(uint32_t){ PCAPNG_PEN }, 4);
	memcpy(q + flen + 8, &o, sizeof(o));
	memset(q + flen + 8 + sizeof(o), 0, need - flen - 8 - sizeof(o));
	*opts = q;
	*optlen = need;
	return 0;
}

static int on_packet(void *ctx, const struct readloop_pkt *p)
{
	struct capdump *d = ctx;
	uint32_t if_id = p->if_id, queue = READLOOP_NO_QUEUE;
	/* --strip-timestamp: the original frame (readloop_pkt.orig) */
	const uint8_t *data = d->o.strip_ts ? p->orig : p->data;
	uint32_t len = d->o.strip_ts ? p->orig_caplen : p->caplen;
	uint32_t wirelen = d->o.strip_ts ? p->orig_wirelen : p->wirelen;
	uint32_t caplen = len < d->o.snaplen ? len : d->o.snaplen;
	bool known = if_id < DUMPFILE_MAX_IFACES;
	const void *opts;
	size_t optlen;
	int r;

	struct filter *flt = d->filter;

	if (d->selective && !dumpselect_packet(&d->o.sel, p))
		return 0;
	if (p->file && d->selective && !d->fcontrib) {
		r = file_contributes(d, p);
		if (r < 0)
			return r;
		if (r == 0) {
			d->t.seen++;
			d->t.lost += p->lost;
			d->t.filtered++;
			goto done;
		}
	}
	if (p->file) {
		if (p->if_id >= d->fmapped && (r = map_ifaces(d, p->file)) < 0)
			return r;
		flt = d->fflt[p->if_id];
		if_id = d->fmap[p->if_id];
		known = if_id < DUMPFILE_MAX_IFACES;
	}
	if (p->rec && known && d->multiqueue[if_id])
		queue = p->queue;
	d->t.seen++;
	d->pending_drop += p->lost;
	d->t.lost += p->lost;
	if (known)
		d->t.if_lost[if_id] += p->lost;
	if (!filter_match(flt, p->orig, p->orig_caplen, p->orig_wirelen)) {
		d->t.filtered++;
		/* Done with once the packets written are safe; a loss before it
		 * is not, until the packet that tells it is. */
		r = track(d, p, d->t.written + (d->pending_drop != 0));
		if (r < 0)
			return r;
		goto done;
	}
	if (known)
		d->t.if_accept[if_id]++;
	r = track(d, p, d->t.written + 1);
	if (r < 0)
		return r;
	if (d->carry_lost && d->carry_mark == UINT64_MAX)
		d->carry_mark = d->t.written + 1;
	if (d->df && (r = wire_opts(d, p, &opts, &optlen)) < 0) {
		pr_err("%s", strerror(-r));
		return r;
	}
	if (d->df && p->frec) {
		/* As the file has it: its timestamp units, its options. */
		struct dumpfile_pkt w = {
			.if_id = if_id,
			.ts = !p->frec->has_ts	   ? DUMPFILE_NO_TS
			      : d->fsecs[p->if_id] ? p->frec->ts_raw * 1000000000u
						   : p->frec->ts_raw,
			.data = data,
			.caplen = caplen,
			.wirelen = wirelen,
			.queue = DUMPFILE_NO_QUEUE,
			.opts = opts,
			.optlen = optlen,
		};

		/* A stamp decoded here (--wire-ts) moved the time: in the
		 * interface's units, before its offset, as the file counts. */
		if (p->frec->has_ts && p->ts != p->frec->ts_ns) {
			const struct capfile_iface *ci = capfile_iface(p->file, p->if_id);

			w.ts = pcapng_ns_ts(p->ts, d->fsecs[p->if_id] ? 9 : ci->tsresol,
					    ci->tsoffset);
		}

		r = dumpfile_write(d->df, &w);
		if (r < 0) {
			d->write_err = r;
			return r;
		}
		index_packet(d, p, &w);
	} else if (d->df) {
		/* The loss is told where it happened: on the next packet written. */
		struct dumpfile_pkt w = {
			.if_id = if_id,
			.ts = p->ts,
			.data = data,
			.caplen = caplen,
			.wirelen = wirelen,
			.epb_flags = p->epb_flags ? p->epb_flags : epb_flags(p->data, p->caplen),
			.dropcount = d->pending_drop,
			.queue = queue,
			.opts = opts,
			.optlen = optlen,
		};

		r = dumpfile_write(d->df, &w);
		if (r < 0) {
			d->write_err = r;
			return r;
		}
		index_packet(d, p, &w);
	} else {
		struct readloop_pkt cut = *p;

		/* The datagram, not an unknown EtherType: through an Arista
		 * header (readloop_pkt.orig), as the filter sees it. */
		cut.data = p->orig;
		cut.caplen = p->orig_caplen < d->o.snaplen ? p->orig_caplen : d->o.snaplen; /* -s */
		cut.wirelen = p->orig_wirelen;
		textout_packet(&d->o.text, &cut, d->pending_drop);
		r = text_sent(d);
		if (r < 0)
			return r;
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
	unsigned int i;
	int r;

	if (idle || now - d->last_tick > 100000000u) {
		d->last_tick = now;
		/* A generation's last counters, seen before a new capd zeroes them. */
		for (i = 0; d->src && i < ringsrc_count(d->src); i++)
			counts_refresh(d, i, false);
		if (d->df && (r = dumpfile_tick(d->df, now)) < 0)
			return r;
	}
	/* Free space taken by others between rotations: a pass at once. */
	if (d->ret && now - d->last_short > RETAIN_CHECK_NS) {
		d->last_short = now;
		if (retain_short(d->ret))
			retain_pass(d);
	}
	maybe_save_state(d);
	return 0;
}

/* Finish the file the last run left, and tell what became of it. */
static int resume_finish(struct capdump *d)
{
	struct resume_finished f;
	char lost[96] = "";
	int r;

	r = resume_finish_part(&d->rs, &f);
	if (r < 0) {
		pr_err("%s: finishing %s: %s", d->o.resume, d->rs.part,
		       r == -EINVAL  ? "not the temporary name of the file the state names"
		       : r == -ELOOP ? "a symbolic link, not followed"
		       : r == -ENXIO ? "not a regular file"
				     : strerror(-r));
		return r;
	}
	if (f.missing) {
		if (f.lost)
			snprintf(lost, sizeof(lost),
				 "; %llu packet(s) lost (epb_dropcount of the next)",
				 (unsigned long long)f.lost);
		else if (d->rs.packets == UINT64_MAX)
			snprintf(lost, sizeof(lost), "; an unknown number of packets lost");
		if (f.removed)
			pr_warn("%s: %llu bytes shorter than its state says (power loss?): nothing "
				"whole left, removed%s",
				d->rs.part, (unsigned long long)f.missing, lost);
		else
			pr_warn("%s: %llu bytes shorter than its state says (power loss?): %s "
				"completed with its %llu whole packet(s)%s",
				d->rs.part, (unsigned long long)f.missing, f.name,
				(unsigned long long)f.kept, lost);
	} else if (f.name[0] && !d->o.quiet) {
		fprintf(stderr, "capdump: %s completed up to its last flush\n", f.name);
	}
	if (f.name[0] && !f.removed && indexing(d))
		dumpindex_file(f.name);
	d->carry_lost = d->rs.lost + f.lost;
	d->pending_drop = d->carry_lost;
	if (!d->rs.part[0])
		return 0;
	/* Done: a crash from here on must not finish it, or count its loss, again. */
	d->rs.part[0] = d->rs.final[0] = '\0';
	d->rs.lost = d->carry_lost;
	r = resume_save(d->o.resume, &d->rs, true);
	if (r < 0)
		pr_err("%s: saving the resume state: %s", d->o.resume, strerror(-r));
	return r;
}

/*
 * Ring i is not in the state.  A member of a set the state knows another
 * ring of came with a capd restarted with more capture threads (the
 * recorder ended on it, ringsrc.h): everything it holds was written since,
 * and none of it recorded, so it is read from its oldest record.
 */
static int resume_new_member(struct capdump *d, unsigned int i)
{
	unsigned int f = ringsrc_set_first(d->src, i), k, j;
	int r;

	for (k = f; k < f + ringsrc_set_count(d->src, i); k++)
		for (j = 0; j < d->rs.nrings; j++)
			if (k != i && !strcmp(d->rs.rings[j].path, ringsrc_path(d->src, k)))
				goto known;
	return 0;
known:
	r = ringsrc_seek_ring(d->src, i, RING_SEEK_OLDEST, 0);
	if (r < 0) {
		pr_err("%s: seeking its oldest record: %s", ringsrc_path(d->src, i), strerror(-r));
		return r;
	}
	if (!d->o.quiet)
		pr_notice("%s: a ring of the set not in %s (capd now runs more capture threads): "
			  "reading it from its oldest record",
			  ringsrc_path(d->src, i), d->o.resume);
	return 0;
}

/*
 * Every ring continues after the last record on disk.  A ring that is not
 * the one the state was saved from (capd replaced the file) is read from
 * the first record of the new file, counting what it no longer holds as
 * lost; if it carries the old file's numbers on, so do the old file's
 * records after the state.
 */
static int resume_rings(struct capdump *d)
{
	char was[40], now[40];
	unsigned int i, j;
	uint64_t seq;
	int r;

	r = resume_load(d->o.resume, &d->rs);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		pr_err("%s: %s", d->o.resume,
		       r == -EBADMSG ? "not a capdump state file" : strerror(-r));
		return r;
	}
	r = resume_finish(d);
	if (r < 0)
		return r;
	for (i = 0; i < ringsrc_count(d->src); i++) {
		const struct ring_hdr *h = ringsrc_hdr(d->src, i);

		for (j = 0; j < d->rs.nrings; j++)
			if (!strcmp(d->rs.rings[j].path, ringsrc_path(d->src, i)))
				break;
		if (j == d->rs.nrings) {
			r = resume_new_member(d, i);
			if (r < 0)
				return r;
			continue;
		}
		seq = d->rs.rings[j].next_seq;
		if (d->rs.rings[j].id && d->rs.rings[j].id != h->format_ns) {
			if (h->format_seq < seq)
				seq = h->format_seq;
			pr_warn("%s: not the ring %s was saved from (that one was formatted %s, "
				"this one %s): reading it from its first record, %llu",
				ringsrc_path(d->src, i), d->o.resume,
				clock_text_utc(d->rs.rings[j].id, 3, was, sizeof(was)),
				clock_text_utc(h->format_ns, 3, now, sizeof(now)),
				(unsigned long long)seq);
		}
		r = ringsrc_seek_seq(d->src, i, seq);
		if (r < 0) {
			pr_err("%s: seeking record %llu: %s", ringsrc_path(d->src, i),
			       (unsigned long long)seq, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Where the rings stand before the first record: the state's start. */
static void resume_track_start(struct capdump *d)
{
	uint64_t seq, ts;
	unsigned int i;

	resume_track_init(&d->track);
	for (i = 0; i < ringsrc_count(d->src) && i < RESUME_MAX_RINGS; i++) {
		ringsrc_position(d->src, i, &seq, &ts);
		if (seq == RING_SEQ_UNKNOWN)
			continue;
		d->track.next_seq[i] = seq;
		d->track.id[i] = ringsrc_hdr(d->src, i)->format_ns;
	}
}

/* dumpselect_prune()'s line for a file read whole. */
static bool quiet_prune;
static void prune_warn(const char *line)
{
	if (!quiet_prune)
		pr_warn("%s", line);
}

/* Open the input; for rings, resume and start the output before the first record. */
static int open_input(struct capdump *d, int argc, char **argv)
{
	char err[512];
	unsigned int i;
	int r;

	d->files_total = d->o.in.nfiles;
	quiet_prune = d->o.quiet;
	if (d->selective)
		dumpselect_prune(&d->o.sel, &d->o.in, &d->start_at, prune_warn);
	if (!d->o.in.nfiles && d->o.in.file_args.n) {
		/* Nothing to read: the output still says so, as an empty file. */
		if (d->o.out && (r = open_output(d, NULL, NULL, 0)) < 0)
			return r;
		return 0;
	}

	r = readloop_open(&d->rl, &d->o.in, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return r;
	}
	d->src = readloop_rings(d->rl);
	for (i = 0; d->start_at && i < d->o.in.nfiles; i++)
		readloop_file_skip(d->rl, i, d->start_at[i]);
	if (!d->src)
		return 0;
	if (d->o.resume) {
		r = resume_rings(d);
		if (r < 0)
			return r;
		resume_track_start(d);
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
	static const struct readloop_ops ops = {
		.packet = on_packet,
		.tick = on_tick,
		.file = on_file,
		.block = on_block,
	};
	char err[512];
	unsigned int i;
	int r;

	if (!d->rl)
		return 0; /* every file left out by its index */
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

/*
 * Several rings (a set's members among them): each ring's share, by its
 * file's name, so that a loss or a lag names the capture thread's ring.
 */
static void summary_rings(const struct ringsrc *src)
{
	unsigned int i;

	for (i = 0; i < ringsrc_count(src); i++) {
		const struct ring_reader *rd = ringsrc_reader(src, i);
		uint64_t mine, last, end, tail, newest;

		ringsrc_position(src, i, &mine, &last);
		ringsrc_ring_end(src, i, &end, &tail, &newest);
		fprintf(stderr, "capdump: ring %s: %llu records read, %llu lost to ring overruns",
			ringsrc_name(src, i), (unsigned long long)rd->records,
			(unsigned long long)rd->lost);
		if (mine != RING_SEQ_UNKNOWN && end >= mine)
			fprintf(stderr, ", %llu behind its writer at the end",
				(unsigned long long)(end - mine));
		fputc('\n', stderr);
	}
}

/*
 * Per interface whose frames carry a switch's stamp: which time the
 * packets read got, and what the device flagged.
 */
static void summary_wire(struct capdump *d)
{
	uint32_t i, n = d->rl ? readloop_wire_ifaces(d->rl) : 0; /* NULL: nothing opened */

	for (i = 0; i < n; i++) {
		const struct readloop_wire_counts *c = readloop_wire_counts(d->rl, i);
		char name[RING_IFNAME_LEN + 3] = "";

		if (!c)
			continue;
		if (d->src) {
			const struct ring_stats *st;
			uint16_t iface;

			st = ringsrc_stats(d->src, ring_of(d, i, &iface));
			if (iface < st->niface && iface < RING_MAX_IFACES)
				snprintf(name, sizeof(name), " (%.*s)", RING_IFNAME_LEN - 1,
					 st->ifaces[iface].name);
		}
		fprintf(stderr,
			"capdump: interface %u%s: %s time from the wire on %llu packets, the "
			"host's on %llu (%llu absent, %llu malformed, %llu truncated, %llu TAI "
			"without a UTC offset); %llu degraded, %llu duplicate\n",
			i, name, wirets_kind_name(c->kind), (unsigned long long)c->ok,
			(unsigned long long)(c->absent + c->malformed + c->truncated + c->no_utc),
			(unsigned long long)c->absent, (unsigned long long)c->malformed,
			(unsigned long long)c->truncated, (unsigned long long)c->no_utc,
			(unsigned long long)c->degraded, (unsigned long long)c->duplicate);
	}
}

/* capdump --index [--force] FILE|DIR... */
static int index_main(int argc, char **argv)
{
	bool force = false;
	int i, n = 0;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			pr_err("--index takes --force and files or directories, not %s", argv[i]);
			return 2;
		} else
			argv[2 + n++] = argv[i];
	}
	if (!n) {
		pr_err("--index: name the files or directories to index");
		return 2;
	}
	return dumpindex_command(argv + 2, n, force);
}

/* capdump --list [--json] [--start T] [--end T] [--hole SECONDS] PATH... */
static int list_main(int argc, char **argv)
{
	struct dumplist_opts o = { .hole_ns = DUMPLIST_HOLE_NS };
	int i, n = 0;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		uint64_t *t = !strcmp(a, "--start")  ? &o.start_ns
			      : !strcmp(a, "--end")  ? &o.end_ns
			      : !strcmp(a, "--hole") ? &o.hole_ns
						     : NULL;

		if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (t) {
			/* --hole: seconds, as the seconds form of a time */
			if (i + 1 == argc || readopt_time(argv[i + 1], t) < 0 ||
			    (t == &o.hole_ns &&
			     strspn(argv[i + 1], "0123456789.") != strlen(argv[i + 1]))) {
				pr_err("--list: %s %s: not a %s", a,
				       i + 1 < argc ? argv[i + 1] : "",
				       t == &o.hole_ns
					       ? "number of seconds"
					       : "time (YYYY-mm-ddTHH:MM:SS[.ns]Z or seconds "
						 "since 1970)");
				return 2;
			}
			i++;
		} else if (a[0] == '-' && a[1]) {
			pr_err("--list takes --json, --start, --end, --hole and files, directories "
			       "or patterns, not %s",
			       a);
			return 2;
		} else {
			argv[2 + n++] = argv[i];
		}
	}
	if (!n) {
		pr_err("--list: name the files, directories or patterns to list");
		return 2;
	}
	if (o.end_ns && o.end_ns <= o.start_ns) {
		pr_err("--list: --end is not after --start");
		return 2;
	}
	return dumplist_command(argv + 2, n, &o, stdout);
}

int main(int argc, char **argv)
{
	static struct capdump d;
	char err[512], last[PATH_MAX] = "";
	unsigned int nfiles = 0;
	int r, rc;

	log_init("capdump", LOG_INFO);
	/* Before the options, which may set how stdout is buffered (-l). */
	if (delivery_init(&d.text, DELIVERY_RING) < 0 || delivery_stdout(&d.text) < 0) {
		pr_err("standard output: %s", strerror(ENOMEM));
		return 1;
	}
	argv[0] = "capdump"; /* getopt's messages name the program, not its path */
	if (argc > 1 && !strcmp(argv[1], "--index"))
		return index_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--list"))
		return list_main(argc, argv);
	if (parse_args(argc, argv, &d.o) < 0)
		return 2;
	stop = readopt_signals();
	d.carry_mark = UINT64_MAX;
	d.selective = dumpselect_active(&d.o.sel);
	if (d.o.out && !strcmp(d.o.out, "-") && isatty(STDOUT_FILENO)) {
		pr_err("-w -: standard output is a terminal; pipe it (| wireshark -k -i -)");
		return 2;
	}
	if (d.o.packet_flush && !d.o.out)
		setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
	/* Into a pipe: what reached its reader is what the summary counts. */
	if (d.o.out && !d.o.compress && !d.o.rotate_bytes && !d.o.rotate_secs && !d.o.resume &&
	    zout_target(d.o.out, &(const char *){ NULL }) == ZOUT_TARGET_IN_PLACE) {
		if (delivery_init(&d.piped, DELIVERY_RING) < 0) {
			pr_err("%s", strerror(ENOMEM));
			return 1;
		}
		d.piping = true;
	}
	/* A reader gone from the pipe stops us at once, even with no packet to write. */
	if ((!d.o.out || !strcmp(d.o.out, "-")) && readopt_watch_pipe(STDOUT_FILENO) < 0)
		pr_warn("standard output: cannot watch for its reader to go away");
	r = filter_open(d.o.expr, 1 /* Ethernet */, 65535, &d.filter, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return 2;
	}
	if (d.o.expr && *d.o.expr)
		snprintf(d.fcomment, sizeof(d.fcomment), "capdump filter: %s", d.o.expr);
	r = open_input(&d, argc, argv);
	if (r == 0)
		r = run(&d);
	/* What the summary tells of the output, before it is freed. */
	if (d.df) {
		snprintf(last, sizeof(last), "%s", dumpfile_current(d.df));
		nfiles = dumpfile_files(d.df);
		if (dumpfile_blocks_dropped(d.df) && !d.o.quiet)
			pr_warn("%llu block(s) of the input (names, statistics, secrets, custom) "
				"not carried: pcap holds packets only",
				(unsigned long long)dumpfile_blocks_dropped(d.df));
	}
	rc = dumpfile_close(d.df);
	d.df = NULL;
	dumpindex_free(d.ix);
	retain_free(d.ret);
	if (!r)
		r = rc;
	/* The last flush, at close, may be the one that fails (a full disk). */
	if (rc < 0 && !d.write_err)
		d.write_err = rc;
	fflush(stdout);
	/* A reader that closed the pipe ends the run, as with tcpdump: no error. */
	if (readopt_pipe_closed()) {
		if (r == -EPIPE)
			r = 0;
		if (d.write_err == -EPIPE)
			d.write_err = 0;
	}
	/* Every file is complete: the state names none. */
	if (r == 0 && d.o.resume && d.src)
		save_state(&d, &(struct dumpfile_safe){ .packets = d.t.written }, false);
	if (d.write_err && !d.o.out)
		pr_err("standard output: %s", strerror(-d.write_err));
	else if (d.write_err)
		pr_err("%s: %s; the file is closed and holds everything up to its last flush", last,
		       strerror(-d.write_err));
	if (!d.o.quiet) {
		/* Into a pipe or to stdout: what reached it, not what was handed on. */
		uint64_t written = !d.o.out ? d.text.done : d.piping ? d.piped.done : d.t.written;

		fprintf(stderr, "capdump: %llu packets written", (unsigned long long)written);
		if (nfiles)
			fprintf(stderr, " to %u file%s", nfiles, nfiles == 1 ? "" : "s");
		/* From files, the losses are what their packets' epb_dropcount told. */
		fprintf(stderr, ", %llu filtered out, %llu %s", (unsigned long long)d.t.filtered,
			(unsigned long long)d.t.lost,
			d.src ? "lost to ring overruns" : "lost as the input told (epb_dropcount)");
		if (d.src) {
			uint64_t before = 0, recv, ifdrop, osdrop;
			unsigned int i, k;

			/* Across capd's restarts, as the ISBs count them. */
			for (i = 0; i < ringsrc_count(d.src); i++) {
				counts_refresh(&d, i, false);
				for (k = 0; k < RING_MAX_IFACES; k++) {
					counts_iface(&d.counts[i], k, &recv, &ifdrop, &osdrop);
					before += ifdrop + osdrop;
				}
			}
			fprintf(stderr, ", %llu dropped before the ring (NIC/kernel)",
				(unsigned long long)before);
		}
		if (d.selective && d.files_total)
			fprintf(stderr, "; read %u of %u files (%u left out by their indexes)",
				d.o.in.nfiles, d.files_total, d.files_total - d.o.in.nfiles);
		if (readopt_pipe_closed())
			fprintf(stderr, "; stopped: the reader of %s closed it",
				d.o.out && strcmp(d.o.out, "-") ? d.o.out : "standard output");
		fputc('\n', stderr);
		if (d.src && ringsrc_count(d.src) > 1)
			summary_rings(d.src);
		summary_wire(&d);
	}
	delivery_free(&d.text);
	delivery_free(&d.piped);
	resume_track_free(&d.track);
	readloop_close(d.rl);
	filter_close(d.filter);
	for (unsigned int k = 0; k < d.nlt_filter; k++)
		filter_close(d.lt_filter[k].f);
	free(d.o.expr);
	held_drop(&d);
	free(d.held);
	free(d.start_at);
	free(d.epb_opts);
	readopt_input_free(&d.o.in);
	return r == -ESRCH ? 3 /* capd does not run the ring */ : r < 0 ? 1 : 0;
}
