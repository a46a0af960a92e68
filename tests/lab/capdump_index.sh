#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_index.sh - the index beside every file capdump closes:
#  - two feeds recorded with -G 2 and --resume, the recorder SIGKILLed and
#    restarted: every closed file has an index, before and after;
#  - each index matches its file: its size and mtime, and per feed the
#    packets and first/last times tshark counts in it (by destination),
#    read by an independent reader of the format (python below);
#  - capdump --index --force rebuilds byte-identical indexes (cmp);
#  - a file without an index gets one; a corrupted and a truncated index
#    are reported in one line, not trusted, and rebuilt identical.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark python3 cmp
capd_lab_setup idx
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; },
                                { name = "B"; group = "239.1.1.2"; ports = [ 30002 ]; } );'
capd_lab_start
dir=$LAB_TMP/rec
mkdir -p "$dir"
state=$LAB_TMP/state

start_recorder() {
	"$CAPDUMP" -i "$CAPD_RING" --from oldest --resume "$state" -G 2 \
		-w "$dir/r-%H%M%S.pcapng.zst" 2>>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
}

# every closed file has an index (temporaries have none); $2 = 1: but for
# the newest, if SIGKILL came between its rename and its index's
all_indexed() {
	local f n=0 missing=()
	for f in "$dir"/*.pcapng.zst; do
		[[ -f $f.idx ]] || missing+=("$f")
		n=$((n + 1))
	done
	! find "$dir" -name '*.part.idx' | grep -q . || lab_fail "$1: an index of a temporary file"
	if ((${#missing[@]})); then
		[[ ${2:-0} == 1 && ${#missing[@]} == 1 && ${missing[0]} == "$f" ]] ||
			lab_fail "$1: no index for ${missing[*]}"
		echo "$1: the newest file was killed before its index: ${missing[0]}"
	fi
	echo "$1: $n closed files, $((n - ${#missing[@]})) indexed"
}

start_recorder
capd_lab_send -g 239.1.1.1 -p 30001 -n 10000 -s 100 -r 1000 &
send1=$!
capd_lab_send -g 239.1.1.2 -p 30002 -n 5000 -s 300 -r 500 &
send2=$!
sleep 5
kill -9 $pid
wait $pid 2>/dev/null || true
echo "recorder killed with SIGKILL"
all_indexed "after SIGKILL" 1
start_recorder
wait $send1 $send2
sleep 2.5
kill -INT $pid
wait $pid || lab_fail "resumed capdump exited with $?"
cat "$LAB_TMP/err"
ls -la "$dir"
"$CAPDUMP" --index "$dir" >"$LAB_TMP/after.out" || lab_fail "capdump --index: $(<"$LAB_TMP/after.out")"
all_indexed "after the restart and capdump --index"
grep -q 'completed up to its last flush' "$LAB_TMP/err" || lab_fail "no file was salvaged"

# The indexes against their files, read independently of capdump's code.
cat >"$LAB_TMP/check.py" <<'PY'
import collections, os, struct, subprocess, sys

def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

total = 0
salvaged = os.environ.get("SALVAGED")
for data in sys.argv[1:]:
    b = open(data + ".idx", "rb").read()
    assert b[:8] == b"CAPDIDX\n", data
    (sum_,) = struct.unpack_from("<Q", b, len(b) - 8)
    assert sum_ == fnv(b[:-8]), data + ": checksum"
    ver, hlen, tlen, size, mtime = struct.unpack_from("<IIQQQ", b, 8)
    assert ver == 3 and hlen == 160 and tlen == len(b), data
    st = os.stat(data)
    assert size == st.st_size and mtime == st.st_mtime_ns, data + ": identity"
    packets, nots, cap, wire, first, last, unattr = struct.unpack_from("<7Q", b, 48)
    nifaces, nfeeds, npos = struct.unpack_from("<III", b, 120)
    span_start, span_end = struct.unpack_from("<QQ", b, 144)
    # when the file was open (a salvaged file: its packets' times)
    assert span_start <= span_end, data + ": span"
    if salvaged == data:
        assert (span_start, span_end) == (first, last), data + ": salvaged span"
    feeds = {}
    off = 160 + 64 * nifaces
    for k in range(nfeeds):
        name = b[off:off + 64].split(b"\0")[0].decode()
        addr = ".".join(str(x) for x in b[off + 64:off + 68])
        fp, fcap, fwire, ffirst, flast = struct.unpack_from("<5Q", b, off + 136)
        (slen,) = struct.unpack_from("<B", b, off + 122)
        (nsess,) = struct.unpack_from("<Q", b, off + 232)
        (fslen,) = struct.unpack_from("<B", b, off + 656)
        # the session of the first packet decoded and of the last: the same
        # without a change of session (none here: no protocol)
        assert slen <= 12 and fslen <= 12, data + ": session length"
        if nsess == 0:
            assert (b[off + 660:off + 660 + fslen] ==
                    b[off + 124:off + 124 + slen]), data + ": first session"
        # its pauses: silences of 100 ms or more, the first 32 listed
        npz, nlisted = struct.unpack_from("<QI", b, off + 672)
        pz = [struct.unpack_from("<QQ", b, off + 688 + 16 * i) for i in range(nlisted)]
        feeds[addr] = (name, fp, ffirst, flast, npz, pz)
        off += 1200
    out = subprocess.run(["tshark", "-r", data, "-T", "fields", "-e", "ip.dst",
                          "-e", "frame.time_epoch"], capture_output=True, text=True,
                         check=True).stdout
    seen = collections.defaultdict(list)
    for line in out.splitlines():
        dst, t = line.split("\t")
        s, _, frac = t.partition(".")
        seen[dst].append(int(s) * 10**9 + int((frac + "000000000")[:9]))
    n = sum(len(v) for v in seen.values())
    assert n == packets, "%s: %d packets, index says %d" % (data, n, packets)
    other = sum(len(v) for d, v in seen.items() if d not in feeds)
    assert other == unattr, "%s: %d packets of no feed, index says %d" % (data, other, unattr)
    for dst, ts in seen.items():
        if dst not in feeds:
            continue
        name, fp, ffirst, flast, npz, pz = feeds[dst]
        assert (len(ts), min(ts), max(ts)) == (fp, ffirst, flast), \
            "%s feed %s: tshark %d %d %d, index %d %d %d" % (
                data, name, len(ts), min(ts), max(ts), fp, ffirst, flast)
        ts = sorted(ts)
        want = [(a, z) for a, z in zip(ts, ts[1:]) if z - a >= 100000000]
        assert npz == len(want) and pz == want[:32], "%s feed %s: pauses %d %s, tshark %s" % (
            data, name, npz, pz, want)
    for addr, (name, fp, _, _, _, _) in feeds.items():
        assert fp == len(seen.get(addr, [])), data + " feed " + name
    if packets:
        assert first == min(min(v) for v in seen.values()), data + ": first"
        assert last == max(max(v) for v in seen.values()), data + ": last"
    total += packets
    print("%s: %d packets, feeds %s, %d positions" % (
        os.path.basename(data), packets,
        " ".join("%s=%d" % (v[0], v[1]) for v in feeds.values()), npos))
print("total %d" % total)
PY
salvaged=$(sed -n 's/^capdump: \(.*\) completed up to its last flush$/\1/p' "$LAB_TMP/err" | head -1)
res=$(SALVAGED=$salvaged python3 "$LAB_TMP/check.py" "$dir"/*.pcapng.zst) ||
	lab_fail "an index does not match its file"
echo "$res"
lab_expect_match "all files" "$res" "total 15000"

# Rebuilding gives the same bytes.
mkdir "$LAB_TMP/saved"
cp -p "$dir"/*.idx "$LAB_TMP/saved/"
"$CAPDUMP" --index --force "$dir" >"$LAB_TMP/force.out" || lab_fail "capdump --index --force failed"
cat "$LAB_TMP/force.out"
for f in "$LAB_TMP"/saved/*.idx; do
	cmp "$f" "$dir/${f##*/}" || lab_fail "rebuilt ${f##*/} differs"
done
echo "capdump --index --force: $(wc -l <"$LAB_TMP/force.out") indexes rebuilt, byte-identical"

# Nothing to do when all are trusted.
"$CAPDUMP" --index "$dir" >"$LAB_TMP/ok.out" || lab_fail "capdump --index failed"
cat "$LAB_TMP/ok.out"
[[ $(grep -vc ': index ok (' "$LAB_TMP/ok.out") == 0 ]] || lab_fail "$(<"$LAB_TMP/ok.out")"

# The file the restart finished, without its index (as from an older capdump);
# a corrupted index; a truncated one.
mapfile -t files < <(ls "$dir"/*.pcapng.zst)
[[ -f $salvaged ]] || lab_fail "salvaged file '$salvaged' not found"
rm "$salvaged.idx"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[200]^=1; open(p,"wb").write(b)' \
	"${files[0]}.idx"
truncate -s -9 "${files[-1]}.idx"
"$CAPDUMP" --index "$dir" >"$LAB_TMP/fix.out" || lab_fail "capdump --index failed: $(<"$LAB_TMP/fix.out")"
cat "$LAB_TMP/fix.out"
lab_expect_match "salvaged" "$(grep -F "$salvaged:" "$LAB_TMP/fix.out")" ": indexed \("
lab_expect_match "corrupted" "$(grep -F "${files[0]}:" "$LAB_TMP/fix.out")" \
	"index not trusted \(checksum mismatch \(corrupt\)\), rebuilt"
lab_expect_match "truncated" "$(grep -F "${files[-1]}:" "$LAB_TMP/fix.out")" \
	"index not trusted \(truncated or extended: .*\), rebuilt"
for f in "$LAB_TMP"/saved/*.idx; do
	cmp "$f" "$dir/${f##*/}" || lab_fail "rebuilt ${f##*/} differs"
done
echo "missing, corrupted and truncated indexes: reported, rebuilt identical"

# An index older than its file (the file touched) is not trusted either.
touch "${files[1]}"
"$CAPDUMP" --index "${files[1]}" >"$LAB_TMP/stale.out" || lab_fail "$(<"$LAB_TMP/stale.out")"
lab_expect_match "stale" "$(<"$LAB_TMP/stale.out")" "index not trusted \(describes another version"
capd_lab_stop
echo "PASS: capdump_index"
