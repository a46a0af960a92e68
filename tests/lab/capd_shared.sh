#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_shared.sh - the shared path (capture.interfaces[].path = "shared"):
# the kernel keeps delivering the feeds to local sockets and capd records a
# copy, with every loss counted.
#  - a receiver on the capture host (python3, joined to the feed's group,
#    bound to its port) and the ring (capdump, read with tshark) both hold
#    each of 100000 sequence-numbered datagrams exactly once;
#  - traffic no feed selects (another group, another port) is not in the
#    ring, though the kernel still delivers it;
#  - over 3 s of traffic the capture thread makes no system call (strace);
#  - capd's log says where the stamps come from: the packet socket (or the
#    NIC), never XDP, in the path's line and in the clock line;
#  - overload: with a ring of two 64 KiB blocks and the capture thread on
#    the sender's CPU, the socket drops, and the drops capd counts
#    (metrics stage="socket", capctl status) are exactly the datagrams the
#    receiver got and the ring lacks.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPDUMP CAPCTL MCAST_SEND python3 tshark strace timeout taskset
capd_lab_setup cap0
hif=$CAPD_HIF ns=$CAPD_NS
N=100000

# conf PACKET_TEXT CPU: path "shared", feed A, the packet ring as given.
conf()
{
	capd_lab_conf 64M "$2" <<'CONF'
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
CONF
	sed -i "s/mode = \"native\"; }/path = \"shared\"; }/; s/^capture = {/capture = { $1/" \
		"$CAPD_CONF"
}

# The receiver: every sequence number it gets, one per line.
cat >"$LAB_TMP/recv.py" <<'PY'
import socket, struct, sys
group, port, local, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, 33, 256 << 20)  # SO_RCVBUFFORCE
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton(group) + socket.inet_aton(local))
open(out + ".ready", "w").close()
s.settimeout(5)
seqs = []
try:
    while len(seqs) < count:
        seqs.append(struct.unpack(">Q", s.recv(65536)[:8])[0])
except socket.timeout:
    pass
with open(out, "w") as f:
    f.write("".join("%d\n" % q for q in seqs))
PY
receiver() # COUNT OUT: in the background, ready when it returns
{
	taskset -c 1 python3 "$LAB_TMP/recv.py" 239.1.1.1 30001 "$CAPD_HOST4" "$1" "$2" &
	RECV_PID=$!
	lab_on_exit "kill $RECV_PID 2>/dev/null || true"
	for _ in $(seq 50); do [[ -e $2.ready ]] && return 0; sleep 0.1; done
	lab_fail "the receiver did not start"
}
# Sequence numbers of feed A's datagrams in a capture file, one per line.
ring_seqs() # FILE
{
	tshark -r "$1" -Y 'ip.dst == 239.1.1.1 && udp.dstport == 30001' -T fields -e data.data |
		cut -c1-16 | while read -r h; do echo $((16#$h)); done
}

# ---- 1. every packet, both sides; nothing unselected; no system call ----
conf "" 0
"$CAPD" -c "$CAPD_CONF" -n || lab_fail "capd -n refused path \"shared\""
capd_lab_start
cat "$LAB_TMP/capd.log"
grep -q "$hif: shared path (AF_PACKET" "$LAB_TMP/capd.log" || lab_fail "no line naming the shared path"
! ip link show "$hif" | grep -q xdp || lab_fail "the shared path attached an XDP program"
"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/rec.pcapng" 2>"$LAB_TMP/capdump.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
receiver $N "$LAB_TMP/recv1"
tid=
for t in /proc/$CAPD_PID/task/*; do
	[[ $(<"$t/comm") == capd-rx ]] && tid=${t##*/}
done
[[ -n $tid ]] || lab_fail "no capd-rx thread"
ip netns exec "$ns" "$MCAST_SEND" -i eth0 -g 239.1.1.1 -p 30001 -n $N -s 100 -r 25000 \
	>/dev/null &
tx=$!
capd_lab_send -g 239.1.1.3 -p 30001 -n 1000 -r 20000	# another group
capd_lab_send -g 239.1.1.1 -p 30002 -n 1000 -r 20000	# another port
timeout -s INT 3 strace -qq -p "$tid" -o "$LAB_TMP/strace.out" || true
wait $tx
wait $RECV_PID || true
sleep 1.2 # a block retires after 1 ms; the statistics are a second old
"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/status1" 2>&1 || true
capd_lab_stop
wait $dump || lab_fail "capdump failed: $(<"$LAB_TMP/capdump.err")"
nsys=$(grep -cv -e '^$' -e 'detached' "$LAB_TMP/strace.out" || true)
echo "capture thread $tid over 3 s of traffic: $nsys system calls"
((nsys == 0)) || { head "$LAB_TMP/strace.out"; lab_fail "capture thread made system calls"; }
grep -q 'shared path' "$LAB_TMP/status1" || { cat "$LAB_TMP/status1"; lab_fail "capctl status does not name the shared path"; }
# Where the stamps come from: the packet socket, not XDP (there is none).
line=$(grep "$hif: shared path" "$LAB_TMP/capd.log")
lab_expect_match stamps "$line" "timestamps from (the NIC's raw hardware stamps \(a frame without one: the kernel's receive time at the packet socket, converted to TAI\)|the kernel's receive time at the packet socket, converted to TAI)\$"
clk=$(grep -m 1 -E '(^|[> ])clock .*stamps from' "$LAB_TMP/capd.log" || true)
echo "clock line: ${clk:-none}"
[[ -n $clk ]] || lab_fail "no clock line in capd's log"
[[ $clk != *XDP* ]] || lab_fail "the shared path's clock line names XDP: $clk"
lab_expect_match clock "$clk" "stamps from (the NIC clock|the kernel's receive time \(TAI\))\$"

r_all=$(wc -l <"$LAB_TMP/recv1") r_uniq=$(sort -n "$LAB_TMP/recv1" | uniq | wc -l)
ring_seqs "$LAB_TMP/rec.pcapng" >"$LAB_TMP/ring1"
k_all=$(wc -l <"$LAB_TMP/ring1") k_uniq=$(sort -n "$LAB_TMP/ring1" | uniq | wc -l)
k_first=$(sort -n "$LAB_TMP/ring1" | head -1) k_last=$(sort -n "$LAB_TMP/ring1" | tail -1)
other=$(tshark -r "$LAB_TMP/rec.pcapng" -Y '!(ip.dst == 239.1.1.1 && udp.dstport == 30001)' |
	wc -l)
echo "receiver: $r_all datagrams, $r_uniq distinct; ring: $k_all, $k_uniq distinct" \
	"($k_first..$k_last); unselected in the ring: $other"
((r_all == N && r_uniq == N)) || lab_fail "the receiver got $r_all ($r_uniq distinct) of $N"
((k_all == N && k_uniq == N && k_first == 0 && k_last == N - 1)) ||
	lab_fail "the ring holds $k_all ($k_uniq distinct) of $N"
((other == 0)) || lab_fail "the ring holds $other unselected packets"

# ---- 2. overload: the socket's drops are what the ring lacks -------------
M=20000
conf 'packet = { block_size = "64K"; blocks = 2; };' 0
capd_lab_start "$LAB_TMP/capd2.log"
cat "$LAB_TMP/capd2.log"
"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/rec2.pcapng" 2>"$LAB_TMP/capdump2.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
receiver $M "$LAB_TMP/recv2"
# Unpaced, on the capture thread's CPU: the loop gets half of it at best.
ip netns exec "$ns" taskset -c 0 "$MCAST_SEND" -i eth0 -g 239.1.1.1 -p 30001 -n $M -s 1000 \
	>/dev/null
wait $RECV_PID || true
sleep 1.2
"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/status2" 2>&1 || true
capd_lab_stop
wait $dump || lab_fail "capdump failed: $(<"$LAB_TMP/capdump2.err")"
drops=$(awk '/^capd_dropped_packets_total\{.*stage="socket"/ {print $2}' "$LAB_TMP/capd.prom")
r_uniq=$(sort -n "$LAB_TMP/recv2" | uniq | wc -l)
# comm wants the order of sort, not of sort -n.
ring_seqs "$LAB_TMP/rec2.pcapng" | sort -u >"$LAB_TMP/ring2"
sort -u "$LAB_TMP/recv2" >"$LAB_TMP/recv2.sorted"
k_uniq=$(wc -l <"$LAB_TMP/ring2")
missing=$(comm -23 "$LAB_TMP/recv2.sorted" "$LAB_TMP/ring2" | wc -l)
extra=$(comm -13 "$LAB_TMP/recv2.sorted" "$LAB_TMP/ring2" | wc -l)
grep -i 'AF_PACKET socket' "$LAB_TMP/status2" || true
echo "overload: sent $M; receiver $r_uniq distinct; ring $k_uniq; missing from the ring" \
	"$missing; capd counts $drops socket drops"
((r_uniq == M)) || lab_fail "the receiver got $r_uniq of $M: the reference is incomplete"
((extra == 0)) || lab_fail "the ring holds $extra datagrams the receiver never got"
((missing > 0)) || lab_fail "no overload: the ring missed nothing (the test proves nothing)"
[[ $drops == "$missing" ]] || lab_fail "capd counts $drops socket drops, the ring lacks $missing"
grep -q "AF_PACKET socket $missing;" "$LAB_TMP/status2" ||
	lab_fail "capctl status does not show the $missing socket drops"
echo "PASS: capd_shared"
