#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_app2wire.sh - app-to-wire latency from files whose sender times
# and packet times are known (tools/app2wire_gen.py): MDP 3.0, ITCH 5.0 in
# MoldUDP64 and PITCH datagrams straddling local midnight, on the day
# summer time begins (23 hours) and on the day it ends (25 hours), in
# America/New_York.  capstat --json gives exactly the counts, minimum and
# maximum, and percentiles within the histogram's resolution (never below
# the true value, at most 1/64 above it); the intervals add up to the
# summary; --exchange-tz for one feed moves only that feed; --no-app2wire
# and a feed not said to be ITCH have none; --prom has the gauges.  Needs
# no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPSTAT python3 jq
T=$LAB_TMP
GEN=$(dirname "$0")/tools/app2wire_gen.py

MDP_C=239.2.0.1:32001 MDP_S=239.2.0.1:32002 ITCH=239.2.0.2:32003 PITCH=239.2.0.3:32005
PROTOS=(--proto "$MDP_C=mdp3" --proto "$MDP_S=mdp3" --proto "$ITCH=itch50"
	--proto "$PITCH=pitch")

# feed messages unknown min p50 p90 max: the true values (app2wire_gen.py).
EXPECT=("$MDP_C 100 0 12345 12345 12345 12345"
	"$MDP_S 100 1 -500 1000 300000 300000"
	"$ITCH 40 2 7000 7000 8000 8000"
	"$PITCH 60 3 2500 102500 202500 202500")

# A percentile reported as got for the true value want: want <= got <= want
# + |want|/64 (hist.h), toward zero for a negative value.
near()
{
	local got=$1 want=$2 a=${2#-}

	if ((want < 0)); then
		((got <= want + a / 64 && got >= want))
	else
		((got >= want && got <= want + want / 64))
	fi
}

check_summary()
{
	local json=$1 what=$2 e feed n unk min p50 p90 max got
	local -a g

	for e in "${EXPECT[@]}"; do
		read -r feed n unk min p50 p90 max <<<"$e"
		got=$(jq -r --arg f "$feed" 'select(.type == "summary") | .feeds[] |
			select(.feed == $f) | .app2wire |
			"\(.messages) \(.unknown) \(.min_ns) \(.p50_ns) \(.p90_ns) \(.max_ns) \([.buckets[][2]] | add)"' \
			"$json")
		read -r -a g <<<"$got"
		[[ ${#g[@]} -eq 7 ]] || lab_fail "$what $feed: no app2wire figures: $got"
		[[ ${g[0]} == "$n" && ${g[1]} == "$unk" && ${g[6]} == "$n" ]] ||
			lab_fail "$what $feed: messages/unknown/bucket sum ${g[0]}/${g[1]}/${g[6]}, want $n/$unk/$n"
		[[ ${g[2]} == "$min" && ${g[5]} == "$max" ]] ||
			lab_fail "$what $feed: min/max ${g[2]}/${g[5]}, want $min/$max"
		near "${g[3]}" "$p50" || lab_fail "$what $feed: p50 ${g[3]}, want $p50 (+1/64)"
		near "${g[4]}" "$p90" || lab_fail "$what $feed: p90 ${g[4]}, want $p90 (+1/64)"
		echo "$what $feed: $got"
	done
}

for day in midnight dst dstend; do
	python3 "$GEN" "$day" "$T/$day.pcap" || lab_fail "app2wire_gen.py $day failed"
	"$CAPSTAT" -r "$T/$day.pcap" --json "${PROTOS[@]}" >"$T/$day.json" 2>"$T/$day.err" ||
		lab_fail "capstat -r $day.pcap exited with $?: $(<"$T/$day.err")"
	check_summary "$T/$day.json" "$day"
done

# Intervals (1 ms) hold every sample once: their sums are the summary's.
"$CAPSTAT" -r "$T/midnight.pcap" --json --interval 0.001 "${PROTOS[@]}" >"$T/iv.json" ||
	lab_fail "capstat --interval exited with $?"
check_summary "$T/iv.json" "midnight, intervals"
for e in "${EXPECT[@]}"; do
	read -r feed n unk _ <<<"$e"
	got=$(jq -s -r --arg f "$feed" '[.[] | select(.type == "feed" and .feed == $f) |
		.app2wire] | "\(map(.messages) | add) \(map(.unknown) | add)"' "$T/iv.json")
	[[ $got == "$n $unk" ]] || lab_fail "intervals of $feed: messages unknown $got, want $n $unk"
done
echo "intervals add up"

# The exchange's zone for one feed: PITCH read in London is 5 hours later
# (2026-03-08: London on GMT, New York's midnight EST 05:00 UTC); the others
# do not move.
"$CAPSTAT" -r "$T/dst.pcap" --json "${PROTOS[@]}" --exchange-tz "$PITCH=Europe/London" \
	>"$T/london.json" || lab_fail "capstat --exchange-tz exited with $?"
got=$(jq -r --arg f "$PITCH" 'select(.type == "summary") | .feeds[] | select(.feed == $f) |
	.app2wire | "\(.tz) \(.min_ns) \(.max_ns)"' "$T/london.json")
[[ $got == "Europe/London 18000000002500 18000000202500" ]] ||
	lab_fail "PITCH in Europe/London: $got, want 5 h more"
EXPECT=("${EXPECT[@]:0:3}")
check_summary "$T/london.json" "dst, PITCH in London"

# Off: no figures; MoldUDP64 not said to be ITCH: none for it.
"$CAPSTAT" -r "$T/dst.pcap" --json "${PROTOS[@]}" --no-app2wire >"$T/off.json" ||
	lab_fail "capstat --no-app2wire exited with $?"
got=$(jq -c 'select(.type == "summary") | [.feeds[].app2wire] | unique' "$T/off.json")
[[ $got == '[null]' ]] || lab_fail "--no-app2wire: $got"
"$CAPSTAT" -r "$T/dst.pcap" --json --proto "$ITCH=moldudp64" >"$T/mold.json" ||
	lab_fail "capstat --proto moldudp64 exited with $?"
got=$(jq -c --arg f "$ITCH" 'select(.type == "summary") | .feeds[] | select(.feed == $f) |
	[.seq.proto, .app2wire]' "$T/mold.json")
[[ $got == '["moldudp64",null]' ]] || lab_fail "moldudp64 without itch50: $got"
echo "off and plain MoldUDP64: none"

# A zone the database does not have: exit 2, nothing printed.
rc=0
"$CAPSTAT" -r "$T/dst.pcap" --exchange-tz Mars/Olympus_Mons >"$T/bad.out" 2>"$T/bad.err" || rc=$?
if [[ $rc != 2 || -s $T/bad.out ]] || ! grep -q 'Mars/Olympus_Mons' "$T/bad.err"; then
	lab_fail "unknown zone: exit $rc, $(<"$T/bad.err")"
fi

# Prometheus: the run's p99 of the constant feed, and the counters.
"$CAPSTAT" -r "$T/midnight.pcap" "${PROTOS[@]}" --prom "$T/m.prom" >/dev/null ||
	lab_fail "capstat --prom exited with $?"
grep -qx "capstat_app2wire_seconds{feed=\"$MDP_C\",group=\"239.2.0.1\",port=\"32001\",window=\"run\",quantile=\"0.99\"} 0.000012345" "$T/m.prom" ||
	lab_fail "--prom: no p99 of $MDP_C: $(grep app2wire_seconds "$T/m.prom" | head -3)"
grep -qx "capstat_app2wire_unknown_total{feed=\"$PITCH\",group=\"239.2.0.3\",port=\"32005\"} 3" "$T/m.prom" ||
	lab_fail "--prom: unknown of $PITCH: $(grep app2wire_unknown "$T/m.prom")"
grep -q '^capstat_app2wire_seconds{.*quantile="0"} -0.000000500$' "$T/m.prom" ||
	lab_fail "--prom: the negative minimum of $MDP_S"
echo "prom: ok"
echo "PASS: capstat_app2wire"
