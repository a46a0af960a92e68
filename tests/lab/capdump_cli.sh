#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_cli.sh - capdump's command line on files, judged by tshark,
# capinfos and tcpdump: a closed pipe ends the run with exit 0 and a summary
# that counts what reached the pipe; the output format follows -w's name;
# -s cuts packets and says so in the file; option errors name the option in
# one line (plus "Try ... --help"), never the usage.  Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP tshark capinfos text2pcap tcpdump timeout

# 20000 UDP packets of 100 bytes (142 on the wire), written by text2pcap.
N=20000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) { printf "0000"; for (b = 0; b < 100; b++)
	printf " %02x", (i + b) % 256; printf "\n" } }' >"$LAB_TMP/hex"
text2pcap -q -n -u 1000,30001 -4 10.0.0.1,239.1.1.1 "$LAB_TMP/hex" "$LAB_TMP/in.pcapng"
in=$LAB_TMP/in.pcapng

summary_count() { sed -n 's/^capdump: \([0-9]*\) packets written.*/\1/p' "$1"; }

# 1. Text into | head -n 1: capdump stops at once (bounded by timeout),
#    exits 0, and counts the lines that reached the pipe, not all of them.
rc=0
timeout 10 "$CAPDUMP" -r "$in" 2>"$LAB_TMP/err" | head -n 1 >/dev/null || true
rc=${PIPESTATUS[0]}
((rc == 0)) || lab_fail "| head -n 1: exit $rc, want 0 (tcpdump: a closed pipe ends it): $(<"$LAB_TMP/err")"
got=$(summary_count "$LAB_TMP/err")
[[ -n $got ]] && ((got >= 1 && got < N)) ||
	lab_fail "| head -n 1: the summary counts ${got:-nothing} of $N lines: $(<"$LAB_TMP/err")"
lab_expect_match "| head -n 1" "$(<"$LAB_TMP/err")" "closed it"

# 2. -w - | head -c: exit 0, no error, and the summary is the packets
#    written whole into the pipe: at least those in what the reader took,
#    at most those plus a pipe's buffer (64 KiB) more.
for take in 100 300000; do
	timeout 10 "$CAPDUMP" -r "$in" -w - 2>"$LAB_TMP/err" | head -c $take >"$LAB_TMP/part"
	rc=${PIPESTATUS[0]}
	((rc == 0)) || lab_fail "-w - | head -c $take: exit $rc, want 0: $(<"$LAB_TMP/err")"
	grep -q 'Broken pipe' "$LAB_TMP/err" && lab_fail "-w - | head -c $take: $(<"$LAB_TMP/err")"
	got=$(summary_count "$LAB_TMP/err")
	read_whole=$(tshark -r "$LAB_TMP/part" -T fields -e frame.number 2>/dev/null | wc -l || true)
	max=$((read_whole + 65536 / 160 + 1))
	echo "-w - | head -c $take: summary $got, reader took $read_whole whole packets"
	[[ -n $got ]] && ((got >= read_whole && got <= max && got < N)) ||
		lab_fail "-w - | head -c $take: the summary says ${got:-nothing}, want $read_whole..$max"
done

# 3. The format follows the name; -F agrees with it or is refused.
check_type() { # FILE WANT(pcap|pcapng) ZSTD(0|1)
	local t
	t=$(capinfos -t "$1" | sed -n 's/^File type: *//p')
	case $2 in
	pcap) [[ $t == *"nanosecond pcap"* ]] ;;
	pcapng) [[ $t == *"pcapng"* ]] ;;
	esac || lab_fail "$1: capinfos says '$t', want $2"
	if (($3)); then [[ $t == *zstd* ]]; else [[ $t != *zstd* ]]; fi ||
		lab_fail "$1: capinfos says '$t', want zstd=$3"
	n=$(tshark -r "$1" 2>/dev/null | wc -l)
	((n == 5)) || lab_fail "$1: tshark reads $n packets, want 5"
}
cd "$LAB_TMP" || exit 1
"$CAPDUMP" -q -r "$in" -c 5 -w o.pcap && check_type o.pcap pcap 0
"$CAPDUMP" -q -r "$in" -c 5 -w o.pcapng && check_type o.pcapng pcapng 0
"$CAPDUMP" -q -r "$in" -c 5 -w o.pcapng.zst && check_type o.pcapng.zst pcapng 1
"$CAPDUMP" -q -r "$in" -c 5 -w o.pcap.zst && check_type o.pcap.zst pcap 1
"$CAPDUMP" -q -r "$in" -c 5 -w O.PCAP && check_type O.PCAP pcap 0
"$CAPDUMP" -q -r "$in" -c 5 -w o.zst && check_type o.zst pcapng 1
"$CAPDUMP" -q -r "$in" -c 5 -F pcap -w p.zst && check_type p.zst pcap 1
"$CAPDUMP" -q -r "$in" -c 5 -F pcap -w - >o-stdout && check_type o-stdout pcap 0

# refused ARGS... -- PATTERN: exit 2, at most two lines (the reason and
# "Try 'capdump --help'"), the pattern among them, no usage, no file made.
refused() {
	local args=() rc=0
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	"$CAPDUMP" "${args[@]}" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	((rc == 2)) || lab_fail "capdump ${args[*]}: exit $rc, want 2"
	(($(wc -l <"$LAB_TMP/err") <= 2)) || lab_fail "capdump ${args[*]}: $(wc -l <"$LAB_TMP/err") lines: $(<"$LAB_TMP/err")"
	grep -q -e "$2" "$LAB_TMP/err" || lab_fail "capdump ${args[*]}: '$(<"$LAB_TMP/err")' does not say $2"
	grep -q usage "$LAB_TMP/err" && lab_fail "capdump ${args[*]}: printed the usage"
	[[ ! -s $LAB_TMP/out ]] || lab_fail "capdump ${args[*]}: wrote to stdout"
	echo "refused: capdump ${args[*]}: $(head -1 "$LAB_TMP/err")"
}
refused -r "$in" -w g.pcap.gz -- '-w g.pcap.gz.*\.gz'
refused -r "$in" -w g.pcapng.xz -- '\.xz'
refused -r "$in" -F pcapng -w g.pcap -- '-F pcapng.*g.pcap'
refused -r "$in" -F pcap -w g.pcapng -- '-F pcap.*g.pcapng'
refused -r "$in" -F pcapx -w g -- '-F pcapx'
[[ ! -e g.pcap.gz && ! -e g.pcapng.xz && ! -e g.pcap && ! -e g.pcapng ]] || lab_fail "a refused -w made a file"
refused -r "$in" -C abc -w g -- '-C abc'
refused -r "$in" -c 0 -- '-c 0'
refused -r "$in" -s -5 -- '-s -5'
refused -r "$in" -s 300000 -- '-s 300000'
refused -r "$in" -z 99 -w g.zst -- '-z 99'
refused -r "$in" -W 3 -w g -- '-W.*-C or -G'
refused -r "$in" --start yesterday -- '--start yesterday'
refused -r "$in" -T 5 -- '-T'
refused -i ring --from oldest -T 5 -- '--from and -T'
refused -i ring --start 1 -- '--start'
refused -r "$in" -k -- "invalid option -- 'k'"
refused -r "$in" --bogus -- "unrecognized option '--bogus'"
refused -r "$in" -w -- "requires an argument -- 'w'"
for o in -I -p -L -J; do refused -r "$in" $o -- "^capdump: $o: not supported: "; done
for o in -B -y -j -Z -E -M -Q; do refused -r "$in" $o x -- "^capdump: $o: not supported: "; done

# 4. -s: the packets cut, the interface's snaplen says so; 0 means 262144.
"$CAPDUMP" -q -r "$in" -s 60 -w s.pcapng
lens=$(tshark -r s.pcapng -T fields -e frame.cap_len -e frame.len | sort -u)
[[ $lens == $'60\t142' ]] || lab_fail "-s 60: cap_len/len '$lens', want 60/142"
tcp=$(tcpdump -r s.pcapng -c 1 2>&1 | sed -n 's/.*snapshot length \([0-9]*\).*/\1/p')
[[ $tcp == 60 ]] || lab_fail "-s 60: tcpdump reads snapshot length '$tcp', want 60"
"$CAPDUMP" -q -r "$in" -s 60 -F pcap -w s.pcap
tcp=$(tcpdump -r s.pcap -c 1 2>&1 | sed -n 's/.*snapshot length \([0-9]*\).*/\1/p')
[[ $tcp == 60 ]] || lab_fail "-s 60 -F pcap: tcpdump reads snapshot length '$tcp', want 60"
"$CAPDUMP" -q -r "$in" -s 0 -c 3 -w s0.pcapng
lens=$(tshark -r s0.pcapng -T fields -e frame.cap_len | sort -u)
[[ $lens == 142 ]] || lab_fail "-s 0: cap_len '$lens', want 142"
n=$("$CAPDUMP" -r "$in" -c 7 -q | wc -l)
((n == 7)) || lab_fail "-c 7 -q: $n lines"

# 5. Help: every option, -h itself, --help and --version.
"$CAPDUMP" --help >help
for o in -i -r -w -F -C -G -W -c -s -U -z --from -T --start --end --resume -q -K -h --help -V --version; do
	grep -q -e "  $o\b\|, $o\b" help || lab_fail "--help does not list $o"
done
echo "PASS: capdump_cli"
