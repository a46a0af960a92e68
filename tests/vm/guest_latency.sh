#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# guest_latency.sh - the guest's half of "capd_vm.sh latency", run by
# capd-vm.service from the test's disk (mounted on /mnt/t, where everything
# it writes goes): tests/lab/capstat_latency.sh, RUNS times, with
# LATENCY_REQUIRE_NETEM=1 so it uses the kernel's tc netem or fails.  Each
# run's output goes to latency.N.out and its exit status to latency.N.rc;
# then the loaded modules (modules.out) and the kernel log (dmesg.out) are
# kept.  params holds RUNS and TIMEOUT (seconds a run may take); status the
# last step reached.
set -u
T=/mnt/t
. "$T/params"

. "$T/guest_say.sh"

step "booted: kernel $(uname -r)"
ip link set lo up
grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts ||
	mount -t hugetlbfs hugetlbfs /dev/hugepages || step "failed: no hugetlbfs"

# The lab's programs from this disk (tests/lab/lab.sh's variables).
export CAPD_BUILD="$T" CAPD="$T/capd" CAPD_BPF_OBJ="$T/capd_xdp.bpf.o" CAPDUMP="$T/capdump" \
	CAPSTAT="$T/capstat" FEED_SEND="$T/feed_send" DELAY_FWD="$T/delay_fwd" \
	LATENCY_REQUIRE_NETEM=1
i=1
while [ "$i" -le "$RUNS" ]; do
	step "capstat_latency run $i of $RUNS"
	timeout -k 5 "$TIMEOUT" bash "$T/lab/capstat_latency.sh" >"$T/latency.$i.out" 2>&1
	echo $? >"$T/latency.$i.rc"
	say "capstat_latency run $i: exit $(cat "$T/latency.$i.rc")"
	i=$((i + 1))
done
cat /proc/modules >"$T/modules.out"
dmesg >"$T/dmesg.out" 2>&1
step "done"
