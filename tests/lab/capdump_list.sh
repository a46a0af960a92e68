#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_list.sh - capdump --list against what the files hold:
#  - two sequenced feeds (MoldUDP64, MDP 3.0) with known gaps and one
#    without a protocol, recorded with -G 2 in two recordings with a pause
#    between them;
#  - per file and per feed the packets, first/last times and sequence
#    numbers of the listing equal what tshark shows in the file (decoded
#    here, independently of capdump's decoders), the gaps inside files and
#    across their boundaries are exactly the ones the sender made, each
#    file's drops are the increase of its ISB counters (read here from the
#    file), the span is its ISBs' start/end, and the pause is the one hole;
#  - a file whose index was removed gets one warning line, its index back
#    (byte-identical) and the same listing; --start/--end select the files
#    whose time meets the window; the text form says the same.
. "$(dirname "$0")/lab.sh"
lab_start CAPD FEED_SEND MCAST_SEND CAPDUMP ip tshark python3 zstd cmp
capd_lab_setup lst
capd_lab_conf 64M <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "MDP"; group = "239.1.1.2"; ports = [ 30002 ]; proto = "mdp3"; },
	  { name = "NONE"; group = "239.1.1.4"; ports = [ 30004 ]; } );
CONF
capd_lab_start
dir=$LAB_TMP/rec
mkdir -p "$dir"

send()
{
	ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 "$@" >/dev/null
}

# One recording: the senders' plans, all recorded (the recorder stops after them).
record()
{
	local pid s1 s2 s3
	"$CAPDUMP" -i "$CAPD_RING" -G 2 -w "$dir/r-%Y%m%d-%H%M%S.pcapng.zst" 2>>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
	sleep 0.5
	# shellcheck disable=SC2086 # the plans are words
	send -g 239.1.1.1 -p 30001 --proto moldudp64 -m 2 -r 200 $1 &
	s1=$!
	# shellcheck disable=SC2086
	send -g 239.1.1.2 -p 30002 --proto mdp3 -r 100 $2 &
	s2=$!
	capd_lab_send -g 239.1.1.4 -p 30004 -n 500 -s 64 -r 100 &
	s3=$!
	wait $s1 || lab_fail "the MoldUDP64 sender failed"
	wait $s2 || lab_fail "the MDP 3.0 sender failed"
	wait $s3 || lab_fail "the sender without a protocol failed"
	sleep 0.5
	kill -INT $pid
	wait $pid || lab_fail "capdump exited with $?: $(<"$LAB_TMP/err")"
}

# Gaps made: MOLD 301-305, 701-710 (recording 1), 1001-1005 (between the
# recordings: across files), 1201-1215 (recording 2); MDP 201-210
# (recording 1), 501-502 (between).
record "1-300 306-700 711-1000" "1-200 211-500"
printf "%s\n" "$dir"/*.zst >"$LAB_TMP/rec1"
sleep 2.5 # the hole
record "1006-1200 1216-1600" "503-900"
printf "%s\n" "$dir"/*.zst | sort >"$LAB_TMP/all"
comm -13 "$LAB_TMP/rec1" "$LAB_TMP/all" >"$LAB_TMP/rec2"
echo "recording 1: $(wc -l <"$LAB_TMP/rec1") files, recording 2: $(wc -l <"$LAB_TMP/rec2") files"

"$CAPDUMP" --list --json "$dir" >"$LAB_TMP/list.json" 2>"$LAB_TMP/list.err" ||
	lab_fail "capdump --list exited with $?: $(<"$LAB_TMP/list.err")"
[[ ! -s $LAB_TMP/list.err ]] || lab_fail "warnings with every index present: $(<"$LAB_TMP/list.err")"

cat >"$LAB_TMP/check.py" <<'PY'
import json, struct, subprocess, sys

listing, rec1, rec2 = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
recs = [open(rec1).read().split(), open(rec2).read().split()]
FEEDS = {"239.1.1.1": "MOLD", "239.1.1.2": "MDP", "239.1.1.4": "NONE"}
MADE = {"MOLD": [(301, 305), (701, 710), (1001, 1005), (1201, 1215)],
        "MDP": [(201, 210), (501, 502)], "NONE": []}

def ns(t):
    s, _, f = t.partition(".")
    return int(s) * 10**9 + int((f + "000000000")[:9])

def decode(feed, p):
    """(first message, count) of a datagram, or None."""
    if feed == "MOLD":
        seq, count = struct.unpack_from(">QH", p, 10)
        return None if count in (0, 0xFFFF) else (seq, count)
    if feed == "MDP":
        return (struct.unpack_from("<I", p, 0)[0], 1)
    return None

def isbs(path):
    """Per interface: the last ISB's options, and each ISB's start/end; the EPBs' dropcount."""
    b = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    off, last, times, drop = 0, {}, [], 0
    while off + 12 <= len(b):
        btype, blen = struct.unpack_from("<II", b, off)
        body = b[off + 8:off + blen - 4]
        opts = None
        if btype == 5:
            if_id = struct.unpack_from("<I", body, 0)[0]
            opts = 12
        elif btype == 6:
            caplen = struct.unpack_from("<I", body, 12)[0]
            opts = 20 + (caplen + 3) // 4 * 4
        o, vals = opts, {}
        while opts is not None and o + 4 <= len(body):
            code, olen = struct.unpack_from("<HH", body, o)
            if code == 0:
                break
            v = body[o + 4:o + 4 + olen]
            if btype == 5 and code in (2, 3):
                hi, lo = struct.unpack("<II", v)
                vals[code] = hi << 32 | lo
            elif olen == 8:
                vals[code] = struct.unpack("<Q", v)[0]
            o += 4 + (olen + 3) // 4 * 4
        if btype == 5:
            last[if_id] = vals
            times.append((vals.get(2), vals.get(3)))
        elif btype == 6:
            drop += vals.get(4, 0)
        off += blen
    return last, times, drop

files = [f for f in listing["files"]]
names = [f["name"] for f in files]
assert names == sorted(recs[0] + recs[1]), "files listed: %s" % names
made = {k: [] for k in FEEDS.values()}
prev_isb = {}
for f in files:
    name = f["name"]
    assert f["index"] == "ok", name + ": " + f["index"]
    out = subprocess.run(["tshark", "-r", name, "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "ip.dst", "-e", "udp.payload"], capture_output=True, text=True,
                         check=True).stdout
    per = {k: [] for k in FEEDS.values()}
    times = []
    for line in out.splitlines():
        t, dst, payload = (line.split("\t") + ["", ""])[:3]
        times.append(ns(t))
        if dst in FEEDS:
            per[FEEDS[dst]].append((ns(t), bytes.fromhex(payload.replace(":", ""))))
    assert f["packets"] == len(times), "%s: %d packets, tshark %d" % (name, f["packets"], len(times))
    if times:
        assert (f["first_ns"], f["last_ns"]) == (min(times), max(times)), name + ": times"
    last, isb_times, epb_drop = isbs(name)
    starts = [s for s, _ in isb_times if s is not None]
    ends = [e for _, e in isb_times if e is not None]
    assert starts and (f["span_start_ns"], f["span_end_ns"]) == (min(starts), max(ends)), \
        "%s: span %s..%s, ISBs %s" % (name, f["span_start_ns"], f["span_end_ns"], isb_times)
    assert f["epb_dropcount"] == epb_drop, name + ": epb_dropcount"
    first_of_rec = name in (recs[0][0], recs[1][0])
    for i in f["interfaces"]:
        cur = last[i["if_id"]]
        base = {} if first_of_rec else prev_isb[i["if_id"]]
        for key, code in (("ifdrop", 5), ("osdrop", 7)):
            want = cur.get(code, 0) - base.get(code, 0)
            assert i[key] == want, "%s if %d: %s %s, ISBs say %d" % (name, i["if_id"], key, i[key], want)
    prev_isb = dict(last)
    lf = {x["name"]: x for x in f["feeds"]}
    for feed, pk in per.items():
        x = lf[feed]
        assert x["packets"] == len(pk), "%s %s: %d packets, tshark %d" % (name, feed, x["packets"], len(pk))
        if pk:
            assert (x["first_ns"], x["last_ns"]) == (min(t for t, _ in pk), max(t for t, _ in pk)), \
                name + " " + feed + ": times"
        msgs = [m for m in (decode(feed, p) for _, p in pk) if m]
        if feed == "NONE":
            assert x["seq"] is None, name + ": NONE has no protocol"
            continue
        if not msgs:
            continue
        s = x["seq"]
        assert (s["first"], s["last"]) == (msgs[0][0], msgs[-1][0] + msgs[-1][1] - 1), \
            "%s %s: seq %s..%s, tshark %s %s" % (name, feed, s["first"], s["last"], msgs[0], msgs[-1])
        assert (s["min"], s["max"]) == (min(m[0] for m in msgs), max(m[0] + m[1] - 1 for m in msgs)), \
            name + " " + feed + ": min/max"
        inside, exp = [], None
        for first, count in msgs:
            if exp is not None and first > exp:
                inside.append((exp, first - 1))
            exp = first + count if exp is None or first + count > exp else exp
        got = [(g["first"], g["last"]) for g in s["gap_list"]]
        assert got == inside and s["gaps"] == len(inside), \
            "%s %s: gaps %s, tshark %s" % (name, feed, got, inside)
        made[feed] += got
        if x["seq"]["gap_before_file"]:
            g = x["seq"]["gap_before_file"]
            made[feed].append((g["first"], g["last"]))
for feed, gaps in made.items():
    assert sorted(gaps) == MADE[feed], "%s: gaps listed %s, made %s" % (feed, sorted(gaps), MADE[feed])
a = listing["archive"]
assert a["files"] == len(files) and a["unreadable"] == 0
assert a["holes"] == 1, "holes: %d" % a["holes"]
holes = [f for f in files if f["hole_before"]]
assert [f["name"] for f in holes] == [recs[1][0]], "the hole is before the second recording"
h = holes[0]["hole_before"]
assert h["end_ns"] - h["start_ns"] >= 2 * 10**9, "hole of %d ns" % (h["end_ns"] - h["start_ns"])
af = {x["name"]: x for x in a["feeds"]}
assert af["MOLD"]["gaps"] + af["MOLD"]["gaps_across"] == 4 and af["MOLD"]["gaps_across"] >= 1
assert af["MOLD"]["missing"] + af["MOLD"]["missing_across"] == 5 + 10 + 5 + 15
assert af["MDP"]["gaps"] + af["MDP"]["gaps_across"] == 2 and af["MDP"]["gaps_across"] >= 1
assert af["MDP"]["missing"] + af["MDP"]["missing_across"] == 10 + 2
assert (af["MOLD"]["seq_min"], af["MOLD"]["seq_max"]) == (1, 1600)
assert (af["MDP"]["seq_min"], af["MDP"]["seq_max"]) == (1, 900)
print("%d files, %d packets; gaps: %s; hole %.3f s before %s" % (
    len(files), a["packets"], {k: sorted(v) for k, v in made.items() if v},
    (h["end_ns"] - h["start_ns"]) / 1e9, holes[0]["name"].rsplit("/", 1)[-1]))
PY
res=$(python3 "$LAB_TMP/check.py" "$LAB_TMP/list.json" "$LAB_TMP/rec1" "$LAB_TMP/rec2") ||
	lab_fail "the listing does not match the files"
echo "$res"

# A file without its index: one warning line, the index rebuilt identical,
# the same listing but for its "index".
mapfile -t files <"$LAB_TMP/all"
victim=${files[1]}
cp -p "$victim.idx" "$LAB_TMP/saved.idx"
rm "$victim.idx"
"$CAPDUMP" --list --json "$dir" >"$LAB_TMP/list2.json" 2>"$LAB_TMP/list2.err" ||
	lab_fail "capdump --list exited with $?: $(<"$LAB_TMP/list2.err")"
cat "$LAB_TMP/list2.err"
[[ $(wc -l <"$LAB_TMP/list2.err") == 1 ]] || lab_fail "not one warning line"
lab_expect_match "warning" "$(<"$LAB_TMP/list2.err")" "${victim##*/}: no index; read the file, index stored"
cmp "$LAB_TMP/saved.idx" "$victim.idx" || lab_fail "the index stored by --list differs"
python3 - "$LAB_TMP/list.json" "$LAB_TMP/list2.json" "$victim" <<'PY' || lab_fail "listing changed"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for f in b["files"]:
    if f["name"] == sys.argv[3]:
        assert f["index"] == "rebuilt", f["index"]
        f["index"] = "ok"
assert a == b
PY
echo "index removed: one warning, rebuilt byte-identical, same listing"

# --start/--end: the files whose time (span and packets) meets [start, end).
read -r start end want < <(python3 - "$LAB_TMP/list.json" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1]))["files"]
mid = fs[len(fs) // 2]
s, e = mid["span_start_ns"] + 1, mid["span_end_ns"] - 1
lo = lambda f: min(f["span_start_ns"], f["first_ns"] or f["span_start_ns"])
hi = lambda f: max(f["span_end_ns"], f["last_ns"] or 0)
n = sum(1 for f in fs if hi(f) >= s and lo(f) < e)
print("%d.%09d %d.%09d %d" % (s // 10**9, s % 10**9, e // 10**9, e % 10**9, n))
PY
)
got=$("$CAPDUMP" --list --json --start "$start" --end "$end" "$dir" | python3 -c \
	'import json, sys; print(json.load(sys.stdin)["archive"]["files"])')
[[ $got == "$want" ]] || lab_fail "--start $start --end $end: $got files, expected $want"
echo "--start $start --end $end: $got files"

# The text form: one block per file, the hole, the archive.
"$CAPDUMP" --list "$dir"/'r-*' >"$LAB_TMP/list.txt" || lab_fail "capdump --list (text) failed"
tail -n 6 "$LAB_TMP/list.txt"
lab_expect_match "text" "$(<"$LAB_TMP/list.txt")" "archive: ${#files[@]} files, 0 not read"
lab_expect_match "text" "$(<"$LAB_TMP/list.txt")" "  holes: 1 \("
lab_expect_match "text" "$(<"$LAB_TMP/list.txt")" "feed MOLD: .* gaps in files [0-9]+ .* across files [0-9]+"
[[ $(grep -c '^-- hole: ' "$LAB_TMP/list.txt") == 1 ]] || lab_fail "text: not one hole line"
capd_lab_stop
echo "PASS: capdump_list"
