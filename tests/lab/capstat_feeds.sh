#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_feeds.sh - capstat's figures are exactly what the senders did,
# live from the ring and from a file capdump recorded at the same time:
#  - MoldUDP64: known skipped ranges (one revealed by a heartbeat),
#    duplicates, reordering, end of session, a foreign datagram;
#  - MDP 3.0: a gap, a late packet, a duplicate, a sequence reset;
#  - PITCH: a gap partly filled late, an unsequenced packet, a unit change;
#  - seq:0:8:be on mcast_send's own payload with --skip;
#  - an A/B pair where A drops one known set, B another, both a third;
#  - a burst of N back-to-back packets after idle.
# Then --prom output and the plain (not --json) summary.
. "$(dirname "$0")/lab.sh"
lab_start CAPD FEED_SEND MCAST_SEND CAPDUMP CAPSTAT ip jq timeout
capd_lab_setup cst
capd_lab_conf 64M <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; },
	  { name = "MDP"; group = "239.1.1.2"; ports = [ 30002 ]; },
	  { name = "PITCH"; group = "239.1.1.3"; ports = [ 30003 ]; },
	  { name = "GEN"; group = "239.1.1.4"; ports = [ 30004 ]; },
	  { name = "BURST"; group = "239.1.1.5"; ports = [ 30005 ]; },
	  { name = "FEED-A"; group = "239.1.2.1"; ports = [ 31001 ]; },
	  { name = "FEED-B"; group = "239.1.2.2"; ports = [ 31002 ]; } );
CONF
capd_lab_start

send()
{
	ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 "$@" >/dev/null
}

# The same analysis by feed name (ring) and by GROUP:PORT (file).
ring_args=(--proto MOLD=moldudp64 --proto MDP=mdp3 --proto PITCH=pitch --proto GEN=seq:0:8:be
	   --proto FEED-A=moldudp64 --proto FEED-B=moldudp64 --proto BURST=seq:0:8:be
	   --ab FEED-A=FEED-B)
file_args=(--proto 239.1.1.1:30001=moldudp64 --proto 239.1.1.2:30002=mdp3
	   --proto 239.1.1.3:30003=pitch --proto 239.1.1.4:30004=seq:0:8:be
	   --proto 239.1.2.1:31001=moldudp64 --proto 239.1.2.2:31002=moldudp64
	   --proto 239.1.1.5:30005=seq:0:8:be --ab 239.1.2.1:31001=239.1.2.2:31002)
live=$LAB_TMP/live.json rec=$LAB_TMP/rec.pcapng.zst prom=$LAB_TMP/capstat.prom
"$CAPSTAT" -i "$CAPD_RING" --json --interval 0.5 --prom "$prom" "${ring_args[@]}" \
	>"$live" 2>"$LAB_TMP/capstat.err" &
spid=$!
lab_on_exit "kill $spid 2>/dev/null || true"
"$CAPDUMP" -i "$CAPD_RING" -w "$rec" 2>"$LAB_TMP/capdump.err" &
dpid=$!
lab_on_exit "kill $dpid 2>/dev/null || true"
sleep 0.5

# MoldUDP64, 3 messages a packet: 31-39 skipped, then 34-36 and 37-39 late
# (31-33 stay missing); 61-63 and 62 again; a heartbeat says 100 is next
# (91-99 missing); 121-129 skipped; end of session; one foreign datagram.
send -g 239.1.1.1 -p 30001 --proto moldudp64 -m 3 \
	1-30 40-60 34 37-39 61-90 61 62/1 hb:100 100-120 junk:30 130-150 end:151
# MDP 3.0: 51 late, 55 twice, 81-82 skipped, then the channel starts over at 1.
send -g 239.1.1.2 -p 30002 --proto mdp3 1-50 52-60 51 55 61-80 83-100 1-20
# PITCH, 2 messages a packet: 41-46 skipped, 41-42 late; unsequenced; unit 2.
send -g 239.1.1.3 -p 30003 --proto pitch -m 2 1-40 47-60 41/2 0/1 hb:61 session:2 1-10
# The generic decoder on mcast_send's payload: seq 0..499 without 5.
capd_lab_send -g 239.1.1.4 -p 30004 -n 500 -s 64 -r 5000 --skip 100,200,201,202,450
# A/B: 1..300, A drops a_only and both, B drops b_only and both.
a_only=" 10 11 12 77 200 201 " b_only=" 20 21 90 150 151 152 153 299 " both=" 50 120 "
plan=()
for s in $(seq 1 300); do
	if [[ $both == *" $s "* ]]; then
		continue
	elif [[ $a_only == *" $s "* ]]; then
		plan+=("b:$s")
	elif [[ $b_only == *" $s "* ]]; then
		plan+=("a:$s")
	else
		plan+=("$s")
	fi
done
send -g 239.1.2.1 -p 31001 -G 239.1.2.2 -P 31002 --proto moldudp64 "${plan[@]}"
# The burst: 50 packets in one sendmmsg() between 50 ms of silence.
burst_n=50
send -g 239.1.1.5 -p 30005 --proto seq -r 1000 1-20 sleep:50 "burst:21-$((20 + burst_n))" \
	sleep:50 121-140
sleep 1
kill -INT $spid $dpid
wait $spid || lab_fail "capstat exited with $?: $(<"$LAB_TMP/capstat.err")"
wait $dpid || lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump.err")"
[[ -f $rec ]] || lab_fail "capdump left no $rec"

offline=$LAB_TMP/file.json
"$CAPSTAT" -r "$rec" --json "${file_args[@]}" >"$offline" 2>"$LAB_TMP/capstat-r.err" ||
	lab_fail "capstat -r exited with $?: $(<"$LAB_TMP/capstat-r.err")"

# The file names its feeds as the ring did (capdump's NRB): by name too.
named=$LAB_TMP/named.json
"$CAPSTAT" -r "$rec" --json "${ring_args[@]}" >"$named" 2>"$LAB_TMP/capstat-n.err" ||
	lab_fail "capstat -r by name exited with $?: $(<"$LAB_TMP/capstat-n.err")"

n=$(jq -s 'map(select(.type == "feed")) | length' "$live")
((n >= 7)) || lab_fail "live: $n per-interval feed objects, want at least 7"
echo "live: $n per-interval feed objects"
# The ring's clock comes with every interval; no ptp4l runs here.
clock=$(jq -c -s 'map(select(.type == "clock")) | last | .clock | [.synced, .ptp4l, .sync_reason]' \
	"$live")
echo "live clock: $clock"
[[ $clock == '[false,"no-answer","ptp4l not answering"]' ]] ||
	lab_fail "live: the ring's clock is missing or wrong: $clock"

# One feed's summary from a capstat --json output, by group.
feed()
{
	jq -c --arg g "$2" 'select(.type == "summary") | .feeds[] | select(.group == $g)' "$1"
}

# expect WHAT FILE GROUP JQ_FILTER WANT
expect()
{
	local got

	got=$(feed "$2" "$3" | jq -c "$4")
	[[ $got == "$5" ]] || lab_fail "$1 ($2): $4 is $got, want $5"
}

# The burst as stamped: the most packets of the feed whose timestamps lie
# in any [t, t + 1 ms), from tshark's reading of the recording.  The
# sendmmsg() of $burst_n packets normally lands within 1 ms; on a busy host
# the sender can be preempted in the middle, so the stamps, not the plan,
# say what capstat must find.  Still a burst: the paced packets around it
# are 1 ms apart, so at most 2 share a window.
burst_want=$(tshark -r "$rec" -Y 'ip.dst == 239.1.1.5 && udp.dstport == 30005' -T fields -e frame.time_epoch |
	python3 -c '
import sys
ts = sorted(int(s) * 10**9 + int(f.ljust(9, "0")) for s, f in (l.strip().split(".") for l in sys.stdin if l.strip()))
best = j = 0
for i, t in enumerate(ts):
    while ts[j] <= t - 1000000:
        j += 1
    best = max(best, i - j + 1)
print(best)')
((burst_want >= 10)) ||
	lab_fail "burst: the $burst_n packets of one sendmmsg() were stamped at most $burst_want within 1 ms"
((burst_want == burst_n)) || echo "burst: $burst_want of $burst_n packets stamped within 1 ms (a busy host)"

for out in "$live" "$offline"; do
	src=live
	[[ $out == "$live" ]] || src=file
	expect MoldUDP64 "$out" 239.1.1.1 \
		'.seq | [.gaps, .missing, .gap_ranges, .duplicates, .out_of_order, .recovered]' \
		'[3,21,[[31,33],[91,99],[121,129]],2,2,6]'
	expect MoldUDP64 "$out" 239.1.1.1 \
		'.seq | [.undecodable, .heartbeats, .ends, .resets, .session_changes, .messages, .next]' \
		'[1,1,1,0,0,129,151]'
	expect MDP3 "$out" 239.1.1.2 \
		'.seq | [.gaps, .missing, .gap_ranges, .gap_ranges_unlisted, .duplicates, .out_of_order, .resets]' \
		'[1,2,[],1,1,1,1]'
	expect PITCH "$out" 239.1.1.3 \
		'.seq | [.gaps, .missing, .gap_ranges_unlisted, .out_of_order, .unsequenced, .heartbeats, .session_changes, .session, .next]' \
		'[1,4,1,1,1,1,1,"2",11]'
	expect generic "$out" 239.1.1.4 \
		'.seq | [.gaps, .missing, .gap_ranges, .duplicates, .out_of_order, .undecodable]' \
		'[3,5,[[100,100],[200,202],[450,450]],0,0,0]'
	expect "A line" "$out" 239.1.2.1 '.seq | [.gaps, .missing, .gap_ranges]' \
		'[5,8,[[10,12],[50,50],[77,77],[120,120],[200,201]]]'
	ab=$(jq -c 'select(.type == "summary") | .ab[0] |
		[.lost_a_only, .lost_b_only, .lost_both, .both, .a_first + .b_first + .ties]' "$out")
	[[ $ab == "[6,8,2,284,284]" ]] || lab_fail "A/B ($src): $ab, want [6,8,2,284,284]"
	echo "$src: A/B lost on A only 6, on B only 8, on both 2, delivered by both 284:" \
		"$(jq -c 'select(.type == "summary") | .ab[0] | {a_first, b_first, skew_ns}' "$out")"
	b=$(feed "$out" 239.1.1.5)
	bp=$(jq '.burst["1ms"].packets' <<<"$b")
	bb=$(jq '.burst["1ms"].bytes' <<<"$b")
	size=$(jq '.bytes / .packets' <<<"$b")
	[[ $bp == "$burst_want" && $bb == $((burst_want * size)) ]] ||
		lab_fail "burst ($src): 1 ms window holds $bp packets, $bb bytes; want $burst_want, $((burst_want * size)) (tshark's timestamps)"
	echo "$src: burst $(jq -c .burst <<<"$b")"
	echo "$src: exact: MoldUDP64 gaps 31-33 91-99 121-129, 2 duplicates, 2 reordered;" \
		"MDP3 reset; PITCH unit change; generic gaps 100 200-202 450"
done

# Live and file agree on every figure but rates (intervals differ).
strip='select(.type == "summary") | [.feeds[] | del(.feed, .pps, .bps, .peak_pps, .peak_bps)]
       | sort_by(.group, .port)'
diff <(jq -S "$strip" "$live") <(jq -S "$strip" "$offline") ||
	lab_fail "live and file figures differ"
diff <(jq -S 'select(.type == "summary") | .ab | map(del(.pair, .a, .b))' "$live") \
	<(jq -S 'select(.type == "summary") | .ab | map(del(.pair, .a, .b))' "$offline") ||
	lab_fail "live and file A/B figures differ"
echo "live and file: the same figures for all 7 feeds and the pair"
# By name, the file gives what the ring gave: names, figures, the pair.
strip='select(.type == "summary") | [.feeds[] | del(.pps, .bps, .peak_pps, .peak_bps)]
       | sort_by(.group, .port)'
diff <(jq -S "$strip" "$live") <(jq -S "$strip" "$named") ||
	lab_fail "live and file by name differ"
diff <(jq -S 'select(.type == "summary") | .ab' "$live") \
	<(jq -S 'select(.type == "summary") | .ab' "$named") || lab_fail "live and file A/B by name differ"
echo "file by name: $(jq -c 'select(.type == "summary") | [.feeds[].feed] | sort' "$named")," \
	"A/B $(jq -c 'select(.type == "summary") | .ab[0] | [.pair, .lost_a_only, .lost_b_only, .lost_both, .both]' "$named")"

# A word naming no feed: exit 2 and a message naming it, live and from the file.
for src in "-i $CAPD_RING" "-r $rec"; do
	rc=0
	# shellcheck disable=SC2086 # the option and its argument
	out=$(timeout 10 "$CAPSTAT" $src --proto FEED-A=moldudp64 --ab FEED-X=FEED-B 2>&1) || rc=$?
	[[ $rc == 2 ]] || lab_fail "capstat $src --ab FEED-X=FEED-B: exit $rc, want 2: $out"
	lab_expect_match "capstat $src --ab FEED-X=FEED-B" "$out" \
		"--ab FEED-X=FEED-B: no feed FEED-X in .*\(its feeds: MOLD, MDP, PITCH, GEN, BURST, FEED-A, FEED-B; or GROUP:PORT\)"
	echo "capstat ${src%% *} --ab FEED-X=FEED-B: exit 2: $out"
done

# Prometheus textfile.
[[ -f $prom && ! -e $prom.tmp ]] || lab_fail "no $prom (or a leftover .tmp)"
p=$(<"$prom")
lab_expect_match prom "$p" 'capstat_packets_total\{feed="MOLD",group="239\.1\.1\.1",port="30001"\} [0-9]+'
lab_expect_match prom "$p" 'capstat_missing_messages\{feed="MOLD",group="239\.1\.1\.1",port="30001"\} 21'
lab_expect_match prom "$p" 'capstat_ab_lost_messages_total\{pair="FEED-A=FEED-B",line="both"\} 2'
lab_expect_match prom "$p" "capstat_microburst_packets\\{feed=\"BURST\",group=\"239\\.1\\.1\\.5\",port=\"30005\",window=\"1ms\"\\} $burst_want"
echo "--prom: $(grep -c '^capstat_' "$prom") samples"

# Not a terminal, no --json: a plain summary with the missing ranges.
txt=$("$CAPSTAT" -r "$rec" "${file_args[@]}")
lab_expect_match "plain summary" "$txt" "missing: 31-33 91-99 121-129"
lab_expect_match "plain summary" "$txt" "A/B 239\.1\.2\.1:31001=239\.1\.2\.2:31002: both 284, lost on A only 6, on B only 8, on both 2"

capd_lab_stop
echo "PASS: capstat_feeds"
