#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ring_notrunning.sh - what the readers say and do when capd does not run
# their ring, and how they wait for it:
#
#  - no ring yet (capd never started): capdump, capstat and capctl status
#    exit 3 saying capd is not running; a misspelt name is told which rings
#    exist;
#  - --wait before capd starts: each prints one line that it waits, then
#    reads once capd runs (capdump records exactly the packets sent); with
#    capd running, --wait says nothing of waiting;
#  - -D (capdump and capstat) lists the ring with the state, pid and
#    record count capctl status --json gives;
#  - capd stopped cleanly: a running capdump says so and ends (0); new
#    readers and capctl status exit 3 naming when it stopped; -D "stopped";
#  - capd killed: a running capdump says so within 2 s and keeps waiting
#    for it; new readers exit 3 ("killed or crashed"); -D "dead".
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPSTAT CAPCTL ip jq tshark
capd_lab_setup nr
capd_lab_conf 16M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
dir=$(dirname "$CAPD_RING")
export CAPD_RING_DIR=$dir

expect() # expect WHAT GOT WANT
{
	[[ $2 == "$3" ]] || lab_fail "$1: got $2, want $3"
	echo "ok: $1 = $2"
}

expect_exit() # expect_exit WANT WHAT CMD...: run CMD, stderr to $LAB_TMP/err
{
	local want=$1 what=$2 rc=0
	shift 2
	timeout 10 "$@" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	cat "$LAB_TMP/err"
	((rc == want)) || lab_fail "$what: exit $rc, want $want"
	echo "ok: $what exits $rc"
}

# --- capd never started: no ring file
for p in "$CAPDUMP -w /dev/null" "$CAPSTAT"; do
	# shellcheck disable=SC2086 # the program and its options are words
	expect_exit 3 "${p%% *} before capd" $p -i "$CAPD_RING"
	lab_expect_match "${p%% *} before capd" "$(cat "$LAB_TMP/err")" "capd is not running"
done
expect_exit 3 "capctl status before capd" "$CAPCTL" status "$CAPD_RING"
lab_expect_match "capctl status before capd" "$(cat "$LAB_TMP/err")" "capd is not running"

# --- --wait: started before capd, they read once it runs
n=50
"$CAPDUMP" --wait -i "$CAPD_RING" -w "$LAB_TMP/wait.pcapng" -c $n 2>"$LAB_TMP/dump.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null; wait $dump 2>/dev/null || true"
"$CAPSTAT" --wait -i "$CAPD_RING" -c $n >"$LAB_TMP/stat.out" 2>"$LAB_TMP/stat.err" &
stat=$!
lab_on_exit "kill $stat 2>/dev/null; wait $stat 2>/dev/null || true"
"$CAPCTL" status --wait --json "$CAPD_RING" >"$LAB_TMP/st.json" 2>"$LAB_TMP/st.err" &
ctl=$!
lab_on_exit "kill $ctl 2>/dev/null; wait $ctl 2>/dev/null || true"
sleep 1
for f in dump.err stat.err st.err; do
	[[ $(grep -c "waiting for capd" "$LAB_TMP/$f") == 1 ]] || lab_fail "$f: no line that it waits"
done
kill -0 $dump $stat $ctl || lab_fail "a --wait reader ended before capd started"
echo "ok: capdump, capstat and capctl status wait, one line each"
capd_lab_start
wait $ctl || lab_fail "capctl status --wait exited with $?"
expect "capctl status --wait: state" "$(jq -r .writer.state "$LAB_TMP/st.json")" running
sleep 0.5 # the readers attach within 100 ms of capd running
capd_lab_send -g 239.1.1.1 -p 30001 -n $n -s 200 -r 1000
for _ in $(seq 50); do kill -0 $dump 2>/dev/null || break; sleep 0.1; done
wait $dump || lab_fail "capdump --wait exited with $?"
wait $stat || lab_fail "capstat --wait exited with $?"
expect "packets capdump --wait recorded (tshark)" "$(tshark -r "$LAB_TMP/wait.pcapng" | wc -l)" $n

# --- -D against capctl status --json
"$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/st.json"
want="^r: running, pid $CAPD_PID, [0-9.]+ [KMGT]?i?B, $(jq -r .ring.records "$LAB_TMP/st.json") records"
for p in "$CAPDUMP" "$CAPSTAT"; do
	line=$("$p" -D)
	echo "$line"
	lab_expect_match "$(basename "$p") -D" "$line" "$want, "
	lab_expect_match "$(basename "$p") -D feeds" "$line" ", feeds A\$"
done
# --wait with capd running: nothing to wait for, nothing to tell.
"$CAPDUMP" --wait -i "$CAPD_RING" -w /dev/null 2>"$LAB_TMP/run.err" &
run=$!
sleep 0.5
kill -INT $run
wait $run || lab_fail "capdump --wait with capd running exited with $?"
! grep -E "waiting for capd|capd runs it again" "$LAB_TMP/run.err" ||
	lab_fail "capdump --wait told of waiting for a capd that was running"
"$CAPCTL" status --wait "$CAPD_RING" >/dev/null 2>"$LAB_TMP/run.err" ||
	lab_fail "capctl status --wait with capd running exited with $?"
! grep "waiting for capd" "$LAB_TMP/run.err" ||
	lab_fail "capctl status --wait told of waiting for a capd that was running"
expect_exit 3 "capdump on a misspelt ring" "$CAPDUMP" -i rr -w /dev/null
lab_expect_match "capdump on a misspelt ring" "$(head -1 "$LAB_TMP/err")" "rings there: r$"

# --- capd stops cleanly under a running reader
"$CAPDUMP" -i "$CAPD_RING" -w /dev/null 2>"$LAB_TMP/run.err" &
run=$!
sleep 0.5
capd_lab_stop
for _ in $(seq 30); do kill -0 $run 2>/dev/null || break; sleep 0.1; done
wait $run || lab_fail "capdump reading when capd stopped exited with $?"
cat "$LAB_TMP/run.err"
lab_expect_match "capdump reading when capd stopped" "$(cat "$LAB_TMP/run.err")" \
	"capd stopped at .* read to its end"
for p in "$CAPDUMP -w /dev/null" "$CAPSTAT"; do
	# shellcheck disable=SC2086 # the program and its options are words
	expect_exit 3 "${p%% *} on a stopped ring" $p -i "$CAPD_RING"
	lab_expect_match "${p%% *} on a stopped ring" "$(cat "$LAB_TMP/err")" \
		"capd is not running: it stopped at "
done
expect_exit 3 "capctl status on a stopped ring" "$CAPCTL" status "$CAPD_RING"
lab_expect_match "capctl status on a stopped ring" "$(cat "$LAB_TMP/out")" "writer     stopped"
lab_expect_match "capdump -D, capd stopped" "$("$CAPDUMP" -D)" "^r: stopped, pid $CAPD_PID "

# --- capd killed under a running reader
capd_lab_start "$LAB_TMP/capd2.log"
"$CAPDUMP" -i "$CAPD_RING" -w /dev/null 2>"$LAB_TMP/run.err" &
run=$!
lab_on_exit "kill $run 2>/dev/null; wait $run 2>/dev/null || true"
sleep 0.5
kill -9 "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
sleep 2
cat "$LAB_TMP/run.err"
lab_expect_match "capdump reading when capd was killed" "$(cat "$LAB_TMP/run.err")" \
	"capd was killed or crashed .* waiting for capd to come back"
kill -0 $run || lab_fail "capdump ended when capd was killed"
expect_exit 3 "capdump on a killed capd's ring" "$CAPDUMP" -i "$CAPD_RING" -w /dev/null
lab_expect_match "capdump on a killed capd's ring" "$(cat "$LAB_TMP/err")" "killed or crashed"
expect_exit 3 "capctl status on a killed capd's ring" "$CAPCTL" status "$CAPD_RING"
lab_expect_match "capdump -D, capd killed" "$("$CAPDUMP" -D)" "^r: dead, pid $CAPD_PID "
echo "PASS: ring_notrunning"
