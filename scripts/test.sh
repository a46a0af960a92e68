#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the build dependencies,
# checks that every C file is formatted as .clang-format says, then
#  1. builds with -Werror and runs every test but those labelled manual
#     (lab tests need root and skip with a reason otherwise),
#  2. builds with ASan+UBSan and runs the unit tests under them,
#  3. builds with TSan and runs the multi-threaded tests (label tsan: the
#     ring, zout's compressor thread),
#  4. builds the libFuzzer targets and runs each for a bounded time.
# Build trees go to build/test-*; pass -k to keep going after a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

keep_going=0
[ "${1:-}" = "-k" ] && keep_going=1
scripts/deps.sh

jobs=$(nproc)
status=0
run() {
	echo "== $*"
	if ! "$@"; then
		status=1
		[ $keep_going -eq 1 ] || exit 1
	fi
}

build() { # dir, cmake args...
	local dir=$1
	shift
	run cmake -S . -B "$dir" -DWERROR=ON "$@"
	run cmake --build "$dir" -j"$jobs"
}

# Every C file as .clang-format says (Debian 12's clang-format 14).
format_check() {
	git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run -Werror
}
run format_check

build build/test-release -DCMAKE_BUILD_TYPE=RelWithDebInfo
# The unit tests (no privileges, nothing timed against the other tests) two
# at a time; then, one at a time, every other test but those labelled
# manual (tests/capd.cmake: they cannot hold on CI's machine): lab tests
# time packets and share the lab's interfaces.
run ctest --test-dir build/test-release --output-on-failure -L unit -j"$jobs"
run ctest --test-dir build/test-release --output-on-failure -LE 'manual|unit'

build build/test-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=address,undefined
run ctest --test-dir build/test-asan --output-on-failure -L unit -j"$jobs"

# clang's TSan runtime; -R keeps TSan's address space away from ASLR
# layouts it does not know (high mmap_rnd_bits on recent kernels).
build build/test-tsan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=thread -DCMAKE_C_COMPILER=clang
run setarch "$(uname -m)" -R ctest --test-dir build/test-tsan --output-on-failure -L tsan

build build/test-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DBUILD_FUZZERS=ON
# Each target fuzzes for its fixed time; two run at once.
run ctest --test-dir build/test-fuzz --output-on-failure -L fuzz -j"$jobs"

exit $status
