#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/latency.sh [--packets N] [--feeds N] [--repeat N] [--dir DIR] [--keep]
#                  [--build DIR]
#
# What latency matching costs capstat.  Run by hand (not part of CI), no
# privileges needed:
#
#	cmake --build build && bench/latency.sh            # about a minute
#
# Two pcapng files of --packets (2000000) MoldUDP64 packets each, of --feeds
# (8) groups, one message a packet, 1 us apart: point A, and point B the same
# packets 400 us +- 40 us later (uniform), 0.1 % of them missing.  Then,
# --repeat (3) rounds, interleaved, after one warm-up each:
#  (a) capstat -r A --proto moldudp64 --json: one input;
#  (b) capstat -r A --latency-to B --proto moldudp64 --json: both inputs,
#      every message matched.
# Printed: the median wall time of each, packets of point A per second,
# the ratio a/b (capstat's speed with latency matching against its speed on
# one input; the target is >= 0.5), the median CPU time (user + system) of
# each and the peak RSS of each (GNU time).  (b) reads twice the packets,
# the second input in a thread of its own: its wall time needs a second
# core free to stay near (a)'s; on a loaded host compare the CPU times.
set -euo pipefail

packets=2000000 feeds=8 repeat=3 dir='' keep=0
build=$(cd "$(dirname "$0")/.." && pwd)/build
while (($#)); do
	case $1 in
	--packets) packets=$2 && shift ;;
	--feeds) feeds=$2 && shift ;;
	--repeat) repeat=$2 && shift ;;
	--dir) dir=$2 && shift ;;
	--keep) keep=1 ;;
	--build) build=$2 && shift ;;
	*)
		echo "usage: bench/latency.sh [--packets N] [--feeds N] [--repeat N] [--dir DIR]" \
			"[--keep] [--build DIR]" >&2
		exit 2
		;;
	esac
	shift
done
capstat=$build/readers/capstat/capstat
[[ -x $capstat ]] || { echo "bench/latency.sh: no $capstat (build first, or --build DIR)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/latency.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
if [[ -z $dir ]]; then
	dir=$(mktemp -d /tmp/capd-bench-latency.XXXXXX)
	((keep)) || trap 'rm -rf "$dir"' EXIT
fi

echo "writing $packets packets to each of $dir/a.pcapng and $dir/b.pcapng"
python3 - "$dir" "$packets" "$feeds" <<'PY'
import random, struct, sys

d, n, nfeeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(20)

def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    ln = 12 + len(body)
    return struct.pack("<II", btype, ln) + body + struct.pack("<I", ln)

def head():
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # IDB: Ethernet, snaplen 0, if_tsresol 9 (ns)
    idb = block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB3x", 9, 1, 9) + b"\0" * 4)
    return shb + idb

def frame(feed, seq):
    mold = b"SESSION001" + struct.pack(">QH", seq, 1) + struct.pack(">H", 8) + struct.pack(">Q", seq)
    udp = struct.pack(">HHHH", 40000, 30001, 8 + len(mold), 0) + mold
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([239, 1, 1, 1 + feed]))
    eth = bytes([1, 0, 0x5E, 1, 1, 1 + feed]) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00"
    return eth + ip + udp

def epb(ts, data):
    return block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data)

t0 = 1700000000 * 10**9
seqs = [0] * nfeeds
bev = []
with open(d + "/a.pcapng", "wb") as fa:
    fa.write(head())
    out = []
    for i in range(n):
        f = i % nfeeds
        seqs[f] += 1
        t = t0 + i * 1000
        fr = frame(f, seqs[f])
        out.append(epb(t, fr))
        if random.random() >= 0.001:
            bev.append((t + 400000 + random.randint(-40000, 40000), fr))
        if len(out) == 65536:
            fa.write(b"".join(out))
            out = []
    fa.write(b"".join(out))
bev.sort(key=lambda e: e[0])
with open(d + "/b.pcapng", "wb") as fb:
    fb.write(head())
    for i in range(0, len(bev), 65536):
        fb.write(b"".join(epb(t, fr) for t, fr in bev[i:i + 65536]))
PY

# run NAME ARGS...: wall seconds and peak RSS (kB) of one capstat run.
run()
{
	local name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$dir/$name.time" "$capstat" "$@" >"$dir/$name.json" 2>"$dir/$name.err" ||
		{ echo "capstat $*: exit $?: $(<"$dir/$name.err")" >&2; exit 1; }
	cat "$dir/$name.time"
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

one=(-r "$dir/a.pcapng" --proto moldudp64 --json)
two=(-r "$dir/a.pcapng" --latency-to "$dir/b.pcapng" --proto moldudp64 --json)
run warm-a "${one[@]}" >/dev/null
run warm-b "${two[@]}" >/dev/null
: >"$dir/a.all" && : >"$dir/b.all"
for _ in $(seq "$repeat"); do
	run a "${one[@]}" >>"$dir/a.all"
	run b "${two[@]}" >>"$dir/b.all"
done
ta=$(cut -d' ' -f1 "$dir/a.all" | median) tb=$(cut -d' ' -f1 "$dir/b.all" | median)
ra=$(cut -d' ' -f2 "$dir/a.all" | sort -n | tail -1) rb=$(cut -d' ' -f2 "$dir/b.all" | sort -n | tail -1)
ca=$(awk '{ print $3 + $4 }' "$dir/a.all" | median) cb=$(awk '{ print $3 + $4 }' "$dir/b.all" | median)
jq -c 'select(.type == "summary") | .latency | [.clock, (.feeds | map(.both) | add),
	(.feeds | map(.a_only) | add), (.feeds | map(.b_only) | add)]' "$dir/b.json" |
	sed 's/^/matched (clock, both, A only, B only): /'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
awk -v n="$packets" -v ta="$ta" -v tb="$tb" -v ra="$ra" -v rb="$rb" -v ca="$ca" -v cb="$cb" 'BEGIN {
	printf "(a) one input:        %.2f s, %.2f M packets/s, CPU %.2f s, peak RSS %.0f MiB\n", ta, n / ta / 1e6, ca, ra / 1024
	printf "(b) --latency-to:     %.2f s, %.2f M packets/s of point A, CPU %.2f s, peak RSS %.0f MiB\n", tb, n / tb / 1e6, cb, rb / 1024
	printf "speed with matching / speed on one input: %.2fx (target >= 0.5x)\n", ta / tb
}'
