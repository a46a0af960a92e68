#!/usr/bin/env bash
# The main job, end to end, on one machine (root): installs the build
# dependencies, builds, creates a lab (a network namespace wired to this
# host by a veth pair, and hugepages for the default 8 GiB ring), starts capd
# on the host side, sends two multicast feeds from the namespace for a few
# seconds, records them with capdump into a .pcapng.zst, shows what tshark
# sees in the file, and removes the lab again.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

scripts/deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j"$(nproc)" --target capd capdump mcast_send >/dev/null
bin=$top/build/demo

. tests/lab/lab.sh
# The programs just built (lab.sh would take them from $CAPD ... or build/).
# shellcheck disable=SC2034 # capd_lab.sh runs them
CAPD=$bin/capd/capd CAPDUMP=$bin/readers/capdump/capdump MCAST_SEND=$bin/tests/lab/tools/mcast_send
lab_start CAPD CAPDUMP MCAST_SEND
# 8 GiB of hugepages for the ring, plus the sockets' buffers.
capd_lab_setup demo
lab_hugepages_reserve 4200
capd_lab_conf 8G <<'CONF'
feeds = ( { name = "FEED-A"; group = "239.1.1.1"; ports = [ 30001 ]; },
	  { name = "FEED-B"; group = "239.1.1.2"; ports = [ 30002 ]; } );
CONF
echo "== capd, configured as:"
cat "$CAPD_CONF"
capd_lab_start
grep . "$LAB_TMP/capd.log"

out=$top/demo.pcapng.zst
echo "== capdump -i $CAPD_RING -w $out"
"$CAPDUMP" -i "$CAPD_RING" -w "$out" &
rec=$!
lab_on_exit "kill $rec 2>/dev/null || true"
sleep 0.5
echo "== sending FEED-A (20000 x 200 B) and FEED-B (10000 x 1000 B) for about 4 s"
capd_lab_send -g 239.1.1.1 -p 30001 -n 20000 -s 200 -r 5000 &
feed_a=$!
capd_lab_send -g 239.1.1.2 -p 30002 -n 10000 -s 1000 -r 2500
wait $feed_a
sleep 0.5
kill -INT $rec
wait $rec
capd_lab_stop

echo "== capinfos $out"
capinfos "$out" | grep -E "File type|Number of packets|precision|Capture duration|Interface #0|Name ="
echo "== tshark -r $out -N n (first 5 packets, feeds named from the file)"
tshark -r "$out" -N n -c 5 2>/dev/null
echo "== packets per feed"
tshark -r "$out" -q -z conv,udp 2>/dev/null | sed -n '/<->/p'
echo "== done: $out"
