#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_resume.sh - kill -9 of a recorder:
#  - the files it closed are intact, the open one (still under its
#    temporary name) is readable up to its last flush;
#  - a recorder restarted with --resume completes that file at its last
#    flush and continues exactly after it: across all files every packet
#    is there once.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos
capd_lab_setup res
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
dir=$LAB_TMP/out
mkdir -p "$dir"
state=$LAB_TMP/state

start_recorder() {
	"$CAPDUMP" -i "$CAPD_RING" --from oldest --resume "$state" -C 1 \
		-w "$dir/rec.pcapng.zst" 2>>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
}

start_recorder
# 3 s at 3000 pps: ~2 MB of pcapng, so closed files and an open one.
capd_lab_send -g 239.1.1.1 -p 30001 -n 9000 -s 200 -r 3000 &
send=$!
# Kill it while a file is open and has packets flushed (not only headers).
sleep 1.2
for _ in $(seq 100); do
	part=$(find "$dir" -name '.*.part' -size +4k)
	[[ -n $part ]] && break
	sleep 0.03
done
kill -9 $pid
wait $pid 2>/dev/null || true
echo "recorder killed with SIGKILL"
cat "$LAB_TMP/err"
ls -la "$dir"
[[ -n $part ]] || lab_fail "no flushed open (temporary) file to kill -9 the recorder at"
for f in "$dir"/*.zst; do
	capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci" && [[ ! -s $LAB_TMP/ci ]] ||
		lab_fail "closed file $f is damaged: $(<"$LAB_TMP/ci")"
done
n=$(tshark -r "$part" 2>/dev/null | wc -l || true)
echo "the open file reads up to its last flush: $n packets"
((n > 0)) || lab_fail "the open file holds nothing readable"

start_recorder
wait $send
sleep 1
kill -INT $pid
wait $pid || lab_fail "resumed capdump exited with $?"
cat "$LAB_TMP/err"
ls -la "$dir"
! find "$dir" -name '.*.part' | grep -q . || lab_fail "a temporary file is left"
res=$(for f in "$dir"/*.zst; do
	tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
done | sort -n | "$PAYLOAD_CHECK")
echo "$res"
lab_expect_match "all files" "$res" \
	"port 30001 count=9000 first=0 last=8999 order_errors=0 dups=0 bad_payload=0"
capd_lab_stop
echo "PASS: capdump_resume"
