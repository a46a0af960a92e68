#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_auto.sh - capture.interfaces[].path = "auto" chooses, and says in
# one line per interface which path and why:
#  - capture.exclusive = false: shared; no XDP program on the interface
#    (ip link); a local receiver (python3, joined and bound) gets all 1000
#    datagrams and so does the ring (capdump, counted by tshark);
#  - capture.exclusive = true: bypass; an XDP program attached; the ring
#    holds the 1000 datagrams;
#  - exclusive = true but another XDP program holds the hook (attached
#    with ip, tests/lab/tools/xdp_pass.bpf.o): shared, naming the error;
#    the foreign program stays; the ring holds the 1000 datagrams.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPDUMP MCAST_SEND ip python3 tshark timeout
capd_lab_setup auto0
hif=$CAPD_HIF
N=1000
obj=${XDP_PASS_OBJ:-$CAPD_BUILD/tests/lab/tools/xdp_pass.bpf.o}
[[ -r $obj ]] || lab_fail "no $obj (XDP_PASS_OBJ)"

# conf EXCLUSIVE: path "auto" (native mode when it takes bypass), feed A.
conf()
{
	capd_lab_conf 16M <<'CONF'
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
clock = { ptp4l_socket = ""; };
CONF
	sed -i "s/mode = \"native\"; }/mode = \"native\"; path = \"auto\"; }/;
		s/^capture = {/capture = { exclusive = $1;/" "$CAPD_CONF"
	grep -q "exclusive = $1;.*path = \"auto\"" "$CAPD_CONF" || lab_fail "conf: $(<"$CAPD_CONF")"
}

# path_lines LOG: capd's lines naming the interface's path.
path_lines()
{
	grep -E "$hif: (shared|bypass) path" "$1" || true
}

# run NAME: capd with $CAPD_CONF, capdump recording, N datagrams of feed A
# and 100 of another group; the feed's datagrams in the ring in
# $LAB_TMP/NAME.n, capd's log in $LAB_TMP/NAME.log.
run()
{
	local dump
	capd_lab_start "$LAB_TMP/$1.log"
	echo "--- $1: capd log"
	cat "$LAB_TMP/$1.log"
	"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/$1.pcapng" 2>"$LAB_TMP/$1.capdump.err" &
	dump=$!
	lab_on_exit "kill $dump 2>/dev/null || true"
	sleep 0.3
	ip link show "$hif" >"$LAB_TMP/$1.link"
	capd_lab_send -g 239.1.1.1 -p 30001 -n $N -s 64 -r 20000
	capd_lab_send -g 239.1.1.3 -p 30001 -n 100 -r 20000
	sleep 0.5
	capd_lab_stop
	wait $dump || lab_fail "$1: capdump failed: $(<"$LAB_TMP/$1.capdump.err")"
	tshark -r "$LAB_TMP/$1.pcapng" -Y 'ip.dst == 239.1.1.1 && udp.dstport == 30001' |
		wc -l >"$LAB_TMP/$1.n"
	echo "$1: the ring holds $(<"$LAB_TMP/$1.n") of feed A's $N datagrams"
	(($(<"$LAB_TMP/$1.n") == N)) || lab_fail "$1: the ring holds $(<"$LAB_TMP/$1.n") of $N"
}

# ---- 1. exclusive = false: shared, and the local receiver keeps the feed ----
conf false
"$CAPD" -c "$CAPD_CONF" -n || lab_fail "capd -n refused path \"auto\""
python3 - 239.1.1.1 30001 "$CAPD_HOST4" $N "$LAB_TMP/recv" <<'PY' &
import socket, struct, sys
group, port, local, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton(group) + socket.inet_aton(local))
open(out + ".ready", "w").close()
s.settimeout(3)
n = 0
try:
    while n < count:
        s.recv(65536)
        n += 1
except socket.timeout:
    pass
open(out, "w").write("%d\n" % n)
PY
recv=$!
lab_on_exit "kill $recv 2>/dev/null || true"
for _ in $(seq 50); do [[ -e $LAB_TMP/recv.ready ]] && break; sleep 0.1; done
[[ -e $LAB_TMP/recv.ready ]] || lab_fail "the receiver did not start"
run shared
wait $recv || true
lines=$(path_lines "$LAB_TMP/shared.log")
echo "shared: receiver got $(<"$LAB_TMP/recv") of $N; path line: $lines"
[[ $(wc -l <<<"$lines") == 1 ]] || lab_fail "shared: not one path line: $lines"
lab_expect_match shared "$lines" "$hif: shared path \(AF_PACKET, [0-9]+ socket\(s\)[^)]*\), chosen by path \"auto\": capture.exclusive is false, so local sockets keep receiving the feeds"
! grep -q xdp "$LAB_TMP/shared.link" || lab_fail "shared: an XDP program on $hif: $(<"$LAB_TMP/shared.link")"
(($(<"$LAB_TMP/recv") == N)) || lab_fail "shared: the receiver got $(<"$LAB_TMP/recv") of $N"

# ---- 2. exclusive = true: bypass ------------------------------------------
conf true
run bypass
lines=$(path_lines "$LAB_TMP/bypass.log")
echo "bypass: path line: $lines"
[[ $(wc -l <<<"$lines") == 1 ]] || lab_fail "bypass: not one path line: $lines"
lab_expect_match bypass "$lines" "$hif: bypass path \(XDP\), chosen by path \"auto\": capture.exclusive is true and XDP works here"
grep -q 'prog/xdp id' "$LAB_TMP/bypass.link" ||
	lab_fail "bypass: no XDP program on $hif: $(<"$LAB_TMP/bypass.link")"

# ---- 3. exclusive = true, the hook held: shared, with the reason -----------
ip link set dev "$hif" xdpgeneric object "$obj" section xdp
lab_on_exit "ip link set dev $hif xdpgeneric off 2>/dev/null || true"
id=$(ip -d link show "$hif" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1)
[[ -n $id ]] || lab_fail "ip attached no XDP program: $(ip -d link show "$hif")"
"$CAPD" -c "$CAPD_CONF" -n || lab_fail "capd -n refused path \"auto\" on a held hook"
run held
lines=$(path_lines "$LAB_TMP/held.log")
echo "held: path line: $lines"
[[ $(wc -l <<<"$lines") == 1 ]] || lab_fail "held: not one path line: $lines"
lab_expect_match held "$lines" "$hif: shared path \(AF_PACKET, [0-9]+ socket\(s\)[^)]*\), chosen by path \"auto\": capture.exclusive is true but XDP does not work here \(Device or resource busy\)"
ip -d link show "$hif" | grep -q "prog/xdp id $id" || lab_fail "held: capd replaced XDP program $id"
ip link set dev "$hif" xdpgeneric off
echo "PASS: capd_auto"
