#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_capture.sh - capd captures exactly the configured feeds, whole and
# in order, and nothing else:
#  - a sender in a namespace sends sequence-numbered datagrams to two IPv4
#    feeds and one IPv6 feed, to an unconfigured group, to a unicast
#    address and to the PTP ports 319/320;
#  - every datagram of the feeds is in the ring, in order, every byte
#    intact, tagged with its feed; nothing else is in the ring;
#  - the unconfigured, unicast and PTP datagrams still reach ordinary
#    sockets on the capture host;
#  - a 9000-byte jumbo frame is one record;
#  - during 5 s of steady traffic the capture thread makes no system call
#    and takes no page fault, and no thread of capd holds a capability;
#  - after SIGTERM no XDP program is left on the interface.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND RING_FLOWS ip strace timeout
capd_lab_setup cap0
hif=$CAPD_HIF ns=$CAPD_NS ring=$CAPD_RING
ip link set "$hif" mtu 9000
ip -n "$ns" link set eth0 mtu 9000
capd_lab_conf 64M "$(($(nproc) - 1))" <<'CONF'
feeds = (
	{ name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; },
	{ name = "B"; group = "239.1.1.2"; },
	{ name = "C6"; group = "ff3e::4321"; ports = [ 30003 ]; }
);
CONF
"$CAPD" -c "$CAPD_CONF" -n || lab_fail "capd -n refused a good config"
capd_lab_start
pid=$CAPD_PID
cat "$LAB_TMP/capd.log"
ip maddr show dev "$hif" | grep -q 239.1.1.1 || lab_fail "capd did not join 239.1.1.1"

# Ordinary sockets on the host for what capd must leave alone.
listen() { # name group port count
	"$MCAST_SEND" --recv -i "$hif" -g "$2" -p "$3" -n "$4" -t 20 >"$LAB_TMP/$1.out" &
	lab_on_exit "kill $! 2>/dev/null || true"
	eval "listener_$1=$!"
}
listen other 239.1.1.3 30001 300
listen unicast "$CAPD_HOST4" 40000 300
listen ptp_ev 224.0.1.129 319 50
listen ptp_gen 224.0.1.129 320 50
sleep 0.5

tx() { capd_lab_send "$@"; }
tx -g 239.1.1.1 -p 30001 -n 2000 -s 200 -r 20000
tx -g 239.1.1.2 -p 5000 -n 1000 -s 1200 -r 20000
tx -g ff3e::4321 -p 30003 -n 500 -s 300 -r 20000
tx -g ff3e::4321 -p 30004 -n 100 -r 20000	# C6 lists port 30003 only
tx -g 239.1.1.3 -p 30001 -n 300 -r 20000
tx -g "$CAPD_HOST4" -p 40000 -n 300 -r 20000
tx -g 224.0.1.129 -p 319 -n 50 -r 1000
tx -g 224.0.1.129 -p 320 -n 50 -r 1000
tx -g 239.1.1.2 -p 5001 -n 1 -s 8972		# 9000-byte IP datagram

# Steady traffic while the capture thread is watched for 5 s.
tid=
for t in /proc/$pid/task/*; do
	[[ $(<"$t/comm") == capd-rx ]] && tid=${t##*/}
done
[[ -n $tid ]] || lab_fail "no capd-rx thread"
faults() { awk '{print $10 + $12}' "/proc/$pid/task/$tid/stat"; }
ip netns exec "$ns" "$MCAST_SEND" -i eth0 -g 239.1.1.2 -p 6000 -n 50000 -s 100 -r 10000 >/dev/null &
steady=$!
sleep 0.2
# The method must see calls where there are some: the housekeeping thread.
hk=
for t in /proc/$pid/task/*; do
	[[ $(<"$t/comm") == capd-hk ]] && hk=${t##*/}
done
timeout -s INT 1 strace -qq -p "$hk" -o "$LAB_TMP/strace-hk.out" || true
nhk=$(grep -c 'clock_nanosleep' "$LAB_TMP/strace-hk.out" || true)
((nhk > 0)) || lab_fail "strace saw no call of the housekeeping thread: the check is blind"
f0=$(faults)
timeout -s INT 5 strace -qq -p "$tid" -o "$LAB_TMP/strace.out" || true
f1=$(faults)
wait $steady
nsys=$(grep -cv -e '^$' -e 'detached' "$LAB_TMP/strace.out" || true)
echo "housekeeping thread $hk over 1 s: $nhk clock_nanosleep calls (strace works)"
echo "capture thread $tid over 5 s: $nsys system calls, $((f1 - f0)) page faults"
((nsys == 0)) || { head "$LAB_TMP/strace.out"; lab_fail "capture thread made system calls"; }
((f1 == f0)) || lab_fail "capture thread took $((f1 - f0)) page faults"
for t in /proc/$pid/task/*; do
	eff=$(awk '/^CapEff/ {print $2}' "$t/status")
	echo "thread $(<"$t/comm"): CapEff $eff"
	[[ $eff == 0000000000000000 ]] || lab_fail "thread $(<"$t/comm") keeps capabilities $eff"
done

sleep 0.5
capd_lab_stop
cat "$LAB_TMP/capd.log"
if ip link show "$hif" | grep -q xdp; then
	lab_fail "an XDP program is still attached to $hif"
fi
# No listener of this test joins 239.1.1.1: a membership left is capd's.
for _ in $(seq 20); do
	ip maddr show dev "$hif" | grep -q 239.1.1.1 || break
	sleep 0.1
done
! ip maddr show dev "$hif" | grep -q 239.1.1.1 || lab_fail "capd did not leave 239.1.1.1"

out=$("$RING_FLOWS" -t 1 "$ring")
echo "$out"
expect() { lab_expect_match "ring" "$out" "$1"; }
ok="order_errors=0 bad_payload=0 truncated=0"
expect "flow 239.1.1.1:30001 feed=0 count=2000 first=0 last=1999 $ok"
expect "flow 239.1.1.2:5000 feed=1 count=1000 first=0 last=999 $ok"
expect "flow ff3e::4321:30003 feed=2 count=500 first=0 last=499 $ok"
expect "flow 239.1.1.2:5001 feed=1 count=1 first=0 last=0 $ok ts_source=[0-9] max_wirelen=9014"
expect "flow 239.1.1.2:6000 feed=1 count=50000 first=0 last=49999 $ok"
expect "other count=0"
expect "total records=53501 lost=0 rejected=0 generation=[0-9]+ state=2"
[[ $(grep -c '^flow' <<<"$out") -eq 5 ]] || lab_fail "the ring holds flows that are not configured"

for l in other unicast ptp_ev ptp_gen; do
	pid_var=listener_$l
	wait "${!pid_var}" || true
	echo "host socket $l: $(<"$LAB_TMP/$l.out")"
done
lab_expect_match "unconfigured group" "$(<"$LAB_TMP/other.out")" "received 300 bad 0"
lab_expect_match "unicast" "$(<"$LAB_TMP/unicast.out")" "received 300 bad 0"
lab_expect_match "PTP event" "$(<"$LAB_TMP/ptp_ev.out")" "received 50 bad 0"
lab_expect_match "PTP general" "$(<"$LAB_TMP/ptp_gen.out")" "received 50 bad 0"
echo "PASS: capd_capture"
