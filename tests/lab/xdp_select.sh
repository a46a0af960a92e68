#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# xdp_select.sh - capd's XDP program and AF_XDP layer on a veth pair (host
# end here, other end in a netns with the sender), MTU 9000 on both ends,
# in native and in generic mode:
#
#  - two configured feeds, 239.1.1.1:5001 and ff15::1:0/112 (any port),
#    arrive whole through AF_XDP: every datagram, every payload byte
#    checked by xsk_probe, including one 9000-byte IP datagram that must
#    arrive as one multi-buffer frame;
#  - nothing else does: an unconfigured group, the configured group on
#    another port, an IPv6 group outside the prefix, unicast UDP (IPv4 and
#    IPv6, so ARP and neighbour discovery too) and PTP (319/320) all reach
#    ordinary sockets on the host, complete, and a socket joined to the
#    feed's own group receives none of the feed;
#  - a second attach on the busy interface is refused and harms nothing;
#  - on SIGTERM the probe detaches; no XDP program is left on the link.
. "$(dirname "$0")/lab.sh"
lab_start XSK_PROBE MCAST_SEND ip timeout

N=200 # datagrams per stream
RATE=5000 # pps: paced so the host sockets' default buffers keep up

lab_netns_add xs
NS=$LAB_REPLY
lab_veth_add xs eth0 xs
HOST=$LAB_REPLY
ip link set "$HOST" mtu 9000
ip -n "$NS" link set eth0 mtu 9000
lab_subnet 0
ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$HOST"
ip -6 addr add "$LAB_HOST6/$LAB_LEN6" dev "$HOST" nodad
ip -n "$NS" addr add "$LAB_PEER4/$LAB_LEN4" dev eth0
ip -n "$NS" -6 addr add "$LAB_PEER6/$LAB_LEN6" dev eth0 nodad
# VLAN tags are covered by xdp_match (BPF_PROG_TEST_RUN): this kernel has
# no 802.1Q support (CONFIG_VLAN_8021Q unset) to make tagged traffic.
# Multicast leaves through the veth (mcast_send -i also sets IP_MULTICAST_IF).
ip -n "$NS" route add 224.0.0.0/4 dev eth0
# The UMEM (16 MiB per socket) tries MAP_HUGETLB first.
lab_hugepages_reserve 8

send()
{
	ip netns exec "$NS" "$MCAST_SEND" -r "$RATE" "$@" >/dev/null ||
		lab_fail "mcast_send $* failed"
}

# receiver NAME ARGS...: an ordinary socket on the host, in the background;
# waits until it listens.  Output in $LAB_TMP/NAME.out.
RECV_PIDS=()
receiver()
{
	local name=$1 out=$LAB_TMP/$1.out i
	shift
	: >"$out" # exists before the background job opens it
	"$MCAST_SEND" --recv -i "$HOST" "$@" >"$out" 2>&1 &
	RECV_PIDS+=($!)
	lab_on_exit "kill $! 2>/dev/null || true"
	for i in $(seq 100); do
		grep -q listening "$out" && return 0
		sleep 0.05
	done
	lab_fail "receiver $name did not start: $(cat "$out")"
}

expect_received()
{
	local name=$1 want=$2 got
	got=$(grep -E '^received' "$LAB_TMP/$name.out" || true)
	[[ $got == "received $want bad 0" ]] ||
		lab_fail "$MODE: host socket $name: expected 'received $want bad 0', got '$got'"
}

# field LINE KEY: the value of KEY=value in LINE.
field()
{
	local re="(^| )$2=([^ ]*)"
	[[ $1 =~ $re ]] || lab_fail "$MODE: no $2= in: $1"
	echo "${BASH_REMATCH[2]}"
}

expect_fields()
{
	local what=$1 line=$2 kv
	shift 2
	for kv in "$@"; do
		[[ $(field "$line" "${kv%%=*}") == "${kv#*=}" ]] ||
			lab_fail "$MODE: $what: expected $kv in: $line"
	done
}

run_mode()
{
	MODE=$1
	local out=$LAB_TMP/probe-$MODE.out pid i line busy_rc=0
	local feed0=$((N + 1)) feed1=$((N + N / 2))

	lab_log "mode $MODE"
	RECV_PIDS=()
	receiver other-group -g 239.1.1.2 -p 5001 -n "$N" -t 30
	receiver other-port -g 239.1.1.1 -p 5009 -n "$N" -t 30
	receiver unicast4 -g "$LAB_HOST4" -p 6001 -n "$N" -t 30
	receiver unicast6 -g "$LAB_HOST6" -p 6002 -n "$N" -t 30
	receiver ptp-event -g 224.0.1.129 -p 319 -n "$N" -t 30
	receiver ptp-general -g 224.0.1.129 -p 320 -n "$N" -t 30
	receiver other-group6 -g ff15::2:1 -p 5002 -n "$N" -t 30
	# Joined to the feed's group and port: must see none of the feed.
	receiver feed-group -g 239.1.1.1 -p 5001 -t 8

	: >"$out"
	"$XSK_PROBE" -i "$HOST" -q 0 -m "$MODE" -f 239.1.1.1:5001 -f '[ff15::1:0]/112' \
		-t 60 >"$out" 2>&1 &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	for i in $(seq 100); do
		grep -q '^ready' "$out" && break
		kill -0 "$pid" 2>/dev/null || lab_fail "$MODE: probe exited: $(cat "$out")"
		sleep 0.05
	done
	grep -q '^ready' "$out" || lab_fail "$MODE: probe not ready: $(cat "$out")"

	# Somebody else's attach while we hold the interface: refused.
	timeout 20 "$XSK_PROBE" -i "$HOST" -m auto -t 1 >"$LAB_TMP/busy.out" 2>&1 || busy_rc=$?
	[[ $busy_rc -eq 1 ]] && grep -q 'busy' "$LAB_TMP/busy.out" ||
		lab_fail "$MODE: second attach not refused (rc $busy_rc): $(cat "$LAB_TMP/busy.out")"

	# Unselected traffic first, then the feeds.
	send -i eth0 -g 239.1.1.2 -p 5001 -n "$N"
	send -i eth0 -g 239.1.1.1 -p 5009 -n "$N"
	send -g "$LAB_HOST4" -p 6001 -n "$N"
	send -g "$LAB_HOST6" -p 6002 -n "$N"
	send -i eth0 -g 224.0.1.129 -p 319 -n "$N"
	send -i eth0 -g 224.0.1.129 -p 320 -n "$N"
	send -i eth0 -g ff15::2:1 -p 5002 -n "$N"
	# feed 0, then one 9000-byte IP datagram (fills the MTU)
	send -i eth0 -g 239.1.1.1 -p 5001 -n "$N"
	send -i eth0 -g 239.1.1.1 -p 5001 -n 1 -s $((9000 - 28)) --seq-start "$N"
	# feed 1: two groups and ports inside ff15::1:0/112
	send -i eth0 -g ff15::1:7 -p 5002 -n "$N"
	send -i eth0 -g ff15::1:8 -p 6000 -n $((N / 2)) --seq-start "$N"

	for i in "${RECV_PIDS[@]}"; do
		wait "$i" || lab_fail "$MODE: a host receiver failed"
	done
	kill -TERM "$pid"
	wait "$pid" || lab_fail "$MODE: probe failed: $(cat "$out")"
	lab_log "probe ($MODE):"
	sed 's/^/  /' "$out" >&2

	ip link show "$HOST" | grep -q xdp &&
		lab_fail "$MODE: an XDP program is still attached: $(ip link show "$HOST")"

	expect_received other-group "$N"
	expect_received other-port "$N"
	expect_received unicast4 "$N"
	expect_received unicast6 "$N"
	expect_received ptp-event "$N"
	expect_received ptp-general "$N"
	expect_received other-group6 "$N"
	expect_received feed-group 0

	line=$(grep '^info ' "$out")
	if [[ $MODE == native ]]; then
		expect_fields info "$line" mode=native prog=capd_xdp_hw hw_bound=1
	else
		expect_fields info "$line" mode=generic prog=capd_xdp hw_bound=0
	fi
	expect_fields info "$line" zerocopy=0 hugepages=1
	line=$(grep '^feed index=0 ' "$out")
	expect_fields "feed 0" "$line" frames=$feed0 maxlen=9014 multibuf=1 vlan=0 \
		seq_gaps=0 seq_dups=0
	line=$(grep '^feed index=1 ' "$out")
	expect_fields "feed 1" "$line" frames=$feed1 multibuf=0 seq_gaps=0 seq_dups=0
	grep -q '^feed index=none' "$out" && lab_fail "$MODE: frames without a feed"
	line=$(grep '^total ' "$out")
	expect_fields total "$line" frames=$((feed0 + feed1)) bad=0 unexpected=0 \
		meta=$((feed0 + feed1)) tai=$((feed0 + feed1)) incomplete=0
	if [[ $MODE == native ]]; then
		# veth implements the kfunc but stamps 0: tried, never valid.
		expect_fields total "$line" hw_tried=$((feed0 + feed1)) hw=0
	else
		expect_fields total "$line" hw_tried=0 hw=0
	fi
	line=$(grep '^xdp ' "$out")
	expect_fields xdp "$line" selected=$((feed0 + feed1)) redirected=$((feed0 + feed1)) \
		no_socket=0 meta_failed=0 parse_errors=0
	line=$(grep '^xsk ' "$out")
	# Copy mode never asks for a wakeup: the hot path made no system call.
	expect_fields xsk "$line" rx_dropped=0 rx_ring_full=0 fill_empty=0 invalid=0 wakeups=0
	grep -q '^detach=ok' "$out" || lab_fail "$MODE: detach: $(grep detach "$out")"
}

run_mode native
run_mode generic
echo "PASS: xdp_select: native and generic mode"
