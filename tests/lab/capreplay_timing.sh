#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_timing.sh - a recorded feed replayed with its timing arrives as
# it was recorded (issue 21's acceptance).  tools/replay_gen.py writes 2 s
# of MoldUDP64 (each packet its own sequence number and payload): 100000
# packets/s with +-2 us of jitter to MOLD for 100 ms, 50 ms idle, then a
# burst of 50 back-to-back packets (96 ns apart, a 10 Gb/s wire) to BURST,
# over again.  capreplay sends it in payload mode from the namespace
# through the veth (pinned to CPU 0, at SCHED_FIFO 10: on a virtual
# machine whose own agent runs at nice -10, a time-shared sender was seen
# held for 30 ms), capd captures the host end (its thread on CPU 1);
# after the replay capdump re-records the ring (not during it: it would
# take a CPU from one of them).  Judged from tshark's
# reading of both files:
#  - the same sequence numbers and payloads, in the same order;
#  - every inter-arrival gap as recorded: p99 of |re-recorded - original|
#    <= 20 us, net of what the machine took (replay_lab.sh);
#  - the bursts still bursts: capstat's 1 ms-window maximum of BURST the
#    same on both files (50); MOLD's printed (its jitter and the replay's
#    move a packet across a window's edge: +-1), with a note if it grew
#    more (a replay that fell behind and caught up: a busy host);
#  - capreplay's report: everything selected sent, once, nothing skipped,
#    no send error, its own p99 and drift printed.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/replay_lab.sh"
gen=$(dirname "$0")/tools/replay_gen.py judge=$(dirname "$0")/tools/replay_judge.py
lab_start CAPD CAPDUMP CAPSTAT CAPREPLAY ip jq tshark python3 timeout chrt
(($(nproc) >= 2)) || lab_skip "needs 2 CPUs (sender and capture apart)"
capd_lab_setup rti
capd_lab_conf 64M 1 <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "BURST"; group = "239.1.1.5"; ports = [ 30005 ]; proto = "moldudp64"; } );
CONF
capd_lab_start
# Only this lab's rings: capreplay refuses an interface a ring's capd captures.
export CAPD_RING_DIR=${CAPD_RING%/*}

orig=$LAB_TMP/orig.pcapng rerec=$LAB_TMP/rerec.pcapng
python3 "$gen" "$orig" --seconds 2 >"$LAB_TMP/gen.json"
npk=$(jq .packets "$LAB_TMP/gen.json") burst=$(jq .burst "$LAB_TMP/gen.json")
echo "original: $(jq -c . "$LAB_TMP/gen.json")"

rc=0
ip netns exec "$CAPD_NS" timeout 30 chrt -f 10 "$CAPREPLAY" -r "$orig" -o eth0 --cpu 0 --json -q \
	>"$LAB_TMP/report.json" 2>"$LAB_TMP/capreplay.err" || rc=$?
((rc == 0)) || lab_fail "capreplay exited with $rc: $(<"$LAB_TMP/capreplay.err")"
report=$(<"$LAB_TMP/report.json")
echo "capreplay: $report"
# Where packets that never reached the ring went: the veth's counters
# (ethtool's per-queue XDP drops where it has them).
veth_stats()
{
	echo "$CAPD_HIF: rx_dropped $(<"/sys/class/net/$CAPD_HIF/statistics/rx_dropped")" \
		"$(ethtool -S "$CAPD_HIF" 2>/dev/null | awk '/drop|full/ && $2 != 0' | tr -s ' \n' ' ')"
}
stats=$(veth_stats)
capd_lab_stop
timeout 60 "$CAPDUMP" -i "$CAPD_RING" --from oldest -w "$rerec" \
	'udp dst port 30001 or udp dst port 30005' 2>"$LAB_TMP/capdump.err" ||
	lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump.err")"
echo "capdump: $(tail -n 1 "$LAB_TMP/capdump.err")"

# The report: all of it sent, once.
got=$(jq -c '[.mode, .selected, .loops_done, .sent, .not_sent.truncated, .not_sent.not_udp,
	.not_sent.too_big, (.send_errors | length), .interrupted]' <<<"$report")
[[ $got == "[\"payload\",$npk,1,$npk,0,0,0,0,false]" ]] ||
	lab_fail "report [mode, selected, loops_done, sent, truncated, not_udp, too_big, send errors," \
		"interrupted] is $got, want [\"payload\",$npk,1,$npk,0,0,0,0,false]"

fields()
{
	tshark -r "$1" -d udp.port==30001,moldudp64 -d udp.port==30005,moldudp64 \
		-Y 'udp.dstport == 30001 || udp.dstport == 30005' \
		-T fields -e frame.time_epoch -e moldudp64.sequence -e udp.payload >"$2" 2>/dev/null ||
		lab_fail "tshark -r $1 failed"
}
fields "$orig" "$LAB_TMP/orig.tsv"
fields "$rerec" "$LAB_TMP/rerec.tsv"
j=$(python3 "$judge" "$LAB_TMP/orig.tsv" "$LAB_TMP/rerec.tsv" --report "$LAB_TMP/report.json")
echo "re-recording against the original: $j"
[[ $(jq -c '[.same, .packets]' <<<"$j") == "[true,$npk]" ]] ||
	lab_fail "re-recorded $(jq .packets <<<"$j") of $npk packets, first difference at" \
		"$(jq .first_diff <<<"$j") (capdump: $(tail -n 1 "$LAB_TMP/capdump.err"); veth: $stats;" \
		"capd: $(grep -iE 'drop|lost' "$LAB_TMP/capd.log" | tail -n 3 | tr '\n' ' '))"
# The report counted what the receiver got.
[[ $(jq .sent <<<"$report") == "$(jq .packets <<<"$j")" ]] || lab_fail "sent != received"
replay_lab_gaps "$j" "$LAB_TMP/report.json"
echo "gaps: p99 |re-recorded - original| = $(jq .gap_err_ns.p99 <<<"$j") ns, p50" \
	"$(jq .gap_err_ns.p50 <<<"$j"), max $(jq .gap_err_ns.max <<<"$j"); receiver's drift" \
	"$(jq .drift_ns <<<"$j") ns; capreplay's send error p99 $(jq .err_p99_ns <<<"$report") ns," \
	"drift $(jq .drift_ns <<<"$report") ns"

# capstat's 1 ms-window maxima, per feed, on both files.
for f in orig rerec; do
	timeout 60 "$CAPSTAT" -r "$LAB_TMP/$f.pcapng" --json --proto moldudp64 >"$LAB_TMP/$f.stat" \
		2>"$LAB_TMP/$f.stat.err" || lab_fail "capstat -r $f exited with $?: $(<"$LAB_TMP/$f.stat.err")"
done
bursts()
{
	jq -c --arg g "$2" 'select(.type == "summary") | .feeds[] | select(.group == $g) |
		[.burst["1ms"].packets, .burst["100us"].packets, .burst["10us"].packets,
		 .seq.missing, .packets]' "$1"
}
for g in 239.1.1.5 239.1.1.1; do
	echo "capstat $g [1ms, 100us, 10us windows, missing, packets]:" \
		"original $(bursts "$LAB_TMP/orig.stat" $g), re-recorded $(bursts "$LAB_TMP/rerec.stat" $g)"
done
bo=$(bursts "$LAB_TMP/orig.stat" 239.1.1.5 | jq '.[0]')
br=$(bursts "$LAB_TMP/rerec.stat" 239.1.1.5 | jq '.[0]')
[[ $bo == "$burst" && $br == "$burst" ]] ||
	lab_fail "BURST's 1 ms-window maximum: original $bo, re-recorded $br, want $burst both"
mo=$(bursts "$LAB_TMP/orig.stat" 239.1.1.1 | jq '.[0]')
mr=$(bursts "$LAB_TMP/rerec.stat" 239.1.1.1 | jq '.[0]')
((mr - mo <= 2 && mo - mr <= 2)) ||
	echo "note: MOLD's 1 ms-window maximum went from $mo to $mr: the replay fell behind" \
		"(its report's err_max_ns) and sent what was due at once"
echo "PASS: capreplay_timing"
