#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/extract.sh [--gb N] [--rotate-mb MB] [--repeat N] [--tshark-runs N]
#                  [--packets N] [--dir DIR] [--keep] [--build DIR]
#
# The archive: extraction by time against a full scan, and what indexes
# cost the recorder.  Run by hand (not part of CI), no privileges needed:
#
#	cmake --build build && bench/extract.sh            # about 5-10 minutes
#
# The archive: bench/ring_fill writes --packets (2000000) market-data-like
# packets (8 MoldUDP64 groups, 2 us apart, the feed table of a capd with
# feeds[].proto = "moldudp64") into a ring and capdump records it as a
# capture box would (-i --from oldest -C MB -w arc.pcapng.zst: .pcapng.zst
# files of --rotate-mb (100) MB of pcapng each, with their indexes); again
# and again, each copy of the traffic stamped after the one before, until
# the archive holds --gb (2) GB of pcapng.  A window of 1/500 of the
# archive's span, starting at 37 % of it, is then extracted:
#  (a) capdump -r ARCHIVE --start S --end E -w OUT, the indexes in place;
#  (b) the same command over the same files without their indexes (hard
#      links in another directory): capdump reads every file whole, a full
#      scan, to the same output file;
#  (c) tshark -r FILE -Y 'frame.time_epoch >= S && frame.time_epoch < E'
#      -w OUT_i, one tshark per file of the archive, in order (the time of
#      all of them together; --tshark-runs (1) rounds: it is slow);
#  (d) capdump recording the ring (-i --from oldest -C MB -w x.pcapng.zst),
#      with indexes and with --no-index: user+system CPU seconds.
# (a), (b) and (d) run --repeat (5) rounds, interleaved, after one warm-up
# each; the medians are printed and their ratios a/b, c/a and d (with /
# without).  Targets (issue 18): a/b <= 1/20 (0.05), c/a >= 20, d <= 1.05.
# The outputs of (a), (b) and (c) must hold the same number of packets;
# those of (a) and (b) are written to tmpfs (/dev/shm), to time the reading.
# Wall and CPU (user+system) times are printed: on a shared machine the
# CPU ratio is the steadier one.
#
# Space: the archive (about a sixth of --gb with zstd level 1) in --dir, a
# ring of 1 GiB in /dev/shm; --dir (default a
# new directory under ${TMPDIR:-/var/tmp}, removed at the end unless --keep).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gb=2 rotate=100 repeat=5 truns=1 packets=2000000 dir='' keep=0 build=''
usage()
{
	sed -n '4,5p' "$0" | sed 's/^# //' >&2
	exit 2
}
while [[ $# -gt 0 ]]; do
	case $1 in
	--gb) gb=$2; shift ;;
	--rotate-mb) rotate=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--tshark-runs) truns=$2; shift ;;
	--packets) packets=$2; shift ;;
	--dir) dir=$2; shift ;;
	--keep) keep=1 ;;
	--build) build=$2; shift ;;
	*) usage ;;
	esac
	shift
done
# shellcheck source=bench/programs.sh
. "$here/programs.sh"
bench_programs extract.sh "$build"
for c in tshark capinfos /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "extract.sh: needs $c (tshark, wireshark-common, time)" >&2; exit 77; }
done
if [[ -z $dir ]]; then
	dir=$(mktemp -d "${TMPDIR:-/var/tmp}/capd-extract.XXXXXX")
else
	mkdir -p "$dir"
fi
ring=$(mktemp /dev/shm/capd-extract-ring.XXXXXX)
# The outputs of (a) and (b) on tmpfs: the figures are reading, not the disk.
outdir=$(mktemp -d /dev/shm/capd-extract-out.XXXXXX)
cleanup()
{
	rm -rf "$ring" "$outdir"
	((keep)) || rm -rf "$dir"
}
trap cleanup EXIT
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# once NAME CMD...: one run of CMD (its output thrown away); "wall cpu"
# appended to $dir/NAME.t.
once()
{
	local name=$1

	shift
	/usr/bin/time -o "$dir/time.out" -f "%e %U %S" "$@" >/dev/null 2>"$dir/$name.err" ||
		{ echo "extract.sh: $name failed: $(tail -3 "$dir/$name.err")" >&2; exit 1; }
	awk '{ print $1, $2 + $3 }' "$dir/time.out" >>"$dir/$name.t"
}
# med NAME wall|cpu: the median of NAME's runs.
med() { awk -v c="$([[ $2 == wall ]] && echo 1 || echo 2)" '{ print $c }' "$dir/$1.t" | median; }

# The archive: the ring filled and recorded again and again, each copy of
# the traffic after the one before in time, until --gb GB of pcapng.
t0=$SECONDS
"$RING_FILL" "$ring" 1G "$packets" --feeds >/dev/null
bytes=$("$CAPDUMP" -q -i "$ring" --from oldest -w - | wc -c)
copies=$(awk -v g="$gb" -v b="$bytes" 'BEGIN { n = int(g * 1e9 / b); print n * b < g * 1e9 ? n + 1 : n }')
shift_ns=$((packets * 2000 + 1000000))
first_ns=$(($(date +%s%N) - copies * shift_ns - 1000000000))
arch=$dir/archive
mkdir "$arch"
for ((i = 0; i < copies; i++)); do
	"$RING_FILL" "$ring" 1G "$packets" --feeds --t0 $((first_ns + i * shift_ns)) >/dev/null
	"$CAPDUMP" -q -i "$ring" --from oldest -C "$rotate" -w "$arch/arc.pcapng.zst"
done
nfiles=$(find "$arch" -name '*.pcapng.zst' | wc -l)
zbytes=$(du -cb "$arch"/*.pcapng.zst | tail -1 | cut -f 1)
# Its span, from the first and the last file.
mapfile -t files < <(ls "$arch"/*.pcapng.zst)
first=$(capinfos -T -r -a -S "${files[0]}" | awk -F '\t' '{ print $2 }')
last=$(capinfos -T -r -e -S "${files[-1]}" | awk -F '\t' '{ print $2 }')
start=$(calc "$first + ($last - $first) * 0.37")
end=$(calc "$start + ($last - $first) / 500")
# --start and --end to the nanosecond, as capdump takes them.
start=$(awk -v t="$start" 'BEGIN { printf "%.9f", t }')
end=$(awk -v t="$end" 'BEGIN { printf "%.9f", t }')
# The same files without indexes.
noidx=$dir/noidx
mkdir "$noidx"
ln "$arch"/*.pcapng.zst "$noidx/"
printf 'archive: %d files of %s MB (-C), %d recordings of %d packets, about %d bytes of pcapng, %d of .zst, span %.3f s (built in %d s)\n' \
	"$nfiles" "$rotate" "$copies" "$packets" $((copies * bytes)) "$zbytes" \
	"$(calc "$last - $first")" $((SECONDS - t0))
printf 'window: --start %s --end %s (1/500 of the span, at 37 %%)\n\n' "$start" "$end"

out=$outdir/out.pcapng
ext=("$CAPDUMP" -q --start "$start" --end "$end" -w "$out" -r)
count() { capinfos -T -r -c -M "$1" | awk -F '\t' '{ print $2 }'; }
# (a) and (b), interleaved after one warm-up each.
for ((i = 0; i <= repeat; i++)); do
	once a "${ext[@]}" "$arch"
	na=$(count "$out")
	once b "${ext[@]}" "$noidx"
	nb=$(count "$out")
	((i > 0)) || rm "$dir/a.t" "$dir/b.t"
done
# (c): tshark, one per file, all of them timed together.
filter="frame.time_epoch >= $start && frame.time_epoch < $end"
# shellcheck disable=SC2016 # for bash -c
tsh='i=0; for f in "${@:3}"; do tshark -n -r "$f" -Y "$2" -w "$1/tsh$i.pcapng" || exit 1; i=$((i + 1)); done'
for ((i = 0; i < truns; i++)); do
	once c bash -c "$tsh" _ "$dir" "$filter" "${files[@]}"
done
nc=0
for f in "$dir"/tsh*.pcapng; do
	nc=$((nc + $(count "$f")))
done
[[ $na == "$nb" && $na == "$nc" ]] ||
	{ echo "extract.sh: the window's packets differ: (a) $na, (b) $nb, (c) $nc" >&2; exit 1; }
# (d): recording the ring, with and without indexes.
rec=("$CAPDUMP" -q -i "$ring" --from oldest -C "$rotate" -w "$dir/rec/x.pcapng.zst")
for ((i = 0; i <= repeat; i++)); do
	rm -rf "$dir/rec" && mkdir "$dir/rec"
	once d_idx "${rec[@]}"
	rm -rf "$dir/rec" && mkdir "$dir/rec"
	once d_noidx "${rec[@]}" --no-index
	((i > 0)) || rm "$dir/d_idx.t" "$dir/d_noidx.t"
done

aw=$(med a wall) bw=$(med b wall) cw=$(med c wall)
ac=$(med a cpu) bc=$(med b cpu) cc=$(med c cpu)
dc=$(med d_idx cpu) dn=$(med d_noidx cpu)
printf '%-60s %8s %8s\n' "figure (medians of $repeat runs; tshark: $truns)" wall cpu
printf '%-60s %8s %8s\n' "(a) capdump -r ARCHIVE --start --end, indexes ($na packets)" "$aw" "$ac"
printf '%-60s %8s %8s\n' "(b) the same without indexes: a full scan" "$bw" "$bc"
printf '%-60s %8s %8s\n' "(c) tshark -r -Y frame.time_epoch, one per file ($nfiles)" "$cw" "$cc"
printf '%-60s %8s %8s\n' "(d) recording $packets packets, with indexes" "" "$dc"
printf '%-60s %8s %8s\n' "    the same with --no-index" "" "$dn"
echo
# CPU (user+system) is what a loaded machine disturbs least; wall for reference.
printf 'a/b = %s wall, %s cpu (target <= 0.05)\n' "$(calc "$aw / $bw")" "$(calc "$ac / $bc")"
printf 'c/a = %s wall, %s cpu (target >= 20)\n' "$(calc "$cw / $aw")" "$(calc "$cc / $ac")"
printf 'd with/without indexes = %s cpu (target <= 1.05)\n' "$(calc "$dc / $dn")"
((keep == 0)) || echo "kept: $dir"
