#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""replay_judge.py - a replay's re-recording against its original.

    replay_judge.py ORIG.tsv REREC.tsv [--speed X] [--loops N] [--pps N] [--count N]
                    [--report REPORT.json]

Both files are tshark's fields, one packet a line: frame.time_epoch, then
any number of fields that identify the packet (the MoldUDP64 sequence
number, udp.payload).  The re-recording must hold the original's packets,
--loops (1) times over (the first --count of them, if given), in order,
with the same identifying fields.

Prints one JSON object:
  packets, expected      packets re-recorded, and original x loops (or count)
  same                   the identifying fields agree, in order
  first_diff             the first line (0-based) where they do not, or null
  gap_err_ns             |re-recorded gap - expected gap| over every
                         consecutive pair: p50, p99, max (nearest rank)
  err_ns                 |error_i|, error_i = (rx_i - rx_0) - (due_i - due_0):
                         p50, p99, max
  drift_ns               error of the last packet (signed)
  first_late_ns          how much later the first packet arrived than the
                         median packet: -(median of error_i); error_i
                         counts from the first packet, so its lateness
                         shows in every other figure
  seams                  per seam between passes: [expected gap, re-recorded
                         gap, shift], shift being the median error_i of the
                         pass after the seam minus that of the pass before
                         it: how far the next pass's timeline moved against
                         the last one's, which neither one packet delayed on
                         its way nor a stall of the sender (the packets it
                         held sent late, then caught up) can fake
  rate_pps               (packets - 1) / (rx_last - rx_0)
  rate_med_pps           the rate over the run, which packets held up for
                         a while and sent late do not move: the schedule's
                         rate divided by 1 + the slope of error_i over
                         due_i, that slope taken between the medians of
                         the first and the second half of the run
  gaps, gaps_over        gaps, and those whose error is over 20 us
  gaps_allowed           how many may be over 20 us with the p99 at or
                         under it
  machine_gaps           how many the machine accounts for: capreplay's
                         report (--report) counts the times the sending
                         core was taken from it for 20 us or more while it
                         spun; scaled from its spinning to all its CPU
                         time, that is how often the same happened while
                         it prepared and sent, and each such time holds up
                         the packet due next (0 without --report)
  gaps_ok                gaps_over <= gaps_allowed + machine_gaps
where the expected gap is the original one divided by --speed; at a seam,
the mean gap of a pass divided by --speed (capreplay's --loop); with --pps,
1/N s everywhere (doubles: exact to well below a ns over hours).  The
gaps are those of the packets as recorded, so a packet missing or
reordered spoils "same", not the figures after it.
"""

import argparse
import json
import sys


def ns(s):
    sec, _, frac = s.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])


def load(path):
    ts, keys = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            t, _, rest = line.partition("\t")
            ts.append(ns(t))
            keys.append(rest)
    return ts, keys


def pct(v, p):
    if not v:
        return None
    s = sorted(v)
    k = max(0, -(-len(s) * p // 100) - 1)
    return s[k]


def median(v):
    return sorted(v)[len(v) // 2]


def summary(v):
    return {"p50": pct(v, 50), "p99": pct(v, 99), "max": max(v) if v else None}


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("orig")
    p.add_argument("rerec")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--loops", type=int, default=1)
    p.add_argument("--pps", type=int, default=0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--report")
    a = p.parse_args(argv)
    ot, ok = load(a.orig)
    rt, rk = load(a.rerec)
    n = len(ot)
    if n < 2:
        print("replay_judge.py: the original has fewer than 2 packets", file=sys.stderr)
        return 2
    exp_keys = ok * a.loops
    if a.count:
        exp_keys = exp_keys[:a.count]
    first_diff = None
    for i in range(min(len(rk), len(exp_keys))):
        if rk[i] != exp_keys[i]:
            first_diff = i
            break
    if first_diff is None and len(rk) != len(exp_keys):
        first_diff = min(len(rk), len(exp_keys))
    # When each packet is due, from the first one's time, in ns of packet time.
    span = ot[-1] - ot[0]
    mean = span / (n - 1)
    due = []
    for k in range(a.loops):
        for i in range(n):
            if a.pps:
                due.append((k * n + i) * 1e9 / a.pps)
            else:
                due.append((k * (span + mean) + (ot[i] - ot[0])) / a.speed)
    m = min(len(rt), len(due))
    gap_err, err, seams = [], [], []
    for i in range(1, m):
        want = due[i] - due[i - 1]
        got = rt[i] - rt[i - 1]
        gap_err.append(abs(got - want))
    for i in range(m):
        err.append((rt[i] - rt[0]) - due[i])
    for k in range(1, a.loops):
        s0 = k * n
        if s0 >= m:
            break
        shift = median(err[s0:min(m, s0 + n)]) - median(err[s0 - n:s0])
        seams.append([round(due[s0] - due[s0 - 1]), rt[s0] - rt[s0 - 1], round(shift)])
    machine = 0
    if a.report:
        with open(a.report) as f:
            r = json.load(f)
        if r["spun_ns"] > 0:
            machine = r["stalls_20us"] * r["cpu_ns"] // r["spun_ns"]
    over = sum(1 for g in gap_err if g > 20000)
    allowed = len(gap_err) - -(-len(gap_err) * 99 // 100)
    out = {
        "packets": len(rt),
        "expected": len(exp_keys),
        "same": first_diff is None,
        "first_diff": first_diff,
        "gap_err_ns": {k: round(v) for k, v in summary(gap_err).items()},
        "err_ns": {k: round(v) for k, v in summary([abs(e) for e in err]).items()},
        "drift_ns": round(err[-1]) if err else None,
        "first_late_ns": -round(median(err)) if err else None,
        "seams": seams,
        "gaps": len(gap_err),
        "gaps_over": over,
        "gaps_allowed": allowed,
        "machine_gaps": machine,
        "gaps_ok": over <= allowed + machine,
        "rate_pps": (len(rt) - 1) * 10**9 / (rt[-1] - rt[0]) if len(rt) > 1 and rt[-1] > rt[0]
        else None,
    }
    out["rate_med_pps"] = None
    if m > 3 and due[m - 1] > due[0]:
        h = m // 2
        slope = (median(err[h:m]) - median(err[:h])) / (median(due[h:m]) - median(due[:h]))
        out["rate_med_pps"] = (m - 1) * 1e9 / (due[m - 1] - due[0]) / (1 + slope)
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
