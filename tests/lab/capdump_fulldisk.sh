#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_fulldisk.sh - a full disk (a 4 MiB tmpfs) stops the recorder with
# a clear error, and the last file is valid, closed and under its final
# name, holding everything up to its last flush; also when the disk fills
# at the very last flush, as the file is closed.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark capinfos mount umount
capd_lab_setup full
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
small=$LAB_TMP/small
mkdir -p "$small"
mount -t tmpfs -o size=4m none "$small"
lab_on_exit umount "$small"

for out in "$small/full.pcapng" "$small/full.pcapng.zst"; do
	rm -f "$small"/* "$small"/.??* 2>/dev/null || true
	rc=0
	"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	sleep 0.3
	# Random payloads: 4 MiB fill with ~3000 packets, compressed or not.
	capd_lab_send -g 239.1.1.1 -p 30001 -n 6000 -s 1400 -r 20000 --random
	sleep 1.5
	kill -INT $pid 2>/dev/null || true
	wait $pid || rc=$?
	err=$(<"$LAB_TMP/err")
	echo "$out: exit $rc: $err"
	((rc != 0)) || lab_fail "$out: a full disk went unreported"
	lab_expect_match "$out" "$err" "No space left on device"
	[[ -f $out ]] || lab_fail "$out: the last file did not get its final name"
	capinfos -M "$out" >"$LAB_TMP/ci" 2>&1 || lab_fail "$out: $(<"$LAB_TMP/ci")"
	grep -qi "error\|cut short\|truncated" "$LAB_TMP/ci" && lab_fail "$out: $(<"$LAB_TMP/ci")"
	n=$(sed -n 's/^Number of packets: *//p' "$LAB_TMP/ci")
	echo "$out: $n packets in the salvaged file"
	((n > 0)) || lab_fail "$out: nothing saved"
	tshark -r "$out" 2>&1 >/dev/null | grep -v "Running as user" >"$LAB_TMP/ts" || true
	[[ ! -s $LAB_TMP/ts ]] || lab_fail "$out: tshark: $(<"$LAB_TMP/ts")"
done

# The disk fills at the last flush, as capdump closes the file (the packets
# were still in its buffer): told the same way.
rm -f "$small"/* "$small"/.??* 2>/dev/null || true
head -c $((4096 - 200))K /dev/zero >"$small/filler"
out=$small/close.pcapng rc=0
"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/err" &
pid=$!
lab_on_exit "kill $pid 2>/dev/null || true"
sleep 0.3
# 560 KB in 20 ms, closed 0.2 s later: before the first flush (1 s or 1 MiB).
capd_lab_send -g 239.1.1.1 -p 30001 -n 400 -s 1400 -r 20000 --random
sleep 0.2
kill -INT $pid 2>/dev/null || true
wait $pid || rc=$?
err=$(<"$LAB_TMP/err")
echo "$out (full at close): exit $rc: $err"
((rc != 0)) || lab_fail "$out: a disk full at close went unreported"
lab_expect_match "$out (full at close)" "$err" "No space left on device"
[[ -f $out ]] || lab_fail "$out: the last file did not get its final name"
capinfos -M "$out" >"$LAB_TMP/ci" 2>&1 || lab_fail "$out: $(<"$LAB_TMP/ci")"
capd_lab_stop
echo "PASS: capdump_fulldisk"
