#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_record.sh - capdump records what capd captured into .pcapng.zst
# that tshark and capinfos read directly:
#  - packet count equals packets sent, nanosecond resolution, every
#    timestamp within 1 s of its send time, every payload byte as sent
#    (tshark decodes, payload_check compares);
#  - IDB/EPB/NRB/ISB as the profile says (if_tsresol 9, inbound/multicast
#    flags, feed names, statistics at close);
#  - -w - | tshark -r - works;
#  - the filter selects exactly what tcpdump selects with the same
#    expression on the same packets.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos tcpdump timeout setpriv groupadd
# A capture group of our own, for the unprivileged reader below.
CAPD_LAB_GROUP=capd-$LAB_RUN_ID
groupadd --system "$CAPD_LAB_GROUP"
lab_on_exit groupdel "$CAPD_LAB_GROUP"
gid=$(getent group "$CAPD_LAB_GROUP" | cut -d: -f3)
capd_lab_setup rec
capd_lab_conf 64M <<'CONF'
feeds = ( { name = "FEED-A"; group = "239.1.1.1"; ports = [ 30001 ]; },
	  { name = "FEED-B"; group = "239.1.1.2"; } );
CONF
capd_lab_start
out=$LAB_TMP/rec.pcapng.zst

"$CAPDUMP" -i "$CAPD_RING" -w "$out" 2>"$LAB_TMP/capdump.err" &
dpid=$!
lab_on_exit "kill $dpid 2>/dev/null || true"
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 1000 -s 200 -r 20000
capd_lab_send -g 239.1.1.2 -p 5000 -n 500 -s 1000 -r 20000
capd_lab_send -g 239.1.1.2 -p 5001 -n 1 -s 1400
capd_lab_send -g 239.1.1.3 -p 30001 -n 100 -r 20000	# not a feed
sleep 0.5
kill -INT $dpid
wait $dpid || lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump.err")"
cat "$LAB_TMP/capdump.err"
lab_expect_match "summary" "$(<"$LAB_TMP/capdump.err")" "1501 packets written to 1 file, 0 filtered out, 0 lost"
[[ -f $out ]] || lab_fail "$out was not renamed to its final name"

info=$(capinfos -M "$out")
echo "$info"
lab_expect_match capinfos "$info" "Number of packets: +1501"
lab_expect_match capinfos "$info" "File timestamp precision: +nanoseconds \\(9\\)"
lab_expect_match capinfos "$info" "Number of stat entries = 1"

fields=$(tshark -r "$out" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload)
res=$("$PAYLOAD_CHECK" <<<"$fields")
echo "$res"
lab_expect_match payload "$res" "port 30001 count=1000 first=0 last=999 order_errors=0 dups=0 bad_payload=0"
lab_expect_match payload "$res" "port 5000 count=500 first=0 last=499 order_errors=0 dups=0 bad_payload=0"
lab_expect_match payload "$res" "port 5001 count=1 first=0 last=0 order_errors=0 dups=0 bad_payload=0"
while read -r _ port _ _ _ _ _ _ skew; do
	((${skew#max_skew_ns=} < 1000000000)) || lab_fail "port ${port}: timestamps off by $skew"
done <<<"$res"

# The profile: ns resolution, flags, names, statistics.
v=$(tshark -r "$out" -V -c 1 2>/dev/null)
lab_expect_match "IDB" "$v" "Interface name: $CAPD_HIF"
lab_expect_match "EPB flags" "$v" "Reception type: Multicast"
lab_expect_match "EPB flags" "$v" "Direction: Inbound"
# IDB and ISB options as Wireshark's own pcapng dissector shows them.
blocks=$(tshark -X 'read_format:MIME Files Format' -r "$out" -V 2>/dev/null | grep "Option: ")
lab_expect_match "IDB" "$blocks" "Option: Hardware = veth"
lab_expect_match "IDB" "$blocks" "Option: Timestamp Resolution = 10\\^-9"
lab_expect_match "ISB" "$blocks" "Option: Number of Packets Delivered to the User = 1501"
lab_expect_match "ISB" "$blocks" "Option: Number of Accepted Packets = 1501"
lab_expect_match "ISB" "$blocks" "Option: Number of Packets Dropped by OS = 0"
lab_expect_match "ISB" "$blocks" "Option: Number of Received Packets = [0-9]+"
lab_expect_match "ISB" "$blocks" "Option: Start Time"
lab_expect_match "ISB" "$blocks" "Option: End Time"
names=$(tshark -r "$out" -N n -T fields -e ip.dst_host -c 1 -Y udp.port==30001)
lab_expect_match "NRB" "$names" "FEED-A"

# Without -w: one line per packet, tcpdump's, with the feed's name after it;
# from the ring, and from the file capdump wrote (its NRB names the feeds).
peer=${CAPD_PEER4//./\\.}
lines=$("$CAPDUMP" -i "$CAPD_RING" --from oldest -c 1 -q)
echo "$lines"
lab_expect_match "printed" "$lines" \
	"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z IP $peer\.[0-9]+ > 239\.1\.1\.1\.30001: UDP, length 200 # feed=FEED-A\$"
lines=$("$CAPDUMP" -i "$CAPD_RING" --from oldest -c 1 -q -v)
echo "$lines"
lab_expect_match "printed -v" "$lines" \
	"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z IP \(tos 0x[0-9a-f]+, ttl [0-9]+, id [0-9]+, offset 0, flags \[[^]]+\], proto UDP \(17\), length 228\)
    $peer\.[0-9]+ > 239\.1\.1\.1\.30001: UDP, length 200 # feed=FEED-A seq=[0-9]+ ts=(phc|kernel-tai|capd-tai)( unsynced)?\$"
# Every line of the file, its source port aside: the feeds by the NRB.
lines=$("$CAPDUMP" -r "$out" -q -t | sed -E "s/^IP $peer\.[0-9]+ > /IP SRC > /" | sort | uniq -c)
echo "$lines"
want="   1000 IP SRC > 239.1.1.1.30001: UDP, length 200 # feed=FEED-A
    500 IP SRC > 239.1.1.2.5000: UDP, length 1000 # feed=FEED-B
      1 IP SRC > 239.1.1.2.5001: UDP, length 1400 # feed=FEED-B"
[[ $lines == "$want" ]] || lab_fail "capdump -r $out: lines not as expected"
# -T: a minute back (everything was sent within it).
n=$("$CAPDUMP" -i "$CAPD_RING" -T 60 -c 1501 -q | wc -l)
((n == 1501)) || lab_fail "-T 60 printed $n packets, want 1501"

# An unprivileged user in the capture group, without any capability,
# records (to standard output: it may not write here).
n=$(setpriv --reuid=65534 --regid=65534 --groups="$gid" --inh-caps=-all --bounding-set=-all \
	"$CAPDUMP" -i "$CAPD_RING" --from oldest -c 1501 -q -w - | tshark -r - 2>/dev/null | wc -l)
((n == 1501)) || lab_fail "as nobody in the capture group: $n packets, want 1501"
echo "uid 65534 in group $CAPD_LAB_GROUP, no capabilities: recorded $n packets"
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$CAPDUMP" -i "$CAPD_RING" -c 1 -q 2>"$LAB_TMP/err" || rc=$?
((rc != 0)) || lab_fail "a user outside the capture group could read the ring"
lab_expect_match "outsider" "$(<"$LAB_TMP/err")" "usermod -aG $CAPD_LAB_GROUP"

# Streaming: -w - into tshark.
n=$("$CAPDUMP" -i "$CAPD_RING" --from oldest -c 1501 -q -w - | tshark -r - 2>/dev/null | wc -l)
((n == 1501)) || lab_fail "-w - | tshark -r - showed $n packets, want 1501"
echo "-w - | tshark -r -: $n packets"

# A time range from a file: [packet 101, packet 201) is 100 packets.
mapfile -t t < <(tshark -r "$out" -T fields -e frame.time_epoch | sed -n '101p;201p')
n=$("$CAPDUMP" -r "$out" --start "${t[0]}" --end "${t[1]}" -q | wc -l)
((n == 100)) || lab_fail "--start ${t[0]} --end ${t[1]}: $n packets, want 100"
iso=$(date -u -d "@${t[0]%.*}" +%Y-%m-%dT%H:%M:%S).${t[0]#*.}Z
n=$("$CAPDUMP" -r "$out" --start "$iso" -q | wc -l)
((n == 1401)) || lab_fail "--start $iso: $n packets, want 1401"
echo "--start/--end: the packets of the range, exactly"

# The filter: exactly what tcpdump selects with the same expression.
"$CAPDUMP" -r "$out" -F pcap -w "$LAB_TMP/all.pcap" -q
for expr in "udp port 30001" "dst host 239.1.1.2 and greater 600" "udp and not port 5000" \
	"ip[8] = 1" "len > 1000"; do
	want=$(tcpdump -r "$LAB_TMP/all.pcap" -nn -tt "$expr" 2>/dev/null | md5sum)
	want_n=$(tcpdump -r "$LAB_TMP/all.pcap" -nn "$expr" 2>/dev/null | wc -l)
	"$CAPDUMP" -r "$out" -F pcap -w "$LAB_TMP/f.pcap" -q "$expr"
	got=$(tcpdump -r "$LAB_TMP/f.pcap" -nn -tt 2>/dev/null | md5sum)
	[[ $got == "$want" ]] || lab_fail "filter '$expr': capdump and tcpdump disagree"
	# Straight from the ring too (capd is idle: 2 s read everything).
	timeout -s INT 2 "$CAPDUMP" -i "$CAPD_RING" --from oldest -F pcap -w "$LAB_TMP/r.pcap" -q \
		"$expr" || true
	got=$(tcpdump -r "$LAB_TMP/r.pcap" -nn -tt 2>/dev/null | md5sum)
	[[ $got == "$want" ]] || lab_fail "filter '$expr' on the ring: capdump and tcpdump disagree"
	echo "filter '$expr': $want_n packets, the same as tcpdump's"
done

capd_lab_stop
echo "PASS: capdump_record"
