#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_stop.sh - Ctrl-C and SIGTERM stop a replay cleanly, with the
# report (issue 21): exit 0, "interrupted": true, and every packet handed
# to the kernel counted; a receiver joined to the group on lo gets exactly
# the packets the report says were sent, less those the kernel counted as
# dropped on the way (a starved softirq's backlog, a slow receiver's
# socket: on a busy host).  Also a stop while --at waits:
# nothing sent, the report still printed.  Payload mode on loopback, no
# privileges.  CAPREPLAY from the environment (tests/CMakeLists.txt).
set -euo pipefail

for t in python3 "$CAPREPLAY"; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
gen=$(dirname "$0")/tools/replay_gen.py
tmp=$(mktemp -d)
pids=()
cleanup()
{
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1 s of a steady feed to a group of its own (the receiver's port picks it).
port=$((40000 + $$ % 20000))
python3 "$gen" "$tmp/feed.pcapng" --seconds 1 --burst 0 --rate 20000 \
	--group "239.255.21.7:$port" >/dev/null

# The receiver: counts datagrams to the group on lo until 1 s without one.
python3 - "$port" "$tmp/joined" >"$tmp/recv.txt" <<'PY' &
import os, socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("239.255.21.7", port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("239.255.21.7"), socket.inet_aton("127.0.0.1")))
open(sys.argv[2], "w").close()  # joined: the replay may start
s.settimeout(10)
n = 0
try:
    s.recv(2048)
    n = 1
    s.settimeout(1)
    while True:
        s.recv(2048)
        n += 1
except socket.timeout:
    pass
# What the socket's full buffer dropped (a slow receiver on a busy host):
# /proc/net/udp's last column, on the line of this socket's inode.
ino, drops = str(os.fstat(s.fileno()).st_ino), None
for line in open("/proc/net/udp").read().splitlines()[1:]:
    f = line.split()
    if f[9] == ino:
        drops = int(f[-1])
print(n, drops)
PY
pids+=($!)
for ((i = 0; i < 100; i++)); do [[ -e $tmp/joined ]] && break; sleep 0.1; done
[[ -e $tmp/joined ]] || fail "the receiver did not join the group in 10 s"
# Datagrams looped back to this host wait in a per-CPU backlog that a
# starved softirq lets overflow; the kernel counts those there.
backlog_drops()
{
	local n=0 _ d
	while read -r _ d _; do n=$((n + 16#$d)); done </proc/net/softnet_stat
	echo "$n"
}
backlog0=$(backlog_drops)

# stop SIG AFTER_S ARGS...: run capreplay, send SIG after AFTER_S, check
# its exit and its report; prints the report.
stop()
{
	local sig=$1 after=$2 rc=0
	shift 2
	"$CAPREPLAY" -q -r "$tmp/feed.pcapng" -o lo --json "$@" >"$tmp/report.json" &
	local p=$!
	sleep "$after"
	kill -s "$sig" "$p"
	wait "$p" || rc=$?
	((rc == 0)) || fail "capreplay $* stopped by SIG$sig exited $rc, want 0"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interrupted"] is True, d
handled = d["sent"] + sum(d["not_sent"].values()) + sum(d["send_errors"].values())
assert d["loops"] == 0 or handled <= d["selected"] * d["loops"], d
print(json.dumps({k: d[k] for k in ("sent", "loops_done", "interrupted")}))
' "$tmp/report.json" || fail "SIG$sig: report: $(<"$tmp/report.json")"
}

# SIGINT mid-way through an endless loop at half speed: some sent, none twice.
stop INT 0.5 --loop 0 --speed 0.5
sent_int=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$tmp/report.json")
((sent_int > 0)) || fail "SIGINT: nothing was sent before it"
# SIGTERM during --at's wait: nothing sent.
stop TERM 0.3 --at +5
sent_at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$tmp/report.json")
((sent_at == 0)) || fail "SIGTERM during --at: $sent_at packets sent"

wait "${pids[0]}"
pids=()
read -r got drops <"$tmp/recv.txt"
backlog=$(($(backlog_drops) - backlog0))
echo "sent $sent_int (SIGINT) + $sent_at (SIGTERM during --at); the receiver got $got," \
	"its socket dropped $drops, the host's backlog $backlog"
[[ $drops =~ ^[0-9]+$ ]] || fail "the receiver's socket is not in /proc/net/udp"
# Not one more than sent, and none lost without a count (the backlog's
# count is the host's: it may hold other traffic's drops too).
((got + drops <= sent_int && got + drops + backlog >= sent_int)) ||
	fail "the receiver got $got datagrams, its socket dropped $drops, the backlog" \
		"$backlog; the reports say $((sent_int + sent_at))"
echo "PASS: capreplay_stop"
