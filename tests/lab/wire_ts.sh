#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# wire_ts.sh - time from the wire, end to end, with tshark as the judge.
# One capd captures five veths, one per timestamp kind (capd.conf
# capture.interfaces[].timestamp: metamako, exablaze, arista64, arista48,
# nic); tools/wirets_gen.py in the namespace sends on each frames with
# known wire times: sub-nanoseconds (Metamako TLV 1, Exablaze's 40-bit
# fraction), the duplicate and degraded flags, other Metamako TLVs, IPv6,
# Ethernet padding, VLAN tags (the Arista header before and after the tag), TAI and
# UTC Arista versions, and malformed stamps (ns >= 10^9, TLVs running past
# the trailer, the other width's Arista version, a cut Exablaze trailer,
# no stamp at all).  A ptp4l grandmaster announces TAI - UTC = 37 s, valid.
# Then:
#  - the generator's own frames, judged by tshark, say what it says;
#  - no frame is lost: capctl status counts every one, each is recorded
#    exactly once, in its feed (tshark -N n, the NRB: the Arista feeds are
#    found only through the header, so this checks the selection through it);
#  - tshark's EPB time of a frame with a valid stamp is the written time to
#    the ns (TAI versions less 37 s); capdump's EPB option holds the
#    sub-ns, device, port, flags, status and the host's stamp; a frame
#    without a valid stamp has the host's time, and says so;
#  - tshark with --enable-heuristic metamako_eth / exablaze_eth and its
#    avsp dissector decodes from the unstripped file the same times,
#    sub-ns, devices and ports;
#  - --strip-timestamp, from the ring and from the file read back (-r):
#    each frame with a valid stamp is the original frame byte for byte, in
#    order, the others stay as captured;
#  - capdump's summary and capstat --json (the file and the ring) count
#    per interface what was sent (wire time, host time by reason,
#    degraded, duplicate) and per switch port; capctl doctor reports each
#    interface's kind and counts, and names the kind the frames carry
#    when the configuration says another;
#  - the shared path (AF_PACKET) without ptp4l: every frame recorded once,
#    as sent, in its feed; TAI stamps less the kernel's TAI offset, or with
#    the host's time when nothing set it.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPDUMP CAPSTAT CAPCTL ip tshark python3 jq timeout ptp4l pmc
kinds=(metamako exablaze arista64 arista48 nic)
short=(wmm wex wa64 wa48 wnic)
lab_netns_add src
ns=$LAB_REPLY
hif=()
for i in "${!kinds[@]}"; do
	lab_veth_add "${short[i]}" "eth$i" "$ns"
	hif+=("$LAB_REPLY")
done
lab_hugepages_reserve 24

# A grandmaster's ptp4l that says TAI - UTC is 37 s and valid (as phc2sys
# -a would tell it): capd's clock page carries that, and readers take TAI
# wire stamps to UTC with it.  Its own namespace and veth; no other clock.
lab_netns_add ptp
ptpns=$LAB_REPLY
ip -n "$ptpns" link add pa type veth peer name pb
ip -n "$ptpns" link set pa up
ip -n "$ptpns" link set pb up
gm_sock=$LAB_TMP/ptp4l-gm
ip netns exec "$ptpns" ptp4l -i pa --logAnnounceInterval=-3 --logSyncInterval=-4 \
	--announceReceiptTimeout=2 --summary_interval=0 -S -q --free_running=1 \
	--uds_address="$gm_sock" >"$LAB_TMP/ptp4l.log" 2>&1 &
lab_on_exit "kill $! 2>/dev/null || true"
for _ in $(seq 50); do [[ -S $gm_sock ]] && break; sleep 0.1; done
pmc -u -b 0 -s "$gm_sock" "SET GRANDMASTER_SETTINGS_NP clockClass 248 clockAccuracy 0xfe
	offsetScaledLogVariance 0xffff currentUtcOffset 37 leap61 0 leap59 0
	currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 0 frequencyTraceable 0
	timeSource 0xa0" >"$LAB_TMP/pmc.out" 2>&1 || true
grep -Eq "currentUtcOffsetValid +1" "$LAB_TMP/pmc.out" ||
	lab_fail "ptp4l did not take the UTC offset: $(<"$LAB_TMP/pmc.out") $(<"$LAB_TMP/ptp4l.log")"
dir=/dev/hugepages/capd-test-$LAB_RUN_ID
ring=$dir/r
lab_on_exit rm -rf "$dir"

ifs=
for i in "${!kinds[@]}"; do
	ifs+="{ name = \"${hif[i]}\"; mode = \"native\"; timestamp = \"${kinds[i]}\"; }, "
done
cat >"$LAB_TMP/capd.conf" <<EOF
ring = { name = "$ring"; size = "32M"; group = ""; };
capture = { cpu = -1; interfaces = ( ${ifs%, } ); };
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
clock = { ptp4l_socket = "$gm_sock"; };
feeds = ( { name = "MM"; group = "239.7.0.1"; ports = [ 31001 ]; },
	  { name = "MM6"; group = "ff15::7:1"; ports = [ 31001 ]; },
	  { name = "EX"; group = "239.7.0.2"; ports = [ 31002 ]; },
	  { name = "A64"; group = "239.7.0.3"; ports = [ 31003 ]; },
	  { name = "A64V6"; group = "ff15::7:3"; ports = [ 31003 ]; },
	  { name = "A48VLAN"; group = "239.7.0.4"; ports = [ 31004 ]; },
	  { name = "NIC"; group = "239.7.0.5"; ports = [ 31005 ]; } );
EOF
# capd joins every feed's group on every interface: 25 IPv4 memberships
# of one socket, more than the kernel's default 20 allows (ENOBUFS).
igmp=$(</proc/sys/net/ipv4/igmp_max_memberships)
if ((igmp < 64)); then
	lab_on_exit "echo $igmp >/proc/sys/net/ipv4/igmp_max_memberships"
	echo 64 >/proc/sys/net/ipv4/igmp_max_memberships
fi
"$CAPD" -c "$LAB_TMP/capd.conf" -n >"$LAB_TMP/check.out" 2>&1 ||
	lab_fail "capd -n refused the configuration: $(<"$LAB_TMP/check.out")"
capd_lab_start "$LAB_TMP/capd.log" "$LAB_TMP/capd.conf"
cat "$LAB_TMP/capd.log"

# The frames, as a case list for tools/wirets_gen.py: per interface (if=,
# in kind order) good stamps with every combination below, then malformed
# and missing ones; each payload starts with its key (mark=interface/seq).
GEN=$(dirname "$0")/tools/wirets_gen.py
cases()
{
	local seq v ip size fl tl sub
	local mmflags=(0x01 0x05 0x11 0x00 0x15)
	# metamako: flags (duplicate, degraded), TLV sets (sub-ns, sequence,
	# dedup hash, string, egress sequence), IPv6, padding, devices, ports.
	for seq in {0..47}; do
		ip="dst=239.7.0.1"
		((seq % 5 == 4)) && ip="ip=6 dst=ff15::7:1"
		size=$((seq % 7 == 3 ? 12 : 100 + 23 * seq))
		sub=$(((seq * 2654435761 + 12345) % 16777215 + 1))
		case $((seq % 5)) in
		0) tl= ;;
		1) tl="subns=$sub" ;;
		2) tl="subns=$sub seq=$((seq + 1000))" ;;
		3) tl="seq=$((seq + 1000)) tlv=2:2:0,31:1:0" ;;
		4) tl="tlv=3:0:$((seq + 4000)) subns=$sub" ;;
		esac
		echo "metamako if=0 mark=0/$seq $ip dport=31001 len=$size flags=${mmflags[seq % 5]}" \
			"dev=$((0x1200 + seq % 3)) port=$((1 + seq % 4)) $tl"
	done
	v="if=0 dst=239.7.0.1 dport=31001 len=200"
	echo "metamako $v mark=0/48 count=2 bad=ns dev=7 port=7"
	echo "metamako $v mark=0/50 count=2 bad=tlvcut" # TLVs past the trailer
	echo "metamako $v mark=0/52 count=2 bad=missing"
	# exablaze: sub-ns that lie well between two ns (so Wireshark's double
	# arithmetic gives the same ns), padding, devices, ports; a cut trailer.
	for seq in {0..39}; do
		size=$((seq % 9 == 4 ? 12 : 300 + 11 * seq))
		sub=$((1677722 + (seq * 2654435761) % 13421772))
		echo "exablaze if=1 mark=1/$seq dst=239.7.0.2 dport=31002 len=$size subns=$sub" \
			"dev=$((3 + seq % 2)) port=$((10 + seq % 5))"
	done
	v="if=1 dst=239.7.0.2 dport=31002 len=500"
	echo "exablaze $v mark=1/40 count=2 bad=missing"
	echo "exablaze $v mark=1/42 count=2 bad=short"
	# arista64: UTC and TAI, IPv6; the 48-bit version, bad ns, no header.
	for seq in {0..39}; do
		ip="dst=239.7.0.3"
		((seq % 5 == 2)) && ip="ip=6 dst=ff15::7:3"
		echo "arista64 if=2 mark=2/$seq $ip dport=31003 len=$((150 + 7 * seq))" \
			"tai=$((seq % 3 == 0))"
	done
	v="if=2 dst=239.7.0.3 dport=31003 len=200"
	echo "arista64 $v mark=2/40 count=2 bad=other"
	echo "arista64 $v mark=2/42 count=2 bad=ns"
	echo "arista64 $v mark=2/44 count=2 bad=missing"
	# arista48: every frame VLAN tagged, the header before and after the tag.
	for seq in {0..39}; do
		size=$((seq % 8 == 5 ? 12 : 120 + 9 * seq))
		fl=arista
		((seq % 2)) && fl=vlan
		echo "arista48 if=3 mark=3/$seq dst=239.7.0.4 dport=31004 len=$size" \
			"vlan=$((100 + seq % 2)) order=$fl tai=$((seq % 4 == 1))"
	done
	v="if=3 dst=239.7.0.4 dport=31004 len=200 vlan=100"
	echo "arista48 $v mark=3/40 count=2 bad=other"
	echo "arista48 $v mark=3/42 count=2 bad=ns order=vlan"
	echo "arista48 $v mark=3/44 count=2 bad=missing"
	# nic: plain frames.
	for seq in {0..19}; do
		echo "nic if=4 mark=4/$seq dst=239.7.0.5 dport=31005 len=$((64 + seq))"
	done
}

# gen TAI_OFF: sends every frame from the namespace on eth<kind index>, its
# TAI stamps TAI_OFF s ahead of UTC (the offset the readers will use), wire
# times from a minute ago on; writes expect.tsv (wirets_gen.py --frames:
# per frame its interface, what a reader must make of it, the original and
# the sent bytes), tai_off and sent.pcap (the stamped frames, the wire
# time in UTC as record time).
gen()
{
	echo "$1" >"$LAB_TMP/tai_off"
	cases >"$LAB_TMP/cases"
	ip netns exec "$ns" timeout 30 python3 "$GEN" --spec "$LAB_TMP/cases" \
		--base $(($(date +%s) - 60)) --host-offset 0 --tai-offset "$1" \
		--frames "$LAB_TMP/expect.tsv" --pcap "$LAB_TMP/sent.pcap" \
		--send eth0,eth1,eth2,eth3,eth4 --pps 5000 || lab_fail "the generator failed"
}
cat >"$LAB_TMP/judge.py" <<'JUDGE'
import json, struct, sys
from datetime import datetime, timezone

# judge.py MODE TMP [IFNAME...]: against TMP/expect.tsv, MODE gen the
# generator's sent.pcap by tshark, file capdump's recordings, shared the
# shared path's, counts capdump's summary and capstat's file counts,
# counts-ring capstat's from the ring.  Fails with the first differences.
KINDS = ["metamako", "exablaze", "arista64", "arista48", "nic"]
mode, tmp = sys.argv[1], sys.argv[2]
errors = []


def err(msg):
    errors.append(msg)


def done(what):
    if errors:
        for e in errors[:20]:
            print("FAIL: wire_ts.sh: %s: %s" % (what, e), file=sys.stderr)
        if len(errors) > 20:
            print("FAIL: wire_ts.sh: %s: ... %d more" % (what, len(errors) - 20),
                  file=sys.stderr)
        sys.exit(1)



def wire_used(e):
    """A reader takes the wire time: a valid stamp, and for a TAI one a
    TAI - UTC offset known (here the kernel's; 0 = none, lib/ring_clock.h)."""
    return e["status"] == "ok" and ("tai" not in e["flags"] or tai_off != 0)


def key_of(payload_hex):
    i = payload_hex.find("57545331")
    if i < 0 or i % 2:
        return None
    k, seq = struct.unpack(">II", bytes.fromhex(payload_hex[i + 8:i + 24]))
    return (k, seq)


exp = {}
order = []
tai_off = int(open(tmp + "/tai_off").read())
# wirets_gen.py --frames: n kind status ts_ns sub_ns device port flags seq
# if host_ns orig sent; flags the WIRETS_F_* bits.
for line in open(tmp + "/expect.tsv"):
    if line.startswith("#"):
        continue
    _, kind, st, ts, sub, dev, port, wf, tlv0, _, _, orig, sent = line.rstrip("\n").split("\t")
    key = key_of(sent)
    wf = int(wf)
    fl = {n for n, bit in (("dup", 1 << 1), ("deg", 1 << 2), ("tai", 1 << 5)) if wf & bit}
    want = int(ts) - (tai_off * 10**9 if "tai" in fl else 0)
    exp[key] = dict(seq=int(tlv0) if wf & 1 << 4 else None, status="none" if kind == "nic" else st,
                    want=want, sub=int(sub), dev=int(dev), port=int(port), flags=fl,
                    orig=bytes.fromhex(orig), sent=bytes.fromhex(sent))
    order.append(key)


def abs_ns(s):
    """tshark's absolute time (TZ=UTC) to ns since 1970."""
    if not s:
        return None
    s = s.replace("UTC", "").strip()
    day, frac = s.rsplit(".", 1)
    t = datetime.strptime(" ".join(day.split()), "%b %d, %Y %H:%M:%S")
    return int(t.replace(tzinfo=timezone.utc).timestamp()) * 10**9 + int(frac.ljust(9, "0"))


def epoch_ns(s):
    a, b = s.split(".")
    return int(a) * 10**9 + int(b.ljust(9, "0"))


F = ["ifname", "time", "payload", "mm_time", "mm_subns", "mm_dev", "mm_port", "mm_flags",
     "ex_time", "ex_dev", "ex_port", "av_ver", "av_64sec", "av_64ns", "av_48sec", "av_48ns"]


def tshark(path):
    out = {}
    for line in open(path):
        r = dict(zip(F, line.rstrip("\n").split("\t")))
        out.setdefault(key_of(r.get("payload", "")), []).append(r)
    return out


def check_tshark(mm, ex, epb_is_wire):
    """tshark's decodes of the stamps equal what was written; with
    epb_is_wire, its frame time too."""
    for key in order:
        e = exp[key]
        k = key[0]
        rows = mm.get(key, [])
        if len(rows) != 1:
            err("frame %s: tshark shows it %d times" % (key, len(rows)))
            continue
        r, x = rows[0], ex.get(key, [{}])[0]
        if e["status"] != "ok":
            continue
        w = e["want"]
        if epb_is_wire and wire_used(e) and epoch_ns(r["time"]) != w:
            err("frame %s (%s): EPB time %s, written %d.%09d" %
                (key, KINDS[k], r["time"], w // 10**9, w % 10**9))
        if k == 0:
            got = (abs_ns(r["mm_time"]), int(r["mm_subns"] or 0), int(r["mm_dev"] or -1),
                   int(r["mm_port"] or -1))
            if got != (w, e["sub"], e["dev"], e["port"]):
                err("frame %s: metamako_eth decodes %s, written %s" %
                    (key, got, (w, e["sub"], e["dev"], e["port"])))
            fl = int(r["mm_flags"] or "0", 16)
            if ("dup" in e["flags"]) != bool(fl & 4) or ("deg" in e["flags"]) != bool(fl & 0x10):
                err("frame %s: metamako flags 0x%02x, written %s" % (key, fl, e["flags"]))
        elif k == 1:
            got = (abs_ns(x.get("ex_time")), int(x.get("ex_dev") or -1),
                   int(x.get("ex_port") or -1))
            if got != (w, e["dev"], e["port"]):
                err("frame %s: exablaze_eth decodes %s, written %s" %
                    (key, got, (w, e["dev"], e["port"])))
        elif k in (2, 3):
            tai = "tai" in e["flags"]
            sec, nsec = (r["av_64sec"], r["av_64ns"]) if k == 2 else (r["av_48sec"], r["av_48ns"])
            if not sec:
                err("frame %s: avsp shows no %s time" % (key, KINDS[k]))
                continue
            ws = w // 10**9 + (tai_off if tai else 0)
            if k == 3:
                ws &= 0xFFFF
            if (int(sec), int(nsec)) != (ws, w % 10**9):
                err("frame %s: avsp decodes %s.%09d, written %d.%09d" %
                    (key, sec, int(nsec), ws, w % 10**9))
            ver = int(r["av_ver"], 16)
            if bool(ver & 0x0100) == tai:
                err("frame %s: avsp version 0x%04x, written %s" % (key, ver,
                                                                   "TAI" if tai else "UTC"))


def pcapng(path):
    """(interface names, frames): per EPB its interface name, time (ns),
    wire length, bytes and custom options {(code, pen): data}."""
    b = open(path, "rb").read()
    off, names, res, frames = 0, [], [], []
    while off + 12 <= len(b):
        btype, blen = struct.unpack_from("<II", b, off)
        body = b[off + 8:off + blen - 4]
        if blen < 12 or off + blen > len(b):
            err("%s: a block of %d bytes at %d" % (path, blen, off))
            break
        off += blen
        if btype == 0x0A0D0D0A:
            if body[:4] != b"\x4d\x3c\x2b\x1a":
                err("%s: not little-endian" % path)
                break
            names, res = [], []
            continue
        if btype == 1:
            opts, name, r = _opts(body[8:]), "", 6
            name = opts.get(2, b"").decode(errors="replace")
            if 9 in opts:
                r = opts[9][0]
            names.append(name)
            res.append(r)
            continue
        if btype != 6:
            continue
        ifid, hi, lo, cap, orig = struct.unpack_from("<IIIII", body, 0)
        t = hi << 32 | lo
        if res[ifid] != 9:
            err("%s: interface %d resolution %d, want 9 (ns)" % (path, ifid, res[ifid]))
        data = body[20:20 + cap]
        opts = _opts(body[20 + (cap + 3) // 4 * 4:], custom=True)
        frames.append(dict(ifname=names[ifid], t=t, wirelen=orig, data=data, opts=opts))
    return frames


def _opts(b, custom=False):
    o, i = {}, 0
    while i + 4 <= len(b):
        code, ln = struct.unpack_from("<HH", b, i)
        v = b[i + 4:i + 4 + ln]
        i += 4 + (ln + 3) // 4 * 4
        if code == 0:
            break
        if custom and code in (2988, 2989, 19372, 19373):
            o[(code, struct.unpack_from("<I", v, 0)[0])] = v[4:]
        else:
            o[code] = v
    return o


def want_counts():
    """Per interface what a reader must count, and per switch port."""
    wc, ports = {}, {}
    for key in order:
        e, k = exp[key], key[0]
        if k == 4:
            continue
        c = wc.setdefault(k, dict(wire_time=0, host_time=0, absent=0, malformed=0, truncated=0,
                                  no_utc=0, degraded=0, duplicate=0))
        if wire_used(e):
            c["wire_time"] += 1
        else:
            c["host_time"] += 1
            c["no_utc" if e["status"] == "ok" else e["status"]] += 1
        c["degraded"] += "deg" in e["flags"]
        c["duplicate"] += "dup" in e["flags"]
        if e["status"] == "ok" and k in (0, 1):
            p = ports.setdefault((k, e["dev"], e["port"]), [0, 0])
            p[0] += 1
            p[1] += len(e["orig"])
    return wc, ports


if mode in ("counts", "counts-ring"):
    # counts TMP IFNAME...: capdump's summary (wire.pcapng.err) and capstat
    # --json (capstat.json) count what was sent; counts-ring: capstat's.
    hif = sys.argv[3:8]
    wc, ports = want_counts()
    ring = mode == "counts-ring"  # capstat from the ring only
    summary = open(tmp + "/wire.pcapng.err").read()
    for k, c in sorted(wc.items()) if not ring else []:
        line = ("capdump: interface %d (%s): %s time from the wire on %d packets, the host's on "
                "%d (%d absent, %d malformed, %d truncated, %d TAI without a UTC offset); "
                "%d degraded, %d duplicate" %
                (k, hif[k], KINDS[k], c["wire_time"], c["host_time"], c["absent"],
                 c["malformed"], c["truncated"], c["no_utc"], c["degraded"], c["duplicate"]))
        if line not in summary:
            err("capdump's summary lacks: %s" % line)
    done("capdump's summary")
    if not ring:
        print("capdump's summary counts per interface what was sent")
    js = [json.loads(x) for x in open(tmp + "/capstat.json") if x.strip()]
    js = [j for j in js if j.get("type") == "summary"] or js
    j = js[-1]
    got = {}
    for x in j.get("wire", []):
        got[x["interface"]] = x
    for k, c in sorted(wc.items()):
        x = got.get(hif[k])
        if x is None:
            err("capstat --json: no wire counts of %s" % hif[k])
            continue
        want = dict(c, stamp=KINDS[k])
        have = {n: x.get(n) for n in want}
        if have != want:
            err("capstat --json: %s: %s, want %s" % (hif[k], have, want))
    if set(got) - {hif[k] for k in wc}:
        err("capstat --json: wire counts of %s" % sorted(set(got) - {hif[k] for k in wc}))
    have = {}
    for x in j.get("ports", []):
        have[(x["interface"], x["device"], x["port"])] = [x["packets"], x["bytes"]]
    want = {(hif[k], d, p): v for (k, d, p), v in ports.items()}
    if have != want:
        err("capstat --json ports: %s, want %s" % (sorted(have.items()), sorted(want.items())))
    done("capstat --json")
    print("capstat --json%s: per interface wire/host time, absent, malformed, degraded, "
          "duplicate; %d switch ports with their packets and bytes, as sent" %
          (" (ring)" if ring else " (file)", len(want)))
    sys.exit(0)

if mode == "gen":
    check_tshark(tshark(tmp + "/sent-mm.tsv"), tshark(tmp + "/sent-ex.tsv"), True)
    done("the generator's frames by tshark")
    print("the generator's %d frames: tshark decodes every written time, sub-ns, device "
          "and port" % len(order))
    sys.exit(0)

# file|shared TMP IFNAME... (the capture interfaces in kind order): file
# judges wire.pcapng, strip.pcapng and strip-r.pcapng; shared the frames
# and times of shared.pcapng.
hif = sys.argv[3:8]
FEED = {(0, 4): "MM6", (2, 6): "A64V6"}
FEEDS = ["MM", "EX", "A64", "A48VLAN", "NIC"]
STATUS = ["ok", "absent", "malformed", "truncated"]
F_DUP, F_DEG, F_SUBNS, F_SEQ, F_TAI = 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5


def wire_opt(o):
    """capdump's EPB option (docs/pcapng-profile.md), as a dict; None if absent."""
    v = o.get((2989, 32473)) or o.get((2988, 32473))
    if v is None:
        return None
    if len(v) < 28 or v[0] < 1:
        err("an EPB wire time option of %d bytes, version %d" % (len(v), v[0] if v else -1))
        return None
    ver, kind, status, flags, dev, port, sub, host, seq = struct.unpack_from("<BBBxHHHxxIQI",
                                                                           v, 0)
    return dict(version=ver, kind=kind, status=status, flags=flags, device=dev, port=port,
                sub_ns=sub, host_ts=host, seq=seq)


def want_feed(key, e):
    v6 = e["orig"][12:14] == b"\x86\xdd"
    return "MM6" if key[0] == 0 and v6 else "A64V6" if key[0] == 2 and v6 else FEEDS[key[0]]


now_ns = int(__import__("time").time() * 1e9)
pre = "wire" if mode == "file" else mode
wire = pcapng(tmp + "/%s.pcapng" % pre)
done("reading the recording")
seen = {}
for f in wire:
    key = key_of(f["data"].hex())
    if key not in exp:
        err("a frame that was not sent: %s" % f["data"][:64].hex())
        continue
    if key in seen:
        err("frame %s recorded twice" % (key,))
    seen[key] = f
for key in order:
    if key not in seen:
        err("frame %s (%s, %s) was not recorded" % (key, KINDS[key[0]], exp[key]["status"]))
done("every frame recorded once")
print("recording: %d frames, each once" % len(seen))

for key in order:
    e, f = exp[key], seen[key]
    k = key[0]
    if f["ifname"] != hif[k]:
        err("frame %s: on interface %s, sent on %s" % (key, f["ifname"], hif[k]))
    if f["data"] != e["sent"] or f["wirelen"] != len(e["sent"]):
        err("frame %s: the unstripped frame is not the frame sent" % (key,))
    if wire_used(e) and f["t"] != e["want"]:
        err("frame %s (%s): EPB time %d, written %d" % (key, KINDS[k], f["t"], e["want"]))
    if not wire_used(e) and abs(f["t"] - now_ns) > 120 * 10**9:
        err("frame %s (%s %s): EPB time %d is not the host's" % (key, KINDS[k], e["status"],
                                                                 f["t"]))
done("EPB times")
print("EPB time = written time to the ns for every valid stamp (TAI: %s), the host's time "
      "for the others" % ("less %d s" % tai_off if tai_off else
                          "none, as no TAI - UTC offset is known here"))

for line in open(tmp + "/%s-feed.tsv" % pre):
    pay, d4, d6 = (line.rstrip("\n").split("\t") + ["", ""])[:3]
    key = key_of(pay)
    if key in exp and (d4 or d6) != want_feed(key, exp[key]):
        err("frame %s: tshark names its destination %s, want the feed %s" %
            (key, d4 or d6, want_feed(key, exp[key])))
done("feed names (NRB) by tshark")
print("every frame's destination is its feed's name (NRB), through the Arista header too")
if mode == "shared":
    sys.exit(0)

for key in order:
    e, f = exp[key], seen[key]
    k = key[0]
    w = wire_opt(f["opts"])
    if k == 4:
        if w is not None:
            err("frame %s: an interface without a kind has the wire time option" % (key,))
        continue
    if w is None:
        err("frame %s (%s): no wire time option" % (key, KINDS[k]))
        continue
    st = STATUS[w["status"]] if w["status"] < 4 else str(w["status"])
    if w["kind"] != k + 1:
        err("frame %s: option kind %d, want %d (%s)" % (key, w["kind"], k + 1, KINDS[k]))
    if st != e["status"]:
        err("frame %s (%s): status %s, want %s" % (key, KINDS[k], st, e["status"]))
        continue
    if abs(w["host_ts"] - now_ns) > 120 * 10**9:
        err("frame %s: the host's stamp %d is not near now" % (key, w["host_ts"]))
    # WIRETS_F_TAI: the stamp is TAI, still (once made UTC the flag goes).
    if bool(w["flags"] & F_TAI) != ("tai" in e["flags"] and not wire_used(e)):
        err("frame %s (%s): TAI flag %d, written %s, offset %d" %
            (key, KINDS[k], bool(w["flags"] & F_TAI), "tai" in e["flags"], tai_off))
    if not wire_used(e):
        if f["t"] != w["host_ts"]:
            err("frame %s (%s %s): EPB time %d is not the host's stamp %d" %
                (key, KINDS[k], st, f["t"], w["host_ts"]))
        if st != "ok":
            continue
    got = (w["sub_ns"] if w["flags"] & F_SUBNS else 0, bool(w["flags"] & F_DUP),
           bool(w["flags"] & F_DEG), w["seq"] if w["flags"] & F_SEQ else None)
    want = (e["sub"], "dup" in e["flags"], "deg" in e["flags"], e["seq"])
    if got != want:
        err("frame %s (%s): sub_ns, duplicate, degraded, seq %s, written %s" %
            (key, KINDS[k], got, want))
    if k in (0, 1) and (w["device"], w["port"]) != (e["dev"], e["port"]):
        err("frame %s (%s): device/port %d/%d, written %d/%d" %
            (key, KINDS[k], w["device"], w["port"], e["dev"], e["port"]))
done("capdump's wire time option on the EPBs")
print("the EPB option: kind, status, sub-ns, device, port, flags and the host's stamp as "
      "written")

check_tshark(tshark(tmp + "/wire-mm.tsv"), tshark(tmp + "/wire-ex.tsv"), True)
done("tshark's decode of the unstripped recording")
print("tshark (metamako_eth, exablaze_eth, avsp) decodes the same times from the recording")


for name, path in (("--strip-timestamp", "strip"), ("-r --strip-timestamp", "strip-r")):
    rec = pcapng("%s/%s.pcapng" % (tmp, path))
    got = {}
    for f in rec:
        got.setdefault(key_of(f["data"].hex()), []).append(f)
    for key in order:
        e, fs = exp[key], got.get(key, [])
        if len(fs) != 1:
            err("frame %s recorded %d times" % (key, len(fs)))
            continue
        want = e["orig"] if e["status"] == "ok" else e["sent"]
        if fs[0]["data"] != want or fs[0]["wirelen"] != len(want):
            err("frame %s (%s %s) is not the %s frame: %s..., want %s..." %
                (key, KINDS[key[0]], e["status"],
                 "original" if e["status"] == "ok" else "captured", fs[0]["data"][:40].hex(),
                 want[:40].hex()))
        elif wire_used(e) and fs[0]["t"] != e["want"]:
            err("frame %s: time %d, written %d" % (key, fs[0]["t"], e["want"]))
    # The stripped frames in the order of the originals, per interface.
    for k in range(5):
        a = [key_of(f["data"].hex()) for f in rec if f["ifname"] == hif[k]]
        b = [key for key in order if key[0] == k]
        if a != b:
            err("%s's frames out of order" % hif[k])
    done(name)
    print("%s: the original frames byte for byte, in order" % name)
JUDGE
# The clock page: TAI - UTC from ptp4l, valid.
for _ in $(seq 50); do
	"$CAPCTL" status "$ring" --json >"$LAB_TMP/status.json" || true
	jq -e '.clock.utc_offset_valid' "$LAB_TMP/status.json" >/dev/null 2>&1 && break
	sleep 0.1
done
jq -e '.clock.utc_offset_valid and .clock.utc_offset == 37' "$LAB_TMP/status.json" >/dev/null ||
	lab_fail "capd's clock page has no valid UTC offset 37: $(jq -c .clock "$LAB_TMP/status.json")"
gen 37
total=$(grep -vc '^#' "$LAB_TMP/expect.tsv")
echo "sent $total frames, TAI stamps 37 s ahead of UTC"

export TZ=UTC
nl=$'\n'
# tshark_fields FILE HEURISTIC: per frame, its stamp as Wireshark decodes it.
tshark_fields()
{
	tshark -r "$1" --enable-heuristic "$2" -T fields -E separator=/t -E occurrence=f \
		-e frame.interface_name -e frame.time_epoch -e udp.payload \
		-e metamako.time -e metamako.subns -e metamako.srcdevice -e metamako.srcport \
		-e metamako.flags -e exablaze.timestamp -e exablaze.device -e exablaze.port \
		-e avsp.ver -e avsp.64sec -e avsp.64ns -e avsp.48sec -e avsp.48ns 2>/dev/null
}
tshark_fields "$LAB_TMP/sent.pcap" metamako_eth >"$LAB_TMP/sent-mm.tsv"
tshark_fields "$LAB_TMP/sent.pcap" exablaze_eth >"$LAB_TMP/sent-ex.tsv"
python3 "$LAB_TMP/judge.py" gen "$LAB_TMP"

echo "== no frame lost"
for _ in $(seq 50); do
	n=$("$CAPCTL" status "$ring" --json | jq .totals.packets) || n=
	[[ $n == "$total" ]] && break
	sleep 0.1
done
"$CAPCTL" status "$ring" --json >"$LAB_TMP/status.json" || lab_fail "capctl status failed"
jq -e --argjson n "$total" '.totals.packets == $n and .totals.dropped.total == 0' \
	"$LAB_TMP/status.json" >/dev/null ||
	lab_fail "capd counted $(jq -c '{packets: .totals.packets, dropped: .totals.dropped}' \
		"$LAB_TMP/status.json"), want $total packets and no drop"
echo "capd: $total packets, none dropped"

echo "== capdump records, with and without --strip-timestamp"
rec() # rec OUT [OPTION...]: every frame in the ring into OUT (5 s at most)
{
	local out=$1 rc=0

	shift
	timeout -s INT 5 "$CAPDUMP" -i "$ring" --from oldest -c "$total" "$@" -w "$LAB_TMP/$out" \
		2>"$LAB_TMP/$out.err" || rc=$?
	((rc == 0 || rc == 124)) || lab_fail "capdump $* -w $out: exit $rc: $(<"$LAB_TMP/$out.err")"
	cat "$LAB_TMP/$out.err"
}
rec wire.pcapng
rec strip.pcapng --strip-timestamp
# Our own file read back: it names the kinds itself.
"$CAPDUMP" -r "$LAB_TMP/wire.pcapng" --strip-timestamp -w "$LAB_TMP/strip-r.pcapng" -q \
	2>"$LAB_TMP/strip-r.err" || lab_fail "capdump -r --strip-timestamp: $(<"$LAB_TMP/strip-r.err")"
lab_expect_match "capdump summary" "$(<"$LAB_TMP/wire.pcapng.err")" \
	"$total packets written to 1 file, 0 filtered out, 0 lost"

tshark_fields "$LAB_TMP/wire.pcapng" metamako_eth >"$LAB_TMP/wire-mm.tsv"
tshark_fields "$LAB_TMP/wire.pcapng" exablaze_eth >"$LAB_TMP/wire-ex.tsv"
tshark -r "$LAB_TMP/wire.pcapng" -N n -T fields -E separator=/t -E occurrence=f \
	-e udp.payload -e ip.dst_host -e ipv6.dst_host >"$LAB_TMP/wire-feed.tsv" 2>/dev/null
python3 "$LAB_TMP/judge.py" file "$LAB_TMP" "${hif[@]}"

echo "== counts: capdump's summary, capstat --json"
"$CAPSTAT" -r "$LAB_TMP/wire.pcapng" --json >"$LAB_TMP/capstat.json" 2>"$LAB_TMP/capstat.err" ||
	lab_fail "capstat -r --json: exit $?: $(<"$LAB_TMP/capstat.err")"
"$CAPSTAT" -r "$LAB_TMP/wire.pcapng" >"$LAB_TMP/capstat.txt" 2>&1 ||
	lab_fail "capstat -r: exit $?: $(<"$LAB_TMP/capstat.txt")"
sed -n '/^INTERFACE/,$p' "$LAB_TMP/capstat.txt"
python3 "$LAB_TMP/judge.py" counts "$LAB_TMP" "${hif[@]}"
# The same live from the ring (its stamps decoded there, not read from EPBs).
timeout -s INT 10 "$CAPSTAT" -i "$ring" --from oldest -c "$total" --json \
	>"$LAB_TMP/capstat.json" 2>"$LAB_TMP/capstat.err" ||
	lab_fail "capstat -i --json: exit $?: $(<"$LAB_TMP/capstat.err")"
python3 "$LAB_TMP/judge.py" counts-ring "$LAB_TMP" "${hif[@]}"

echo "== capctl doctor: what each interface's frames carry"
"$CAPCTL" doctor -c "$LAB_TMP/capd.conf" >"$LAB_TMP/doctor.out" 2>&1 || true
doc=$(grep -A1 "wire-time" "$LAB_TMP/doctor.out") || true
echo "$doc"
for k in 0 1 2 3; do
	read -r n ok absent malformed <<<"$(awk -F '\t' -v k=$k '!/^#/ && $10 == k {
		n++; s[$3]++ } END { print n, s["ok"] + 0, s["absent"] + 0, s["malformed"] + 0 }' \
		"$LAB_TMP/expect.tsv")"
	lab_expect_match "capctl doctor, ${kinds[k]}" "$doc" "(^|$nl)ok +wire-time ${hif[k]} +$ok of the newest $n frames carry a valid ${kinds[k]} timestamp \\(absent $absent, malformed $malformed, truncated 0\\)"
done
lab_expect_match "capctl doctor, flags" "$doc" "wire-time ${hif[0]} .*; flagged degraded 19, duplicate 19;"
lab_expect_match "capctl doctor, nic" "$doc" "(^|$nl)ok +wire-time ${hif[4]} +no switch timestamp in most"
# Metamako's interface set to "nic", Exablaze's to "arista64": the doctor
# names what the frames do carry.
sed -e "s|timestamp = \"metamako\"|timestamp = \"nic\"|" \
	-e "s|timestamp = \"exablaze\"|timestamp = \"arista64\"|" "$LAB_TMP/capd.conf" >"$LAB_TMP/wrong.conf"
"$CAPCTL" doctor -c "$LAB_TMP/wrong.conf" >"$LAB_TMP/doctor-wrong.out" 2>&1 || true
doc=$(grep -A1 "wire-time" "$LAB_TMP/doctor-wrong.out") || true
echo "$doc"
lab_expect_match "capctl doctor, metamako frames, \"nic\"" "$doc" "(^|$nl)warning +wire-time ${hif[0]} +48 of the newest 54 frames carry a valid metamako timestamp, but timestamp is \"nic\""
lab_expect_match "capctl doctor, metamako frames, \"nic\"" "$doc" "fix: capture.interfaces\\[0\\].timestamp = \"metamako\""
lab_expect_match "capctl doctor, exablaze frames, \"arista64\"" "$doc" "(^|$nl)warning +wire-time ${hif[1]} +0 of the newest 44 frames carry a valid arista64 timestamp"
lab_expect_match "capctl doctor, exablaze frames, \"arista64\"" "$doc" "fix: capture.interfaces\\[1\\].timestamp = \"exablaze\" \\(40 frames carry that\\)"

echo "== the shared path (AF_PACKET) finds the same feeds through the Arista header"
capd_lab_stop
rm -f "$ring"
ring=$dir/shared
# Without ptp4l: no valid UTC offset, readers use the kernel's TAI offset,
# and if that is 0 (nothing set it) TAI stamps keep the host's time.
sed -e "s|mode = \"native\";|path = \"shared\";|g" -e "s|name = \"$dir/r\"|name = \"$ring\"|" \
	-e "/^clock = /d" "$LAB_TMP/capd.conf" >"$LAB_TMP/shared.conf"
capd_lab_start "$LAB_TMP/capd-shared.log" "$LAB_TMP/shared.conf"
koff=$("$CAPCTL" status "$ring" --json | jq '.clock.kernel_tai_offset') ||
	lab_fail "capctl status failed"
echo "no ptp4l: TAI stamps $koff s ahead of UTC (the kernel's TAI offset)"
gen "$koff"
for _ in $(seq 50); do
	n=$("$CAPCTL" status "$ring" --json | jq .totals.packets) || n=
	[[ $n == "$total" ]] && break
	sleep 0.1
done
"$CAPCTL" status "$ring" --json | jq -c '{packets: .totals.packets, dropped: .totals.dropped}'
rec shared.pcapng
tshark -r "$LAB_TMP/shared.pcapng" -N n -T fields -E separator=/t -E occurrence=f \
	-e udp.payload -e ip.dst_host -e ipv6.dst_host >"$LAB_TMP/shared-feed.tsv" 2>/dev/null
python3 "$LAB_TMP/judge.py" shared "$LAB_TMP" "${hif[@]}"

capd_lab_stop
echo "PASS: wire_ts"
