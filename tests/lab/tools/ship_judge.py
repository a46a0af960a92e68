#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ship_judge.py - what capship put into ClickHouse, against the archives.

  ship_judge.py counts BOX=LIST.json...
      The rows each table must hold for these boxes (one line per table,
      "TABLE N": files, feeds, gaps, pauses), from capdump --list --json of
      their archives.

  ship_judge.py fleet --queries Q --seed N --made BOX:FEED:A-B,C-D ...
                      --group FEED=ADDR ... [--paused BOX:FEED:MS ...]
                      [--capstat BOX=FILE] BOX=LIST.json...
      The tables' contents (FINAL) against the listings; the gaps against
      those the senders made; the pauses of each --group feed against the
      silences of 100 ms or more between its packets (tshark), and one of
      at least MS ms inside a file for each --paused; where_feed for
      seeded windows, on files' edges and inside pauses against the
      packets tshark reads in every file; gaps_per_feed_day's sums.

ClickHouse is reached at $CH_URL as $CH_USER with $CH_PASSWORD (HTTP
headers).  Files are compared by box and base name: the shipper names them
by their path in the archive directory.  Exit 0 when all holds, 1 with the
differences on stderr.
"""
import argparse
import calendar
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

PAUSE_NS = 100 * 10**6  # CAPINDEX_PAUSE_NS: a feed silent this long paused
PAUSES_MAX = 32  # CAPINDEX_PAUSES_MAX: pauses listed per feed and file


def ch(sql):
    req = urllib.request.Request(os.environ["CH_URL"], data=sql.encode(), headers={
        "X-ClickHouse-User": os.environ["CH_USER"],
        "X-ClickHouse-Key": os.environ["CH_PASSWORD"]})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
    except urllib.error.HTTPError as e:
        sys.exit("ClickHouse: %s: %s\n%s" % (e.code, e.read().decode().strip(), sql))
    return [line.split("\t") for line in text.splitlines()]


def named(path, name, **params):
    """The query "-- name: NAME" of queries.sql, placeholders filled in."""
    out, on = [], False
    for line in open(path):
        if line.rstrip("\n") == "-- name: " + name:
            on = True
            continue
        if not on or re.match(r"\s*--", line):
            continue
        out.append(line)
        if line.rstrip().endswith(";"):
            break
    sql = "".join(out).rstrip().rstrip(";")
    for k, v in params.items():
        sql = sql.replace("{%s}" % k, str(v))
    assert sql and not re.search(r"\{[A-Z0-9]+\}", sql), name + ": " + sql
    return sql


def base(p):
    return p.rsplit("/", 1)[-1]


def listing_rows(box, listing):
    """The rows capship must ship for one box: files, feeds with packets,
    gaps (seq_to exclusive; boundary 1 for the gap before a file), the
    listed pauses."""
    files, feeds, gaps, pauses = set(), set(), set(), set()
    for f in listing["files"]:
        assert "error" not in f, "%s: %s" % (f["name"], f["error"])
        b = base(f["name"])
        files.add((box, b, f["packets"], f["first_ns"] or 0, f["last_ns"] or 0,
                   f["span_start_ns"], f["span_end_ns"]))
        for x in f["feeds"]:
            if not x["packets"]:
                continue
            s = x["seq"]
            feeds.add((box, b, x["name"], x["packets"], x["first_ns"], x["last_ns"],
                       s["min"] if s else 0, s["max"] if s else 0, x["pauses"],
                       len(x["pause_list"])))
            for p in x["pause_list"]:
                pauses.add((box, x["name"], b, p["from_ns"], p["to_ns"]))
            if not s:
                continue
            for g in s["gap_list"]:
                gaps.add((box, x["name"], b, g["first"], g["last"] + 1, 0))
            assert s["gaps"] == len(s["gap_list"]), "%s %s: more gaps than listed" % (b, x["name"])
            if s["gap_before_file"]:
                g = s["gap_before_file"]
                gaps.add((box, x["name"], b, g["first"], g["last"] + 1, 1))
    return files, feeds, gaps, pauses


def counts(args):
    n = {"files": 0, "feeds": 0, "gaps": 0, "pauses": 0}
    for spec in args.boxes:
        box, path = spec.split("=", 1)
        for table, rows in zip(("files", "feeds", "gaps", "pauses"),
                               listing_rows(box, json.load(open(path)))):
            n[table] += len(rows)
    for k, v in n.items():
        print(k, v)


def ns(t):
    s, _, f = t.partition(".")
    return int(s) * 10**9 + int((f + "000000000")[:9])


def iso_ns(t):
    """ns since 1970 of capstat's "2026-05-01T12:00:01.000000000Z"."""
    whole, _, frac = t.rstrip("Z").partition(".")
    return (calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 10**9 +
            int((frac + "000000000")[:9]))


def capstat_rows(path):
    """Per (feed, end_ns) of capstat --json's intervals: the interval's
    packets and the p99 capship takes: latency_ns's (capstat --latency-to,
    comparable clocks), else app2wire's, else 0."""
    feeds, lat = {}, {}
    for line in open(path):
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "feed":
            feeds[(o["feed"], iso_ns(o["time"]))] = o
        elif o.get("type") == "latency":
            lat[(o["feed"], iso_ns(o["time"]))] = o
    rows = {}
    for key, o in feeds.items():
        ln = lat.get(key, {}).get("latency_ns")
        a2w = o.get("app2wire")
        if ln:
            p99 = ln.get("p99") or 0
        elif a2w:
            p99 = a2w.get("p99_ns") or 0
        else:
            p99 = 0
        rows[key] = (o["interval_packets"], p99)
    return rows


def packet_times(directory, names, addr):
    """Per file (base name), the times of its packets to addr, by tshark."""
    out = {}
    for b in names:
        text = subprocess.run(["tshark", "-r", os.path.join(directory, b), "-T", "fields",
                               "-e", "frame.time_epoch", "-Y", "ip.dst == " + addr],
                              capture_output=True, text=True, check=True).stdout
        out[b] = sorted(ns(t) for t in text.split())
    return out


def fleet(args):
    bad = []
    boxes = {}
    want = [set(), set(), set(), set()]
    for spec in args.boxes:
        box, path = spec.split("=", 1)
        listing = json.load(open(path))
        boxes[box] = (os.path.dirname(listing["files"][0]["name"]),
                      [base(f["name"]) for f in listing["files"]])
        for w, r in zip(want, listing_rows(box, listing)):
            w |= r
    names = "','".join(boxes)

    # The tables, as the shipper filled them, against the listings.
    got = [
        ch("SELECT box, path, packets, first_ns, last_ns, span_start_ns, span_end_ns "
           "FROM capd.files FINAL WHERE box IN ('%s') FORMAT TSV" % names),
        ch("SELECT box, path, feed, packets, first_ns, last_ns, seq_min, seq_max, pauses, "
           "npauses FROM capd.feeds FINAL WHERE box IN ('%s') AND packets > 0 FORMAT TSV" % names),
        ch("SELECT box, feed, path, seq_from, seq_to, boundary "
           "FROM capd.gaps FINAL WHERE box IN ('%s') FORMAT TSV" % names),
        ch("SELECT box, feed, path, from_ns, to_ns "
           "FROM capd.pauses FINAL WHERE box IN ('%s') FORMAT TSV" % names)]
    for table, w, rows in zip(("files", "feeds", "gaps", "pauses"), want, got):
        g, k = set(), 1 if table in ("files", "feeds") else 2
        for r in rows:
            r[k] = base(r[k])
            g.add(tuple(int(x) if x.isdigit() else x for x in r))
        if len(g) != len(rows):
            bad.append("%s: %d rows, %d different" % (table, len(rows), len(g)))
        if g != w:
            bad.append("%s: shipped but not listed %s; listed but not shipped %s" % (
                table, sorted(g - w)[:5], sorted(w - g)[:5]))
        print("%s: %d rows, as the listings say" % (table, len(rows)) if g == w else
              "%s: DIFFERENT" % table)

    # No file left its archive: no removal.
    rows = ch("SELECT box, path FROM capd.removals FINAL WHERE box IN ('%s') FORMAT TSV" % names)
    if rows:
        bad.append("removals of files still in their archives: %s" % [
            (r[0], base(r[1])) for r in rows][:5])
    else:
        print("removals: none, as no file was removed")

    # The gaps are those the senders made, inside files or between them.
    made = {}
    for spec in args.made:
        box, feed, ranges = spec.split(":")
        made[(box, feed)] = sorted(tuple(int(x) for x in r.split("-"))
                                   for r in ranges.split(",") if r)
    for (box, feed), m in made.items():
        g = sorted((r[3], r[4] - 1) for r in want[2] if r[0] == box and r[1] == feed)
        if g != m:
            bad.append("%s %s: gaps listed %s, made %s" % (box, feed, g, m))
    # gaps_per_feed_day: over all days, the sums the senders made.
    rows = ch(named(args.queries, "gaps_per_feed_day", T1=0, T2=2**63) + " FORMAT TSV")
    per = {}
    for day, feed, box, n, missing, between, first, last in rows:
        if box not in boxes:
            continue
        p = per.setdefault((box, feed), [0, 0, 0])
        p[0] += int(n)
        p[1] += int(missing)
        p[2] += int(between)
    for key in set(per) | set(made):
        m = made.get(key, [])
        expect = [len(m), sum(b - a + 1 for a, b in m),
                  sum(1 for r in want[2] if (r[0], r[1]) == key and r[5])]
        if per.get(key, [0, 0, 0]) != expect:
            bad.append("gaps_per_feed_day %s: %s, want %s" % (key, per.get(key), expect))
        else:
            print("gaps_per_feed_day %s %s: %d gaps, %d missing, %d between files" % (
                key + tuple(expect)))

    # capstat's intervals, and latency_p99_hour over them.
    for spec in args.capstat:
        box, path = spec.split("=", 1)
        want_i = capstat_rows(path)
        got_i = {(r[0], int(r[1])): (int(r[2]), int(r[3])) for r in ch(
            "SELECT feed, end_ns, packets, lat_p99_ns FROM capd.intervals FINAL "
            "WHERE box = '%s' FORMAT TSV" % box)}
        if got_i != want_i:
            bad.append("%s intervals: shipped %s, capstat %s" % (
                box, sorted(set(got_i.items()) - set(want_i.items()))[:4],
                sorted(set(want_i.items()) - set(got_i.items()))[:4]))
            continue
        lat_n = sum(1 for _, p99 in want_i.values() if p99)
        if not lat_n:
            bad.append("%s: no interval with a latency p99 in %s" % (box, path))
        hours = {}
        for (feed, end), (_, p99) in want_i.items():
            if p99:
                h = time.strftime("%Y-%m-%d %H:00:00", time.gmtime(end // 10**9))
                hours.setdefault((h, feed), []).append(p99)
        rows = ch(named(args.queries, "latency_p99_hour", T1=0, T2=2**63) + " FORMAT TSV")
        got_h = {(r[0], r[3]): (int(r[4]), int(r[6])) for r in rows if r[2] == box}
        want_h = {k: (max(v), len(v)) for k, v in hours.items()}
        if got_h != want_h:
            bad.append("%s latency_p99_hour: %s, capstat's intervals %s" % (box, got_h, want_h))
        else:
            print("intervals %s: %d rows as capstat wrote them, %d with a p99; "
                  "latency_p99_hour: %s" % (box, len(want_i), lat_n, sorted(want_h.items())))

    # The feeds' pauses: per file the silences of PAUSE_NS or more between
    # its packets (tshark), all counted, the first PAUSES_MAX listed.
    prow = {}
    for box, feed, path, f, t in ch("SELECT box, feed, path, from_ns, to_ns FROM capd.pauses "
                                    "FINAL WHERE box IN ('%s') FORMAT TSV" % names):
        prow.setdefault((box, base(path), feed), []).append((int(f), int(t)))
    pcount = {(r[0], base(r[1]), r[2]): (int(r[3]), int(r[4])) for r in ch(
        "SELECT box, path, feed, pauses, npauses FROM capd.feeds FINAL "
        "WHERE box IN ('%s') FORMAT TSV" % names)}
    rnd = random.Random(args.seed)
    groups = dict(spec.split("=") for spec in args.group)
    times = {feed: {box: packet_times(d, ns_, addr) for box, (d, ns_) in boxes.items()}
             for feed, addr in groups.items()}
    silences = {}
    for feed, per_feed in times.items():
        nbad, n = len(bad), 0
        for box, per_box in per_feed.items():
            for b, ts in per_box.items():
                sil = [(x, y) for x, y in zip(ts, ts[1:]) if y - x >= PAUSE_NS]
                silences[(box, b, feed)] = sil
                rows = sorted(prow.pop((box, b, feed), []))
                n += len(rows)
                pauses, npauses = pcount.get((box, b, feed), (0, 0))
                if (pauses, npauses) != (len(sil), min(len(sil), PAUSES_MAX)):
                    bad.append("%s %s %s: pauses %d, npauses %d; tshark: %d silences of "
                               "100 ms or more" % (box, b, feed, pauses, npauses, len(sil)))
                # Each row two packets with none between; all of them when
                # the file lists all.
                for x, y in rows:
                    if (x, y) not in sil:
                        bad.append("%s %s %s: pause (%d, %d) is not a silence of 100 ms "
                                   "between two packets (tshark)" % (box, b, feed, x, y))
                if len(rows) != npauses or (pauses == npauses and rows != sil):
                    bad.append("%s %s %s: pauses rows %s, tshark's silences %s" % (
                        box, b, feed, rows[:4], sil[:4]))
        print("pauses %s: %d rows, each a silence of 100 ms or more tshark sees, all of "
              "them" % (feed, n) if len(bad) == nbad else "pauses %s: DIFFERENT" % feed)
    for (box, b, feed), rows in prow.items():
        if feed in groups:
            bad.append("%s %s %s: pauses of a file without packets of it: %s" % (
                box, b, feed, rows[:4]))
    for spec in args.paused:
        box, feed, ms = spec.split(":")
        longest = max((y - x for (bx, _, f), sil in silences.items() if (bx, f) == (box, feed)
                       for x, y in sil), default=0)
        if longest < int(ms) * 10**6:
            allt = sorted(t for ts in times[feed][box].values() for t in ts)
            x, y = max(zip(allt, allt[1:]), key=lambda p: p[1] - p[0], default=(0, 0))
            bad.append("%s %s: no pause of %s ms inside a file (the longest %.3f s; the "
                       "longest silence %.3f s from %d, across files): the windows inside it "
                       "test nothing" % (box, feed, ms, longest / 1e9, (y - x) / 1e9, x))
        else:
            print("%s %s: paused %.3f s inside a file" % (box, feed, longest / 1e9))

    # where_feed: seeded windows against tshark's packet times.
    for feed, per_feed in times.items():
        allt = sorted(t for per_box in per_feed.values() for ts in per_box.values() for t in ts)
        if not allt:
            bad.append("no packet of %s in any file" % feed)
            continue
        lo, hi = allt[0], allt[-1]
        # (T1, T2, the boxes judged): the whole time, before and after it.
        windows = [(lo, hi + 1, None), (lo - 10**9, lo, None), (hi + 1, hi + 10**9, None)]
        # Edges on a box's packets: T1 on a file's first or last packet
        # (in), T2 on its first (out).  Judged for that box only: a window
        # this short falls between two packets of the other box, inside a
        # file whose first and last packets span it (README, where_feed).
        for box, per_box in per_feed.items():
            for ts in per_box.values():
                if ts:
                    windows += [(ts[0], ts[0] + 1, box), (ts[-1], ts[-1] + 1, box),
                                (ts[0] - 1, ts[0], box), (ts[-1] + 1, ts[-1] + 2 * 10**9, box)]
        # Seeded windows of 0.2 s and more, on packets, for all boxes.
        for _ in range(args.windows):
            a = rnd.choice(allt)
            windows.append((a, a + rnd.randint(2 * 10**8, 3 * 10**9), None))
        # Inside each pause: all of it (out), with the packet before or
        # after it (in), seeded windows of PAUSE_NS and more inside it.
        for (box, b, f), sil in sorted(silences.items()):
            for x, y in sil if f == feed else ():
                windows += [(x + 1, y, None), (x, y, None), (x + 1, y + 1, None)]
                for _ in range(3 if y - x > PAUSE_NS else 0):
                    t1 = rnd.randint(x + 1, y - PAUSE_NS)
                    windows.append((t1, rnd.randint(t1 + PAUSE_NS, y), None))
        nbad, superset, paused = len(bad), 0, 0
        for t1, t2, only in windows:
            judged = [only] if only else list(boxes)
            # The files with a packet in the window; the files whose first
            # and last packet span it, the most where_feed may list.
            holds = sorted((box, b) for box in judged for b, ts in per_feed[box].items()
                           if any(t1 <= t < t2 for t in ts))
            spans = sorted((box, b) for box in judged for b, ts in per_feed[box].items()
                           if ts and ts[0] < t2 and ts[-1] >= t1)
            rows = ch(named(args.queries, "where_feed", FEED=feed, T1=t1, T2=t2) + " FORMAT TSV")
            got = sorted((r[0], base(r[2])) for r in rows if r[0] in judged)
            more = sorted(set(got) - set(holds))
            # Exact: a window of PAUSE_NS or more, or one holding a packet,
            # where the files list all their pauses; else a superset.
            unlisted = [k for k in more
                        if pcount.get(k + (feed,), (0, 0))[0] > pcount.get(k + (feed,), (0, 0))[1]]
            may = (t2 - t1 < PAUSE_NS and not holds) or unlisted
            if not set(holds) <= set(got) <= set(spans) or (more and not may):
                bad.append("where_feed %s [%d, %d) %s: %s, tshark %s" % (
                    feed, t1, t2, judged, got, holds))
            elif more:
                superset += 1
                print("where_feed %s [%d, %d): %s listed without a packet in the window, "
                      "as may be: %s" % (feed, t1, t2, more,
                                         "more pauses than listed" if unlisted else
                                         "a window shorter than 100 ms"))
            elif spans != holds:
                paused += 1
        print("where_feed %s: %d windows, %d with exactly the files tshark finds packets in "
              "(%d of them inside a pause of a file that spans them), %d a superset as the "
              "query says it may be, %d wrong" % (
                  feed, len(windows), len(windows) - (len(bad) - nbad) - superset, paused,
                  superset, len(bad) - nbad))
    for b in bad:
        print("FAIL:", b, file=sys.stderr)
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("counts")
    c.add_argument("boxes", nargs="+")
    f = sub.add_parser("fleet")
    f.add_argument("--queries", required=True)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--windows", type=int, default=40)
    f.add_argument("--made", action="append", default=[])
    f.add_argument("--group", action="append", default=[])
    f.add_argument("--paused", action="append", default=[])
    f.add_argument("--capstat", action="append", default=[])
    f.add_argument("boxes", nargs="+")
    a = p.parse_args()
    if a.cmd == "counts":
        counts(a)
        return 0
    return fleet(a)


if __name__ == "__main__":
    sys.exit(main())
