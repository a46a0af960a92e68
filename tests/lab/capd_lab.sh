# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_lab.sh - a running capd in a lab, for the tests of capd and of its
# readers; sourced by lab.sh, used after lab_start (or lab_init):
#
#	capd_lab_setup cap		# namespace + veth + addresses + hugepages
#	capd_lab_conf 64M <<<'feeds = ( ... );'	# the config (extra text on stdin)
#	capd_lab_start			# capd running, $CAPD_PID, $CAPD_RING
#	capd_lab_send -g 239.1.1.1 -p 30001 -n 1000	# mcast_send in the namespace
#	capd_lab_stop			# SIGTERM, and capd must exit 0
#
# Runs the programs $CAPD and $MCAST_SEND (lab.sh).

CAPD_NS= CAPD_HIF= CAPD_RING= CAPD_PID= CAPD_CONF=
CAPD_HOST4='' CAPD_PEER4='' CAPD_HOST6='' CAPD_PEER6=''

# Namespace "src" with eth0 wired to HOST_IF-<run id>, on the run's first
# subnets (lab_subnet 0): the host end CAPD_HOST4 and CAPD_HOST6, eth0
# CAPD_PEER4 and CAPD_PEER6.
capd_lab_setup()
{
	local host=$1

	lab_netns_add src
	CAPD_NS=$LAB_REPLY
	lab_veth_add "$host" eth0 "$CAPD_NS"
	CAPD_HIF=$LAB_REPLY
	lab_subnet 0
	CAPD_HOST4=$LAB_HOST4 CAPD_PEER4=$LAB_PEER4 CAPD_HOST6=$LAB_HOST6 CAPD_PEER6=$LAB_PEER6
	ip addr add "$CAPD_HOST4/$LAB_LEN4" dev "$CAPD_HIF"
	ip -n "$CAPD_NS" addr add "$CAPD_PEER4/$LAB_LEN4" dev eth0
	# The namespace sends to groups as a multicast sender should be set
	# up (docs/capreplay.md): without a route of /4 or longer for the
	# groups, Linux makes a route for every datagram and frees it through
	# RCU, work that lands on the sending CPU.
	ip -n "$CAPD_NS" route add 224.0.0.0/4 dev eth0
	# nodad: usable at once (a tentative address cannot source multicast).
	ip addr add "$CAPD_HOST6/$LAB_LEN6" dev "$CAPD_HIF" nodad
	ip -n "$CAPD_NS" addr add "$CAPD_PEER6/$LAB_LEN6" dev eth0 nodad
	lab_hugepages_reserve 96
	local dir=/dev/hugepages/capd-test-$LAB_RUN_ID
	CAPD_RING=$dir/r
	lab_on_exit rm -rf "$dir"
}

# capd_lab_conf SIZE [CPU]: ring of SIZE on the veth, the capture thread on
# CPU (default: not pinned), readable by group $CAPD_LAB_GROUP (default
# capd's own), more config text on stdin.
capd_lab_conf()
{
	CAPD_CONF=$LAB_TMP/capd.conf
	{
		printf 'ring = { name = "%s"; size = "%s"; group = "%s"; };\n' "$CAPD_RING" "$1" \
			"${CAPD_LAB_GROUP:-}"
		printf 'capture = { cpu = %s; interfaces = ( { name = "%s"; mode = "native"; } ); };\n' \
			"${2:--1}" "$CAPD_HIF"
		printf 'run = { user = ""; group = ""; dir = "%s"; };\n' "$LAB_TMP"
		cat
	} >"$CAPD_CONF"
}

# capd_lab_start [LOG] [CONF]: start capd (after $CAPD_LAB_WRAP, e.g.
# "taskset -c 1", if set), wait until it captures; its pid in CAPD_PID.
capd_lab_start()
{
	local log=${1:-$LAB_TMP/capd.log} conf=${2:-$CAPD_CONF}

	# shellcheck disable=SC2086 # the wrapper is words
	${CAPD_LAB_WRAP:-} "$CAPD" -c "$conf" >"$log" 2>&1 &
	CAPD_PID=$!
	# Waited for: its mapping of the ring keeps hugetlbfs busy until it is gone.
	lab_on_exit "kill -9 $CAPD_PID 2>/dev/null; wait $CAPD_PID 2>/dev/null || true"
	# Up to 60 s: populating an 8 GiB ring takes seconds.
	for _ in $(seq 600); do
		grep -q capturing "$log" && return 0
		kill -0 "$CAPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	lab_fail "capd did not start"
}

capd_lab_stop()
{
	kill -TERM "$CAPD_PID"
	wait "$CAPD_PID" || lab_fail "capd exited with $? on SIGTERM"
}

# mcast_send inside the namespace, through eth0.
capd_lab_send()
{
	ip netns exec "$CAPD_NS" "$MCAST_SEND" -i eth0 "$@" >/dev/null
}
