#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_table.sh - the plain summary table fits 120 columns (issue 14),
# with a sequence decoder, a long feed name, gaps listed and an A/B pair;
# --wide shows every column.  Input built with text2pcap: two feeds of
# 8-byte big-endian sequence numbers, every tenth one skipped.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPSTAT text2pcap awk
hex=$LAB_TMP/in.txt
for s in $(seq 1 400); do
	((s % 10 == 3)) && continue
	printf '%d.%06d\n000000 00 00 00 00 %s\n' $((1700000000 + s / 100)) $((s % 100 * 10000)) \
		"$(printf '%08x' "$s" | sed 's/../& /g')"
done >"$hex"
text2pcap -q -t '%s.' -4 10.0.0.1,239.100.200.201 -u 40000,30001 "$hex" "$LAB_TMP/a.pcap" ||
	lab_fail "text2pcap failed"
text2pcap -q -t '%s.' -4 10.0.0.1,239.100.200.202 -u 40000,30002 "$hex" "$LAB_TMP/b.pcap" ||
	lab_fail "text2pcap failed"
args=(-r "$LAB_TMP/a.pcap" -r "$LAB_TMP/b.pcap" --proto seq:0:8:be
      --ab 239.100.200.201:30001=239.100.200.202:30002)
out=$("$CAPSTAT" "${args[@]}") || lab_fail "capstat failed"
echo "$out"
widest=$(awk '{ if (length > w) w = length } END { print w }' <<<"$out")
((widest <= 120)) || lab_fail "the widest line has $widest columns, want at most 120"
lab_expect_match table "$out" "missing: 3 13 23 33"
lab_expect_match table "$out" "GAPS"
wide=$("$CAPSTAT" "${args[@]}" --wide) || lab_fail "capstat --wide failed"
lab_expect_match "--wide" "$wide" "BURST 1us/10us/100us/1ms"
wwide=$(awk '{ if (length > w) w = length } END { print w }' <<<"$wide")
echo "widest line: $widest columns; with --wide $wwide"
echo "PASS: capstat_table"
