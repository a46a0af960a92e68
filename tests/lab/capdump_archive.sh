#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_archive.sh - the archive, end to end (issue 18's acceptance):
#  - three feeds, two of them sequenced with their protocol in capd.conf
#    (MoldUDP64, 3 messages a packet, with a change of session half way;
#    PITCH, 2 a packet; and one without a protocol), sent by feed_send and
#    mcast_send following a seeded plan with known gaps, two of them across
#    a file boundary, and a repeated packet; recorded by capdump -G 10 into
#    a directory for ARCHIVE_SECS seconds (default 40; 300 for the full run);
#  - 20 seeded windows, printed (starting or ending exactly on a packet, on
#    a file's first packet, on a rotation; one nanosecond; empty; all):
#    capdump -r ARCHIVE by time, by time and feed, by sequence range, by
#    time and filter expression each gives exactly the packets tshark's
#    scan of every file selects (frame.time_epoch as text, interface name,
#    frame.len and frame.cap_len, MD5 of the bytes), and reads the files
#    that hold packets of the window and none that cannot;
#  - capdump --list --json reports the gaps the plan made and each file's
#    drops as tshark counts them (frame.drop_count);
#  - capdump --index --force on a copy rebuilds byte-identical indexes.
# ARCHIVE_SEED fixes the plan and the windows (printed, to replay a run);
# ARCHIVE_KEEP=DIR keeps the archive and the plans there, pass or fail.
# The judging is tools/archive_judge.py.
. "$(dirname "$0")/lab.sh"
lab_start CAPD FEED_SEND MCAST_SEND CAPDUMP ip tshark python3 cmp
: "${ARCHIVE_SECS:=40}"
: "${ARCHIVE_SEED:=$((RANDOM * 32768 + RANDOM))}"
((ARCHIVE_SECS >= 30)) || lab_fail "ARCHIVE_SECS=$ARCHIVE_SECS: at least 30"
echo "ARCHIVE_SECS=$ARCHIVE_SECS ARCHIVE_SEED=$ARCHIVE_SEED"
JUDGE=$(dirname "$0")/tools/archive_judge.py
t0=$SECONDS

capd_lab_setup arc
capd_lab_conf 64M <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "PITCH"; group = "239.1.1.2"; ports = [ 30002 ]; proto = "pitch"; },
	  { name = "PLAIN"; group = "239.1.1.3"; ports = [ 30003 ]; } );
CONF
capd_lab_start
arch=$LAB_TMP/archive
mkdir "$arch"
if [[ -n ${ARCHIVE_KEEP:-} ]]; then
	mkdir -p "$ARCHIVE_KEEP"
	lab_on_exit "cp -a '$arch' '$LAB_TMP'/*.steps '$LAB_TMP'/*.sent '$ARCHIVE_KEEP/' 2>/dev/null || true"
fi
python3 "$JUDGE" plan "$ARCHIVE_SEED" "$ARCHIVE_SECS" "$LAB_TMP"

"$CAPDUMP" -i "$CAPD_RING" -G 10 -w "$arch/arc.pcapng.zst" 2>"$LAB_TMP/rec.err" &
rec=$!
lab_on_exit "kill -9 $rec 2>/dev/null || true"
sleep 0.5

# sleep_until T OFF: until T + OFF seconds since 1970 (OFF a fraction).
sleep_until()
{
	sleep "$(awk -v t="$1" -v o="$2" -v n="$(date +%s.%N)" \
		'BEGIN { d = t + o - n; printf "%.3f", (d > 0 ? d : 0) }')"
}

# run_feed NAME GROUP PORT PROTO MSGS PPS DEADLINE: the steps of NAME.steps
# (archive_judge.py plan) until DEADLINE (seconds since 1970); those done
# go to NAME.sent.  edge_before waits until 0.3 s before the next 10 s of
# UTC at least 1 s away (capdump -G 10 rotates there), edge_after until
# 0.3 s after it: the packet sent in between is its file's last one.
run_feed()
{
	local name=$1 group=$2 port=$3 proto=$4 msgs=$5 pps=$6 deadline=$7 step edge=0

	: >"$LAB_TMP/$name.sent"
	while read -r step; do
		(($(date +%s) < deadline)) || break
		case $step in
		edge_before)
			edge=$((($(date +%s) + 1) / 10 * 10 + 10))
			((edge < deadline)) || break
			sleep_until "$edge" -0.3
			;;
		edge_after)
			sleep_until "$edge" 0.3
			;;
		send\ *)
			# shellcheck disable=SC2086 # the plan's words
			ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 -g "$group" -p "$port" \
				--proto "$proto" -m "$msgs" -r "$pps" ${step#send } >/dev/null ||
				return 1
			echo "$step" >>"$LAB_TMP/$name.sent"
			;;
		esac
	done <"$LAB_TMP/$name.steps"
}

deadline=$(($(date +%s) + ARCHIVE_SECS - 2))
run_feed MOLD 239.1.1.1 30001 moldudp64 3 300 "$deadline" &
mold=$!
run_feed PITCH 239.1.1.2 30002 pitch 2 200 "$deadline" &
pitch=$!
capd_lab_send -g 239.1.1.3 -p 30003 -n $(((ARCHIVE_SECS - 2) * 100)) -s 64 -r 100 &
plain=$!
lab_on_exit "kill $mold $pitch $plain 2>/dev/null || true"
wait $mold || lab_fail "the MoldUDP64 sender failed"
wait $pitch || lab_fail "the PITCH sender failed"
wait $plain || lab_fail "mcast_send failed"
sleep 1
kill -INT $rec
wait $rec || lab_fail "capdump exited with $?: $(<"$LAB_TMP/rec.err")"
cat "$LAB_TMP/rec.err"
ls -l "$arch"
echo "recorded in $((SECONDS - t0)) s"

# Every closed file has its index, before anything reads the archive.
for f in "$arch"/*.pcapng.zst; do
	[[ -f $f.idx ]] || lab_fail "no index for $f"
done

# Rebuilding the indexes of a copy gives the same bytes.
mkdir "$LAB_TMP/copy"
cp -p "$arch"/* "$LAB_TMP/copy/"
"$CAPDUMP" --index --force "$LAB_TMP/copy" >"$LAB_TMP/force.out" ||
	lab_fail "capdump --index --force: $(<"$LAB_TMP/force.out")"
n=0
for f in "$arch"/*.idx; do
	cmp "$f" "$LAB_TMP/copy/${f##*/}" || lab_fail "rebuilt ${f##*/} differs"
	n=$((n + 1))
done
echo "capdump --index --force on a copy: $n indexes rebuilt byte-identical"
rm -r "$LAB_TMP/copy"

python3 "$JUDGE" check "$ARCHIVE_SEED" "$arch" "$LAB_TMP" "$CAPDUMP" ||
	lab_fail "the archive does not answer as tshark's scan (ARCHIVE_SEED=$ARCHIVE_SEED)"
capd_lab_stop
echo "PASS: capdump_archive ($((SECONDS - t0)) s)"
