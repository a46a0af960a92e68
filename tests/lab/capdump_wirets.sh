#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_wirets.sh - time from the wire in the readers, on files
# (tools/wirets_gen.py: frames with a Metamako or Exablaze trailer or an
# Arista header, some flagged, some broken, the host's time always
# different):
#  - capdump -r --wire-ts KIND -w: every EPB's time is the stamp's to the
#    ns (tshark), else the host's for absent, malformed and truncated
#    stamps, counted so in the summary; the host's time, device, port,
#    sub-ns and flags are in the EPB option (read here from the file);
#  - tshark's own dissectors (metamako_eth and exablaze_eth heuristics,
#    avsp) read the same
#    times from the unstripped output;
#  - --strip-timestamp writes the original frames byte for byte;
#  - a filter sees through the Arista header;
#  - capdump's file read back (-r, no --wire-ts) keeps times and options;
#    capstat -r of it counts per interface and per port (--json, --prom);
#  - from a ring whose interfaces say their kind (test_readloop_wire make,
#    $RING_WIRE_MAKE): the same, the IDB naming the kind, an interface
#    without one untouched, an Arista TAI stamp made UTC.
# Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP CAPSTAT tshark python3
GEN=$(dirname "$0")/tools/wirets_gen.py
cd "$LAB_TMP" || exit 1

# cases KIND: the frames of KIND, in wirets_gen.py's spec, 1000003 ns
# apart, the host's time 250 us (and 17 ns a frame) later: good ones (0-4,
# 8: degraded, duplicate, sub-ns, VLAN, other ports), no stamp (5), a
# malformed one (6), one the capture cut (7).
cases()
{
	local k=$1 i w bad fl=(0x01 0x11 0x05 0x01 0x01 0x01 0x01 0x01 0x01) more

	case $k in
	metamako) bad="bad=ns" ;;
	exablaze) bad="bad=short" ;;
	*) bad="bad=version" ;;
	esac
	for i in {0..8}; do
		w=$((1765000000123456789 + i * 1000003))
		more=("dev=7" "port=3")
		[[ $k == metamako ]] && more+=("flags=${fl[i]}")
		case $i in
		3) [[ $k == metamako ]] && more+=("subns=0x800000") ;;
		4) more+=("vlan=100" "port=4") ;;
		5) more+=("bad=missing") ;;
		6) more+=("$bad") ;;
		7) [[ $k == arista64 ]] && more+=("snap=20") || more+=("snap=70") ;;
		8) more+=("dev=9" "port=1") ;;
		esac
		echo "$k len=32 dst=239.1.1.1 dport=30001 s=$((w / 1000000000))" \
			"ns=$((w % 1000000000)) hostts=$((w + 250000 + 17 * i)) ${more[*]}"
	done
}

# gen KIND: KIND/in.pcap (the stamped frames at the host's time),
# KIND/orig.pcap (the good ones as the switch received them, at the
# stamp's time) and KIND/expect, a line a frame: index, the time a reader
# must give, "wire" or "host", the host's time, device, port, sub-ns,
# degraded, duplicate (0 where the stamp does not decode).
gen()
{
	mkdir -p "$1"
	cases "$1" >"$1/spec"
	python3 "$GEN" --spec "$1/spec" --pcap "$1/in.pcap" --received "$1/orig.pcap" \
		--frames "$1/frames" || lab_fail "$1: wirets_gen.py"
	awk -F'\t' '!/^#/ { ok = $3 == "ok"
		print $1 - 1, ok ? $4 : $11, ok ? "wire" : "host", $11, $6, $7, $5,
			int($8 / 4) % 2, int($8 / 2) % 2 }' "$1/frames" >"$1/expect"
}

# opts FILE: per EPB "time host kind status flags device port sub_ns" from
# the pcapng_wirets option (docs/pcapng-profile.md), "time -" without one.
opts()
{
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
o = 0
while o + 12 <= len(d):
    t, n = struct.unpack_from("<II", d, o)
    if t == 6:
        _, th, tl, cap = struct.unpack_from("<IIII", d, o + 8)
        p = o + 28 + ((cap + 3) & ~3)
        out = "-"
        while p + 4 <= o + n - 4:
            c, l = struct.unpack_from("<HH", d, p)
            if c == 0:
                break
            v = d[p + 4:p + 4 + l]
            if c == 2989 and l >= 32 and struct.unpack_from("<I", v)[0] == 32473 and v[4] == 1:
                ver, k, st, _, fl, dev, port, _, sub, host, seq = struct.unpack_from("<BBBBHHHHIQI", v, 4)
                out = "%d %d %d %d %d %d %d" % (host, k, st, fl, dev, port, sub)
            p += 4 + ((l + 3) & ~3)
        print("%d %s" % (th << 32 | tl, out))
    o += n
PY
}

# idb_kinds FILE: per IDB the kind its stamp-kind option names, "-" without.
idb_kinds()
{
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
o, out = 0, []
while o + 12 <= len(d):
    t, n = struct.unpack_from("<II", d, o)
    if t == 1:
        p, k = o + 16, "-"
        while p + 4 <= o + n - 4:
            c, l = struct.unpack_from("<HH", d, p)
            if c == 0:
                break
            v = d[p + 4:p + 4 + l]
            if c == 2989 and l >= 8 and v[4] == 0x57:
                k = str(v[6])
            p += 4 + ((l + 3) & ~3)
        out.append(k)
    o += n
print(" ".join(out))
PY
}

# times FILE [tshark options]: frame.time_epoch as integer ns, one a line.
times()
{
	local f=$1
	shift
	tshark -r "$f" "$@" -T fields -e frame.time_epoch 2>/dev/null | tr -d . | sed 's/^0*//'
}

for kind in metamako exablaze arista64; do
	gen "$kind"
	d=$kind
	"$CAPDUMP" -r "$d/in.pcap" --wire-ts "$kind" -w "$d/out.pcapng" 2>"$d/sum" ||
		lab_fail "$kind: capdump -r --wire-ts: $(<"$d/sum")"
	# 1. EPB time = the wire's (else the host's), to the ns.
	diff <(awk '{print $2}' "$d/expect") <(times "$d/out.pcapng") >"$d/diff" ||
		lab_fail "$kind: EPB times differ from the stamps': $(head -c 600 "$d/diff")"
	# 2. The option: the host's time, device, port, sub-ns on every packet.
	opts "$d/out.pcapng" >"$d/opts"
	awk '{print $4, $5, $6, $7}' "$d/expect" >"$d/want"
	awk '{print $2, $6, $7, $8}' "$d/opts" >"$d/got"
	diff "$d/want" "$d/got" >"$d/diff" ||
		lab_fail "$kind: EPB option (host time, device, port, sub-ns): $(head -c 600 "$d/diff")"
	# status 0 (ok) exactly where the wire time was used
	paste -d' ' <(awk '{print $3}' "$d/expect") <(awk '{print $4}' "$d/opts") |
		awk '($1 == "wire") != ($2 == 0) {bad = 1} END {exit bad}' ||
		lab_fail "$kind: option status against the time used: $(paste "$d/expect" "$d/opts")"
	k=$(idb_kinds "$d/out.pcapng")
	case $kind in metamako) kn=1 ;; exablaze) kn=2 ;; *) kn=3 ;; esac
	[[ $k == "$kn" ]] || lab_fail "$kind: the IDB names kind '$k', want $kn"
	# 3. Counted: 6 wire, 3 host (1 absent, 1 malformed, 1 truncated).
	grep -q "time from the wire on 6 packets, the host's on 3 (1 absent, 1 malformed, 1 truncated" "$d/sum" ||
		lab_fail "$kind: summary: $(<"$d/sum")"
	if [[ $kind != arista64 ]]; then
		[[ $kind == exablaze ]] || grep -q "1 degraded, 1 duplicate" "$d/sum" ||
			lab_fail "$kind: flags: $(<"$d/sum")"
		# Wireshark's own reading of the trailers
		field=metamako.time
		[[ $kind == exablaze ]] && field=exablaze.timestamp
		tshark -r "$d/out.pcapng" --enable-heuristic "${kind}_eth" -T fields \
			-e "$field" 2>/dev/null >"$d/ws.raw"
		got=$(grep -c . "$d/ws.raw")
		python3 - "$d/ws.raw" "$d/expect" <<'PY' || lab_fail "$kind: tshark's ${kind}_eth times differ"
import sys, datetime
ws = [l.rstrip("\n") for l in open(sys.argv[1])]
ex = [l.split() for l in open(sys.argv[2])]
bad = 0
for w, e in zip(ws, ex):
    if e[2] != "wire":
        continue
    # "Dec  6, 2025 05:46:40.123456789 UTC"
    date, frac = w.replace(" UTC", "").rsplit(".", 1)
    t = datetime.datetime.strptime(" ".join(date.split()), "%b %d, %Y %H:%M:%S")
    ns = int(t.replace(tzinfo=datetime.timezone.utc).timestamp()) * 10**9 + int(frac.ljust(9, "0"))
    if ns != int(e[1]):
        print("frame %s: tshark %d, want %s" % (e[0], ns, e[1]), file=sys.stderr)
        bad = 1
if len(ws) != len(ex):
    bad = 1
sys.exit(bad)
PY
		((got == 6)) || lab_fail "$kind: tshark's ${kind}_eth decoded $got trailers, want 6"
	else
		tshark -r "$d/out.pcapng" -T fields -e avsp.64sec -e avsp.64ns 2>/dev/null |
			awk -F'\t' '$1 != "" {printf "%d%09d\n", $1, $2}' >"$d/ws"
		diff <(awk '$3 == "wire" {print $2}' "$d/expect") "$d/ws" >"$d/diff" ||
			lab_fail "$kind: tshark's avsp times differ: $(head -c 600 "$d/diff")"
		# 4. The filter sees the datagram through the header: the 5
		# untagged ok frames and the one without a header.
		"$CAPDUMP" -q -r "$d/in.pcap" --wire-ts "$kind" -w "$d/f.pcapng" 'udp dst port 30001 and dst host 239.1.1.1'
		n=$(times "$d/f.pcapng" | wc -l)
		((n == 6)) || lab_fail "$kind: filter through the Arista header: $n packets, want 6"
	fi
	# 5. --strip-timestamp: the original frames, byte for byte, at the
	# wire's time; the others as captured, at the host's.
	"$CAPDUMP" -q -r "$d/in.pcap" --wire-ts "$kind" --strip-timestamp -w "$d/strip.pcapng"
	ok=$(awk '$3 == "wire" {printf "%s%d", n++ ? "," : "", $1 + 1}' "$d/expect")
	tshark -r "$d/orig.pcap" -T fields -e frame.time_epoch -e frame.len 2>/dev/null >"$d/orig.rows"
	tshark -r "$d/orig.pcap" -x 2>/dev/null >"$d/orig.hex"
	tshark -r "$d/strip.pcapng" -Y "frame.number in {$ok}" -T fields -e frame.time_epoch \
		-e frame.len 2>/dev/null >"$d/strip.rows"
	tshark -r "$d/strip.pcapng" -Y "frame.number in {$ok}" -x 2>/dev/null >"$d/strip.hex"
	diff <(awk '{print $2}' "$d/expect") <(times "$d/strip.pcapng") >/dev/null ||
		lab_fail "$kind: --strip-timestamp: times are not the stamps' (else the host's)"
	diff "$d/orig.rows" "$d/strip.rows" >"$d/diff" ||
		lab_fail "$kind: stripped times/lengths differ from the original frames: $(head -c 600 "$d/diff")"
	k=$(idb_kinds "$d/strip.pcapng")
	[[ $k == - ]] || lab_fail "$kind: --strip-timestamp: the IDB names kind '$k', want none"
	[[ -s $d/orig.hex ]] && cmp -s "$d/orig.hex" "$d/strip.hex" ||
		lab_fail "$kind: stripped frames differ from the original frames (tshark -x)"
	# 6. Read back without being told: the same times, the option kept.
	"$CAPDUMP" -q -r "$d/out.pcapng" -w "$d/back.pcapng"
	diff <(times "$d/out.pcapng") <(times "$d/back.pcapng") >/dev/null ||
		lab_fail "$kind: -r of capdump's file: times changed"
	diff <(opts "$d/out.pcapng") <(opts "$d/back.pcapng") >/dev/null ||
		lab_fail "$kind: -r of capdump's file: options changed"
	"$CAPSTAT" -r "$d/out.pcapng" --json --prom "$d/prom" >"$d/json" 2>"$d/err" ||
		lab_fail "$kind: capstat -r: $(<"$d/err")"
	python3 - "$d/json" "$kind" <<'PY' || lab_fail "$kind: capstat --json wire/ports: $(tail -1 "$d/json")"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
w = s["wire"]
assert len(w) == 1 and w[0]["wire_time"] == 6 and w[0]["host_time"] == 3, w
assert w[0]["absent"] == 1 and w[0]["malformed"] == 1 and w[0]["truncated"] == 1, w
assert w[0]["stamp"] == sys.argv[2], w
if sys.argv[2] == "metamako":
    assert w[0]["degraded"] == 1 and w[0]["duplicate"] == 1, w
if sys.argv[2] != "arista64":
    p = {(x["device"], x["port"]): (x["packets"], x["bytes"]) for x in s["ports"]}
    assert p == {(7, 3): (4, 296), (7, 4): (1, 78), (9, 1): (1, 74)}, p
PY
	grep -q 'capstat_wire_packets_total{interface="if0",time="wire"} 6' "$d/prom" ||
		lab_fail "$kind: capstat --prom: $(grep capstat_wire "$d/prom")"
done

# 8. From a ring (tests/unit/test_readloop_wire.c says what it holds).
if [[ -n ${RING_WIRE_MAKE:-} ]]; then
	"$RING_WIRE_MAKE" make "$LAB_TMP/wring" || lab_fail "making the ring"
	timeout 30 "$CAPDUMP" -i "$LAB_TMP/wring" --from oldest -w ring.pcapng 2>ring.sum ||
		lab_fail "capdump -i: $(<ring.sum)"
	w0=1765000000123456789 lag=250000
	want="$w0 $((w0 + 2 * lag)) $((w0 + 3 * lag)) $((w0 + 1000))"
	got=$(times ring.pcapng | tr '\n' ' ')
	[[ $got == "$want " ]] || lab_fail "ring: times '$got', want '$want'"
	opts ring.pcapng | awk '{print $2 ($4 != "" ? " " $4 : "")}' | tr '\n' ' ' >ring.opts
	want="$((w0 + lag)) 0 $((w0 + 2 * lag)) 1 - $((w0 + 4 * lag)) 0 "
	[[ $(<ring.opts) == "$want" ]] || lab_fail "ring: options '$(<ring.opts)', want '$want'"
	grep -q "interface 0 (mm0): metamako time from the wire on 1 packets, the host's on 1 (1 absent" ring.sum &&
		grep -q "interface 2 (ar2): arista64 time from the wire on 1 packets, the host's on 0" ring.sum &&
		! grep -q "interface 1" ring.sum || lab_fail "ring: summary: $(<ring.sum)"
	# The IDBs name the kind: 1 (metamako), none, 3 (arista64).
	kinds=$(idb_kinds ring.pcapng)
	[[ $kinds == "1 - 3" ]] || lab_fail "ring: IDB kinds '$kinds', want '1 - 3'"
	"$CAPDUMP" -q -r ring.pcapng -w ring-back.pcapng
	diff <(times ring.pcapng) <(times ring-back.pcapng) >/dev/null ||
		lab_fail "ring: -r of capdump's file: times changed"
	"$RING_WIRE_MAKE" make "$LAB_TMP/wring2" || lab_fail "making the ring"
	timeout 30 "$CAPDUMP" -q -i "$LAB_TMP/wring2" --from oldest --strip-timestamp -w ring-strip.pcapng
	lens=$(tshark -r ring-strip.pcapng -T fields -e frame.len -e frame.cap_len 2>/dev/null | sort -u)
	[[ $lens == $'66\t66' ]] || lab_fail "ring: --strip-timestamp lengths '$lens', want 66"
	"$CAPSTAT" -r ring.pcapng --json >ring.json 2>ring.err || lab_fail "ring: capstat -r: $(<ring.err)"
	python3 - ring.json <<'PY' || lab_fail "ring: capstat --json: $(tail -1 ring.json)"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
w = {x["interface"]: x for x in s["wire"]}
assert set(w) == {"mm0", "ar2"}, w
assert w["mm0"]["wire_time"] == 1 and w["mm0"]["absent"] == 1, w
assert w["ar2"]["wire_time"] == 1 and w["ar2"]["host_time"] == 0, w
p = [(x["interface"], x["device"], x["port"], x["packets"], x["bytes"]) for x in s["ports"]]
assert p == [("mm0", 258, 5, 1, 66)], p
PY
fi

# 9. The text lines show the datagram through the Arista header.
"$CAPDUMP" -q -r arista64/in.pcap --wire-ts arista64 -c 1 >line
grep -q '^2025-12-06T05:46:40.123456789Z IP 10.0.0.1.40000 > 239.1.1.1.30001: UDP, length 32$' line ||
	lab_fail "text line through the Arista header: $(<line)"

# 7. --wire-ts is for files; a bad kind is refused.
rc=0
"$CAPDUMP" -r metamako/in.pcap --wire-ts bogus >out 2>err || rc=$?
((rc == 2)) && grep -q -- "--wire-ts bogus" err || lab_fail "--wire-ts bogus: exit $rc: $(<err)"
rc=0
"$CAPDUMP" -i nosuchring --wire-ts metamako >out 2>err || rc=$?
((rc == 2)) && grep -q "for files" err || lab_fail "-i --wire-ts: exit $rc: $(<err)"

echo "PASS: capdump_wirets"
