#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/capture.sh [--json] [--count N] [--size BYTES] [--build DIR]
#
# What capturing costs, capd against tcpdump, dumpcap and netsniff-ng, on
# the same veth with the same traffic in the same run (root; a network
# namespace of its own, cleaned up):
#  - a sender pinned to CPU 0 offers N datagrams as fast as it can (the
#    lab's highest rate, reported); every capture tool is pinned to CPU 1;
#  - per million packets: the kernel's softirq time (all CPUs, /proc/stat;
#    tick-sampled, so about +-10 ms per run), and the user-space time spent
#    moving packets: capd's own busy counter (its capture thread spins, so
#    its process time says nothing), the peers' user+system time;
#  - packets lost by each tool;
#  - ratios: each peer's figure divided by capd's.
# A run without any capture tool gives the kernel's own cost of the traffic.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"

json=0 count=2000000 size=100 build=$here/../build
while [[ $# -gt 0 ]]; do
	case $1 in
	--json) json=1 ;;
	--count) count=$2; shift ;;
	--size) size=$2; shift ;;
	--build) build=$2; shift ;;
	*) echo "usage: capture.sh [--json] [--count N] [--size BYTES] [--build DIR]" >&2; exit 2 ;;
	esac
	shift
done
capd=$build/capd/capd send=$build/tests/mcast_send flows=$build/tests/ring_flows
for b in "$capd" "$send" "$flows"; do
	[[ -x $b ]] || { echo "capture.sh: $b missing: build first (cmake --build build)" >&2; exit 2; }
done
lab_require_root
lab_require_cmd ip taskset tcpdump dumpcap netsniff-ng
(($(nproc) >= 2)) || lab_skip "needs 2 CPUs (sender and capture apart)"
lab_init

lab_netns_add bsrc
ns=$LAB_REPLY
lab_veth_add bcap eth0 "$ns"
hif=$LAB_REPLY
ip addr add 10.197.0.1/24 dev "$hif"
ip -n "$ns" addr add 10.197.0.2/24 dev eth0
lab_hugepages_reserve 200
ringdir=/dev/hugepages/capd-bench-$LAB_RUN_ID
lab_on_exit rm -rf "$ringdir"
hz=$(getconf CLK_TCK)

softirq() { awk '/^cpu / {print $7 + $8}' /proc/stat; }	# irq + softirq ticks
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }	# utime + stime

# send: run the sender; sets sent, rate (pps) and sirq (softirq ticks).
send() {
	local s0 s1 t0 t1 out
	s0=$(softirq)
	t0=$(date +%s%N)
	out=$(ip netns exec "$ns" taskset -c 0 "$send" -i eth0 -g 239.1.1.1 -p 30001 \
		-n "$count" -s "$size")
	t1=$(date +%s%N)
	sleep 0.5	# let the tool drain
	s1=$(softirq)
	sent=${out#sent }
	rate=$((sent * 1000000000 / (t1 - t0)))
	sirq=$((s1 - s0))
}

per_mpkt() { # ticks -> ms per million packets
	echo "scale=1; $1 * 1000 / $hz * 1000000 / $sent" | bc
}

declare -A R
result() { # tool captured user_ms_per_mpkt
	R[$1.captured]=$2
	R[$1.lost]=$((sent - $2))
	R[$1.user]=$3
	R[$1.softirq]=$(per_mpkt "$sirq")
	R[$1.rate]=$rate
}

# Kernel only: nobody captures.
send
result none 0 0

# capd.
cat >"$LAB_TMP/capd.conf" <<CONF
ring = { name = "$ringdir/r"; size = "256M"; group = ""; };
capture = { cpu = 1; interfaces = ( { name = "$hif"; mode = "native"; } ); };
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
run = { user = ""; group = ""; };
CONF
taskset -c 1 "$capd" -c "$LAB_TMP/capd.conf" >"$LAB_TMP/capd.log" 2>&1 &
pid=$!
lab_on_exit "kill $pid 2>/dev/null || true"
for _ in $(seq 100); do
	grep -q capturing "$LAB_TMP/capd.log" && break
	sleep 0.1
done
grep -q capturing "$LAB_TMP/capd.log" || lab_fail "capd did not start: $(<"$LAB_TMP/capd.log")"
send
kill -INT $pid
wait $pid
# capd's own counters: the ring may have wrapped since (2M records > 256M).
out=$("$flows" -t 0.2 "$ringdir/r")
captured=$(sed -n 's/^stats packets=\([0-9]*\) .*/\1/p' <<<"$out")
busy=$(sed -n 's/.* busy_ns=\([0-9]*\) .*/\1/p' <<<"$out")
result capd "${captured:-0}" "$(echo "scale=1; $busy / 1000000 * 1000000 / $sent" | bc)"
R[capd.detail]=$(grep '^stats' <<<"$out")

# AF_PACKET peers, each writing its file format to /dev/null.
peer() { # name command...
	local name=$1 t
	shift
	taskset -c 1 "$@" >"$LAB_TMP/$name.out" 2>&1 &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	sleep 1.5	# socket open and ring mapped
	send
	t=$(proc_ticks $pid)
	kill -INT $pid
	wait $pid || true
	R[$name.ticks]=$t
}
peer tcpdump tcpdump -i "$hif" -n -B 65536 -w /dev/null
c=$(sed -n 's/^\([0-9]*\) packets captured/\1/p' "$LAB_TMP/tcpdump.out")
result tcpdump "${c:-0}" "$(per_mpkt "${R[tcpdump.ticks]}")"
peer dumpcap dumpcap -i "$hif" -B 64 -q -w /dev/null
c=$(sed -n 's/^Packets captured: \([0-9]*\)/\1/p' "$LAB_TMP/dumpcap.out")
result dumpcap "${c:-0}" "$(per_mpkt "${R[dumpcap.ticks]}")"
peer netsniff netsniff-ng --in "$hif" --out /dev/null --silent --ring-size 64MiB
c=$(tr '\r' '\n' <"$LAB_TMP/netsniff.out" | sed -n 's/^ *\([0-9]*\)  packets passed filter/\1/p')
result netsniff "${c:-0}" "$(per_mpkt "${R[netsniff.ticks]}")"

# Peers capture everything on the link (also ARP/IGMP/ND): never more lost than sent.
for t in tcpdump dumpcap netsniff; do
	((R[$t.lost] >= 0)) || R[$t.lost]=0
done

ratio() { [[ $2 != 0 && $2 != 0.0 ]] && echo "scale=2; $1 / $2" | bc || echo null; }
if ((json)); then
	for t in none capd tcpdump dumpcap netsniff; do
		printf '{"name":"%s_offered_pps","value":%s,"unit":"pps","ref":null,"ratio":null}\n' \
			"$t" "${R[$t.rate]}"
		printf '{"name":"%s_lost","value":%s,"unit":"packets","ref":null,"ratio":null}\n' \
			"$t" "${R[$t.lost]}"
		if [[ $t == none || $t == capd ]]; then
			printf '{"name":"%s_softirq_ms_per_mpkt","value":%s,"unit":"ms/Mpkt","ref":null,"ratio":null}\n' \
				"$t" "${R[$t.softirq]}"
		else
			printf '{"name":"%s_softirq_ms_per_mpkt","value":%s,"unit":"ms/Mpkt","ref":%s,"ratio":%s}\n' \
				"$t" "${R[$t.softirq]}" "${R[capd.softirq]}" \
				"$(ratio "${R[$t.softirq]}" "${R[capd.softirq]}")"
		fi
		[[ $t == none ]] && continue
		if [[ $t == capd ]]; then
			printf '{"name":"capd_busy_ms_per_mpkt","value":%s,"unit":"ms/Mpkt","ref":null,"ratio":null}\n' \
				"${R[capd.user]}"
		else
			printf '{"name":"%s_cpu_ms_per_mpkt","value":%s,"unit":"ms/Mpkt","ref":%s,"ratio":%s}\n' \
				"$t" "${R[$t.user]}" "${R[capd.user]}" \
				"$(ratio "${R[$t.user]}" "${R[capd.user]}")"
		fi
	done
	exit 0
fi
printf '%d datagrams of %d bytes from one sender pinned to CPU 0; tools on CPU 1\n\n' "$count" "$size"
printf '%-10s %12s %10s %18s %8s %20s %8s\n' tool offered/pps lost "softirq ms/Mpkt" "x capd" \
	"moving ms/Mpkt" "x capd"
for t in none capd tcpdump dumpcap netsniff; do
	printf '%-10s %12s %10s %18s %8s %20s %8s\n' "$t" "${R[$t.rate]}" "${R[$t.lost]}" \
		"${R[$t.softirq]}" "$(ratio "${R[$t.softirq]}" "${R[capd.softirq]}")" \
		"${R[$t.user]}" "$(ratio "${R[$t.user]}" "${R[capd.user]}")"
done
echo
echo "capd ring counters: ${R[capd.detail]}"
echo "moving: capd = its capture thread's busy time (not idle polling); peers = process user+system time"
