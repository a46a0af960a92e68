#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_restart.sh - the ring outlives capd:
#  - after kill -9 of capd its XDP program is gone with it (BPF link) and
#    every record it published is still readable;
#  - a capd restarted on the same ring starts the next generation and
#    continues the sequence: a reader attached across the crash and the
#    restart gets every datagram once, in order, and loses none.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND RING_FLOWS ip timeout
capd_lab_setup rst
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
ring=$CAPD_RING
tx() { capd_lab_send -g 239.1.1.1 -p 30001 -s 300 -r 20000 "$@"; }

capd_lab_start "$LAB_TMP/capd1.log"
grep capturing "$LAB_TMP/capd1.log"
# A reader that stays attached through the crash and the restart.
"$RING_FLOWS" -t 8 "$ring" >"$LAB_TMP/across.out" &
reader=$!
lab_on_exit "kill $reader 2>/dev/null || true"
tx -n 1000 --seq-start 0
sleep 0.3
kill -9 "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
echo "capd $CAPD_PID killed with SIGKILL"
if ip link show "$CAPD_HIF" | grep -q xdp; then
	lab_fail "the XDP program of the killed capd is still attached"
fi
out=$("$RING_FLOWS" -t 0.5 "$ring")
echo "after kill -9: $out"
lab_expect_match "after kill -9" "$out" \
	"flow 239.1.1.1:30001 feed=0 count=1000 first=0 last=999 order_errors=0 bad_payload=0"
lab_expect_match "after kill -9" "$out" "total records=1000 lost=0 rejected=0 generation=1 state=1"

capd_lab_start "$LAB_TMP/capd2.log"
grep capturing "$LAB_TMP/capd2.log"
lab_expect_match "restart" "$(<"$LAB_TMP/capd2.log")" "generation 2"
tx -n 1000 --seq-start 1000
sleep 0.3
capd_lab_stop

out=$("$RING_FLOWS" -t 0.5 "$ring")
echo "from the oldest record: $out"
lab_expect_match "whole ring" "$out" \
	"flow 239.1.1.1:30001 feed=0 count=2000 first=0 last=1999 order_errors=0 bad_payload=0"
lab_expect_match "whole ring" "$out" "total records=2000 lost=0 rejected=0 generation=2 state=2"
wait $reader || true
echo "reader across both: $(<"$LAB_TMP/across.out")"
lab_expect_match "reader across" "$(<"$LAB_TMP/across.out")" \
	"flow 239.1.1.1:30001 feed=0 count=2000 first=0 last=1999 order_errors=0 bad_payload=0"
lab_expect_match "reader across" "$(<"$LAB_TMP/across.out")" \
	"total records=2000 lost=0 rejected=0 generation=2 state=2"
echo "PASS: capd_restart"
