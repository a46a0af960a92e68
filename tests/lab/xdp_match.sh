#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# xdp_match.sh - $XDP_MATCH (tools/xdp_match.c: capd's XDP program's parser
# and feed matching, frame by frame, through BPF_PROG_TEST_RUN) run as a lab
# test, for the kernel log scanned after it as after every other.  Its exit
# status is the test's, unless the kernel logged a warning meanwhile.
. "$(dirname "$0")/lab.sh"
lab_start XDP_MATCH
rc=0
"$XDP_MATCH" || rc=$?
exit "$rc"
