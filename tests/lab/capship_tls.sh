#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capship_tls.sh - capship over HTTPS, the server's certificate checked
# (issue 22).  A clickhouse-server of the test's own serves HTTPS with a
# certificate for 127.0.0.1 from a CA made for the test; the archive is one
# small file (text2pcap) with its index.  capship --once, as an
# unprivileged uid in the capture group:
#  - https:// without ca_file (the system's CA store does not know the
#    test's CA): exit 1, one line naming the certificate problem, nothing
#    shipped;
#  - http:// to the HTTPS port: exit 2 (no HTTP answer: retry later), one
#    line, nothing shipped;
#  - https:// with ca_file = the test's CA: exit 0, the file's row in
#    ClickHouse;
#  - the server restarted with a certificate for other.example (same CA):
#    exit 1, one line naming the name mismatch, the archive's new file not
#    shipped.
# Row counts are ClickHouse's own answers over plain HTTP.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/clickhouse.sh"
. "$(dirname "$0")/capship_lab.sh"
lab_start CAPDUMP CAPSHIP text2pcap openssl
ch_start --https
ship_lab_user
ship_lab_box t lab-t T 'timeout = 10;'
arch=${SHIP_ARCH[t]} dir=${SHIP_DIR[t]}
install -m 0644 "$CH_CA" "$dir/ca.crt"

# pcap N: the N-th capture file of the archive (one UDP datagram to
# 239.1.1.1), with its index; both the capture group's to read.
pcap()
{
	local f=$arch/t-$1.pcapng

	printf '%s\n' '0000  01 00 5e 01 01 01 02 00 00 00 00 01 08 00 45 00' \
		'0010  00 1c 00 00 40 00 01 11 00 00 0a 00 00 01 ef 01' \
		'0020  01 01 75 31 75 31 00 08 00 00' >"$LAB_TMP/pkt.txt"
	text2pcap -q -t '%s.' "$LAB_TMP/pkt.txt" "$f" 2>"$LAB_TMP/text2pcap.err" ||
		lab_fail "text2pcap failed: $(<"$LAB_TMP/text2pcap.err")"
	"$CAPDUMP" --index "$f" >/dev/null 2>"$LAB_TMP/index.err" ||
		lab_fail "capdump --index $f: $(<"$LAB_TMP/index.err")"
	chgrp "$SHIP_GROUP" "$f" "$f.idx"
	chmod 0640 "$f" "$f.idx"
}

count() { ch_query "SELECT count() FROM capd.$1"; }

# conf NAME URL [MORE]: the box's configuration with another url (and
# MORE lines) in $dir/NAME.conf.
conf()
{
	sed "s|^url = .*|url = \"$2\";|" "${SHIP_CONF[t]}" >"$dir/$1.conf"
	printf '%s\n' "${3:-}" >>"$dir/$1.conf"
	chmod 0644 "$dir/$1.conf"
}

# ship NAME WANT_RC: capship --once on $dir/NAME.conf; its exit status must
# be WANT_RC; its lines but the start line in $LAB_TMP/NAME.out.
ship()
{
	local rc=0

	STATE_DIRECTORY=${SHIP_STATE[t]} "${SHIP_AS[@]}" "$CAPSHIP" -c "$dir/$1.conf" --once \
		>"$LAB_TMP/$1.raw" 2>&1 || rc=$?
	grep -v ': shipping box ' "$LAB_TMP/$1.raw" >"$LAB_TMP/$1.out" || true
	((rc == $2)) || lab_fail "$1: exit $rc, want $2: $(<"$LAB_TMP/$1.raw")"
}

# expect_one NAME PATTERN: $LAB_TMP/NAME.out is one line matching PATTERN.
expect_one()
{
	local text

	text=$(<"$LAB_TMP/$1.out")
	[[ $(grep -c . <<<"$text") == 1 ]] || lab_fail "$1: not one line: $text"
	lab_expect_match "$1" "$text" "$2"
	echo "$1: $text"
}

pcap 1

# --- https, the system's CA store only: the test's CA is unknown to it.
conf noca "$CH_HTTPS_URL"
ship noca 1
expect_one noca "certificate refused: .*(certificate|issuer)"
(($(count files_local) == 0)) || lab_fail "rows shipped without the CA"

# --- http:// to the HTTPS port: no HTTP answer comes.
conf plain "http://127.0.0.1:$CH_HTTPS_PORT/"
ship plain 2
expect_one plain "clickhouse unreachable: .+"
(($(count files_local) == 0)) || lab_fail "rows shipped over http to the https port"

# --- https with ca_file: shipped.
conf ca "$CH_HTTPS_URL" "ca_file = \"$dir/ca.crt\";"
ship ca 0
[[ ! -s $LAB_TMP/ca.out ]] || lab_fail "ca_file: $(<"$LAB_TMP/ca.out")"
(($(count "files FINAL") == 1)) || lab_fail "ca_file: $(count "files FINAL") files, want 1"
echo "ca_file: shipped, 1 file in capd.files"

# --- the server's certificate for another name, from the same CA.
ch_tls_cert DNS:other.example
ch_restart
pcap 2
ship ca 1
expect_one ca "certificate refused: .*(name|other\.example)"
(($(count files_local) == 1)) || lab_fail "rows shipped to a server of another name"

# The CA and the name both right again: the new file goes.
ch_tls_cert IP:127.0.0.1
ch_restart
ship ca 0
(($(count "files FINAL") == 2)) || lab_fail "after the right certificate: $(count "files FINAL") files, want 2"
echo "the right certificate again: 2 files in capd.files"
echo "PASS: capship_tls"
