#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_nosocket.sh - a feed's packets on a queue capd does not capture are
# counted as dropped before the ring, not lost without a trace: capd
# captures queue 0 of a two-queue veth, the sender steers one group to
# queue 0 and another to queue 1 (XPS by the sending CPU; veth receives on
# the queue its peer sent on), and the packets of queue 1 show as
# dropped (stage no_socket) in `capctl status --json`, in the metrics file,
# in capdump's exit summary and in the isb_osdrop of its file (tshark),
# while exactly the packets of queue 0 are in the file.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPCTL ip taskset ethtool jq tshark
n0=1000 # to queue 0, captured
n1=700  # to queue 1, no socket

lab_netns_add src
ns=$LAB_REPLY
# A packet sent from CPU q arrives on receive queue q.
lab_veth_2q nsk eth0 "$ns"
hif=$LAB_REPLY
lab_hugepages_reserve 96
CAPD_RING=/dev/hugepages/capd-test-$LAB_RUN_ID/r
lab_on_exit rm -rf "$(dirname "$CAPD_RING")"
CAPD_CONF=$LAB_TMP/capd.conf
cat >"$CAPD_CONF" <<EOF
ring = { name = "$CAPD_RING"; size = "16M"; group = ""; };
capture = { cpu = -1; interfaces = ( { name = "$hif"; queues = [ 0 ]; mode = "native"; } ); };
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
feeds = ( { name = "Q0"; group = "239.1.1.1"; ports = [ 30001 ]; },
          { name = "Q1"; group = "239.1.1.2"; ports = [ 30001 ]; } );
EOF
capd_lab_start
grep capturing "$LAB_TMP/capd.log"

out=$LAB_TMP/q.pcapng
"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/capdump.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null; wait $dump 2>/dev/null || true"
sleep 0.5
send() # send QUEUE MCAST_SEND-ARGS...
{
	ip netns exec "$ns" taskset -c "$1" "$MCAST_SEND" -i eth0 -p 30001 -s 200 -r 20000 \
		"${@:2}" >/dev/null
}
send 0 -g 239.1.1.1 -n $n0
send 1 -g 239.1.1.2 -n $n1

# The steering worked: the veth's own counters, per receive queue.
xdp_rx() { ethtool -S "$hif" | awk -v k="rx_queue_$1_xdp_packets:" '$1 == k {print $2}'; }
echo "veth XDP packets: queue 0 $(xdp_rx 0), queue 1 $(xdp_rx 1)"
(($(xdp_rx 1) >= n1)) || lab_fail "queue 1 saw $(xdp_rx 1) packets, not the $n1 sent to it"

status=$LAB_TMP/status.json
st() { "$CAPCTL" status "$CAPD_RING" --json >"$status" && jq -r "$1" "$status"; }
# Counters move once a second (capd's housekeeping).
for _ in $(seq 30); do
	[[ $(st .totals.dropped.no_socket) == "$n1" ]] && break
	sleep 0.1
done
jq -c '.totals, [.interfaces[].queues[] | {queue, dropped}]' "$status"
expect() # expect WHAT GOT WANT
{
	[[ $2 == "$3" ]] || lab_fail "$1: got $2, want $3"
	echo "ok: $1 = $2"
}
expect "capctl: queues listed" "$(st '[.interfaces[].queues[].queue] | join(",")')" 0
expect "capctl: packets" "$(st .totals.packets)" $n0
expect "capctl: dropped, no socket" "$(st .totals.dropped.no_socket)" $n1
expect "capctl: dropped before the ring" "$(st .totals.dropped.total)" $n1
lab_expect_match "capctl text" "$("$CAPCTL" status "$CAPD_RING")" "no socket $n1;"

prom=$LAB_TMP/capd.prom
sleep 1.1 # the file follows the counters within a second
grep '^capd_dropped_packets_total' "$prom"
expect "metrics: stage no_socket" \
	"$(awk '/^capd_dropped_packets_total[{].*stage="no_socket"/ {s += $NF} END {print s + 0}' \
		"$prom")" $n1
expect "metrics: all stages" \
	"$(awk '/^capd_dropped_packets_total[{]/ {s += $NF} END {print s + 0}' "$prom")" $n1

kill -INT $dump
wait $dump || lab_fail "capdump exited with $?"
cat "$LAB_TMP/capdump.err"
lab_expect_match "capdump summary" "$(<"$LAB_TMP/capdump.err")" \
	"$n0 packets written.*, $n1 dropped before the ring"
expect "packets in the file" "$(tshark -r "$out" | wc -l)" $n0
expect "its groups" "$(tshark -r "$out" -T fields -e ip.dst | sort -u | paste -sd,)" 239.1.1.1
osdrop=$(tshark -r "$out" -X read_format:"MIME Files Format" -T fields \
	-e pcapng.options.option.data.interface.dropped_by_os 2>/dev/null | awk 'NF {v = $1} END {print v}')
expect "isb_osdrop (tshark)" "$osdrop" $n1
capd_lab_stop
echo "PASS: capd_nosocket"
