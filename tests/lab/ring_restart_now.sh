#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ring_restart_now.sh - a ring is created right after the process that held
# hugepages through an AF_XDP socket was killed, with no pause.  For about
# 100 ms the kernel is still releasing that process's UMEM: its pages are
# not free yet and HugePages_Rsvd reads as a wrapped negative number.
#  - capd killed (SIGKILL) and restarted at once, 8 times, on a ring of
#    alternately 64M and 96M (so each start creates a new file): every
#    restart captures;
#  - xsk_probe (capd's AF_XDP socket code, its UMEM on hugepages) killed,
#    and at once ring_lab_tool creates a ring that needs exactly every page
#    that is free once the UMEM is back: the creation waits for them
#    (at most 2 s) and succeeds, 5 times.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND RING_LAB_TOOL XSK_PROBE ip stat
capd_lab_setup now
lab_hugepages_reserve 192
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
conf64=$CAPD_CONF conf96=$LAB_TMP/capd-96M.conf
sed 's/size = "64M";/size = "96M";/' "$conf64" >"$conf96"

capd_lab_start "$LAB_TMP/capd0.log" "$conf64"
for k in $(seq 8); do
	conf=$conf96 size=96M
	((k % 2)) || conf=$conf64 size=64M
	kill -9 "$CAPD_PID"
	wait "$CAPD_PID" 2>/dev/null || true
	t0=$(date +%s%N)
	capd_lab_start "$LAB_TMP/capd$k.log" "$conf"
	echo "restart $k ($size): capturing after $((($(date +%s%N) - t0) / 1000000)) ms:" \
		"$(grep -o 'capturing.*' "$LAB_TMP/capd$k.log")"
done
capd_lab_stop

dir=$(dirname "$CAPD_RING")
in_window=0
for k in $(seq 5); do
	lab_hugepages_info
	free=$LAB_HP_FREE page=$((LAB_HP_KB * 1024))
	"$XSK_PROBE" -i "$CAPD_HIF" -f 239.1.1.1:30001 -t 30 >"$LAB_TMP/xsk$k.out" 2>&1 &
	xp=$!
	lab_on_exit "kill -9 $xp 2>/dev/null; wait $xp 2>/dev/null || true"
	for _ in $(seq 100); do
		grep -q '^ready' "$LAB_TMP/xsk$k.out" && break
		kill -0 "$xp" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^ready' "$LAB_TMP/xsk$k.out" || lab_fail "xsk_probe: $(<"$LAB_TMP/xsk$k.out")"
	grep -q 'hugepages=1' "$LAB_TMP/xsk$k.out" ||
		lab_skip "xsk_probe's UMEM is not on hugepages: $(grep '^info' "$LAB_TMP/xsk$k.out")"
	lab_hugepages_info
	umem=$((free - LAB_HP_FREE))
	kill -9 "$xp"
	wait "$xp" 2>/dev/null || true
	rsvd=$(awk '$1 == "HugePages_Rsvd:" { print $2 }' /proc/meminfo)
	# More than 2^32 reserved pages: a negative count, the UMEM on its way out.
	((${#rsvd} > 10)) && in_window=$((in_window + 1))
	t0=$(date +%s%N)
	"$RING_LAB_TOOL" create "$dir/x$k" $((free * page)) -1 0600 10 >/dev/null \
		2>"$LAB_TMP/create.err" ||
		lab_fail "create $k, $free pages (the UMEM's $umem among them) right after" \
			"xsk_probe's end, HugePages_Rsvd $rsvd: $(<"$LAB_TMP/create.err")"
	ms=$((($(date +%s%N) - t0) / 1000000))
	out=$("$RING_LAB_TOOL" read "$dir/x$k") || lab_fail "read $dir/x$k failed"
	lab_expect_match "read back" "$out" "^read 10 records "
	rm -f "$dir/x$k"
	((ms < 2500)) || lab_fail "create $k took $ms ms"
	echo "create $k: all $free free pages (UMEM $umem) right after the UMEM's owner died" \
		"(HugePages_Rsvd then $rsvd): done in $ms ms"
done
echo "$in_window of 5 creations began while HugePages_Rsvd read negative"
echo "PASS: ring_restart_now"
