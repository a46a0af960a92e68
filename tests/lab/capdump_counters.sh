#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_counters.sh - capdump's ISB counters and exit summary across a
# restart of capd, which counts from zero again: 3000 packets before the
# recorder starts, 500 while it runs, a burst while capd is stopped
# (SIGSTOP: its socket's ring overflows, the kernel drops), capd killed
# with SIGKILL and started again, 200 more.  The file's ISB (tshark) says
# at least as many packets received as the file holds, drops as capd
# counted them since the recorder started, nothing near 2^64; the summary
# says the same drops.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark
capd_lab_setup rct
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
out=$LAB_TMP/rec.pcapng
burst=20000

# isb FIELD: the value of pcapng.options.option.data.interface.FIELD in
# the file's last ISB, as Wireshark's own pcapng dissector reads it.
isb() {
	tshark -r "$out" -X read_format:"MIME Files Format" -T fields \
		-e "pcapng.options.option.data.interface.$1" 2>/dev/null |
		awk 'NF { v = $1 } END { print v }'
}

capd_lab_send -g 239.1.1.1 -p 30001 -n 3000 -s 200 -r 20000
sleep 1.5
"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/err" &
dump=$!
lab_on_exit "kill -9 $dump 2>/dev/null || true"
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 500 -s 200 -r 20000 --seq-start 3000
# capd stopped: what does not fit its socket's ring is dropped.
kill -STOP "$CAPD_PID"
lab_on_exit "kill -CONT $CAPD_PID 2>/dev/null || true"
capd_lab_send -g 239.1.1.1 -p 30001 -n $burst -s 200 --seq-start 3500
kill -CONT "$CAPD_PID"
# capd publishes its counters once a second; capdump sees them.
sleep 2.5
kill -9 "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
echo "capd killed"
capd_lab_start
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 200 -s 200 -r 20000 --seq-start $((3500 + burst))
sleep 2.5
kill -INT $dump
wait $dump || lab_fail "capdump exited with $?"
cat "$LAB_TMP/err"

packets=$(tshark -r "$out" 2>/dev/null | wc -l)
in_burst=$(tshark -r "$out" -T fields -e udp.payload 2>/dev/null | cut -c 1-16 |
	awk '{ s = 0; for (i = 1; i <= 16; i++) s = s * 16 + index("0123456789abcdef", substr($1, i, 1)) - 1;
	       if (s >= 3500 && s < 3500 + '$burst') n++ } END { print n + 0 }')
recv=$(isb received)
ifdrop=$(isb dropped)
osdrop=$(isb dropped_by_os)
deliv=$(isb delivered_to_user)
echo "file: $packets packets ($in_burst of the burst of $burst); ISB: received $recv," \
	"dropped $ifdrop, dropped by OS $osdrop, delivered $deliv"
((packets == 700 + in_burst)) || lab_fail "the file holds $packets packets, want $((700 + in_burst))"
((in_burst < burst)) || lab_fail "nothing of the burst was dropped: no drops to count"
((deliv == packets)) || lab_fail "ISB delivered $deliv, the file holds $packets"
# Not a difference gone below zero (2^64 - N): fewer than 19 digits.
for v in "$recv" "$ifdrop" "$osdrop"; do
	[[ $v =~ ^[0-9]{1,18}$ ]] ||
		lab_fail "an ISB counter reads $v (received $recv, dropped $ifdrop, by OS $osdrop)"
done
((recv >= packets)) || lab_fail "the ISB says $recv received, the file holds $packets"
((osdrop > 0 && osdrop + in_burst <= burst)) ||
	lab_fail "the ISB says $osdrop dropped by the OS; the burst lost $((burst - in_burst))"
lab_expect_match "summary" "$(<"$LAB_TMP/err")" \
	"$packets packets written.*, $((osdrop + ifdrop)) dropped before the ring"
capd_lab_stop
echo "PASS: capdump_counters"
