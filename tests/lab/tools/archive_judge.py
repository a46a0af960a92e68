#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""archive_judge.py - the judge of tests/lab/capdump_archive.sh: the
sender's plan with known gaps, and the archive capdump recorded checked
against what tshark reads in it.

    archive_judge.py plan SEED SECONDS OUTDIR
        write OUTDIR/MOLD.steps and OUTDIR/PITCH.steps: what each feed's
        sender does, one step a line (see run_feed in capdump_archive.sh):
          send WORD...   one feed_send run with these plan words
          edge_before    wait until 0.3 s before the next 10 s of UTC
          edge_after     wait until 0.3 s after it
    archive_judge.py check SEED ARCHIVE WORK CAPDUMP
        the sent plans are WORK/MOLD.sent and WORK/PITCH.sent (the steps run);
        scan every file of ARCHIVE with tshark, then for 20 windows (seeded,
        printed) compare capdump -r ARCHIVE --start/--end, + --feed, --seq,
        + a filter expression, with the packets the scan selects (time,
        interface, lengths, MD5 of the bytes), exactly and in order; and
        capdump --list --json ARCHIVE with the gaps of the plans and the
        drops tshark counts in each file.

python3 standard library only.  Exit 0 pass, 1 fail (one line "FAIL: ...").
"""
import concurrent.futures
import json
import os
import random
import re
import subprocess
import sys
import time

# The feeds of the test's capd.conf, in table order: name, group, port,
# protocol (feed_send --proto), messages per packet (-m), packets a second.
FEEDS = [
    ("MOLD", "239.1.1.1", 30001, "moldudp64", 3, 300),
    ("PITCH", "239.1.1.2", 30002, "pitch", 2, 200),
    ("PLAIN", "239.1.1.3", 30003, None, 1, 100),
]
SEQ_FEEDS = [f for f in FEEDS if f[3]]
ROTATE_NS = 10 * 10**9  # capdump -G 10

# A filter expression and what it selects of tshark's fields.
EXPRS = [
    ("udp dst port 30002", lambda p: p["dport"] == 30002),
    ("dst host 239.1.1.1", lambda p: p["dst"] == "239.1.1.1"),
    ("greater 100", lambda p: p["len"] >= 100),
    ("less 80", lambda p: p["len"] <= 80),
    ("udp and not dst host 239.1.1.3", lambda p: p["dport"] is not None and p["dst"] != "239.1.1.3"),
]


def fail(msg):
    print("FAIL: archive_judge: " + msg, flush=True)
    sys.exit(1)


# ---------------------------------------------------------------- the plan

def plan(seed, secs, outdir):
    """Segments of 1-4 s of traffic, most followed by a gap of 1-40
    messages; two gaps across a file boundary (edge steps); one packet
    repeated (late); MOLD changes session half way (numbers restart at 1).
    More steps than fit: the runner stops at its deadline."""
    rnd = random.Random(seed)
    for name, _, _, proto, msgs, pps in SEQ_FEEDS:
        steps, nxt, t, session, changed = [], 1, 0.0, 1, False
        nedges = 0
        while t < secs * 2 + 60:
            if name == "MOLD" and not changed and t > secs / 2:
                session, nxt, changed = 2, 1, True
            sess = "session:SESSION%03d" % session if proto == "moldudp64" else "session:1"
            if nedges < 2 and t > 4 + nedges * secs / 3:
                # The last packet before a 10 s boundary, a gap, the next after it.
                steps.append("edge_before")
                steps.append("send %s %d" % (sess, nxt))
                nxt += msgs
                steps.append("edge_after")
                nxt += rnd.randint(1, 40)
                nedges += 1
                t += 10
            npk = int(rnd.uniform(1, 4) * pps)
            last = nxt + npk * msgs - 1
            words = [sess]
            if rnd.random() < 0.3 and npk > 20:
                # A repeat of a packet already sent, in the middle of a run.
                half = nxt + (npk // 2) * msgs
                words += ["%d-%d" % (nxt, half - 1), str(nxt + msgs), "%d-%d" % (half, last)]
            else:
                words.append("%d-%d" % (nxt, last))
            steps.append("send " + " ".join(words))
            nxt = last + 1
            if rnd.random() < 0.8:
                nxt += rnd.randint(1, 40)
            t += npk / pps
        with open(os.path.join(outdir, name + ".steps"), "w") as f:
            f.write("\n".join(steps) + "\n")


def plan_packets(path, msgs):
    """(session, first message, count) of each packet the sent steps made,
    as feed_send expands its words."""
    out, session = [], None
    for line in open(path):
        words = line.split()
        if not words or words[0] != "send":
            continue
        for w in words[1:]:
            if w.startswith("session:"):
                session = w[8:]
                continue
            if "-" in w:
                a, b = (int(x) for x in w.split("-"))
                while a <= b:
                    n = min(msgs, b - a + 1)
                    out.append((session, a, n))
                    a += n
            else:
                out.append((session, int(w), msgs))
    return out


def plan_gaps(packets):
    """The gaps the plan made: [(session, first missing, last missing)]."""
    gaps, session, expect = [], None, None
    for s, a, n in packets:
        if s != session:
            session, expect = s, None
        if expect is not None and a > expect:
            gaps.append((s, expect, a - 1))
        if expect is None or a >= expect:
            expect = a + n
    return gaps


# ---------------------------------------------------------------- tshark

FIELDS = ["frame.time_epoch", "frame.interface_name", "frame.len", "frame.cap_len",
          "frame.md5_hash", "ip.dst", "udp.dstport", "udp.payload", "frame.drop_count"]


def tshark(path):
    """Every packet of a capture file as tshark reads it."""
    r = subprocess.run(["tshark", "-n", "-o", "frame.generate_md5_hash:TRUE", "-r", path,
                        "-T", "fields", "-E", "occurrence=f"] +
                       [a for f in FIELDS for a in ("-e", f)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("tshark -r %s: %s" % (path, r.stderr.strip()))
    pkts = []
    for line in r.stdout.splitlines():
        v = line.split("\t")
        s, _, frac = v[0].partition(".")
        if len(frac) != 9:
            fail("%s: frame.time_epoch %s has not 9 decimals" % (path, v[0]))
        pay = bytes.fromhex(v[7].replace(":", "")) if v[7] else b""
        pkts.append({"text": v[0], "ns": int(s) * 10**9 + int(frac), "ifname": v[1],
                     "len": int(v[2]), "caplen": int(v[3]), "md5": v[4], "dst": v[5],
                     "dport": int(v[6]) if v[6] else None, "payload": pay,
                     "drops": int(v[8]) if v[8] else 0})
    return pkts


def key(p):
    return (p["text"], p["ifname"], p["len"], p["caplen"], p["md5"])


def feed_of(p):
    for name, group, port, _, _, _ in FEEDS:
        if p["dst"] == group and p["dport"] == port:
            return name
    return None


def messages(p):
    """(first, count) of the messages a packet of a sequenced feed carries."""
    b, f = p["payload"], feed_of(p)
    if f == "MOLD" and len(b) >= 20:
        n = int.from_bytes(b[18:20], "big")
        return int.from_bytes(b[10:18], "big"), (0 if n == 0xFFFF else n)
    if f == "PITCH" and len(b) >= 8:
        return int.from_bytes(b[4:8], "little"), b[2]
    return 0, 0


def session_of(p):
    """MoldUDP64's session, PITCH's unit."""
    return p["payload"][:10] if feed_of(p) == "MOLD" else p["payload"][3:4]


def recorded_across(rec):
    """Gaps of a feed's packets [(session, (first, count), file)] whose
    packets before and after lie in different files."""
    n, session, expect, last_file = 0, None, None, None
    for s, (a, c), f in rec:
        if s != session:
            session, expect = s, None
        if expect is not None and a > expect and f != last_file:
            n += 1
        if expect is None or a >= expect:
            expect, last_file = a + c, f
    return n


def file_feeds(fp):
    """What an index knows of each feed in a file: {name: (first ns, last
    ns, lowest message, highest message or None)}."""
    out = {}
    for name in (f[0] for f in FEEDS):
        ts = [p["ns"] for p in fp if feed_of(p) == name]
        ms = [messages(p) for p in fp if feed_of(p) == name]
        ms = [(a, a + n - 1) for a, n in ms if n]
        if ts:
            out[name] = (min(ts), max(ts), min(m[0] for m in ms) if ms else None,
                         max(m[1] for m in ms) if ms else None)
    return out


def may_read(f, a, b, feeds, seq):
    """Whether file f may be read for a selection: nothing its index
    holds (times of the file and of its feeds, message bounds) rules it
    out.  a, b: the window or None; feeds: names or None; seq: (feed, lo,
    hi) or None."""
    if f["first"] is None:
        return False
    if a is not None and not (f["first"] < b and f["last"] >= a):
        return False
    inw = lambda v: a is None or (v[0] < b and v[1] >= a)
    if feeds and not any(n in f["feeds"] and inw(f["feeds"][n]) for n in feeds):
        return False
    if seq:
        v = f["feeds"].get(seq[0])
        if not v or v[2] is None or not inw(v) or v[2] > seq[2] or v[3] < seq[1]:
            return False
    return True


def carries(p, feed, lo, hi):
    if feed_of(p) != feed:
        return False
    a, n = messages(p)
    return n > 0 and a <= hi and a + n - 1 >= lo


# ---------------------------------------------------------------- windows

def ns_text(ns, utc):
    if utc:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + \
            ".%09dZ" % (ns % 10**9)
    return "%d.%09d" % (ns // 10**9, ns % 10**9)


def windows(rnd, pkts, files):
    """20 windows [start, end) in ns with what each is meant to test."""
    ts = sorted(p["ns"] for p in pkts)
    lo, hi = ts[0], ts[-1]
    firsts = [f["first"] for f in files[1:] if f["first"] is not None] or [lo]
    cuts = [t for t in range((lo // ROTATE_NS + 1) * ROTATE_NS, hi, ROTATE_NS)] or [lo]
    span = lambda: rnd.randint(10**7, 15 * 10**9)
    out = []
    a = rnd.choice(ts)
    out.append((a, a + span(), "starts on a packet"))
    b = rnd.choice(ts)
    out.append((b - span(), b, "ends on a packet"))
    a = rnd.choice(firsts)
    out.append((a, a + span(), "starts on a file's first packet"))
    b = rnd.choice(firsts)
    out.append((b - span(), b, "ends on a file's first packet"))
    a = rnd.choice(cuts)
    out.append((a, a + span(), "starts on a rotation"))
    b = rnd.choice(cuts)
    out.append((b - span(), b, "ends on a rotation"))
    i = rnd.randrange(len(ts))
    j = min(len(ts) - 1, i + rnd.randint(1, 3000))
    if ts[j] == ts[i]:
        j = len(ts) - 1
    out.append((ts[i], ts[j], "starts and ends on packets"))
    a = rnd.choice(ts)
    out.append((a, a + 1, "one nanosecond on a packet"))
    a = rnd.choice(firsts)
    out.append((a, a + 1, "one nanosecond on a file's first packet"))
    i = rnd.randrange(len(ts) - 1)
    while ts[i + 1] - ts[i] < 2:
        i = rnd.randrange(len(ts) - 1)
    out.append((ts[i] + 1, ts[i + 1], "between two packets (empty)"))
    out.append((lo - 10**9, hi + 10**9, "the whole archive"))
    while len(out) < 20:
        a = rnd.randint(lo - 10**9, hi)
        out.append((a, a + span(), "random"))
    return out


# ---------------------------------------------------------------- the listing

def listing_gaps(doc, feed):
    """The gaps of FEED that capdump --list --json reports, as (first
    missing, last missing), in order: per file the gap before it (across
    the boundary) and those inside it (docs/capdump.md, "Listing")."""
    out = []
    for f in doc["files"]:
        for x in f["feeds"]:
            if x["name"] != feed or not x["seq"]:
                continue
            s = x["seq"]
            if s["gap_before_file"]:
                out.append((s["gap_before_file"]["first"], s["gap_before_file"]["last"]))
            if s["gaps"] != len(s["gap_list"]):
                fail("capdump --list: %s %s: %d gaps, %d listed: more than the plan makes" %
                     (f["name"], feed, s["gaps"], len(s["gap_list"])))
            out += [(g["first"], g["last"]) for g in s["gap_list"]]
    return out


def listing_file_drops(doc):
    """{file name: (epb_dropcount, ISB drops)} of capdump --list --json."""
    return {os.path.basename(f["name"]): (f["epb_dropcount"], [
        (i["ifdrop"], i["osdrop"]) for i in f["interfaces"]]) for f in doc["files"]}


# ---------------------------------------------------------------- check

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


def compare(what, got, want):
    g, w = [key(p) for p in got], [key(p) for p in want]
    if g == w:
        return
    for i in range(min(len(g), len(w))):
        if g[i] != w[i]:
            fail("%s: %d packets, want %d; packet %d is %s, want %s" %
                 (what, len(g), len(w), i, g[i], w[i]))
    extra = g[len(w):] or w[len(g):]
    fail("%s: %d packets, want %d (first extra or missing: %s)" %
         (what, len(g), len(w), extra[0]))


def check(seed, archive, work, capdump):
    t0 = time.monotonic()
    names = sorted(f for f in os.listdir(archive) if re.search(r"\.pcapng\.zst$", f)
                   and not f.startswith("."))
    if len(names) < 3:
        fail("only %d files in the archive" % len(names))
    pkts, files = [], []
    for i, n in enumerate(names):
        fp = tshark(os.path.join(archive, n))
        for p in fp:
            p["file"] = i
        files.append({"name": n, "packets": len(fp), "drops": sum(p["drops"] for p in fp),
                      "first": min(p["ns"] for p in fp) if fp else None,
                      "last": max(p["ns"] for p in fp) if fp else None,
                      "feeds": file_feeds(fp)})
        pkts += fp
    print("full scan by tshark: %d files, %d packets (%s), %.1f s" % (
        len(files), len(pkts),
        ", ".join("%s %d" % (f[0], sum(feed_of(p) == f[0] for p in pkts)) for f in FEEDS),
        time.monotonic() - t0), flush=True)

    # The sender's plans, as sent, against the packets recorded.
    gaps, across = {}, 0
    for name, _, _, _, msgs, _ in SEQ_FEEDS:
        sent = plan_packets(os.path.join(work, name + ".sent"), msgs)
        got = [messages(p) for p in pkts if feed_of(p) == name]
        if sorted(got) != sorted((a, n) for _, a, n in sent):
            fail("%s: %d packets recorded, %d sent (or not the same ones)" %
                 (name, len(got), len(sent)))
        gaps[name] = plan_gaps(sent)
        # The same gaps in the recording, and where they fall.
        rec = [(session_of(p), messages(p), p["file"]) for p in pkts if feed_of(p) == name]
        seen = plan_gaps([(s, a, n) for s, (a, n), _ in rec])
        if [g[1:] for g in seen] != [g[1:] for g in gaps[name]]:
            fail("%s: the recording's gaps %s are not the plan's" % (name, seen))
        across += recorded_across(rec)
        print("%s: %d packets as sent, %d gaps in the plan: %s" % (
            name, len(sent), len(gaps[name]),
            " ".join("%d-%d" % (a, b) for _, a, b in gaps[name][:24]) +
            (" ..." if len(gaps[name]) > 24 else "")), flush=True)

    if not across:
        fail("no gap of the plans fell across a file boundary")
    print("%d of the gaps lie across a file boundary" % across, flush=True)

    # A full scan by capdump of the directory is tshark's scan.
    out = os.path.join(work, "full.pcapng")
    run([capdump, "-q", "-r", archive, "-w", out])
    compare("capdump -r ARCHIVE (all)", tshark(out), pkts)

    rnd = random.Random(seed)
    nread = nall = 0
    workers = concurrent.futures.ThreadPoolExecutor(max_workers=4)
    for k, (a, b, why) in enumerate(windows(rnd, pkts, files)):
        utc = rnd.random() < 0.5
        src = archive if rnd.random() < 0.7 else os.path.join(archive, "*.pcapng.zst")
        tw = ["--start", ns_text(a, utc), "--end", ns_text(b, utc)]
        inw = [p for p in pkts if a <= p["ns"] < b]
        feeds = rnd.sample([f[0] for f in FEEDS], rnd.choice([1, 1, 2]))
        sf = rnd.choice(SEQ_FEEDS)[0]
        pool = [p for p in inw if feed_of(p) == sf and messages(p)[1]] or \
            [p for p in pkts if feed_of(p) == sf and messages(p)[1]]
        s0 = max(1, messages(rnd.choice(pool))[0] - rnd.randint(0, 5))
        s1 = s0 + rnd.choice([0, 1, 7, 60, 400, 3000])
        seq_time = k % 2 == 1
        expr, pred = rnd.choice(EXPRS)
        print("window %2d: [%s, %s) %.3f s, %s; %d packets; --feed %s; --seq %s:%d-%d%s; "
              "filter '%s'; -r %s" % (k, ns_text(a, utc), ns_text(b, utc), (b - a) / 1e9, why,
                                      len(inw), ",".join(feeds), sf, s0, s1,
                                      " in the window" if seq_time else "", expr,
                                      "a glob" if src != archive else "the directory"),
              flush=True)
        # What to extract, the packets it must give, and which files its
        # indexes leave to read.
        sa, sb = (a, b) if seq_time else (None, None)
        cases = [
            ("time", tw, inw, lambda f: may_read(f, a, b, None, None)),
            ("time+feed", tw + [x for f in feeds for x in ("--feed", f)],
             [p for p in inw if feed_of(p) in feeds], lambda f: may_read(f, a, b, feeds, None)),
            ("seq", (tw if seq_time else []) + ["--seq", "%s:%d-%d" % (sf, s0, s1)],
             [p for p in (inw if seq_time else pkts) if carries(p, sf, s0, s1)],
             lambda f: may_read(f, sa, sb, None, (sf, s0, s1))),
            ("time+filter", tw + [expr], [p for p in inw if pred(p)],
             lambda f: may_read(f, a, b, None, None)),
        ]
        reads = []

        def extract(case):
            o = os.path.join(work, "w%02d-%s.pcapng" % (k, case[0]))
            r = run([capdump, "-r", src, "-w", o] + case[1])
            got = tshark(o)
            os.unlink(o)
            return r, got

        # The four at once: the test's time is mostly tshark's start.
        for (what, args, want, may), (r, got) in zip(cases, workers.map(extract, cases)):
            compare("window %d %s (%s)" % (k, what, " ".join(args)), got, want)
            m = re.search(r"read (\d+) of (\d+) files", r.stderr)
            if not m:
                fail("window %d %s: no 'read K of N files' line: %s" % (k, what, r.stderr))
            nread, nall = nread + int(m.group(1)), nall + len(files)
            reads.append(int(m.group(1)))
            # Every file with a packet to give is read, and none whose index
            # proves it has none.
            need = len({p["file"] for p in want})
            most = sum(1 for f in files if may(f))
            if not need <= int(m.group(1)) <= most or int(m.group(2)) != len(files):
                fail("window %d %s: %s; want %d to %d of %d files read" %
                     (k, what, m.group(0), need, most, len(files)))
        print("           as tshark's scan: " + ", ".join(
            "%s %d packets (%d files read)" % (c[0], len(c[2]), n) for c, n in zip(cases, reads)),
            flush=True)
    print("20 windows x 4 extractions: exact; %d files read of %d, the others skipped by "
          "their indexes (%.1f s so far)" % (nread, nall, time.monotonic() - t0),
          flush=True)

    # The listing: the gaps of the plans, each file's drops.
    r = run([capdump, "--list", "--json", archive])
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        fail("capdump --list --json: not JSON: %s" % e)
    for name in gaps:
        want = [(x, y) for _, x, y in gaps[name]]
        got = listing_gaps(doc, name)
        if got != want:
            fail("capdump --list: %s gaps %s, the plan made %s" % (name, got, want))
    drops = listing_file_drops(doc)
    if sorted(drops) != [f["name"] for f in files]:
        fail("capdump --list: files %s, tshark read %s" % (sorted(drops), [f["name"] for f in files]))
    for f in files:
        # The lab loses nothing before the ring: the ISBs' counters do not
        # grow (ifdrop, osdrop); what a file says it lost is its EPBs'.
        epb, isb = drops[f["name"]]
        if epb != f["drops"] or any(d != (0, 0) for d in isb):
            fail("capdump --list: %s drops: epb_dropcount %s, ISB increase (ifdrop, osdrop) "
                 "%s; tshark counts %d (frame.drop_count), the ISBs 0" %
                 (f["name"], epb, isb, f["drops"]))
    print("capdump --list --json: the plans' gaps (%s), every file's drops (%d in all) "
          "as tshark counts them" % (", ".join("%s %d" % (n, len(g)) for n, g in gaps.items()),
                                     sum(f["drops"] for f in files)), flush=True)


def main(argv):
    if len(argv) == 5 and argv[1] == "plan":
        plan(int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[1] == "check":
        check(int(argv[2]), argv[3], argv[4], argv[5])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
