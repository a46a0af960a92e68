#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capstat_names.sh - capstat -r names feeds after the file's NRB (as
# capdump writes the ring's feed names) and --ab/--proto select them by
# those names: on a file built with text2pcap and mergecap (two MoldUDP64
# lines, A missing 5 6, B missing 9, both 15; tshark counts each line's
# packets), the A/B line and the sequence figures by name are exactly those
# by GROUP:PORT, and non-zero.  A word naming no feed is an error naming
# it, exit 2, nothing printed.  Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPSTAT tshark text2pcap mergecap jq od
T=$LAB_TMP

# One MoldUDP64 packet a line (session SESSION001, one 1-byte message),
# stamped seq ms (+ us microseconds) after 10:00:00, for seq 1..20 but skip.
mold()
{
	local skip=" $1 " us=$2 s

	for s in $(seq 1 20); do
		[[ $skip == *" $s "* ]] && continue
		printf '10:00:00.%03d%03d 0000 53 45 53 53 49 4f 4e 30 30 31' "$s" "$us"
		printf ' 00 00 00 00 00 00 00 %02x 00 01 00 01 %02x\n' "$s" "$s"
	done
}
mold "5 6 15" 0 >"$T/a.hex"
mold "9 15" 200 >"$T/b.hex"
text2pcap -q -t '%H:%M:%S.%f' -u 5000,31001 -4 10.0.0.1,239.1.2.1 "$T/a.hex" "$T/a.pcapng"
text2pcap -q -t '%H:%M:%S.%f' -u 5000,31002 -4 10.0.0.2,239.1.2.2 "$T/b.hex" "$T/b.pcapng"
mergecap -w "$T/m.pcapng" "$T/a.pcapng" "$T/b.pcapng"

# An NRB after the SHB and IDB, as capdump writes it: 239.1.2.1 FEED-A,
# 239.1.2.2 FEED-B (little-endian, as text2pcap writes).
{
	lab_le16 1; lab_le16 11; printf '\xef\x01\x02\x01FEED-A\0\0'
	lab_le16 1; lab_le16 11; printf '\xef\x01\x02\x02FEED-B\0\0'
	lab_le16 0; lab_le16 0
} >"$T/nrb.body"
F=$T/named.pcapng
lab_nrb_insert "$T/m.pcapng" "$F" "$T/nrb.body"

# tshark: the names, and each line's packets.
names=$(tshark -r "$F" -N n -T fields -e ip.dst_host 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')
[[ $names == " 17 FEED-A 18 FEED-B " ]] || lab_fail "tshark: $names, want 17 FEED-A 18 FEED-B"
echo "tshark:$names"

by_name=(--proto FEED-A=moldudp64 --proto FEED-B=moldudp64 --ab FEED-A=FEED-B)
by_addr=(--proto 239.1.2.1:31001=moldudp64 --proto 239.1.2.2:31002=moldudp64
	 --ab 239.1.2.1:31001=239.1.2.2:31002)
"$CAPSTAT" -r "$F" --json "${by_name[@]}" >"$T/name.json" 2>"$T/name.err" ||
	lab_fail "capstat -r by name exited with $?: $(<"$T/name.err")"
"$CAPSTAT" -r "$F" --json "${by_addr[@]}" >"$T/addr.json" 2>"$T/addr.err" ||
	lab_fail "capstat -r by GROUP:PORT exited with $?: $(<"$T/addr.err")"

# Feeds are named after the file; the same figures either way.
got=$(jq -c 'select(.type == "summary") | [.feeds[] | [.feed, .packets]] | sort' "$T/name.json")
[[ $got == '[["FEED-A",17],["FEED-B",18]]' ]] || lab_fail "feeds by name: $got"
echo "feeds: $got"
for out in name addr; do
	ab=$(jq -c 'select(.type == "summary") | .ab[0] |
		[.lost_a_only, .lost_b_only, .lost_both, .both]' "$T/$out.json")
	[[ $ab == "[2,1,1,16]" ]] || lab_fail "A/B by $out: $ab, want [2,1,1,16]"
	seq=$(jq -c 'select(.type == "summary") | [.feeds[] | .seq | [.gaps, .missing, .gap_ranges]]
		| sort' "$T/$out.json")
	[[ $seq == '[[2,2,[[9,9],[15,15]]],[2,3,[[5,6],[15,15]]]]' ]] ||
		lab_fail "sequence by $out: $seq"
	echo "by $out: A/B lost on A only 2, on B only 1, on both 1, both 16; gaps $seq"
done
strip='select(.type == "summary") | [.feeds[] | del(.feed)], (.ab | map(del(.pair, .a, .b)))'
diff <(jq -S "$strip" "$T/name.json") <(jq -S "$strip" "$T/addr.json") ||
	lab_fail "figures by name and by GROUP:PORT differ"
# NAME@GROUP:PORT names a feed too.
"$CAPSTAT" -r "$F" --json --proto FEED-A=moldudp64 --proto FEED-B@239.1.2.2:31002=moldudp64 \
	--ab FEED-A=FEED-B@239.1.2.2:31002 >"$T/at.json" || lab_fail "NAME@GROUP:PORT: exit $?"
diff <(jq -S "$strip" "$T/at.json") <(jq -S "$strip" "$T/addr.json") ||
	lab_fail "figures by NAME@GROUP:PORT differ"

# A word naming no feed: exit 2, a message naming it, no figures.
bad()
{
	local want=$1 rc=0 out err

	shift
	out=$("$CAPSTAT" -r "$F" "$@" 2>"$T/bad.err") || rc=$?
	err=$(<"$T/bad.err")
	[[ $rc == 2 ]] || lab_fail "capstat -r $*: exit $rc, want 2 ($err)"
	[[ -z $out ]] || lab_fail "capstat -r $*: printed figures: $out"
	lab_expect_match "capstat -r $*" "$err" "$want"
	echo "capstat -r $*: exit 2: $err"
}
bad "--ab FEED-X=FEED-B: no feed FEED-X in .*named.pcapng \(its feeds: FEED-A, FEED-B; or GROUP:PORT\)" \
	--ab FEED-X=FEED-B
bad "--proto FEED-C=...: no feed FEED-C" --proto FEED-C=moldudp64
bad "--ab FEED-A=239.1.2.9: no feed 239.1.2.9" --ab FEED-A=239.1.2.9
bad "--ab FEED-A=NOPE@239.1.2.2:31002: no feed NOPE@239.1.2.2:31002" --ab FEED-A=NOPE@239.1.2.2:31002
# A file without names (its names are not those of another): by name, no feed.
bad2=$("$CAPSTAT" -r "$T/m.pcapng" --ab FEED-A=FEED-B 2>&1) && lab_fail "no NRB: exit 0: $bad2"
lab_expect_match "no NRB" "$bad2" "no feed FEED-A in .*m.pcapng \(GROUP:PORT\)"

# Option errors name the option in one line and one hint, never the usage.
opterr()
{
	local want=$1 rc=0 err

	shift
	"$CAPSTAT" "$@" >/dev/null 2>"$T/opt.err" || rc=$?
	err=$(<"$T/opt.err")
	[[ $rc == 2 ]] || lab_fail "capstat $*: exit $rc, want 2 ($err)"
	(($(wc -l <"$T/opt.err") <= 2)) || lab_fail "capstat $*: more than 2 lines: $err"
	lab_expect_match "capstat $*" "$err" "$want"
	echo "capstat $*: exit 2: ${err//$'\n'/ / }"
}
opterr "^capstat: invalid option -- 'k'"$'\n'"Try 'capstat --help'" -k -r "$F"
opterr "^capstat: -p: not supported" -p -r "$F"
opterr "^capstat: --interval 0: " --interval 0 -r "$F"
opterr "^capstat: -c x: not a positive whole number" -c x -r "$F"
opterr "^capstat: -T: " -T 5 -r "$F"
"$CAPSTAT" --help | grep -q -- '-h, --help' || lab_fail "capstat --help does not list -h"
echo "PASS: capstat_names"
