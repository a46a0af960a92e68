#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/writer.sh [--json] [--packets N] [--level L] [--repeat N] [--disk DIR] [--build DIR]
#
# capdump as a recorder, from a ring filled beforehand with market-data-like
# traffic (bench/ring_fill: 8 multicast groups, MoldUDP64 packets of 1-5
# ITCH add-order messages), measured against references in the same run,
# on the same bytes:
#  - pcapng MB/s written as .pcapng.zst with --zstd-threads 2 as a ratio to
#    --zstd-threads 1 (target >= 1.6 on 2 free cores) and to `zstd -T2` at
#    the same level compressing the same pcapng bytes (target >= 0.9);
#    beside it, zstd's own gain from a second worker, `zstd -T2` against
#    `zstd --single-thread`: what two workers can give on this machine when
#    nothing else needs a core (capdump's reading thread does);
#  - with --zstd-threads 1, as a ratio to the zstd CLI's default (one
#    worker; the CLI does its I/O in a second thread: target >= 0.9) and to
#    `zstd --single-thread`;
#  - plain .pcapng MB/s as a ratio to `dd bs=1M` copying the same bytes to
#    the same filesystem (target >= 0.8): tmpfs (/dev/shm), and the disk
#    under --disk (default /var/tmp; no fsync by either);
#  - CPU (user+system) per million packets, --zstd-threads 1, as a ratio
#    to tcpdump writing the same packets as pcap into `zstd` through a pipe;
#  - the compression ratio of the file, for 1 and 2 threads.
# --repeat (5) interleaved rounds: the ratios are taken within each round
# (load drifting over the run hits both sides alike), and the medians of
# the rounds reported.  No privileges needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
json=0 packets=2000000 level=1 repeat=5 build='' disk=/var/tmp
usage="usage: writer.sh [--json] [--packets N] [--level L] [--repeat N] [--disk DIR] [--build DIR]"
while [[ $# -gt 0 ]]; do
	case $1 in
	--json) json=1 ;;
	--packets) packets=$2; shift ;;
	--level) level=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--disk) disk=$2; shift ;;
	--build) build=$2; shift ;;
	*) echo "$usage" >&2
	   exit 2 ;;
	esac
	shift
done
# shellcheck source=bench/programs.sh
. "$here/programs.sh"
bench_programs writer.sh "$build"
for c in zstd tcpdump dd; do
	command -v $c >/dev/null || { echo "writer.sh: needs $c" >&2; exit 77; }
done
tmp=$(mktemp -d /dev/shm/capd-writer.XXXXXX)
dtmp=
hp=
trap 'rm -rf "$tmp" ${dtmp:+"$dtmp"} ${hp:+"$hp"}' EXIT
dtmp=$(mktemp -d "$disk/capd-writer.XXXXXX")
ring=$tmp/ring
# The ring on hugepages as capd makes it, if 1 GiB of them is free (the
# benchmark reserves none itself); else on tmpfs, with 4 KiB pages.
if [[ -w /dev/hugepages ]] &&
	(($(awk '/HugePages_Free/ {f = $2} /HugePages_Rsvd/ {r = $2} END {print f - r}' /proc/meminfo) >= 520)); then
	hp=$(mktemp -d /dev/hugepages/capd-writer.XXXXXX)
	ring=$hp/ring
fi

"$RING_FILL" "$ring" 1G "$packets" >/dev/null
# The same pcapng bytes as a file, for the zstd CLI and dd; and as pcap for tcpdump.
"$CAPDUMP" -q -i "$ring" --from oldest --no-index -w "$tmp/ref.pcapng"
"$CAPDUMP" -q -i "$ring" --from oldest --no-index -F pcap -w "$tmp/ref.pcap"
bytes=$(stat -c %s "$tmp/ref.pcapng")
cp "$tmp/ref.pcapng" "$dtmp/ref.pcapng"

# once CMD...: wall seconds and user+sys seconds of one run of CMD.
once() {
	rm -f "$tmp/out"* "$dtmp/out"*
	{ /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null; } 2>&1 | tail -1 |
		awk '{print $1, $2 + $3}'
}
# keep NAME W C: append this round's wall and CPU seconds for NAME.
declare -A W C
keep() {
	W[$1]+="$2 " C[$1]+="$3 "
}
cd_=("$CAPDUMP" -q -i "$ring" --from oldest --no-index)
# Interleaved rounds, so that load drifting over the run hits all alike.
# shellcheck disable=SC2046 # once gives keep two words
for ((i = 0; i < repeat; i++)); do
	keep j1 $(once "${cd_[@]}" --zstd-threads 1 -z "$level" -w "$tmp/out.pcapng.zst")
	keep j2 $(once "${cd_[@]}" --zstd-threads 2 -z "$level" -w "$tmp/out.pcapng.zst")
	keep zs $(once zstd -q -f "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref.zst")
	keep z2 $(once zstd -q -f -T2 "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref2.zst")
	# The CLI reads and writes in a second thread; capdump has one reader.
	keep z1 $(once zstd -q -f --single-thread "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref1.zst")
	keep td $(once bash -c "tcpdump -r '$tmp/ref.pcap' -w - 2>/dev/null | zstd -q -$level > '$tmp/out.td.zst'")
	keep pm $(once "${cd_[@]}" -w "$tmp/out.pcapng")
	keep dm $(once dd if="$tmp/ref.pcapng" of="$tmp/out.dd" bs=1M)
	keep pd $(once "${cd_[@]}" -w "$dtmp/out.pcapng")
	keep dd $(once dd if="$dtmp/ref.pcapng" of="$dtmp/out.dd" bs=1M)
done

# median of the words given
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {printf "%.3f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# mbs NAME: median MB/s; ratio A B: median over the rounds of A's MB/s / B's
mbs() {
	# shellcheck disable=SC2046
	median $(for w in ${W[$1]}; do awk "BEGIN {print $bytes / 1e6 / $w}"; done)
}
ratio() {
	local -a a b
	read -ra a <<<"${W[$1]}"
	read -ra b <<<"${W[$2]}"
	# shellcheck disable=SC2046
	median $(for ((k = 0; k < ${#a[@]}; k++)); do awk "BEGIN {print ${b[k]} / ${a[k]}}"; done)
}
cpu() {
	# shellcheck disable=SC2046
	median $(for c in ${C[$1]}; do awk "BEGIN {print $c * 1000 / ($packets / 1e6)}"; done)
}
calc() { awk "BEGIN {printf \"%.3f\", $1}"; }

# The files: one frame each, as much pcapng back (the ISBs' times differ).
for j in 1 2; do
	"${cd_[@]}" --zstd-threads $j -z "$level" -w "$tmp/out$j.pcapng.zst"
	zstd -q -t "$tmp/out$j.pcapng.zst"
	[[ $(zstd -q -dc "$tmp/out$j.pcapng.zst" | wc -c) == "$bytes" ]] ||
		{ echo "writer.sh: --zstd-threads $j: the file does not hold the pcapng" >&2; exit 1; }
done
cratio1=$(calc "$bytes / $(stat -c %s "$tmp/out1.pcapng.zst")")
cratio2=$(calc "$bytes / $(stat -c %s "$tmp/out2.pcapng.zst")")

j1_mbs=$(mbs j1) j2_mbs=$(mbs j2) zs_mbs=$(mbs zs) z2_mbs=$(mbs z2) z1_mbs=$(mbs z1)
pm_mbs=$(mbs pm) dm_mbs=$(mbs dm) pd_mbs=$(mbs pd) dd_mbs=$(mbs dd)
r_j2_j1=$(ratio j2 j1) r_j2_z2=$(ratio j2 z2) r_j1_zs=$(ratio j1 zs) r_j1_z1=$(ratio j1 z1)
r_z2_z1=$(ratio z2 z1)
r_pm=$(ratio pm dm) r_pd=$(ratio pd dd)
j1_cpu=$(cpu j1) td_cpu=$(cpu td)
r_cpu=$(calc "$j1_cpu / $td_cpu")
where=tmpfs
[[ -z $hp ]] || where=hugetlbfs
disk_fs=$(stat -f -c %T "$dtmp")
ncpu=$(nproc)
if ((json)); then
	f='{"name":"%s","value":%s,"unit":"%s","ref":%s,"ratio":%s}\n'
	# shellcheck disable=SC2059
	{
		printf "$f" capdump_zst2_mbps_vs_zst1 "$j2_mbs" MB/s "$j1_mbs" "$r_j2_j1"
		printf "$f" capdump_zst2_mbps_vs_zstd_T2 "$j2_mbs" MB/s "$z2_mbs" "$r_j2_z2"
		printf "$f" zstd_T2_mbps_vs_single_thread "$z2_mbs" MB/s "$z1_mbs" "$r_z2_z1"
		printf "$f" capdump_zst_mbps "$j1_mbs" MB/s "$zs_mbs" "$r_j1_zs"
		printf "$f" capdump_zst_mbps_vs_single_thread "$j1_mbs" MB/s "$z1_mbs" "$r_j1_z1"
		printf "$f" capdump_pcapng_mbps_vs_dd_tmpfs "$pm_mbs" MB/s "$dm_mbs" "$r_pm"
		printf "$f" capdump_pcapng_mbps_vs_dd_disk "$pd_mbs" MB/s "$dd_mbs" "$r_pd"
		printf "$f" capdump_cpu_ms_per_mpkt "$j1_cpu" ms/Mpkt "$td_cpu" "$r_cpu"
		printf "$f" compression_ratio "$cratio1" x null null
		printf "$f" compression_ratio_zst2 "$cratio2" x null null
	}
	exit 0
fi
printf '%d market-data-like packets, %d bytes of pcapng, zstd level %d, %d CPUs,\n' \
	"$packets" "$bytes" "$level" "$ncpu"
printf 'medians of %d interleaved rounds, ring on %s, disk: %s (%s)\n\n' \
	"$repeat" "$where" "$disk" "$disk_fs"
printf '%-46s %10s %10s %7s %8s\n' figure capdump reference ratio target
row() { printf '%-46s %10s %10s %7s %8s\n' "$@"; }
row "zst MB/s, 2 threads (ref: 1 thread)" "$j2_mbs" "$j1_mbs" "$r_j2_j1" ">= 1.6"
row "zst MB/s, 2 threads (ref: zstd -T2)" "$j2_mbs" "$z2_mbs" "$r_j2_z2" ">= 0.9"
row "  zstd's own: -T2 (ref: --single-thread)" "$z2_mbs" "$z1_mbs" "$r_z2_z1" ""
row "zst MB/s, 1 thread (ref: zstd CLI)" "$j1_mbs" "$zs_mbs" "$r_j1_zs" ">= 0.9"
row "  (ref: zstd --single-thread)" "$j1_mbs" "$z1_mbs" "$r_j1_z1" ""
row "pcapng MB/s on tmpfs (ref: dd bs=1M)" "$pm_mbs" "$dm_mbs" "$r_pm" ">= 0.8"
row "pcapng MB/s on $disk_fs (ref: dd bs=1M)" "$pd_mbs" "$dd_mbs" "$r_pd" ">= 0.8"
row "CPU ms/Mpkt, 1 thread (ref: tcpdump | zstd)" "$j1_cpu" "$td_cpu" "$r_cpu" ""
printf '%-46s %10s %10s\n' "compression ratio, 1 and 2 threads" "$cratio1" "$cratio2"
echo
met() { awk "BEGIN {print ($1 >= $2) ? \"met\" : \"not met\"}"; }
echo "targets: 2 threads vs 1: $(met "$r_j2_j1" 1.6); vs zstd -T2: $(met "$r_j2_z2" 0.9);" \
	"1 thread vs zstd CLI: $(met "$r_j1_zs" 0.9); pcapng vs dd: tmpfs $(met "$r_pm" 0.8)," \
	"$disk_fs $(met "$r_pd" 0.8)"
