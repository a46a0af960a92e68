#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_send_ipv6.sh TEST_REPLAY_SEND - capreplay's payload mode sends
# to an IPv6 group: lo routes no IPv6 multicast, so test_replay_send runs in
# a namespace of its own with a veth pair (both ends inside it) and sends
# its IPv6 datagrams out of one end to a socket joined on the other (the
# REPLAY_SEND_IPV6_IFS it reads); its other parts run on that namespace's lo.
. "$(dirname "$0")/lab.sh"
prog=$1
lab_start ip
[[ -x $prog ]] || lab_fail "no program $prog"

lab_netns_add rsend
ns=$LAB_REPLY
# No duplicate address detection: the link-local addresses are usable at once.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 ||
	lab_fail "cannot turn off DAD in $ns"
ip -n "$ns" link add rs0 type veth peer name rs1 || lab_fail "ip link add veth in $ns failed"
ip -n "$ns" link set rs0 up || lab_fail "ip link set rs0 up failed"
ip -n "$ns" link set rs1 up || lab_fail "ip link set rs1 up failed"

REPLAY_SEND_IPV6_IFS="rs0 rs1" timeout 30 ip netns exec "$ns" "$prog" 2>"$LAB_TMP/err" ||
	{ cat "$LAB_TMP/err" >&2; lab_fail "test_replay_send failed through the veth pair"; }
if grep -q "IPv6 part not run" "$LAB_TMP/err"; then
	lab_fail "the IPv6 part did not run"
fi
lab_log "PASS: 164 datagrams to ff12::/16 through a veth pair, in order, hop limit 7"
