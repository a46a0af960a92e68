#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_fallback.sh - capd's fallbacks for kernels older than this one
# (Debian 12's 6.1 lacks all three), each forced with CAPD_XDP_FORCE on a
# veth with MTU 3500 and 2048-byte UMEM frames:
#  - without the rx_timestamp kfunc, or without device-bound programs,
#    capd attaches capd_xdp natively, not capd_xdp_hw;
#  - without multi-buffer sockets a 3000-byte datagram (two UMEM buffers)
#    is dropped by the kernel and counted as xsk_rx_dropped; with them it
#    is one record;
#  - each run logs exactly one line naming what capd does without and what
#    it costs, and captures every other datagram, in order and intact;
#  - all three at once give the three in one line;
#  - at MTU 9000 without multi-buffer sockets native mode is refused with
#    a hint; an unknown CAPD_XDP_FORCE word is refused with the list.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND RING_FLOWS ip timeout
capd_lab_setup fb0
ring_dir=$(dirname "$CAPD_RING")
ip link set "$CAPD_HIF" mtu 3500
ip -n "$CAPD_NS" link set eth0 mtu 3500
N=500
BIG=3000 # UDP payload: a 3042-byte frame, more than a 2048-byte buffer holds

KFUNC="the rx_timestamp kfunc \(Linux 6\.3\)"
DEVB="device-bound XDP programs \(6\.3\)"
SG="multi-buffer AF_XDP sockets \(XDP_USE_SG, 6\.6\)"
F=" \(forced by CAPD_XDP_FORCE\)"
TS="time stamps come from the kernel's clock, not the NIC's"

# conf NAME: the configuration of one run (2048-byte UMEM frames, native
# mode), its ring NAME.
conf()
{
	CAPD_RING=$ring_dir/$1
	CAPD_CONF=$LAB_TMP/capd.conf
	cat >"$CAPD_CONF" <<EOF
ring = { name = "$CAPD_RING"; size = "16M"; group = ""; };
capture = {
	interfaces = ( { name = "$CAPD_HIF"; mode = "native"; } );
	xsk = { frame_size = 2048; };
};
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
EOF
}

# run FORCE PROG BIG_RECORDS LINE: capd with CAPD_XDP_FORCE=FORCE must
# attach PROG natively, log LINE (a pattern; "" for no fallback line), and
# hold N datagrams plus BIG_RECORDS (0 or 1) 3000-byte ones, the others
# counted as xsk_rx_dropped.
run()
{
	local force=$1 prog=$2 big=$3 line=$4 log out n dropped=$((1 - $3))

	log=$LAB_TMP/capd-${force:-none}.log
	conf "r-${force:-none}"
	if [[ -n $force ]]; then
		export CAPD_XDP_FORCE=$force
	fi
	capd_lab_start "$log"
	unset CAPD_XDP_FORCE
	capd_lab_send -g 239.1.1.1 -p 30001 -n "$N" -s 200 -r 20000
	capd_lab_send -g 239.1.1.1 -p 30001 -n 1 -s "$BIG" --seq-start "$N"
	sleep 1.5 # one round of the housekeeping thread's counters
	capd_lab_stop
	echo "--- CAPD_XDP_FORCE=$force:"
	cat "$log"
	lab_expect_match "$force: capd log" "$(<"$log")" \
		"$CAPD_HIF: XDP native mode, program $prog, "
	n=$(grep -c 'does without' "$log" || true)
	if [[ -z $line ]]; then
		((n == 0)) || lab_fail "$force: a fallback line where none is taken"
	else
		((n == 1)) || lab_fail "$force: $n fallback lines, expected one"
		lab_expect_match "$force: capd log" "$(<"$log")" \
			"$CAPD_HIF: capd does without $line"$'\n'
	fi
	out=$("$RING_FLOWS" -t 1 "$CAPD_RING")
	echo "$out"
	lab_expect_match "$force: ring" "$out" "flow 239.1.1.1:30001 feed=0 count=$((N + big)) \
first=0 last=$((N + big - 1)) order_errors=0 bad_payload=0 truncated=0"
	lab_expect_match "$force: ring" "$out" "total records=$((N + big)) lost=0 rejected=0"
	lab_expect_match "$force: ring" "$out" \
		"xsk_dropped=$dropped ring_full=0 fill_empty=0 xdp_redirected=$((N + 1)) "
	rm -f "$CAPD_RING"
	hugepages_settle
}

# The kernel frees a closed socket's UMEM hugepages a little after capd
# exits; meanwhile HugePages_Rsvd has wrapped below zero (a huge number,
# negative to bash) and no ring can be made.  Wait for 16 free pages.
hugepages_settle()
{
	local rsvd free

	for _ in $(seq 100); do
		rsvd=$(awk '/^HugePages_Rsvd:/ { print $2 }' /proc/meminfo)
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
		((${#rsvd} < 10 && free - rsvd >= 16)) && return 0
		sleep 0.1
	done
	lab_fail "hugepages did not settle: HugePages_Free $free, HugePages_Rsvd $rsvd"
}

run "" capd_xdp_hw 1 ""
# The longest frame one 2048-byte buffer holds here (capd_xdp's metadata
# rides in the frame where the kernel refuses bpf_xdp_adjust_meta()).
room=1792
grep -q 'refuses bpf_xdp_adjust_meta' "$LAB_TMP/capd-none.log" && room=1768
DROP="frames longer than $room bytes are dropped and counted as xsk_rx_dropped"
run no-kfunc capd_xdp 1 "$KFUNC$F: $TS"
run no-devbound capd_xdp 1 "$DEVB$F: $TS"
run no-sg capd_xdp_hw 0 "$SG$F: $DROP"
run no-kfunc,no-devbound,no-sg capd_xdp 0 "$KFUNC$F, $DEVB$F, $SG$F: $TS; $DROP"

# MTU 9000 needs multi-buffer frames: native mode refused, with the reason.
ip link set "$CAPD_HIF" mtu 9000
ip -n "$CAPD_NS" link set eth0 mtu 9000
conf r-jumbo
rc=0
CAPD_XDP_FORCE=no-sg timeout 30 "$CAPD" -c "$CAPD_CONF" >"$LAB_TMP/jumbo.log" 2>&1 || rc=$?
cat "$LAB_TMP/jumbo.log"
((rc == 1)) || lab_fail "no-sg at MTU 9000, mode native: exit status $rc, expected 1"
lab_expect_match "no-sg at MTU 9000" "$(<"$LAB_TMP/jumbo.log")" \
	"$CAPD_HIF: XDP program \(mode native\): .*without multi-buffer AF_XDP sockets.*lower the MTU"
! ip link show "$CAPD_HIF" | grep -q xdp || lab_fail "an XDP program was left on $CAPD_HIF"

rc=0
CAPD_XDP_FORCE=no-kfunc,no-such timeout 30 "$CAPD" -c "$CAPD_CONF" >"$LAB_TMP/bad.log" 2>&1 ||
	rc=$?
cat "$LAB_TMP/bad.log"
((rc == 1)) || lab_fail "CAPD_XDP_FORCE=no-kfunc,no-such: exit status $rc, expected 1"
lab_expect_match "bad CAPD_XDP_FORCE" "$(<"$LAB_TMP/bad.log")" \
	"CAPD_XDP_FORCE=no-kfunc,no-such: not a comma-separated list of no-kfunc, no-devbound, no-sg, no-meta"
! ip link show "$CAPD_HIF" | grep -q xdp || lab_fail "an XDP program was left on $CAPD_HIF"
echo "PASS: capd_fallback: each fallback forced, one line each, every datagram captured or counted"
