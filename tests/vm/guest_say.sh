# SPDX-License-Identifier: BSD-2-Clause
#
# guest_say.sh - sourced by the guest scripts (guest.sh, guest_latency.sh)
# from the test's disk, after T is set: a line to the console and to the
# script's output (say), and the last step reached kept in $T/status (step).

say()
{
	echo "capd-vm: $*" >/dev/console
	echo "$*"
}

step()
{
	echo "$1" >"$T/status"
	say "$1"
}
