#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_textout.sh - capdump -r F FLAGS prints what tcpdump -r F FLAGS
# prints, for every tcpdump habit capdump has: the same packets, lengths
# and text (line, -e link header, -x/-xx/-X/-XX/-A dumps, -v/-vv IP
# details, each -t time form, -q, -c), on files built with text2pcap,
# editcap and mergecap: IPv4 and IPv6 UDP, a VLAN tag, a non-IP frame, a
# frame earlier than the one before it, CR/LF in a payload, a snaplen that
# cuts packets, nanosecond timestamps, and an NRB naming a group.  What
# capdump adds on purpose (" # feed=... seq=..." at the end of a header
# line, its default UTC date-time) is checked, then removed exactly, and
# the rest compared.  Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP tcpdump tshark text2pcap editcap mergecap od
export TZ=UTC # tcpdump prints local time; capdump UTC
T=$LAB_TMP

# hexline BYTES...: one text2pcap line of the bytes given in hex.
hexline() { echo "0000 $*"; }
# frame_of FILE: the bytes of the first frame of FILE, in hex.
frame_of()
{
	editcap -F pcap -r "$1" "$T/one.pcap" 1
	tail -c +41 "$T/one.pcap" | od -An -tx1 -v | tr -s ' \n' ' '
}
payload() { for b in $(seq "$1" "$2"); do printf '%02x ' $((b & 255)); done; }

# IPv4 and IPv6 UDP (checksums by text2pcap), a payload with text, CR, LF.
text="$(printf 'GET /feed HTTP/1.1\r\nHost: x\r\n\r\nend\r' | od -An -tx1 -v | tr -s ' \n' ' ')"
{ hexline "$(payload 0 99)"; hexline "$text"; } >"$T/a.hex"
text2pcap -q -u 5000,30001 -4 10.0.0.1,239.1.1.1 "$T/a.hex" "$T/v4.pcapng"
text2pcap -q -u 5001,30002 -6 fe80::1,ff3e::1 "$T/a.hex" "$T/v6.pcapng"
# The IPv4 frame with an 802.1Q tag (VLAN 100, priority 1), in a second.
read -ra fr <<<"$(frame_of "$T/v4.pcapng")"
hexline "${fr[*]:0:12} 81 00 20 64 ${fr[*]:12}" >"$T/vlan.hex"
text2pcap -q "$T/vlan.hex" "$T/vlan.pcapng"
# Not IP: a local experimental ethertype.
hexline "01 00 5e 01 01 01 02 00 00 00 00 01 88 b5 $(payload 0 45)" >"$T/other.hex"
text2pcap -q "$T/other.hex" "$T/other.pcapng"
# Nanosecond timestamps; the non-IP frame goes back in time (-ttt < 0).
editcap -t 0.123456789 "$T/v6.pcapng" "$T/v6ns.pcapng"
editcap -t -3.000000007 "$T/other.pcapng" "$T/otherns.pcapng"
mergecap -a -w "$T/merged.pcapng" "$T/v4.pcapng" "$T/v6ns.pcapng" "$T/vlan.pcapng" \
	"$T/otherns.pcapng" "$T/v4.pcapng"

# An NRB naming 239.1.1.1 FEED-A and ff3e::1 FEED-6, as capdump writes the
# feeds' names, after the SHB and IDB (little-endian, as text2pcap writes).
{
	# record: type 1, 4 + 7 bytes, padded to 12
	lab_le16 1; lab_le16 11; printf '\xef\x01\x01\x01FEED-A\0\0'
	# record: type 2, 16 + 7 bytes, padded to 24
	lab_le16 2; lab_le16 23; printf '\xff\x3e'; printf '\0%.0s' $(seq 13); printf '\x01FEED-6\0\0'
	lab_le16 0; lab_le16 0
} >"$T/nrb.body"
F=$T/all.pcapng
lab_nrb_insert "$T/merged.pcapng" "$F" "$T/nrb.body"
names=$(tshark -r "$F" -N n -T fields -e ip.dst_host -e ipv6.dst_host 2>/dev/null | sort -u | tr '\n' ' ')
lab_expect_match "tshark reads the NRB" "$names" "FEED-A"
lab_expect_match "tshark reads the NRB" "$names" "FEED-6"
editcap -s 60 "$F" "$T/snap.pcapng" # cuts the IPv6 UDP header, the payloads
editcap -F pcap "$F" "$T/all.pcap"  # microseconds, no NRB
n=$(tcpdump -q -r "$F" 2>/dev/null | wc -l)
((n == 8)) || lab_fail "tcpdump reads $n packets of $F, want 8"

# capd's own words at the end of a header line, exactly; and its default
# date-time made into tcpdump's -tttt form.
extra=' # ((feed=[A-Za-z0-9-]+|vlan=[0-9]+|seq=[0-9]+|ts=[a-z-]+|unsynced|caplen=[0-9]+|wirelen=[0-9]+)( |$))+$'
strip() { sed -E "s/$extra//; s/^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9:]{8}\\.[0-9]{6,9})Z /\\1 \\2 /"; }

compared=0
# same FILE FLAGS...: capdump and tcpdump agree (tcpdump with --nano,
# unless the flags ask for micro; -tttt for capdump's default time).
same()
{
	local f=$1 a want got
	local -a tflags=()
	shift
	[[ " $* " == *" -t"* ]] || tflags=(-tttt)
	[[ " $* " == *micro* ]] || tflags+=(--nano)
	for a in "$@"; do
		[[ $a == --time-stamp-precision=micro ]] || tflags+=("$a")
	done
	want=$(tcpdump -n -r "${tfile:-$f}" "${tflags[@]}" 2>/dev/null)
	"$CAPDUMP" -r "$f" "$@" >"$T/got" 2>"$T/err" || lab_fail "capdump -r $f $*: $(<"$T/err")"
	got=$(strip <"$T/got")
	if [[ $got != "$want" ]]; then
		diff <(echo "$want") <(echo "$got") | head -20 >&2
		lab_fail "capdump -r ${f##*/} $* differs from tcpdump (< tcpdump, > capdump)"
	fi
	compared=$((compared + 1))
}

for f in "$F" "$T/snap.pcapng"; do
	for flags in "" "-n" "-v" "-vv" "-e" "-x" "-xx" "-X" "-XX" "-A" "-q" "-q -e" "-q -vv" \
		"-t" "-tt" "-ttt" "-tttt" "-ttttt" "-c 3" "-c 1 -X" "-l" \
		"-e -v" "-e -vv -X" "-v -x" "-e -XX -ttt" "-n -e -A -tt" "-vv -xx -ttttt" \
		"-c 4 -ttt -e"; do
		# shellcheck disable=SC2086
		same "$f" $flags
	done
done
# Microseconds, as tcpdump's default precision: from a nanosecond pcapng
# and from a microsecond pcap.
for f in "$F" "$T/all.pcap"; do
	for flags in "" "-tt" "-ttt" "-tttt" "-ttttt" "-e -x"; do
		# shellcheck disable=SC2086
		same "$f" --time-stamp-precision=micro $flags
	done
done
n=$("$CAPDUMP" -r "$F" --micro -tt 2>/dev/null | head -1)
lab_expect_match "--micro" "$n" "^[0-9]+\\.[0-9]{6} IP "
# -s 60: capdump cuts what it reads as editcap -s 60 cut the file tcpdump
# reads (tcpdump ignores -s with -r).
tfile=$T/snap.pcapng
for flags in "" "-x" "-e -vv -X" "-A" "-q -e"; do
	# shellcheck disable=SC2086
	same "$F" -s 60 $flags
done
unset tfile
echo "capdump and tcpdump printed the same text for $compared flag sets on the same files"

# What capdump adds: the feed the file's NRB names, for both families, on
# the line of each of its packets, and only there; with -v the VLAN.
out=$("$CAPDUMP" -r "$F" -t -q)
echo "$out"
want="IP 10.0.0.1.5000 > 239.1.1.1.30001: UDP, length 100 # feed=FEED-A"
lab_expect_match "feed of IPv4" "$(sed -n 1p <<<"$out")" "^${want//./\\.}\$"
lab_expect_match "feed of IPv6" "$(grep -c 'ff3e::1.30002: UDP, length [0-9]* # feed=FEED-6$' <<<"$out")" "^2$"
lab_expect_match "feed lines" "$(grep -c ' # feed=' <<<"$out")" "^7$"
vv=$("$CAPDUMP" -r "$F" -t -vv | grep -F ' # ')
lab_expect_match "-vv VLAN" "$vv" "# feed=FEED-A vlan=100 caplen=146 wirelen=146"
lab_expect_match "-vv lengths" "$vv" "ff3e::1.30002: \\[udp sum ok\\] UDP, length 100 # feed=FEED-6 caplen=162 wirelen=162"
# A name record is the file's, hostile: escape sequences and line breaks in
# a name must not reach the terminal or split a line.
{
	lab_le16 1; lab_le16 16; printf '\xef\x01\x01\x01EV\x1b[2J\nIL\x7f!\0\0\0\0\0'
	lab_le16 0; lab_le16 0
} >"$T/evil.body"
lab_nrb_insert "$T/v4.pcapng" "$T/evil.pcapng" "$T/evil.body"
out=$("$CAPDUMP" -r "$T/evil.pcapng" -t 2>/dev/null)
echo "hostile name: $out"
n=$(grep -c '^IP 10\.0\.0\.1\.5000 > 239\.1\.1\.1\.30001: UDP, length [0-9]* # feed=EV?\[2J?IL?!$' <<<"$out")
((n == 2 && $(wc -l <<<"$out") == 2)) || lab_fail "hostile name: $n of 2 lines as expected: $out"
# An option value that is not one: refused, naming it.
rc=0
"$CAPDUMP" -r "$F" --time-stamp-precision=pico >/dev/null 2>"$T/err" || rc=$?
((rc == 2)) || lab_fail "--time-stamp-precision=pico: exit $rc, want 2"
rc=0
"$CAPDUMP" -r "$F" -tttttt >/dev/null 2>"$T/err" || rc=$?
((rc == 2)) || lab_fail "-tttttt: exit $rc, want 2"
echo "PASS: capdump_textout"
