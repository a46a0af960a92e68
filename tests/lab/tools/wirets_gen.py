#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""wirets_gen.py - frames stamped as timestamping switches stamp them.

Builds Ethernet [802.1Q] / IPv4|IPv6 / UDP frames to multicast groups and
adds the stamp of a chosen kind (docs/wire-time.md): the Metamako / Arista
7130 trailer, the Exablaze / Cisco 3550 trailer, the Arista EOS header
(64 or 48-bit, TAI or UTC), or none; good ones with known times, flags,
device, port and TLVs, and bad ones.  Python 3 standard library only.

    wirets_gen.py (--spec FILE | --builtin NAME) [outputs...]

    --spec FILE       frames from FILE ("-": stdin), the language below
    --builtin NAME    a built-in spec: "all" (every kind, flag, TLV mix,
                      VLAN, IPv6, padding, new FCS, malformed, truncated),
                      "good" (the good frames of "all"); --show-builtin NAME
                      prints it
    --pcap OUT        the stamped frames, pcap with nanosecond times; each
                      record's time is the host's (see hostts=)
    --orig OUT        the frames as stripping gives them back: the original
                      frame for a good stamp, else the frame as captured;
                      same record times
    --received OUT    what the switch received: only the frames with a good
                      stamp, without it, the stamp's time as record time
    --expect OUT      what a decoder must find, TSV ("-": stdout), a "#"
                      header line then one line a frame:
                      n kind status ts_ns sub_ns device port flags seq
                      (n from 1; kind and status as wirets.h names them:
                      nic metamako exablaze arista64 arista48 / ok absent
                      malformed truncated; flags the WIRETS_F_* bits in
                      decimal; ts_ns 0 when the status is not ok)
    --frames OUT      every frame in full, TSV ("-": stdout), a "#" header
                      line then one line a frame: the --expect columns
                      n..seq, then if host_ns orig_hex sent_hex (if: the
                      frame's if= index; orig: what --orig has)
    --send IFACE[,IFACE...]
                      send the frames through AF_PACKET raw sockets, each
                      on the interface its if= names (root; only inside a
                      lab network namespace)
    --pps N           pace --send at N frames a second (default: no pacing)
    --repeat N        send the list N times (default 1)
    --host-offset NS  a frame's host time is its wire time plus NS
                      (default 1000; TAI frames: minus --tai-offset more)
    --tai-offset S    TAI - UTC in seconds (default 37): a TAI stamp's wire
                      time in UTC is the stamp less S
    --base S          seconds of the default wire time (default
                      1796515200, 2026-12-06T00:00:00Z)

The spec: one line per frame (count= makes more), the kind first, then
words key=value; "#" starts a comment.

    KIND              nic | metamako | exablaze | arista64 | arista48
    ip=4|6            IPv4 (default) or IPv6
    vlan=ID           an 802.1Q tag (default none)
    order=vlan|arista which comes first after the source MAC when both a
                      tag and an Arista header are there (default vlan)
    src=IP dst=GROUP  addresses (default 10.0.0.1 / fe80::1 to 239.1.2.3 /
                      ff0e::1:2:3)
    sport=N dport=N   UDP ports (default 40000 / 31000)
    len=N             UDP payload of N bytes, a pattern (default 64)
    payload=HEX       the UDP payload itself
    mold=SESSION/SEQ  the payload is a MoldUDP64 packet with one 8-byte
                      message, sequence SEQ (count= counts it up)
    mark=K/SEQ        the payload starts "WTS1", K and SEQ (32 bits each,
                      count= counts SEQ up), then len= bytes of pattern in
                      all: a key to find the frame again
    if=N              the frame belongs to the Nth --send interface (from
                      0; default 0)
    s=S ns=NS         the wire time (default: --base s, 1000 ns + 1.25 ms
                      times the frame's number in the file, from 0)
    subns=N           sub-nanoseconds in 2^-24 ns: Metamako TLV 1; for
                      Exablaze the fraction is the smallest one that
                      decodes to at least ns + subns
    frac=N            Exablaze: the 40-bit fraction itself (then ns unused)
    flags=N           the trailer's flags byte (Metamako default 0x01,
                      FCS valid; 0x02 is set by the generator when there
                      are TLVs; Exablaze default 0)
    dev=N port=N      device and port IDs (default 1 / 1)
    seq=N             Metamako TLV 0 (16 bits, as Wireshark reads it)
    tlv=T:W:V[,...]   more Metamako TLVs, nearest the seconds first: tag,
                      data words (tag 31: 1..1024), value (the 3 bytes
                      above the tag byte, tag 31: the upper 16 bits)
    newfcs=1          a new FCS after the trailer (as a NIC that keeps it)
    tai=1             Arista: the TAI version (default UTC)
    hostts=NS         the host time of this frame (ns since 1970 UTC)
    snap=N            the capture keeps N bytes (the pcap record's wire length
                      stays the frame's; --send sends the whole frame)
    count=N step=NS   N frames, NS apart in wire time (default 1 / 1.25 ms)
    bad=WHAT          a bad stamp:
                        ns        nanoseconds 10^9 + 5 (all kinds)
                        secs      Metamako seconds 3600
                        tlvcut    Metamako TLV claiming 3 data words that
                                  are not there
                        nolast    Metamako TLVs, none marked last
                        short     the trailer cut to 8 bytes (Metamako) or
                                  12 (Exablaze)
                        missing   no stamp at all
                        version   Arista version 0x0030
                        subtype   Arista subtype 0x0003
                        other     Arista: the other size's version
"""

import argparse
import ipaddress
import os
import socket
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapng_gen import csum, moldudp64  # noqa: E402

BASE = 1796515200  # 2026-12-06T00:00:00Z
STEP_NS = 1250000
NS = 10**9

KINDS = ["nic", "metamako", "exablaze", "arista64", "arista48"]
STATUS = ["ok", "absent", "malformed", "truncated"]
F_FCS_VALID, F_DUPLICATE, F_DEGRADED, F_SUBNS, F_SEQ, F_TAI, F_DEVICE = (1 << i for i in range(7))

BUILTIN_GOOD = """\
# Metamako / Arista 7130
metamako
metamako flags=0x05 dev=65535 port=255
metamako flags=0x11 subns=0xabcdef
metamako flags=0x15 seq=4660 subns=1
metamako seq=65535 tlv=2:2:0,31:3:0,3:0:77
metamako ip=6 vlan=42 subns=16777215
metamako newfcs=1 subns=8388608 seq=7
metamako vlan=1000 ip=6 newfcs=1 flags=0x00
metamako len=0 subns=3
metamako len=1 newfcs=1
metamako len=1400 flags=0x01 dev=300 port=48
metamako s=1796515200 ns=999999999
# Exablaze / Cisco 3550
exablaze
exablaze frac=0 dev=7 port=9
exablaze frac=1099511627775
exablaze frac=549755813888 flags=0xa5
exablaze ns=123456789 subns=8388608
exablaze ip=6 vlan=5 newfcs=1 ns=999999999
exablaze len=0
exablaze len=2 newfcs=1
exablaze frac=78187493530
# Arista EOS header
arista64
arista64 tai=1
arista64 vlan=42 order=vlan
arista64 vlan=42 order=arista tai=1
arista64 ip=6 ns=999999999
arista48
arista48 tai=1 vlan=7
arista48 vlan=7 order=arista ip=6
arista48 s=1796538367 hostts=1796538369000000000
arista48 s=1796538369 hostts=1796538366000000000 tai=1
# no stamp
nic
nic vlan=3 ip=6
"""

BUILTIN_BAD = """\
metamako bad=ns
metamako bad=ns newfcs=1
metamako bad=secs
metamako bad=tlvcut
metamako bad=nolast
metamako bad=short
metamako bad=missing
metamako snap=60
exablaze bad=short
exablaze bad=missing
exablaze snap=100
arista64 bad=ns
arista64 bad=version
arista64 bad=subtype
arista64 bad=other
arista64 bad=missing
arista64 snap=20
arista48 bad=ns
arista48 bad=other vlan=2
arista48 bad=missing
"""

BUILTINS = {"good": BUILTIN_GOOD, "all": BUILTIN_GOOD + BUILTIN_BAD}


def die(msg):
    sys.exit("wirets_gen.py: " + msg)


def num(v):
    return int(v, 0)


def parse_spec(text):
    frames = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        kind = line[0]
        if kind not in KINDS:
            die("line %d: unknown kind %r" % (lineno, kind))
        kv = {}
        for w in line[1:]:
            if "=" not in w:
                die("line %d: %r is not key=value" % (lineno, w))
            k, v = w.split("=", 1)
            kv[k] = v
        frames.append((lineno, kind, kv))
    return frames


def ip_udp(o, payload):
    """The IP packet: a UDP datagram from src to dst."""
    udp = struct.pack(">HHHH", o["sport"], o["dport"], 8 + len(payload), 0) + payload
    if o["ip"] == 6:
        src = ipaddress.IPv6Address(o.get("src", "fe80::1")).packed
        dst = ipaddress.IPv6Address(o.get("dst", "ff0e::1:2:3")).packed
        # UDP over IPv6 must carry a checksum.
        ph = src + dst + struct.pack(">IxxxB", len(udp), 17)
        udp = udp[:6] + struct.pack(">H", csum(ph + udp) or 0xFFFF) + udp[8:]
        return struct.pack(">IHBB", 6 << 28, len(udp), 17, 8) + src + dst + udp
    src = ipaddress.IPv4Address(o.get("src", "10.0.0.1")).packed
    dst = ipaddress.IPv4Address(o.get("dst", "239.1.2.3")).packed
    hdr = struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(udp), 0, 0x4000, 8, 17, 0) + src + dst
    hdr = hdr[:10] + struct.pack(">H", csum(hdr)) + hdr[12:]
    return hdr + udp


def group_mac(o):
    if o["ip"] == 6:
        a = ipaddress.IPv6Address(o.get("dst", "ff0e::1:2:3")).packed
        return b"\x33\x33" + a[12:]
    a = ipaddress.IPv4Address(o.get("dst", "239.1.2.3")).packed
    return b"\x01\x00\x5e" + bytes([a[1] & 0x7F]) + a[2:]


def fcs(b):
    return struct.pack("<I", zlib.crc32(b) & 0xFFFFFFFF)


def exa_decode(frac):
    """The Exablaze fraction as ns and 2^-24 ns, floored, exactly."""
    t = frac * NS
    return t >> 40, (t & ((1 << 40) - 1)) >> 16


def exa_frac(ns, subns):
    """The smallest 40-bit fraction that decodes to at least ns + subns."""
    want = (ns << 24) + subns  # in 2^-24 ns
    frac = -(-(want << 16) // NS)  # ceil(want * 2^40 / (10^9 * 2^24))
    return min(frac, (1 << 40) - 1)


def mm_tlv_words(tag, words, value, last):
    out = b""
    for k in range(words):
        out += struct.pack(">I", (0x11111111 * (k + 1)) & 0xFFFFFFFF)
    if tag == 31:
        w = 31 | ((words - 1) & 0x3FF) << 6 | (value & 0xFFFF) << 16
    else:
        w = (tag & 0x1F) | (words & 3) << 6 | (value & 0xFFFFFF) << 8
    if last:
        w |= 1 << 5
    return out + struct.pack(">I", w)


class Frame:
    pass


def build(kind, kv, idx, gidx, args):
    """One frame: stamped bytes, original bytes, expectation, host time."""
    o = {"ip": 4, "sport": 40000, "dport": 31000}
    known = set("ip vlan order src dst sport dport len payload mold s ns subns frac flags "
                "dev port seq tlv newfcs tai hostts snap count step bad mark if".split())
    for k in kv:
        if k not in known:
            die("unknown key %r" % k)
    for k in ("sport", "dport", "ip"):
        if k in kv:
            o[k] = num(kv[k])
    for k in ("src", "dst"):
        if k in kv:
            o[k] = kv[k]
    if o["ip"] not in (4, 6):
        die("ip=4 or ip=6")
    bad = kv.get("bad", "")
    if "payload" in kv:
        payload = bytes.fromhex(kv["payload"])
    elif "mold" in kv:
        sess, seq = kv["mold"].split("/")
        payload = moldudp64("%d/1/%s" % (num(seq) + idx, sess))
    elif "mark" in kv:
        k, seq = (num(x) for x in kv["mark"].split("/"))
        payload = b"WTS1" + struct.pack(">II", k, seq + idx)
        payload += bytes((seq + idx + i) & 0xFF for i in range(num(kv.get("len", "64")) - 12))
    else:
        payload = bytes((i * 7 + idx) & 0xFF for i in range(num(kv.get("len", "64"))))
    eth_type = b"\x86\xdd" if o["ip"] == 6 else b"\x08\x00"
    vlan = b"\x81\x00" + struct.pack(">H", num(kv["vlan"])) if "vlan" in kv else b""
    macs = group_mac(o) + b"\x02\x00\x00\x00\x00\x01"
    orig = macs + vlan + eth_type + ip_udp(o, payload)
    if len(orig) < 60:  # the sender's NIC pads
        orig += b"\0" * (60 - len(orig))

    s = num(kv.get("s", str(args.base)))
    step = num(kv.get("step", str(STEP_NS)))
    t = s * NS + num(kv.get("ns", "1000")) + idx * step
    if "s" not in kv and "ns" not in kv:  # the file's frames 1.25 ms apart
        t += gidx * STEP_NS
    s, ns = divmod(t, NS)
    subns = num(kv.get("subns", "0"))
    flags = num(kv.get("flags", "0x01" if kind == "metamako" else "0"))
    dev = num(kv.get("dev", "1"))
    port = num(kv.get("port", "1"))
    newfcs = kv.get("newfcs", "0") == "1"
    tai = kv.get("tai", "0") == "1"

    f = Frame()
    f.orig = orig
    f.iface = num(kv.get("if", "0"))
    f.kind = kind
    f.status = "ok"
    f.ts = 0
    f.subns = 0
    f.dev = 0
    f.port = 0
    f.flags = 0
    f.seq = 0
    f.wire = s * NS + ns

    if kind == "nic" or bad == "missing":
        f.frame = orig
        f.status = "absent"
    elif kind == "metamako":
        tlvs = []  # nearest the seconds first
        if "seq" in kv:
            tlvs.append((0, 0, num(kv["seq"]) & 0xFFFF))
        if "subns" in kv:
            tlvs.append((1, 0, subns))
        for t3 in kv.get("tlv", "").split(",") if kv.get("tlv") else []:
            tg, wd, vl = (num(x) for x in t3.split(":"))
            tlvs.append((tg, wd, vl))
        if bad == "tlvcut":
            tlvs = [(1, 3, 1)]
        if bad == "nolast" and not tlvs:
            tlvs = [(1, 0, 1)]
        if tlvs:
            flags |= 0x02
        ext = b""
        for i in range(len(tlvs) - 1, -1, -1):
            tg, wd, vl = tlvs[i]
            last = i == len(tlvs) - 1 and bad != "nolast"
            w = mm_tlv_words(tg, wd, vl, last)
            if bad == "tlvcut":
                w = w[-4:]  # the tag without its data words
            ext += w
        mns = NS + 5 if bad == "ns" else ns
        ms = 3600 if bad == "secs" else s
        tr = fcs(orig) + ext + struct.pack(">IIBHB", ms, mns, flags, dev, port)
        if bad == "short":
            tr = tr[-8:]
        f.frame = orig + tr
        if bad:
            f.status = "malformed"
        else:
            f.ts = s * NS + ns
            f.dev, f.port = dev, port
            f.flags = F_DEVICE
            f.flags |= F_FCS_VALID if flags & 0x01 else 0
            f.flags |= F_DUPLICATE if flags & 0x04 else 0
            f.flags |= F_DEGRADED if flags & 0x10 else 0
            for tg, wd, vl in tlvs:  # the first of a tag counts
                if tg == 0 and not f.flags & F_SEQ:
                    f.seq = vl & 0xFFFF if wd == 0 else 0x1111
                    f.flags |= F_SEQ
                if tg == 1 and not f.flags & F_SUBNS:
                    f.subns = vl & 0xFFFFFF if wd == 0 else 0x111111
                    f.flags |= F_SUBNS
        if newfcs:
            f.frame += fcs(f.frame)
    elif kind == "exablaze":
        frac = num(kv["frac"]) if "frac" in kv else exa_frac(ns, subns)
        xs = s
        tr = fcs(orig) + struct.pack(">BBI", dev & 0xFF, port & 0xFF, xs)
        tr += struct.pack(">BI", frac >> 32, frac & 0xFFFFFFFF) + bytes([flags & 0xFF])
        if bad == "ns":
            die("exablaze has no ns field to make bad")
        if bad == "short":
            tr = tr[-12:]
            if len(orig) - 14 - (4 if vlan else 0) - ip_len(o, payload) + 12 >= 16:
                die("exablaze bad=short: the padding makes it long enough (len= more)")
        f.frame = orig + tr
        if bad:
            f.status = "malformed"
        else:
            dns, dsub = exa_decode(frac)
            f.ts = xs * NS + dns
            f.subns = dsub
            f.dev, f.port = dev & 0xFF, port & 0xFF
            f.flags = F_DEVICE | F_SUBNS
            f.wire = f.ts
        if newfcs:
            f.frame += fcs(f.frame)
    else:  # arista64, arista48
        is64 = kind == "arista64"
        if bad == "other":
            is64 = not is64
        ver = (0x0010 if is64 else 0x0020) | (0 if tai else 0x0100)
        if bad == "version":
            ver = 0x0030
        sub = 3 if bad == "subtype" else 1
        ans = NS + 5 if bad == "ns" else ns
        hdr = struct.pack(">HHH", 0xD28B, sub, ver)
        hdr += struct.pack(">II", s, ans) if is64 else struct.pack(">HI", s & 0xFFFF, ans)
        at = 12
        if vlan and kv.get("order", "vlan") == "vlan":
            at = 16
        f.frame = orig[:at] + hdr + orig[at:]
        if bad:
            f.status = "malformed"
        else:
            f.ts = s * NS + ns
            f.flags = F_TAI if tai else 0
        f.arista_end = at + len(hdr) + 2
    f.host = f.wire + args.host_offset - (args.tai_offset * NS if tai else 0)
    if "hostts" in kv:
        f.host = num(kv["hostts"])
    f.snap = len(f.frame)
    if "snap" in kv:
        f.snap = min(num(kv["snap"]), len(f.frame))
        cut = f.snap < len(f.frame)
        if f.kind in ("metamako", "exablaze") and cut and f.status == "ok":
            f.status = "truncated"
        if f.kind.startswith("arista") and f.snap < getattr(f, "arista_end", 0) and f.status == "ok":
            f.status = "truncated"
    if f.status != "ok":
        f.ts = f.subns = f.dev = f.port = f.flags = f.seq = 0
    return f


def ip_len(o, payload):
    return (40 if o["ip"] == 6 else 20) + 8 + len(payload)


def frames_of(spec, args):
    out = []
    for lineno, kind, kv in parse_spec(spec):
        for i in range(num(kv.get("count", "1"))):
            try:
                out.append(build(kind, kv, i, len(out), args))
            except (ValueError, struct.error) as e:
                die("line %d: %s" % (lineno, e))
    return out


def write_pcap(path, frames, orig, received=False):
    with open(path, "wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for f in frames:
            if received and f.status != "ok":
                continue
            if orig and f.status == "ok":
                data, wl = f.orig, len(f.orig)
            else:
                data, wl = f.frame[:f.snap], len(f.frame)
            s, ns = divmod(f.ts if received else f.host, NS)
            fp.write(struct.pack("<IIII", s, ns, len(data), wl) + data)


def write_expect(path, frames, full=False):
    lines = ["#n\tkind\tstatus\tts_ns\tsub_ns\tdevice\tport\tflags\tseq"]
    if full:
        lines[0] += "\tif\thost_ns\torig\tsent"
    for n, f in enumerate(frames, 1):
        cols = [n, f.kind, f.status, f.ts, f.subns, f.dev, f.port, f.flags, f.seq]
        if full:
            orig = f.orig if f.status == "ok" else f.frame[:f.snap]
            cols += [f.iface, f.host, orig.hex(), f.frame.hex()]
        lines.append("\t".join(str(x) for x in cols))
    text = "\n".join(lines) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        with open(path, "w") as fp:
            fp.write(text)


def send(ifaces, frames, pps, repeat):
    socks = []
    for name in ifaces.split(","):
        sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        sk.bind((name, 0))
        socks.append(sk)
    for f in frames:
        if f.iface >= len(socks):
            die("if=%d: only %d --send interfaces" % (f.iface, len(socks)))
    gap = 1.0 / pps if pps else 0
    nxt = time.monotonic()
    for _ in range(repeat):
        for f in frames:
            if gap:
                nxt += gap
                d = nxt - time.monotonic()
                if d > 0:
                    time.sleep(d)
            socks[f.iface].send(f.frame)  # snap= is the capture's business
    for sk in socks:
        sk.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog=__doc__.split("\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--spec")
    src.add_argument("--builtin", choices=sorted(BUILTINS))
    src.add_argument("--show-builtin", choices=sorted(BUILTINS))
    ap.add_argument("--pcap")
    ap.add_argument("--orig")
    ap.add_argument("--received")
    ap.add_argument("--expect")
    ap.add_argument("--frames")
    ap.add_argument("--send", metavar="IFACE")
    ap.add_argument("--pps", type=float, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--host-offset", type=int, default=1000)
    ap.add_argument("--tai-offset", type=int, default=37)
    ap.add_argument("--base", type=int, default=BASE)
    args = ap.parse_args()
    if args.show_builtin:
        sys.stdout.write(BUILTINS[args.show_builtin])
        return
    if args.spec:
        spec = sys.stdin.read() if args.spec == "-" else open(args.spec).read()
    else:
        spec = BUILTINS[args.builtin]
    frames = frames_of(spec, args)
    if args.pcap:
        write_pcap(args.pcap, frames, False)
    if args.orig:
        write_pcap(args.orig, frames, True)
    if args.received:
        write_pcap(args.received, frames, True, True)
    if args.expect:
        write_expect(args.expect, frames)
    if args.frames:
        write_expect(args.frames, frames, True)
    if args.send:
        send(args.send, frames, args.pps, args.repeat)


if __name__ == "__main__":
    main()
