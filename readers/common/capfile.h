/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capfile.h - reading capture files for capdump -r and capstat -r: pcapng
 * (either byte order, any number of sections), pcap (microsecond or
 * nanosecond magic, either byte order), each optionally zstd-compressed
 * (detected by magic, not by name; concatenated frames are read in turn).
 *
 * Streaming: the input is read front to back once, so stdin and pipes work,
 * and memory is bounded: a block (or pcap record) larger than
 * CAPFILE_BLOCK_MAX is an error, not an allocation.  No input, however
 * malformed, makes these functions crash, loop or allocate without bound.
 *
 * A handle is used by one thread at a time.
 */
#ifndef CAPD_CAPFILE_H
#define CAPD_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring_format.h"

#define CAPFILE_BLOCK_MAX  (16u << 20)
#define CAPFILE_IFACES_MAX 65536u      /* over all sections of one file */
#define CAPFILE_OPTS_MAX   (16u << 20) /* all interfaces' option blobs of one file */

/*
 * OPTIONS BLOB: options handed on to a writer, in the pcapng option encoding
 * but in HOST byte order: per option a {u16 code, u16 len} header, the value,
 * zero padding to 4 bytes; no opt_endofopt; total a multiple of 4.  Values the
 * draft defines as numbers are in host order (if_speed, if_txspeed,
 * if_rxspeed, if_tzone, epb_flags, epb_dropcount, epb_packetid, epb_queue,
 * the ISB counters and times, the PEN of the custom options 2988/2989/19372/
 * 19373, an eBPF epb_verdict); strings and byte strings are copied as they
 * are.  Options are dropped (and counted in capfile_stats.opts_dropped) when
 * their length does not fit their code, when their code is unknown and the
 * section is not in host byte order, and for an if_filter in BPF byte code
 * from a section not in host byte order.
 */

struct capfile;

/*
 * An interface (pcapng IDB; a pcap file has exactly one).  Interfaces are
 * numbered across sections in file order, so an index stays valid for the
 * life of the handle; in a single-section file it is the IDB's interface ID.
 */
struct capfile_iface {
	uint16_t linktype;
	uint32_t snaplen;
	uint64_t ts_per_sec; /* from if_tsresol: 1000000 when absent */
	int64_t tsoffset;    /* if_tsoffset, seconds */
	char name[64];	     /* if_name, cut to fit; "" when absent */
	uint8_t tsresol;     /* if_tsresol as in the file: 6 when absent; pcap: 6 or 9 */
	/*
	 * The IDB's options as an OPTIONS BLOB, without if_tsresol and
	 * if_tsoffset (they are in the fields above); pcap: only if_fcslen, when
	 * the file header says an FCS is present.  Empty (and the options
	 * counted as dropped) once the blobs of the file exceed CAPFILE_OPTS_MAX.
	 * Valid for the life of the handle.
	 */
	const uint8_t *opts;
	uint32_t optlen;
	uint32_t section; /* 0-based, in file order (pcap: 0) */
	uint32_t sec_id;  /* the IDB's interface ID in its section */
};

/* What capfile_rec.kind says a record is. */
enum capfile_kind {
	CAPFILE_EPB = 1,
	CAPFILE_SPB,
	CAPFILE_PB, /* the obsolete Packet Block */
	CAPFILE_PCAP_REC,
	/* only with capfile_carry(f, true), returned with 2 */
	CAPFILE_NRB,
	CAPFILE_ISB,
	CAPFILE_DSB,
	CAPFILE_CUSTOM, /* copyable custom block, type 0x00000BAD */
};

struct capfile_rec {
	uint64_t ts_ns; /* ns since 1970 UTC (tsresol and tsoffset applied); 0 for SPB */
	uint32_t caplen, wirelen;
	const uint8_t *data; /* caplen bytes, valid until the next call on the handle */
	uint32_t if_id;	     /* index for capfile_iface() */
	uint32_t epb_flags;  /* 0 when absent */
	uint64_t dropcount;  /* 0 when absent */
	/* the timestamp as in the file, in its interface's units, before
	 * if_tsoffset (pcap: sec * 10^6 or 10^9 + fraction); 0 for an SPB */
	uint64_t ts_raw;
	bool has_ts;  /* false for an SPB */
	uint8_t kind; /* enum capfile_kind */
	/* EPB, PB: the packet's options as an OPTIONS BLOB (a PB's pack_flags
	 * and pack_hash keep their codes, epb_flags' and epb_hash'); else
	 * NULL, 0.  Valid until the next call on the handle. */
	const uint8_t *opts;
	uint32_t optlen;
};

/*
 * Counted, never silent (since the open, over all sections).  pcap: sections
 * is 1.
 */
struct capfile_stats {
	uint64_t sections;	 /* SHBs read */
	uint64_t unknown_blocks; /* blocks of a type this reader does not know: skipped */
	uint64_t nocopy_blocks;	 /* custom blocks 0x40000BAD: not to be copied, skipped */
	uint64_t opts_dropped;	 /* options left out of blobs and carried blocks */
	uint64_t spb;		 /* SPBs returned (packets without a timestamp) */
};

/* A name an NRB gives an address (capdump writes the feeds' names so). */
#define CAPFILE_NAMES_MAX 256 /* addresses kept; more are not named */
struct capfile_name {
	uint8_t family;	  /* 4 or 6 */
	uint8_t addr[16]; /* network order; IPv4 in addr[0..3] */
	char name[64];	  /* the record's first name, cut to fit; control characters as ? */
};

/* A file's feed table: what capdump recorded of its rings' feeds. */
#define CAPFILE_FEEDS_MAX 256 /* entries kept; more are left out */

enum capfile_format { CAPFILE_PCAPNG, CAPFILE_PCAP };

/*
 * Open path ("-" = stdin) and identify its format.  Before returning, a
 * pcapng file is read up to its first packet block, so the interfaces
 * described ahead of the packets are known: a filter can be compiled for
 * capfile_iface(f, 0)->linktype.  (On a live pipe this waits for the first
 * packet.)  Problems found past the identifying magic are reported by
 * capfile_next(), in file order.
 * @return 0 and *f set, or -errno and *f = NULL: -EINVAL if this is not a
 *	   capture file (or too little of one to tell), -EBADMSG if its zstd
 *	   data is corrupt before the format shows, -ENOENT etc. from open(2)
 *	   or read(2).  On failure
 *	   capfile_error(NULL) returns the reason (per thread, until the next
 *	   failed open).  A modified (Kuznetzov) pcap file is -EINVAL with a
 *	   message saying to convert it with editcap -F pcap.
 */
int capfile_open(const char *path, struct capfile **f);

/*
 * As capfile_open() on an open descriptor, read from its current position.
 * fd stays the caller's: capfile_close() does not close it.  name is used in
 * messages.
 */
int capfile_open_fd(int fd, const char *name, struct capfile **f);

/* As capfile_open() on len bytes at buf, which must outlive the handle. */
int capfile_open_mem(const void *buf, size_t len, const char *name, struct capfile **f);

/*
 * Read the next packet (EPB, SPB or obsolete PB; pcap record).  Other blocks
 * (ISB, DSB, custom, unknown) are skipped; IDBs, SHBs and the names of
 * NRBs are recorded.  With capfile_carry(f, true), see there.
 * @return 1 and *r filled; 2 and *r filled for a carried block (only with
 *	   capfile_carry()); 0 at the end of the file; or, with a message for
 *	   capfile_error():
 *	   -EIO if the file ends inside a block, a pcap record or a zstd frame
 *	   ("truncated at offset N"), returned once after every complete
 *	   packet, then 0;
 *	   -EBADMSG if the file is malformed, -EFBIG if a block exceeds
 *	   CAPFILE_BLOCK_MAX, -ENOMEM, or a read(2) error: these are returned
 *	   again on every later call.
 */
int capfile_next(struct capfile *f, struct capfile_rec *r);

/*
 * From the next capfile_next() on, also return (with 2) the blocks a
 * re-written file must carry, in file order among the packets: NRB, ISB, DSB
 * and copyable custom block (r->kind CAPFILE_NRB, _ISB, _DSB, _CUSTOM).
 * r->data and r->caplen (= r->wirelen) then hold the WHOLE block (header,
 * body, options ending with opt_endofopt if any, trailing length) re-encoded
 * in host byte order: numbers converted as in an OPTIONS BLOB, NRB records
 * (headers converted, values copied: addresses are byte strings) ending with
 * nrb_record_end, a DSB's secrets type and length converted and its secrets
 * copied, a custom block's PEN converted and the rest copied as it is.
 * r->if_id is the interface index (capfile_iface()) an ISB is about (its
 * if_id field keeps the file's value), else UINT32_MAX; an ISB's timestamp is
 * in r->ts_raw, ts_ns and has_ts.  Such blocks are checked as packets are:
 * one malformed (lengths, records, options, an ISB about an interface not
 * described) is -EBADMSG.  Call it before the first capfile_next(): the
 * blocks capfile_open() read ahead of the first packet are returned first.
 * Off by default: then capfile_next() returns packets only, as it always did.
 */
void capfile_carry(struct capfile *f, bool on);

/*
 * From the next capfile_next() on, packet blocks (EPB, SPB, PB) that start
 * before offset (decompressed bytes from the start of the file) are passed
 * over: not parsed, not returned; every other block is read as always.
 * For a reader whose index (capindex_seek()) shows that none of them is
 * wanted; a compressed file is still decompressed up to there.  0: none.
 * pcap: no effect.
 */
void capfile_skip_packets_before(struct capfile *f, uint64_t offset);

/* The counters of what was skipped or left out. */
const struct capfile_stats *capfile_stats(const struct capfile *f);

/*
 * One line, "FILE: offset N: what is wrong" (N in decompressed bytes), after
 * capfile_next() failed; "FILE: no error" while no problem has been met.
 * With f == NULL, the reason of this thread's last failed open.  Valid until
 * the next call on f.
 */
const char *capfile_error(const struct capfile *f);

unsigned int capfile_nifaces(const struct capfile *f);

/* @return interface i, or NULL if i >= capfile_nifaces(f). */
const struct capfile_iface *capfile_iface(const struct capfile *f, unsigned int i);

/*
 * The name the NRBs read so far give address addr (family 4 or 6: 4 or 16
 * bytes, network order), the last one for an address named twice; NULL if
 * none.  Valid until the next call on the handle.
 */
const char *capfile_name(const struct capfile *f, int family, const uint8_t *addr);

/*
 * Every address named by the NRBs read so far, in file order (an address
 * named twice once, with its last name); *n set to their number.  Valid
 * until the next call on the handle.
 */
const struct capfile_name *capfile_names(const struct capfile *f, unsigned int *n);

/*
 * The feed table the NRBs read so far hold (docs/pcapng-profile.md, "The
 * feed table"): the feeds of the rings a file was recorded from, with their
 * group or prefix, ports and protocol (ring_feed.h: ring_feed_match(),
 * ring_feed_seqdec()), in file order, each distinct entry once; *n set to
 * their number (0 for a file without one: another tool's, pcap).  The
 * entries are as the file has them: hostile input.  Valid until the next
 * call on the handle.
 */
const struct ring_feed *capfile_feeds(const struct capfile *f, unsigned int *n);

/* The name given to capfile_open() (or capfile_open_fd(), _mem()). */
const char *capfile_path(const struct capfile *f);

enum capfile_format capfile_format(const struct capfile *f);

/* 1 if the input is zstd-compressed. */
int capfile_compressed(const struct capfile *f);

/* Decompressed bytes consumed: the end of the last block read. */
uint64_t capfile_offset(const struct capfile *f);

/* Where the block (pcap: record) of the packet capfile_next() last returned
 * starts, in decompressed bytes from the start of the file. */
uint64_t capfile_block_offset(const struct capfile *f);

/* NULL is ok.  Closes the file unless it came from capfile_open_fd(). */
void capfile_close(struct capfile *f);

#endif
