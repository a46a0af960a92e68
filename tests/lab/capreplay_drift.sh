#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_drift.sh - no drift: after 60 s of replay at the recorded
# timing the last packet arrives within 100 us of its time (issue 21's
# acceptance).  tools/replay_gen.py writes 60 s of its feed shape (100 ms
# steady, 50 ms idle, a burst of 50) at 10000 packets/s, 420000 packets;
# capreplay sends it through the veth into capd (CPU 0 and CPU 1), capdump
# re-records the ring afterwards.  Judged by capinfos and tshark on both
# files: the last packet's error
#	(last re-recorded - last recorded) - start
# within +-100 us, where start is the median of (re-recorded - recorded)
# over the first 1000 packets: where the replay's time base sits at the
# receiver.  Not the first packet alone: this lab's receiver (capd's
# busy-poll loop drives the veth's NAPI, hence its XDP stamps) wakes from
# idle at the first packet and stamps it and the next dozen up to 200 us
# late, less and less (capreplay hands them over on time), so the first
# packet says when the receiver woke.  Also the same number of packets,
# and the first and last packets the same (editcap picks them, tshark
# compares their payloads);
# and by capreplay's own report: drift_ns (the last packet's send error)
# within 100 us, every packet sent.
# Why 10000/s and not the 100000/s of capreplay_timing: drift is the time
# base's error accumulated over the run, whatever the rate; at 100000/s
# the file would be 4.2 M packets (540 MB, a minute of Python to write)
# and capd's ring 540 MB of hugepages; this one is 54 MB of each.  The
# gaps at 100000/s are capreplay_timing's.
. "$(dirname "$0")/lab.sh"
gen=$(dirname "$0")/tools/replay_gen.py
lab_start CAPD CAPDUMP CAPREPLAY ip jq tshark capinfos editcap python3 timeout
(($(nproc) >= 2)) || lab_skip "needs 2 CPUs (sender and capture apart)"
capd_lab_setup rdr
lab_hugepages_reserve 160
capd_lab_conf 128M 1 <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; },
	  { name = "BURST"; group = "239.1.1.5"; ports = [ 30005 ]; } );
CONF
capd_lab_start
export CAPD_RING_DIR=${CAPD_RING%/*}

orig=$LAB_TMP/orig.pcapng rerec=$LAB_TMP/rerec.pcapng
python3 "$gen" "$orig" --seconds 60 --rate 10000 >"$LAB_TMP/gen.json"
npk=$(jq .packets "$LAB_TMP/gen.json")
echo "original: $(jq -c . "$LAB_TMP/gen.json")"

rc=0
ip netns exec "$CAPD_NS" timeout 90 "$CAPREPLAY" -r "$orig" -o eth0 --cpu 0 \
	--json -q >"$LAB_TMP/report.json" 2>"$LAB_TMP/capreplay.err" || rc=$?
((rc == 0)) || lab_fail "capreplay exited with $rc: $(<"$LAB_TMP/capreplay.err")"
echo "capreplay: $(<"$LAB_TMP/report.json")"
capd_lab_stop
timeout 60 "$CAPDUMP" -i "$CAPD_RING" --from oldest -q -w "$rerec" \
	'udp dst port 30001 or udp dst port 30005' || lab_fail "capdump exited with $?"

# capinfos: packets, first and last time (s since 1970, 9 decimals).
info()
{
	capinfos -T -M -r -c -S -a -e "$1" | awk -F '\t' '{ print $2, $3, $4 }'
}
read -r no fo lo <<<"$(info "$orig")"
read -r nr fr lr <<<"$(info "$rerec")"
echo "capinfos: original $no packets $fo .. $lo; re-recorded $nr packets $fr .. $lr"
((nr == npk && no == npk)) || lab_fail "re-recorded $nr packets of $npk (original: $no)"
# The same first and last packet (payloads, so the sequence numbers too).
for k in 1 "$npk"; do
	editcap -r "$orig" "$LAB_TMP/o1.pcapng" "$k" && editcap -r "$rerec" "$LAB_TMP/r1.pcapng" "$k"
	po=$(tshark -r "$LAB_TMP/o1.pcapng" -T fields -e udp.payload 2>/dev/null)
	pr=$(tshark -r "$LAB_TMP/r1.pcapng" -T fields -e udp.payload 2>/dev/null)
	[[ -n $po && $po == "$pr" ]] || lab_fail "packet $k: re-recorded payload $pr, want $po"
done
ns()
{
	local s=${1%.*} f=${1#*.}000000000
	echo $((10#$s * 1000000000 + 10#${f:0:9}))
}
# The time base: the median offset of the first 1000 packets (exact
# decimals: a double cannot hold ns since 1970).
for f in orig rerec; do
	tshark -r "$LAB_TMP/$f.pcapng" -c 1000 -T fields -e frame.time_epoch >"$LAB_TMP/$f.head" \
		2>/dev/null || lab_fail "tshark -r $f.pcapng failed"
done
start=$(python3 - "$LAB_TMP/orig.head" "$LAB_TMP/rerec.head" <<'PY'
import sys
from decimal import Decimal
o, r = ([Decimal(l) for l in open(f)] for f in sys.argv[1:3])
d = sorted(int((b - a) * 10**9) for a, b in zip(o, r))
print(d[len(d) // 2])
PY
)
drift=$(($(ns "$lr") - $(ns "$lo") - start))
first=$(($(ns "$fr") - $(ns "$fo") - start))
echo "receiver: the last packet $drift ns from its time after" \
	"$((($(ns "$lo") - $(ns "$fo")) / 1000000000)) s (the first packet: $first ns," \
	"the receiver waking); (last - first) re-recorded - recorded: $((drift - first)) ns"
((drift >= -100000 && drift <= 100000)) || lab_fail "drift at the receiver $drift ns, want within 100 us"
got=$(jq -c '[.sent, .drift_ns]' "$LAB_TMP/report.json")
sent=$(jq '.[0]' <<<"$got") rdrift=$(jq '.[1] | if . < 0 then -. else . end' <<<"$got")
((sent == npk && rdrift <= 100000)) ||
	lab_fail "report [sent, drift_ns] is $got, want [$npk, within 100000]"
echo "capreplay's report: drift $(jq .drift_ns "$LAB_TMP/report.json") ns," \
	"send error p99 $(jq .err_p99_ns "$LAB_TMP/report.json") ns"
echo "PASS: capreplay_drift"
