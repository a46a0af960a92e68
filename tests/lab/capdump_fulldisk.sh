#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_fulldisk.sh - a full disk (a 4 MiB tmpfs) stops the recorder with
# a clear error, and the last file is valid, closed and under its final
# name, holding everything up to its last flush: plain, zstd on one
# thread, zstd on 2 threads (a 40 MiB tmpfs: its flushes are rarer); also
# when the disk fills at the very last flush, as the file is closed.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark capinfos mount umount
capd_lab_setup full
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
small=$LAB_TMP/small
mkdir -p "$small"
mount -t tmpfs -o size=4m none "$small"
lab_on_exit umount "$small"

# record_full OUT N WAIT [ARG...]: capdump (with ARGs) records into OUT on
# the small disk (kept FREE KiB free, default all of it) while N random
# 1400-byte datagrams come, and is interrupted WAIT seconds later: it must
# fail, say why, and leave a file under its final name that capinfos reads.
record_full()
{
	local out=$1 n=$2 wait=$3 rc=0 err

	shift 3
	rm -f "$small"/* "$small"/.??* 2>/dev/null || true
	[[ -z ${FREE:-} ]] || head -c $((4096 - FREE))K /dev/zero >"$small/filler"
	"$CAPDUMP" -i "$CAPD_RING" "$@" -w "$out" 2>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	sleep 0.3
	capd_lab_send -g 239.1.1.1 -p 30001 -n "$n" -s 1400 -r 20000 --random
	sleep "$wait"
	kill -INT $pid 2>/dev/null || true
	wait $pid || rc=$?
	err=$(<"$LAB_TMP/err")
	echo "$out: exit $rc: $err"
	((rc != 0)) || lab_fail "$out: a full disk went unreported"
	lab_expect_match "$out" "$err" "No space left on device"
	[[ -f $out ]] || lab_fail "$out: the last file did not get its final name"
	capinfos -M "$out" >"$LAB_TMP/ci" 2>&1 || lab_fail "$out: $(<"$LAB_TMP/ci")"
	! grep -qi "error\|cut short\|truncated" "$LAB_TMP/ci" || lab_fail "$out: $(<"$LAB_TMP/ci")"
	tshark -r "$out" 2>&1 >/dev/null | grep -v "Running as user" >"$LAB_TMP/ts" || true
	[[ ! -s $LAB_TMP/ts ]] || lab_fail "$out: tshark: $(<"$LAB_TMP/ts")"
}

# saved OUT: the salvaged file, as record_full's capinfos read it, holds packets.
saved()
{
	n=$(sed -n 's/^Number of packets: *//p' "$LAB_TMP/ci")
	echo "$1: $n packets in the salvaged file"
	((n > 0)) || lab_fail "$1: nothing saved"
}

# 4 MiB fill with ~3000 packets, compressed (on one thread, which flushes
# every MiB) or not.
record_full "$small/full.pcapng" 6000 1.5
saved "$small/full.pcapng"
record_full "$small/full.pcapng.zst" 6000 1.5 --zstd-threads 1
saved "$small/full.pcapng.zst"

# With 2 zstd threads a flush is on file only once the jobs in flight
# are: a few of 4 MiB of input each (zout.h), as much file for these
# random payloads.  A 40 MiB disk holds one; 60000 packets fill it.
mount -o remount,size=40m "$small"
record_full "$small/full2.pcapng.zst" 60000 2 --zstd-threads 2
saved "$small/full2.pcapng.zst"
rm -f "$small"/*
mount -o remount,size=4m "$small"

# The disk fills at the last flush, as capdump closes the file: 560 KB in
# 20 ms with 200 KiB free, interrupted 0.2 s later, before the first flush
# (1 s or 1 MiB), so the packets are still in capdump's buffer.
FREE=200 record_full "$small/close.pcapng" 400 0.2
capd_lab_stop
echo "PASS: capdump_fulldisk"
