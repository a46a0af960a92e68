#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_resume_load.sh - --resume is exactly-once under load: a recorder
# of 60 kpps of 700-byte packets (-C 4, zstd) is killed with SIGKILL at
# three random moments and started again each time with the same command.
# Across all its files, as tshark reads them, every record capd put in the
# ring is there exactly once or counted in an epb_dropcount, and no
# temporary file is left.  The sender's achieved rate is checked, and what
# capd dropped before the ring is shown (it never reaches the ring, so it
# is not the recorder's to count).
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPCTL ip jq tshark capinfos mergecap
capd_lab_setup rld
# 128 MiB hold about 2.5 s of this traffic: more than a restart takes.
capd_lab_conf 128M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
dir=$LAB_TMP/out
mkdir -p "$dir"
state=$LAB_TMP/state
count=480000 chunk=30000 period=0.5 min_rate=50000 kills=3

start_recorder() {
	"$CAPDUMP" -i "$CAPD_RING" --from oldest --resume "$state" -C 4 \
		-w "$dir/rec.pcapng.zst" 2>>"$LAB_TMP/err" &
	pid=$!
	lab_on_exit "kill -9 $pid 2>/dev/null || true"
}

now() {
	date +%s.%N
}

# 60 kpps: a chunk every half second, each sent unpaced (sendmmsg() bursts:
# paced one by one, the sender alone takes a core this machine may not have).
send_all() {
	local seq=0 t

	while ((seq < count)); do
		t=$(now)
		capd_lab_send -g 239.1.1.1 -p 30001 -n $chunk -s 700 --seq-start $seq
		seq=$((seq + chunk))
		sleep "$(awk -v a="$t" -v b="$(now)" -v p=$period \
			'BEGIN { d = p - (b - a); if (d < 0) d = 0; printf "%.3f", d }')"
	done
}

start_recorder
sleep 0.5
t0=$(now)
send_all &
send=$!
lab_on_exit "kill $send 2>/dev/null || true"
for k in $(seq $kills); do
	# 0.8 to 2.2 s apart: within files, at rotations, during flushes...
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.8 + (r % 1400) / 1000 }')"
	kill -9 $pid
	wait $pid 2>/dev/null || true
	echo "SIGKILL $k at $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
	start_recorder
done
wait $send || lab_fail "the sender failed"
t1=$(now)
achieved=$(awk -v a="$t0" -v b="$t1" -v n=$count 'BEGIN { printf "%d", n / (b - a) }')
echo "sent $count packets at $achieved pps"
((achieved >= min_rate)) ||
	lab_fail "the sender reached only $achieved pps (< $min_rate): the machine is too busy"
sleep 2
kill -INT $pid
wait $pid || lab_fail "the last recorder exited with $?"
cat "$LAB_TMP/err"
status=$("$CAPCTL" status "$CAPD_RING" --json)
records=$(jq -r .writer.records <<<"$status")
echo "capd: $records records in the ring of $count sent; dropped before it:" \
	"$(jq -c .totals.dropped <<<"$status")"

! find "$dir" -name '.*.part' | grep -q . || lab_fail "a temporary file is left"
nfiles=0
for f in "$dir"/*.zst; do
	capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci" && [[ ! -s $LAB_TMP/ci ]] ||
		lab_fail "$f is damaged: $(<"$LAB_TMP/ci")"
	nfiles=$((nfiles + 1))
done
# One tshark over all the files in turn (mergecap -a keeps each packet's
# options, epb_dropcount among them): one per file took 0.65 s each, 65 s
# for the 97 files of a run.
mergecap -a -F pcapng -w - "$dir"/*.zst 2>"$LAB_TMP/mergecap.err" |
	tshark -r - -T fields -e frame.time_epoch -e udp.dstport -e udp.payload \
		-e frame.drop_count 2>/dev/null >"$LAB_TMP/fields" ||
	lab_fail "mergecap | tshark failed: $(<"$LAB_TMP/mergecap.err")"
res=$(cut -f 1-3 "$LAB_TMP/fields" | sort -n | "$PAYLOAD_CHECK")
echo "$nfiles files: $res"
total=$(wc -l <"$LAB_TMP/fields")
unique=$(cut -f 3 "$LAB_TMP/fields" | cut -c 1-16 | sort -u | wc -l)
dropped=$(awk -F '\t' '{ s += $4 } END { print s + 0 }' "$LAB_TMP/fields")
echo "packets in the files: $total, distinct: $unique, epb_dropcount sum: $dropped"
((total == unique)) || lab_fail "$((total - unique)) packets were written twice"
((unique + dropped == records)) ||
	lab_fail "$records records in the ring, $unique in the files + $dropped counted lost" \
		"= $((unique + dropped))"
lab_expect_match "payloads" "$res" "bad_payload=0"
capd_lab_stop
echo "PASS: capdump_resume_load"
