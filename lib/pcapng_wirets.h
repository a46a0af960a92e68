/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_wirets.h - the host's stamp of a packet whose timestamp came from
 * the wire: a pcapng custom option (code 2989, copyable binary, PEN
 * PCAPNG_PEN) that capdump puts on every EPB of an interface whose frames
 * carry a switch's stamp (lib/wirets.h).  The EPB's timestamp is the wire
 * time when status is ok, else the host's; this option keeps the other
 * one and says why (docs/pcapng-profile.md).
 *
 * The option's data after the PEN is struct pcapng_wirets: little-endian,
 * `version` first.  Later versions only append fields, so a reader takes
 * the fields it knows from any version >= 1.
 *
 * Which stamp an interface's frames carry is a second option of the same
 * code and PEN, on the IDB after the clock option (pcapng_clock.h):
 * struct pcapng_wirets_if, `tag` first to tell it from the clock option.
 * Reading such a file back decodes the frames without being told.
 */
#ifndef CAPD_PCAPNG_WIRETS_H
#define CAPD_PCAPNG_WIRETS_H

#include <stddef.h>
#include <stdint.h>

#include "wirets.h"

#define PCAPNG_WIRETS_VERSION 1

struct pcapng_wirets {
	uint8_t version; /* PCAPNG_WIRETS_VERSION */
	uint8_t kind;	 /* enum wirets_kind decoded */
	uint8_t status;	 /* enum wirets_status */
	uint8_t reserved;
	uint16_t flags;	 /* enum wirets_flags */
	uint16_t device; /* device ID (WIRETS_F_DEVICE) */
	uint16_t port;	 /* port ID on that device (WIRETS_F_DEVICE) */
	uint16_t reserved2;
	uint32_t sub_ns;  /* below the EPB's ns, in 2^-24 ns (WIRETS_F_SUBNS) */
	uint64_t host_ts; /* the capturing host's stamp, ns since 1970 UTC */
	uint32_t seq;	  /* the device's sequence number (WIRETS_F_SEQ) */
} __attribute__((__packed__));

_Static_assert(sizeof(struct pcapng_wirets) == 28, "pcapng wirets option v1");
_Static_assert(offsetof(struct pcapng_wirets, flags) == 4, "pcapng wirets option v1");
_Static_assert(offsetof(struct pcapng_wirets, sub_ns) == 12, "pcapng wirets option v1");
_Static_assert(offsetof(struct pcapng_wirets, host_ts) == 16, "pcapng wirets option v1");
_Static_assert(offsetof(struct pcapng_wirets, seq) == 24, "pcapng wirets option v1");

#define PCAPNG_WIRETS_IF_TAG	 0x57 /* 'W' */
#define PCAPNG_WIRETS_IF_VERSION 1

struct pcapng_wirets_if {
	uint8_t tag;	 /* PCAPNG_WIRETS_IF_TAG */
	uint8_t version; /* PCAPNG_WIRETS_IF_VERSION */
	uint8_t kind;	 /* enum wirets_kind the frames as written carry; 0 none
			  * (e.g. written with --strip-timestamp) */
	uint8_t reserved;
} __attribute__((__packed__));

_Static_assert(sizeof(struct pcapng_wirets_if) == 4, "pcapng wirets IDB option v1");

/* Fill *o for frames that carry kind. */
void pcapng_wirets_if_encode(struct pcapng_wirets_if *o, enum wirets_kind kind);

/*
 * Find the IDB option in an OPTIONS BLOB (capfile_iface.opts, host byte
 * order) and take its kind.
 * @return 0 and *kind; -ENOENT when the blob has none (or none valid).
 */
int pcapng_wirets_if_find(const void *opts, size_t len, enum wirets_kind *kind);

/* The same for the EPB option: 0 and *w, *host_ts (pcapng_wirets_decode());
 * -ENOENT when the blob has none valid. */
int pcapng_wirets_find(const void *opts, size_t len, struct wirets *w, uint64_t *host_ts);

/* Fill *o from the decoded stamp w and the host's stamp (little-endian
 * whatever the host). */
void pcapng_wirets_encode(struct pcapng_wirets *o, const struct wirets *w, uint64_t host_ts);

/*
 * Decode the option data after the PEN into *w (ts_ns left 0: the EPB has
 * the packet's time; cut_off, cut_len 0) and *host_ts.
 * @return 0, or -EBADMSG when it is shorter than version 1, version 0, or
 *	   its kind or status is out of range.
 */
int pcapng_wirets_decode(const void *data, size_t len, struct wirets *w, uint64_t *host_ts);

#endif
