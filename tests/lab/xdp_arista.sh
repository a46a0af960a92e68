#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# xdp_arista.sh - feed selection through the Arista timestamp header
# (EtherType 0xD28B, 64- and 48-bit versions), before or after one 802.1Q
# tag, on both capture paths of a veth, frames sent raw from the namespace:
#
#  - bypass (XDP, timestamp "nic"): the program looks through either
#    header always, so every layout reaches its feed (index as without the
#    header); the configured group on another port, and a header of an
#    unknown version, do not;
#  - shared (AF_PACKET, timestamp "arista64", then "arista48"): the socket
#    filter looks through the header length configured, so that one's
#    frames reach their feed, the other length's do not;
#  - the frames are stored as they came (the layout read back from the
#    ring), each counted once; capd -n, capd's start line and capctl
#    status name the kind; capctl doctor tallies the stamps it finds and,
#    with the configuration changed to "nic" under a ring of 48-bit
#    frames, suggests "arista48" and says the running kind differs;
#  - a feed list whose filter outgrows the kernel's limit only behind the
#    header is refused by capd -n with the reason.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPCTL python3 timeout
RING_FRAMES=${RING_FRAMES:-$CAPD_BUILD/tests/lab/tools/ring_frames}
[[ -x $RING_FRAMES ]] || lab_fail "no ring_frames at $RING_FRAMES"
capd_lab_setup ar0
N=40 # frames per layout and destination

cat >"$LAB_TMP/send.py" <<'PY'
import socket, struct, sys, time
ifname, group, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
layouts = sys.argv[5:]
HDR = {
    "arista64": struct.pack(">HHHII", 0xD28B, 1, 0x0010, 1700000000, 123456789),
    "arista48": struct.pack(">HHHHI", 0xD28B, 1, 0x0120, 1700000000 & 0xFFFF, 123456789),
    "arista-v30": struct.pack(">HHHII", 0xD28B, 1, 0x0030, 1700000000, 123456789),
    "vlan": struct.pack(">HH", 0x8100, 100),
}
def csum(b):
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
g = socket.inet_aton(group)
dst = bytes([1, 0, 0x5E, g[1] & 0x7F, g[2], g[3]])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for layout in layouts:
    parts = [] if layout == "plain" else layout.split("+")
    for i in range(count):
        payload = struct.pack(">Q", i) + bytes(24)
        udp = struct.pack(">HHHH", 40000, port, 8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 8, 17, 0,
                         socket.inet_aton("10.99.0.2"), g)
        ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
        f = dst + b"\x02\x00\x00\x00\x00\x01" + b"".join(HDR[p] for p in parts)
        s.send(f + b"\x08\x00" + ip + udp)
        time.sleep(0.0002)
PY

LAYOUTS64="arista64 arista64+vlan vlan+arista64"
LAYOUTS48="arista48 arista48+vlan vlan+arista48"

# send GROUP PORT LAYOUT...
send()
{
	ip netns exec "$CAPD_NS" python3 "$LAB_TMP/send.py" eth0 "$@" ||
		lab_fail "sending $* failed"
}

# run NAME PATH KIND: capd on the veth with that path and timestamp, every
# layout sent to feed A (239.1.1.1:30001), feed B (239.1.2.0/24) and past
# them; the ring's frames in $LAB_TMP/NAME.frames.
run()
{
	local name=$1 path=$2 kind=$3 line

	rm -f "$CAPD_RING" # this run's frames only
	capd_lab_conf 64M <<'CONF'
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; },
          { name = "B"; group = "239.1.2.0/24"; } );
CONF
	sed -i "s/mode = \"native\"; }/mode = \"native\"; path = \"$path\"; timestamp = \"$kind\"; }/" \
		"$CAPD_CONF"
	"$CAPD" -c "$CAPD_CONF" -n >"$LAB_TMP/$name.check" 2>&1 ||
		lab_fail "$name: capd -n refused: $(<"$LAB_TMP/$name.check")"
	if [[ $kind != nic ]]; then
		grep -q "capture.interfaces\[0\]: $CAPD_HIF: the frames carry .*(timestamp \"$kind\")" \
			"$LAB_TMP/$name.check" || lab_fail "$name: capd -n does not name $kind"
	fi
	capd_lab_start "$LAB_TMP/$name.log"
	line=$(grep "^.*$CAPD_HIF: \(XDP\|shared path\)" "$LAB_TMP/$name.log" || true)
	echo "$name: $line"
	if [[ $kind == nic ]]; then
		[[ $line != *"the frames carry"* ]] || lab_fail "$name: start line names a kind"
	else
		[[ $line == *"(timestamp \"$kind\")"* ]] || lab_fail "$name: start line: $line"
	fi
	"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/$name.status" 2>&1 || true
	"$CAPCTL" status --json "$CAPD_RING" >"$LAB_TMP/$name.json" 2>&1 || true
	local all="plain $LAYOUTS64 $LAYOUTS48"
	# shellcheck disable=SC2086 # lists of words
	{
		send 239.1.1.1 30001 "$N" $all
		send 239.1.2.7 999 "$N" $all
		send 239.1.1.1 30002 "$N" $all # no feed's port
		send 239.1.1.1 30001 "$N" arista-v30 vlan+arista-v30
	}
	sleep 0.5 # the shared path's blocks retire after 1 ms
	capd_lab_stop
	"$RING_FRAMES" "$CAPD_RING" >"$LAB_TMP/$name.frames" ||
		lab_fail "$name: ring_frames: $(<"$LAB_TMP/$name.frames")"
	echo "$name: the ring holds:"
	sed 's/^/  /' "$LAB_TMP/$name.frames"
	local st=${kind/nic/none}
	grep -q "^interface  $CAPD_HIF .*wire timestamp $st, " "$LAB_TMP/$name.status" ||
		lab_fail "$name: capctl status: $(grep '^interface' "$LAB_TMP/$name.status")"
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
k = [i["wire_ts"] for i in j["interfaces"]]
sys.exit(0 if k == [sys.argv[2]] else "wire_ts %s" % k)' "$LAB_TMP/$name.json" "$kind" ||
		lab_fail "$name: capctl status --json"
}

# expect NAME LAYOUT...: exactly those layouts, N each, to feed 0 and 1.
expect()
{
	local name=$1 l want=$LAB_TMP/$1.want
	shift
	: >"$want"
	for l in "$@"; do
		echo "frames iface=0 feed=0 layout=$l count=$N" >>"$want"
		echo "frames iface=0 feed=1 layout=$l count=$N" >>"$want"
	done
	echo "total records=$((2 * N * $#)) lost=0 rejected=0" >>"$want"
	diff <(sort "$want") <(sort "$LAB_TMP/$name.frames") ||
		lab_fail "$name: the ring's frames differ from what the path selects (< wanted, > got)"
}

# doctor_line NAME: capctl doctor's wire-time item, "status: reason".
doctor_line()
{
	"$CAPCTL" doctor -c "$CAPD_CONF" --json >"$LAB_TMP/$1.doctor" 2>&1 || true
	python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    if c["check"] == "wire-time":
        print("%s: %s | fix: %s" % (c["status"], c["reason"], c["fix"]))' "$LAB_TMP/$1.doctor"
}

# A feed list whose socket filter outgrows the kernel's 4096 instructions
# only behind the header: capd -n says so, and with "nic" it fits.
many=$(python3 -c '
print(",\n".join("{ name = \"F%d\"; group = \"239.1.0.%d\"; ports = [ %s ]; }" %
                 (i, i + 1, ", ".join(str(30000 + 16 * i + k) for k in range(16)))
                 for i in range(64)))')
for kind in arista64 nic; do
	capd_lab_conf 64M <<<"feeds = ( $many );"
	sed -i "s/mode = \"native\"; }/path = \"shared\"; timestamp = \"$kind\"; }/" "$CAPD_CONF"
	rc=0
	"$CAPD" -c "$CAPD_CONF" -n >"$LAB_TMP/many-$kind" 2>&1 || rc=$?
	echo "capd -n, 64 feeds of 16 ports, $kind: rc $rc: $(grep -v 'run.user\|ptp4l' "$LAB_TMP/many-$kind")"
	if [[ $kind == nic ]]; then
		((rc == 0)) || lab_fail "64 feeds without the header refused"
	else
		((rc != 0)) || lab_fail "64 feeds behind the header not refused"
		grep -q "instructions, the kernel at most 4096; looking through the Arista header" \
			"$LAB_TMP/many-$kind" || lab_fail "64 feeds behind the header: no clear reason"
	fi
done

# shellcheck disable=SC2086
{
	run bypass bypass nic
	expect bypass plain $LAYOUTS64 $LAYOUTS48
	d=$(doctor_line bypass)
	echo "bypass: doctor: $d"
	[[ $d == "ok: no switch timestamp in most of the newest $((14 * N)) frames"* ]] ||
		lab_fail "bypass: doctor wire-time: $d"

	run shared64 shared arista64
	expect shared64 plain $LAYOUTS64
	d=$(doctor_line shared64)
	echo "shared64: doctor: $d"
	[[ $d == "ok: $((6 * N)) of the newest $((8 * N)) frames carry a valid arista64 timestamp (absent $((2 * N)), malformed 0, truncated 0)"* ]] ||
		lab_fail "shared64: doctor wire-time: $d"

	run shared48 shared arista48
	expect shared48 plain $LAYOUTS48
	# The configuration says "nic" now; the ring's frames say otherwise.
	sed -i 's/timestamp = "arista48"/timestamp = "nic"/' "$CAPD_CONF"
	d=$(doctor_line shared48)
	echo "shared48 (conf nic): doctor: $d"
	[[ $d == "warning: $((6 * N)) of the newest $((8 * N)) frames carry a valid arista48 timestamp, but timestamp is \"nic\""* ]] ||
		lab_fail "shared48: doctor wire-time: $d"
	[[ $d == *"the running capd was started with timestamp \"arista48\""* &&
		$d == *'capture.interfaces[0].timestamp = "arista48", then restart capd'* ]] ||
		lab_fail "shared48: doctor wire-time fix: $d"
	[[ $d != *"restart capd to apply"* ]] || lab_fail "shared48: doctor: two fixes: $d"
}
echo "PASS: xdp_arista: bypass and shared, 64- and 48-bit, with and without a tag"
