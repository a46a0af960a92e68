#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capctl_status.sh - `capctl status --json` held against the truth of a lab
# capture:
#
#  - counters: after N packets sent, every count (records, per-queue
#    packets, XDP redirects) is N, the byte count is what tshark sums in
#    the recording of the same packets, nothing is dropped, and the ring's
#    time window spans the first and last packet's stamps;
#  - readers: a capdump and a capstat are listed with their pids; capdump
#    stopped (SIGSTOP) while M more packets arrive shows a lag of exactly M
#    records and goes stale; readers that keep up with 2000 packets/s show
#    a lag of at most 20 records (from positions), whatever their status
#    file's age; stopped until the ring laps it, it shows the
#    records already overwritten, and once continued the loss it then
#    counts, which is exactly what capdump itself reports at exit; readers
#    that exit or are killed are no longer listed;
#  - capd's Prometheus textfile carries the same counters (and parses with
#    prometheus_client where that is installed);
#  - capd killed with SIGKILL shows as stopped, crashed, within 3 s.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPSTAT CAPCTL ip jq tshark
capd_lab_setup sta
# 16 MiB: 7 data blocks of 2 MiB, lapped by ~55000 records of 200 bytes.
capd_lab_conf 16M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
status=$LAB_TMP/status.json

st() # st JQ-EXPR: one value of a fresh `capctl status --json`
{
	"$CAPCTL" status "$CAPD_RING" --json >"$status"
	jq -r "$1" "$status"
}

expect() # expect WHAT GOT WANT
{
	[[ $2 == "$3" ]] || { cat "$status" >&2; lab_fail "$1: got $2, want $3"; }
	echo "ok: $1 = $2"
}

# Counters move once a second (capd's housekeeping): wait for them.
wait_for() # wait_for JQ-EXPR WANT
{
	local got=
	for _ in $(seq 50); do
		got=$(st "$1")
		[[ $got == "$2" ]] && return 0
		sleep 0.1
	done
	return 0
}

# --- a running capd, nothing sent yet
expect "writer state" "$(st .writer.state)" running
expect "writer pid" "$(st .writer.pid)" "$CAPD_PID"
expect "readers before any" "$(st '.readers | length')" 0
up=$(st .writer.uptime_ns)
((up > 0)) || lab_fail "uptime $up"
hb=$(st .writer.heartbeat_age_ns)
((hb < 1000000000)) || lab_fail "heartbeat age $hb ns"
expect "interface" "$(st '.interfaces[0].name + " " + .interfaces[0].xdp_mode')" "$CAPD_HIF native"

# --- two readers, N packets
out=$LAB_TMP/rec.pcapng
"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/capdump.err" &
dump=$!
lab_on_exit "kill -CONT $dump 2>/dev/null; kill $dump 2>/dev/null; wait $dump 2>/dev/null || true"
"$CAPSTAT" -i "$CAPD_RING" --json --interval 1 >"$LAB_TMP/capstat.json" 2>&1 &
stat=$!
lab_on_exit "kill $stat 2>/dev/null; wait $stat 2>/dev/null || true"
sleep 0.7
expect "readers attached" "$(st '[.readers[].pid] | sort | map(tostring) | join(",")')" \
	"$(printf '%s\n' "$dump" "$stat" | sort -n | paste -sd,)"
expect "capdump's program" "$(st ".readers[] | select(.pid == $dump) | .program")" capdump

n=1000
capd_lab_send -g 239.1.1.1 -p 30001 -n $n -s 200 -r 20000
wait_for .totals.packets $n
wait_for '[.interfaces[].queues[].xdp_redirected] | add' $n # a second behind
expect "records" "$(st .writer.records)" $n
expect "ring records" "$(st .ring.records)" $n
expect "packets (totals)" "$(st .totals.packets)" $n
expect "packets (queues)" "$(st '[.interfaces[].queues[].packets] | add')" $n
expect "XDP redirected" "$(st '[.interfaces[].queues[].xdp_redirected] | add')" $n
expect "dropped" "$(st .totals.dropped.total)" 0
sleep 0.6 # both readers rewrite their status
expect "capdump lag" "$(st ".readers[] | select(.pid == $dump) | .lag_records")" 0
expect "capdump read" "$(st ".readers[] | select(.pid == $dump) | .records")" $n
expect "capstat lag" "$(st ".readers[] | select(.pid == $stat) | .lag_records")" 0
oldest=$(st .ring.oldest_ns) newest=$(st .ring.newest_ns) bytes=$(st .totals.bytes)
"$CAPCTL" status "$CAPD_RING" # the human view, for the log

# --- readers that keep up at a steady rate: lag from positions, ~0, not
# the status file's age times the rate (1000 records at 2000/s for 0.5 s)
rate=2000 secs=4
capd_lab_send -g 239.1.1.1 -p 30001 -n $((rate * secs)) -s 200 -r $rate --seq-start $n &
sender=$!
sleep 0.5
maxlag=0 ages= asof=
for _ in $(seq 10); do
	"$CAPCTL" status "$CAPD_RING" --json >"$status"
	for pid in $dump $stat; do
		lag=$(jq -r ".readers[] | select(.pid == $pid) | .lag_records" "$status")
		((lag > maxlag)) && maxlag=$lag
		ages+=" $(jq -r ".readers[] | select(.pid == $pid) | .update_age_ns" "$status")"
	done
	asof+=" $(jq -r ".readers[] | select(.pid == $dump) | .lag_as_of" "$status")"
	sleep 0.3
done
wait $sender || lab_fail "mcast_send failed"
echo "status ages (ns):$ages"
((maxlag <= 20)) || lab_fail "steady readers lag up to $maxlag records (want <= 20)"
echo "ok: steady readers lag at most $maxlag records at $rate/s"
expect "steady capdump's lag taken from its status" "${asof// status/}" ""
s0=$((n + rate * secs)) # sent so far
wait_for .totals.packets $s0

# --- a known lag: capdump stopped while M packets arrive
m=300
kill -STOP $dump
sleep 0.8 # its status is overdue (3 periods): it is not reading
capd_lab_send -g 239.1.1.1 -p 30001 -n $m -s 200 -r 20000 --seq-start $s0
wait_for .totals.packets $((s0 + m))
expect "capdump lag while stopped" "$(st ".readers[] | select(.pid == $dump) | .lag_records")" $m
sleep 0.6
expect "capstat lag" "$(st ".readers[] | select(.pid == $stat) | .lag_records")" 0
lagns=$(st ".readers[] | select(.pid == $dump) | .lag_ns")
((lagns > 0)) || lab_fail "capdump's time lag $lagns"
echo "ok: capdump behind by $lagns ns"
sleep 1.5
expect "capdump stale" "$(st ".readers[] | select(.pid == $dump) | .stale")" true
"$CAPCTL" status "$CAPD_RING" | grep -A1 "pid $dump" | grep -q "lag $m records" ||
	lab_fail "the text view does not show the lag"

# --- losses: the ring laps the stopped capdump
big=70000
capd_lab_send -g 239.1.1.1 -p 30001 -n $big -s 200 -r 100000 --seq-start $((s0 + m))
total=$((s0 + m + big))
wait_for .totals.packets $total
sleep 0.6
gone=$(st ".readers[] | select(.pid == $dump) | .overwritten")
((gone > 0)) || lab_fail "nothing overwritten ahead of the stopped reader"
echo "ok: $gone records overwritten ahead of the stopped capdump"
kill -CONT $dump
sleep 1.5
lost=$(st ".readers[] | select(.pid == $dump) | .lost")
expect "capdump lag after catching up" "$(st ".readers[] | select(.pid == $dump) | .lag_records")" 0
expect "capdump laps" "$(st ".readers[] | select(.pid == $dump) | .laps > 0")" true
kill -INT $dump
wait $dump || lab_fail "capdump exited with $?"
cat "$LAB_TMP/capdump.err"
written=$(sed -n 's/.*capdump: \([0-9]*\) packets written.*/\1/p' "$LAB_TMP/capdump.err")
own=$(sed -n 's/.*, \([0-9]*\) lost to ring overruns.*/\1/p' "$LAB_TMP/capdump.err")
expect "lost in status = capdump's own count" "$lost" "$own"
((written + lost == total)) || lab_fail "written $written + lost $lost != sent $total"
expect "readers after capdump exited" "$(st '[.readers[].pid] | map(tostring) | join(",")')" "$stat"

# The first N packets, as recorded, against the status taken then.
fb=$(tshark -r "$out" -c $n -T fields -e frame.len | awk '{s += $1} END {print s}')
expect "bytes of the first $n packets (tshark)" "$bytes" "$fb"
first=$(tshark -r "$out" -c 1 -T fields -e frame.time_epoch)
last=$(tshark -r "$out" -c $n -T fields -e frame.time_epoch | tail -1)
awk -v o="$oldest" -v nw="$newest" -v f="$first" -v l="$last" 'BEGIN {
	d1 = o / 1e9 - f; d2 = nw / 1e9 - l
	exit !(d1 < 1e-6 && d1 > -1e-6 && d2 < 1e-6 && d2 > -1e-6) }' ||
	lab_fail "window $oldest..$newest, packets at $first..$last"
echo "ok: the ring's window matches the first and last packet's stamps"

kill -9 $stat
wait $stat 2>/dev/null || true
expect "readers after capstat was killed" "$(st '.readers | length')" 0

# --- capd's metrics
prom=$LAB_TMP/capd.prom
sleep 1.2
[[ -f $prom ]] || lab_fail "no metrics file $prom"
got=$(awk '/^capd_received_packets_total[{ ]/ {s += $NF} END {print s + 0}' "$prom")
expect "capd_received_packets_total" "$got" $total
got=$(awk '/^capd_dropped_packets_total[{ ]/ {s += $NF} END {print s + 0}' "$prom")
expect "capd_dropped_packets_total" "$got" 0
expect "capd_running" "$(awk '/^capd_running[{ ]/ {print $NF}' "$prom")" 1
for py in python3 /usr/bin/python3; do
	"$py" -c 'import prometheus_client' 2>/dev/null || continue
	"$py" - "$prom" <<'EOF' || lab_fail "prometheus_client refuses $prom"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
print(f"ok: {len(fams)} metric families parse")
EOF
	break
done

# --- capd killed: stopped within 3 s
t0=$(date +%s%N)
kill -9 "$CAPD_PID"
for _ in $(seq 60); do
	[[ $(st .writer.state) == stopped ]] && break
	sleep 0.05
done
ms=$((($(date +%s%N) - t0) / 1000000))
expect "state after SIGKILL" "$(st .writer.state)" stopped
expect "crashed" "$(st .writer.crashed)" true
((ms <= 3000)) || lab_fail "stopped shown after $ms ms"
echo "ok: a killed capd shows as stopped after $ms ms"
echo "PASS: capctl_status"
