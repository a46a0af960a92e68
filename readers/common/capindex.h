/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capindex.h - the index of one closed capture file, FILE.idx beside FILE:
 * what the file holds (time range, packets, bytes, drops per interface; per
 * feed packets, bytes, times and sequence numbers with the gaps inside the
 * file) and where in its decompressed stream a reader may start for a time.
 *
 * The format (docs/capdump.md, "Indexes") is binary, little-endian,
 * versioned: a header, nifaces interface records, nfeeds feed records, npos
 * position entries, then an FNV-1a 64 checksum of all the bytes before it.
 * Every layout is pinned by _Static_assert in capindex.c.
 *
 * An index names its data file by size, mtime (ns) and a hash of its last
 * CAPINDEX_TAIL bytes: an index older or newer than its file, or beside a
 * file replaced by another of the same size and time, is never trusted.
 * The hash costs one read of CAPINDEX_TAIL bytes; it catches a file
 * restored or rewritten with its old mtime (cp -p, touch -r), which size
 * and mtime alone would not.  The inode is not part of it, so that a copy
 * that keeps the mtime (cp -p, rsync -t) keeps its index valid.
 *
 * Reading (capindex_load(), capindex_parse()) treats the index as hostile:
 * any byte changed, any truncation, any count that does not fit the length
 * is refused with a reason, never read past.
 */
#ifndef CAPD_CAPINDEX_H
#define CAPD_CAPINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPINDEX_MAGIC	    "CAPDIDX\n"
#define CAPINDEX_VERSION    3u
#define CAPINDEX_SUFFIX	    ".idx"
#define CAPINDEX_TAIL	    65536u	 /* bytes of the data file hashed */
#define CAPINDEX_GAPS_MAX   16u		 /* gaps listed per feed; all are counted */
#define CAPINDEX_PAUSES_MAX 32u		 /* pauses listed per feed; all are counted */
#define CAPINDEX_PAUSE_NS   100000000u	 /* a feed silent this long (100 ms) paused */
#define CAPINDEX_FEEDS_MAX  256u	 /* feeds of a file's feed table */
#define CAPINDEX_IFACES_MAX 65536u	 /* interfaces (highest if_id + 1) */
#define CAPINDEX_POS_MAX    (1u << 20)	 /* position entries; more thin out (see below) */
#define CAPINDEX_POS_BYTES  (1u << 20)	 /* an entry at least every 1 MiB of stream... */
#define CAPINDEX_POS_NS	    100000000u	 /* ...and at the first packet of every 100 ms */
#define CAPINDEX_LEN_MAX    (256u << 20) /* a longer index is refused */

/* The header (all integers little-endian on disk). */
struct capindex_hdr {
	char magic[8];	    /* CAPINDEX_MAGIC, no NUL */
	uint32_t version;   /* CAPINDEX_VERSION */
	uint32_t hdr_len;   /* sizeof(struct capindex_hdr) */
	uint64_t total_len; /* of the whole index, checksum included */
	/* the data file this index describes */
	uint64_t data_size;
	uint64_t data_mtime_ns;
	uint64_t data_tail_hash; /* FNV-1a 64 of its last min(size, CAPINDEX_TAIL) bytes */
	/* what it holds */
	uint64_t packets;      /* packet blocks (EPB, SPB, PB; pcap records) */
	uint64_t packets_nots; /* of them without a timestamp (SPB): in no time range */
	uint64_t bytes_cap;    /* captured bytes of all packets */
	uint64_t bytes_wire;   /* their original lengths */
	uint64_t first_ns;     /* lowest timestamp, UTC ns; 0 with no timestamped packet */
	uint64_t last_ns;      /* highest */
	uint64_t unattributed; /* packets of no feed */
	uint64_t pos_bytes;    /* the position granularity actually used */
	uint64_t pos_ns;
	uint32_t nifaces;  /* interface records: highest if_id seen + 1 */
	uint32_t nfeeds;   /* feed records: the file's feed table, in its order */
	uint32_t npos;	   /* position entries */
	uint32_t flags;	   /* 0: none defined */
	uint64_t reserved; /* 0 */
	/*
	 * The recording period of the file: the lowest isb_starttime and the
	 * highest isb_endtime of its ISBs (capdump's say when the file was
	 * opened and closed); each first_ns/last_ns where no ISB has that
	 * option (a salvaged or foreign file).  span_start_ns <= span_end_ns.
	 */
	uint64_t span_start_ns;
	uint64_t span_end_ns;
};

/* struct capindex_iface.present: which ISB counters the file's last ISB had. */
enum capindex_isb_bits {
	CAPINDEX_ISB_SEEN = 1 << 0, /* an ISB at all */
	CAPINDEX_IFRECV = 1 << 1,
	CAPINDEX_IFDROP = 1 << 2,
	CAPINDEX_OSDROP = 1 << 3,
	CAPINDEX_FILTERACCEPT = 1 << 4,
	CAPINDEX_USRDELIV = 1 << 5,
};

/*
 * Interface if_id (the file's interface number) as the file tells it: its
 * packets, the sum of their epb_dropcount, and the counters of its last ISB
 * in the file (capdump's ISBs count from the start of the recording, so the
 * drops of one file are the difference with the previous file's).
 */
struct capindex_iface {
	uint32_t if_id;
	uint32_t present; /* enum capindex_isb_bits */
	uint64_t packets;
	uint64_t dropcount;
	uint64_t ifrecv, ifdrop, osdrop, filteraccept, usrdeliv; /* 0 when absent */
};

/* A gap: messages [from, to) missing before a packet stamped ts_ns. */
struct capindex_gap {
	uint64_t from, to;
	uint64_t ts_ns;
};

/*
 * A pause of a feed: no packet of it stamped after from_ns and before
 * to_ns, the times of the packets on either side (to_ns - from_ns >=
 * CAPINDEX_PAUSE_NS).
 */
struct capindex_pause {
	uint64_t from_ns, to_ns;
};

/* struct capindex_feed.proto: the feed's sequence decoder (0: none). */
enum capindex_proto {
	CAPINDEX_PROTO_NONE,
	CAPINDEX_PROTO_MOLDUDP64,
	CAPINDEX_PROTO_MDP3,
	CAPINDEX_PROTO_PITCH,
	CAPINDEX_PROTO_GENERIC,
};

/*
 * One feed of the file's feed table: what selects it (destination group or
 * prefix, ports; 0 ports = any) and what the file holds of it.  A packet
 * belongs to the first feed in table order whose prefix holds its
 * destination address and whose ports hold its UDP destination port.
 *
 * With a protocol: seq_first is the first message of the first packet
 * decoded, seq_last the last message of the last one; a packet whose first
 * message is beyond the one expected makes a gap (counted in gaps and
 * missing, the first CAPINDEX_GAPS_MAX listed); one before it is late
 * (reordered or repeated: it does not fill a gap already counted).  A new
 * session restarts the numbering (sessions counts the changes; session is
 * the last one's, first_session the first packet decoded's): seq_first is
 * numbered in first_session, seq_last in session, which is what a file is
 * compared with its neighbours by.  Without a change of session (sessions
 * 0) both are the same; with no packet decoded both are empty.
 *
 * seq_min and seq_max bound every message number the file holds of the
 * feed, in any session, late and repeated packets included: the lowest
 * first message and the highest last one (first + count - 1) of the
 * seq_msg_packets packets that carry at least one message (0, 0 if none).
 *
 * Pauses: the silences of at least CAPINDEX_PAUSE_NS between two of its
 * timestamped packets, in time order; the first CAPINDEX_PAUSES_MAX are
 * listed and pauses counts them all.  A packet stamped inside a listed
 * pause (one that came late) splits it, a piece shorter than the
 * threshold dropped.  So a window [T1, T2) of at least CAPINDEX_PAUSE_NS
 * inside [first_ns, last_ns] holds a packet of the feed unless a listed
 * pause covers it (from_ns < T1, T2 <= to_ns), when pauses == npauses.
 */
struct capindex_feed {
	char name[64]; /* NUL terminated */
	uint8_t addr[16];
	uint8_t family; /* 4 or 6 */
	uint8_t prefix_len;
	uint8_t nports;
	uint8_t proto; /* enum capindex_proto */
	uint16_t ports[16];
	uint32_t proto_offset; /* generic: where the number starts in the payload */
	uint8_t proto_width;   /* generic: 1, 2, 4 or 8 */
	uint8_t proto_be;      /* generic: big-endian */
	uint8_t session_len;
	uint8_t reserved0;
	uint8_t session[12]; /* of the last session seen, session_len bytes */
	uint64_t packets, bytes_cap, bytes_wire;
	uint64_t first_ns, last_ns; /* 0, 0 with no timestamped packet */
	uint64_t seq_first, seq_last;
	uint64_t seq_packets;	  /* packets decoded */
	uint64_t seq_undecodable; /* packets of the feed the decoder refused */
	uint64_t gaps, missing, late, sessions;
	uint32_t ngaps; /* listed, <= CAPINDEX_GAPS_MAX */
	uint32_t reserved1;
	struct capindex_gap gap[CAPINDEX_GAPS_MAX];
	uint64_t seq_min, seq_max;
	uint64_t seq_msg_packets; /* packets decoded that carry >= 1 message */
	uint8_t first_session_len;
	uint8_t reserved2[3];
	uint8_t first_session[12]; /* of the first packet decoded, first_session_len bytes */
	uint64_t pauses;	   /* all of them, listed or not */
	uint32_t npauses;	   /* listed, <= CAPINDEX_PAUSES_MAX, in time order */
	uint32_t reserved3;
	struct capindex_pause pause[CAPINDEX_PAUSES_MAX];
};

/*
 * A position: the packet block numbered packet (0-based, in file order)
 * starts at offset in the decompressed stream and is stamped ts_ns;
 * max_before is the highest timestamp of all packets before it (0 if
 * none).  Entries come in file order, at the first packet, then at the
 * first packet at least pos_bytes past the last entry or in a later pos_ns
 * slot of UTC time.  Past CAPINDEX_POS_MAX entries every other one is
 * dropped and both steps double, so the list stays bounded.
 */
struct capindex_pos {
	uint64_t offset;
	uint64_t packet;
	uint64_t ts_ns;
	uint64_t max_before;
};

struct capindex;

/* "FILE.idx" of data file path into buf.  @return 0 or -ENAMETOOLONG. */
int capindex_path(const char *data_path, char *buf, size_t len);

/* A feed's protocol by name ("moldudp64"; "none" for an unknown code). */
const char *capindex_proto_name(uint8_t proto);

/*
 * Read and check the index of data file data_path: its checksum, its
 * structure, and that it names data_path as it is now.
 * @return 0 and *ix; or, with one line in why: -ENOENT (no index),
 *	   -EBADMSG (corrupt or truncated), -ESTALE (it describes another
 *	   version of the file: size, mtime or content differ),
 *	   -EPROTONOSUPPORT (another version of the format), or the -errno of
 *	   reading either file.
 */
int capindex_load(const char *data_path, struct capindex **ix, char *why, size_t whylen);

/*
 * Check and take len bytes of an index (copied): everything capindex_load()
 * checks but the data file.  @return 0, -EBADMSG or -EPROTONOSUPPORT (why
 * set), -ENOMEM.
 */
int capindex_parse(const void *buf, size_t len, struct capindex **ix, char *why, size_t whylen);

void capindex_free(struct capindex *ix); /* NULL is ok */

/* In host byte order; valid until capindex_free(). */
const struct capindex_hdr *capindex_hdr(const struct capindex *ix);
const struct capindex_iface *capindex_iface(const struct capindex *ix, unsigned int i);
const struct capindex_feed *capindex_feed(const struct capindex *ix, unsigned int i);
const struct capindex_pos *capindex_pos(const struct capindex *ix, unsigned int i);

/*
 * Where to start reading for the packets stamped t_ns or later: the last
 * entry no packet before which is stamped t_ns or later (the first entry
 * if none qualifies; NULL for an index without entries).  Packets without
 * a timestamp before it are skipped too.
 */
const struct capindex_pos *capindex_seek(const struct capindex *ix, uint64_t t_ns);

/*
 * The identity of data file fd as an index records it (size, mtime ns,
 * tail hash).  @return 0 or -errno.
 */
int capindex_identify(int fd, uint64_t *size, uint64_t *mtime_ns, uint64_t *tail_hash);

/* FNV-1a 64 of len bytes, continuing from h (start with CAPINDEX_FNV_INIT). */
#define CAPINDEX_FNV_INIT 0xcbf29ce484222325ull
uint64_t capindex_fnv(uint64_t h, const void *p, size_t len);

/*
 * Encode an index (host-order parts) into a malloc'd buffer, checksum
 * included.  @return 0 and *buf, *len; or -ENOMEM, -EFBIG (longer than
 * CAPINDEX_LEN_MAX).
 */
int capindex_encode(const struct capindex_hdr *h, const struct capindex_iface *ifs,
		    const struct capindex_feed *feeds, const struct capindex_pos *pos,
		    uint8_t **buf, size_t *len);

/*
 * Write len bytes as the index of data_path, atomically: a temporary
 * ".NAME.idx.XXXXXX" in the same directory, fsync, rename, directory fsync.
 * A crash leaves no index or the whole one (and maybe the temporary, which
 * nothing reads).  @return 0 or -errno.
 */
int capindex_store(const char *data_path, const void *buf, size_t len);

#endif
