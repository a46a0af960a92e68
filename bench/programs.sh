# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/programs.sh - sourced by the reader benchmarks: where capdump and
# ring_fill are.  bench_programs NAME BUILD: with BUILD (--build DIR) from
# there, else as the lab takes them ($CAPDUMP and $RING_FILL, or the build
# tree $CAPD_BUILD, default build/: tests/lab/lab.sh); exits 2, naming
# the script NAME, if one is not built.

bench_programs()
{
	local name=$1 build=$2 b

	if [[ -n $build ]]; then
		CAPDUMP=$build/readers/capdump/capdump RING_FILL=$build/bench/ring_fill
	fi
	build=${CAPD_BUILD:-$(dirname "${BASH_SOURCE[0]}")/../build}
	: "${CAPDUMP:=$build/readers/capdump/capdump}" "${RING_FILL:=$build/bench/ring_fill}"
	for b in "$CAPDUMP" "$RING_FILL"; do
		[[ -x $b ]] || { echo "$name: $b missing: build first" >&2; exit 2; }
	done
}
