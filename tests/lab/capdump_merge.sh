#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_merge.sh - several -i merge rings in timestamp order: two capd,
# each with its own ring on its own interface, fed at the same time; capdump
# -i R1 -i R2 writes every packet of both, one IDB per interface, timestamps
# never going back.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP ip tshark
capd_lab_setup mga
capd_lab_conf 32M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; } );'
capd_lab_start "$LAB_TMP/capd-a.log"
ring_a=$CAPD_RING pid_a=$CAPD_PID

# The second capd: its own veth into the same namespace, its own ring.
lab_veth_add mgb eth1 "$CAPD_NS"
hif_b=$LAB_REPLY
lab_subnet 1 # capd_lab_setup took the first
ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$hif_b"
ip -n "$CAPD_NS" addr add "$LAB_PEER4/$LAB_LEN4" dev eth1
ring_b=$CAPD_RING-b
cat >"$LAB_TMP/capd-b.conf" <<CONF
ring = { name = "$ring_b"; size = "32M"; group = ""; };
capture = { cpu = -1; interfaces = ( { name = "$hif_b"; mode = "native"; } ); };
feeds = ( { name = "B"; group = "239.1.1.2"; } );
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
CONF
capd_lab_start "$LAB_TMP/capd-b.log" "$LAB_TMP/capd-b.conf"
pid_b=$CAPD_PID

ip netns exec "$CAPD_NS" "$MCAST_SEND" -i eth0 -g 239.1.1.1 -p 30001 -n 2000 -r 2000 >/dev/null &
a=$!
ip netns exec "$CAPD_NS" "$MCAST_SEND" -i eth1 -g 239.1.1.2 -p 30002 -n 2000 -r 2000 >/dev/null
wait $a
sleep 0.3
kill -TERM $pid_a $pid_b
wait $pid_a $pid_b || true

out=$LAB_TMP/merged.pcapng
"$CAPDUMP" -i "$ring_a" -i "$ring_b" --from oldest -w "$out" 2>"$LAB_TMP/err" ||
	lab_fail "capdump: $(<"$LAB_TMP/err")"
cat "$LAB_TMP/err"
lab_expect_match "summary" "$(<"$LAB_TMP/err")" "4000 packets written"
n=$(tshark -r "$out" -Y "frame.interface_id == 0 && udp.dstport == 30001" | wc -l)
((n == 2000)) || lab_fail "interface 0 holds $n packets of feed A, want 2000"
n=$(tshark -r "$out" -Y "frame.interface_id == 1 && udp.dstport == 30002" | wc -l)
((n == 2000)) || lab_fail "interface 1 holds $n packets of feed B, want 2000"
tshark -r "$out" -T fields -e frame.time_epoch | sort -c -g ||
	lab_fail "timestamps go back in the merged file"
echo "4000 packets of two rings, in timestamp order"
echo "PASS: capdump_merge"
