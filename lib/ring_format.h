/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_format.h - the shared-memory ABI between capd (one writer) and any
 * number of read-only readers.  Types and constants only; no functions.
 * docs/ring-format.md explains the rules in prose.
 *
 * File layout (all offsets from the start of the file):
 *
 *   0               struct ring_hdr     identity, writer state, positions
 *   RING_CLOCK_OFF  struct ring_clock   clock status, seqlock protected
 *   RING_STATS_OFF  struct ring_stats   interface table and counters
 *   RING_FEEDS_OFF  struct ring_feeds   the configured feeds, for readers
 *   data_off        block 0 .. block nblocks-1, block_size bytes each
 *
 * Positions are 64-bit absolute byte counts in an unbounded "data space"
 * that never wraps; absolute block b lives in slot b % nblocks.  Block b
 * starts with a struct ring_blk, followed by 8-byte aligned records that
 * never straddle the block's end.  A block ends with a RING_REC_F_PAD record
 * or, when fewer than sizeof(struct ring_rec) bytes remain, implicitly.
 *
 * All multi-byte fields are in host byte order (the ring never leaves the
 * machine) and every struct is naturally aligned.
 */
#ifndef CAPD_RING_FORMAT_H
#define CAPD_RING_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC   0x474e495244504143ULL /* "CAPDRING" read as little endian */
#define RING_VERSION 1			   /* bump on any incompatible change */

#define RING_BLOCK_SIZE_DEFAULT (2u << 20) /* one 2 MiB hugepage per block */
#define RING_BLOCK_SIZE_MIN	(64u << 10)
#define RING_BLOCK_SIZE_MAX	(1u << 30)
#define RING_NBLOCKS_MIN	3u /* oldest block, resync margin, writing block */

#define RING_CLOCK_OFF 4096u
#define RING_STATS_OFF 8192u
#define RING_FEEDS_OFF 42048u /* right after struct ring_stats */
#define RING_META_SIZE 65536u /* header pages; data_off is at least this */

#define RING_REC_ALIGN 8u
#define RING_ALIGN(n)  (((n) + (RING_REC_ALIGN - 1)) & ~(uint64_t)(RING_REC_ALIGN - 1))

#define RING_RUN_DIR_LEN    128
#define RING_READERS_SUBDIR "readers"

/* ring_hdr.writer_state */
enum ring_writer_state {
	RING_WRITER_NONE = 0,	 /* formatted, never written */
	RING_WRITER_RUNNING = 1, /* writer_pid is (or was, if it crashed) writing */
	RING_WRITER_STOPPED = 2, /* writer closed the ring cleanly */
};

/*
 * Page 0.  The first cache line is immutable once formatted; the next ones
 * are each written by the writer only, one concern per line so readers
 * polling `tail` do not share a line with the slowly changing fields.
 */
struct ring_hdr {
	/* line 0: identity */
	uint64_t magic;	     /* RING_MAGIC */
	uint32_t version;    /* RING_VERSION */
	uint32_t hdr_size;   /* sizeof(struct ring_hdr) */
	uint64_t file_size;  /* bytes of the whole mapping */
	uint64_t data_off;   /* file offset of slot 0; multiple of block_size */
	uint32_t block_size; /* power of two, RING_BLOCK_SIZE_MIN..MAX */
	uint32_t nblocks;    /* >= RING_NBLOCKS_MIN */
	uint32_t clock_off;  /* RING_CLOCK_OFF */
	uint32_t stats_off;  /* RING_STATS_OFF */
	uint64_t format_ns;  /* CLOCK_REALTIME when the file was formatted */
	uint64_t format_seq; /* next_seq when formatted: the seq of the first
			      * record this file ever holds (0 before it was
			      * defined: files formatted from scratch) */

	/* line 1: writer identity, changes on writer start/stop */
	uint32_t generation;   /* +1 at every writer start; 0 = never written */
	uint32_t writer_state; /* enum ring_writer_state */
	uint32_t writer_pid;
	uint32_t crashes;	  /* writer starts that found the previous writer
				   * had not closed the ring (killed, crashed) */
	uint64_t writer_start_ns; /* CLOCK_REALTIME at writer start */
	uint64_t heartbeat_ns;	  /* CLOCK_MONOTONIC, refreshed about every 100 ms */
	uint64_t crash_lost;	  /* records those writers had taken from the NIC
				   * and never published: the sum of the gaps in
				   * seq they left, all generations */
	/* The ring set this ring belongs to (lib/ring_set.h), set before the
	 * writer opens the ring, each writer start.  0, 0, 0 from a writer
	 * older than sets: a set of one. */
	uint32_t set_size;  /* rings the writer writes, one per capture thread */
	uint32_t set_index; /* this ring's place in the set, 0..set_size-1 */
	uint64_t set_id;    /* the same in every ring of one writer start */
	uint64_t reserved2;

	/* line 2: everything at absolute positions below `intent - capacity`
	 * may be overwritten at any moment (capacity = nblocks * block_size) */
	uint64_t intent;
	uint64_t reserved3[7];

	/* line 3: every record that starts below `tail` is complete */
	uint64_t tail;
	uint64_t next_seq;  /* sequence number of the next record to write */
	uint64_t bytes;	    /* payload bytes (caplen) written, all generations */
	uint64_t taken_seq; /* next_seq + the frames the writer has taken from
			     * its sockets and not yet published; stored before
			     * it copies them.  A new writer that finds it above
			     * next_seq starts there: the gap is what a killed
			     * writer lost */
	/* CLOCK_TAI when the writer began its last pass over its sockets
	 * that found nothing to take: what it publishes later was stamped
	 * after that, but for what the NIC and the kernel still held then
	 * (docs/ring-format.md, Merging rings).  0 = not known (a writer
	 * older than this field, or none since the writer started). */
	uint64_t quiet_ts;
	uint64_t reserved4[3];

	/* lines 4-5: the writer's run directory (capd's run.dir), NUL
	 * terminated, "" = none; set before the writer opens the ring.
	 * Readers announce themselves in its RING_READERS_SUBDIR. */
	char run_dir[RING_RUN_DIR_LEN];

	uint8_t reserved5[4096 - 4 * 64 - RING_RUN_DIR_LEN];
};

/*
 * Clock status (page 1), written by capd's housekeeping thread under a
 * seqlock: `seq` is odd while an update is in progress.  Readers copy the
 * struct and retry unless `seq` was even and unchanged around the copy.
 */
enum ring_ts_source {
	RING_TS_NONE = 0,	/* no timestamp */
	RING_TS_PHC = 1,	/* NIC hardware clock, via XDP rx metadata */
	RING_TS_KERNEL_TAI = 2, /* XDP ingress (bpf_ktime_get_tai_ns()), or the packet socket */
	RING_TS_USER_TAI = 3,	/* clock_gettime(CLOCK_TAI) in capd */
};

/* ring_clock.time_flags: the PTP timePropertiesDS flags, IEEE 1588 order */
enum ring_time_flags {
	RING_TIME_LEAP61 = 1 << 0,
	RING_TIME_LEAP59 = 1 << 1,
	RING_TIME_UTC_OFF_VALID = 1 << 2,
	RING_TIME_PTP_TIMESCALE = 1 << 3,
	RING_TIME_TIME_TRACEABLE = 1 << 4,
	RING_TIME_FREQ_TRACEABLE = 1 << 5,
};

/* ring_clock.ptp_status: how ptp4l's management socket answers */
enum ring_ptp_status {
	RING_PTP_OFF = 0,	/* no ptp4l configured (clock.ptp4l_socket = "") */
	RING_PTP_ANSWERING = 1, /* answered within the last 2 s */
	RING_PTP_NO_ANSWER = 2, /* no socket, or silent for 2 s: not running */
	RING_PTP_NO_ACCESS = 3, /* its socket refuses capd (permissions) */
	RING_PTP_WAITING = 4,	/* asked, no answer yet (capd just started) */
};

/* ring_clock.hwts_filter: the NIC's receive timestamp filter */
enum ring_hwts_filter {
	RING_HWTS_NA = 0,	/* no hardware stamps in use */
	RING_HWTS_ALL = 1,	/* every packet stamped, as capd set it */
	RING_HWTS_NARROWED = 2, /* someone (ptp4l) narrowed it: packets fall
				 * back to kernel stamps */
};

/*
 * ring_clock.sync_rule: the rule that gave the `synced` verdict, checked
 * in this order (docs/clock.md).  Below 100 the clock is synced.
 */
enum ring_sync_rule {
	RING_SYNC_PTP_SLAVE = 1,      /* ptp4l port SLAVE, |offset| <= max_offset */
	RING_SYNC_PTP_GM = 2,	      /* ptp4l is the grandmaster itself */
	RING_SYNC_KERNEL = 3,	      /* no ptp4l; the kernel calls the system
				       * clock synchronised (NTP, phc2sys) */
	RING_UNSYNC_UNKNOWN = 100,    /* nothing known yet */
	RING_UNSYNC_PTP_LOST = 101,   /* ptp4l does not answer */
	RING_UNSYNC_PTP_ACCESS = 102, /* ptp4l's socket refuses capd */
	RING_UNSYNC_PORT_STATE = 103, /* no port in SLAVE state */
	RING_UNSYNC_OFFSET = 104,     /* SLAVE, but |offset| > max_offset */
	RING_UNSYNC_PHC_SYS = 105,    /* kernel stamps, but the system clock is
				       * max_offset away from the PTP clock */
	RING_UNSYNC_KERNEL = 106,     /* no ptp4l; the kernel calls the system
				       * clock unsynchronised */
};

struct ring_clock {
	uint32_t seq;	     /* seqlock sequence, odd while writing */
	uint32_t version;    /* 1; grows only by using reserved bytes */
	uint64_t update_ns;  /* CLOCK_REALTIME of the last update, 0 = never */
	uint8_t port_state;  /* PTP portState (1 INITIALIZING .. 9 SLAVE), 0 unknown */
	uint8_t gm_present;  /* TIME_STATUS_NP gmPresent: a remote grandmaster */
	uint8_t ts_source;   /* enum ring_ts_source currently stamped */
	uint8_t synced;	     /* 1 when timestamps are traceable to the GM */
	uint16_t sync_rule;  /* enum ring_sync_rule: why `synced` is what it is */
	uint16_t time_flags; /* enum ring_time_flags */
	int16_t utc_offset;  /* TAI - UTC in seconds, per PTP */
	int16_t reserved0;
	int32_t kernel_tai_offset; /* adjtimex().tai */
	uint8_t gm_identity[8];	   /* PTP clockIdentity of the grandmaster */
	int64_t master_offset_ns;  /* ptp4l's offsetFromMaster */
	int64_t path_delay_ns;	   /* ptp4l's meanPathDelay */
	int64_t phc_offset_ns;	   /* PHC - CLOCK_TAI, 0 when unknown */
	uint64_t ptp_update_ns;	   /* CLOCK_REALTIME of ptp4l's last answer, 0 = never */
	/*
	 * A leap second: stamps (TAI) below leap_tai_ns convert with
	 * leap_offset_before, the others with leap_offset_after.  Set from
	 * the LEAP61/LEAP59 announcement until a day after the leap; 0 =
	 * no leap known, utc_offset applies throughout.
	 */
	uint64_t leap_tai_ns;
	int16_t leap_offset_before;
	int16_t leap_offset_after;
	uint8_t ptp_status;	   /* enum ring_ptp_status */
	uint8_t hwts_filter;	   /* enum ring_hwts_filter */
	uint16_t steps_removed;	   /* ptp4l's stepsRemoved */
	int32_t phc_index;	   /* /dev/ptpN of the stamping NIC, -1 none */
	uint8_t clock_identity[8]; /* ptp4l's own clockIdentity */
	uint8_t time_source;	   /* PTP timeSource of the grandmaster */
	uint8_t gm_clock_class;	   /* grandmasterClockQuality.clockClass */
	uint8_t reserved1[2];
	int64_t max_offset_ns; /* the configured bound of RING_SYNC_PTP_SLAVE */
	uint8_t reserved[256 - 112];
};

/*
 * Statistics (page 2 onwards): a table of the captured interfaces and one
 * counter set per captured queue, written by the writer process only.
 * Every counter is a naturally aligned uint64_t, read by readers with
 * relaxed atomic loads; counters only grow within a generation.
 */
#define RING_MAX_IFACES 16
#define RING_MAX_QUEUES 256
#define RING_IFNAME_LEN 16

/* ring_iface.path: how capd captures the interface */
enum ring_capture_path {
	RING_PATH_BYPASS = 0, /* XDP + AF_XDP: the kernel does not see the feeds */
	RING_PATH_SHARED = 1, /* AF_PACKET TPACKET_V3: the kernel delivers, capd copies */
};

/*
 * ring_iface.wire_ts: the timestamp a switch or tap writes into the frames
 * of the interface (capd.conf capture.interfaces[].timestamp).  capd stores
 * the frames as they arrive and stamps them with the host's clock as
 * always; readers decode the wire time (lib/wirets.h) and prefer it.  A
 * reader treats a value it does not know as none.
 */
enum ring_wire_ts {
	RING_WIRE_TS_NONE = 0,	   /* "nic": the host's stamp only */
	RING_WIRE_TS_METAMAKO = 1, /* Metamako / Arista 7130 trailer */
	RING_WIRE_TS_EXABLAZE = 2, /* Exablaze / Cisco Nexus 3550 trailer */
	RING_WIRE_TS_ARISTA64 = 3, /* Arista EOS header, 64-bit timestamp */
	RING_WIRE_TS_ARISTA48 = 4, /* Arista EOS header, 48-bit timestamp */
};

struct ring_iface {
	char name[RING_IFNAME_LEN]; /* NUL terminated */
	uint32_t ifindex;
	uint16_t nqueues;
	uint8_t xdp_mode;  /* 0 none, 1 native, 2 generic */
	uint8_t ts_source; /* enum ring_ts_source of this interface */
	uint8_t zerocopy;  /* 1 when AF_XDP runs zero-copy */
	char hardware[32]; /* driver and bus address, NUL terminated */
	uint8_t path;	   /* enum ring_capture_path */
	uint8_t wire_ts;   /* enum ring_wire_ts: the stamp a switch writes into
			    * this interface's frames; 0 from an older capd */
	uint8_t reserved[5];
};

struct ring_queue_stats {
	uint16_t iface; /* index into ring_stats.ifaces */
	uint16_t queue; /* NIC queue id */
	uint32_t reserved0;
	uint64_t packets;	 /* records written from this queue */
	uint64_t bytes;		 /* wire bytes of those packets */
	uint64_t truncated;	 /* packets longer than the snaplen */
	uint64_t xsk_rx_dropped; /* XDP_STATISTICS: rx_dropped */
	uint64_t xsk_rx_ring_full;
	uint64_t xsk_fill_ring_empty;
	uint64_t xsk_invalid_descs;
	uint64_t xdp_redirected; /* counters of the XDP program */
	uint64_t xdp_passed;
	uint64_t xdp_meta_failed;
	uint64_t nic_dropped;	/* NIC drops (out of buffers) of the interface since
				 * the writer started, on its first queue only */
	uint64_t xdp_no_socket; /* selected frames that met no capd socket on
				 * their queue (a queue not captured), passed
				 * to the kernel: the whole interface's since
				 * the writer started, on its first queue only */
	/* the shared path's AF_PACKET socket (PACKET_STATISTICS, summed
	 * since the writer started; 0 on the bypass path) */
	uint64_t pkt_packets; /* frames its filter took, pkt_drops included */
	uint64_t pkt_drops;   /* of those, dropped: no free block in its ring */
	uint64_t reserved[1];
};

struct ring_stats {
	uint32_t niface;
	uint32_t nqueue;
	uint64_t busy_ns; /* capture thread time spent moving packets */
	uint64_t batches; /* non-empty receive batches */
	uint64_t polls;	  /* passes of the capture loop over its sockets */
	/* Local sockets a bypass interface takes a feed from (capd(8), LOCAL
	 * CONSUMERS), refreshed every 2 s by housekeeping: how many now, and
	 * how many appeared since the writer started (those there at start
	 * included).  0 and 0 from a writer that does not check. */
	uint64_t local_consumers;
	uint64_t consumers_appeared;
	/* The capture thread that writes this ring: its core (-1 not
	 * pinned) and thread id.  Meaningful when ring_hdr.set_size != 0. */
	int32_t thread_cpu;
	uint32_t thread_tid;
	uint64_t reserved;
	struct ring_iface ifaces[RING_MAX_IFACES];
	struct ring_queue_stats queues[RING_MAX_QUEUES];
};

/*
 * The feeds capd was configured with, so readers can name them (pcapng NRB,
 * printed lines), know their ports and decode their sequence numbers.
 * Written by capd before it opens the ring as writer; constant for a
 * generation.  ring_rec.feed indexes feeds[].
 */
#define RING_MAX_FEEDS	    256
#define RING_FEED_NAME_LEN  32
#define RING_FEED_MAX_PORTS 16

/*
 * ring_feed.proto: the feed's sequence protocol (capd.conf feeds[].proto).
 * Taken from bytes that were reserved (zero) before, so 0 is "none": what
 * an older capd writes.  A reader treats any value it does not know as
 * none (lib/ring_feed.h).
 */
enum ring_feed_proto {
	RING_PROTO_NONE = 0,
	RING_PROTO_MOLDUDP64 = 1,
	RING_PROTO_MDP3 = 2,
	RING_PROTO_PITCH = 3,
	RING_PROTO_SEQ = 4, /* seq:OFFSET:WIDTH:be|le, in the seq_* fields */
};

/* ring_feed.seq_flags */
enum ring_feed_seq_flags {
	RING_SEQ_BIG_ENDIAN = 1 << 0,
};

struct ring_feed {
	char name[RING_FEED_NAME_LEN]; /* NUL terminated */
	uint8_t addr[16];	       /* network order; IPv4 in addr[0..3] */
	uint8_t family;		       /* 4 or 6 */
	uint8_t prefix_len;
	uint8_t nports;			     /* 0 = any port */
	uint8_t proto;			     /* enum ring_feed_proto */
	uint16_t ports[RING_FEED_MAX_PORTS]; /* host order */
	/* RING_PROTO_SEQ only, else 0: */
	uint16_t seq_offset; /* bytes from the start of the UDP payload */
	uint8_t seq_width;   /* 1, 2, 4 or 8 bytes */
	uint8_t seq_flags;   /* enum ring_feed_seq_flags */
};

struct ring_feeds {
	uint32_t nfeeds;
	uint32_t reserved[15];
	struct ring_feed feeds[RING_MAX_FEEDS];
};

/* Block header, at the start of every block. */
struct ring_blk {
	uint64_t block_no;   /* absolute block number; identifies the lap */
	uint64_t first_seq;  /* seq of the first record in this block */
	uint64_t ts_first;   /* timestamp of the first record, 0 while empty */
	uint64_t ts_max;     /* largest timestamp published in this block */
	uint32_t nrec;	     /* records published in this block */
	uint32_t used;	     /* bytes published, including this header */
	uint32_t generation; /* writer generation that started the block */
	uint32_t reserved0;
	uint64_t reserved1[2];
};

/* ring_rec.flags */
enum ring_rec_flags {
	RING_REC_F_PAD = 1 << 0,      /* filler to the end of the block; no packet */
	RING_REC_F_UNSYNCED = 1 << 1, /* the clock was not synced when stamped */
	RING_REC_F_VLAN = 1 << 2,     /* frame carries an 802.1Q tag */
};

#define RING_FEED_NONE 0xffffu

/* Record header; the caplen packet bytes follow, then padding to 8 bytes. */
struct ring_rec {
	uint64_t seq;	   /* consecutive over the ring's whole life */
	uint64_t ts_ns;	   /* nanoseconds, timescale given by ts_source */
	uint32_t caplen;   /* bytes stored after this header */
	uint32_t wirelen;  /* bytes on the wire, >= caplen */
	uint16_t iface;	   /* index into ring_stats.ifaces */
	uint16_t queue;	   /* NIC queue id */
	uint16_t feed;	   /* configured feed index, RING_FEED_NONE if none */
	uint8_t ts_source; /* enum ring_ts_source */
	uint8_t flags;	   /* enum ring_rec_flags */
};

_Static_assert(sizeof(struct ring_hdr) == 4096, "ring ABI v1: header page");
_Static_assert(offsetof(struct ring_hdr, format_seq) == 56, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, generation) == 64, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, intent) == 128, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, tail) == 192, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, crashes) == 76, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, crash_lost) == 96, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, taken_seq) == 216, "ring ABI v1");
_Static_assert(offsetof(struct ring_hdr, quiet_ts) == 224, "ring ABI v1: was reserved4");
_Static_assert(offsetof(struct ring_hdr, set_size) == 104, "ring ABI v1: was reserved2");
_Static_assert(offsetof(struct ring_hdr, set_id) == 112, "ring ABI v1: was reserved2");
_Static_assert(offsetof(struct ring_hdr, run_dir) == 256, "ring ABI v1");
_Static_assert(sizeof(struct ring_clock) == 256, "ring ABI v1: clock page");
_Static_assert(offsetof(struct ring_clock, gm_identity) == 32, "ring ABI v1");
_Static_assert(offsetof(struct ring_clock, leap_tai_ns) == 72, "ring ABI v1");
_Static_assert(offsetof(struct ring_clock, max_offset_ns) == 104, "ring ABI v1");
_Static_assert(sizeof(struct ring_iface) == 64, "ring ABI v1");
_Static_assert(sizeof(struct ring_queue_stats) == 128, "ring ABI v1");
_Static_assert(offsetof(struct ring_queue_stats, xdp_no_socket) == 96, "ring ABI v1");
_Static_assert(offsetof(struct ring_queue_stats, pkt_drops) == 112, "ring ABI v1");
_Static_assert(offsetof(struct ring_iface, path) == 57, "ring ABI v1");
_Static_assert(offsetof(struct ring_iface, wire_ts) == 58, "ring ABI v1: was reserved");
_Static_assert(offsetof(struct ring_stats, local_consumers) == 32, "ring ABI v1");
_Static_assert(offsetof(struct ring_stats, consumers_appeared) == 40, "ring ABI v1");
_Static_assert(offsetof(struct ring_stats, thread_cpu) == 48, "ring ABI v1: was reserved");
_Static_assert(sizeof(struct ring_stats) == 64 + 16 * 64 + 256 * 128, "ring ABI v1");
_Static_assert(RING_STATS_OFF + sizeof(struct ring_stats) <= RING_META_SIZE, "meta fits");
_Static_assert(RING_CLOCK_OFF + sizeof(struct ring_clock) <= RING_STATS_OFF, "clock fits");
_Static_assert(sizeof(struct ring_feed) == 88, "ring ABI v1");
_Static_assert(offsetof(struct ring_feed, family) == 48, "ring ABI v1");
_Static_assert(offsetof(struct ring_feed, proto) == 51, "ring ABI v1: was reserved0");
_Static_assert(offsetof(struct ring_feed, ports) == 52, "ring ABI v1");
_Static_assert(offsetof(struct ring_feed, seq_offset) == 84, "ring ABI v1: was reserved1");
_Static_assert(offsetof(struct ring_feed, seq_flags) == 87, "ring ABI v1");
_Static_assert(sizeof(struct ring_feeds) == 64 + RING_MAX_FEEDS * 88, "ring ABI v1");
_Static_assert(RING_FEEDS_OFF >= RING_STATS_OFF + sizeof(struct ring_stats), "feeds after stats");
_Static_assert(RING_FEEDS_OFF % 64 == 0, "feeds aligned");
_Static_assert(RING_FEEDS_OFF + sizeof(struct ring_feeds) <= RING_META_SIZE, "feeds fit");
_Static_assert(sizeof(struct ring_blk) == 64, "ring ABI v1: block header");
_Static_assert(sizeof(struct ring_rec) == 32, "ring ABI v1: record header");

#endif
