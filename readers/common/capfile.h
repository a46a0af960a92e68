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

#include <stddef.h>
#include <stdint.h>

#define CAPFILE_BLOCK_MAX  (16u << 20)
#define CAPFILE_IFACES_MAX 65536u /* over all sections of one file */

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
};

struct capfile_rec {
	uint64_t ts_ns; /* ns since 1970 UTC (tsresol and tsoffset applied); 0 for SPB */
	uint32_t caplen, wirelen;
	const uint8_t *data; /* caplen bytes, valid until the next call on the handle */
	uint32_t if_id;	     /* index for capfile_iface() */
	uint32_t epb_flags;  /* 0 when absent */
	uint64_t dropcount;  /* 0 when absent */
};

/* A name an NRB gives an address (capdump writes the feeds' names so). */
#define CAPFILE_NAMES_MAX 256 /* addresses kept; more are not named */
struct capfile_name {
	uint8_t family;	  /* 4 or 6 */
	uint8_t addr[16]; /* network order; IPv4 in addr[0..3] */
	char name[64];	  /* the record's first name, cut to fit; control characters as ? */
};

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
 *	   failed open).
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
 * NRBs are recorded.
 * @return 1 and *r filled; 0 at the end of the file; or, with a message for
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

/* The name given to capfile_open() (or capfile_open_fd(), _mem()). */
const char *capfile_path(const struct capfile *f);

enum capfile_format capfile_format(const struct capfile *f);

/* 1 if the input is zstd-compressed. */
int capfile_compressed(const struct capfile *f);

/* Decompressed bytes consumed: the end of the last block read. */
uint64_t capfile_offset(const struct capfile *f);

/* NULL is ok.  Closes the file unless it came from capfile_open_fd(). */
void capfile_close(struct capfile *f);

#endif
