#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_badinput.sh - capdump -r on truncated and corrupted capture files:
# a clear message and a non-zero exit, never a crash, and every complete
# packet before the damage is still delivered (at least what tshark reads of
# the same file). Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP tshark zstd
lab_require_cmd text2pcap

# A good file: 50 UDP packets of 100 bytes, written by text2pcap.
for i in $(seq 0 49); do
	printf '0000 '
	for b in $(seq 0 99); do printf '%02x ' $(((i + b) & 255)); done
	printf '\n'
done >"$LAB_TMP/hex"
text2pcap -q -n -u 1000,30001 -4 10.0.0.1,239.1.1.1 "$LAB_TMP/hex" "$LAB_TMP/good.pcapng"
zstd -q -f "$LAB_TMP/good.pcapng" -o "$LAB_TMP/good.pcapng.zst"
size=$(stat -c %s "$LAB_TMP/good.pcapng")
n=$("$CAPDUMP" -r "$LAB_TMP/good.pcapng" -q | wc -l)
((n == 50)) || lab_fail "the good file gave $n packets, want 50"

# try FILE [compare]: capdump never crashes; it explains itself when it
# fails; with compare, it delivers at least what tshark can read.
try() {
	local f=$1 rc=0 got want=0
	"$CAPDUMP" -r "$f" -q >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	got=$(wc -l <"$LAB_TMP/out")
	((rc < 128)) || lab_fail "$f: capdump crashed (exit $rc)"
	((rc == 0)) || [[ $(wc -l <"$LAB_TMP/err") -ge 1 ]] || lab_fail "$f: exit $rc without a message"
	# -X read_format: tshark 4.0 takes some pcapng fragments for MP4.
	[[ -z ${2:-} ]] || want=$(tshark -X read_format:pcapng -r "$f" 2>/dev/null | wc -l || true)
	((got >= want)) || lab_fail "$f: capdump gave $got packets, tshark reads $want"
	echo "$rc"
}

# Truncated at 80 offsets (compared with tshark) and at every 3rd byte
# (no crash): the complete packets before the cut.
fails=0 cuts=0
for ((cut = 0; cut < size; cut += 3)); do
	head -c "$cut" "$LAB_TMP/good.pcapng" >"$LAB_TMP/cut.pcapng"
	cmp=
	((cut % (size / 80 * 3 + 3) == 0)) && cmp=1
	rc=$(try "$LAB_TMP/cut.pcapng" $cmp)
	((rc == 0)) || fails=$((fails + 1))
	cuts=$((cuts + 1))
done
echo "truncated at $cuts offsets: $fails refused with a message, none crashed"
head -c $((size / 2)) "$LAB_TMP/good.pcapng" >"$LAB_TMP/half.pcapng"
"$CAPDUMP" -r "$LAB_TMP/half.pcapng" -q >/dev/null 2>"$LAB_TMP/err" || true
lab_expect_match "half file" "$(<"$LAB_TMP/err")" "truncated"
cat "$LAB_TMP/err"

# Truncated compressed: what was decodable.
zsize=$(stat -c %s "$LAB_TMP/good.pcapng.zst")
for ((cut = 0; cut < zsize; cut += 2)); do
	head -c "$cut" "$LAB_TMP/good.pcapng.zst" >"$LAB_TMP/cut.pcapng.zst"
	try "$LAB_TMP/cut.pcapng.zst" >/dev/null
done
echo "compressed file truncated at $((zsize / 2 + 1)) offsets: no crash"

# Corrupted: 300 copies with 1-8 random bytes changed.
RANDOM=42
for _ in $(seq 300); do
	cp "$LAB_TMP/good.pcapng" "$LAB_TMP/bad.pcapng"
	for _ in $(seq $((RANDOM % 8 + 1))); do
		printf "\\x$(printf %02x $((RANDOM % 256)))" |
			dd of="$LAB_TMP/bad.pcapng" bs=1 seek=$((RANDOM % size)) conv=notrunc status=none
	done
	try "$LAB_TMP/bad.pcapng" >/dev/null
done
echo "300 corrupted copies: no crash"

# Not a capture file at all.
rc=0
"$CAPDUMP" -r /etc/passwd -q 2>"$LAB_TMP/err" || rc=$?
((rc == 1)) || lab_fail "/etc/passwd: exit $rc"
lab_expect_match "not a capture" "$(<"$LAB_TMP/err")" "not a pcapng, pcap or zstd capture file"
echo "PASS: capdump_badinput"
