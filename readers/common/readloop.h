/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readloop.h - the one loop every reader program runs: it opens what the
 * command line names (rings, or capture files read one after another),
 * keeps the reader announced to capctl, and hands each packet, ring record
 * or file record alike, to the program's callback.
 *
 *	readloop_open(&rl, &opts.in, err, sizeof(err));
 *	... seek in readloop_rings(rl), set up output ...
 *	readloop_announce(rl, "capdump", argc, argv, err, sizeof(err));
 *	r = readloop_run(rl, &ops, ctx, &stop, err, sizeof(err));
 *	... summary from readloop_rings(rl) ...
 *	readloop_close(rl);
 *
 * The loop never logs: what went wrong with the input is a line in err.
 */
#ifndef CAPD_READLOOP_H
#define CAPD_READLOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile.h"
#include "readopt.h"
#include "ringsrc.h"
#include "wirets.h"

struct reader_status_archive;

#define READLOOP_NO_QUEUE UINT32_MAX

/*
 * One packet, from a ring or a file; valid during the callback only.
 *
 * Time from the wire: when the packet's interface carries a switch's stamp
 * (ring_iface.wire_ts; a file's IDB option, pcapng_wirets.h; --wire-ts),
 * the loop decodes it (wirets_decode() with the host's stamp) and ts is
 * the wire time if the status is WIRETS_OK (TAI made UTC with the clock's
 * offset, as the host's stamps are), else the host's stamp: never a wrong
 * time silently.  A file written by capdump says so per packet (its EPB
 * option): wire then comes from there, and ts is the file's.  Rings merge
 * by the host's stamp (capture order), whatever ts says.
 */
struct readloop_pkt {
	uint64_t ts;	     /* ns since 1970 UTC: the wire time, else the host's */
	uint64_t host_ts;    /* the capturing host's stamp, ns since 1970 UTC */
	const uint8_t *data; /* caplen bytes, as captured (stamp included) */
	uint32_t caplen;
	uint32_t wirelen;
	const struct wirets *wire; /* the decoded stamp; NULL: the interface has none */
	/*
	 * The frame without its stamp, as the switch received it: for the
	 * Arista header always (a pcap filter cannot see through it), for
	 * the trailers with readopt_input.strip_wire; wire->status WIRETS_OK
	 * only.  Else data, caplen and wirelen.
	 */
	const uint8_t *orig;
	uint32_t orig_caplen, orig_wirelen;
	/*
	 * Interface: from rings, the interfaces of all rings numbered in ring
	 * order (readloop_if_base()); from a file, capfile_rec.if_id.
	 */
	uint32_t if_id;
	uint32_t queue;	    /* the NIC queue; READLOOP_NO_QUEUE from files */
	uint32_t epb_flags; /* a file's epb_flags (0 when absent); 0 from rings */
	/* Packets lost right before this one: from a ring, records this reader
	 * lost to overruns; from a file, its epb_dropcount. */
	uint64_t lost;
	const struct ring_feed *feed;	/* the ring's feed it matched, or NULL */
	const struct ringsrc_rec *rec;	/* from a ring: the record; else NULL */
	const struct capfile *file;	/* from a file: the file; else NULL */
	const struct capfile_rec *frec; /* from a file: its record (raw timestamp,
					 * options); else NULL */
};

struct readloop_ops {
	/*
	 * Every packet, in order.
	 * @return 0 to go on; 1 to stop (done, e.g. -c reached); -errno to
	 *         stop on an error the callback has reported itself.
	 */
	int (*packet)(void *ctx, const struct readloop_pkt *p);
	/*
	 * Rings only, may be NULL: the wall clock (UTC ns) when no record came
	 * for 100 ms (idle), and after a record when 256 records or 10 ms
	 * have passed since the last tick, so that time-driven work
	 * (rotation, flushes, report intervals) goes on on time.
	 * @return as packet().
	 */
	int (*tick)(void *ctx, uint64_t now, bool idle);
	/*
	 * Files only, may be NULL: file f was opened (end false: before its
	 * first record; the interfaces described ahead of its packets are
	 * known) or has been read to its end or to damage (end true, before it
	 * is closed: every interface it described is known).
	 * @return as packet().
	 */
	int (*file)(void *ctx, const struct capfile *f, bool end);
	/*
	 * Files only, may be NULL: a block an output must carry (NRB, ISB,
	 * DSB, copyable custom block: capfile_carry()), in file order among
	 * the packets.  When NULL, files are read for their packets only.
	 * @return as packet().
	 */
	int (*block)(void *ctx, const struct capfile *f, const struct capfile_rec *b);
};

struct readloop;

/*
 * Whether stop is set: by a signal handler (readopt_signals()) or by
 * another thread that owns this loop's input, hence an atomic load.
 */
static inline bool readloop_stopped(const volatile sig_atomic_t *stop)
{
	return __atomic_load_n(stop, __ATOMIC_RELAXED) != 0;
}

/*
 * Open the input in names: its rings, positioned where in says (--from,
 * -T); or its files, which readloop_run() opens one at a time.
 * @return 0, or -errno with a line for the operator in err.
 */
int readloop_open(struct readloop **rl, const struct readopt_input *in, char *err, size_t errlen);

/* The rings read (for seeking before the run, their tables and counters),
 * or NULL when reading files. */
struct ringsrc *readloop_rings(const struct readloop *rl);

/*
 * Files: in file i (of in->files), pass over the packet blocks before
 * offset (capfile_skip_packets_before()).  @return 0, or -EINVAL if there
 * is no file i.
 */
int readloop_file_skip(struct readloop *rl, unsigned int i, uint64_t offset);

/* if_id of ring i's first interface (a ring without interfaces counts one). */
uint32_t readloop_if_base(const struct readloop *rl, unsigned int i);

/*
 * Tell capctl status that this program reads the rings (announce.h);
 * nothing for files.  Best effort: the run works the same after a failure.
 * @return 0, or -errno with a line for the operator in err.
 */
int readloop_announce(struct readloop *rl, const char *program, int argc, char **argv, char *err,
		      size_t errlen);

/* The archive a recorder keeps, for its announcement (announce_archive()),
 * now or once announced. */
void readloop_archive(struct readloop *rl, const struct reader_status_archive *ar);

/*
 * Deliver packets to ops until the input ends (every writer stopped and
 * everything read, or the last file read), *stop becomes non-zero, or a
 * callback stops.
 * A ring replaced by a new file (ringsrc.h) is followed into it, provided
 * the new file captures the same interfaces: else the packets' if_id would
 * no longer name them, and the run ends (-ENODEV).
 * @return 0 at an end; 1 if a callback said done; the callback's -errno
 *         (err = ""); or the input's -errno with a line in err (a ring
 *         reformatted under us, a ring replaced by one of other
 *         interfaces, a truncated or malformed file).
 */
int readloop_run(struct readloop *rl, const struct readloop_ops *ops, void *ctx,
		 const volatile sig_atomic_t *stop, char *err, size_t errlen);

/*
 * Per interface (if_id as in readloop_pkt) with a stamp from the wire:
 * packets by status and flags.  ok + absent + malformed + truncated +
 * no_utc is every packet of the interface; the host's time was used for
 * all but ok.
 */
struct readloop_wire_counts {
	uint64_t ok;	    /* the wire time used */
	uint64_t absent;    /* no stamp where its kind puts it */
	uint64_t malformed; /* a stamp that is not valid */
	uint64_t truncated; /* the capture cut it off */
	uint64_t no_utc;    /* a TAI stamp, but no TAI - UTC offset known */
	uint64_t degraded;  /* of all: the device's clock was degraded */
	uint64_t duplicate; /* of all: the device marked it a duplicate */
	uint8_t kind;	    /* enum wirets_kind last seen on the interface */
};

/* One past the highest if_id that had a stamp from the wire (0: none). */
uint32_t readloop_wire_ifaces(const struct readloop *rl);

/* The counts of interface if_id, or NULL when it had no stamp from the
 * wire; valid until the loop delivers another packet. */
const struct readloop_wire_counts *readloop_wire_counts(const struct readloop *rl, uint32_t if_id);

/* Withdraw the announcement, close the input; rl may be NULL. */
void readloop_close(struct readloop *rl);

#endif
