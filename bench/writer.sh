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
# Best of --repeat (3) runs each.  No privileges needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
json=0 packets=2000000 level=1 repeat=3 build=$here/../build
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
capdump=$build/readers/capdump fill=$build/bench/ring_fill
for b in "$capdump" "$fill"; do
	[[ -x $b ]] || { echo "writer.sh: $b missing: build first" >&2; exit 2; }
done
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

"$fill" "$ring" 1G "$packets" >/dev/null
# The same pcapng bytes as a file, for the zstd CLI; and as pcap for tcpdump.
"$capdump" -q -i "$ring" --from oldest -w "$tmp/ref.pcapng"
"$capdump" -q -i "$ring" --from oldest -F pcap -w "$tmp/ref.pcap"
bytes=$(stat -c %s "$tmp/ref.pcapng")

# run CMD...: wall seconds and user+sys seconds of CMD (best wall of repeat).
run() {
	local best_w=999999 best_c=0 w c i
	for ((i = 0; i < repeat; i++)); do
		rm -f "$tmp/out"*
		read -r w c < <({ /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null; } 2>&1 |
			tail -1 | awk '{print $1, $2 + $3}')
		if awk "BEGIN {exit !($w < $best_w)}"; then best_w=$w best_c=$c; fi
	done
	echo "$best_w $best_c"
}
read -r cd_w cd_c < <(run "$capdump" -q -i "$ring" --from oldest -z "$level" -w "$tmp/out.pcapng.zst")
read -r zs_w zs_c < <(run zstd -q -f "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref.zst")
# The CLI reads and writes in a second thread; capdump has one thread.
read -r z1_w z1_c < <(run zstd -q -f --single-thread "-$level" "$tmp/ref.pcapng" -o "$tmp/out.ref1.zst")
read -r td_w td_c < <(run bash -c "tcpdump -r '$tmp/ref.pcap' -w - 2>/dev/null | zstd -q -$level > '$tmp/out.td.zst'")
"$capdump" -q -i "$ring" --from oldest -z "$level" -w "$tmp/out.pcapng.zst"
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
