#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_resume_power.sh - --resume after a power loss, which leaves the
# file being written shorter than the state says (the disk had not written
# its end): the recorder is killed with SIGKILL and its temporary file cut
# below the saved offset, once for a .pcapng.zst and once for a .pcapng.
# The restarted recorder does not fail: it finishes the file at its last
# whole packet, says how many bytes and packets were missing, and counts
# those packets in the epb_dropcount of the next one it writes.  Across the
# files (tshark) every packet sent is there exactly once or counted.
# The .pcapng.zst once more with zstd on 2 threads (--zstd-threads 2),
# whatever this machine's default.
# Last, a temporary file replaced by a symbolic link is refused, not
# followed: the file it points to is left as it was.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos
capd_lab_setup rpw
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001, 30002, 30003 ]; } );'
capd_lab_start
n1=20000 n2=5000
zargs=() # more options for the recorder

# start_recorder DIR EXT: one file, no rotation; the state in DIR/state.
start_recorder() {
	"$CAPDUMP" -i "$CAPD_RING" "${zargs[@]}" --resume "$1/state" -w "$1/rec.$2" 2>>"$1/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
}

state_value() { # state_value DIR KEY
	sed -n "s/^$2 //p" "$1/state"
}

# round EXT PORT [NAME]: record n1 packets, SIGKILL, cut the file to half
# its saved length, record n2 more with the restarted recorder, check.
round() {
	local ext=$1 port=$2 dir=$LAB_TMP/${3:-$1} part offset size cut res total unique dropped
	mkdir -p "$dir"
	start_recorder "$dir" "$ext"
	sleep 0.5
	capd_lab_send -g 239.1.1.1 -p "$port" -n $n1 -s 200 -r 10000
	# The last flush (1 s) and the state after it.
	sleep 2
	kill -9 $pid
	wait $pid 2>/dev/null || true
	part=$(state_value "$dir" part)
	offset=$(state_value "$dir" offset)
	[[ -n $part && -f $part ]] || lab_fail "$ext: the state names no temporary file: $(<"$dir/state")"
	size=$(stat -c %s "$part")
	((size >= offset && offset > 100000)) || lab_fail "$ext: $part holds $size bytes, state $offset"
	cut=$((offset / 2))
	truncate -s $cut "$part"
	echo "$ext: $part cut from $size to $cut bytes (state: $offset)"

	start_recorder "$dir" "$ext"
	sleep 0.5
	kill -0 $pid 2>/dev/null || { cat "$dir/err"; lab_fail "$ext: the restarted recorder exited"; }
	capd_lab_send -g 239.1.1.1 -p "$port" -n $n2 -s 200 -r 10000 --seq-start $n1
	sleep 1.5
	kill -INT $pid
	wait $pid || { cat "$dir/err"; lab_fail "$ext: the restarted recorder exited with $?"; }
	cat "$dir/err"
	lab_expect_match "$ext: its report" "$(<"$dir/err")" \
		"$((offset - cut)) bytes shorter than its state says.*whole packet.*packet\\(s\\) lost"
	! find "$dir" -name '.*.part' | grep -q . || lab_fail "$ext: a temporary file is left"
	: >"$dir/fields"
	for f in "$dir"/rec*."$ext"; do
		capinfos -M "$f" >/dev/null 2>"$dir/ci" && [[ ! -s $dir/ci ]] ||
			lab_fail "$ext: $f is damaged: $(<"$dir/ci")"
		tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload \
			-e frame.drop_count 2>/dev/null >>"$dir/fields"
	done
	res=$(cut -f 1-3 "$dir/fields" | sort -n | "$PAYLOAD_CHECK")
	total=$(wc -l <"$dir/fields")
	unique=$(cut -f 3 "$dir/fields" | cut -c 1-16 | sort -u | wc -l)
	dropped=$(awk -F '\t' '{ s += $4 } END { print s + 0 }' "$dir/fields")
	echo "$ext: $res"
	echo "$ext: $total packets in the files, $unique distinct, epb_dropcount sum $dropped"
	((total == unique)) || lab_fail "$ext: $((total - unique)) packets written twice"
	((dropped > 0)) || lab_fail "$ext: the packets cut off are not counted"
	((unique + dropped == n1 + n2)) ||
		lab_fail "$ext: sent $((n1 + n2)), $unique in the files + $dropped counted"
	lab_expect_match "$ext: payloads" "$res" "port $port count=$unique first=0 last=$((n1 + n2 - 1)) .*bad_payload=0"
}

round pcapng.zst 30001
round pcapng 30002
zargs=(--zstd-threads 2)
round pcapng.zst 30003 zst2
zargs=()

# A link planted where the temporary file was: refused, not followed.
dir=$LAB_TMP/link
mkdir -p "$dir"
start_recorder "$dir" pcapng
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30003 -n 5000 -s 200 -r 10000
sleep 2
kill -9 $pid
wait $pid 2>/dev/null || true
part=$(state_value "$dir" part)
[[ -n $part && -f $part ]] || lab_fail "link: the state names no temporary file"
victim=$LAB_TMP/victim
head -c $(($(state_value "$dir" offset) + 100000)) /dev/urandom >"$victim"
sum=$(sha256sum <"$victim")
rm "$part"
ln -s "$victim" "$part"
"$CAPDUMP" -i "$CAPD_RING" --resume "$dir/state" -w "$dir/rec.pcapng" 2>"$dir/err2" &
pid=$!
lab_on_exit "kill -9 $pid 2>/dev/null || true"
rc=0
for _ in $(seq 50); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -9 $pid 2>/dev/null || true
wait $pid || rc=$?
cat "$dir/err2"
((rc == 1)) || lab_fail "link: capdump exited with $rc, want 1"
lab_expect_match "link: the error" "$(<"$dir/err2")" "symbolic link, not followed"
[[ $(sha256sum <"$victim") == "$sum" && -L $part ]] || lab_fail "link: the file it names was changed"
capd_lab_stop
echo "PASS: capdump_resume_power"
