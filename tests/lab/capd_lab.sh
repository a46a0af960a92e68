# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_lab.sh - a running capd in a lab, for the tests of capd and of its
# readers; sourced after lab.sh and lab_init:
#
#	capd_lab_setup cap		# namespace + veth + addresses + hugepages
#	capd_lab_conf 64M <<<'feeds = ( ... );'	# the config (extra text on stdin)
#	capd_lab_start			# capd running, $CAPD_PID, $CAPD_RING
#	capd_lab_send -g 239.1.1.1 -p 30001 -n 1000	# mcast_send in the namespace
#	capd_lab_stop			# SIGTERM, and capd must exit 0
#
# Needs CAPD_BIN and MCAST_SEND set to the binaries.

CAPD_NS= CAPD_HIF= CAPD_RING= CAPD_PID= CAPD_CONF=

# Namespace "src" with eth0 (10.X.0.2) wired to HOST_IF-<run id> (10.X.0.1).
capd_lab_setup()
{
	local host=$1 net=${2:-195}

	lab_netns_add src
	CAPD_NS=$LAB_REPLY
	lab_veth_add "$host" eth0 "$CAPD_NS"
	CAPD_HIF=$LAB_REPLY
	ip addr add "10.$net.0.1/24" dev "$CAPD_HIF"
	ip -n "$CAPD_NS" addr add "10.$net.0.2/24" dev eth0
	# nodad: usable at once (a tentative address cannot source multicast).
	ip addr add "fd99:$net::1/64" dev "$CAPD_HIF" nodad
	ip -n "$CAPD_NS" addr add "fd99:$net::2/64" dev eth0 nodad
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
	${CAPD_LAB_WRAP:-} "$CAPD_BIN" -c "$conf" >"$log" 2>&1 &
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
