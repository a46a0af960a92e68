#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_target.sh - -w names something that is not a regular file (issue
# 13, point 11): it is never replaced.
#  - a character device (made here with /dev/null's numbers, never the real
#    one) and a FIFO read by tshark are written into, as tcpdump does; -C
#    and -G are refused on them (exit 2), creating nothing;
#  - a symlink in a directory only its owner can write is written through,
#    to a FIFO or a regular file, and stays a symlink;
#  - a symlink in a directory others can write is refused with the name to
#    give instead, and neither it nor what it names is touched;
#  - a socket is refused and stays a socket.
# Root, for mknod; the input is a file (-r), no capd.
. "$(dirname "$0")/lab.sh"
lab_start CAPDUMP tshark text2pcap python3 timeout stat
T=$LAB_TMP/t
mkdir "$T"
chmod 0700 "$T"

# 200 UDP packets of 300 bytes, each different.
for i in $(seq 0 199); do
	printf '0000 '
	for b in $(seq 0 299); do printf '%02x ' $(((i * 7 + b) & 255)); done
	printf '\n'
done >"$LAB_TMP/hex"
text2pcap -q -u 1000,30001 -4 10.0.0.1,239.1.1.1 "$LAB_TMP/hex" "$LAB_TMP/in.pcapng" 2>/dev/null
fields=(-T fields -e frame.len -e udp.payload)
tshark -r "$LAB_TMP/in.pcapng" "${fields[@]}" >"$LAB_TMP/want" 2>/dev/null
(($(wc -l <"$LAB_TMP/want") == 200)) || lab_fail "the input holds $(wc -l <"$LAB_TMP/want") packets"

# dump NAME ARGS...: capdump -r the input ARGS; exit status in LAB_REPLY,
# standard error in NAME.err.
dump() {
	local name=$1 rc=0
	shift
	timeout 30 "$CAPDUMP" -r "$LAB_TMP/in.pcapng" "$@" 2>"$LAB_TMP/$name.err" || rc=$?
	echo "$name: capdump $*: exit $rc: $(<"$LAB_TMP/$name.err")"
	LAB_REPLY=$rc
}

# is WHAT PATH KIND: stat's %F of PATH (not followed) is KIND.
is() {
	local k
	k=$(stat -c %F "$2")
	[[ $k == "$3" ]] || lab_fail "$1: $2 is now a $k, was a $3"
}

# Nothing but these names in $T (no temporary file, no rotated file).
only() {
	local got
	got=$(cd "$T" && find . -mindepth 1 -maxdepth 2 -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ')
	[[ $got == "$* " ]] || lab_fail "files in $T: '$got', want '$* '"
}

# fifo_read PATH OUT: tshark reads the FIFO PATH into OUT, in the background.
fifo_read() {
	timeout 30 tshark -r "$1" "${fields[@]}" >"$2" 2>"$2.err" &
	LAB_REPLY=$!
	lab_on_exit "kill $LAB_REPLY 2>/dev/null || true"
}

# got WHAT OUT: OUT holds every packet of the input, as tshark read it.
got() {
	cmp -s "$LAB_TMP/want" "$2" ||
		lab_fail "$1: tshark read $(wc -l <"$2") packets, not the 200 written: $(cat "$2.err" 2>/dev/null)"
	echo "$1: tshark read all 200 packets"
}

# A character device: written into, still the device.
mknod "$T/null" c 1 3
dump null -w "$T/null"
((LAB_REPLY == 0)) || lab_fail "-w a character device: exit $LAB_REPLY"
lab_expect_match "null summary" "$(<"$LAB_TMP/null.err")" "200 packets written to 1 file,"
is "-w null" "$T/null" "character special file"
[[ $(stat -c %t,%T "$T/null") == 1,3 ]] || lab_fail "$T/null is now $(stat -c %t,%T "$T/null")"
only null
for opt in "-C 1" "-G 1"; do
	# shellcheck disable=SC2086 # the option and its value
	dump null-rot -w "$T/null" $opt
	((LAB_REPLY == 2)) || lab_fail "-w a character device $opt: exit $LAB_REPLY, want 2"
	lab_expect_match "null $opt" "$(<"$LAB_TMP/null-rot.err")" "is a character device"
	is "-w null $opt" "$T/null" "character special file"
	only null
done

# A FIFO into tshark.
mkfifo "$T/fifo"
fifo_read "$T/fifo" "$LAB_TMP/fifo.out"
reader=$LAB_REPLY
dump fifo -w "$T/fifo"
((LAB_REPLY == 0)) || lab_fail "-w a FIFO: exit $LAB_REPLY"
wait "$reader" || true
got "-w fifo" "$LAB_TMP/fifo.out"
is "-w fifo" "$T/fifo" "fifo"
only fifo null
dump fifo-rot -w "$T/fifo" -G 1
((LAB_REPLY == 2)) || lab_fail "-w a FIFO -G 1: exit $LAB_REPLY, want 2"
only fifo null

# Symlinks in $T (0700, ours): written through.
ln -s fifo "$T/tofifo"
fifo_read "$T/fifo" "$LAB_TMP/tofifo.out"
reader=$LAB_REPLY
dump tofifo -w "$T/tofifo"
((LAB_REPLY == 0)) || lab_fail "-w a symlink to a FIFO: exit $LAB_REPLY"
wait "$reader" || true
got "-w tofifo" "$LAB_TMP/tofifo.out"
is "-w tofifo" "$T/tofifo" "symbolic link"
is "-w tofifo" "$T/fifo" "fifo"
mkdir "$T/d"
echo "an older capture" >"$T/d/real.pcapng"
ln -s d/real.pcapng "$T/tofile"
dump tofile -w "$T/tofile"
((LAB_REPLY == 0)) || lab_fail "-w a symlink to a file: exit $LAB_REPLY"
is "-w tofile" "$T/tofile" "symbolic link"
tshark -r "$T/d/real.pcapng" "${fields[@]}" >"$LAB_TMP/tofile.out" 2>"$LAB_TMP/tofile.out.err" || true
got "-w tofile" "$LAB_TMP/tofile.out"
only d d/real.pcapng fifo null tofifo tofile

# A symlink in a directory others can write (sticky, like /tmp): refused.
mkdir "$T/shared"
chmod 1777 "$T/shared"
echo "precious" >"$T/victim"
ln -s ../victim "$T/shared/cap.pcapng"
dump shared -w "$T/shared/cap.pcapng"
((LAB_REPLY == 1)) || lab_fail "-w a symlink in a shared directory: exit $LAB_REPLY, want 1"
lab_expect_match "shared" "$(<"$LAB_TMP/shared.err")" \
	"cap.pcapng is a symlink in a directory others can write: .*give -w $T/victim"
is "-w shared/cap.pcapng" "$T/shared/cap.pcapng" "symbolic link"
[[ $(<"$T/victim") == precious ]] || lab_fail "what the refused symlink names was changed"
only d d/real.pcapng fifo null shared shared/cap.pcapng tofifo tofile victim

# A socket: refused, still a socket.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sock"
dump sock -w "$T/sock"
((LAB_REPLY == 1)) || lab_fail "-w a socket: exit $LAB_REPLY, want 1"
lab_expect_match "sock" "$(<"$LAB_TMP/sock.err")" "sock is a socket"
is "-w sock" "$T/sock" "socket"
only d d/real.pcapng fifo null shared shared/cap.pcapng sock tofifo tofile victim
echo "PASS: capdump_target"
