#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_rotate.sh - rotation:
#  -C MB   files of about MB million bytes, a number and a time in the name;
#  -G SEC  a new file at every SEC-second boundary of the UTC clock;
#  -W N    never more than N files: the oldest are removed;
# every closed file is complete (capinfos reads it without complaint) and
# across the set no packet is missing or duplicated.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos
capd_lab_setup rot
capd_lab_conf 128M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start

# record DIR ARGS...: capdump while SENDER_ARGS traffic flows; sets files.
record() {
	local dir=$1 pid f
	shift
	mkdir -p "$dir"
	"$CAPDUMP" -i "$CAPD_RING" -q "$@" &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	sleep 0.3
	capd_lab_send -g 239.1.1.1 -p 30001 "${sender[@]}"
	sleep 0.5
	kill -INT $pid
	wait $pid || lab_fail "capdump $* exited with $?"
	mapfile -t files < <(find "$dir" -type f ! -name '*.idx' | sort)
	echo "$*: ${#files[@]} files"
	for f in "${files[@]}"; do
		[[ -f $f.idx ]] || lab_fail "$f has no index"
	done
	ls -l "$dir"
	! find "$dir" -name '.*.part' | grep -q . || lab_fail "temporary files left in $dir"
}

# all_packets: every file complete, the packets of all of them exactly 0..N-1.
all_packets() {
	local n=$1 f res
	for f in "${files[@]}"; do
		capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci.err" || lab_fail "capinfos $f: $(<"$LAB_TMP/ci.err")"
		[[ ! -s $LAB_TMP/ci.err ]] || lab_fail "capinfos $f: $(<"$LAB_TMP/ci.err")"
	done
	res=$(for f in "${files[@]}"; do
		tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
	done | "$PAYLOAD_CHECK")
	echo "$res"
	lab_expect_match "files" "$res" \
		"port 30001 count=$n first=0 last=$((n - 1)) order_errors=0 dups=0 bad_payload=0"
}

# -C 1: 20000 x 242 bytes of pcapng (~5.2 MB) -> 5-6 files of <= 1 MB.
sender=(-n 20000 -s 200 -r 40000)
record "$LAB_TMP/c" -C 1 -w "$LAB_TMP/c/size.pcapng.zst"
((${#files[@]} >= 5 && ${#files[@]} <= 7)) || lab_fail "-C 1: ${#files[@]} files, want 5-7"
for f in "${files[@]}"; do
	[[ ${f##*/} =~ ^size_[0-9]{5}_[0-9]{14}\.pcapng\.zst$ ]] || lab_fail "-C name: $f"
	raw=$(zstd -dc "$f" | wc -c)
	((raw <= 1000000)) || lab_fail "$f holds $raw bytes of pcapng, more than -C 1"
done
all_packets 20000

# -G 1: 3.5 s of traffic -> files per second, named by strftime, aligned.
sender=(-n 3500 -s 100 -r 1000)
record "$LAB_TMP/g" -G 1 -w "$LAB_TMP/g/t-%H%M%S.pcapng"
((${#files[@]} >= 4 && ${#files[@]} <= 6)) || lab_fail "-G 1: ${#files[@]} files, want 4-6"
for f in "${files[@]}"; do
	# Every packet of a file lies in the second its name gives.
	name=${f##*/t-}
	name=${name%.pcapng}
	secs=$(tshark -r "$f" -T fields -e frame.time_epoch | cut -d. -f1 | sort -u)
	for s in $secs; do
		[[ $(date -u -d "@$s" +%H%M%S) == "$name" ]] || lab_fail "$f holds a packet of second $s"
	done
done
all_packets 3500

# -W 2 with -C 1: only the two newest files remain, and they are complete.
sender=(-n 20000 -s 200 -r 40000)
record "$LAB_TMP/w" -C 1 -W 2 -w "$LAB_TMP/w/keep.pcapng"
((${#files[@]} == 2)) || lab_fail "-W 2: ${#files[@]} files remain"
res=$(for f in "${files[@]}"; do
	tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
done | "$PAYLOAD_CHECK")
echo "$res"
lab_expect_match "-W 2" "$res" "last=19999 order_errors=0 dups=0 bad_payload=0"

capd_lab_stop
echo "PASS: capdump_rotate"
