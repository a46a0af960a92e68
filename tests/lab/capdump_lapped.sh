#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_lapped.sh - a recorder stopped (SIGSTOP) until the ring laps it,
# then resumed: it reports exactly sent - written as lost, and the
# epb_dropcount options in its file add up to the same.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark
capd_lab_setup lap
# 16 MiB: 7 data blocks of 2 MiB, lapped by ~60000 records of 242+ bytes.
capd_lab_conf 16M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
out=$LAB_TMP/lapped.pcapng

"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/err" &
pid=$!
lab_on_exit "kill -CONT $pid 2>/dev/null; kill $pid 2>/dev/null || true"
sleep 0.3
sent=150000
capd_lab_send -g 239.1.1.1 -p 30001 -n 5000 -s 200 -r 50000
kill -STOP $pid
capd_lab_send -g 239.1.1.1 -p 30001 -n 140000 -s 200 -r 100000 --seq-start 5000
kill -CONT $pid
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 5000 -s 200 -r 50000 --seq-start 145000
sleep 0.5
kill -INT $pid
wait $pid || lab_fail "capdump exited with $?"
cat "$LAB_TMP/err"
written=$(sed -n 's/.*capdump: \([0-9]*\) packets written.*/\1/p' "$LAB_TMP/err")
lost=$(sed -n 's/.*, \([0-9]*\) lost to ring overruns.*/\1/p' "$LAB_TMP/err")
echo "sent $sent, written $written, lost $lost"
((written + lost == sent)) || lab_fail "written $written + lost $lost != sent $sent"
((lost > 0)) || lab_fail "the stopped reader was never lapped"
n=$(tshark -r "$out" | wc -l)
((n == written)) || lab_fail "the file holds $n packets, capdump says $written"
drops=$(tshark -r "$out" -T fields -e frame.drop_count | awk '{s += $1} END {print s + 0}')
echo "sum of epb_dropcount in the file: $drops"
((drops == lost)) || lab_fail "epb_dropcount adds up to $drops, want $lost"
capd_lab_stop
echo "PASS: capdump_lapped"
