/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng.h - pure encoders for the capture files the readers write: pcapng
 * blocks, and legacy pcap (nanosecond magic) for tools that cannot read
 * pcapng.  No I/O, no allocation, no global state; safe from any thread.
 *
 * Every encoder returns the total length of its block (a multiple of 4 for
 * pcapng) and writes the block into buf only if it fits in cap; otherwise buf
 * is left untouched.  So cap 0 (buf may be NULL) measures, and one code path
 * both measures and emits:
 *
 *	n = pcapng_epb(buf, cap, &e);
 *	if (n > cap)
 *		... flush or grow, then call again ...
 *
 * A return of 0 means the block cannot be represented (it would exceed the
 * 32-bit block length); nothing is written.
 *
 * Blocks are written in host byte order; the SHB's byte-order magic tells
 * readers which one.  The field layouts below are the file format (draft-ietf-
 * opsawg-pcapng) and are pinned by _Static_assert in pcapng.c.  Which options
 * capd's files carry, and when, is docs/pcapng-profile.md.
 *
 * Strings are NUL-terminated UTF-8; NULL or "" means the option is absent.
 * A value longer than an option can hold (65535 bytes, less any fixed part)
 * is cut at a UTF-8 character boundary rather than overflowing the 16-bit
 * option length.  Custom option data is cut the same way.
 */
#ifndef CAPD_PCAPNG_H
#define CAPD_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 for struct pcapng_nrb_rec */

#define PCAPNG_LINKTYPE_ETHERNET 1
#define PCAPNG_PEN		 32473	    /* RFC 5612 example PEN until the project has its own */
#define PCAPNG_ABSENT		 UINT64_MAX /* an optional counter that is not written */
#define PCAPNG_EPB_INBOUND	 0x1u	    /* epb_flags bits 0-1 = 01 */
#define PCAPNG_EPB_MULTICAST	 (0x2u << 2) /* reception type 010 */
#define PCAPNG_EPB_BROADCAST	 (0x3u << 2)
#define PCAPNG_EPB_UNICAST	 (0x1u << 2)

/* The one padding rule of pcapng: every field ends on a 32-bit boundary. */
#define PCAPNG_PAD(n) (((size_t)(n) + 3) & ~(size_t)3)

/* Block types. */
#define PCAPNG_BT_SHB	    0x0A0D0D0Au /* a palindrome: readable before the byte order is known */
#define PCAPNG_BT_IDB	    0x00000001u
#define PCAPNG_BT_PB	    0x00000002u /* obsolete Packet Block: read, never written */
#define PCAPNG_BT_SPB	    0x00000003u
#define PCAPNG_BT_NRB	    0x00000004u
#define PCAPNG_BT_ISB	    0x00000005u
#define PCAPNG_BT_EPB	    0x00000006u
#define PCAPNG_BT_DSB	    0x0000000Au
#define PCAPNG_BT_CB	    0x00000BADu
#define PCAPNG_BT_CB_NOCOPY 0x40000BADu

#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_VERSION_MAJOR	1
#define PCAPNG_VERSION_MINOR	0

/* Option codes valid in every block. */
#define PCAPNG_OPT_ENDOFOPT	     0
#define PCAPNG_OPT_COMMENT	     1
#define PCAPNG_OPT_CUSTOM_STR	     2988 /* copyable UTF-8 string */
#define PCAPNG_OPT_CUSTOM_BIN	     2989 /* copyable octets */
#define PCAPNG_OPT_CUSTOM_STR_NOCOPY 19372
#define PCAPNG_OPT_CUSTOM_BIN_NOCOPY 19373
#define PCAPNG_OPT_MAXLEN	     65535u

/* SHB options. */
#define PCAPNG_SHB_HARDWARE 2
#define PCAPNG_SHB_OS	    3
#define PCAPNG_SHB_USERAPPL 4

/* IDB options. */
#define PCAPNG_IF_NAME	      2
#define PCAPNG_IF_DESCRIPTION 3
#define PCAPNG_IF_SPEED	      8
#define PCAPNG_IF_TSRESOL     9	 /* u8: MSB 0 = 10^-n s, MSB 1 = 2^-n s; absent = 10^-6 */
#define PCAPNG_IF_FILTER      11 /* first octet 0 = libpcap filter string */
#define PCAPNG_IF_OS	      12
#define PCAPNG_IF_FCSLEN      13
#define PCAPNG_IF_TSOFFSET    14 /* int64 seconds added to every timestamp */
#define PCAPNG_IF_HARDWARE    15

/* EPB options (PB's pack_flags has the same code and format as epb_flags). */
#define PCAPNG_EPB_FLAGS     2
#define PCAPNG_EPB_HASH	     3
#define PCAPNG_EPB_DROPCOUNT 4
#define PCAPNG_EPB_PACKETID  5
#define PCAPNG_EPB_QUEUE     6
#define PCAPNG_EPB_VERDICT   7

/* ISB options; starttime and endtime are timestamps (high word first). */
#define PCAPNG_ISB_STARTTIME	2
#define PCAPNG_ISB_ENDTIME	3
#define PCAPNG_ISB_IFRECV	4
#define PCAPNG_ISB_IFDROP	5
#define PCAPNG_ISB_FILTERACCEPT 6
#define PCAPNG_ISB_OSDROP	7
#define PCAPNG_ISB_USRDELIV	8

/* NRB record types. */
#define PCAPNG_NRB_END	0
#define PCAPNG_NRB_IPV4 1
#define PCAPNG_NRB_IPV6 2

/* Legacy pcap. */
#define PCAP_MAGIC_USEC	   0xA1B2C3D4u
#define PCAP_MAGIC_NSEC	   0xA1B23C4Du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

/*
 * On-disk fixed parts, in the section's byte order.  Each pcapng block is
 * followed by its body, options, and the total length repeated.
 */
struct pcapng_block_hdr {
	uint32_t type;
	uint32_t len; /* whole block, both length fields included */
} __attribute__((__packed__));

struct pcapng_shb_hdr {
	uint32_t type; /* PCAPNG_BT_SHB */
	uint32_t len;
	uint32_t bom; /* PCAPNG_BYTE_ORDER_MAGIC */
	uint16_t major, minor;
	int64_t section_len; /* -1: unknown (we stream) */
} __attribute__((__packed__));

struct pcapng_idb_hdr {
	uint32_t type; /* PCAPNG_BT_IDB */
	uint32_t len;
	uint16_t linktype;
	uint16_t reserved;
	uint32_t snaplen; /* 0: no limit */
} __attribute__((__packed__));

struct pcapng_epb_hdr {
	uint32_t type; /* PCAPNG_BT_EPB */
	uint32_t len;
	uint32_t if_id;
	uint32_t ts_high, ts_low;
	uint32_t caplen, wirelen;
} __attribute__((__packed__));

struct pcapng_spb_hdr {
	uint32_t type; /* PCAPNG_BT_SPB */
	uint32_t len;
	uint32_t wirelen;
} __attribute__((__packed__));

struct pcapng_pb_hdr {
	uint32_t type; /* PCAPNG_BT_PB */
	uint32_t len;
	uint16_t if_id;
	uint16_t drops; /* 0xFFFF: unknown */
	uint32_t ts_high, ts_low;
	uint32_t caplen, wirelen;
} __attribute__((__packed__));

struct pcapng_isb_hdr {
	uint32_t type; /* PCAPNG_BT_ISB */
	uint32_t len;
	uint32_t if_id;
	uint32_t ts_high, ts_low;
} __attribute__((__packed__));

/* Options and NRB records share this TLV header; len excludes padding. */
struct pcapng_opt_hdr {
	uint16_t code;
	uint16_t len;
} __attribute__((__packed__));

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
} __attribute__((__packed__));

struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_frac; /* us or ns, by the file's magic */
	uint32_t caplen, wirelen;
} __attribute__((__packed__));

/* A custom option (code 2988/2989/19372/19373); data is cut to 65531 bytes. */
struct pcapng_custom {
	uint16_t code; /* 2988 copyable string, 2989 copyable binary */
	uint32_t pen;
	const void *data;
	uint16_t len;
};

/* Section Header Block: section length -1, version 1.0. */
struct pcapng_shb_info {
	const char *hardware, *os, *userappl, *comment;
	const struct pcapng_custom *custom;
	size_t ncustom;
};

/*
 * An OPTIONS BLOB: options handed over as bytes, in the option encoding of
 * the format but in host byte order (numbers the draft defines, e.g.
 * if_speed or epb_flags, in host order too): each a struct pcapng_opt_hdr,
 * the value, zero padding to 4 bytes; no opt_endofopt; the total a multiple
 * of 4.  An encoder appends a blob verbatim after its own options and writes
 * none of its own single-valued options (all but opt_comment and the custom
 * ones) that the blob already holds: the blob's value wins.  A blob that is
 * not well formed (pcapng_opts_valid()) makes the encoder return 0.
 */

/* Interface Description Block; its index in the section is the EPB's if_id. */
struct pcapng_idb_info {
	uint16_t linktype;
	uint32_t snaplen;
	const char *name, *description, *hardware, *filter, *comment;
	uint64_t speed;	  /* bits per second; 0 = absent */
	uint8_t tsresol;  /* 0 = write 9 (nanoseconds) */
	int64_t tsoffset; /* seconds; 0 = absent */
	uint8_t fcslen_present, fcslen;
	const struct pcapng_custom *custom;
	size_t ncustom;
	const void *opts; /* OPTIONS BLOB of optlen bytes, after the options above */
	size_t optlen;
};

/* Enhanced Packet Block: data holds caplen bytes (NULL = zeros). */
struct pcapng_epb_info {
	uint32_t if_id;
	uint64_t ts; /* in the IDB's units (ns) */
	uint32_t caplen, wirelen;
	const void *data;
	uint32_t flags;	    /* 0 = absent */
	uint64_t dropcount; /* 0 = absent */
	uint32_t queue;	    /* UINT32_MAX = absent */
	uint64_t packetid;  /* PCAPNG_ABSENT = absent */
	const char *comment;
	const void *opts; /* OPTIONS BLOB of optlen bytes, after the options above */
	size_t optlen;
};

/*
 * Simple Packet Block: no interface (it is the section's first), no
 * timestamp, no options.  The block does not hold caplen: readers take it as
 * min(wirelen, snaplen of the first IDB; 0 = no limit), so caplen must be
 * that (the encoder cannot check it); data holds caplen bytes (NULL = zeros).
 */
struct pcapng_spb_info {
	uint32_t caplen, wirelen;
	const void *data;
};

/* Interface Statistics Block; times in the IDB's units like ts. */
struct pcapng_isb_info {
	uint32_t if_id;
	uint64_t ts, starttime, endtime, ifrecv, ifdrop, filteraccept, osdrop, usrdeliv;
	/* each PCAPNG_ABSENT = absent (ts always written) */
	const char *comment;
	const struct pcapng_custom *custom;
	size_t ncustom;
};

/* One NRB record: addr holds 4 (AF_INET) or 16 (AF_INET6) bytes. */
struct pcapng_nrb_rec {
	int family; /* AF_INET/AF_INET6 */
	uint8_t addr[16];
	const char *name;
};

/*
 * Encode one block into buf (see the top of this file).
 * @return the block's total length, written only if <= cap; 0 if it cannot
 *	   be represented in a 32-bit block length.
 */
size_t pcapng_shb(void *buf, size_t cap, const struct pcapng_shb_info *s);
size_t pcapng_idb(void *buf, size_t cap, const struct pcapng_idb_info *i);
size_t pcapng_epb(void *buf, size_t cap, const struct pcapng_epb_info *e);
size_t pcapng_spb(void *buf, size_t cap, const struct pcapng_spb_info *s);
size_t pcapng_isb(void *buf, size_t cap, const struct pcapng_isb_info *i);

/*
 * Name Resolution Block with n records (n may be 0).  Records with another
 * family or a NULL/empty name are left out; the end record is always written.
 */
size_t pcapng_nrb(void *buf, size_t cap, const struct pcapng_nrb_rec *r, size_t n);

/* The same with nc custom options after the records (c may be NULL). */
size_t pcapng_nrb_custom(void *buf, size_t cap, const struct pcapng_nrb_rec *r, size_t n,
			 const struct pcapng_custom *c, size_t nc);

/*
 * One option (an OPTIONS BLOB of one): code, the string s cut at a UTF-8
 * boundary to fit, zero padding.  NULL or "" measures and writes nothing.
 * @return its length, written only if <= cap.
 */
size_t pcapng_opt_str(void *buf, size_t cap, uint16_t code, const char *s);

/* Whether opts/len is a well-formed OPTIONS BLOB (len 0 is). */
bool pcapng_opts_valid(const void *opts, size_t len);

/* Whether the well-formed blob opts/len holds an option of this code. */
bool pcapng_opts_has(const void *opts, size_t len, uint16_t code);

/*
 * The data (after the PEN) of the first custom option of this code and
 * PEN in the blob opts/len that lies after `after` (NULL: the first of
 * all), its length in *datalen; NULL when there is none.
 */
const void *pcapng_opts_custom(const void *opts, size_t len, uint16_t code, uint32_t pen,
			       const void *after, uint16_t *datalen);

/*
 * A timestamp ts in the units of the if_tsresol value tsresol (as in the
 * file: MSB 0 = 10^-n s, MSB 1 = 2^-n s; here 0 means seconds), plus
 * tsoffset seconds, as ns since the epoch: exact for 10^-9 s and coarser,
 * rounded down (toward the past) for finer and binary resolutions; a time
 * before the epoch gives 0, one past 2554 UINT64_MAX - 1.
 */
uint64_t pcapng_ts_ns(uint64_t ts, uint8_t tsresol, int64_t tsoffset);

/* The other way: ns since the epoch in an interface's units (rounded
 * down; 0 if it is before tsoffset). */
uint64_t pcapng_ns_ts(uint64_t ns, uint8_t tsresol, int64_t tsoffset);

/* "LINKTYPE_ETHERNET" and other common names (tcpdump.org's list); NULL
 * for one this table does not know. */
const char *pcapng_linktype_name(uint32_t linktype);

/*
 * Legacy pcap for tools that cannot read pcapng (-F pcap): nanosecond magic,
 * version 2.4, host byte order.  Records are not padded; seconds are 32-bit
 * (they wrap in 2106).
 */
size_t pcap_file_header(void *buf, size_t cap, uint32_t snaplen, uint32_t linktype);
size_t pcap_record(void *buf, size_t cap, uint64_t ts_ns, uint32_t caplen, uint32_t wirelen,
		   const void *data);

#endif
