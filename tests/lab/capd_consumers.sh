#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_consumers.sh - never silently starve a local consumer.  A python3
# receiver on capd's side of the veth (capd runs in this namespace),
# joined to the feed's group on the captured interface and bound to its
# port: a bypass capd refuses to start, `capd -n` too, with one line that
# names it (its pid and comm as ps says, its socket's inode as ss says, the
# feed and interface, and both fixes); capture.exclusive = true starts with
# one warning.  Receivers on another port, another group or another
# interface are not reported.  A receiver that joins while capd runs is
# logged once and shows within 5 s in `capctl status --json`, the metrics
# file and `capctl doctor` (the delays are printed).
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPCTL ip python3 ss ps jq timeout
export CAPCTL

capd_lab_setup cons
# Another interface of this namespace, for the receiver that must not count.
lab_netns_add oth
lab_veth_add oth eth0 "$LAB_REPLY"
ohif=$LAB_REPLY

group=239.77.1.1 port=30501
feeds="feeds = ( { name = \"md\"; group = \"$group\"; ports = [ $port ]; } );"
capd_lab_conf 16M <<<"$feeds"
conf=$CAPD_CONF
sed -e 's/^capture = { /capture = { exclusive = true; /' "$conf" >"$LAB_TMP/excl.conf"
grep -q 'exclusive = true' "$LAB_TMP/excl.conf" || lab_fail "no exclusive in excl.conf"

# receiver NAME GROUP PORT IFNAME [BIND]: a python3 socket bound to
# BIND:PORT (default the wildcard), joined to GROUP on IFNAME; its pid in
# LAB_REPLY once it is bound and joined.
receiver()
{
	local name=$1 ready=$LAB_TMP/$1.ready
	rm -f "$ready"
	python3 -c '
import socket, struct, sys, time
group, port, ifname, bind, ready = sys.argv[1:6]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((bind, int(port)))
mreq = struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"),
                   socket.if_nametoindex(ifname))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
open(ready, "w").write("%d\n" % s.fileno())
time.sleep(600)
' "$2" "$3" "$4" "${5:-0.0.0.0}" "$ready" &
	local pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	for _ in $(seq 100); do
		[[ -s $ready ]] && break
		sleep 0.05
	done
	[[ -s $ready ]] || lab_fail "receiver $name did not start"
	LAB_REPLY=$pid
}

# The socket inode of pid's UDP socket on :port, as ss sees it.
inode_of()
{
	ss -Hulnpe "sport = :$2" | grep "pid=$1," | sed -n 's/.* ino:\([0-9]*\).*/\1/p' | head -n 1
}

# ---- a receiver there before capd ------------------------------------------
receiver r1 "$group" "$port" "$CAPD_HIF"
r1=$LAB_REPLY
comm=$(ps -o comm= -p "$r1")
ino=$(inode_of "$r1" "$port")
[[ -n $ino ]] || lab_fail "ss does not show receiver r1's socket"
echo "receiver r1: pid $r1, comm $comm, socket inode $ino"
want="local consumer $comm \(pid $r1, uid 0\), socket 0\.0\.0\.0:$port \(inode $ino\), feed md \($group\) on $CAPD_HIF.*capture\.exclusive = true.*path = \"shared\""

for how in check start; do
	rc=0
	if [[ $how == check ]]; then
		timeout 20 "$CAPD" -c "$conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
	else
		timeout 20 "$CAPD" -c "$conf" >"$LAB_TMP/out" 2>&1 || rc=$?
	fi
	echo "$how with r1: exit $rc: $(<"$LAB_TMP/out")"
	((rc == 1)) || lab_fail "$how: capd exit $rc beside a local consumer, want 1"
	[[ $(wc -l <"$LAB_TMP/out") -eq 1 ]] || lab_fail "$how: not one line: $(<"$LAB_TMP/out")"
	lab_expect_match "$how" "$(<"$LAB_TMP/out")" "$want"
done
[[ ! -e $CAPD_RING ]] || lab_fail "a refused start left the ring $CAPD_RING"

# exclusive = true: -n passes, a start captures, each with one warning.
rc=0
timeout 20 "$CAPD" -c "$LAB_TMP/excl.conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
echo "check, exclusive: exit $rc: $(tr '\n' '|' <"$LAB_TMP/out")"
((rc == 0)) || lab_fail "exclusive: capd -n exit $rc"
[[ $(grep -c "local consumer" "$LAB_TMP/out") -eq 1 ]] || lab_fail "exclusive: not one warning"
lab_expect_match "exclusive -n" "$(<"$LAB_TMP/out")" "local consumer $comm \(pid $r1.*capture\.exclusive = true says this box only captures"
capd_lab_start "$LAB_TMP/excl.log" "$LAB_TMP/excl.conf"
[[ $(grep -c "local consumer" "$LAB_TMP/excl.log") -eq 1 ]] ||
	lab_fail "exclusive start: not one line on the consumer: $(<"$LAB_TMP/excl.log")"
sleep 2.5 # a housekeeping pass: r1 was there at the start, not new
[[ $(grep -c "local consumer" "$LAB_TMP/excl.log") -eq 1 ]] ||
	lab_fail "exclusive start: r1 logged again: $(<"$LAB_TMP/excl.log")"
[[ $("$CAPCTL" status "$CAPD_RING" --json | jq -c .consumers) == '{"local":1,"appeared":1}' ]] ||
	lab_fail "exclusive: status: $("$CAPCTL" status "$CAPD_RING" --json | jq -c .consumers)"
capd_lab_stop
kill "$r1"
wait "$r1" 2>/dev/null || true

# ---- receivers that are not consumers ----------------------------------------
# Each alone: the kernel hands a group joined on an interface to every
# socket bound to the port there (IP_MULTICAST_ALL), so d_iface's wildcard
# socket would take the feed from capd's interface once d_port joined it.
for d in "d_port $group $((port + 1)) $CAPD_HIF" "d_group 239.77.1.2 $port $CAPD_HIF 239.77.1.2" \
	"d_iface $group $port $ohif"; do
	# shellcheck disable=SC2086 # the words are the arguments
	receiver $d
	pid=$LAB_REPLY
	rc=0
	timeout 20 "$CAPD" -c "$conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
	echo "${d%% *}: capd -n exit $rc"
	((rc == 0)) || lab_fail "${d%% *}: capd -n exit $rc: $(<"$LAB_TMP/out")"
	! grep -q "local consumer" "$LAB_TMP/out" || lab_fail "${d%% *}: $(<"$LAB_TMP/out")"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
done
# Running beside two of them (the group joined on capd's interface).
receiver d_port "$group" $((port + 1)) "$CAPD_HIF"
receiver d_group 239.77.1.2 "$port" "$CAPD_HIF" 239.77.1.2
capd_lab_start
sleep 2.5
got=$("$CAPCTL" status "$CAPD_RING" --json | jq -c .consumers)
echo "other port, group, interface: status $got"
[[ $got == '{"local":0,"appeared":0}' ]] || lab_fail "a receiver that is not a consumer counted: $got"
! grep -q "local consumer" "$LAB_TMP/capd.log" || lab_fail "logged: $(<"$LAB_TMP/capd.log")"
prom=$LAB_TMP/capd.prom
grep -qx "capd_local_consumers{ring=\"$CAPD_RING\"} 0" "$prom" || lab_fail "metrics: $(grep local "$prom")"
"$CAPCTL" doctor -c "$conf" >"$LAB_TMP/doctor" 2>&1 || true
lab_expect_match "doctor, none" "$(grep consumers "$LAB_TMP/doctor")" "^ok +consumers +no local socket"

# ---- a receiver that joins while capd runs ---------------------------------------
t0=$(date +%s%N)
receiver r2 "$group" "$port" "$CAPD_HIF"
r2=$LAB_REPLY
ino=$(inode_of "$r2" "$port")
t_status='' t_prom='' t_doctor=''
while :; do
	now=$(date +%s%N)
	((now - t0 < 6000000000)) || break
	if [[ -z $t_status && $("$CAPCTL" status "$CAPD_RING" --json | jq .consumers.local) == 1 ]]; then
		t_status=$now
	fi
	if [[ -z $t_prom ]] && grep -qx "capd_local_consumers{ring=\"$CAPD_RING\"} 1" "$prom"; then
		t_prom=$now
	fi
	if [[ -z $t_doctor && $("$CAPCTL" doctor -c "$conf" 2>&1) =~ $'\n'"FAIL "+consumers ]]; then
		t_doctor=$now
	fi
	[[ -n $t_status && -n $t_prom && -n $t_doctor ]] && break
	sleep 0.1
done
for w in status prom doctor; do
	v=t_$w
	[[ -n ${!v} ]] || {
		"$CAPCTL" doctor -c "$conf" >&2 || true
		lab_fail "r2 not in $w within 6 s"
	}
	ms=$(((${!v} - t0) / 1000000))
	echo "r2 seen by $w after $ms ms"
	((ms <= 5000)) || lab_fail "r2 in $w after $ms ms, more than 5 s"
done
got=$("$CAPCTL" status "$CAPD_RING" --json | jq -c .consumers)
[[ $got == '{"local":1,"appeared":1}' ]] || lab_fail "status after r2: $got"
"$CAPCTL" status "$CAPD_RING" | grep '^consumers' ||
	lab_fail "capctl status (text) has no consumers line"
grep -qx "capd_local_consumers_appeared_total{ring=\"$CAPD_RING\"} 1" "$prom" ||
	lab_fail "metrics: $(grep local "$prom")"
"$CAPCTL" doctor -c "$conf" >"$LAB_TMP/doctor" 2>&1 || true
cat "$LAB_TMP/doctor"
"$CAPCTL" doctor -c "$conf" --json >"$LAB_TMP/doctor.json" || true
jq -e --arg pid "pid $r2," --arg ino "inode $ino" \
	'.checks[] | select(.check == "consumers") | select(.status == "fail")
	 | select(.reason | contains($pid) and contains($ino))
	 | select(.fix | contains("capture.exclusive = true") and contains("shared"))' "$LAB_TMP/doctor.json" >/dev/null ||
	lab_fail "doctor --json does not name r2 (pid $r2, inode $ino) with the fixes"
sleep 2.5 # another pass: logged once
# After its privilege drop capd (uid 0 without capabilities here) may no
# longer read the receiver's descriptors: it names the pid or says why not.
n=$(grep -cE "local consumer appeared: (python3 \(pid $r2, uid 0\)|a process of uid 0 \(its pid is not visible to this user\)), socket 0\.0\.0\.0:$port \(inode $ino\), feed md \($group\) on $CAPD_HIF" "$LAB_TMP/capd.log" || true)
((n == 1)) || lab_fail "r2 logged $n times: $(<"$LAB_TMP/capd.log")"
capd_lab_stop
echo "PASS"
