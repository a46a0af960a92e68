#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_latency.sh - latency between two capture points, against a known
# delay: the sender's MoldUDP64 frames leave eth0 for capture point A, and
# a copy of each (tc mirred) leaves eth1 through netem, delay 400 us +-
# 40 us (uniform), for point B; one capd per point, each with its ring.
#  - run 1, no loss: every message seen at both points; p50 within 5 % of
#    400 us; p10..p90 as wide as netem's uniform jitter makes it (64 us);
#    the two rings are stamped by this host's clock: "same-clock";
#  - run 2, netem loss 1 %: the messages seen at A only are exactly those
#    netem dropped (tc -s qdisc), none at B only, the rest at both;
#  - in both runs, the same figures (counts, percentiles, buckets) from
#    capstat -i A --latency-to B live, capstat -i A -i B --latency-ifaces
#    live, and offline from capdump's two files (--latency-to) and from
#    one file of both rings (--latency-ifaces).
# Where the kernel has no netem (sch_netem), tests/lab/tools/delay_fwd does
# netem's work from user space: the same delay, jitter and loss, its own
# count of the frames it dropped instead of tc's.  LATENCY_REQUIRE_NETEM=1
# (tests/vm/capd_vm.sh latency, on Debian 12's kernel) fails instead: the
# run must be netem's.
. "$(dirname "$0")/lab.sh"
: "${DELAY_FWD:=$CAPD_BUILD/tests/lab/tools/delay_fwd}"
lab_start CAPD FEED_SEND CAPDUMP CAPSTAT DELAY_FWD ip tc jq timeout
capd_lab_setup cla
ns=$CAPD_NS hifa=$CAPD_HIF
lab_veth_add clb eth1 "$ns"
hifb=$LAB_REPLY
# eth1 sends nothing of its own, so netem's counters are the feed's alone.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth1.disable_ipv6=1
netem=1
if tc -n "$ns" qdisc add dev eth1 root netem delay 400us 40us limit 100000 2>/dev/null; then
	tc -n "$ns" qdisc add dev eth0 clsact
	tc -n "$ns" filter add dev eth0 egress protocol ip u32 match ip dst 239.1.1.1/32 \
		action mirred egress mirror dev eth1 || {
		[[ ${LATENCY_REQUIRE_NETEM:-0} != 1 ]] || lab_fail "tc mirred egress mirror not available"
		lab_skip "tc mirred egress mirror not available"
	}
	echo "tc netem between the points: $(tc -n "$ns" qdisc show dev eth1 | grep -m1 netem)"
else
	[[ ${LATENCY_REQUIRE_NETEM:-0} != 1 ]] ||
		lab_fail "LATENCY_REQUIRE_NETEM=1, but tc netem failed: $(tc -n "$ns" qdisc add dev eth1 \
			root netem delay 400us 40us limit 100000 2>&1)"
	netem=0
	echo "no sch_netem in this kernel: delay_fwd delays, jitters and drops instead"
fi

feeds='feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; } );'
ringa=$CAPD_RING
capd_lab_conf 32M <<<"$feeds"
capd_lab_start "$LAB_TMP/capd-a.log"
pida=$CAPD_PID
ringb=${CAPD_RING%/*}/rb
mkdir -p "$LAB_TMP/b"
cat >"$LAB_TMP/capd-b.conf" <<CONF
ring = { name = "$ringb"; size = "32M"; group = ""; };
capture = { cpu = -1; interfaces = ( { name = "$hifb"; mode = "native"; } ); };
run = { user = ""; group = ""; dir = "$LAB_TMP/b"; };
$feeds
CONF
capd_lab_start "$LAB_TMP/capd-b.log" "$LAB_TMP/capd-b.conf"
pidb=$CAPD_PID

drops()
{
	tc -n "$ns" -s qdisc show dev eth1 | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1
}

# The figures one capstat output gives, whatever its clock verdict.
figures()
{
	jq -c 'select(.type == "summary") | .latency.feeds[0] |
		{feed, both, a_only, b_only, neither, late,
		 l: (.latency_ns // .latency_unsynced_ns)}' "$1"
}

# One message a packet, 4000 packets at 4000/s.
n=4000
run=0
for loss in 0 1; do
	run=$((run + 1))
	if ((loss && netem)); then
		tc -n "$ns" qdisc change dev eth1 root netem delay 400us 40us loss "$loss%" limit 100000
	fi
	d=$LAB_TMP/run$run
	mkdir -p "$d"
	"$CAPSTAT" -i "$ringa" --latency-to "$ringb" --json >"$d/to.json" 2>"$d/to.err" &
	p1=$!
	"$CAPSTAT" -i "$ringa" -i "$ringb" --latency-ifaces "$hifa=$hifb" --json \
		>"$d/if.json" 2>"$d/if.err" &
	p2=$!
	"$CAPDUMP" -i "$ringa" -w "$d/a.pcapng" 2>"$d/dump-a.err" &
	p3=$!
	"$CAPDUMP" -i "$ringb" -w "$d/b.pcapng" 2>"$d/dump-b.err" &
	p4=$!
	"$CAPDUMP" -i "$ringa" -i "$ringb" -w "$d/ab.pcapng" 2>"$d/dump-ab.err" &
	p5=$!
	lab_on_exit "kill $p1 $p2 $p3 $p4 $p5 2>/dev/null || true"
	if ((!netem)); then
		# Real-time priority: on a busy host it must send on time as netem would.
		rt=()
		! chrt -f 10 true 2>/dev/null || rt=(chrt -f 10)
		ip netns exec "$ns" "${rt[@]}" "$DELAY_FWD" -i eth0 -o eth1 -g 239.1.1.1 -d 400000 -j 40000 \
			-l "0.0$loss" -s "$run" -t 4 >"$d/fwd.out" 2>"$d/fwd.err" &
		p6=$!
		lab_on_exit "kill $p6 2>/dev/null || true"
		for _ in $(seq 50); do
			[[ -s $d/fwd.out ]] && break
			sleep 0.1
		done
	fi
	sleep 0.5
	((!netem)) || before=$(drops)
	sent=$(ip netns exec "$ns" "$FEED_SEND" -i eth0 -g 239.1.1.1 -p 30001 --proto moldudp64 \
		-m 1 -r 4000 "1-$n")
	[[ $sent == "sent $n" ]] || lab_fail "feed_send: $sent, want sent $n"
	sleep 1.5
	if ((netem)); then
		dropped=$(($(drops) - before))
	else
		kill -INT "$p6"
		wait "$p6" || lab_fail "delay_fwd exited with $?: $(<"$d/fwd.err")"
		dropped=$(sed -n 's/^forwarded [0-9]* dropped \([0-9]*\)$/\1/p' "$d/fwd.out")
		[[ -n $dropped ]] || lab_fail "delay_fwd said $(<"$d/fwd.out")"
	fi
	kill -INT $p1 $p2 $p3 $p4 $p5
	for p in $p1 $p2 $p3 $p4 $p5; do
		wait "$p" || lab_fail "run $run: a reader exited with $?: $(cat "$d"/*.err)"
	done
	timeout 60 "$CAPSTAT" -r "$d/a.pcapng" --latency-to "$d/b.pcapng" --json \
		>"$d/file-to.json" 2>"$d/file-to.err" ||
		lab_fail "capstat -r --latency-to: $(<"$d/file-to.err")"
	timeout 60 "$CAPSTAT" -r "$d/ab.pcapng" --latency-ifaces "$hifa=$hifb" --json \
		>"$d/file-if.json" 2>"$d/file-if.err" ||
		lab_fail "capstat -r --latency-ifaces: $(<"$d/file-if.err")"

	live=$(figures "$d/to.json")
	echo "run $run (loss $loss %, dropped between the points $dropped): $(jq -c 'del(.l.buckets)' <<<"$live")"
	[[ -n $live && $live != null ]] || lab_fail "run $run: no latency figures: $(<"$d/to.err")"
	for f in if file-to file-if; do
		got=$(figures "$d/$f.json")
		[[ $got == "$live" ]] || lab_fail "run $run: $f gives $got, live --latency-to $live"
	done
	echo "run $run: the same figures from --latency-ifaces live and from the files"
	clock=$(jq -r 'select(.type == "summary") | .latency.clock' "$d/to.json")
	[[ $clock == same-clock ]] || lab_fail "run $run: two rings of this host: clock $clock"
	jq -e 'select(.type == "summary") | .latency.feeds[0].valid' "$d/to.json" >/dev/null ||
		lab_fail "run $run: same-clock figures not valid"

	read -r both aonly bonly neither p50 p10 p90 < <(jq -r '
		.l.buckets as $b | ($b | map(.[1]) | add) as $t |
		def q(x): [foreach $b[] as $e (0; . + $e[1]; [., $e[0]])] |
			map(select(.[0] >= x * $t)) | first | .[1];
		"\(.both) \(.a_only) \(.b_only) \(.neither) \(.l.p50) \(q(0.1)) \(q(0.9))"' <<<"$live")
	((bonly == 0 && neither == 0)) || lab_fail "run $run: seen at B only $bonly, by neither $neither"
	((aonly == dropped)) || lab_fail "run $run: seen at A only $aonly, netem dropped $dropped"
	((both + aonly == n)) || lab_fail "run $run: both $both + A only $aonly != sent $n"
	((loss == 0 || dropped > 0)) || lab_fail "run $run: netem dropped nothing at 1 %"
	((p50 >= 380000 && p50 <= 420000)) || lab_fail "run $run: p50 $p50 ns, want 400 us +- 5 %"
	# Uniform +-40 us: p10..p90 is 64 us; the capture adds a little.
	spread=$((p90 - p10))
	((spread >= 48000 && spread <= 90000)) ||
		lab_fail "run $run: p10..p90 is $spread ns, netem's jitter makes it 64 us"
	echo "run $run: p50 $p50 ns, p10..p90 $spread ns; A only $aonly = the drops between the points; both $both"
done

kill -TERM "$pida" "$pidb"
wait "$pida" || lab_fail "capd A exited with $?"
wait "$pidb" || lab_fail "capd B exited with $?"
echo "PASS: capstat_latency"
