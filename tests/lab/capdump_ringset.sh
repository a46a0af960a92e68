#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_ringset.sh - a recording of a ring set reads as one capture: the
# same datagrams written by two "capture threads" into a set of 2 rings
# and by one into a single ring (test_ringset make: queues spread over the
# rings as capd spreads them), recorded by capdump -i NAME, give files
# alike to tshark and capinfos: the same packets in the same order on the
# same interfaces (one IDB per interface of the set), the same ISB
# counters (summed over the set's rings).  capdump's and capstat's
# summaries name each ring of the set; -D marks the set and its member;
# --resume reads a ring new to the set from its oldest record.  Needs no
# privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP CAPSTAT RING_SET_MAKE tshark capinfos

N=3000
# Every set made stamps the same times: a minute ago (capstat closes its
# intervals up to now).
export RING_SET_T0=$((($(date +%s) - 60) * 1000000000))
export CAPD_RING_DIR=$LAB_TMP/rings
mkdir -p "$CAPD_RING_DIR"
# Each writer runs empty for 2 s, capdump attaches meanwhile (so the ISBs
# count the traffic from zero), then the datagrams come and the writers stop.
for s in one:1 two:2; do
	"$RING_SET_MAKE" make "$CAPD_RING_DIR" ${s%:*} ${s#*:} $N 2000 &
	maker=$!
	lab_on_exit "kill $maker 2>/dev/null || true"
	for _ in $(seq 100); do
		[[ -e $CAPD_RING_DIR/${s%:*} ]] && break
		sleep 0.02
	done
	sleep 0.2
	timeout 30 "$CAPDUMP" -i ${s%:*} -w "$LAB_TMP/${s%:*}.pcapng" 2>"$LAB_TMP/${s%:*}.err" ||
		lab_fail "capdump -i ${s%:*}: $(<"$LAB_TMP/${s%:*}.err")"
	wait $maker || lab_fail "making ring ${s%:*}"
	cat "$LAB_TMP/${s%:*}.err"
done
[[ -e $CAPD_RING_DIR/two.1 && ! -e $CAPD_RING_DIR/one.1 ]] || lab_fail "the set's files: $(ls "$CAPD_RING_DIR")"

# The packets: count, order, interfaces and bytes, as tshark reads them.
fields() {
	tshark -r "$1" -T fields -e frame.interface_id -e frame.interface_name \
		-e frame.time_epoch -e udp.dstport -e udp.payload 2>/dev/null
}
fields "$LAB_TMP/one.pcapng" >"$LAB_TMP/one.txt"
fields "$LAB_TMP/two.pcapng" >"$LAB_TMP/two.txt"
got=$(wc -l <"$LAB_TMP/two.txt")
((got == N)) || lab_fail "the set's recording has $got packets, want $N"
cmp -s "$LAB_TMP/one.txt" "$LAB_TMP/two.txt" ||
	lab_fail "the set's packets differ from the single ring's: $(diff "$LAB_TMP/one.txt" "$LAB_TMP/two.txt" | head -5)"
# Each datagram once (its sequence number, the payload's first 4 bytes),
# in non-decreasing time.
dups=$(cut -f5 "$LAB_TMP/two.txt" | cut -c1-8 | sort | uniq -d | wc -l)
((dups == 0)) || lab_fail "$dups sequence numbers recorded more than once"
cut -f3 "$LAB_TMP/two.txt" | sort -c -g || lab_fail "the set's recording is not in time order"

# One IDB per interface of the set: two, eth0 and eth1, as from one ring.
for s in one two; do
	n=$(capinfos -T -r -c "$LAB_TMP/$s.pcapng" | cut -f2)
	((n == N)) || lab_fail "capinfos counts $n packets in $s, want $N"
	ifs=$(tshark -r "$LAB_TMP/$s.pcapng" -X read_format:"MIME Files Format" -T fields \
		-e pcapng.options.option.data.interface.name 2>/dev/null | tr ',' '\n' | awk 'NF' |
		tr '\n' ' ')
	echo "$s: interfaces $ifs"
	[[ $ifs == "eth0 eth1 " ]] || lab_fail "$s: IDBs name '$ifs', want 'eth0 eth1 '"
done

# The ISBs: received per interface, summed over the set's rings.  One line
# per ISB: received, dropped, dropped by the OS, delivered.
isbs() {
	local f

	for f in received dropped dropped_by_os delivered_to_user; do
		tshark -r "$1" -X read_format:"MIME Files Format" -T fields \
			-e pcapng.options.option.data.interface.$f 2>/dev/null | tr ',' '\n' |
			awk 'NF' >"$LAB_TMP/isb.$f"
	done
	paste "$LAB_TMP"/isb.{received,dropped,dropped_by_os,delivered_to_user}
}
isbs "$LAB_TMP/one.pcapng" >"$LAB_TMP/one.isb"
isbs "$LAB_TMP/two.pcapng" >"$LAB_TMP/two.isb"
echo "ISBs of the set: $(tr '\n' ' ' <"$LAB_TMP/two.isb")"
[[ -s $LAB_TMP/two.isb ]] || lab_fail "no ISB in the set's recording"
cmp -s "$LAB_TMP/one.isb" "$LAB_TMP/two.isb" ||
	lab_fail "ISBs differ: single ring $(tr '\n' ' ' <"$LAB_TMP/one.isb"), set $(tr '\n' ' ' <"$LAB_TMP/two.isb")"
recv=$(awk '{ s += $1 } END { print s }' "$LAB_TMP/two.isb")
((recv == N)) || lab_fail "the ISBs count $recv received, want $N"

# The summary names each ring of the set.
for r in two two.1; do
	grep -q "^capdump: ring $r: [0-9]* records read, 0 lost" "$LAB_TMP/two.err" ||
		lab_fail "the summary does not name ring $r: $(<"$LAB_TMP/two.err")"
done

# capstat over the set: every datagram, and each ring's share by name.
"$CAPSTAT" -i two --from oldest --json >"$LAB_TMP/stat.json" 2>"$LAB_TMP/stat.err" ||
	lab_fail "capstat -i two: $(<"$LAB_TMP/stat.err")"
python3 - "$LAB_TMP/stat.json" $N <<'PY' || lab_fail "capstat's summary: $(tail -1 "$LAB_TMP/stat.json")"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
r = {x["ring"]: x for x in s["rings"]}
assert s["packets"] == int(sys.argv[2]), s["packets"]
assert set(r) == {"two", "two.1"}, r
assert r["two"]["records"] + r["two.1"]["records"] == int(sys.argv[2]), r
assert all(x["lost"] == 0 for x in r.values()), r
PY

# -D: the set and its member.
"$CAPDUMP" -D >"$LAB_TMP/list" || lab_fail "capdump -D: $(<"$LAB_TMP/list")"
cat "$LAB_TMP/list"
grep -q "^two: set of 2 rings (this one and .1)" "$LAB_TMP/list" || lab_fail "-D does not show the set"
grep -q "^two.1: member 1 of set two" "$LAB_TMP/list" || lab_fail "-D does not show the member"
# --resume across a capd restarted with more threads: a ring new to the
# set is read from its oldest record, so the datagrams it took before the
# recorder came back are recorded too.
mkdir -p "$LAB_TMP/out"
st=$LAB_TMP/state
"$RING_SET_MAKE" make "$CAPD_RING_DIR" grow 1 1000 1500 0 &
maker=$!
sleep 0.3
timeout 30 "$CAPDUMP" -i grow --resume "$st" -w "$LAB_TMP/out/a.pcapng" 2>"$LAB_TMP/a.err" ||
	lab_fail "capdump --resume, set of 1: $(<"$LAB_TMP/a.err")"
wait $maker || lab_fail "making ring grow"
"$RING_SET_MAKE" make "$CAPD_RING_DIR" grow 2 1000 1500 500 &
maker=$!
sleep 0.4
timeout 30 "$CAPDUMP" -i grow --resume "$st" -w "$LAB_TMP/out/b.pcapng" 2>"$LAB_TMP/b.err" ||
	lab_fail "capdump --resume, set of 2: $(<"$LAB_TMP/b.err")"
wait $maker || lab_fail "making the set grow"
cat "$LAB_TMP/b.err"
grep -q "grow.1: a ring of the set not in" "$LAB_TMP/b.err" || lab_fail "no notice of the new member"
for f in a:1000 b:1000; do
	n=$(capinfos -T -r -c "$LAB_TMP/out/${f%:*}.pcapng" | cut -f2)
	((n == ${f#*:})) || lab_fail "--resume: ${f%:*}.pcapng holds $n packets, want ${f#*:}"
done
echo "PASS: capdump_ringset"
