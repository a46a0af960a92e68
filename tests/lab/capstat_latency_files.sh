#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_latency_files.sh - latency between two capture points from files
# written by pcapng_gen.py, known exactly: feed 239.1.1.1:30001 (MoldUDP64,
# two sessions with the same numbers) and 239.1.1.2:30002, 1000 messages
# each session, point B 400 us + (seq % 41 - 20) us after A; A misses
# 17 and 18 of session S1, B misses every hundredth message of each.
#  - two files (--latency-to) and one file of both interfaces
#    (--latency-ifaces, by name and by number) give the same figures;
#  - counts exact, minimum 380 us and maximum 420 us exact;
#  - no clock option in the files: the verdict is "unknown" and the
#    figures are marked in JSON, lines, table and Prometheus;
#  - -c stops point A early: B's later packets only complete what A saw.
# Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPSTAT python3 jq
T=$LAB_TMP
gen=$(dirname "$0")/tools/pcapng_gen.py

python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
a = ["shb", "idb tsresol=9 name=ethA"]
b = ["shb", "idb tsresol=9 name=ethB"]
ev = []
t = 1700000000 * 10**9
for s in range(1, 1001):
    t += 100000
    for port, sess in ((30001, "S1"), (30001, "S2"), (30002, "S1")):
        dst = "239.1.1.1" if port == 30001 else "239.1.1.2"
        w = f"dst={dst} dport={port} mold={s}/1/{sess}"
        lat = 400000 + (s % 41 - 20) * 1000
        if not (port == 30001 and sess == "S1" and s in (17, 18)):
            a.append(f"epb ts={t} {w}")
            ev.append((t, 0, w))
        if s % 100:
            b.append(f"epb ts={t + lat} {w}")
            ev.append((t + lat, 1, w))
b[2:] = sorted(b[2:], key=lambda x: int(x.split()[1][3:]))
ev.sort(key=lambda e: e[0])
m = ["shb", "idb tsresol=9 name=ethA", "idb tsresol=9 name=ethB"]
m += [f"epb if={i} ts={ts} {w}" for ts, i, w in ev]
for name, lines in (("a", a), ("b", b), ("m", m)):
    open(f"{d}/{name}.spec", "w").write("\n".join(lines) + "\n")
PY
for f in a b m; do
	python3 "$gen" spec "$T/$f.spec" "$T/$f.pcapng" || lab_fail "pcapng_gen.py $f.spec"
done

# The figures of one capstat --json output: per feed, sorted.
figures()
{
	jq -c 'select(.type == "summary") | .latency.feeds | sort_by(.addr) | map({addr, both,
		a_only, b_only, neither, late, sessions, l: (.latency_ns // .latency_unsynced_ns)})' "$1"
}

"$CAPSTAT" -r "$T/a.pcapng" --latency-to "$T/b.pcapng" --proto moldudp64 --json \
	--prom "$T/to.prom" >"$T/to.json" 2>"$T/to.err" || lab_fail "--latency-to: $(<"$T/to.err")"
"$CAPSTAT" -r "$T/m.pcapng" --latency-ifaces ethA=ethB --proto moldudp64 --json >"$T/if.json" \
	2>"$T/if.err" || lab_fail "--latency-ifaces: $(<"$T/if.err")"
"$CAPSTAT" -r "$T/m.pcapng" --latency-ifaces 0=1 --proto moldudp64 --json >"$T/ifn.json" \
	2>"$T/ifn.err" || lab_fail "--latency-ifaces 0=1: $(<"$T/ifn.err")"
want=$(figures "$T/to.json")
for f in if ifn; do
	got=$(figures "$T/$f.json")
	[[ $got == "$want" ]] || lab_fail "$f: $got, --latency-to: $want"
done
echo "the same figures from two files and from one file's two interfaces"

counts=$(jq -c 'map([.addr, .both, .a_only, .b_only, .neither, .late, .sessions, .l.min, .l.max])' \
	<<<"$want")
expect='[["239.1.1.1:30001",1978,20,2,0,0,2,380000,420000],["239.1.1.2:30002",990,10,0,0,0,1,380000,420000]]'
[[ $counts == "$expect" ]] || lab_fail "counts $counts, want $expect"
p50=$(jq '.[0].l.p50' <<<"$want")
((p50 >= 400000 && p50 <= 406500)) || lab_fail "p50 $p50, want 400 us (one bucket)"
echo "exact: both, A only, B only, sessions, min 380 us, max 420 us; p50 $p50 ns"

v=$(jq -c 'select(.type == "summary") | .latency | [.clock, (.feeds | map([.clock, .valid,
	has("latency_ns"), has("latency_unsynced_ns")]))]' "$T/to.json")
[[ $v == '["unknown",[["unknown",false,false,true],["unknown",false,false,true]]]' ]] ||
	lab_fail "verdict: $v"
grep -q '^capstat_latency_seconds{feed="239.1.1.1:30001",clock="unknown",quantile="0.99"} ' \
	"$T/to.prom" || lab_fail "no p99 gauge labelled clock=unknown in $(<"$T/to.prom")"
"$CAPSTAT" -r "$T/a.pcapng" --latency-to "$T/b.pcapng" --proto moldudp64 --interval 1 \
	>"$T/lines.txt" 2>&1 || lab_fail "lines: $(<"$T/lines.txt")"
grep -q ' latency=239.1.1.1:30001 clock=unknown .* unsynced_p50_ns=' "$T/lines.txt" ||
	lab_fail "lines: no marked latency line: $(<"$T/lines.txt")"
! grep -q ' p50_ns=' "$T/lines.txt" || lab_fail "lines: a plain p50_ns from unknown clocks"
grep -q 'LATENCY B-A (clock: unknown: figures in \[\] are not comparable)' "$T/lines.txt" ||
	lab_fail "summary table: no clock verdict"
grep -Eq '^239\.1\.1\.1:30001 +1978 +20 +2 +\[380\.0\]' "$T/lines.txt" ||
	lab_fail "summary table: $(grep -A3 LATENCY "$T/lines.txt")"
echo "unknown clocks: marked in JSON, lines, table and Prometheus"

"$CAPSTAT" -r "$T/a.pcapng" --latency-to "$T/b.pcapng" --proto moldudp64 --json -c 300 \
	>"$T/c.json" 2>"$T/c.err" || lab_fail "-c: $(<"$T/c.err")"
c=$(jq -c 'select(.type == "summary") | .latency | [.after_end > 0,
	(.feeds | sort_by(.addr) | map([.both, .a_only, .b_only]))]' "$T/c.json")
# 300 packets of A: messages 1..101 of each MoldUDP64 session (S1 without
# 17, 18: seen at B only), 1..100 of the other feed; 100 missing at B.
[[ $c == '[true,[[198,2,2],[99,1,0]]]' ]] || lab_fail "-c 300: $c"
echo "-c: B's packets after A's end only complete what A saw"
echo "PASS: capstat_latency_files"
