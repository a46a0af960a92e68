#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""replay_gen.py - a recorded feed of known timing for capreplay's tests.

    replay_gen.py OUT [--seconds S] [--rate PPS] [--steady-ms MS] [--idle-ms MS]
                      [--burst N] [--jitter-ns NS] [--seed N] [--group G:P]
                      [--burst-group G:P] [--start NS] [--unicast K=ADDR:PORT]

Writes OUT, a pcapng file (one Ethernet interface, nanosecond timestamps)
of MoldUDP64 packets, and prints a JSON summary on stdout.  The file
repeats a cycle until --seconds of packet time are written:

  steady   --steady-ms (100) of packets to --group (239.1.1.1:30001), one
           every 1/--rate s (100000: 10 us), each moved by a uniform jitter
           of +- --jitter-ns (2000) drawn from --seed (21);
  idle     --idle-ms (50) without any packet;
  burst    --burst (50) packets to --burst-group (239.1.1.5:30005) back to
           back: each one frame's time on a 10 Gb/s wire (preamble, FCS and
           inter-frame gap included) after the one before;
then the next cycle's steady part starts one steady gap after the burst.
--burst 0 leaves the bursts and the idle time out (a steady feed).

Every packet carries its own MoldUDP64 sequence number (one count over
both groups, from 1, one message a packet) and a 32-byte message of its
number and bytes drawn from the seed, so that no two payloads are alike.
--unicast K=ADDR:PORT sends packet K (1-based) to a unicast address
instead (the refusal test).  The summary: packets, bursts, burst size,
first and last timestamps (ns since 1970), the steady gap and the wire
gap, all integers.

python3 standard library only.
"""

import argparse
import ipaddress
import json
import random
import struct
import sys

BASE_NS = 1767225600 * 10**9  # 2026-01-01T00:00:00Z
SESSION = b"REPLAY0001"
MSG_LEN = 32
WIRE_EXTRA = 4 + 8 + 12  # FCS, preamble + SFD, inter-frame gap


def csum(b):
    """The Internet checksum of b, as the 2 bytes to store.  Summed as
    little-endian words: a ones' complement sum of byte-swapped words is
    the byte-swapped sum (RFC 1071), and memoryview sums them fast."""
    if len(b) % 2:
        b += b"\0"
    s = sum(memoryview(b).cast("H")) if sys.byteorder == "little" else \
        sum(struct.unpack("<%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("<H", ~s & 0xFFFF)


def endpoint(s):
    """ADDR:PORT as (address bytes, port, destination MAC)."""
    addr, port = s.rsplit(":", 1)
    a = ipaddress.IPv4Address(addr)
    if a.is_multicast:
        dmac = bytes([1, 0, 0x5E]) + (int(a) & 0x7FFFFF).to_bytes(3, "big")
    else:
        dmac = bytes.fromhex("020000000002")
    return a.packed, int(port), dmac


SRC_IP = ipaddress.IPv4Address("10.0.0.1").packed
SRC_MAC = bytes.fromhex("020000000001")


def frame(seq, rnd, dst, dport, dmac):
    msg = struct.pack("!Q", seq) + rnd.randbytes(MSG_LEN - 8)
    mold = SESSION + struct.pack("!QHH", seq, 1, MSG_LEN) + msg
    ulen = 8 + len(mold)
    pseudo = SRC_IP + dst + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", 40000, dport, ulen, 0) + mold
    uc = csum(pseudo + udp)
    udp = udp[:6] + (uc if uc != b"\0\0" else b"\xff\xff") + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, seq & 0xFFFF, 0x4000, 64, 17, 0,
                     SRC_IP, dst)
    ip = ip[:10] + csum(ip) + ip[12:]
    return dmac + SRC_MAC + b"\x08\x00" + ip + udp


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def head():
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # if_tsresol 9: nanoseconds; snap length 0: none
    idb = block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB3x", 9, 1, 9) +
                struct.pack("<HH", 0, 0))
    return shb + idb


def epb(ts, data):
    return block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) +
                 data)


def main(argv):
    p = argparse.ArgumentParser(description="a recorded feed of known timing (pcapng)")
    p.add_argument("out")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rate", type=int, default=100000)
    p.add_argument("--steady-ms", type=float, default=100.0)
    p.add_argument("--idle-ms", type=float, default=50.0)
    p.add_argument("--burst", type=int, default=50)
    p.add_argument("--jitter-ns", type=int, default=2000)
    p.add_argument("--seed", type=int, default=21)
    p.add_argument("--group", default="239.1.1.1:30001")
    p.add_argument("--burst-group", default="239.1.1.5:30005")
    p.add_argument("--start", type=int, default=BASE_NS)
    p.add_argument("--unicast", default="")
    a = p.parse_args(argv)
    if a.rate <= 0 or a.seconds <= 0 or a.burst < 0 or a.jitter_ns < 0:
        p.error("--rate and --seconds must be positive, --burst and --jitter-ns not negative")
    gap = 10**9 // a.rate
    if 2 * a.jitter_ns >= gap:
        p.error("--jitter-ns must be below half the steady gap (%d ns)" % gap)
    rnd = random.Random(a.seed)
    group, burst_group = endpoint(a.group), endpoint(a.burst_group)
    uni_k, uni = 0, None
    if a.unicast:
        k, ep = a.unicast.split("=", 1)
        uni_k, uni = int(k), endpoint(ep)
    end = a.start + int(a.seconds * 1e9)
    steady_ns = int(a.steady_ms * 1e6) if a.burst else end - a.start
    idle_ns = int(a.idle_ms * 1e6)
    seq, bursts, wire_gap, last = 0, 0, 0, a.start
    out = bytearray(head())
    with open(a.out, "wb") as f:

        def put(ts, dst):
            nonlocal seq, last, out
            seq += 1
            if seq == uni_k:
                dst = uni
            fr = frame(seq, rnd, *dst)
            out += epb(ts, fr)
            last = ts
            if len(out) > 1 << 20:
                f.write(out)
                out = bytearray()
            return len(fr)

        t = a.start
        while t < end:
            cycle_end = min(t + steady_ns, end)
            k = 0
            while t + k * gap < cycle_end:
                j = rnd.randint(-a.jitter_ns, a.jitter_ns) if k else 0
                put(t + k * gap + j, group)
                k += 1
            if not a.burst or t + k * gap + idle_ns >= end:
                break
            bt = last + idle_ns
            for i in range(a.burst):
                n = put(bt, burst_group)
                wire_gap = (n + WIRE_EXTRA) * 8 // 10  # ns at 10 Gb/s
                bt += wire_gap
            bursts += 1
            t = last + gap
        f.write(out)
    json.dump({"packets": seq, "bursts": bursts, "burst": a.burst if bursts else 0,
               "first_ns": a.start, "last_ns": last, "gap_ns": gap, "wire_gap_ns": wire_gap},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
