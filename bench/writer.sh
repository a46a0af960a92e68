#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/writer.sh [--json] [--packets N] [--level L] [--build DIR]
#
# capdump as a recorder, from a ring filled beforehand with market-data-like
# traffic (bench/ring_fill: 8 multicast groups, MoldUDP64 packets of 1-5
# ITCH add-order messages), measured against references in the same run:
#  - pcapng MB/s written as .pcapng.zst, as a ratio to the zstd CLI at the
#    same level compressing the same pcapng bytes (target >= 0.9), and to
#    `zstd --single-thread` (the CLI does its I/O in a second thread);
#  - CPU (user+system) per million packets, as a ratio to tcpdump writing
#    the same packets as pcap into `zstd` through a pipe;
#  - the compression ratio of the file.
# Best of --repeat (5) interleaved runs each.  No privileges needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
json=0 packets=2000000 level=1 repeat=5 build=
while [[ $# -gt 0 ]]; do
	case $1 in
	--json) json=1 ;;
	--packets) packets=$2; shift ;;
	--level) level=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--build) build=$2; shift ;;
	*) echo "usage: writer.sh [--json] [--packets N] [--level L] [--repeat N] [--build DIR]" >&2
	   exit 2 ;;
	esac
	shift
done
# shellcheck source=bench/programs.sh
. "$here/programs.sh"
bench_programs writer.sh "$build"
for c in zstd tcpdump; do
	command -v $c >/dev/null || { echo "writer.sh: needs $c" >&2; exit 77; }
done
tmp=$(mktemp -d /dev/shm/capd-writer.XXXXXX)
trap 'rm -rf "$tmp" ${hp:+"$hp"}' EXIT
ring=$tmp/ring
hp=
# The ring on hugepages as capd makes it, if 1 GiB of them is free (the
# benchmark reserves none itself); else on tmpfs, with 4 KiB pages.
if [[ -w /dev/hugepages ]] &&
	(($(awk '/HugePages_Free/ {f = $2} /HugePages_Rsvd/ {r = $2} END {print f - r}' /proc/meminfo) >= 520)); then
	hp=$(mktemp -d /dev/hugepages/capd-writer.XXXXXX)
	ring=$hp/ring
fi

"$RING_FILL" "$ring" 1G "$packets" >/dev/null
# The same pcapng bytes as a file, for the zstd CLI; and as pcap for tcpdump.
"$CAPDUMP" -q -i "$ring" --from oldest -w "$tmp/ref.pcapng"
"$CAPDUMP" -q -i "$ring" --from oldest -F pcap -w "$tmp/ref.pcap"
bytes=$(stat -c %s "$tmp/ref.pcapng")

# once CMD...: wall seconds and user+sys seconds of one run of CMD.
once() {
	rm -f "$tmp/out"*
	{ /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null; } 2>&1 | tail -1 |
		awk '{print $1, $2 + $3}'
}
# keep NAME W C: remember the run with the best wall time for NAME.
declare -A W C
keep() {
	if [[ -z ${W[$1]:-} ]] || awk "BEGIN {exit !($2 < ${W[$1]})}"; then
		W[$1]=$2 C[$1]=$3
	fi
}
# Interleaved rounds, so that load drifting over the run hits all alike.
for ((i = 0; i < repeat; i++)); do
	keep cd $(once "$CAPDUMP" -q -i "$ring" --from oldest -z "$level" -w "$tmp/out.pcapng.zst")
	keep zs $(once zstd -q -f "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref.zst")
	# The CLI reads and writes in a second thread; capdump has one reader.
	keep z1 $(once zstd -q -f --single-thread "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref1.zst")
	keep td $(once bash -c "tcpdump -r '$tmp/ref.pcap' -w - 2>/dev/null | zstd -q -$level > '$tmp/out.td.zst'")
done
cd_w=${W[cd]} cd_c=${C[cd]} zs_w=${W[zs]} z1_w=${W[z1]} td_c=${C[td]}
"$CAPDUMP" -q -i "$ring" --from oldest -z "$level" -w "$tmp/out.pcapng.zst"
zbytes=$(stat -c %s "$tmp/out.pcapng.zst")

calc() { awk "BEGIN {printf \"%.3f\", $1}"; }
cd_mbs=$(calc "$bytes / 1e6 / $cd_w")
zs_mbs=$(calc "$bytes / 1e6 / $zs_w")
z1_mbs=$(calc "$bytes / 1e6 / $z1_w")
ratio_z1=$(calc "$cd_mbs / $z1_mbs")
cd_cpu=$(calc "$cd_c * 1000 / ($packets / 1e6)")
td_cpu=$(calc "$td_c * 1000 / ($packets / 1e6)")
ratio_mbs=$(calc "$cd_mbs / $zs_mbs")
ratio_cpu=$(calc "$cd_cpu / $td_cpu")
cratio=$(calc "$bytes / $zbytes")
if ((json)); then
	printf '{"name":"capdump_zst_mbps","value":%s,"unit":"MB/s","ref":%s,"ratio":%s}\n' \
		"$cd_mbs" "$zs_mbs" "$ratio_mbs"
	printf '{"name":"capdump_zst_mbps_vs_single_thread","value":%s,"unit":"MB/s","ref":%s,"ratio":%s}\n' \
		"$cd_mbs" "$z1_mbs" "$ratio_z1"
	printf '{"name":"capdump_cpu_ms_per_mpkt","value":%s,"unit":"ms/Mpkt","ref":%s,"ratio":%s}\n' \
		"$cd_cpu" "$td_cpu" "$ratio_cpu"
	printf '{"name":"compression_ratio","value":%s,"unit":"x","ref":null,"ratio":null}\n' "$cratio"
	exit 0
fi
where=tmpfs
[[ -z $hp ]] || where=hugetlbfs
printf '%d market-data-like packets, %d bytes of pcapng, zstd level %d, best of %d, ring on %s\n\n' \
	"$packets" "$bytes" "$level" "$repeat" "$where"
printf '%-44s %12s %12s %8s\n' figure capdump reference ratio
printf '%-44s %12s %12s %8s\n' "pcapng MB/s into .zst (ref: zstd CLI)" "$cd_mbs" "$zs_mbs" "$ratio_mbs"
printf '%-44s %12s %12s %8s\n' "  (ref: zstd --single-thread)" "$cd_mbs" "$z1_mbs" "$ratio_z1"
printf '%-44s %12s %12s %8s\n' "CPU ms per Mpkt (ref: tcpdump -w - | zstd)" "$cd_cpu" "$td_cpu" \
	"$ratio_cpu"
printf '%-44s %12s\n' "compression ratio (pcapng / .zst)" "$cratio"
echo
echo "target: MB/s ratio >= 0.9: $(awk "BEGIN {print ($ratio_mbs >= 0.9) ? \"met\" : \"not met\"}")"
