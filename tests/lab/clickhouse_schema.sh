#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# clickhouse_schema.sh - docs/clickhouse/ against a clickhouse-server of its
# own (tests/lab/clickhouse.sh), without capd or capship:
#  - schema.sql loads: six local ReplacingMergeTree tables and their
#    Distributed tables;
#  - hand-written rows of two boxes, each inserted twice (JSONEachRow over
#    HTTP, as capship sends them; the second copy shipped later), around
#    a UTC midnight;
#  - every query of queries.sql, its placeholders substituted, returns
#    exactly the rows worked out here: where_feed at the window's edges,
#    without a removed file and without one whose feed paused across the
#    window (at the pause's edges), gaps_per_feed_day across the midnight,
#    latency_p99_hour's max and weighted p99;
#  - before OPTIMIZE ... FINAL each local table holds both copies, after it
#    one; the Distributed tables return what the local ones hold.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/clickhouse.sh"
lab_start
ch_start

S=1000000000
D1=$((1765065600 * S)) # 2025-12-07T00:00:00Z
at() { echo $((D1 + $1 * S)); }
rows=$LAB_TMP/rows
mkdir -p "$rows"

# file BOX POINT PATH SPAN_START SPAN_END (seconds from D1)
file()
{
	printf '{"box":"%s","point":"%s","path":"%s","data_size":%d,"data_mtime_ns":%d,' \
		"$1" "$2" "$3" $((1000 + ${#3})) "$(at "$5")"
	printf '"span_start_ns":%d,"span_end_ns":%d,"first_ns":%d,"last_ns":%d,' \
		"$(at "$4")" "$(at "$5")" "$(at $(($4 + 1)))" "$(at $(($5 - 1)))"
	printf '"packets":100,"bytes_cap":9000,"bytes_wire":9000,"if_drop":0,"os_drop":0,"shipped_ns":SHIPPED}\n'
}
# feed BOX POINT PATH MTIME FEED PACKETS FIRST LAST [PAUSES NPAUSES]
# (times in seconds from D1)
feed()
{
	printf '{"box":"%s","point":"%s","path":"%s","data_mtime_ns":%d,"feed":"%s","proto":"moldudp64",' \
		"$1" "$2" "$3" "$(at "$4")" "$5"
	if (($6)); then
		printf '"packets":%d,"bytes_wire":%d,"first_ns":%d,"last_ns":%d,' \
			"$6" $(($6 * 90)) "$(at "$7")" "$(at "$8")"
	else
		printf '"packets":0,"bytes_wire":0,"first_ns":0,"last_ns":0,'
	fi
	printf '"seq_first":1,"seq_last":100,"seq_min":1,"seq_max":100,"gaps":0,"missing":0,'
	printf '"late":0,"sessions":0,"pauses":%d,"npauses":%d,"shipped_ns":SHIPPED}\n' "${9:-0}" "${10:-0}"
}
# pause BOX POINT FEED PATH MTIME FROM TO (seconds from D1)
pause()
{
	printf '{"box":"%s","point":"%s","feed":"%s","path":"%s","data_mtime_ns":%d,' \
		"$1" "$2" "$3" "$4" "$(at "$5")"
	printf '"from_ns":%d,"to_ns":%d,"shipped_ns":SHIPPED}\n' "$(at "$6")" "$(at "$7")"
}
# gap BOX POINT FEED PATH MTIME FROM TO TS BOUNDARY
gap()
{
	printf '{"box":"%s","point":"%s","feed":"%s","path":"%s","data_mtime_ns":%d,' \
		"$1" "$2" "$3" "$4" "$(at "$5")"
	printf '"seq_from":%d,"seq_to":%d,"ts_ns":%d,"boundary":%d,"shipped_ns":SHIPPED}\n' \
		"$6" "$7" "$(at "$8")" "$9"
}
# interval BOX POINT FEED END PACKETS P99 (END in seconds from D1)
interval()
{
	printf '{"box":"%s","point":"%s","feed":"%s","end_ns":%d,"interval_ns":%d,' \
		"$1" "$2" "$3" "$(at "$4")" $((10 * S))
	printf '"packets":%d,"bytes":%d,"gaps":0,"missing":0,"lat_p50_ns":%d,"lat_p99_ns":%d,"shipped_ns":SHIPPED}\n' \
		"$5" $(($5 * 90)) $(($6 / 2)) "$6"
}

A=nyc1-a PA=nasdaq-A B=nyc1-b PB=nasdaq-B
# Box A: a0 (removed since), a1, a2 before midnight, a3 after; box B: b1,
# and b2 without a packet of MOLD.
{
	file $A $PA /a/a0 -180 -120
	file $A $PA /a/a1 -120 -60
	file $A $PA /a/a2 -60 0
	file $A $PA /a/a3 0 60
	file $B $PB /b/b1 -90 -30
	file $B $PB /b/b2 -30 30
} >"$rows/files"
{
	feed $A $PA /a/a0 -120 MOLD 50 -179 -121
	feed $A $PA /a/a1 -60 MOLD 50 -119 -61 1 1
	feed $A $PA /a/a2 0 MOLD 50 -59 -1
	feed $A $PA /a/a3 60 MOLD 50 1 59
	feed $A $PA /a/a3 60 MDP 50 1 59 1 1
	feed $B $PB /b/b1 -30 MOLD 50 -89 -31 40 32
	feed $B $PB /b/b2 30 MOLD 0
	feed $B $PB /b/b2 30 MDP 50 -29 29
} >"$rows/feeds"
{
	gap $A $PA MOLD /a/a1 -60 301 306 -100 0
	gap $A $PA MOLD /a/a3 60 1001 1006 1 1
	gap $A $PA MOLD /a/a3 60 1201 1216 30 0
	gap $B $PB MOLD /b/b1 -30 301 306 -80 0
} >"$rows/gaps"
{
	# MOLD silent in a1 from -110 s to -80 s; MDP in a3 from 10 s to 50 s.
	pause $A $PA MOLD /a/a1 -60 -110 -80
	pause $A $PA MDP /a/a3 60 10 50
} >"$rows/pauses"
printf '{"box":"%s","point":"%s","path":"/a/a0","data_mtime_ns":%d,"removed_ns":%d,"data_size":1005,"shipped_ns":SHIPPED}\n' \
	$A $PA "$(at -120)" "$(at 100)" >"$rows/removals"
{
	# The hour 23:00: p99 1000 over 100 packets, 2000 over 300, an interval
	# without samples; 00:00: one interval.
	interval $A $PA MOLD -3590 100 1000
	interval $A $PA MOLD -3580 300 2000
	interval $A $PA MOLD -3570 0 0
	interval $A $PA MOLD 5 50 500
} >"$rows/intervals"

tables=(files feeds gaps pauses removals intervals)
declare -A want
for t in "${tables[@]}"; do
	want[$t]=$(wc -l <"$rows/$t")
	for shipped in 1 2; do
		sed "s/SHIPPED/$(($(at 200) + shipped))/" "$rows/$t" >"$rows/$t.$shipped"
		ch_insert "capd.${t}_local" "$rows/$t.$shipped" || lab_fail "insert into ${t}_local failed"
	done
done

count() { ch_query "SELECT count() FROM capd.$1"; }
for t in "${tables[@]}"; do
	n=$(count "${t}_local")
	((n == 2 * want[$t])) || lab_fail "${t}_local: $n rows before OPTIMIZE, inserted $((2 * want[$t]))"
	n=$(count "$t FINAL")
	((n == want[$t])) || lab_fail "$t FINAL: $n rows, want ${want[$t]}"
done
echo "each row inserted twice; FINAL counts each once"

# query NAME EXPECTED [KEY=VALUE...]: the named query's TSV is EXPECTED.
query()
{
	local name=$1 expect=$2 got
	shift 2

	got=$(ch_query "$(ch_named "$name" "$@") FORMAT TSV") || lab_fail "$name failed"
	[[ $got == "$expect" ]] || lab_fail "$name $*: got
$got
expected
$expect"
	echo "$name $*: $(grep -c . <<<"$got") rows as expected"
}

check_queries()
{
	local t='	' b1
	# [-150 s, -59 s): a0 was removed, a2's first packet is at T2 (out),
	# a1's last at -61 s (in); b1; b2 has no MOLD packet.
	query where_feed \
"$A$t$PA$t/a/a1$t$(at -60)${t}1005$t$(at -120)$t$(at -60)$t$(at -119)$t$(at -61)${t}50
$B$t$PB$t/b/b1$t$(at -30)${t}1005$t$(at -90)$t$(at -30)$t$(at -89)$t$(at -31)${t}50" \
		FEED=MOLD T1="$(at -150)" T2="$(at -59)"
	# [-1 s, +2 s): a2's last packet is at T1 (in), a3's first inside.
	query where_feed \
"$A$t$PA$t/a/a2$t$(at 0)${t}1005$t$(at -60)$t$(at 0)$t$(at -59)$t$(at -1)${t}50
$A$t$PA$t/a/a3$t$(at 60)${t}1005$t$(at 0)$t$(at 60)$t$(at 1)$t$(at 59)${t}50" \
		FEED=MOLD T1="$(at -1)" T2="$(at 2)"
	query where_feed "" FEED=NONE T1="$(at -1000)" T2="$(at 1000)"
	# [-105 s, -80 s): inside a1's pause of MOLD (the packet after it at
	# T2, out): b1 only; [-110 s, -85 s) holds a1's packet at -110 s.
	b1="$B$t$PB$t/b/b1$t$(at -30)${t}1005$t$(at -90)$t$(at -30)$t$(at -89)$t$(at -31)${t}50"
	query where_feed "$b1" FEED=MOLD T1="$(at -105)" T2="$(at -80)"
	query where_feed \
"$A$t$PA$t/a/a1$t$(at -60)${t}1005$t$(at -120)$t$(at -60)$t$(at -119)$t$(at -61)${t}50
$b1" \
		FEED=MOLD T1="$(at -110)" T2="$(at -85)"
	# [20 s, 30 s): a3's pause is MDP's, not MOLD's; b2's MDP goes on.
	query where_feed \
"$A$t$PA$t/a/a3$t$(at 60)${t}1005$t$(at 0)$t$(at 60)$t$(at 1)$t$(at 59)${t}50" \
		FEED=MOLD T1="$(at 20)" T2="$(at 30)"
	query where_feed \
"$B$t$PB$t/b/b2$t$(at 30)${t}1005$t$(at -30)$t$(at 30)$t$(at -29)$t$(at 29)${t}50" \
		FEED=MDP T1="$(at 20)" T2="$(at 30)"
	query gaps_per_feed_day \
"2025-12-06${t}MOLD$t$A${t}1${t}5${t}0${t}301${t}305
2025-12-06${t}MOLD$t$B${t}1${t}5${t}0${t}301${t}305
2025-12-07${t}MOLD$t$A${t}2${t}20${t}1${t}1001${t}1215" \
		T1="$(at -86400)" T2="$(at 86400)"
	# [-90 s, 30 s) leaves out the gap at -100 s, and the one at T2.
	query gaps_per_feed_day \
"2025-12-06${t}MOLD$t$B${t}1${t}5${t}0${t}301${t}305
2025-12-07${t}MOLD$t$A${t}1${t}5${t}1${t}1001${t}1005" \
		T1="$(at -90)" T2="$(at 30)"
	query latency_p99_hour \
"2025-12-06 23:00:00$t$PA$t$A${t}MOLD${t}2000${t}1750${t}2${t}400
2025-12-07 00:00:00$t$PA$t$A${t}MOLD${t}500${t}500${t}1${t}50" \
		T1="$(at -86400)" T2="$(at 86400)"
}
check_queries

for t in "${tables[@]}"; do
	ch_query "OPTIMIZE TABLE capd.${t}_local FINAL" || lab_fail "OPTIMIZE TABLE ${t}_local FINAL failed"
	n=$(count "${t}_local")
	((n == want[$t])) || lab_fail "${t}_local: $n rows after OPTIMIZE FINAL, want ${want[$t]}"
	# The copy kept is the later one, and the Distributed table shows the
	# local rows as they are.
	n=$(count "${t}_local WHERE shipped_ns != $(($(at 200) + 2))")
	((n == 0)) || lab_fail "${t}_local: $n rows of the earlier copy kept"
	a=$(ch_query "SELECT * FROM capd.${t}_local FORMAT TSV" | sort)
	b=$(ch_query "SELECT * FROM capd.$t FORMAT TSV" | sort)
	[[ $a == "$b" ]] || lab_fail "capd.$t differs from capd.${t}_local"
done
echo "OPTIMIZE TABLE ... FINAL: one row each, the later copy; the Distributed tables show them"
check_queries
echo "PASS: clickhouse_schema"
