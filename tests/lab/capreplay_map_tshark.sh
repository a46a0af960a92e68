#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_map_tshark.sh TEST_REPLAY_MAP - the frames capreplay's frame
# mode rewrites (new group and port, TTL, MACs; IPv4 and IPv6, with and
# without a VLAN tag, payloads of 0..33 bytes) have checksums tshark finds
# good: test_replay_map writes them into a pcap, tshark checks each IPv4
# header checksum and each UDP checksum.  The last frame was spoilt after
# its rewrite: tshark must find its UDP checksum bad, which shows the check
# ran.  Needs no privileges.
set -euo pipefail

prog=$1
command -v tshark >/dev/null || { echo "SKIP: tshark missing" >&2; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/capreplay_map_tshark.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$prog" "$dir/rewritten.pcap"
# ip.checksum.status / udp.checksum.status: 1 good, 0 bad, 2 not checked.
tshark -r "$dir/rewritten.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
	-T fields -e ip.checksum.status -e udp.checksum.status >"$dir/status" 2>"$dir/err"
want=$(printf '%s\n' "1	1" "	1" "1	1" "	1" "1	1" "	1" \
	"1	1" "1	1" "1	1" "1	1" "1	0")
got=$(cat "$dir/status")
if [[ $got != "$want" ]]; then
	echo "FAIL: tshark's checksum verdicts differ from the expected ones" >&2
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2 || true
	cat "$dir/err" >&2
	exit 1
fi
echo "PASS: $(wc -l <"$dir/status") rewritten frames, checksums as tshark checks them"
