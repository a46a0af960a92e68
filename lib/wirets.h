/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wirets.h - time from the wire: the timestamp a switch or tap wrote into a
 * captured frame, decoded.  Three families, as Wireshark's and tcpdump's
 * dissectors read them (docs/wire-time.md has the byte layouts):
 *
 *  - the Metamako / Arista 7130 trailer (WIRETS_METAMAKO): original FCS,
 *    optional TLV extensions (sequence number, sub-nanoseconds, ...),
 *    seconds, nanoseconds, flags, device ID, port ID;
 *  - the Exablaze / Cisco Nexus 3550 trailer (WIRETS_EXABLAZE): original
 *    FCS, device, port, seconds, a 40-bit binary fraction of the second,
 *    flags;
 *  - the Arista EOS timestamp header (WIRETS_ARISTA64, WIRETS_ARISTA48):
 *    EtherType 0xD28B after the source MAC, subtype, version, a 64-bit
 *    (seconds + ns) or 48-bit (16-bit seconds + ns) TAI or UTC time, then
 *    the original EtherType.
 *
 * A trailer follows the datagram: it is what the frame holds after the
 * end the IP header's length gives (Ethernet padding may sit in between),
 * possibly followed by a new FCS when the NIC keeps it.
 *
 * Pure functions over the captured bytes, bounds checked, no allocation,
 * no state, never logging; any input gives a status, never a wrong time.
 * The wirets_kind values equal enum ring_wire_ts (lib/ring_format.h).
 */
#ifndef CAPD_WIRETS_H
#define CAPD_WIRETS_H

#include <stddef.h>
#include <stdint.h>

enum wirets_kind {
	WIRETS_NONE = 0,     /* "nic": no stamp in the frame */
	WIRETS_METAMAKO = 1, /* "metamako" */
	WIRETS_EXABLAZE = 2, /* "exablaze" */
	WIRETS_ARISTA64 = 3, /* "arista64" */
	WIRETS_ARISTA48 = 4, /* "arista48" */
};
#define WIRETS_KIND_MAX WIRETS_ARISTA48

/* What wirets_decode() found. */
enum wirets_status {
	WIRETS_OK = 0,	      /* w->ts_ns is the wire time */
	WIRETS_ABSENT = 1,    /* nothing where the kind puts its stamp (no
			       * bytes after the datagram; no 0xD28B header) */
	WIRETS_MALFORMED = 2, /* something there, but not a valid stamp
			       * (lengths, ns >= 10^9, TLVs past the trailer,
			       * an unknown Arista subtype or version) */
	WIRETS_TRUNCATED = 3, /* the capture (caplen < wirelen) cut it off */
};
#define WIRETS_STATUS_MAX WIRETS_TRUNCATED

enum wirets_flags {
	WIRETS_F_FCS_VALID = 1 << 0, /* the device found the original FCS valid */
	WIRETS_F_DUPLICATE = 1 << 1, /* the device marked the frame a duplicate */
	WIRETS_F_DEGRADED = 1 << 2,  /* the device's clock was degraded */
	WIRETS_F_SUBNS = 1 << 3,     /* sub_ns holds a fraction of a nanosecond */
	WIRETS_F_SEQ = 1 << 4,	     /* seq holds the device's sequence number */
	WIRETS_F_TAI = 1 << 5,	     /* ts_ns counts TAI seconds, not UTC */
	WIRETS_F_DEVICE = 1 << 6,    /* device and port are known */
};

struct wirets {
	uint64_t ts_ns;	 /* ns since 1970; UTC unless WIRETS_F_TAI */
	uint32_t sub_ns; /* below ts_ns, in units of 2^-24 ns */
	uint32_t seq;	 /* the device's sequence number (Metamako TLV 0) */
	uint16_t device; /* device ID */
	uint16_t port;	 /* port ID on that device */
	uint8_t kind;	 /* enum wirets_kind decoded */
	uint8_t status;	 /* enum wirets_status */
	uint16_t flags;	 /* enum wirets_flags */
	/*
	 * The bytes the stamp occupies, [cut_off, cut_off + cut_len): for a
	 * trailer from its original FCS to the end of the frame (a new FCS
	 * included); for the Arista header its 12 or 14 bytes after the
	 * source MAC.  Valid when status is WIRETS_OK or WIRETS_MALFORMED
	 * with cut_len != 0; else 0, 0.
	 */
	uint32_t cut_off;
	uint32_t cut_len;
};

/*
 * Decode the stamp of `kind` in frame p: caplen bytes captured of a frame
 * of wirelen bytes on the wire.  host_ts (ns since 1970 UTC, the capturing
 * host's stamp; 0 if unknown) supplies what the stamp lacks: the upper
 * seconds of a 48-bit Arista time (the value nearest host_ts is taken),
 * and a plausibility check for trailers that do not check themselves
 * (an Exablaze time more than 30 days away is malformed; a Metamako
 * reading that far away is checked against the frame's FCS).
 * WIRETS_NONE gives WIRETS_ABSENT.
 * @return w->status; *w is always fully set.
 */
int wirets_decode(enum wirets_kind kind, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		  uint64_t host_ts, struct wirets *w);

/*
 * The frame without its stamp (after a wirets_decode() of p that returned
 * WIRETS_OK): caplen bytes of p less the captured part of
 * [w->cut_off, w->cut_off + w->cut_len) are copied to out (room for caplen
 * bytes); *wirelen is reduced by w->cut_len.  The original frame, as the
 * switch received it, comes back byte for byte.
 * @return the new caplen.
 */
uint32_t wirets_strip(const struct wirets *w, const uint8_t *p, uint32_t caplen, uint8_t *out,
		      uint32_t *wirelen);

/*
 * Where the frame's network header starts and which EtherType names it,
 * looking through one 802.1Q/802.1ad tag and an Arista timestamp header
 * (in either order).  @return 0, or -EPROTO when caplen is too short.
 */
int wirets_l3(const uint8_t *p, uint32_t caplen, uint32_t *l3_off, uint16_t *ethertype);

/* "nic", "metamako", "exablaze", "arista64", "arista48" -> kind.  @return 0 or -EINVAL. */
int wirets_kind_parse(const char *s, enum wirets_kind *kind);
/* The name wirets_kind_parse() takes; "unknown" for a value it does not know. */
const char *wirets_kind_name(unsigned int kind);
/* "ok", "absent", "malformed", "truncated"; "unknown" otherwise. */
const char *wirets_status_name(unsigned int status);

#endif
