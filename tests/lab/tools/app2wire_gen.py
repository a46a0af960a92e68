#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""app2wire_gen.py - pcap files of synthetic MDP 3.0, ITCH 5.0 (in
MoldUDP64) and CBOE PITCH datagrams whose sender times are known and whose
packet times are the sender time plus known offsets, for capstat's
app-to-wire latency (tests/lab/capstat_app2wire.sh has the figures each
file must give).  Sender times of day are computed here with Python's
zoneinfo (its own reading of the tz database, not the C library's) in
America/New_York.

    app2wire_gen.py DAY OUT    DAY: midnight (2026-01-15/16), dst
                               (2026-03-08, 23-hour day), dstend
                               (2026-11-01, 25-hour day)

Feeds (all Ethernet/IPv4/UDP, pcap with ns timestamps):
  239.2.0.1:32001 MDP 3.0, 100 datagrams, offset 12345 ns each
  239.2.0.1:32002 MDP 3.0, offsets -500, 1000, 20000, 300000 ns (25 each),
                  and one SendingTime 0
  239.2.0.2:32003 ITCH 5.0, 2 messages a datagram, offsets 7000 and
                  8000 ns, plus a 10-byte message and a zero timestamp
  239.2.0.3:32005 PITCH unit 1: Time + 3 messages a datagram, offsets
                  202500, 102500, 2500 ns; an offset before any Time, one
                  of unit 2 (no Time of its own), one after a Time out of range
"""

import datetime
import os
import struct
import sys
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapng_gen import ipv4_udp  # noqa: E402

TZ = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.timezone.utc
NS = 10**9


def ns_of(dt):
    """ns since 1970 of an aware datetime (whole microseconds)."""
    d = dt - datetime.datetime(1970, 1, 1, tzinfo=UTC)
    return (d.days * 86400 + d.seconds) * NS + d.microseconds * 1000


def midnight(date):
    """Local midnight of date, in ns UTC."""
    return ns_of(datetime.datetime(date.year, date.month, date.day, tzinfo=TZ))


def tod(t):
    """(local midnight of t's local date, ns since it) of instant t (ns UTC)."""
    local = datetime.datetime.fromtimestamp(t // NS, TZ)
    m = midnight(local.date())
    return m, t - m


class Pcap:
    def __init__(self):
        self.pkts = []
        self.n = 0

    def add(self, ts, dport, group, payload):
        self.n += 1
        ip = ipv4_udp(28 + len(payload), self.n, dst=group, dport=dport, payload=payload)
        eth = bytes.fromhex("01005e020001" "020000000001" "0800")
        self.pkts.append((ts, eth + ip))

    def write(self, path):
        out = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
        for ts, data in sorted(self.pkts, key=lambda p: p[0]):
            out += struct.pack("<IIII", ts // NS, ts % NS, len(data), len(data)) + data
        with open(path, "wb") as f:
            f.write(out)


def mdp3(seq, send_ns):
    msg = struct.pack("<H", 10) + bytes(8)
    return struct.pack("<IQ", seq, send_ns) + msg


def mold(seq, msgs):
    body = b"".join(struct.pack(">H", len(m)) + m for m in msgs)
    return b"SESSION001" + struct.pack(">QH", seq, len(msgs)) + body


def itch(ts_of_day, length=36):
    m = b"A" + struct.pack(">HH", 1, 0) + ts_of_day.to_bytes(6, "big")
    return (m + bytes(max(0, length - len(m))))[:length]


def pitch(unit, seq, msgs):
    body = b"".join(msgs)
    return struct.pack("<HBBI", 8 + len(body), len(msgs), unit, seq) + body


def p_time(sec):
    return bytes([6, 0x20]) + struct.pack("<I", sec)


def p_msg(offset, mtype=0x21, length=26):
    return (bytes([length, mtype]) + struct.pack("<I", offset) + bytes(length))[:length]


def build(t0, out):
    """Every feed around instant t0 (ns UTC), sender times from t0 - 50 us."""
    p = Pcap()
    start = t0 - 50_000 + 321  # no message at midnight exactly: 0 is "no time"
    # MDP 3.0: constant offset, then the set of offsets and a zero time.
    for i in range(100):
        s = start + i * 1000
        p.add(s + 12345, 32001, "239.2.0.1", mdp3(i + 1, s))
    offs = [-500, 1000, 20000, 300000]
    for i in range(100):
        s = start + i * 1000
        p.add(s + offs[i % 4], 32002, "239.2.0.1", mdp3(i + 1, s))
    p.add(start, 32002, "239.2.0.1", mdp3(101, 0))
    # ITCH: two messages stamped 1 us apart, the datagram 7 us after the first.
    for i in range(20):
        s = start + i * 5000
        msgs = [itch(tod(s)[1]), itch(tod(s - 1000)[1])]
        p.add(s + 7000, 32003, "239.2.0.2", mold(2 * i + 1, msgs))
    p.add(start, 32003, "239.2.0.2", mold(41, [itch(1, length=10), itch(0)]))
    # PITCH unit 1: an offset before any Time (unknown), then datagrams of
    # three messages 100 us apart, each after a Time when its second is new,
    # the datagram 2.5 us after the last message.
    p.add(start - 10_000, 32005, "239.2.0.3", pitch(1, 1, [p_msg(5)]))
    seq = 2
    for i in range(20):
        s0 = start + i * 5000
        msgs, cur = [], None
        for k in range(3):
            sec, off = divmod(tod(s0 + k * 100_000)[1], NS)
            if sec != cur:
                msgs.append(p_time(sec))
                cur = sec
            msgs.append(p_msg(off))
        p.add(s0 + 200_000 + 2500, 32005, "239.2.0.3", pitch(1, seq, msgs))
        seq += len(msgs)
    # Unit 2 has no Time: unknown.  Unit 1 after a Time out of range: unknown.
    p.add(start + 500_000, 32005, "239.2.0.3", pitch(2, 1, [p_msg(7)]))
    p.add(start + 600_000, 32005, "239.2.0.3", pitch(1, seq, [p_time(90000), p_msg(7)]))
    p.write(out)


DAYS = {
    # Local midnight of 2026-01-16 (EST): datagrams straddle it.
    "midnight": lambda: midnight(datetime.date(2026, 1, 16)),
    # Noon EDT on 2026-03-08: 11 hours after midnight EST.
    "dst": lambda: ns_of(datetime.datetime(2026, 3, 8, 12, 0, tzinfo=TZ)),
    # 23:30 EST on 2026-11-01: 24.5 hours after midnight EDT.
    "dstend": lambda: ns_of(datetime.datetime(2026, 11, 1, 23, 30, tzinfo=TZ)),
}


def main(argv):
    if len(argv) != 3 or argv[1] not in DAYS:
        sys.stderr.write(__doc__)
        return 2
    build(DAYS[argv[1]](), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
