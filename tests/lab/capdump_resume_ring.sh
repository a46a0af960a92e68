#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_resume_ring.sh - a --resume state belongs to one ring, not to a
# path.  A recorder stops; capd is restarted with another ring size (the
# ring file is replaced) and packets arrive before the recorder starts
# again: it starts at the new ring's first record and records them all.
# Then the ring file is removed and capd makes a new one, whose sequence
# numbers start again from 0: the same.  Across all files (tshark) every
# packet sent is there once, none counted lost.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos
capd_lab_setup rrg
feeds='feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_conf 64M <<<"$feeds"
capd_lab_start
dir=$LAB_TMP/out
mkdir -p "$dir"
state=$LAB_TMP/state
sent=0

send() { # send N: the next N packets of the sequence
	capd_lab_send -g 239.1.1.1 -p 30001 -n "$1" -s 200 -r 10000 --seq-start $sent
	sent=$((sent + $1))
}

# record N: a recorder started with the state, N more packets, and it
# stops (SIGINT).
record() {
	"$CAPDUMP" -i "$CAPD_RING" --from oldest --resume "$state" -w "$dir/rec.pcapng" \
		2>>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
	sleep 0.5
	send "$1"
	sleep 1.5
	kill -INT $pid
	wait $pid || { cat "$LAB_TMP/err"; lab_fail "capdump exited with $?"; }
}

record 3000
echo "state: $(grep ^ring "$state")"
capd_lab_stop

# Another size: capd replaces the file.
capd_lab_conf 32M <<<"$feeds"
capd_lab_start
send 2000
record 1000
echo "state: $(grep ^ring "$state")"
capd_lab_stop

# A new file from scratch: its numbers start again from 0.
rm -f "$CAPD_RING"
capd_lab_start
send 500
record 500
capd_lab_stop
cat "$LAB_TMP/err"

for f in "$dir"/rec*.pcapng; do
	capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci" && [[ ! -s $LAB_TMP/ci ]] ||
		lab_fail "$f is damaged: $(<"$LAB_TMP/ci")"
done
res=$(for f in "$dir"/rec*.pcapng; do
	tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
done | sort -n | "$PAYLOAD_CHECK")
echo "$res"
dropped=$(for f in "$dir"/rec*.pcapng; do
	tshark -r "$f" -T fields -e frame.drop_count 2>/dev/null
done | awk '{ s += $1 } END { print s + 0 }')
echo "epb_dropcount sum: $dropped"
lab_expect_match "all files" "$res" \
	"port 30001 count=$sent first=0 last=$((sent - 1)) order_errors=0 dups=0 bad_payload=0"
((dropped == 0)) || lab_fail "$dropped packets counted lost"
lab_expect_match "the report" "$(<"$LAB_TMP/err")" "not the ring .* was saved from"
echo "PASS: capdump_resume_ring"
