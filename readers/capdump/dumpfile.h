/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dumpfile.h - capdump's output: a sequence of pcapng (or nanosecond pcap)
 * files, plain or zstd, rotated by size, by wall-clock time and kept to a
 * number of files, each written under a temporary name and renamed when
 * complete, through zout in its threaded mode: zstd runs on zout's thread
 * (or on workers: dumpfile_opts.workers), in batches each packet is
 * encoded into (lib/zout.h).
 *
 * Every file is self-contained: SHB, one IDB per interface known (those
 * given to dumpfile_open() and every one dumpfile_add_iface() added since,
 * in that order), an NRB naming the feeds and holding the feed table, the
 * sticky blocks (dumpfile_block()), then packets and blocks in stream
 * order, and, with an isb callback, an ISB per interface at rotation and
 * close (docs/pcapng-profile.md).
 *
 * File names: with rotation by time (-G) the pattern is passed through
 * strftime(3) in UTC for the start of each period; with rotation by size
 * (-C) and no '%' in the pattern a sequence number and the start time are
 * inserted before the extension: NAME_00001_20261121201604.pcapng.zst.
 * A rotated file never replaces a file, this run's or another's: the
 * numbers continue after the highest one already in the directory and skip
 * a name taken meanwhile; a strftime name that is taken (files rotated
 * within the second, a name that repeats) gets the next free "_NNNNN"
 * before the extension: NAME.EXT, NAME_00001.EXT...  Without rotation the
 * file replaces a regular file of its name (tcpdump -w), unless
 * keep_existing; a target that is not a regular file is never replaced:
 * standard output, a character device, a FIFO and a symlink (in a
 * directory only its owner can write) are written into as they are, other
 * kinds refused (lib/zout.h).
 */
#ifndef CAPD_DUMPFILE_H
#define CAPD_DUMPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "delivery.h"
#include "pcapng.h"

#define DUMPFILE_MAX_IFACES  256
#define DUMPFILE_MAX_NAMES   256
#define DUMPFILE_MAX_FEEDS   256	/* feed table entries (pcapng_feed.h) */
#define DUMPFILE_COMMENT_MAX 1024	/* longest comment a callback may set */
#define DUMPFILE_STICKY_MAX  (4u << 20) /* bytes of sticky blocks kept for later files */
#define DUMPFILE_NO_TS	     UINT64_MAX /* struct dumpfile_pkt: no timestamp */
#define DUMPFILE_NO_QUEUE    UINT32_MAX /* struct dumpfile_pkt: no epb_queue */

/* An interface; dumpfile copies all of it (opts included). */
struct dumpfile_iface {
	char name[64]; /* "" = absent, like description and hardware */
	char description[128];
	char hardware[64];
	uint32_t snaplen;
	uint16_t linktype; /* LINKTYPE_*: PCAPNG_LINKTYPE_ETHERNET for the rings */
	uint8_t tsresol;   /* if_tsresol of ts (struct dumpfile_pkt); 0 = 9 (ns) */
	int64_t tsoffset;  /* if_tsoffset, seconds added to ts */
	/* The interface's other options as an OPTIONS BLOB (pcapng.h), e.g. an
	 * input file's IDB's: then name, description and hardware are "" and
	 * only the blob describes it.  It must hold no if_tsresol or
	 * if_tsoffset (the fields above are those). */
	const void *opts;
	size_t optlen;
	const char *comment; /* an extra opt_comment (NULL = none) */
};

/*
 * A packet.  ts is in the units of its interface's tsresol, before its
 * tsoffset (the rings: UTC ns).  DUMPFILE_NO_TS (e.g. an SPB read from a
 * file): into pcapng as an SPB when if_id is 0 and it fits one (caplen is
 * min(wirelen, snaplen), no option), else as an EPB of timestamp 0 with an
 * opt_comment saying it had none; into pcap with timestamp 0.  Into pcap
 * (nanoseconds) ts is converted exactly from 10^-9 s and coarser, rounded
 * down from finer and binary resolutions (pcapng_ts_ns()).
 */
struct dumpfile_pkt {
	uint32_t if_id;
	uint64_t ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint32_t epb_flags; /* 0 = absent */
	uint64_t dropcount; /* 0 = absent */
	uint32_t queue;	    /* DUMPFILE_NO_QUEUE = absent (0 is queue 0) */
	/* The packet's other options, an OPTIONS BLOB (pcapng.h): the fields
	 * above are left absent where it has theirs. */
	const void *opts;
	size_t optlen;
};

/* Fills the ISB counters of interface if_id (starttime/endtime/ts are set
 * by dumpfile itself, before the call); counters the caller does not know
 * stay ABSENT.  It
 * may add a comment (at most DUMPFILE_COMMENT_MAX bytes) and custom
 * options, valid until the next call.  Also called to size the ISBs. */
typedef void (*dumpfile_isb_fn)(void *ctx, uint32_t if_id, struct pcapng_isb_info *isb);

/* May add a comment and custom options to the IDB of interface if_id when
 * a file starts; what they point to must stay valid until the next call. */
typedef void (*dumpfile_idb_fn)(void *ctx, uint32_t if_id, struct pcapng_idb_info *idb);

/* Told about every file that is complete under its final name. */
typedef void (*dumpfile_closed_fn)(void *ctx, const char *path);

/* A safe point: what a crash (with durable, a power loss) leaves on disk. */
struct dumpfile_safe {
	const char *tmp;       /* the file in progress, under its temporary name; NULL
				* if none (every file written is complete) */
	const char *final;     /* its final name */
	uint64_t offset;       /* its length at the last complete flush */
	uint64_t packets;      /* packets of all files up to that flush (zout_mark()) */
	uint64_t file_packets; /* of them, in the file in progress */
};

/*
 * Told of the safe points a restart must know before the output goes on,
 * synchronously: a file is about to be created (tmp set, offset 0, so that
 * a crash before the next point leaves no file the state does not name),
 * a file's headers are flushed (no packet is in it yet),
 * all of a file is flushed and it is about to be renamed (tmp set, offset
 * its whole content but the end of its zstd frame), and it was closed and
 * renamed (tmp NULL; a file salvaged after a write error holds the packets
 * of its last flush only).  The other safe points are read with
 * dumpfile_safe_point().
 */
typedef void (*dumpfile_safe_fn)(void *ctx, const struct dumpfile_safe *sp);

struct dumpfile_opts {
	const char *pattern;	/* -w: file name or pattern; "-" = standard output */
	int level;		/* zstd level when compress */
	unsigned int workers;	/* ... on this many threads (zout_opts.workers) */
	bool compress;		/* zstd (a pattern ending in ".zst") */
	bool pcap;		/* -F pcap: nanosecond pcap, no blocks but packets */
	uint64_t rotate_bytes;	/* -C: start a new file after this many bytes (0 = never) */
	uint64_t rotate_ns;	/* -G: new file at every multiple of this in UTC (0 = never) */
	unsigned int max_files; /* -W: keep at most this many files (0 = all) */
	bool keep_existing;	/* never replace a file: take NAME-N.EXT instead (no rotation) */
	const char *filter;	/* the expression, for if_filter */
	const char *userappl;	/* shb_userappl */
	const char *comment;	/* shb comment */
	const struct dumpfile_iface *ifaces; /* may be none: dumpfile_add_iface() */
	unsigned int nifaces;
	const struct pcapng_nrb_rec *names;
	unsigned int nnames;
	/* The feed table (lib/pcapng_feed.h): custom options of that NRB,
	 * which is written when there are names or feeds. */
	const struct pcapng_custom *feeds;
	unsigned int nfeeds;
	/* NULL: dumpfile writes no ISB of its own (a file's input carries
	 * its ISBs through dumpfile_block()). */
	dumpfile_isb_fn isb;
	dumpfile_idb_fn idb;
	dumpfile_closed_fn closed;
	dumpfile_safe_fn safe;
	/* Every flush reaches the disk (fdatasync) before it is a safe point;
	 * a closed file and its directory are fsync'd (--resume). */
	bool durable;
	/* -U: every packet is written out (flushed) before dumpfile_write()
	 * returns, for a reader at the other end of a pipe. */
	bool packet_flush;
	/* Told the end of every packet in the stream and what write(2) took
	 * (delivery.h): only for one uncompressed file written in place
	 * (standard output, a FIFO), where the stream is what was written. */
	struct delivery *delivery;
	void *ctx;
};

struct dumpfile;

/*
 * Whether -w pattern may take rotation or keep_existing, which make new
 * files next to it: not if it names standard output or an existing file
 * that is not a regular file, which is written into as it is or refused.
 * @return 0, or -EINVAL and a message in err.
 */
int dumpfile_check_target(const char *pattern, char *err, size_t errlen);

/*
 * Create the first file, with the interfaces of o (there may be none): an
 * input without packets still gives a valid file.  -F pcap with no
 * interface yet writes the pcap header when the first one is added, or at
 * close (LINKTYPE_ETHERNET) if none ever was.
 * @return 0; -EINVAL for bad options (dumpfile_check_target() among them,
 *         or interfaces as dumpfile_add_iface() refuses them); or -errno of
 *         creating the first file (message in err).
 */
int dumpfile_open(const struct dumpfile_opts *o, struct dumpfile **d, char *err, size_t errlen);

/*
 * A new interface, numbered after those known (*if_id): its IDB goes into
 * the current file at once, before any later packet, and into every later
 * file.  -F pcap holds one link type: an interface of another link type
 * than the first's is refused.
 * @return 0; -EINVAL (pcap and another link type; a malformed blob or one
 *         with if_tsresol/if_tsoffset), -E2BIG (DUMPFILE_MAX_IFACES known),
 *         message in err; or the output's -errno (sticky).
 */
int dumpfile_add_iface(struct dumpfile *d, const struct dumpfile_iface *i, uint32_t *if_id,
		       char *err, size_t errlen);

/*
 * Append one packet (rotating first when due; -G by its time in ns).
 * @return 0; -EMSGSIZE if it cannot be encoded (a blob not well formed, too
 *         large); or the -errno of the output (e.g. -ENOSPC; sticky).
 */
int dumpfile_write(struct dumpfile *d, const struct dumpfile_pkt *p);

/*
 * A complete pre-built pcapng block in host byte order (header, body,
 * options, trailing length): an NRB, a DSB, an ISB naming an interface
 * known, a custom block.  It goes into the current file in stream order
 * (it never rotates); a sticky one (NRB, DSB) also into every later file,
 * after its IDBs.  Into pcap no block goes: dropped, counted
 * (dumpfile_blocks_dropped()), 0.
 * @return 0; -EINVAL for a block that is not well framed or of a type
 *         that would change the file's structure (SHB, IDB, packets), or an
 *         ISB of an unknown interface; -E2BIG: sticky, written into the
 *         current file but not kept for later ones, as the sticky blocks
 *         would exceed DUMPFILE_STICKY_MAX (the caller says so; the output
 *         goes on); or the output's -errno (sticky).
 */
int dumpfile_block(struct dumpfile *d, const void *blk, size_t len, bool sticky);

/* Called while idle: time rotation and flush cadence without packets. */
int dumpfile_tick(struct dumpfile *d, uint64_t now_utc);

/*
 * The last safe point (see dumpfile_safe_fn) as of the output's last sync
 * point (lib/zout.h): never ahead of the disk.  For --resume.
 * @return false if no file is open or it has no complete flush yet.
 */
bool dumpfile_safe_point(const struct dumpfile *d, struct dumpfile_safe *sp);

/* Write the ISBs, close the current file.  @return 0 or the first error. */
int dumpfile_close(struct dumpfile *d);

uint64_t dumpfile_packets(const struct dumpfile *d);
uint64_t dumpfile_blocks_dropped(const struct dumpfile *d); /* pcap: blocks not written */
unsigned int dumpfile_nifaces(const struct dumpfile *d);    /* interfaces known */
unsigned int dumpfile_files(const struct dumpfile *d);	    /* files opened */
const char *dumpfile_current(const struct dumpfile *d);

/* The packet dumpfile_write() wrote last, for capdump's index. */
struct dumpfile_last {
	uint64_t offset; /* its block (pcap: record) in the file's uncompressed stream */
	uint64_t ts_ns;	 /* its time as written, UTC ns (0: none) */
	bool spb;	 /* written as an SPB: no timestamp */
};
const struct dumpfile_last *dumpfile_last(const struct dumpfile *d);

/* The output's sticky error (0: none): a file closed after one holds its
 * packets up to its last flush only. */
int dumpfile_error(const struct dumpfile *d);

/* The if_tsresol (as written: 9 for 0) and if_tsoffset of the IDB of
 * interface if_id (9, 0 for one it does not have, or d NULL: the isb
 * callback may run inside dumpfile_open()). */
void dumpfile_iface_ts(const struct dumpfile *d, uint32_t if_id, uint8_t *tsresol,
		       int64_t *tsoffset);

#endif
