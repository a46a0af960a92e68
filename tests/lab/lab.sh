# shellcheck shell=bash disable=SC2034  # LAB_* variables are for the callers
# SPDX-License-Identifier: BSD-2-Clause
#
# lab.sh - helpers for the root lab tests; sourced, never run.
#
#	set -euo pipefail
#	. "$(dirname "$0")/lab.sh"
#	lab_require_root
#	lab_require_cmd ip setpriv
#	lab_init
#	lab_netns_add ns1		# creates ns1-$LAB_RUN_ID, name in $LAB_REPLY
#	lab_veth_add h0 eth0 ns1	# host end h0-$LAB_RUN_ID, eth0 inside ns1
#	lab_hugepages_reserve 16
#
# Every resource is registered for cleanup (lab_on_exit) as soon as it
# exists; an EXIT/INT/TERM trap undoes them all in reverse order, whether
# the test passed, failed or was interrupted.  Everything created carries
# the run id ("cl" + 4 hex digits) so leftovers of a killed run can be
# found: ip netns | grep -- -cl; ip link | grep -- -cl; ls /dev/hugepages.
#
# Call these functions directly, not inside $(...): a cleanup registered in
# a subshell is lost with it.  Results come back in LAB_REPLY instead.
#
# Exit codes follow tests/test.h: 0 pass, 1 fail, 77 skip (with a reason).

set -euo pipefail

LAB_RUN_ID=
LAB_TMP=
LAB_REPLY=
_LAB_CLEANUPS=()
_LAB_HP_SAVED=

lab_log()
{
	echo "lab: $*" >&2
}

lab_fail()
{
	echo "FAIL: ${0##*/}: $*" >&2
	exit 1
}

lab_skip()
{
	echo "SKIP: ${0##*/}: $*" >&2
	exit 77
}

lab_require_root()
{
	[[ $EUID -eq 0 ]] ||
		lab_skip "needs root (netns, veth, hugepages, mounts); run it with sudo"
}

# Debian package of the commands the lab tests use, for the skip message.
declare -A _LAB_PKG=(
	[ip]=iproute2 [tc]=iproute2 [ss]=iproute2 [setpriv]=util-linux
	[findmnt]=util-linux [mount]=mount [umount]=mount [getent]=libc-bin
	[stat]=coreutils [timeout]=coreutils [ethtool]=ethtool [tcpdump]=tcpdump
	[tshark]=tshark [capinfos]=wireshark-common [editcap]=wireshark-common
	[ptp4l]=linuxptp [pmc]=linuxptp [phc2sys]=linuxptp [bpftool]=bpftool
	[xdp-loader]=xdp-tools [socat]=socat [nc]=netcat-openbsd
	[python3]=python3 [zstd]=zstd [mausezahn]=netsniff-ng [jq]=jq
)

lab_require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [[ -n ${_LAB_PKG[$c]:-} ]]; then
			lab_skip "needs '$c': apt-get install ${_LAB_PKG[$c]}"
		fi
		lab_skip "needs '$c' (install the package that provides it)"
	done
}

# Register a cleanup: one argument is shell code, several are a command and
# its arguments (quoted as given).  Cleanups run last-registered first.
lab_on_exit()
{
	local cmd

	if [[ $# -eq 1 ]]; then
		cmd=$1
	else
		printf -v cmd '%q ' "$@"
	fi
	_LAB_CLEANUPS+=("$cmd")
}

_lab_cleanup()
{
	local rc=$? i

	trap - EXIT INT TERM
	# A failing cleanup must not stop the others.
	set +eu
	for ((i = ${#_LAB_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${_LAB_CLEANUPS[i]}" ||
			echo "lab: cleanup failed: ${_LAB_CLEANUPS[i]}" >&2
	done
	_LAB_CLEANUPS=()
	exit "$rc"
}

_lab_signal()
{
	echo "lab: ${0##*/}: interrupted by SIG$1" >&2
	exit "$2" # runs the EXIT trap
}

# Unique run id, private temp dir, and the trap that undoes everything.
lab_init()
{
	local id

	[[ -z $LAB_RUN_ID ]] || lab_fail "lab_init called twice"
	for _ in 1 2 3 4 5 6 7 8; do
		id=cl$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		# The id must not match anything a leftover of another run holds.
		if ! compgen -G "/run/netns/*-$id" >/dev/null &&
		   ! compgen -G "/sys/class/net/*-$id" >/dev/null &&
		   ! compgen -G "/dev/hugepages/*-$id" >/dev/null &&
		   ! compgen -G "/tmp/capd-lab-$id.*" >/dev/null; then
			LAB_RUN_ID=$id
			break
		fi
	done
	[[ -n $LAB_RUN_ID ]] || lab_fail "no unused run id found"
	trap _lab_cleanup EXIT
	trap '_lab_signal INT 130' INT
	trap '_lab_signal TERM 143' TERM
	LAB_TMP=$(mktemp -d "/tmp/capd-lab-$LAB_RUN_ID.XXXXXX")
	lab_on_exit rm -rf "$LAB_TMP"
	lab_log "${0##*/}: run id $LAB_RUN_ID, temp dir $LAB_TMP"
}

# NAME-<run id>: how a resource created for NAME by this run is called.
lab_name()
{
	echo "$1-$LAB_RUN_ID"
}

# Network namespace NAME-<run id> with lo up; its name in LAB_REPLY.
lab_netns_add()
{
	local ns

	ns=$(lab_name "$1")
	ip netns add "$ns" || lab_fail "ip netns add $ns failed"
	lab_on_exit ip netns del "$ns"
	ip -n "$ns" link set lo up || lab_fail "bringing up lo in $ns failed"
	LAB_REPLY=$ns
}

# veth pair: HOST_IF-<run id> here, NS_IF inside netns NS (the name given
# to lab_netns_add, or its full name), both up; host name in LAB_REPLY.
lab_veth_add()
{
	local host ns=$3 nsif=$2

	host=$(lab_name "$1")
	[[ $ns == *-"$LAB_RUN_ID" ]] || ns=$(lab_name "$ns")
	((${#host} <= 15)) || lab_fail "interface name $host is longer than 15 characters"
	# The peer is born in the namespace, so NS_IF cannot clash with a
	# host interface of the same name.
	ip link add "$host" type veth peer name "$nsif" netns "$ns" ||
		lab_fail "ip link add $host type veth peer $nsif in $ns failed"
	# Gone already if the namespace went first; that is fine.
	lab_on_exit "if [ -e /sys/class/net/$host ]; then ip link del $host; fi"
	ip link set "$host" up || lab_fail "ip link set $host up failed"
	ip -n "$ns" link set "$nsif" up || lab_fail "ip -n $ns link set $nsif up failed"
	LAB_REPLY=$host
}

# Sets LAB_HP_TOTAL, LAB_HP_FREE (free minus reserved, as lib/ring_file.c
# counts) and LAB_HP_KB (page size) from /proc/meminfo.
lab_hugepages_info()
{
	local k v rsvd=0 free=0

	LAB_HP_TOTAL=0 LAB_HP_KB=0
	while read -r k v _; do
		case $k in
		HugePages_Total:) LAB_HP_TOTAL=$v ;;
		HugePages_Free:) free=$v ;;
		HugePages_Rsvd:) rsvd=$v ;;
		Hugepagesize:) LAB_HP_KB=$v ;;
		esac
	done </proc/meminfo
	LAB_HP_FREE=$((free > rsvd ? free - rsvd : 0))
	((LAB_HP_KB > 0)) || lab_skip "no hugepage support in /proc/meminfo"
}

# hugetlbfs on /dev/hugepages; mounted (and unmounted at exit) if it is not.
lab_hugepages_mount()
{
	local mnt=/dev/hugepages

	[[ $(stat -f -c %T "$mnt" 2>/dev/null) == hugetlbfs ]] && return 0
	if [[ ! -d $mnt ]]; then
		mkdir "$mnt" || lab_fail "mkdir $mnt failed"
		lab_on_exit rmdir "$mnt"
	fi
	mount -t hugetlbfs -o mode=0755 hugetlbfs "$mnt" ||
		lab_skip "cannot mount hugetlbfs on $mnt"
	lab_on_exit umount "$mnt"
}

# Remember vm.nr_hugepages once, restore it at exit.
_lab_hugepages_save()
{
	[[ -n $_LAB_HP_SAVED ]] && return 0
	_LAB_HP_SAVED=$(</proc/sys/vm/nr_hugepages)
	lab_on_exit "echo $_LAB_HP_SAVED > /proc/sys/vm/nr_hugepages"
}

# Set vm.nr_hugepages to exactly N (restored at exit).
lab_hugepages_set()
{
	local n=$1 got

	lab_hugepages_mount
	_lab_hugepages_save
	echo "$n" >/proc/sys/vm/nr_hugepages || lab_fail "cannot write nr_hugepages"
	got=$(</proc/sys/vm/nr_hugepages)
	[[ $got == "$n" ]] ||
		lab_skip "asked for $n hugepages, the kernel gave $got (memory fragmented?)"
}

# Mount hugetlbfs if needed and make at least N hugepages free.
lab_hugepages_reserve()
{
	local n=$1 nr

	lab_hugepages_mount
	_lab_hugepages_save
	lab_hugepages_info
	((LAB_HP_FREE >= n)) && return 0
	nr=$(</proc/sys/vm/nr_hugepages)
	echo $((nr + n - LAB_HP_FREE)) >/proc/sys/vm/nr_hugepages ||
		lab_fail "cannot write nr_hugepages"
	lab_hugepages_info
	((LAB_HP_FREE >= n)) ||
		lab_skip "only $LAB_HP_FREE of $n hugepages could be reserved (memory fragmented?)"
}

# First group id >= START (default 64000) that no group uses; in LAB_REPLY.
lab_unused_gid()
{
	local gid=${1:-64000}

	while getent group "$gid" >/dev/null; do
		gid=$((gid + 1))
	done
	LAB_REPLY=$gid
}

# lab_expect_match WHAT TEXT PATTERN: fail unless TEXT matches the extended
# regular expression PATTERN.
lab_expect_match()
{
	[[ $2 =~ $3 ]] || lab_fail "$1: expected /$3/ in: $2"
}
