// SPDX-License-Identifier: BSD-2-Clause
/*
 * wirets.c - the switch timestamp decoders of wirets.h.  docs/wire-time.md
 * has the layouts; here only why the code reads them as it does.
 */
#include <errno.h>
#include <string.h>

#include "ring_format.h"
#include "wirets.h"

_Static_assert(WIRETS_NONE == (int)RING_WIRE_TS_NONE, "wirets_kind == ring_wire_ts");
_Static_assert(WIRETS_METAMAKO == (int)RING_WIRE_TS_METAMAKO, "wirets_kind == ring_wire_ts");
_Static_assert(WIRETS_EXABLAZE == (int)RING_WIRE_TS_EXABLAZE, "wirets_kind == ring_wire_ts");
_Static_assert(WIRETS_ARISTA64 == (int)RING_WIRE_TS_ARISTA64, "wirets_kind == ring_wire_ts");
_Static_assert(WIRETS_ARISTA48 == (int)RING_WIRE_TS_ARISTA48, "wirets_kind == ring_wire_ts");

#define NS_PER_S 1000000000ull

#define ETH_HLEN       14
#define ETH_P_IP       0x0800
#define ETH_P_IPV6     0x86dd
#define ETH_P_8021Q    0x8100
#define ETH_P_8021AD   0x88a8
#define ETH_P_ARISTA   0xd28b
#define ARISTA_SUB_TS  0x0001
#define ARISTA_V64_TAI 0x0010
#define ARISTA_V64_UTC 0x0110
#define ARISTA_V48_TAI 0x0020
#define ARISTA_V48_UTC 0x0120
#define ARISTA_HDR_64  14 /* EtherType, subtype, version, 4 s, 4 ns */
#define ARISTA_HDR_48  12 /* EtherType, subtype, version, 2 s, 4 ns */
#define MM_FIXED       12 /* seconds, ns, flags, device, port */
#define MM_FCS	       4
#define MM_TAG_SEQ     0
#define MM_TAG_SUBNS   1
#define MM_TAG_EXT     31
#define MM_F_FCS_VALID 0x01
#define MM_F_EXT       0x02
#define MM_F_DUPLICATE 0x04
#define MM_F_DEGRADED  0x10
#define MM_MIN_SECONDS 3600
#define MM_NEAR_S      (30 * 86400) /* Wireshark's plausibility window */
#define EXA_TRAILER    16
#define FCS_LEN	       4

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | be24(p + 1);
}

/*
 * Ethernet's CRC-32 (reflected 0x04c11db7), a nibble at a time: it only
 * settles which of two readings of a trailer is right, which is rare.
 */
static uint32_t crc32_eth(const uint8_t *p, uint32_t len)
{
	static const uint32_t tab[16] = { 0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
					  0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
					  0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
					  0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu };
	uint32_t c = 0xffffffffu;
	uint32_t i;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		c = (c >> 4) ^ tab[c & 15];
		c = (c >> 4) ^ tab[c & 15];
	}
	return ~c;
}

/* The last 4 of len bytes are the Ethernet FCS of the bytes before them. */
static int fcs_ok(const uint8_t *p, uint32_t len)
{
	uint32_t c;

	if (len < ETH_HLEN + FCS_LEN)
		return 0;
	c = crc32_eth(p, len - FCS_LEN);
	p += len - FCS_LEN;
	/* Sent least significant byte first. */
	return p[0] == (c & 0xff) && p[1] == (c >> 8 & 0xff) && p[2] == (c >> 16 & 0xff) &&
	       p[3] == c >> 24;
}

/* What the walk over the Ethernet header found. */
struct l2 {
	uint32_t l3_off;
	uint16_t ethertype;
	uint32_t ar_off; /* the Arista header's 0xD28B, 0 when none */
	uint32_t ar_len; /* its length, 0 when its version is unknown */
	uint16_t ar_version;
	uint16_t ar_subtype;
};

static uint32_t arista_len(uint16_t subtype, uint16_t version)
{
	if (subtype != ARISTA_SUB_TS)
		return 0;
	switch (version) {
	case ARISTA_V64_TAI:
	case ARISTA_V64_UTC:
		return ARISTA_HDR_64;
	case ARISTA_V48_TAI:
	case ARISTA_V48_UTC:
		return ARISTA_HDR_48;
	}
	return 0;
}

/*
 * One VLAN tag and one Arista header, in either order.  An Arista header of
 * unknown length ends the walk there, with 0xD28B as the EtherType: nothing
 * behind it can be found.  @return 0, or -EPROTO when caplen ends inside.
 */
static int l2_walk(const uint8_t *p, uint32_t caplen, struct l2 *l)
{
	uint32_t off = 12;
	int vlan = 0, arista = 0;

	memset(l, 0, sizeof(*l));
	for (;;) {
		uint16_t et;

		if (caplen < off + 2)
			return -EPROTO;
		et = (uint16_t)be16(p + off);
		if (!vlan && (et == ETH_P_8021Q || et == ETH_P_8021AD)) {
			vlan = 1;
			off += 4;
			continue;
		}
		if (!arista && et == ETH_P_ARISTA) {
			arista = 1;
			if (caplen < off + 6)
				return -EPROTO;
			l->ar_off = off;
			l->ar_subtype = (uint16_t)be16(p + off + 2);
			l->ar_version = (uint16_t)be16(p + off + 4);
			l->ar_len = arista_len(l->ar_subtype, l->ar_version);
			if (l->ar_len) {
				off += l->ar_len;
				continue;
			}
		}
		l->l3_off = off + 2;
		l->ethertype = et;
		return 0;
	}
}

int wirets_l3(const uint8_t *p, uint32_t caplen, uint32_t *l3_off, uint16_t *ethertype)
{
	struct l2 l;
	int err = l2_walk(p, caplen, &l);

	if (err)
		return err;
	*l3_off = l.l3_off;
	*ethertype = l.ethertype;
	return 0;
}

static int set_status(struct wirets *w, int status)
{
	w->status = (uint8_t)status;
	return status;
}

/* TRUNCATED when the capture cut the frame short, else MALFORMED. */
static int short_frame(struct wirets *w, uint32_t caplen, uint32_t wirelen)
{
	return set_status(w, caplen < wirelen ? WIRETS_TRUNCATED : WIRETS_MALFORMED);
}

static int decode_arista(enum wirets_kind kind, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
			 uint64_t host_ts, struct wirets *w)
{
	const uint8_t *t;
	uint64_t s;
	uint32_t ns;
	struct l2 l;
	int is64;

	/* What follows the header (a VLAN tag, the IP header) may be cut. */
	if (l2_walk(p, caplen, &l) && (!l.ar_len || caplen < l.ar_off + l.ar_len + 2))
		return short_frame(w, caplen, wirelen);
	if (!l.ar_off)
		return set_status(w, WIRETS_ABSENT);
	if (!l.ar_len)
		return set_status(w, WIRETS_MALFORMED);
	w->cut_off = l.ar_off;
	w->cut_len = l.ar_len;
	is64 = l.ar_len == ARISTA_HDR_64;
	if (is64 != (kind == WIRETS_ARISTA64))
		return set_status(w, WIRETS_MALFORMED);
	t = p + l.ar_off + 6;
	if (is64) {
		s = be32(t);
		ns = be32(t + 4);
	} else {
		s = be16(t);
		ns = be32(t + 2);
	}
	if (ns >= NS_PER_S)
		return set_status(w, WIRETS_MALFORMED);
	if (!is64) {
		/*
		 * The 16 bits of seconds nearest the host's clock: the one of
		 * the three candidates around it closest to host_ts.  A TAI
		 * value is 37 s ahead of UTC; that shifts the choice only for
		 * a host clock already more than 9 hours off.
		 */
		uint64_t hs = host_ts / NS_PER_S, best = 0, best_d = UINT64_MAX;
		int64_t c;

		for (c = -1; c <= 1; c++) {
			int64_t cs = (int64_t)((hs & ~0xffffull) | s) + c * 65536;
			uint64_t t_ns, d;

			if (cs < 0 || (uint64_t)cs > UINT32_MAX)
				continue;
			t_ns = (uint64_t)cs * NS_PER_S + ns;
			d = t_ns > host_ts ? t_ns - host_ts : host_ts - t_ns;
			if (d < best_d) {
				best_d = d;
				best = (uint64_t)cs;
			}
		}
		if (best_d == UINT64_MAX) /* a host time past 2106 */
			return set_status(w, WIRETS_MALFORMED);
		s = best;
	}
	w->ts_ns = s * NS_PER_S + ns;
	if (!(l.ar_version & 0x0100))
		w->flags |= WIRETS_F_TAI;
	return set_status(w, WIRETS_OK);
}

/*
 * Where the datagram ends: the trailer is what follows.  @return 0, or
 * -EPROTO when the headers are not captured, -EINVAL when the frame is not
 * IPv4 or IPv6 or its length field makes no sense.
 */
static int datagram_end(const uint8_t *p, uint32_t caplen, uint32_t *end)
{
	struct l2 l;
	uint32_t o, ihl, tot;

	if (l2_walk(p, caplen, &l))
		return -EPROTO;
	o = l.l3_off;
	if (l.ethertype == ETH_P_IP) {
		if (caplen < o + 4)
			return -EPROTO;
		ihl = (p[o] & 0xfu) * 4;
		tot = be16(p + o + 2);
		if (p[o] >> 4 != 4 || ihl < 20 || tot < ihl)
			return -EINVAL;
		*end = o + tot;
		return 0;
	}
	if (l.ethertype == ETH_P_IPV6) {
		if (caplen < o + 6)
			return -EPROTO;
		tot = be16(p + o + 4);
		/* A jumbogram (payload length 0) has no end we can see. */
		if (p[o] >> 4 != 6 || !tot)
			return -EINVAL;
		*end = o + 40 + tot;
		return 0;
	}
	return -EINVAL;
}

/* One reading of a Metamako trailer: the len bytes after the datagram. */
struct mm {
	uint32_t start; /* offset of the original FCS in the region */
	uint32_t s, ns, seq, subns;
	uint16_t device;
	uint8_t port, flags, has_seq, has_subns;
};

/*
 * Read r[0, len) as padding, original FCS, TLVs, the fixed part; as
 * Wireshark does, less the checks against the capture host's time.
 * @return 1 when it holds together.
 */
static int mm_parse(const uint8_t *r, uint32_t len, struct mm *m)
{
	uint32_t pos, meta;

	memset(m, 0, sizeof(*m));
	if (len < MM_FIXED)
		return 0;
	meta = be32(r + len - 4);
	m->flags = (uint8_t)(meta >> 24);
	m->device = (uint16_t)(meta >> 8);
	m->port = (uint8_t)meta;
	m->ns = be32(r + len - 8);
	m->s = be32(r + len - 12);
	if (m->s <= MM_MIN_SECONDS || m->ns >= NS_PER_S)
		return 0;
	pos = len - MM_FIXED;
	if (m->flags & MM_F_EXT) {
		/*
		 * Walked from the end: a tag word, the data words before it.
		 * The walk must end at a word marked last.
		 */
		int last = 0;

		while (!last && pos >= 4) {
			uint32_t word = be32(r + pos - 4), words, tag;
			const uint8_t *d;

			pos -= 4;
			tag = word & 0x1f;
			words = word >> 6 & 0x3;
			if (tag == MM_TAG_EXT)
				words = (word >> 6 & 0x3ff) + 1;
			if (words * 4 > pos)
				return 0;
			pos -= words * 4;
			last = word >> 5 & 1;
			/* The value sits in the 3 bytes above the tag byte,
			 * or in the data words when there are some. */
			d = r + pos;
			if (tag == MM_TAG_SEQ && !m->has_seq) {
				m->seq = be16(d + 1);
				m->has_seq = 1;
			} else if (tag == MM_TAG_SUBNS && !m->has_subns) {
				m->subns = be24(d);
				m->has_subns = 1;
			}
		}
		if (!last)
			return 0;
	}
	if (pos < MM_FCS)
		return 0;
	m->start = pos - MM_FCS;
	return 1;
}

static int decode_metamako(const uint8_t *p, uint32_t len, uint32_t end, uint64_t host_ts,
			   struct wirets *w)
{
	const uint8_t *r = p + end;
	uint32_t rl = len - end;
	struct mm m0, m4, *m;
	int ok0, ok4;

	/*
	 * Without a new FCS first, then with one (Wireshark's order).  Where
	 * both readings hold, Wireshark asks the capture host's clock; we ask
	 * the last 4 bytes whether they are the frame's FCS instead.
	 */
	ok0 = mm_parse(r, rl, &m0);
	ok4 = rl >= FCS_LEN && mm_parse(r, rl - FCS_LEN, &m4);
	if (ok0 && ok4) {
		m = fcs_ok(p, len) ? &m4 : &m0;
	} else if (ok0) {
		/*
		 * A new FCS read as flags, device and port, and a bad stamp
		 * before it, can make this reading hold alone.  Its time is
		 * then rarely near the host's: only a reading Wireshark's
		 * 30 days would reject pays for the FCS check, and only the
		 * check rejects it (a host clock that is off costs nothing).
		 */
		uint64_t hs = host_ts / NS_PER_S;
		uint64_t d = m0.s > hs ? m0.s - hs : hs - m0.s;

		if (d > MM_NEAR_S && rl >= MM_FCS + MM_FIXED + FCS_LEN && fcs_ok(p, len))
			return set_status(w, WIRETS_MALFORMED);
		m = &m0;
	} else if (ok4)
		m = &m4;
	else
		return set_status(w, WIRETS_MALFORMED);
	w->ts_ns = (uint64_t)m->s * NS_PER_S + m->ns;
	w->device = m->device;
	w->port = m->port;
	w->flags = WIRETS_F_DEVICE;
	if (m->flags & MM_F_FCS_VALID)
		w->flags |= WIRETS_F_FCS_VALID;
	if (m->flags & MM_F_DUPLICATE)
		w->flags |= WIRETS_F_DUPLICATE;
	if (m->flags & MM_F_DEGRADED)
		w->flags |= WIRETS_F_DEGRADED;
	if (m->has_seq) {
		w->seq = m->seq;
		w->flags |= WIRETS_F_SEQ;
	}
	if (m->has_subns) {
		w->sub_ns = m->subns;
		w->flags |= WIRETS_F_SUBNS;
	}
	w->cut_off = end + m->start;
	w->cut_len = len - w->cut_off;
	return set_status(w, WIRETS_OK);
}

/*
 * floor(frac * 10^9 / 2^40) and the remainder in 2^-24 ns, in 64-bit
 * integers: frac = a * 2^20 + b, and a * 10^9 split again at 2^20.
 */
static void exa_frac(uint64_t frac, uint32_t *ns, uint32_t *sub_ns)
{
	uint64_t a = frac >> 20, b = frac & 0xfffff;
	uint64_t x = a * NS_PER_S, y = b * NS_PER_S;
	uint64_t lo = ((x & 0xfffff) << 20) + y; /* < 2^51 */

	*ns = (uint32_t)((x >> 20) + (lo >> 40));
	*sub_ns = (uint32_t)((lo & 0xffffffffffull) >> 16);
}

static int decode_exablaze(const uint8_t *p, uint32_t len, uint32_t end, uint64_t host_ts,
			   struct wirets *w)
{
	uint32_t rl = len - end, off, ns, sub;
	uint64_t s, hs;
	const uint8_t *t;
	uint64_t frac;

	if (rl < EXA_TRAILER)
		return set_status(w, WIRETS_MALFORMED);
	/*
	 * Nothing in the trailer checks itself; with room for a new FCS the
	 * last 4 bytes decide (Wireshark asks the host's clock here).
	 */
	off = len - EXA_TRAILER;
	if (rl >= EXA_TRAILER + FCS_LEN && fcs_ok(p, len))
		off -= FCS_LEN;
	t = p + off;
	/*
	 * Any 16 bytes after a datagram read as a trailer: Ethernet padding
	 * of a short frame with none, or a trailer of another kind.  Refuse
	 * what Wireshark's heuristic would not show as a time (its first
	 * hour, or far from the host's clock when that is known) rather than
	 * hand on a wrong one.
	 */
	s = be32(t + 6);
	hs = host_ts / NS_PER_S;
	if (s <= MM_MIN_SECONDS || (host_ts && (s > hs ? s - hs : hs - s) > MM_NEAR_S))
		return set_status(w, WIRETS_MALFORMED);
	frac = (uint64_t)t[10] << 32 | be32(t + 11);
	exa_frac(frac, &ns, &sub);
	w->ts_ns = s * NS_PER_S + ns;
	w->sub_ns = sub;
	w->device = t[4];
	w->port = t[5];
	/* t[15], the flags, has no public meaning: no flag from it. */
	w->flags = WIRETS_F_DEVICE | WIRETS_F_SUBNS;
	w->cut_off = off;
	w->cut_len = len - off;
	return set_status(w, WIRETS_OK);
}

int wirets_decode(enum wirets_kind kind, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		  uint64_t host_ts, struct wirets *w)
{
	uint32_t end = 0;
	int err;

	memset(w, 0, sizeof(*w));
	if (caplen > wirelen) /* not a real capture: believe the shorter */
		caplen = wirelen;
	switch (kind) {
	case WIRETS_ARISTA64:
	case WIRETS_ARISTA48:
		w->kind = (uint8_t)kind;
		return decode_arista(kind, p, caplen, wirelen, host_ts, w);
	case WIRETS_METAMAKO:
	case WIRETS_EXABLAZE:
		w->kind = (uint8_t)kind;
		break;
	default:
		return set_status(w, WIRETS_ABSENT);
	}
	err = datagram_end(p, caplen, &end);
	if (err == -EPROTO)
		return short_frame(w, caplen, wirelen);
	if (err || end > wirelen)
		return set_status(w, WIRETS_MALFORMED);
	if (end == wirelen)
		return set_status(w, WIRETS_ABSENT);
	/* The trailer ends the frame: a short capture always cuts it. */
	if (caplen < wirelen)
		return set_status(w, WIRETS_TRUNCATED);
	if (kind == WIRETS_METAMAKO)
		return decode_metamako(p, caplen, end, host_ts, w);
	return decode_exablaze(p, caplen, end, host_ts, w);
}

uint32_t wirets_strip(const struct wirets *w, const uint8_t *p, uint32_t caplen, uint8_t *out,
		      uint32_t *wirelen)
{
	uint32_t off = w->cut_off, len = w->cut_len, tail;

	if (w->status != WIRETS_OK || !len || len > *wirelen || off > *wirelen - len) {
		memmove(out, p, caplen);
		return caplen;
	}
	*wirelen -= len;
	if (off >= caplen) {
		memmove(out, p, caplen);
		return caplen;
	}
	tail = caplen - off > len ? caplen - off - len : 0;
	memmove(out, p, off);
	memmove(out + off, p + off + len, tail);
	return off + tail;
}

static const char *const kind_names[] = { "nic", "metamako", "exablaze", "arista64", "arista48" };
static const char *const status_names[] = { "ok", "absent", "malformed", "truncated" };

int wirets_kind_parse(const char *s, enum wirets_kind *kind)
{
	unsigned int i;

	for (i = 0; i <= WIRETS_KIND_MAX; i++)
		if (!strcmp(s, kind_names[i])) {
			*kind = (enum wirets_kind)i;
			return 0;
		}
	return -EINVAL;
}

const char *wirets_kind_name(unsigned int kind)
{
	return kind <= WIRETS_KIND_MAX ? kind_names[kind] : "unknown";
}

const char *wirets_status_name(unsigned int status)
{
	return status <= WIRETS_STATUS_MAX ? status_names[status] : "unknown";
}
