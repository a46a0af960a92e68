#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/replay.sh [--seconds S] [--rate PPS] [--top-packets N] [--tools "..."]
#                 [--build DIR] [--keep DIR]
#
# capreplay against tcpreplay (Debian package tcpreplay, scripts/deps.sh)
# on the same recorded feed, in one run (root; a network namespace of its
# own, cleaned up).  Each tool sends from the namespace through a veth into
# a capd pinned to CPU 1 (the sender is pinned to CPU 0), whose ring is
# read back with capdump after each run: the receiver's timestamps judge
# every tool alike.
#
#  1. Timing at the original speed: a feed of --seconds (10) written by
#     tests/lab/tools/replay_gen.py, --rate (100000) packets/s with jitter,
#     50 ms idle and a burst of 50 back-to-back packets every 150 ms.
#     capreplay reads it as it is (pcapng, ns); tcpreplay reads pcap only,
#     so it gets the same packets through `editcap -F pcap` (us stamps: it
#     is judged against those).  Per tool, from the re-recording
#     (tests/lab/tools/replay_judge.py):
#	error_i = (rx_i - rx_0) - (orig_i - orig_0)
#     p99 of |error_i| and the drift, the error of the last packet (also
#     net of the first packet's own lateness, which every error_i carries:
#     the last packet's error against the median one); and the p99 of the
#     inter-arrival gap error.  Every packet must arrive, in
#     order, with its payload.
#  2. Top speed: --top-packets (500000) packets of one feed, sent by
#     capreplay --topspeed in payload mode (UDP sockets, sendmmsg), in
#     frame mode (AF_PACKET, sendmmsg, qdisc bypass) and by tcpreplay
#     --topspeed (AF_PACKET, one send() a packet); the rate is what the
#     receiver counts: packets re-recorded / (last - first stamp), and
#     Mbit/s of their frames (capinfos); packets lost on the way are
#     reported (sent - re-recorded).
# Printed: each figure, and the ratios tcpreplay / capreplay (errors: > 1
# means capreplay is more exact) and capreplay / tcpreplay (rates: > 1
# means capreplay is faster).  --tools picks the runs (default
# "time-capreplay time-tcpreplay top-payload top-frame top-tcpreplay").
# On this 2-core lab the receiver (capd) shares the machine with the
# sender, as any veth test does: the rates are the lab's, not a NIC's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"
gen=$here/../tests/lab/tools/replay_gen.py
judge=$here/../tests/lab/tools/replay_judge.py

usage()
{
	echo "usage: replay.sh [--seconds S] [--rate PPS] [--top-packets N] [--tools \"...\"]" \
		"[--build DIR] [--keep DIR]" >&2
	exit 2
}
seconds=10 rate=100000 top=500000 build='' keep=''
tools="time-capreplay time-tcpreplay top-payload top-frame top-tcpreplay"
while (($#)); do
	case $1 in
	--seconds) seconds=$2 && shift ;;
	--rate) rate=$2 && shift ;;
	--top-packets) top=$2 && shift ;;
	--tools) tools=$2 && shift ;;
	--build) build=$2 && shift ;;
	--keep) keep=$2 && shift ;;
	*) usage ;;
	esac
	shift
done
for t in $tools; do
	[[ $t == @(time-capreplay|time-tcpreplay|top-payload|top-frame|top-tcpreplay) ]] || usage
done
if [[ -n $build ]]; then
	CAPD=$build/capd/capd CAPDUMP=$build/readers/capdump/capdump
	CAPREPLAY=$build/readers/capreplay/capreplay
fi
for b in "$CAPD" "$CAPDUMP" "$CAPREPLAY"; do
	[[ -x $b ]] || { echo "replay.sh: $b missing: build first (cmake --build build)" >&2; exit 2; }
done
lab_require_root
lab_require_cmd ip taskset tshark capinfos editcap python3 jq timeout
command -v tcpreplay >/dev/null || lab_skip "needs tcpreplay: apt-get install tcpreplay"
(($(nproc) >= 2)) || lab_skip "needs 2 CPUs (sender and receiver apart)"
lab_init

capd_lab_setup brp
ringdir=${CAPD_RING%/*}
dir=${keep:-$LAB_TMP}
mkdir -p "$dir"
feeds='feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; proto = "moldudp64"; },
	  { name = "BURST"; group = "239.1.1.5"; ports = [ 30005 ]; proto = "moldudp64"; } );'

echo "writing the files: $seconds s at $rate packets/s, and $top packets for top speed"
python3 "$gen" "$dir/feed.pcapng" --seconds "$seconds" --rate "$rate" >"$dir/feed.json"
editcap -F pcap "$dir/feed.pcapng" "$dir/feed.pcap"
python3 "$gen" "$dir/top.pcapng" --burst 0 --jitter-ns 0 --rate 1000000 \
	--seconds "$(awk -v n="$top" 'BEGIN { printf "%.6f", n / 1e6 }')" >"$dir/top.json"
editcap -F pcap "$dir/top.pcapng" "$dir/top.pcap"
echo "feed: $(jq -c . "$dir/feed.json")"
# The ring holds the whole replay (it is read back after it): ~130 bytes
# a packet, in steps of 256 MiB (2 M packets), and hugepages for it.
ring_mb=$(jq '[.packets, '"$top"'] | max | . * 130 / 1048576 / 256 | floor + 1 | . * 256' "$dir/feed.json")
lab_hugepages_reserve $((ring_mb / 2 + 72))

# fields FILE OUT: time, sequence number and payload of the feed's packets.
fields()
{
	tshark -r "$1" -d udp.port==30001,moldudp64 -d udp.port==30005,moldudp64 \
		-Y 'udp.dstport == 30001 || udp.dstport == 30005' \
		-T fields -e frame.time_epoch -e moldudp64.sequence -e udp.payload >"$2" 2>/dev/null
}
fields "$dir/feed.pcapng" "$dir/feed.tsv"
fields "$dir/feed.pcap" "$dir/feed-us.tsv"

# run NAME COMMAND...: a fresh capd and ring, COMMAND in the namespace on
# CPU 0, then the ring re-recorded into $dir/NAME.pcapng.
n=0
run()
{
	local name=$1
	shift
	n=$((n + 1))
	CAPD_RING=$ringdir/r$n
	capd_lab_conf "${ring_mb}M" 1 <<<"$feeds"
	CAPD_LAB_WRAP="taskset -c 1" capd_lab_start "$dir/$name.capd.log"
	local t0=$SECONDS
	ip netns exec "$CAPD_NS" timeout 600 taskset -c 0 "$@" >"$dir/$name.out" 2>"$dir/$name.err" ||
		{ echo "replay.sh: $name: exit $?: $(tail -n 3 "$dir/$name.err")" >&2; exit 1; }
	echo "$name: sent in $((SECONDS - t0)) s"
	capd_lab_stop
	timeout 120 "$CAPDUMP" -i "$CAPD_RING" --from oldest -q -w "$dir/$name.pcapng" \
		'udp dst port 30001 or udp dst port 30005' 2>"$dir/$name.capdump.err" ||
		{ echo "replay.sh: capdump after $name: exit $?" >&2; exit 1; }
	rm -f "$CAPD_RING"
}

declare -A R
# timing NAME ORIG_TSV COMMAND...
timing()
{
	local name=$1 orig=$2 j
	shift 2
	run "$name" "$@"
	fields "$dir/$name.pcapng" "$dir/$name.tsv"
	j=$(python3 "$judge" "$orig" "$dir/$name.tsv")
	echo "$name: $j"
	[[ $(jq .same <<<"$j") == true ]] ||
		echo "$name: WARNING: the re-recording differs from the original" \
			"($(jq -c '[.packets, .expected, .first_diff]' <<<"$j"))"
	R[$name.p99]=$(jq '.err_ns.p99' <<<"$j")
	R[$name.drift]=$(jq '.drift_ns | if . < 0 then -. else . end' <<<"$j")
	R[$name.gap99]=$(jq '.gap_err_ns.p99' <<<"$j")
	R[$name.dnet]=$(jq '.drift_ns + .first_late_ns | if . < 0 then -. else . end' <<<"$j")
}

# toprate NAME COMMAND...
toprate()
{
	local name=$1 c
	shift
	run "$name" "$@"
	c=$(capinfos -T -M -c -x -i "$dir/$name.pcapng" | tail -n 1)
	R[$name.n]=$(cut -f 2 <<<"$c")
	R[$name.pps]=$(cut -f 4 <<<"$c")
	R[$name.mbps]=$(awk -F '\t' '{ printf "%.1f", $3 / 1e6 }' <<<"$c")
	echo "$name: received ${R[$name.n]} of $top, ${R[$name.pps]} packets/s, ${R[$name.mbps]} Mbit/s"
}

for t in $tools; do
	case $t in
	time-capreplay)
		timing "$t" "$dir/feed.tsv" "$CAPREPLAY" -r "$dir/feed.pcapng" -o eth0 --cpu 0 --json -q
		echo "$t: its report: $(jq -c '{sent, err_p50_ns, err_p99_ns, err_max_ns, drift_ns,
			late_10us, late_100us, cpu_ns, elapsed_ns}' "$dir/$t.out")"
		;;
	time-tcpreplay) timing "$t" "$dir/feed-us.tsv" tcpreplay -q -i eth0 "$dir/feed.pcap" ;;
	top-payload) toprate "$t" "$CAPREPLAY" -r "$dir/top.pcapng" -o eth0 --cpu 0 --topspeed -q ;;
	top-frame) toprate "$t" "$CAPREPLAY" -r "$dir/top.pcapng" -o eth0 --cpu 0 --topspeed --frame -q ;;
	top-tcpreplay) toprate "$t" tcpreplay -q -t -i eth0 "$dir/top.pcap" ;;
	esac
done

ratio()
{
	awk -v a="${R[$1]:-}" -v b="${R[$2]:-}" 'BEGIN {
		if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f\n", a / b }'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for k in time-capreplay time-tcpreplay; do
	[[ -n ${R[$k.p99]:-} ]] || continue
	printf '%-15s p99 |error| %10d ns  drift %10d ns (%d ns net of the first packet)' \
		"$k" "${R[$k.p99]}" "${R[$k.drift]}" "${R[$k.dnet]}"
	printf '  p99 gap error %6d ns\n' "${R[$k.gap99]}"
done
for k in top-payload top-frame top-tcpreplay; do
	[[ -n ${R[$k.pps]:-} ]] || continue
	printf '%-15s %10s packets/s %9s Mbit/s   received %s of %s\n' \
		"$k" "${R[$k.pps]}" "${R[$k.mbps]}" "${R[$k.n]}" "$top"
done
echo "tcpreplay / capreplay, p99 |error|: $(ratio time-tcpreplay.p99 time-capreplay.p99)," \
	"drift: $(ratio time-tcpreplay.drift time-capreplay.drift)," \
	"p99 gap error: $(ratio time-tcpreplay.gap99 time-capreplay.gap99)"
echo "capreplay / tcpreplay at top speed, payload mode: $(ratio top-payload.pps top-tcpreplay.pps)," \
	"frame mode: $(ratio top-frame.pps top-tcpreplay.pps)"
