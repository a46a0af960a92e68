#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capship_fleet.sh - two capture boxes in one ClickHouse (issue 22's
# acceptance):
#  - two capd, each on its own veth with its own ring and run directory,
#    and a capdump -G 2 archive each: the boxes lab-a and lab-b; the
#    senders send MoldUDP64 and MDP 3.0 feeds to both, with gaps of their
#    own on each box; box a's MoldUDP64 pauses for 1.5 s inside a file;
#  - capship --once per box, as an unprivileged uid in the capture group
#    without capabilities, into one clickhouse-server on loopback started
#    here (tests/lab/clickhouse.sh);
#  - the files, feeds and gaps tables hold exactly what capdump --list
#    --json says of each archive; the gaps are exactly those the senders
#    made, and gaps_per_feed_day sums them; the pauses are the silences of
#    100 ms or more tshark sees; where_feed, for the whole time, windows on
#    the edges of files, seeded windows and windows inside the pauses,
#    returns exactly the files of each box in which tshark finds packets of
#    the feed in the window (a superset only where the query says it may
#    be: windows shorter than 100 ms without a packet) (tools/ship_judge.py);
#  - box a's capstat --latency-to b --json, in its capstat_dir: the
#    intervals table holds its intervals, latency_p99_hour their p99s;
#  - a second capship --once ships nothing new: the counts stay.
# SHIP_SEED fixes the windows.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/clickhouse.sh"
. "$(dirname "$0")/capship_lab.sh"
lab_start CAPD FEED_SEND CAPDUMP CAPSTAT CAPSHIP ip tshark python3
: "${SHIP_SEED:=$((RANDOM * 32768 + RANDOM))}"
echo "SHIP_SEED=$SHIP_SEED"
ch_start
ship_lab_user

feeds='feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "MDP"; group = "239.1.1.2"; ports = [ 30002 ]; proto = "mdp3"; } );'
capd_lab_setup fla
capd_lab_conf 32M <<<"$feeds"
capd_lab_start "$LAB_TMP/capd-a.log"
ring_a=$CAPD_RING
# Box b: its own veth into the same namespace, ring and run directory.
lab_veth_add flb eth1 "$CAPD_NS"
hif_b=$LAB_REPLY
lab_subnet 1
ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$hif_b"
ip -n "$CAPD_NS" addr add "$LAB_PEER4/$LAB_LEN4" dev eth1
ring_b=$CAPD_RING-b
mkdir -p "$LAB_TMP/run-b"
cat >"$LAB_TMP/capd-b.conf" <<CONF
ring = { name = "$ring_b"; size = "32M"; group = ""; };
capture = { cpu = -1; interfaces = ( { name = "$hif_b"; mode = "native"; } ); };
run = { user = ""; group = ""; dir = "$LAB_TMP/run-b"; };
$feeds
CONF
capd_lab_start "$LAB_TMP/capd-b.log" "$LAB_TMP/capd-b.conf"

ship_lab_box a lab-a A "capstat_dir = \"$LAB_TMP/ship-a/capstat\";"
ship_lab_box b lab-b B
install -d -m 2750 -o root -g "$SHIP_GROUP" "${SHIP_DIR[a]}/capstat"

# The plans: MOLD and MDP on both boxes, 200 and 100 packets/s, one message
# a packet, each box with its own gaps (the made gaps, inclusive); box a's
# MOLD in two parts (below), silent for 1.5 s inside the second.
mold_a1="1-300 306-500" mold_a2="501-510 sleep:1500 511-700 711-1000"
mold_b="1-500 511-520 541-1000"
mdp_a="1-200 211-500" mdp_b="1-500"
# shellcheck disable=SC2054 # the commas are ship_judge.py's
made=(--made lab-a:MOLD:301-305,701-710 --made lab-b:MOLD:501-510,521-540
      --made lab-a:MDP:201-210 --made lab-b:MDP:)

pids=()
for k in a b; do
	ring=ring_$k
	"$CAPDUMP" -i "${!ring}" -G 2 -w "${SHIP_ARCH[$k]}/$k-%Y%m%d-%H%M%S.pcapng.zst" \
		2>"$LAB_TMP/dump-$k.err" &
	pids+=($!)
	lab_on_exit "kill -9 $! 2>/dev/null || true"
done
# Box a's capstat: each second's figures and the latency from a to b.
"$CAPSTAT" -i "$ring_a" --latency-to "$ring_b" --json >"${SHIP_DIR[a]}/capstat/a.json" \
	2>"$LAB_TMP/capstat.err" &
cs=$!
lab_on_exit "kill -9 $cs 2>/dev/null || true"
sleep 0.5
send()
{
	# shellcheck disable=SC2086 # the plan is words
	ip netns exec "$CAPD_NS" "$FEED_SEND" -i "$1" -g "$2" -p "$3" --proto "$4" -m 1 -r "$5" $6 \
		>/dev/null
}
{
	send eth0 239.1.1.1 30001 moldudp64 200 "$mold_a1" || exit
	# The second part 50 ms into the next period of -G 2 (capdump's files
	# are aligned to the UTC clock): its pause, from about 0.1 s to 1.6 s
	# into that period, is inside one file.
	now=$(date +%s%N)
	wait=$((2050000000 - now % 2000000000))
	sleep "$((wait / 1000000000)).$(printf %09d $((wait % 1000000000)))"
	send eth0 239.1.1.1 30001 moldudp64 200 "$mold_a2"
} &
s=($!)
send eth1 239.1.1.1 30001 moldudp64 200 "$mold_b" &
s+=($!)
send eth0 239.1.1.2 30002 mdp3 100 "$mdp_a" &
s+=($!)
send eth1 239.1.1.2 30002 mdp3 100 "$mdp_b" &
s+=($!)
for p in "${s[@]}"; do
	wait "$p" || lab_fail "a sender failed"
done
sleep 0.3
kill -INT "${pids[@]}" $cs
wait $cs || lab_fail "capstat exited with $?: $(<"$LAB_TMP/capstat.err")"
for k in a b; do
	wait "${pids[0]}" || lab_fail "capdump of box $k exited with $?: $(<"$LAB_TMP/dump-$k.err")"
	pids=("${pids[@]:1}")
	ship_lab_list $k
	echo "box $k: $(python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["archive"]
print(a["files"], "files,", a["packets"], "packets")' "${SHIP_DIR[$k]}/list.json")"
done

for k in a b; do
	ship_lab_run $k --once >"$LAB_TMP/ship-$k.out" 2>&1 ||
		lab_fail "capship --once (box $k) exited with $?: $(<"$LAB_TMP/ship-$k.out")"
	sed "s/^/box $k: /" "$LAB_TMP/ship-$k.out"
done

export CH_URL CH_USER CH_PASSWORD
judge=$(dirname "$0")/tools/ship_judge.py
python3 "$judge" fleet --queries "$CH_QUERIES" --seed "$SHIP_SEED" "${made[@]}" \
	--group MOLD=239.1.1.1 --group MDP=239.1.1.2 --paused lab-a:MOLD:1400 --capstat lab-a="${SHIP_DIR[a]}/capstat/a.json" \
	lab-a="${SHIP_DIR[a]}/list.json" lab-b="${SHIP_DIR[b]}/list.json" ||
	lab_fail "ClickHouse does not hold what the archives do (SHIP_SEED=$SHIP_SEED)"

# Again: nothing new to ship, the tables unchanged even before a merge.
before=$(ch_query "SELECT count() FROM capd.files_local")
ship_lab_run a --once >"$LAB_TMP/ship-a2.out" 2>&1 ||
	lab_fail "second capship --once exited with $?: $(<"$LAB_TMP/ship-a2.out")"
after=$(ch_query "SELECT count() FROM capd.files_local")
((before == after)) || lab_fail "a second --once added $((after - before)) file rows"
echo "a second --once shipped nothing again ($after file rows)"
echo "PASS: capship_fleet"
