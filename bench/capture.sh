#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/capture.sh [--json] [--count N] [--size BYTES] [--rate PPS] [--repeat N]
#                  [--sender socket|xdp] [--mode native|generic] [--no-perf]
#                  [--tools "none capd shared tcpdump dumpcap netsniff capd2"] [--build DIR]
#
# What capturing costs, capd (bypass path: "capd"; shared path, AF_PACKET:
# "shared") against tcpdump, dumpcap and netsniff-ng, on
# the same veth with the same traffic in the same run (root; a network
# namespace of its own, cleaned up):
#  - a sender pinned to CPU 0 offers N datagrams as fast as it can (the
#    lab's highest rate, reported), or at --rate; every capture tool is
#    pinned to CPU 1;
#  - the sender (--sender) is xdp_gen (bench/xdp_gen.c) by default when it
#    is built and works here, else tests/lab/tools/mcast_send.  A socket's
#    datagrams reach the host end of the veth as kmalloc'd skbs, which
#    veth's native XDP path must copy into a page before running capd's
#    program (skb_pp_cow_data) - a cost a NIC does not have.  xdp_gen's
#    frames arrive as page-backed xdp_frames, as from a NIC's ring; they
#    need NAPI on the host end, which an XDP program gives capd and GRO
#    (switched on for the whole run) gives everyone else;
#  - per million packets: the kernel's softirq time, twice: from /proc/stat
#    (all CPUs; USER_HZ ticks, so about +-10 ms per run) and, when
#    `perf record -a -e cpu-clock -g` works, from its samples: the CPU time
#    of those with handle_softirqs (or __do_softirq) on the stack (sample
#    period x count = the samples' share x wall time x CPUs); and the
#    user-space time spent moving packets: capd's own busy counter (its
#    capture thread spins, so its process time says nothing), the peers'
#    user+system time;
#  - packets lost by each tool;
#  - ratios: each peer's figure divided by capd's;
#  - each figure is the median of --repeat rounds (3), losses are summed;
#  - "other": CPU time that processes other than sender, tool and perf
#    took during a run.  On a shared machine someone else's job spoils a
#    run (a busy CPU 1 starves capd's thread, which then loses packets), so
#    each run first waits up to 10 s for a quiet second, and a run with
#    more than 50 ms of it is done again, up to 3 times.
# A run without any capture tool gives the kernel's own cost of the traffic.
# --tools picks and orders the tools (a rate sweep needs capd only).
#
# "capd2": capd with two capture threads (capture.cpus = [ 0, 1 ]), each
# writing its ring of the set, against "capd" (one thread on CPU 1) on the
# same traffic in the same run; not among the default tools.  Two queues
# for the two threads come from two veths (the second on the run's second
# subnets), a queue each, captured together by every capd of the run:
# queue j goes to thread j mod 2.  (One veth with two receive queues would
# need the traffic steered to a queue: by the sending CPU, which would put
# a sender on capd's CPU 1, or by tc, whose flower, skbedit and mqprio
# many kernels, this lab's among them, are built without; a socket's flow
# hash is random per socket.)  The traffic is two flows, count/2 each, one
# per veth, from two senders on CPU 0 (mcast_send: every tool's traffic
# alike).  The AF_PACKET peers watch one interface: with capd2 the tools
# are none, capd, shared and capd2.  Reported per capture thread: its busy
# time per packet of its own queue (ring_stats.busy_ns / packets of its
# ring).  This machine has 2 cores, so capd2's thread 0 shares CPU 0 with
# the senders and the veths' softirq work: no scaling can be shown here,
# only that a thread's cost per packet stays what one thread's is (use
# --rate, e.g. 200000, so that the senders leave CPU 0 idle most of the
# time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"

usage() {
	echo "usage: capture.sh [--json] [--count N] [--size BYTES] [--rate PPS] [--repeat N]" >&2
	echo "                  [--sender socket|xdp] [--mode native|generic] [--no-perf]" >&2
	echo "                  [--tools \"none capd shared tcpdump dumpcap netsniff\"] [--build DIR]" >&2
	exit 2
}
json=0 count=1000000 size=100 rate=0 repeat=3 sender='' mode=native perf=1 build=
tools="none capd shared tcpdump dumpcap netsniff"
while [[ $# -gt 0 ]]; do
	case $1 in
	--json) json=1 ;;
	--count) count=$2; shift ;;
	--size) size=$2; shift ;;
	--rate) rate=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--sender) sender=$2; shift ;;
	--mode) mode=$2; shift ;;
	--no-perf) perf=0 ;;
	--tools) tools=$2; shift ;;
	--build) build=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ -z $sender || $sender == socket || $sender == xdp ]] || usage
for t in $tools; do
	[[ $t == @(none|capd|shared|tcpdump|dumpcap|netsniff|capd2) ]] || usage
done
# capd2: two veths, two flows, for every tool of the run.
pairs=1
[[ " $tools " == *" capd2 "* ]] && pairs=2
if ((pairs == 2)); then
	for t in $tools; do
		[[ $t == @(none|capd|shared|capd2) ]] && continue
		echo "capture.sh: $t watches one interface: with capd2 the tools are none, capd, shared, capd2" >&2
		exit 2
	done
	if [[ $sender == xdp ]]; then
		echo "capture.sh: capd2 runs with the socket sender (two of them)" >&2
		exit 2
	fi
	sender=socket
fi
# The programs: with --build DIR from there, else as the lab takes them
# ($CAPD, $MCAST_SEND, $RING_FLOWS and $XDP_GEN, or the build tree
# $CAPD_BUILD: tests/lab/lab.sh).
if [[ -n $build ]]; then
	CAPD=$build/capd/capd MCAST_SEND=$build/tests/lab/tools/mcast_send
	RING_FLOWS=$build/tests/lab/tools/ring_flows XDP_GEN=$build/bench/xdp_gen
fi
: "${XDP_GEN:=$CAPD_BUILD/bench/xdp_gen}"
for b in "$CAPD" "$MCAST_SEND" "$RING_FLOWS"; do
	[[ -x $b ]] || { echo "capture.sh: $b missing: build first (cmake --build build)" >&2; exit 2; }
done
if [[ $sender == xdp && ! -x $XDP_GEN ]]; then
	echo "capture.sh: $XDP_GEN missing: build first (cmake --build build)" >&2
	exit 2
fi
lab_require_root
lab_require_cmd ip taskset
for t in $tools; do
	case $t in
	tcpdump | dumpcap) lab_require_cmd "$t" ;;
	netsniff) lab_require_cmd netsniff-ng ;;
	esac
done
[[ $sender == socket ]] || lab_require_cmd ethtool
(($(nproc) >= 2)) || lab_skip "needs 2 CPUs (sender and capture apart)"
lab_init

lab_netns_add bsrc
ns=$LAB_REPLY
lab_veth_add bcap eth0 "$ns"
hif=$LAB_REPLY
lab_subnet 0
ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$hif"
ip -n "$ns" addr add "$LAB_PEER4/$LAB_LEN4" dev eth0
hifs=("$hif")
if ((pairs == 2)); then
	lab_veth_add bcap2 eth1 "$ns"
	hifs+=("$LAB_REPLY")
	lab_subnet 1
	ip addr add "$LAB_HOST4/$LAB_LEN4" dev "${hifs[1]}"
	ip -n "$ns" addr add "$LAB_PEER4/$LAB_LEN4" dev eth1
fi
# ring 128 + UMEM 64 pages per queue, and slack; capd2 a ring per thread
lab_hugepages_reserve $((pairs == 1 ? 260 : 460))

# The sender.  xdp_gen needs NAPI on the host end (GRO on); it is tried
# with a few frames unless asked for by name, and must deliver them all.
why=
if [[ $sender != socket && -x $XDP_GEN ]]; then
	ethtool -K "$hif" gro on >/dev/null
	out=$(ip netns exec "$ns" "$XDP_GEN" -i eth0 -g 239.1.1.1 -p 30001 -n 100 2>&1) || true
	out=${out##*$'\n'}	# its last line
	if [[ $out != "sent 100" ]]; then
		[[ $sender == xdp ]] && lab_fail "xdp_gen does not work here: $out"
		why="xdp_gen failed: $out"
		ethtool -K "$hif" gro off >/dev/null
	else
		sender=xdp
	fi
elif [[ -z $sender ]]; then
	why="xdp_gen not built"
fi
[[ $sender == xdp ]] || sender=socket
if [[ $sender == xdp ]]; then
	sendcmd=("$XDP_GEN") sender_desc="xdp_gen (XDP_TX, live frames; GRO on $hif)"
else
	sendcmd=("$MCAST_SEND") sender_desc="mcast_send (UDP socket)${why:+; $why}"
fi
((pairs == 1)) || sender_desc="2 x mcast_send (UDP sockets), one per veth, each count/2"

if ((perf)) &&
   ! perf record -a -e cpu-clock -g -o "$LAB_TMP/perf.data" -- true >/dev/null 2>&1; then
	perf=0
fi
ringdir=/dev/hugepages/capd-bench-$LAB_RUN_ID
lab_on_exit rm -rf "$ringdir"
hz=$(getconf CLK_TCK)

softirq() { awk '/^cpu / {print $7 + $8}' /proc/stat; }	# irq + softirq ticks
busy() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }	# user nice system steal
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }	# utime + stime
# child_ticks VAR: utime + stime of the waited-for children of this shell,
# in ticks (times must run in this shell, not in a $(...) subshell).
child_ticks() {
	times >"$LAB_TMP/times"
	printf -v "$1" '%s' "$(awk -v hz="$hz" 'NR == 2 {
		split($1 $2, a, /[ms]/)
		printf "%d\n", (a[1] * 60 + a[2] + a[3] * 60 + a[4]) * hz + 0.5 }' "$LAB_TMP/times")"
}

# CPU time (ns) of the samples in perf.data taken in softirq context.
perf_softirq_ns() {
	perf script -i "$LAB_TMP/perf.data" -F period,ip,sym 2>/dev/null | awk '
		NF == 1 && $1 ~ /^[0-9]+$/ { if (soft) ns += period; period = $1; soft = 0; next }
		$2 == "handle_softirqs" || $2 == "__do_softirq" { soft = 1 }
		END { if (soft) ns += period; print ns + 0 }'
}

# perf_comm_ns COMM [SYM]: CPU time (ns) of the samples of threads named
# COMM, not in softirq context (the kernel figure has those); with SYM,
# only those with SYM on the stack.
perf_comm_ns() {
	perf script -i "$LAB_TMP/perf.data" -F comm,period,ip,sym 2>/dev/null |
	awk -v comm="$1" -v want="${2:-}" '
		function flush() { if (mine && !soft && (want == "" || hit)) ns += period }
		/^[^ \t]/ { flush(); mine = $1 == comm; period = $NF; soft = hit = 0; next }
		$2 == "handle_softirqs" || $2 == "__do_softirq" { soft = 1 }
		$2 == want { hit = 1 }
		END { flush(); print ns + 0 }'
}

# Wait (up to 10 s) for a second in which the CPUs, but for the tool
# ($pid: capd spins), were idle but for 5%: other people's jobs on a shared
# machine come and go.
wait_quiet() {
	local b0 b1 p0=0 p1=0 k
	for ((k = 0; k < 10; k++)); do
		b0=$(busy)
		[[ -z $pid ]] || p0=$(proc_ticks "$pid")
		sleep 1
		b1=$(busy)
		[[ -z $pid ]] || p1=$(proc_ticks "$pid")
		(((b1 - b0 - (p1 - p0)) * 100 < 5 * hz)) && return 0
	done
	return 0
}

# send_pairs: $count datagrams at $rate (0: as fast as they go) in two
# flows of half each, one per veth, both senders on CPU 0; "sent N", N the
# sum.
send_pairs() {
	local a b n0 n1

	ip netns exec "$ns" taskset -c 0 "$MCAST_SEND" -i eth0 -g 239.1.1.1 -p 30001 \
		-n $((count - count / 2)) -s "$size" -r $((rate / 2)) >"$LAB_TMP/send0.out" &
	a=$!
	ip netns exec "$ns" taskset -c 0 "$MCAST_SEND" -i eth1 -g 239.1.1.1 -p 30001 \
		-n $((count / 2)) -s "$size" -r $((rate / 2)) >"$LAB_TMP/send1.out" &
	b=$!
	wait $a
	wait $b
	n0=$(<"$LAB_TMP/send0.out") n1=$(<"$LAB_TMP/send1.out")
	echo "sent $((${n0#sent } + ${n1#sent }))"
}

# send: run the sender while the tool with pid $pid (none if empty)
# captures; sets sent, pps (offered rate), sirq (softirq ticks), psirq
# (softirq ns from perf samples, when perf works) and other (ticks of
# process time on any CPU taken by neither sender, tool nor perf: other
# people's load, which makes a run worthless).
send() {
	local s0 s1 t0 t1 out ppid b0 b1 c0 c1 p0=0 p1=0
	wait_quiet
	child_ticks c0
	if ((perf)); then
		perf record -a -e cpu-clock -g -o "$LAB_TMP/perf.data" >/dev/null 2>&1 &
		ppid=$!
		lab_on_exit "kill $ppid 2>/dev/null || true"
		sleep 0.5	# its events are open
	fi
	s0=$(softirq)
	b0=$(busy)
	[[ -z $pid ]] || p0=$(proc_ticks "$pid")
	t0=$(date +%s%N)
	if ((pairs == 1)); then
		out=$(ip netns exec "$ns" taskset -c 0 "${sendcmd[@]}" -i eth0 -g 239.1.1.1 \
			-p 30001 -n "$count" -s "$size" -r "$rate")
	else
		out=$(send_pairs)
	fi
	t1=$(date +%s%N)
	sleep 0.5	# let the tool drain
	s1=$(softirq)
	b1=$(busy)
	[[ -z $pid ]] || p1=$(proc_ticks "$pid")
	if ((perf)); then
		kill -INT "$ppid"
		wait "$ppid" || true
	fi
	child_ticks c1
	((perf)) && psirq=$(perf_softirq_ns)
	# BENCH_PERF_KEEP=DIR: keep each run's perf.data (DIR/TOOL.ROUND.data)
	if ((perf)) && [[ -n ${BENCH_PERF_KEEP:-} ]]; then
		cp "$LAB_TMP/perf.data" "$BENCH_PERF_KEEP/${t:-x}.${i:-0}.data"
	fi
	sent=${out#sent }
	pps=$((sent * 1000000000 / (t1 - t0)))
	sirq=$((s1 - s0))
	other=$((b1 - b0 - (c1 - c0) - (p1 - p0)))
	((other > 0)) || other=0
}

per_mpkt() { # ticks -> ms per million packets
	echo "scale=1; $1 * 1000 / $hz * 1000000 / $sent" | bc
}

declare -A R
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# result TOOL CAPTURED MOVING_MS_PER_MPKT: one round's figures.
# A round in which other people's processes took more than other_max ms of
# CPU is measured again, up to 3 times (then kept, and counted in "redone").
other_max=50
result() {
	accepted=1
	if ((other * 1000 / hz > other_max && attempt < 4)); then
		accepted=0
		R[$1.redone]=$((${R[$1.redone]:-0} + 1))
		return 0
	fi
	R[$1.lost]=$((${R[$1.lost]:-0} + (sent > $2 ? sent - $2 : 0)))
	R[$1.user_all]+=" $3"
	R[$1.softirq_all]+=" $(per_mpkt "$sirq")"
	# ns per packet = ms per million packets
	if ((perf)); then
		R[$1.psoftirq_all]+=" $(echo "scale=1; $psirq / $sent" | bc)"
	fi
	R[$1.rate_all]+=" $pps"
	R[$1.other_all]+=" $((other * 1000 / hz))"
}

run_none() {
	pid=
	send
	result none "$sent" 0
}

# join = false: no tool joins the group (the veth delivers it anyway), so
# that the kernel does the same work for each.  A joined group costs the
# IP and UDP receive path per datagram, which bypass skips (XDP takes the
# frame first) but the shared path cannot: there the group's members pay
# it, with or without capd.
cat >"$LAB_TMP/capd.conf" <<CONF
ring = { name = "$ringdir/r"; size = "256M"; group = ""; };
capture = { cpu = 1; join = false; interfaces = ( { name = "$hif"; mode = "$mode"; }$(
	((pairs == 1)) || echo ", { name = \"${hifs[1]}\"; mode = \"$mode\"; }") );
	# 16384 descriptors: 8 ms of slack at 2 Mpps when CPU 1 is not isolated.
	xsk = { rx_size = 16384; fill_size = 16384; frames = 32768; }; };
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
CONF
# The shared path: the same, with AF_PACKET rings of 64 MiB per socket.
sed 's/mode = "[a-z]*"; }/path = "shared"; }/g; s/^capture = {/capture = { packet = { blocks = 64; };/' \
	"$LAB_TMP/capd.conf" >"$LAB_TMP/shared.conf"
# capd2: two capture threads, on CPU 0 and 1.
sed 's/cpu = 1;/cpus = [ 0, 1 ];/' "$LAB_TMP/capd.conf" >"$LAB_TMP/capd2.conf"
run_capd() { # [NAME CONF]
	local out captured=0 busy=0 name=${1:-capd} k kpk kbusy nrings=1
	local -a kt

	# capd2 may not be held to CPU 1: it pins a thread to CPU 0 too.
	CAPD_LAB_WRAP=$([[ $name == capd2 ]] || echo "taskset -c 1") \
		capd_lab_start "$LAB_TMP/$name.log" "${2:-$LAB_TMP/capd.conf}"
	pid=$CAPD_PID
	send
	kill -INT $pid
	wait $pid
	# capd's own counters, each ring's (the ring may have wrapped since);
	# each thread's busy time per packet of its own queue.
	[[ $name == capd2 ]] && nrings=2
	for ((k = 0; k < nrings; k++)); do
		out=$("$RING_FLOWS" -t 0.2 "$ringdir/r$( ((k == 0)) || echo ".$k")")
		kpk=$(sed -n 's/^stats packets=\([0-9]*\) .*/\1/p' <<<"$out")
		kbusy=$(sed -n 's/.* busy_ns=\([0-9]*\) .*/\1/p' <<<"$out")
		captured=$((captured + ${kpk:-0})) busy=$((busy + ${kbusy:-0}))
		kt[k]=null
		((${kpk:-0} == 0)) || kt[k]=$(echo "scale=1; $kbusy / $kpk" | bc)
	done
	result "$name" "$captured" "$(echo "scale=1; $busy / $sent" | bc)"
	if ((accepted)) && [[ $name == capd || $name == capd2 ]]; then
		R[$name.t0_all]+=" ${kt[0]}"
		[[ $name == capd ]] || R[$name.t1_all]+=" ${kt[1]}"
	fi
	# busy_ns leaves out pktring_peek/xsk_rx_peek (each frame's descriptor
	# read, its first touch of the frame): perf's samples in it, added.
	if ((accepted && perf)); then
		local peek=pktring_peek
		[[ $name == capd* ]] && peek=xsk_rx_peek
		R[$name.upeek_all]+=" $(echo "scale=1; ($busy + $(perf_comm_ns capd-rx $peek)) / $sent" | bc)"
	fi
	if ((accepted)) && [[ $name == capd ]]; then
		R[capd.detail]+="  sent=$sent $(grep '^stats' <<<"$out")"$'\n'
	fi
}

# AF_PACKET peers, each writing its file format to /dev/null.
run_peer() { # name command...
	local name=$1 t c
	shift
	taskset -c 1 "$@" >"$LAB_TMP/$name.out" 2>&1 &
	pid=$!
	lab_on_exit "kill $pid 2>/dev/null || true"
	sleep 1.5	# socket open and ring mapped
	send
	t=$(proc_ticks $pid)
	kill -INT $pid
	wait $pid || true
	case $name in
	tcpdump) c=$(sed -n 's/^\([0-9]*\) packets captured/\1/p' "$LAB_TMP/$name.out") ;;
	# dumpcap -q still prints its final count after a carriage return.
	dumpcap) c=$(tr '\r' '\n' <"$LAB_TMP/$name.out" |
		sed -n 's/^Packets captured: \([0-9]*\)/\1/p') ;;
	netsniff) c=$(tr '\r' '\n' <"$LAB_TMP/$name.out" |
		sed -n 's/^ *\([0-9]*\)  packets passed filter/\1/p') ;;
	esac
	result "$name" "${c:-0}" "$(per_mpkt "$t")"
	# the same from perf's samples (ns resolution, softirq time left out).
	if ((accepted && perf)); then
		local comm=$name
		[[ $name == netsniff ]] && comm=netsniff-ng
		R[$name.upeek_all]+=" $(echo "scale=1; $(perf_comm_ns "$comm") / $sent" | bc)"
	fi
}

# Rounds interleave the tools so that drifting load hits them all alike.
for ((i = 0; i < repeat; i++)); do
	for t in $tools; do
		for ((attempt = 1; attempt <= 4; attempt++)); do
			case $t in
			none) run_none ;;
			capd) run_capd ;;
			capd2) run_capd capd2 "$LAB_TMP/capd2.conf" ;;
			shared) run_capd shared "$LAB_TMP/shared.conf" ;;
			tcpdump) run_peer tcpdump tcpdump -i "$hif" -n -B 65536 -w /dev/null ;;
			dumpcap) run_peer dumpcap dumpcap -i "$hif" -B 64 -q -w /dev/null ;;
			netsniff) run_peer netsniff netsniff-ng --in "$hif" --out /dev/null \
				--silent --ring-size 64MiB ;;
			esac
			((accepted)) && break
		done
	done
done
for t in $tools; do
	# shellcheck disable=SC2086 # word splitting of the lists is wanted
	{
		R[$t.user]=$(median ${R[$t.user_all]})
		R[$t.softirq]=$(median ${R[$t.softirq_all]})
		R[$t.psoftirq]=null R[$t.upeek]=null
		[[ -n ${R[$t.upeek_all]:-} ]] && R[$t.upeek]=$(median ${R[$t.upeek_all]})
		((perf)) && R[$t.psoftirq]=$(median ${R[$t.psoftirq_all]})
		R[$t.rate]=$(median ${R[$t.rate_all]})
		R[$t.other]=$(median ${R[$t.other_all]})
		[[ -z ${R[$t.t0_all]:-} ]] || R[$t.t0]=$(median ${R[$t.t0_all]})
		[[ -z ${R[$t.t1_all]:-} ]] || R[$t.t1]=$(median ${R[$t.t1_all]})
	}
done

# get KEY: a result, null when it was not measured (capd not among --tools).
get() { echo "${R[$1]:-null}"; }
ratio() { # A B: A / B
	if [[ $1 == null || $2 == null || $2 == 0 || $2 == 0.0 ]]; then
		echo null
	else
		echo "scale=2; $1 / $2" | bc
	fi
}
json_line() { # NAME VALUE UNIT [REF]
	if [[ -n ${4:-} ]]; then
		printf '{"name":"%s","value":%s,"unit":"%s","ref":%s,"ratio":%s}\n' \
			"$1" "$2" "$3" "$4" "$(ratio "$2" "$4")"
	else
		printf '{"name":"%s","value":%s,"unit":"%s","ref":null,"ratio":null}\n' "$1" "$2" "$3"
	fi
}
if ((json)); then
	json_line sender_is_xdp_gen "$([[ $sender == xdp ]] && echo 1 || echo 0)" bool
	for t in $tools; do
		ref=
		[[ $t == none || $t == capd || $t == shared ]] || ref=1
		json_line "${t}_offered_pps" "$(get "$t.rate")" pps
		json_line "${t}_lost" "$(get "$t.lost")" packets
		json_line "${t}_softirq_ms_per_mpkt" "$(get "$t.softirq")" ms/Mpkt \
			${ref:+"$(get capd.softirq)"}
		json_line "${t}_softirq_perf_ms_per_mpkt" "$(get "$t.psoftirq")" ms/Mpkt \
			${ref:+"$(get capd.psoftirq)"}
		json_line "${t}_other_load_ms" "$(get "$t.other")" ms
		json_line "${t}_rounds_redone" "${R[$t.redone]:-0}" rounds
		# each capture thread's busy time per packet of its own queue
		if [[ $t == capd ]]; then
			json_line capd_thread0_busy_ns_per_pkt "$(get capd.t0)" ns/pkt
		elif [[ $t == capd2 ]]; then
			json_line capd2_thread0_busy_ns_per_pkt "$(get capd2.t0)" ns/pkt \
				"$(get capd.t0)"
			json_line capd2_thread1_busy_ns_per_pkt "$(get capd2.t1)" ns/pkt \
				"$(get capd.t0)"
		fi
		if [[ $t == capd || $t == shared || $t == capd2 ]]; then
			json_line "${t}_busy_ms_per_mpkt" "$(get "$t.user")" ms/Mpkt
		elif [[ $t != none ]]; then
			json_line "${t}_cpu_ms_per_mpkt" "$(get "$t.user")" ms/Mpkt "$(get capd.user)"
		fi
	done
	exit 0
fi
printf '%d datagrams of %d bytes per round, %s, from %s pinned to CPU 0:\n  %s;\n' \
	"$count" "$size" "$( ((rate)) && echo "at $rate pps" || echo "as fast as it goes")" \
	"$( ((pairs == 1)) && echo "one sender" || echo "two senders")" "$sender_desc"
printf 'tools on CPU 1; capd in %s mode; medians of %d rounds; lost = summed over the rounds\n\n' \
	"$mode" "$repeat"
printf '%-9s %11s %8s %13s %7s %13s %7s %12s %7s %12s %6s %6s\n' "" offered lost \
	"softirq/proc" "x capd" "softirq/perf" "x capd" moving "x capd" moving/perf other redone
printf '%-9s %11s %8s %13s %7s %13s %7s %12s %7s %12s %6s %6s\n' tool pps packets \
	ms/Mpkt "" ms/Mpkt "" ms/Mpkt "" ms/Mpkt "ms" ""
for t in $tools; do
	printf '%-9s %11s %8s %13s %7s %13s %7s %12s %7s %12s %6s %6s\n' "$t" "$(get "$t.rate")" \
		"$(get "$t.lost")" \
		"$(get "$t.softirq")" "$(ratio "$(get "$t.softirq")" "$(get capd.softirq)")" \
		"$(get "$t.psoftirq")" "$(ratio "$(get "$t.psoftirq")" "$(get capd.psoftirq)")" \
		"$(get "$t.user")" "$(ratio "$(get "$t.user")" "$(get capd.user)")" \
		"$(get "$t.upeek")" "$(get "$t.other")" "${R[$t.redone]:-0}"
done
echo
# The shared path against tcpdump, the same AF_PACKET copy path, in this run.
if [[ " $tools " == *" shared "* && " $tools " == *" tcpdump "* ]]; then
	verdict() { # RATIO BOUND
		if [[ $1 == null ]]; then echo "n/a"
		elif (($(echo "$1 <= $2" | bc))); then echo "meets <= $2"
		else echo "MISSES <= $2"; fi
	}
	echo "shared path / tcpdump, this run (medians):"
	r=$(ratio "$(get shared.softirq)" "$(get tcpdump.softirq)")
	printf '  kernel, softirq/proc:   %5s  %s\n' "$r" "$(verdict "$r" 1.2)"
	r=$(ratio "$(get shared.psoftirq)" "$(get tcpdump.psoftirq)")
	printf '  kernel, softirq/perf:   %5s  %s\n' "$r" "$(verdict "$r" 1.2)"
	r=$(ratio "$(get shared.user)" "$(get tcpdump.user)")
	printf '  user, moving:           %5s  %s  (busy_ns / tcpdump utime+stime)\n' \
		"$r" "$(verdict "$r" 0.5)"
	r=$(ratio "$(get shared.user)" "$(get tcpdump.upeek)")
	printf '  user, moving vs perf:   %5s  %s  (busy_ns / tcpdump perf samples)\n' \
		"$r" "$(verdict "$r" 0.5)"
	# Not a verdict: capd's thread spins, and its peek samples are mostly
	# idle polling, so this bounds from above only when it is busy.
	r=$(ratio "$(get shared.upeek)" "$(get tcpdump.upeek)")
	printf '  user, loose upper bound: %4s  (busy_ns + every peek sample, idle polls too)\n\n' \
		"$r"
fi
if ((pairs == 2)); then
	echo "capture threads: busy time per packet of each thread's own queue (busy_ns / packets"
	echo "of its ring, medians), the same traffic; x capd = against capd's one thread:"
	printf '  capd  thread 0, CPU 1, both queues:   %8s ns/pkt\n' "$(get capd.t0)"
	printf '  capd2 thread 0, CPU 0, %-14s %8s ns/pkt  x capd %s\n' "${hifs[0]}:" \
		"$(get capd2.t0)" "$(ratio "$(get capd2.t0)" "$(get capd.t0)")"
	printf '  capd2 thread 1, CPU 1, %-14s %8s ns/pkt  x capd %s\n' "${hifs[1]}:" \
		"$(get capd2.t1)" "$(ratio "$(get capd2.t1)" "$(get capd.t0)")"
	cat <<TWO
  This machine has $(nproc) cores: capd2's thread 0 shares CPU 0 with the senders and the
  veths' softirq work (a batch it is preempted in counts the time it waited), and the two
  threads together get no more CPU than one.  No scaling can be shown here, only each
  thread's cost per packet; on a capture box each thread has an isolated core of its own.

TWO
fi
[[ -n ${R[capd.detail]:-} ]] && printf 'capd ring counters per round:\n%s\n' "${R[capd.detail]}"
cat <<EXPLAIN
softirq/proc: irq+softirq time of all CPUs from /proc/stat, over the run and 0.5 s of drain
softirq/perf: CPU time of the perf cpu-clock samples with handle_softirqs on the stack, same
              window$( ((perf)) || echo " (perf unusable here: null)")
moving: capd = its capture thread's busy time (not idle polling); peers = process user+system time
moving/perf: capd = busy time + the perf samples of its thread in the ring peek (outside
             busy_ns; they include the empty peeks of idle polling, so an upper bound, loose
             when the thread mostly waits); peers = perf samples of the process, softirq left out
other: CPU time in the window of processes other than sender, tool and perf (someone else's
       load); a round with more than ${other_max} ms of it is measured again, at most 3 times
       (redone: how often); each run first waits up to 10 s for a quiet second
EXPLAIN
