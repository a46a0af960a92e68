#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_proto.sh - feeds know their protocol: capd.conf names it
# (feeds[].proto), capd puts it into the ring's feed table, capdump into
# the feed table of its files, and capstat decodes with it without
# --proto: the gaps the sender made, live from the ring, from capdump's
# recording, and from a capdump -r re-write of that recording.  --proto
# still overrides, per feed and for all, live and from the file.
. "$(dirname "$0")/lab.sh"
lab_start CAPD FEED_SEND MCAST_SEND CAPDUMP CAPSTAT ip jq timeout
capd_lab_setup csp
capd_lab_conf 64M <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "MDP"; group = "239.1.1.2"; ports = [ 30002 ]; proto = "mdp3"; },
	  { name = "NET"; group = "239.1.3.0/24"; proto = "seq:0:8:be"; },
	  { name = "NONE"; group = "239.1.1.4"; ports = [ 30004 ]; } );
CONF

# capd -D shows each feed's protocol ("" for none).
dump=$("$CAPD" -c "$CAPD_CONF" -D)
lab_expect_match "capd -D" "$dump" 'name = "MOLD"; .* proto = "moldudp64";'
lab_expect_match "capd -D" "$dump" 'name = "NET"; .* proto = "seq:0:8:be";'
lab_expect_match "capd -D" "$dump" 'name = "NONE"; .* proto = "";'
echo "capd -D: $(grep -o 'name = "[A-Z]*"; .*proto = "[^"]*"' <<<"$dump" |
	sed -E 's/; .*proto =/: proto =/' | tr '\n' ' ')"

capd_lab_start

send()
{
	ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 "$@" >/dev/null
}

live=$LAB_TMP/live.json over=$LAB_TMP/live-over.json rec=$LAB_TMP/rec.pcapng.zst
"$CAPSTAT" -i "$CAPD_RING" --json --interval 0.5 >"$live" 2>"$LAB_TMP/capstat.err" &
spid=$!
lab_on_exit "kill $spid 2>/dev/null || true"
# The same ring with --proto: MOLD off, a global decoder for the rest.
"$CAPSTAT" -i "$CAPD_RING" --json --interval 0.5 --proto MOLD=none --proto seq:0:8:be \
	>"$over" 2>"$LAB_TMP/capstat-over.err" &
opid=$!
lab_on_exit "kill $opid 2>/dev/null || true"
"$CAPDUMP" -i "$CAPD_RING" -w "$rec" 2>"$LAB_TMP/capdump.err" &
dpid=$!
lab_on_exit "kill $dpid 2>/dev/null || true"
sleep 0.5

# MoldUDP64, 3 messages a packet: 31-39 skipped, 34-39 late (31-33 stay
# missing); a heartbeat says 100 is next (91-99 missing); 121-129 skipped.
send -g 239.1.1.1 -p 30001 --proto moldudp64 -m 3 1-30 40-60 34 37-39 61-90 hb:100 100-120 \
	130-150
# MDP 3.0: 21-25 and 41 skipped.
send -g 239.1.1.2 -p 30002 --proto mdp3 1-20 26-40 42-60
# The prefix feed's generic decoder on mcast_send's payload, two groups.
capd_lab_send -g 239.1.3.7 -p 40000 -n 200 -s 64 -r 5000 --skip 50,51,52
capd_lab_send -g 239.1.3.8 -p 40001 -n 100 -s 64 -r 5000 --skip 10
# No protocol: traffic figures only.
capd_lab_send -g 239.1.1.4 -p 30004 -n 100 -s 64 -r 5000 --skip 5
sleep 1
kill -INT $spid $opid $dpid
wait $spid || lab_fail "capstat exited with $?: $(<"$LAB_TMP/capstat.err")"
wait $opid || lab_fail "capstat --proto exited with $?: $(<"$LAB_TMP/capstat-over.err")"
wait $dpid || lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump.err")"
[[ -f $rec ]] || lab_fail "capdump left no $rec"

file=$LAB_TMP/file.json
"$CAPSTAT" -r "$rec" --json >"$file" 2>"$LAB_TMP/capstat-r.err" ||
	lab_fail "capstat -r exited with $?: $(<"$LAB_TMP/capstat-r.err")"
# capdump -r re-writes the file (its own SHB): the feed table goes along.
re=$LAB_TMP/re.pcapng
"$CAPDUMP" -r "$rec" -w "$re" 2>"$LAB_TMP/capdump-r.err" ||
	lab_fail "capdump -r exited with $?: $(<"$LAB_TMP/capdump-r.err")"
refile=$LAB_TMP/refile.json
"$CAPSTAT" -r "$re" --json >"$refile" 2>"$LAB_TMP/capstat-re.err" ||
	lab_fail "capstat -r (re-written) exited with $?: $(<"$LAB_TMP/capstat-re.err")"
fover=$LAB_TMP/file-over.json
"$CAPSTAT" -r "$rec" --json --proto MOLD=none --proto seq:0:8:be >"$fover" \
	2>"$LAB_TMP/capstat-rover.err" ||
	lab_fail "capstat -r --proto exited with $?: $(<"$LAB_TMP/capstat-rover.err")"

# One feed's summary from a capstat --json output, by group and port.
feed()
{
	jq -c --arg g "$2" --argjson p "$3" \
		'select(.type == "summary") | .feeds[] | select(.group == $g and .port == $p)' "$1"
}

# expect WHAT FILE GROUP PORT JQ_FILTER WANT
expect()
{
	local got

	got=$(feed "$2" "$3" "$4" | jq -c "$5")
	[[ $got == "$6" ]] || lab_fail "$1 ($2): $5 is $got, want $6"
}

for out in "$live" "$file" "$refile"; do
	from=ring src=live
	[[ $out == "$live" ]] || from=file src=file
	[[ $out != "$refile" ]] || src="re-written file"
	expect MoldUDP64 "$out" 239.1.1.1 30001 \
		'.seq | [.proto, .proto_from, .gaps, .missing, .gap_ranges, .out_of_order, .heartbeats]' \
		"[\"moldudp64\",\"$from\",3,21,[[31,33],[91,99],[121,129]],2,1]"
	expect MDP3 "$out" 239.1.1.2 30002 \
		'.seq | [.proto, .proto_from, .gaps, .missing, .gap_ranges, .undecodable]' \
		"[\"mdp3\",\"$from\",2,6,[[21,25],[41,41]],0]"
	expect "prefix feed" "$out" 239.1.3.7 40000 \
		'.seq | [.proto, .proto_from, .gaps, .missing, .gap_ranges]' \
		"[\"seq:0:8:be\",\"$from\",1,3,[[50,52]]]"
	expect "prefix feed" "$out" 239.1.3.8 40001 '.seq | [.proto, .gaps, .gap_ranges]' \
		'["seq:0:8:be",1,[[10,10]]]'
	expect "no protocol" "$out" 239.1.1.4 30004 '[.packets, .seq]' '[99,null]'
	echo "$src: without --proto, from the $from's feed table: MoldUDP64 gaps 31-33 91-99" \
		"121-129, MDP3 21-25 41, seq:0:8:be 50-52 and 10 on a prefix feed; NONE undecoded"
done

# --proto overrides: MOLD=none wins over the ring and file, the global one
# over the feed table for every other feed.
for out in "$over" "$fover"; do
	expect "--proto MOLD=none" "$out" 239.1.1.1 30001 '.seq' 'null'
	expect "--proto seq:0:8:be" "$out" 239.1.1.2 30002 '.seq | [.proto, .proto_from]' \
		'["seq:0:8:be","--proto"]'
	expect "--proto seq:0:8:be" "$out" 239.1.1.4 30004 \
		'.seq | [.proto, .proto_from, .gaps, .gap_ranges]' '["seq:0:8:be","--proto",1,[[5,5]]]'
done
echo "--proto MOLD=none and --proto seq:0:8:be override the feed table, live and from the file"

# Wireshark reads the file with its feed table (options of the NRB).
if command -v tshark >/dev/null; then
	n=$(tshark -r "$rec" 2>"$LAB_TMP/tshark.err" | wc -l) ||
		lab_fail "tshark -r: $(<"$LAB_TMP/tshark.err")"
	! grep -qi 'pcapng\|error' "$LAB_TMP/tshark.err" || lab_fail "tshark -r: $(<"$LAB_TMP/tshark.err")"
	want=$(jq -s 'map(select(.type == "summary")) | last | .packets' "$file")
	[[ $n == "$want" ]] || lab_fail "tshark reads $n packets of $rec, capstat $want"
	echo "tshark -r: $n packets, no complaint"
fi

capd_lab_stop
echo "PASS: capstat_proto"
