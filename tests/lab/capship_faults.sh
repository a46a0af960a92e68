#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capship_faults.sh - exactly once through faults (issue 22's acceptance).
# One box records about seven files (capdump -G 1, two sequenced feeds with
# gaps) into a staging directory; they are moved into its archive a few at
# a time, so that each fault meets files still to ship.  capship runs as an
# unprivileged uid in the capture group without capabilities, with
# batch_rows = 1 (a batch a file), its state directory on a small tmpfs:
#  - a credential file of mode 0644: refused, exit 1, one line naming it;
#  - the same uid outside the capture group: the archive not read
#    (Permission denied), nothing shipped;
#  - a wrong password: exit 1, one line naming the cause, nothing shipped;
#  - ClickHouse stopped while a request of capship's is in flight (the
#    server frozen with SIGSTOP until the request waits in its socket),
#    then, capship retrying, restarted: one line for the fault with its
#    cause, one "reachable again", whatever the retries; the process has
#    the uid, the group and no capability;
#  - capship SIGKILLed in the middle of a batch (its insert held by the
#    frozen server, which then stores it), and restarted;
#  - the state's disk full (a filler on the tmpfs): exit 2, one line with
#    the cause; shipped after the filler goes;
#  - afterwards the tables hold exactly what capdump --list says of the
#    archive (tools/ship_judge.py), and after OPTIMIZE TABLE ... FINAL each
#    local table has exactly those rows: no duplicate, none missing.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/clickhouse.sh"
. "$(dirname "$0")/capship_lab.sh"
lab_start CAPD FEED_SEND CAPDUMP CAPSHIP ip python3 mount umount ss
ch_start
ship_lab_user
capd_lab_setup flt
capd_lab_conf 32M <<'CONF'
feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "MDP"; group = "239.1.1.2"; ports = [ 30002 ]; proto = "mdp3"; } );
CONF
capd_lab_start
ship_lab_box f lab-f F 'batch_rows = 1; interval = 1; backoff_max = 2; timeout = 30;'
arch=${SHIP_ARCH[f]} state=${SHIP_STATE[f]} dir=${SHIP_DIR[f]}
mount -t tmpfs -o "size=256k,mode=0700,uid=$SHIP_UID,gid=$SHIP_UID" capship-state "$state" ||
	lab_skip "cannot mount a tmpfs on $state"
lab_on_exit umount "$state"

# The recording, into staging (the archive's group, so a move keeps it).
stage=$LAB_TMP/staging
install -d -m 2750 -o root -g "$SHIP_GROUP" "$stage"
"$CAPDUMP" -i "$CAPD_RING" -G 1 -w "$stage/f-%Y%m%d-%H%M%S.pcapng.zst" 2>"$LAB_TMP/dump.err" &
rec=$!
lab_on_exit "kill -9 $rec 2>/dev/null || true"
sleep 0.5
ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 -g 239.1.1.1 -p 30001 --proto moldudp64 -m 1 \
	-r 250 1-600 611-1200 1221-1500 >/dev/null &
s1=$!
ip netns exec "$CAPD_NS" "$FEED_SEND" -i eth0 -g 239.1.1.2 -p 30002 --proto mdp3 -m 1 \
	-r 100 1-250 256-550 >/dev/null || lab_fail "the MDP sender failed"
wait $s1 || lab_fail "the MOLD sender failed"
sleep 0.3
kill -INT $rec
wait $rec || lab_fail "capdump exited with $?: $(<"$LAB_TMP/dump.err")"
mapfile -t files < <(cd "$stage" && printf '%s\n' f-*.pcapng.zst)
((${#files[@]} >= 7)) || lab_fail "only ${#files[@]} files recorded"
echo "${#files[@]} files recorded"
next=0
# stage N: move the next N files (all: the rest) and their indexes into the
# archive; rename keeps their identity (size, mtime), so the indexes hold.
stage()
{
	local n=$1 end

	end=$((n == 0 ? ${#files[@]} : next + n))
	for (( ; next < end && next < ${#files[@]}; next++)); do
		mv "$stage/${files[next]}" "$stage/${files[next]}.idx" "$arch/"
	done
}

count() { ch_query "SELECT count() FROM capd.$1"; }

# out FILE: the lines capship wrote but its start line.
out() { grep -v ': shipping box ' "$1" || true; }

# expect_one FILE WHAT PATTERN: exactly one line of FILE (but the start
# line) and it matches PATTERN.
expect_one()
{
	local text

	text=$(out "$1")
	[[ $(grep -c . <<<"$text") == 1 ]] || lab_fail "$2: not one line: $text"
	lab_expect_match "$2" "$text" "$3"
	echo "$2: $text"
}

stage 2

# --- the credential file readable by others: refused before anything.
chmod 0644 "$dir/secret"
rc=0
ship_lab_run f --once >"$LAB_TMP/mode.out" 2>&1 || rc=$?
((rc == 1)) || lab_fail "credential file 0644: exit $rc, want 1: $(<"$LAB_TMP/mode.out")"
expect_one "$LAB_TMP/mode.out" "credential file 0644" "$dir/secret"
chmod 0600 "$dir/secret"

# --- the same uid outside the capture group: the archive is not its to read.
rc=0
STATE_DIRECTORY=$state setpriv --reuid="$SHIP_UID" --regid="$SHIP_UID" --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs "$CAPSHIP" -c "${SHIP_CONF[f]}" --once \
	>"$LAB_TMP/nogroup.out" 2>&1 || rc=$?
lab_expect_match "outside the capture group" "$(out "$LAB_TMP/nogroup.out")" "$arch.*Permission denied"
(($(count files_local) == 0)) || lab_fail "rows shipped outside the capture group"
echo "outside the capture group (exit $rc): $(out "$LAB_TMP/nogroup.out")"

# --- a wrong password.
cp "${SHIP_CONF[f]}" "$dir/wrong.conf"
printf 'not-the-password\n' >"$dir/wrong-secret"
chown "$SHIP_UID:$SHIP_UID" "$dir/wrong-secret"
chmod 0600 "$dir/wrong-secret"
sed -i "s|$dir/secret|$dir/wrong-secret|" "$dir/wrong.conf"
rc=0
STATE_DIRECTORY=$state "${SHIP_AS[@]}" "$CAPSHIP" -c "$dir/wrong.conf" --once \
	>"$LAB_TMP/wrong.out" 2>&1 || rc=$?
((rc == 1)) || lab_fail "wrong password: exit $rc, want 1: $(<"$LAB_TMP/wrong.out")"
expect_one "$LAB_TMP/wrong.out" "wrong password" "refused.*(assword|401)"
(($(count files_local) == 0)) || lab_fail "rows shipped with a wrong password"

# --- ClickHouse stopped in the middle of a request, capship retrying.
ship_lab_spawn f "$LAB_TMP/loop.out"
ship=$SHIP_PID
for _ in $(seq 100); do
	(($(count files_local) >= 2)) && break
	sleep 0.1
done
(($(count files_local) >= 2)) || lab_fail "the first two files were not shipped: $(<"$LAB_TMP/loop.out")"
IFS='|' read -r uid gid groups capeff capbnd < <(awk '/^Uid:/ { u = $2 } /^Gid:/ { g = $2 }
	/^Groups:/ { for (i = 2; i <= NF; i++) gr = gr "," $i } /^CapEff:/ { e = $2 }
	/^CapBnd:/ { b = $2 } END { print u "|" g "|" substr(gr, 2) "|" e "|" b }' "/proc/$ship/status")
[[ $uid == "$SHIP_UID" && $capeff == 0000000000000000 && $capbnd == 0000000000000000 &&
   ,$groups, == *,"$SHIP_GID",* ]] ||
	lab_fail "capship runs as uid $uid gid $gid groups $groups, CapEff $capeff, CapBnd $capbnd"
echo "capship: uid $uid, groups $groups (capture $SHIP_GID), CapEff $capeff, CapBnd $capbnd"
ch_freeze
stage 1
ch_wait_request
echo "a request of capship's waits in the frozen server: stopping it"
ch_stop
# A file to ship while it is down (capship only calls when it has rows):
# retries after 1, 2, 2 s (backoff_max 2), three or more in 4 s.
stage 1
sleep 4
ch_restart
for _ in $(seq 150); do
	(($(count "files FINAL") == 4)) && break
	sleep 0.1
done
(($(count "files FINAL") == 4)) || lab_fail "after the restart: $(count "files FINAL") files, want 4"
kill -TERM $ship
wait $ship || lab_fail "capship exited with $? on SIGTERM: $(<"$LAB_TMP/loop.out")"
cat "$LAB_TMP/loop.out"
# One line for the fault with its cause (unreachable, or a server error as
# the server stopped under the request in flight), one when it is over.
fault=$(grep -E 'clickhouse (unreachable|server error): ' "$LAB_TMP/loop.out" || true)
[[ $(grep -c . <<<"$fault") == 1 ]] || lab_fail "not one line for the fault: $fault"
lab_expect_match "the cause" "$fault" "(unreachable|server error): .+"
[[ $(grep -c 'reachable again' "$LAB_TMP/loop.out") == 1 ]] ||
	lab_fail "not one line saying ClickHouse is reachable again"
[[ $(out "$LAB_TMP/loop.out" | grep -c .) == 2 ]] ||
	lab_fail "other lines: $(out "$LAB_TMP/loop.out")"

# --- SIGKILL in the middle of a batch: its insert held by the frozen
# server, which stores it once thawed; the batch is not in the state.
stage 2
ch_freeze
ship_lab_spawn f "$LAB_TMP/kill.out" --once
ship=$SHIP_PID
ch_wait_request
kill -KILL $ship
wait $ship 2>/dev/null || true
ch_thaw
echo "capship SIGKILLed while its insert waited in the server"
ship_lab_run f --once >"$LAB_TMP/restart.out" 2>&1 ||
	lab_fail "capship after SIGKILL exited with $?: $(<"$LAB_TMP/restart.out")"
[[ -z $(out "$LAB_TMP/restart.out") ]] || lab_fail "after SIGKILL: $(out "$LAB_TMP/restart.out")"

# --- the state's disk full: rows inserted, the state not saved.
stage 0
dd if=/dev/zero of="$state/filler" bs=4k 2>/dev/null || true
rc=0
ship_lab_run f --once >"$LAB_TMP/full.out" 2>&1 || rc=$?
((rc == 2)) || lab_fail "state disk full: exit $rc, want 2: $(<"$LAB_TMP/full.out")"
expect_one "$LAB_TMP/full.out" "state disk full" "No space left on device"
rm "$state/filler"
ship_lab_run f --once >"$LAB_TMP/after.out" 2>&1 ||
	lab_fail "capship with room again exited with $?: $(<"$LAB_TMP/after.out")"
[[ -z $(out "$LAB_TMP/after.out") ]] || lab_fail "with room again: $(out "$LAB_TMP/after.out")"

# --- what ClickHouse holds: the archive, each row once.
ship_lab_list f
export CH_URL CH_USER CH_PASSWORD
judge=$(dirname "$0")/tools/ship_judge.py
python3 "$judge" fleet --queries "$CH_QUERIES" --made lab-f:MOLD:601-610,1201-1220 \
	--made lab-f:MDP:251-255 lab-f="$dir/list.json" ||
	lab_fail "ClickHouse does not hold what the archive does"
declare -A want
while read -r t n; do want[$t]=$n; done < <(python3 "$judge" counts lab-f="$dir/list.json")
for t in files feeds gaps pauses removals; do
	where=
	[[ $t != feeds ]] || where=" WHERE packets > 0"
	before=$(count "${t}_local")
	final=$(count "$t FINAL")
	ch_query "OPTIMIZE TABLE capd.${t}_local FINAL" || lab_fail "OPTIMIZE TABLE ${t}_local FINAL failed"
	after=$(count "${t}_local")
	((after == final)) || lab_fail "${t}_local: $after rows after OPTIMIZE FINAL, $final with FINAL"
	n=$(count "${t}_local$where")
	((n == ${want[$t]:-0})) || lab_fail "${t}_local: $n rows, the archive has ${want[$t]:-0}"
	echo "$t: $before rows shipped, $after after OPTIMIZE TABLE FINAL, as the archive says"
done
echo "PASS: capship_faults"
