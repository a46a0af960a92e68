#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""pcapng_gen.py - hand-written pcapng and pcap files for the tests.

Capture files of shapes other tools rarely write, block by block, from a
small spec language (python3 standard library only), so that readers are
tested on more than what one writer produces.

    pcapng_gen.py spec SPECFILE OUT     write the blocks SPECFILE lists
    pcapng_gen.py shape NAME OUT        write a built-in shape (list: shapes)
    pcapng_gen.py shapes                the built-in shapes, one a line
    pcapng_gen.py pcap ORDER RES OUT    pcap: ORDER le|be, RES us|ns|kuz
    pcapng_gen.py sections FILE PREFIX  each section to PREFIX.N.pcapng (tshark 4.0
                                        names interfaces wrongly after the first)
    pcapng_gen.py blocks FILE           list a pcapng file's blocks (a check
                                        independent of tshark): one a line

The spec: one block a line, words "key=value" after the block's name; "#"
starts a comment.  Strings may hold spaces as %20 (URL quoting).

    shb [order=le|be]                   a new section, little or big endian
    idb [lt=1] [snap=262144] [tsresol=6|9|3|b20|b30] [tsoffset=S]
        [name=..] [descr=..] [hw=..] [filter=..] [os=..]
    epb [if=0] [len=N] [ts=UNITS] [comment=..] [flags=U32] [hash=HEX]
        [dst=IPV4] [dport=N] [mold=SEQ/COUNT[/SESSION]]
    spb [len=N]                         (interface 0 of the section)
    pb  [if=0] [len=N] [ts=UNITS] [comment=..] [flags=U32]
    nrb name=IPV4:NAME[,IPV4:NAME..] [name6=IPV6:NAME] [comment=..]
        [feed=NAME/GROUP/PORT/PROTO[,..]]   capdump's feed table (PROTO
                                        moldudp64, mdp3, pitch or none)
    isb [if=0] [ts=UNITS] [recv=N] [drop=N] [comment=..]
    dsb [keylog=TEXT]                   TLS key log (type 0x544c534b)
    custom [copy=1|0] [pen=32473] [data=TEXT]
    unknown [type=0x0BADC0DE] [data=TEXT]

A packet's length is the frame's wire length; the frame is Ethernet/IPv4/
UDP (lt 1), IPv4/UDP (lt 101 raw IP), Linux cooked + IPv4/UDP (lt 113),
cut to the interface's snap length; to 239.1.1.1:30001 unless dst= and
dport= say otherwise.  mold= makes the UDP payload a MoldUDP64 packet with
COUNT 8-byte messages from SEQ (COUNT 0: a heartbeat) and sizes the frame
to fit.  Without ts= a packet's time is the
base time (2026-01-01T00:00:00Z) plus 1.25 ms times its number in the
file, in its interface's units (before if_tsoffset).
"""

import ipaddress
import struct
import sys
import urllib.parse

BASE = 1767225600  # 2026-01-01T00:00:00Z
STEP_NS = 1250000

LT_ETHERNET, LT_RAW, LT_SLL = 1, 101, 113


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def moldudp64(spec):
    """A MoldUDP64 payload: SEQ/COUNT[/SESSION], 8-byte messages."""
    parts = spec.split("/")
    seq, count = int(parts[0]), int(parts[1])
    session = (parts[2] if len(parts) > 2 else "SESSION1").encode().ljust(10)[:10]
    msgs = b"".join(struct.pack("!H", 8) + struct.pack("!Q", seq + i) for i in range(count))
    return session + struct.pack("!QH", seq, count) + msgs


def ipv4_udp(total, n, dst="239.1.1.1", dport=30001, payload=None):
    """An IPv4/UDP datagram of total bytes (>= 28), payload bytes from n."""
    plen = total - 28
    if payload is None:
        payload = bytes((n + i) & 255 for i in range(plen))
    udp = struct.pack("!HHHH", 1000 + n % 1000, dport, 8 + plen, 0) + payload
    src, dst = bytes([10, 0, 0, 1]), ipaddress.IPv4Address(dst).packed
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, n & 0xFFFF, 0, 64, 17, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def frame(lt, wirelen, n, **udp):
    if lt == LT_ETHERNET:
        eth = bytes.fromhex("01005e010101" "020000000001" "0800")
        return eth + ipv4_udp(wirelen - 14, n, **udp)
    if lt == LT_RAW:
        return ipv4_udp(wirelen, n)
    if lt == LT_SLL:
        sll = struct.pack("!HHH8sH", 0, 1, 6, bytes.fromhex("0200000000010000"), 0x0800)
        return sll + ipv4_udp(wirelen - 16, n)
    # Another link type: opaque bytes, the reader must not care.
    return bytes((n + i) & 255 for i in range(wirelen))


def units_per_sec(tsresol):
    if tsresol & 0x80:
        return 1 << (tsresol & 0x7F)
    return 10 ** tsresol


def parse_tsresol(v):
    if v.startswith("b"):
        return 0x80 | int(v[1:])
    return int(v)


class Writer:
    def __init__(self):
        self.out = bytearray()
        self.e = "<"
        self.ifaces = []  # of the current section: (lt, snap, tsresol)
        self.npkt = 0

    def u16(self, v):
        return struct.pack(self.e + "H", v)

    def u32(self, v):
        return struct.pack(self.e + "I", v)

    def u64(self, v):
        return struct.pack(self.e + "Q", v)

    def opt(self, code, val):
        return self.u16(code) + self.u16(len(val)) + pad4(val)

    def opts(self, lst):
        if not lst:
            return b""
        return b"".join(self.opt(c, v) for c, v in lst) + self.opt(0, b"")

    def block(self, btype, body):
        body = pad4(body)
        n = 12 + len(body)
        self.out += self.u32(btype) + self.u32(n) + body + self.u32(n)

    def ts_of(self, if_id, kw):
        tsresol = self.ifaces[if_id][2]
        if "ts" in kw:
            return int(kw["ts"])
        ns = BASE * 10**9 + self.npkt * STEP_NS
        return ns * units_per_sec(tsresol) // 10**9

    def packet(self, if_id, kw):
        lt, snap, _ = self.ifaces[if_id]
        wirelen = int(kw.get("len", 100 + self.npkt))
        udp = {}
        if "dst" in kw:
            udp["dst"] = kw["dst"]
        if "dport" in kw:
            udp["dport"] = int(kw["dport"])
        if "mold" in kw:
            udp["payload"] = moldudp64(kw["mold"])
            wirelen = 14 + 28 + len(udp["payload"])
        data = frame(lt, wirelen, self.npkt, **udp)[:snap]
        return wirelen, data

    def pkt_opts(self, kw):
        o = []
        if "comment" in kw:
            o.append((1, kw["comment"].encode()))
        if "flags" in kw:
            o.append((2, self.u32(int(kw["flags"], 0))))
        if "hash" in kw:
            o.append((3, bytes.fromhex(kw["hash"])))
        return self.opts(o)

    def do_shb(self, kw):
        self.e = ">" if kw.get("order", "le") == "be" else "<"
        self.ifaces = []
        self.block(0x0A0D0D0A, self.u32(0x1A2B3C4D) + self.u16(1) + self.u16(0) +
                   struct.pack(self.e + "q", -1) +
                   self.opts([(4, b"pcapng_gen.py")]))

    def do_idb(self, kw):
        lt = int(kw.get("lt", 1))
        snap = int(kw.get("snap", 262144))
        tsresol = parse_tsresol(kw.get("tsresol", "6"))
        o = []
        for key, code in (("name", 2), ("descr", 3), ("filter", 11), ("os", 12),
                          ("hw", 15)):
            if key in kw:
                v = kw[key].encode()
                if key == "filter":
                    v = b"\0" + v  # libpcap filter string
                o.append((code, v))
        if "tsresol" in kw:
            o.append((9, bytes([tsresol])))
        if "tsoffset" in kw:
            o.append((14, struct.pack(self.e + "q", int(kw["tsoffset"]))))
        self.ifaces.append((lt, snap, tsresol))
        self.block(1, self.u16(lt) + self.u16(0) + self.u32(snap) + self.opts(o))

    def do_epb(self, kw):
        if_id = int(kw.get("if", 0))
        ts = self.ts_of(if_id, kw)
        wirelen, data = self.packet(if_id, kw)
        self.block(6, self.u32(if_id) + self.u32(ts >> 32) + self.u32(ts & 0xFFFFFFFF) +
                   self.u32(len(data)) + self.u32(wirelen) + pad4(data) + self.pkt_opts(kw))
        self.npkt += 1

    def do_pb(self, kw):
        if_id = int(kw.get("if", 0))
        ts = self.ts_of(if_id, kw)
        wirelen, data = self.packet(if_id, kw)
        self.block(2, self.u16(if_id) + self.u16(0) + self.u32(ts >> 32) +
                   self.u32(ts & 0xFFFFFFFF) + self.u32(len(data)) + self.u32(wirelen) +
                   pad4(data) + self.pkt_opts(kw))
        self.npkt += 1

    def do_spb(self, kw):
        wirelen, data = self.packet(0, kw)
        self.block(3, self.u32(wirelen) + pad4(data))
        self.npkt += 1

    def do_nrb(self, kw):
        recs = b""
        for item in filter(None, kw.get("name", "").split(",")):
            addr, name = item.split(":", 1)
            v = ipaddress.IPv4Address(addr).packed + name.encode() + b"\0"
            recs += self.u16(1) + self.u16(len(v)) + pad4(v)
        for item in filter(None, kw.get("name6", "").split(",")):
            addr, name = item.rsplit("/", 1)
            v = ipaddress.IPv6Address(addr).packed + name.encode() + b"\0"
            recs += self.u16(2) + self.u16(len(v)) + pad4(v)
        recs += self.u16(0) + self.u16(0)
        o = [(1, kw["comment"].encode())] if "comment" in kw else []
        protos = {"none": 0, "moldudp64": 1, "mdp3": 2, "pitch": 3}
        for item in filter(None, kw.get("feed", "").split(",")):
            name, group, port, proto = item.split("/")
            # struct pcapng_feed, little-endian, after the PEN (custom option 2989)
            feed = struct.pack("<8BH", 0x46, 1, 4, 32, 1, protos[proto], 0, 0, 0)
            feed += struct.pack("<16H", int(port), *([0] * 15))
            feed += ipaddress.IPv4Address(group).packed.ljust(16, b"\0")
            feed += name.encode().ljust(32, b"\0")
            o.append((2989, self.u32(32473) + feed))
        self.block(4, recs + self.opts(o))

    def do_isb(self, kw):
        if_id = int(kw.get("if", 0))
        ts = self.ts_of(if_id, kw)
        o = [(2, self.u32(ts >> 32) + self.u32(ts & 0xFFFFFFFF))]
        if "recv" in kw:
            o.append((4, self.u64(int(kw["recv"]))))
        if "drop" in kw:
            o.append((5, self.u64(int(kw["drop"]))))
        if "comment" in kw:
            o.append((1, kw["comment"].encode()))
        self.block(5, self.u32(if_id) + self.u32(ts >> 32) + self.u32(ts & 0xFFFFFFFF) +
                   self.opts(o))

    def do_dsb(self, kw):
        text = kw.get("keylog", "CLIENT_RANDOM " + "11" * 32 + " " + "22" * 48 + "\n")
        if not text.endswith("\n"):
            text += "\n"
        sec = text.encode()
        self.block(10, self.u32(0x544C534B) + self.u32(len(sec)) + pad4(sec))

    def do_custom(self, kw):
        btype = 0x00000BAD if kw.get("copy", "1") == "1" else 0x40000BAD
        self.block(btype, self.u32(int(kw.get("pen", 32473))) +
                   kw.get("data", "custom data").encode())

    def do_unknown(self, kw):
        self.block(int(kw.get("type", "0x0BADC0DE"), 0), kw.get("data", "unknown").encode())


def parse_spec(text):
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        kw = {}
        for w in words[1:]:
            k, _, v = w.partition("=")
            kw[k] = urllib.parse.unquote(v)
        lines.append((words[0], kw))
    return lines


def write_spec(text, path):
    w = Writer()
    for name, kw in parse_spec(text):
        fn = getattr(w, "do_" + name, None)
        if fn is None:
            sys.exit("pcapng_gen.py: unknown block '%s'" % name)
        if name != "shb" and not w.out:
            sys.exit("pcapng_gen.py: '%s' before the first shb" % name)
        fn(kw)
    with open(path, "wb") as f:
        f.write(w.out)


def epbs(n, ifs=(0,), extra=""):
    return "".join("epb if=%d %s\n" % (ifs[i % len(ifs)], extra) for i in range(n))


# Built-in shapes: the spec of each.
SHAPES = {
    # One section, one Ethernet interface with every descriptive option;
    # packets with a comment, flags and a hash.
    "idb_options": "shb\n"
    "idb lt=1 snap=262144 tsresol=9 name=eth0 descr=market%20data%20A hw=NIC%20X710"
    " filter=udp os=Linux%206.1\n"
    "epb comment=first%20packet flags=0x00000001\n"
    "epb hash=04000102030405060708090a0b0c0d0e0f10111213\n"
    "epb flags=0x00000002 comment=inbound\n" + epbs(5),
    # Two link types in one section, each with its own resolution and
    # offset: Ethernet in ms, raw IP in 2^-20 s with an offset, Linux
    # cooked in ns with a snap length of 80.
    "two_linktypes": "shb\n"
    "idb lt=1 tsresol=3 name=eth1\n"
    "idb lt=101 tsresol=b20 tsoffset=3600 name=tun0\n"
    "idb lt=113 tsresol=9 snap=80 name=any\n" + epbs(12, (0, 1, 2)),
    # Two sections, little then big endian, each with its own interfaces
    # (IDs restart at 0 in the second).
    "sections2": "shb order=le\n"
    "idb lt=1 tsresol=6 name=le-eth0\n" + epbs(3) +
    "shb order=be\n"
    "idb lt=101 tsresol=9 name=be-raw0\n"
    "idb lt=1 tsresol=b30 name=be-eth1\n" + epbs(4, (0, 1)),
    # Three sections, be / le / be, with every resolution and an offset.
    "sections3": "shb order=be\n"
    "idb lt=1 tsresol=9 name=s0-eth0\n"
    "idb lt=1 tsresol=6 tsoffset=-86400 name=s0-eth1\n" + epbs(4, (0, 1)) +
    "shb order=le\n"
    "idb lt=113 tsresol=3 name=s1-any\n" + epbs(2) +
    "shb order=be\n"
    "idb lt=101 tsresol=b20 name=s2-raw\n"
    "idb lt=1 tsresol=9 name=s2-eth\n" + epbs(4, (1, 0)),
    # Simple packet blocks only (no time), snap length 128 cuts some.
    "spb_only": "shb\nidb lt=1 snap=128 name=spb0\n" +
    "".join("spb len=%d\n" % (90 + 20 * i) for i in range(6)),
    # The obsolete packet block, two interfaces.
    "pb_obsolete": "shb\nidb lt=1 name=pb0\nidb lt=101 tsresol=9 name=pb1\n"
    "pb if=0 comment=old%20block flags=0x00000001\n" +
    "".join("pb if=%d\n" % (i % 2) for i in range(5)),
    # Name resolution, statistics, secrets, custom and unknown blocks
    # among the packets.
    "blocks": "shb\nidb lt=1 tsresol=9 name=blk0\n"
    "nrb name=10.0.0.1:feed-a-source,239.1.1.1:feed-a-group comment=names%20from%20the%20feed%20table\n"
    + epbs(2) +
    "dsb\n"
    "custom copy=1 pen=32473 data=copy%20me\n"
    "custom copy=0 pen=32473 data=do%20not%20copy%20me\n"
    "unknown type=0x0BADC0DE data=skip%20me\n" + epbs(2) +
    "isb if=0 recv=4 drop=0 comment=final%20counts\n",
    # Empty: a section header only; a section header and an interface.
    "empty_shb": "shb\n",
    "empty_idb": "shb\nidb lt=1 name=eth0\n",
    # Linux cooked capture only (one link type, not Ethernet).
    "sll_only": "shb\nidb lt=113 tsresol=9 name=any\n" + epbs(5),
}


def pcap(order, res, path, n=6, lt=LT_ETHERNET):
    e = "<" if order == "le" else ">"
    magic = {"us": 0xA1B2C3D4, "ns": 0xA1B23C4D, "kuz": 0xA1B2CD34}[res]
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 65535, lt)
    for i in range(n):
        ns = BASE * 10**9 + i * STEP_NS + 123
        sec, frac = divmod(ns, 10**9)
        if res != "ns":
            frac //= 1000
        data = frame(lt, 100 + 10 * i, i)
        out += struct.pack(e + "IIII", sec, frac, len(data), len(data))
        if res == "kuz":
            out += struct.pack(e + "IHBB", 0, 1, 0x00, 0)
        out += data
    with open(path, "wb") as f:
        f.write(out)


def blocks(path):
    """One line per block: offset, order, type, and what a test checks."""
    data = open(path, "rb").read()
    off = 0
    e = "<"
    while off + 12 <= len(data):
        (t,) = struct.unpack_from("<I", data, off)
        if t == 0x0A0D0D0A:
            (bom,) = struct.unpack_from("<I", data, off + 8)
            e = "<" if bom == 0x1A2B3C4D else ">"
        t, n = struct.unpack_from(e + "II", data, off)
        if n < 12 or off + n > len(data):
            print("%d bad length %d" % (off, n))
            return 1
        body = data[off + 8:off + n - 4]
        line = "%d %s 0x%08x" % (off, "le" if e == "<" else "be", t)
        if t == 4:
            p, names = 0, []
            while p + 4 <= len(body):
                rt, rl = struct.unpack_from(e + "HH", body, p)
                if rt == 0:
                    p += 4
                    break
                v = body[p + 4:p + 4 + rl]
                if rt == 1:
                    names.append(str(ipaddress.IPv4Address(v[:4])) + ":" +
                                 v[4:].split(b"\0")[0].decode())
                p += 4 + rl + (-rl % 4)
            line += " nrb " + ",".join(names)
            o = body[p:]
            while len(o) >= 4:
                c, ln = struct.unpack_from(e + "HH", o)
                if c == 0:
                    break
                if c == 1:
                    line += " comment=" + urllib.parse.quote(o[4:4 + ln].decode())
                o = o[4 + ln + (-ln % 4):]
        elif t == 10:
            st, sl = struct.unpack_from(e + "II", body)
            line += " dsb 0x%08x %d" % (st, sl)
        elif t in (0x0BAD, 0x40000BAD):
            (pen,) = struct.unpack_from(e + "I", body)
            line += " custom pen=%d data=%s" % (pen, urllib.parse.quote(
                body[4:].rstrip(b"\0").decode(errors="replace")))
        print(line)
        off += n
    return 0


def sections(path, prefix):
    """Write each section of a pcapng file to PREFIX.N.pcapng; print N."""
    data = open(path, "rb").read()
    starts, off, e = [], 0, "<"
    while off + 12 <= len(data):
        (t,) = struct.unpack_from("<I", data, off)
        if t == 0x0A0D0D0A:
            (bom,) = struct.unpack_from("<I", data, off + 8)
            e = "<" if bom == 0x1A2B3C4D else ">"
            starts.append(off)
        (n,) = struct.unpack_from(e + "I", data, off + 4)
        if n < 12:
            break
        off += n
    starts.append(len(data))
    for i in range(len(starts) - 1):
        with open("%s.%d.pcapng" % (prefix, i), "wb") as f:
            f.write(data[starts[i]:starts[i + 1]])
    print(len(starts) - 1)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "shapes":
        print("\n".join(SHAPES))
        return 0
    if len(argv) == 4 and argv[1] == "shape" and argv[2] in SHAPES:
        write_spec(SHAPES[argv[2]], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "spec":
        write_spec(open(argv[2]).read(), argv[3])
        return 0
    if len(argv) == 5 and argv[1] == "pcap" and argv[2] in ("le", "be") and \
            argv[3] in ("us", "ns", "kuz"):
        pcap(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4 and argv[1] == "sections":
        return sections(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "blocks":
        return blocks(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
