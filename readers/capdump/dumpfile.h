/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dumpfile.h - capdump's output: a sequence of pcapng (or nanosecond pcap)
 * files, plain or zstd, rotated by size, by wall-clock time and kept to a
 * number of files, each written under a temporary name and renamed when
 * complete, through zout in its threaded mode: zstd runs on zout's thread,
 * in batches (lib/zout.h).
 *
 * Every file is self-contained: SHB, one IDB per interface, an NRB naming
 * the feeds, the packets, and an ISB per interface at rotation and close
 * (docs/pcapng-profile.md).
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

#define DUMPFILE_MAX_IFACES  64
#define DUMPFILE_MAX_NAMES   256
#define DUMPFILE_COMMENT_MAX 1024 /* longest comment a callback may set */

struct dumpfile_iface {
	char name[64];
	char description[128];
	char hardware[64];
	uint32_t snaplen;
};

/* Fills the ISB counters of interface if_id (starttime/endtime/ts are set
 * by dumpfile itself); counters the caller does not know stay ABSENT.  It
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
	bool compress;		/* zstd (a pattern ending in ".zst") */
	bool pcap;		/* -F pcap: nanosecond pcap, no blocks but packets */
	uint64_t rotate_bytes;	/* -C: start a new file after this many bytes (0 = never) */
	uint64_t rotate_ns;	/* -G: new file at every multiple of this in UTC (0 = never) */
	unsigned int max_files; /* -W: keep at most this many files (0 = all) */
	bool keep_existing;	/* never replace a file: take NAME-N.EXT instead (no rotation) */
	const char *filter;	/* the expression, for if_filter */
	const char *userappl;	/* shb_userappl */
	const char *comment;	/* shb comment */
	const struct dumpfile_iface *ifaces;
	unsigned int nifaces;
	const struct pcapng_nrb_rec *names;
	unsigned int nnames;
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

/* @return 0; -EINVAL for bad options (dumpfile_check_target() among them);
 *         or -errno of creating the first file (message in err). */
int dumpfile_open(const struct dumpfile_opts *o, struct dumpfile **d, char *err, size_t errlen);

/*
 * Append one packet (rotating first when due).  ts is UTC ns.
 * @return 0, or the -errno of the output (e.g. -ENOSPC; sticky).
 */
int dumpfile_write(struct dumpfile *d, uint32_t if_id, uint64_t ts, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, uint32_t epb_flags, uint64_t dropcount,
		   uint32_t queue);

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
unsigned int dumpfile_files(const struct dumpfile *d); /* files opened */
const char *dumpfile_current(const struct dumpfile *d);

#endif
