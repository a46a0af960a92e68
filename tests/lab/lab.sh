# shellcheck shell=bash disable=SC2034  # LAB_* variables are for the callers
# SPDX-License-Identifier: BSD-2-Clause
#
# lab.sh - helpers for the root lab tests; sourced, never run.  It sets
# -euo pipefail and sources capd_lab.sh (a running capd).  A test begins:
#
#	. "$(dirname "$0")/lab.sh"
#	lab_start CAPD MCAST_SEND ip setpriv	# root, programs, commands, lab_init
#	lab_netns_add ns1		# creates ns1-$LAB_RUN_ID, name in $LAB_REPLY
#	lab_veth_add h0 eth0 ns1	# host end h0-$LAB_RUN_ID, eth0 inside ns1
#	lab_subnet 0			# this run's addresses for it: $LAB_HOST4 ...
#	lab_hugepages_reserve 16
#
# The programs under test and the lab's tools come from environment
# variables, one per program and named after it (CAPD, CAPDUMP, MCAST_SEND,
# ...: see below; tests/CMakeLists.txt sets them all), else from the build
# tree $CAPD_BUILD (default: build/ at the top of the source tree).
#
# Every resource is registered for cleanup (lab_on_exit) as soon as it
# exists; an EXIT/INT/TERM trap undoes them all in reverse order, whether
# the test passed, failed or was interrupted.  Everything created carries
# the run id ("cl" + 4 hex digits) so leftovers of a killed run can be
# found: ip netns | grep -- -cl; ip link | grep -- -cl; ls /dev/hugepages.
# The unicast subnets of a run's veths are derived from its id too, so no
# two runs share one (lab_subnet).
#
# Then, as root (and not after lab_start --user), the kernel log is
# scanned: a line that appeared during the test and reports a kernel
# warning or bug ("WARNING:", "BUG:", "general protection fault") fails it,
# whatever its own verdict was.
#
# Call these functions directly, not inside $(...): a cleanup registered in
# a subshell is lost with it.  Results come back in LAB_REPLY instead.
#
# Exit codes follow tests/test.h: 0 pass, 1 fail, 77 skip (with a reason).

set -euo pipefail

_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The programs: $NAME if set, else their place in the build tree (the
# layout of the top CMakeLists.txt).
: "${CAPD_BUILD:=$(dirname "$(dirname "$_LAB_DIR")")/build}"
_lab_tools=$CAPD_BUILD/tests/lab/tools
: "${CAPD:=$CAPD_BUILD/capd/capd}"
: "${CAPDUMP:=$CAPD_BUILD/readers/capdump/capdump}"
: "${CAPSTAT:=$CAPD_BUILD/readers/capstat/capstat}"
: "${CAPCTL:=$CAPD_BUILD/readers/capctl/capctl}"
: "${CAPREPLAY:=$CAPD_BUILD/readers/capreplay/capreplay}"
: "${MCAST_SEND:=$_lab_tools/mcast_send}"
: "${FEED_SEND:=$_lab_tools/feed_send}"
: "${RING_FLOWS:=$_lab_tools/ring_flows}"
: "${RING_LAB_TOOL:=$_lab_tools/ring_lab_tool}"
: "${PAYLOAD_CHECK:=$_lab_tools/payload_check}"
: "${XSK_PROBE:=$_lab_tools/xsk_probe}"
: "${XDP_MATCH:=$_lab_tools/xdp_match}"
: "${THREAD_STALL:=$_lab_tools/thread_stall}"
unset _lab_tools

LAB_RUN_ID=
LAB_TMP=
LAB_REPLY=
_LAB_CLEANUPS=()
_LAB_HP_SAVED=
_LAB_KMSG_SEQ=
_LAB_KMSG_SCAN=1

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
	[ip]=iproute2 [tc]=iproute2 [ss]=iproute2 [setpriv]=util-linux [chrt]=util-linux
	[findmnt]=util-linux [mount]=mount [umount]=mount [getent]=libc-bin
	[stat]=coreutils [timeout]=coreutils [ethtool]=ethtool [tcpdump]=tcpdump
	[tshark]=tshark [capinfos]=wireshark-common [editcap]=wireshark-common
	[mergecap]=wireshark-common [ptp4l]=linuxptp [pmc]=linuxptp [phc2sys]=linuxptp [bpftool]=bpftool
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

# lab_require_prog NAME...: the program variables NAME (CAPD, MCAST_SEND,
# ...) name executables; a test without its program fails.
lab_require_prog()
{
	local v

	for v in "$@"; do
		[[ -x ${!v:-} ]] ||
			lab_fail "no program $v=${!v:-}: build it, or set $v (or CAPD_BUILD)"
	done
}

# lab_start [--user] NAME...: the start of a lab test.  Root (unless
# --user: the test needs no privileges, touches nothing of the kernel's and
# so has no kernel log scanned), the programs it runs (NAMEs in capitals:
# variables, lab_require_prog), the commands it runs (the other NAMEs,
# lab_require_cmd), then lab_init.
lab_start()
{
	local n progs=() cmds=() user=0

	[[ ${1:-} == --user ]] && { user=1 _LAB_KMSG_SCAN=0; shift; }
	for n in "$@"; do
		if [[ $n =~ ^[A-Z][A-Z0-9_]*$ ]]; then
			progs+=("$n")
		else
			cmds+=("$n")
		fi
	done
	lab_require_prog "${progs[@]}"
	((user)) || lab_require_root
	lab_require_cmd "${cmds[@]}"
	lab_init
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

# The kernel log (/dev/kmsg) from after record SEQ on: one line per record,
# "SEQ<tab>[seconds]<tab>message" (continuation lines left out).  Each
# read() returns one record; the one that finds no more fails with EAGAIN,
# which ends a complete read.  A reader overtaken by the log's wrapping
# gets EPIPE and reads again (records are numbered, so none is seen twice).
_lab_kmsg_raw()
{
	local i err

	for i in 1 2 3; do
		{ err=$(LC_ALL=C dd if=/dev/kmsg iflag=nonblock bs=64k status=none 2>&1 >&3) ||
			true; } 3>&1
		[[ $err == *"temporarily unavailable"* ]] && return 0
		[[ $err == *"Broken pipe"* ]] || break
	done
	echo "lab: reading /dev/kmsg: ${err:-no end}" >&2
	return 1
}

_lab_kmsg()
{
	_lab_kmsg_raw | awk -v since="$1" '
		/^[^ ]/ {
			i = index($0, ";")
			split(substr($0, 1, i - 1), h, ",")
			if (h[2] + 0 > since + 0 && !seen[h[2]]++)
				printf "%s\t[%5d.%06d]\t%s\n", h[2], h[3] / 1000000, h[3] % 1000000,
					substr($0, i + 1)
		}'
}

# Kernel warnings and bugs: WARN() ("WARNING: CPU: ..."), lockdep and
# KASAN ("WARNING: ...", "BUG: ...") at the start of a message; faults
# anywhere ("Oops: general protection fault", "traps: ... general
# protection fault").  Not a "WARNING:" inside a message: boot-time advice
# such as "Speculative Return Stack Overflow: WARNING: See ..." is none.
_LAB_KMSG_BAD='^ *(WARNING|BUG):|general protection fault'

# Fails (returns 1, the lines on stderr) if the kernel logged a warning or
# bug since lab_init.
_lab_kmsg_scan()
{
	local new bad

	[[ -n $_LAB_KMSG_SEQ ]] || return 0
	if ! new=$(_lab_kmsg "$_LAB_KMSG_SEQ"); then
		echo "FAIL: ${0##*/}: cannot read the kernel log to scan it" >&2
		return 1
	fi
	bad=$(awk -F '\t' -v re="$_LAB_KMSG_BAD" '$3 ~ re { print $2, $3 }' <<<"$new")
	if [[ -z $bad ]]; then
		lab_log "kernel log: no warning in the $(grep -c . <<<"$new") lines since the start"
		return 0
	fi
	echo "FAIL: ${0##*/}: the kernel logged a warning or bug during the test:" >&2
	sed 's/^/  /' <<<"$bad" >&2
	echo "lab: the kernel log since the test began (up to 200 lines):" >&2
	cut -f 2- <<<"$new" | tr '\t' ' ' | head -n 200 | sed 's/^/  /' >&2
	return 1
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
	# After the cleanups: detaching XDP and deleting the links is tested too.
	_lab_kmsg_scan || rc=1
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
		   ! compgen -G "/tmp/capd-lab-$id.*" >/dev/null &&
		   _lab_subnets_free "$id"; then
			LAB_RUN_ID=$id
			break
		fi
	done
	[[ -n $LAB_RUN_ID ]] || lab_fail "no unused run id found"
	trap _lab_cleanup EXIT
	trap '_lab_signal INT 130' INT
	trap '_lab_signal TERM 143' TERM
	# Where the kernel log stands: what comes after is this test's.
	if [[ $EUID -eq 0 && $_LAB_KMSG_SCAN == 1 ]]; then
		_LAB_KMSG_SEQ=$(_lab_kmsg -1 | tail -n 1) ||
			lab_fail "cannot read the kernel log (/dev/kmsg) to scan it at exit"
		_LAB_KMSG_SEQ=${_LAB_KMSG_SEQ%%$'\t'*}
		_LAB_KMSG_SEQ=${_LAB_KMSG_SEQ:--1}
	fi
	LAB_TMP=$(mktemp -d "/tmp/capd-lab-$LAB_RUN_ID.XXXXXX")
	lab_on_exit rm -rf "$LAB_TMP"
	lab_log "${0##*/}: run id $LAB_RUN_ID, temp dir $LAB_TMP"
}

# _lab_subnets_free ID: no address or route of this host lies in the
# subnets of run ID (lab_subnet), which would then hide it or be hidden.
_lab_subnets_free()
{
	local h=${1#cl}

	command -v ip >/dev/null 2>&1 || return 0
	[[ -z $(ip -o addr show to "10.$((16#${h:0:2})).$((16#${h:2:2})).0/24") &&
	   -z $(ip -o addr show to "fd99:$h::/32") &&
	   -z $(ip -4 route show table all root "10.$((16#${h:0:2})).$((16#${h:2:2})).0/24") &&
	   -z $(ip -6 route show table all root "fd99:$h::/32") ]]
}

# lab_subnet [N]: this run's N-th (0-3, default 0) pair of unicast subnets
# for a veth, derived from its id clHHHH so that no two runs share one:
# 10.A.B.(64 N)/26, A.B being the bytes HHHH, and fd99:HHHH:N::/64.
# Sets LAB_HOST4 and LAB_PEER4 (its .1 and .2, for the host end and the
# namespace end), LAB_HOST6 and LAB_PEER6 (its ::1 and ::2), and the
# prefix lengths LAB_LEN4 (26) and LAB_LEN6 (64).
lab_subnet()
{
	local n=${1:-0} h=${LAB_RUN_ID#cl} net

	[[ -n $LAB_RUN_ID ]] || lab_fail "lab_subnet before lab_init"
	((n >= 0 && n <= 3)) || lab_fail "lab_subnet $n: 0 to 3"
	net=10.$((16#${h:0:2})).$((16#${h:2:2}))
	LAB_HOST4=$net.$((64 * n + 1)) LAB_PEER4=$net.$((64 * n + 2)) LAB_LEN4=26
	LAB_HOST6=fd99:$h:$n::1 LAB_PEER6=fd99:$h:$n::2 LAB_LEN6=64
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

# The same with two queues each way, addressed as lab_subnet 0 says: a
# packet sent from CPU q inside NS leaves NS_IF by transmit queue q (XPS)
# and arrives on the host end's receive queue q.  Host name in LAB_REPLY.
# Skips the test where the kernel cannot (veth queues, CONFIG_XPS).
lab_veth_2q()
{
	local host ns=$3 nsif=$2 q

	host=$(lab_name "$1")
	[[ $ns == *-"$LAB_RUN_ID" ]] || ns=$(lab_name "$ns")
	((${#host} <= 15)) || lab_fail "interface name $host is longer than 15 characters"
	# veth's native XDP wants as many receive queues as its peer has
	# transmit queues.
	ip link add "$host" numtxqueues 2 numrxqueues 2 type veth peer name "$nsif" \
		numtxqueues 2 numrxqueues 2 netns "$ns" ||
		lab_skip "cannot make a veth with 2 queues (ip link add ... numrxqueues 2)"
	lab_on_exit "if [ -e /sys/class/net/$host ]; then ip link del $host; fi"
	ip link set "$host" up || lab_fail "ip link set $host up failed"
	ip -n "$ns" link set "$nsif" up || lab_fail "ip -n $ns link set $nsif up failed"
	lab_subnet 0
	ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$host"
	ip -n "$ns" addr add "$LAB_PEER4/$LAB_LEN4" dev "$nsif"
	# ip netns exec mounts the namespace's sysfs.
	for q in 0 1; do
		ip netns exec "$ns" sh -c "echo $((1 << q)) >/sys/class/net/$nsif/queues/tx-$q/xps_cpus" ||
			lab_skip "cannot set XPS on $nsif (CONFIG_XPS, two CPUs)"
	done
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

# Write N to vm.nr_hugepages; if the kernel gives fewer, compact memory
# (after a build or a database, free 2 MiB runs are scarce though memory
# is not) and write it again.
_lab_hugepages_write()
{
	echo "$1" >/proc/sys/vm/nr_hugepages || lab_fail "cannot write nr_hugepages"
	(($(</proc/sys/vm/nr_hugepages) >= $1)) && return 0
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || return 0
	echo "$1" >/proc/sys/vm/nr_hugepages || lab_fail "cannot write nr_hugepages"
}

# Set vm.nr_hugepages to exactly N (restored at exit).
lab_hugepages_set()
{
	local n=$1 got

	lab_hugepages_mount
	_lab_hugepages_save
	_lab_hugepages_write "$n"
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
	_lab_hugepages_write $((nr + n - LAB_HP_FREE))
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

# lab_le16 N, lab_le32 N: N as little-endian bytes on standard output.
# shellcheck disable=SC2059 # the format is the bytes
lab_le16() { printf "$(printf '\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)))"; }
lab_le32() { lab_le16 $(($1 & 65535)); lab_le16 $(($1 >> 16)); }

# lab_nrb_insert IN OUT RECORDS: OUT is the pcapng file IN (little-endian,
# as text2pcap and mergecap write it) with a name resolution block after its
# first SHB and IDB, where capdump writes one; RECORDS is a file with the
# block's records, up to and including the end-of-records record.
lab_nrb_insert()
{
	local len shb idb

	len=$(($(stat -c %s "$3") + 12))
	shb=$(od -An -tu4 -j 4 -N4 "$1" | tr -d ' ')
	idb=$(od -An -tu4 -j $((shb + 4)) -N4 "$1" | tr -d ' ')
	{
		head -c $((shb + idb)) "$1"
		lab_le32 4; lab_le32 "$len"; cat "$3"; lab_le32 "$len"
		tail -c +$((shb + idb + 1)) "$1"
	} >"$2"
}

# A running capd: capd_lab_setup, capd_lab_start ...
. "$_LAB_DIR/capd_lab.sh"
