#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# guest.sh - the guest's half of capd_vm.sh, run by capd-vm.service from
# the test's disk (mounted on /mnt/t, where everything it writes goes):
# eth0 up on the test's subnet, capd started on it, "ready" sent to the
# host until the host's end mark arrives, capd stopped, then the ring
# read (flows.out) and the kernel log kept (dmesg.out).  params holds
# the addresses and ports; status the last step reached.
set -u
T=/mnt/t
. "$T/params"

. "$T/guest_say.sh"

fail()
{
	step "failed: $*"
	dmesg >"$T/dmesg.out" 2>&1
	exit 1
}

step "booted: kernel $(uname -r)"
ip link set lo up
ip link set eth0 mtu "$MTU" || fail "ip link set eth0 mtu $MTU"
ip link set eth0 up || fail "ip link set eth0 up"
ip addr add "$PEER4/$LEN4" dev eth0 || fail "ip addr add $PEER4/$LEN4 dev eth0"
say "eth0: driver $(basename "$(readlink /sys/class/net/eth0/device/driver)")," \
	"mtu $(cat /sys/class/net/eth0/mtu)"

echo 48 >/proc/sys/vm/nr_hugepages
grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts ||
	mount -t hugetlbfs hugetlbfs /dev/hugepages || fail "no hugetlbfs"
mkdir -p /run/capd

export CAPD_BPF_OBJ=$T/capd_xdp.bpf.o
"$T/capd" -c "$T/capd.conf" >"$T/capd.log" 2>&1 &
capd=$!
i=0
until grep -q capturing "$T/capd.log"; do
	kill -0 "$capd" 2>/dev/null || fail "capd exited: $(tail -n 3 "$T/capd.log")"
	i=$((i + 1))
	[ "$i" -lt 1200 ] || fail "capd did not start within 120 s"
	sleep 0.1
done
step "capd capturing"

# The host's end mark: unicast UDP, which the XDP program leaves to the stack.
"$T/mcast_send" --recv -g "$PEER4" -p "$END_PORT" -n 1 -t "$FEED_TIMEOUT" >"$T/end.out" 2>&1 &
endmark=$!
i=0
until grep -q listening "$T/end.out"; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "end mark receiver did not start: $(cat "$T/end.out")"
	sleep 0.1
done
# "ready", once a second until the end mark: the first waits for ARP.
(
	while kill -0 "$endmark" 2>/dev/null; do
		"$T/mcast_send" -g "$HOST4" -p "$READY_PORT" -n 1 >/dev/null 2>&1
		sleep 1
	done
) &
wait "$endmark"
step "end mark: $(cat "$T/end.out")"
# What the host sent last may still be on its way through the socket.
sleep 1
kill -TERM "$capd"
wait "$capd"
echo "capd exit status $?" >>"$T/capd.log"
"$T/ring_flows" -t 1 "$RING" >"$T/flows.out" 2>&1 || fail "ring_flows: $(cat "$T/flows.out")"
rm -rf "$(dirname "$RING")"
dmesg >"$T/dmesg.out" 2>&1
step "done"
