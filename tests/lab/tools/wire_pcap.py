#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""wire_pcap.py - frames as a timestamping switch delivers them, for the
readers' tests of time from the wire (capdump_wirets.sh).

    wire_pcap.py KIND DIR

KIND is metamako, exablaze or arista64.  Writes into DIR:
  in.pcap     nanosecond pcap: UDP to 239.1.1.1:30001 (one VLAN-tagged),
              each carrying a stamp of KIND, some flagged (degraded,
              duplicate), one with sub-nanoseconds, and some broken
              (absent, malformed, truncated); the record time is the
              capturing host's, always different from the stamp's;
  orig.pcap   the frames whose stamp decodes, without it, at the stamp's
              time: what the switch received;
  expect      one line per frame of in.pcap: index, the time a reader must
              give (ns since 1970), "wire" or "host", the host's time,
              device, port, sub-ns (2^-24 ns), flags (degraded, duplicate):
              0 where the stamp does not decode.
"""
import os
import struct
import sys

W0 = 1765000000 * 10**9 + 123456789  # the first stamp, ns since 1970 (UTC)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i, vlan=None):
    payload = b"wire-%04d" % i + bytes(range(23))
    udp = struct.pack("!HHHH", 40000, 30001, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 16, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([239, 1, 1, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes([1, 0, 0x5E, 1, 1, 1, 2, 0, 0, 0, 0, 1])
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    return eth + struct.pack("!H", 0x0800) + ip + udp


def metamako(f, ts, flags, dev, port, subns=None, ns_override=None):
    s, ns = divmod(ts, 10**9)
    if ns_override is not None:
        ns = ns_override
    t = struct.pack("!I", 0x12345678)  # the original FCS (not checked)
    if subns is not None:
        flags |= 0x02
        t += struct.pack("!I", subns << 8 | 1 << 5 | 1)  # tag 1, last
    t += struct.pack("!IIBHB", s, ns, flags, dev, port)
    return f + t


def exablaze(f, ts, dev, port):
    # original FCS, device, port, seconds, 40-bit binary fraction, flags;
    # the fraction rounded up, so that it floors to the ns written
    s, ns = divmod(ts, 10**9)
    frac = -(-ns * 2**40 // 10**9)
    return f + struct.pack("!IBBIBIB", 0x12345678, dev, port, s, frac >> 32,
                           frac & 0xFFFFFFFF, 0)


def arista64(f, ts):
    # EtherType 0xD28B, subtype 1, version 0x0110 (64-bit UTC), s, ns
    s, ns = divmod(ts, 10**9)
    return f[:12] + struct.pack("!HHHII", 0xD28B, 1, 0x0110, s, ns) + f[12:]


def write_pcap(path, recs):
    with open(path, "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for ts, data, wirelen in recs:
            s, ns = divmod(ts, 10**9)
            o.write(struct.pack("<IIII", s, ns, len(data), wirelen) + data)


def main(argv):
    kind, d = argv[1], argv[2]
    inp, orig, expect = [], [], []
    # (case, flags, device, port, vlan, subns)
    cases = [
        ("ok", 0x01, 7, 3, None, None),
        ("ok", 0x11, 7, 3, None, None),  # degraded
        ("ok", 0x05, 7, 3, None, None),  # duplicate
        ("ok", 0x01, 7, 3, None, 0x800000),  # + 0.5 ns
        ("ok", 0x01, 7, 4, 100, None),  # VLAN
        ("absent", 0, 0, 0, None, None),
        ("malformed", 0x01, 7, 3, None, None),
        ("truncated", 0x01, 7, 3, None, None),
        ("ok", 0x01, 9, 1, None, None),
    ]
    for i, (case, flags, dev, port, vlan, subns) in enumerate(cases):
        wire = W0 + i * 1000003
        host = wire + 250000 + 17 * i  # the capture host, later
        f = frame(i, vlan)
        if kind == "arista64":
            dev = port = 0
            subns = None
            flags &= 0x01
            if case == "absent":
                data = f
            elif case == "malformed":  # an unknown version
                data = f[:12] + struct.pack("!HHHII", 0xD28B, 1, 0x0330, 1, 2) + f[12:]
            else:
                data = arista64(f, wire)
        elif kind == "exablaze":
            subns = None
            flags = 0
            if case == "absent":
                data = f
            elif case == "malformed":  # too short for the trailer
                data = f + b"\x12\x34\x56\x78\x01\x02\x03\x04"
            else:
                data = exablaze(f, wire, dev, port)
                # what the fraction holds below the ns, in 2^-24 ns
                frac = -(-(wire % 10**9) * 2**40 // 10**9)
                subns = (frac * 10**9 % 2**40) >> 16 or None
        else:
            if case == "absent":
                data = f
            elif case == "malformed":
                data = metamako(f, wire, flags, dev, port, ns_override=10**9 + 5)
            else:
                data = metamako(f, wire, flags, dev, port, subns)
        wirelen = len(data)
        if case == "truncated":  # the capture cut the stamp off
            data = data[:20] if kind == "arista64" else data[:len(f) - 4]
        inp.append((host, data, wirelen))
        ok = case == "ok"
        if ok:
            orig.append((wire, f, len(f)))
        if not ok:  # a broken stamp tells nothing
            dev = port = flags = 0
            subns = None
        expect.append("%d %d %s %d %d %d %d %d %d" % (
            i, wire if ok else host, "wire" if ok else "host", host,
            dev, port, subns or 0, 1 if flags & 0x10 else 0, 1 if flags & 0x04 else 0))
    os.makedirs(d, exist_ok=True)
    write_pcap(os.path.join(d, "in.pcap"), inp)
    write_pcap(os.path.join(d, "orig.pcap"), orig)
    with open(os.path.join(d, "expect"), "w") as o:
        o.write("\n".join(expect) + "\n")


if __name__ == "__main__":
    main(sys.argv)
