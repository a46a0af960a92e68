#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capctl_hostile.sh - what a member of the ring's group can do to
# `capctl status` through the readers directory (run.dir/readers), and
# that it does not work.  uid 65534 ("evil") in the group:
#
#  - plants status files with terminal escape sequences (C0 and C1) for
#    processes of its own, and one for a root process, the pid of another
#    user's reader, or pid 1;
#  - pre-creates the status file and the old temporary file
#    (PID.status.tmp) of a reader of another member (uid U) before it
#    starts;
#  - plants 300 files: 100 for live processes of its own, 100 for pid 1,
#    100 for pids that do not exist.
#
# capctl status, text and --json, as root and as the member, must then show
# the real readers exactly (a root capdump, U's capdump, and no more than
# 64 of evil's own processes, saying how many it left out and whose), print
# no control character (the bytes are checked), and U's capdump must have
# announced itself anyway, saying once why under another name.  With /proc
# mounted hidepid=2 a member cannot see other users' processes: their
# readers are not listed but counted as unverifiable.  When the readers
# exit, none of their files is left.
#
# Every check runs and is reported; the test fails at the end if any did.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPDUMP CAPCTL ip jq setpriv groupadd getent unshare mount od
CAPD_LAB_GROUP=capd-$LAB_RUN_ID
groupadd --system "$CAPD_LAB_GROUP"
lab_on_exit groupdel "$CAPD_LAB_GROUP"
gid=$(getent group "$CAPD_LAB_GROUP" | cut -d: -f3)
evil=65534
victim=64000
while getent passwd "$victim" >/dev/null; do victim=$((victim + 1)); done
capd_lab_setup hos
capd_lab_conf 16M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
chmod 0711 "$LAB_TMP" # members reach run.dir/readers (capd makes it 3770)
capd_lab_start
rdir=$LAB_TMP/readers
ring=$(realpath "$CAPD_RING")
[[ $(stat -c %a "$rdir") == 3770 ]] || lab_fail "$rdir: mode $(stat -c %a "$rdir")"

fails=0
bad()
{
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

expect() # expect WHAT GOT WANT
{
	if [[ $2 == "$3" ]]; then
		echo "ok: $1: ${2//$'\n'/ }"
	else
		bad "$1: got [${2//$'\n'/ }], want [${3//$'\n'/ }]"
	fi
}

# "${as_evil[@]}" CMD...: CMD as evil, a member of the ring's group without
# capabilities; as_victim likewise.  Arrays, not functions: "${as_evil[@]}"
# CMD & is CMD's own pid in $! (setpriv execs it), a function's would not be.
as_evil=(setpriv --reuid=$evil --regid=$evil --groups="$gid" --inh-caps=-all)
as_victim=(setpriv --reuid=$victim --regid=$victim --groups="$gid" --inh-caps=-all)

pids=() # every process started here, ended at exit
lab_on_exit 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; true'

# status PID PROGRAM COMMAND: a status file's text (printf %b escapes).
status()
{
	local now

	now=$(date +%s%N)
	printf 'capd-reader 1\npid %s\nprogram %b\ncommand %b\nstarted %s\nupdated %s\n' \
		"$1" "$2" "$3" "$now" "$now"
	printf 'ring generation=1 next_seq=0 position=0 records=0 lost=0 laps=0 last_ts=0 path=%s\n' \
		"$ring"
}

plant() # plant NAME: stdin into run.dir/readers/NAME, as evil
{
	"${as_evil[@]}" sh -c 'cat >"$1"' sh "$rdir/$1" || lab_fail "evil could not plant $1"
}

json() # json [evil]: capctl status --json into $LAB_TMP/status.json
{
	if [[ -n ${1:-} ]]; then
		"${as_evil[@]}" "$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/status.json"
	else
		"$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/status.json"
	fi
}

jqs() { jq -r "$1" "$LAB_TMP/status.json"; }

# control_bytes FILE: how many bytes other than newline are C0, DEL or C1
# (alone or as UTF-8: none of the test's strings holds other non-ASCII).
control_bytes()
{
	od -An -tu1 -v "$1" | tr -s ' ' '\n' |
		awk '$1 != "" && (($1 < 32 && $1 != 10) || $1 == 127 || ($1 >= 128 && $1 <= 159)) {n++}
		     END {print n + 0}'
}

# --- evil's own processes, a root process, the readers
"${as_evil[@]}" sleep 300 &
s1=$!
"${as_evil[@]}" sleep 300 &
s2=$!
sleep 300 &
rootp=$!
pids+=("$s1" "$s2" "$rootp")

# U's capdump, held until evil has taken its names: its pid is $! already.
# Not quiet (-q): it is to say once that its name was taken.
"${as_victim[@]}" bash -c 'until [ -e "$1" ]; do sleep 0.05; done
	exec "$2" -i "$3" -w -' sh "$LAB_TMP/go" "$CAPDUMP" "$CAPD_RING" \
	>/dev/null 2>"$LAB_TMP/victim.err" &
vpid=$!
pids+=("$vpid")
"$CAPDUMP" -i "$CAPD_RING" -q -w - >/dev/null 2>"$LAB_TMP/root.err" &
dpid=$!
pids+=("$dpid")

# --- what evil plants
status "$s1" 'capdump\e]0;owned\a' 'capdump \e[2J\e[31m -i x' | plant "$s1.status"
c1_cmd='capdump -w \xc2\x9b31m\x9b2J\\x1b'
status "$s2" capdump "$c1_cmd" | plant "$s2.status"
status "$rootp" capdump 'fake root reader\e[5m' | plant "$rootp.status"
status "$vpid" evil 'evil \e[8m' | plant "$vpid.status"
: | plant "$vpid.status.tmp"
touch "$LAB_TMP/go"

# Readers write within half a second of starting.
for _ in $(seq 50); do
	json
	[[ $(jqs "any(.readers[]; .pid == $vpid) and any(.readers[]; .pid == $dpid)" 2>/dev/null) == \
		true ]] && break
	sleep 0.1
done

# --- the listing: the real readers and evil's own valid one, no more
want=$(printf '%s\n' "$dpid:0:capdump" "$vpid:$victim:capdump" "$s2:$evil:capdump" | sort)
expect "listed (pid:uid:program): root's capdump, uid $victim's, evil's own $s2" \
	"$(jqs '.readers[] | "\(.pid):\(.uid):\(.program)"' 2>&1 | sort)" "$want"
# $s1: escapes, $rootp: root's process, $vpid: uid $victim's process.
expect "not listed (uid:over_limit:refused)" \
	"$(jqs '.readers_not_listed.uids[] | "\(.uid):\(.over_limit):\(.refused)"' 2>&1)" \
	"$evil:0:3"
# JSON escapes C1 as \u009b; a byte that is not UTF-8 becomes \u00XX too.
expect "evil's command in JSON, decoded" \
	"$(jqs ".readers[] | select(.pid == $s2) | .command" 2>&1 | od -An -c | tr -s ' \n' ' ')" \
	"$(printf '%b' 'capdump -w \xc2\x9b31m\xc2\x9b2J\\x1b\n' | od -An -c | tr -s ' \n' ' ')"

# --- no control character reaches the terminal
"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/status.txt"
cat "$LAB_TMP/status.txt"
for f in status.txt status.json; do
	expect "$f: control bytes" "$(control_bytes "$LAB_TMP/$f")" 0
done
expect "evil's command in text" "$(sed -n "s/^ *pid $s2 *uid $evil *//p" "$LAB_TMP/status.txt")" \
	'capdump -w \xc2\x9b31m\x9b2J\\x1b'
expect "lines of text with what evil wrote for others' processes" \
	"$(grep -c -e evil -e fake "$LAB_TMP/status.txt")" 0

# --- U's capdump announced itself anyway, and said once why elsewhere
vfiles=$(find "$rdir" -user "$victim" -name '*.status' -printf '%f\n')
expect "uid $victim's capdump announced as PID.TAG.status" \
	"$(sed -E "s/^$vpid\.[0-9a-f]{16}\.status\$/ok/" <<<"$vfiles")" ok
echo "  $vfiles; it said: $(<"$LAB_TMP/victim.err")"
expect "its warnings" "$(grep -c "is held by uid $evil" "$LAB_TMP/victim.err")" 1

# --- capctl as the member: other users' processes are checked in /proc
json evil
expect "as uid $evil: listed" "$(jqs '.readers[] | "\(.pid):\(.uid):\(.program)"' 2>&1 | sort)" \
	"$want"

# ... and with /proc hiding them (hidepid=2), not listed but counted: kill()
# says EPERM for them, which proves nothing about whose they are.
unshare -m --propagation private sh -c 'mount -t proc -o hidepid=2 proc /proc && exec "$@"' sh \
	setpriv --reuid=$evil --regid=$evil --groups="$gid" --inh-caps=-all \
	"$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/status.json" ||
	lab_fail "capctl under hidepid=2 failed"
expect "hidepid=2, as uid $evil: listed" "$(jqs '[.readers[].pid] | map(tostring) | join(",")' 2>&1)" \
	"$s2"
# root's and uid $victim's readers', and evil's $rootp.status and $vpid.status
expect "hidepid=2, as uid $evil: unverifiable" "$(jqs .readers_not_listed.unverifiable 2>&1)" 4

# --- 300 files: evil's processes crowd nobody out, 64 listed at most
"${as_evil[@]}" bash -c 'for i in $(seq 100); do sleep 300 & echo $!; done' >"$LAB_TMP/evil.pids"
mapfile -t many <"$LAB_TMP/evil.pids"
pids+=("${many[@]}")
((${#many[@]} == 100)) || lab_fail "started ${#many[@]} of evil's processes"
for p in "${many[@]}"; do status "$p" capdump "capdump fake $p"; done >"$LAB_TMP/one"
"${as_evil[@]}" bash -c '
	dir=$1 one=$2
	shift 2
	i=0
	for p in "$@"; do
		sed -n "$((i * 7 + 1)),$((i * 7 + 7))p" "$one" >"$dir/$p.status"
		sed "s/^pid .*/pid 1/" "$dir/$p.status" >"$dir/1.$(printf %016x $((i + 1))).status"
		sed "s/^pid .*/pid $((2000000000 + i))/" "$dir/$p.status" >"$dir/$((2000000000 + i)).status"
		i=$((i + 1))
	done' sh "$rdir" "$LAB_TMP/one" "${many[@]}" || lab_fail "evil could not plant 300 files"
echo "evil's files in $rdir: $(find "$rdir" -user $evil | wc -l)"
json
# evil has 101 valid files ($s2's and 100), 103 refused (3 before, 100 for pid 1).
expect "evil's readers listed" "$(jqs "[.readers[] | select(.uid == $evil)] | length" 2>&1)" 64
expect "not listed (uid:over_limit:refused)" \
	"$(jqs '.readers_not_listed.uids[] | "\(.uid):\(.over_limit):\(.refused)"' 2>&1)" \
	"$evil:37:103"
expect "other users' readers" \
	"$(jqs "[.readers[] | select(.uid != $evil) | .pid] | sort | map(tostring) | join(\",\")" 2>&1)" \
	"$(printf '%s\n' "$dpid" "$vpid" | sort -n | paste -sd,)"
"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/status.txt"
line=$(grep "not listed: uid $evil" "$LAB_TMP/status.txt" || true)
expect "text" "$line" "  not listed: uid $evil: 37 status file(s) over the limit of 64 per user, \
103 refused (not the file of a live process of theirs it names, or malformed)"
expect "status.txt: control bytes" "$(control_bytes "$LAB_TMP/status.txt")" 0

# --- the readers leave nothing behind
kill -INT "$dpid" "$vpid"
wait "$dpid" || bad "root's capdump exited with $?"
wait "$vpid" || bad "uid $victim's capdump exited with $?"
expect "files of the readers left in $rdir" "$(find "$rdir" ! -user $evil -printf '%f %u\n')" \
	"$(find "$rdir" -maxdepth 0 -printf '%f %u\n')"

((fails == 0)) || lab_fail "$fails check(s) failed"
echo "PASS: capctl_hostile"
