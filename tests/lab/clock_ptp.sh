#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# clock_ptp.sh - capd's clock page against real ptp4l (software
# timestamping, grandmaster in one namespace, free-running slave in another;
# the host clock is never adjusted):
#  1. capd watching the slave reports what pmc reports: port state, the
#     grandmaster's identity and presence, UTC offset and its validity, and
#     offset from master and path delay within OFFSET_TOLERANCE_NS; the
#     verdict is "not synced" because the port is UNCALIBRATED.
#  2. capd watching the grandmaster's ptp4l calls the clock synced; stopping
#     ptp4l turns that into "ptp4l not answering" within 3 s and marks the
#     records captured from then on unsynced; restarting it recovers.  A
#     hung ptp4l (SIGSTOP) is lost within 3 s too, and found again.
#  3. capdump's files carry the clock in IDB and ISB comments (capinfos,
#     tshark) and in the custom option (PEN 32473), matching the moments
#     the files began and ended.
. "$(dirname "$0")/lab.sh"
OFFSET_TOLERANCE_NS=50000 # one second of software-stamped veth jitter
lab_start CAPD MCAST_SEND RING_FLOWS CAPCTL CAPDUMP ip ptp4l pmc python3 capinfos tshark timeout
capd_lab_setup clk

# The PTP wire: gm-<id> (grandmaster) and sl-<id> (slave), one veth.
lab_netns_add gm
gm=$LAB_REPLY
lab_netns_add sl
sl=$LAB_REPLY
ip link add "pm-$LAB_RUN_ID" netns "$gm" type veth peer name "ps-$LAB_RUN_ID" netns "$sl"
ip -n "$gm" link set "pm-$LAB_RUN_ID" up
ip -n "$sl" link set "ps-$LAB_RUN_ID" up

fast=(--logAnnounceInterval=-3 --logSyncInterval=-4 --logMinDelayReqInterval=-4
	--announceReceiptTimeout=2 --summary_interval=0 -S -2 -q --free_running=1)
GM_SOCK=$LAB_TMP/ptp4l-gm SL_SOCK=$LAB_TMP/ptp4l-sl
start_gm()
{
	ip netns exec "$gm" ptp4l -i "pm-$LAB_RUN_ID" "${fast[@]}" --priority1=10 \
		--uds_address="$GM_SOCK" >>"$LAB_TMP/ptp4l-gm.log" 2>&1 &
	GM_PID=$!
	lab_on_exit "kill $GM_PID 2>/dev/null || true"
	for _ in $(seq 50); do [[ -S $GM_SOCK ]] && return 0; sleep 0.1; done
	lab_fail "the grandmaster's ptp4l did not start: $(<"$LAB_TMP/ptp4l-gm.log")"
}
start_gm
ip netns exec "$sl" ptp4l -i "ps-$LAB_RUN_ID" "${fast[@]}" -s \
	--uds_address="$SL_SOCK" >"$LAB_TMP/ptp4l-sl.log" 2>&1 &
lab_on_exit "kill $! 2>/dev/null || true"

pmc_get() { pmc -u -b 0 -s "$1" "${@:2}" 2>/dev/null; }
# Until the slave follows the grandmaster (about 0.5 s with these intervals).
for _ in $(seq 100); do
	pmc_get "$SL_SOCK" 'GET TIME_STATUS_NP' | grep -q 'gmPresent *true' && break
	sleep 0.1
done
pmc_get "$SL_SOCK" 'GET TIME_STATUS_NP' | grep -q 'gmPresent *true' ||
	lab_fail "the slave never saw the grandmaster: $(<"$LAB_TMP/ptp4l-sl.log")"

feeds='feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001, 30002, 30003 ]; } );'
status() { "$CAPCTL" status "$CAPD_RING" --json; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin)["clock"]; print(d[sys.argv[1]])' "$1"; }

# ---- 1. capd and pmc, same ptp4l --------------------------------------------
capd_lab_conf 64M <<<"$feeds
clock = { ptp4l_socket = \"$SL_SOCK\"; max_offset = 1000000; };"
capd_lab_start "$LAB_TMP/capd1.log"
sleep 2.5 # two rounds of questions
status >"$LAB_TMP/s1.json"
pmc_get "$SL_SOCK" 'GET PORT_DATA_SET' 'GET TIME_STATUS_NP' 'GET TIME_PROPERTIES_DATA_SET' \
	'GET CURRENT_DATA_SET' >"$LAB_TMP/pmc1.txt"
cat "$LAB_TMP/s1.json"
python3 - "$LAB_TMP/s1.json" "$LAB_TMP/pmc1.txt" "$OFFSET_TOLERANCE_NS" <<'EOF'
import json, re, sys
c = json.load(open(sys.argv[1]))["clock"]
pmc = open(sys.argv[2]).read()
tol = int(sys.argv[3])
def field(name):
    m = re.search(r"^\s*%s\s+(\S+)" % name, pmc, re.M)
    if not m:
        sys.exit("pmc printed no %s:\n%s" % (name, pmc))
    return m.group(1)
want = {
    "port_state": field("portState"),
    "gm_identity": field("gmIdentity"),
    "gm_present": field("gmPresent") == "true",
    "utc_offset": int(field("currentUtcOffset")),
    "utc_offset_valid": field("currentUtcOffsetValid") == "1",
    "ptp_timescale": field("ptpTimescale") == "1",
    "steps_removed": int(field("stepsRemoved")),
}
for k, v in want.items():
    print("%-17s capd %-20s pmc %s" % (k, c[k], v))
    if c[k] != v:
        sys.exit("capd says %s=%r, pmc says %r" % (k, c[k], v))
for k, name in (("offset_ns", "master_offset"), ("path_delay_ns", "meanPathDelay")):
    p = float(field(name))
    print("%-17s capd %-20s pmc %s (tolerance %d ns)" % (k, c[k], p, tol))
    if abs(c[k] - p) > tol:
        sys.exit("capd's %s %d is %d ns from pmc's %d" % (k, c[k], abs(c[k] - p), p))
if c["synced"] or c["sync_reason"] != "no ptp4l port in SLAVE state":
    sys.exit("an UNCALIBRATED port must not count as synced: %r" % c)
print("capd reports what pmc reports")
EOF
capd_lab_stop
grep -q "clock NOT synced: no ptp4l port in SLAVE state" "$LAB_TMP/capd1.log" ||
	lab_fail "capd did not log the verdict: $(<"$LAB_TMP/capd1.log")"

# ---- 2. lost and recovered --------------------------------------------------
capd_lab_conf 64M <<<"$feeds
clock = { ptp4l_socket = \"$GM_SOCK\"; };"
capd_lab_start "$LAB_TMP/capd2.log"
wait_for() # RULE_REASON: seconds until capctl shows it, or fail after 10 s
{
	local t0 now
	t0=$(date +%s%N)
	for _ in $(seq 200); do
		if [[ $(status | jget sync_reason) == "$1" ]]; then
			now=$(date +%s%N)
			WAITED_MS=$(((now - t0) / 1000000))
			return 0
		fi
		sleep 0.05
	done
	lab_fail "capctl never showed '$1': $(status)"
}
wait_for "ptp4l is the grandmaster"
status | tee "$LAB_TMP/s2.json"
[[ $(jget synced <"$LAB_TMP/s2.json") == True ]] || lab_fail "the grandmaster is not synced"
[[ $(jget port_state <"$LAB_TMP/s2.json") == $(pmc_get "$GM_SOCK" 'GET PORT_DATA_SET' |
	awk '/portState/ { print $2 }') ]] || lab_fail "port state differs from pmc's"

# File 1 begins synced and ends after ptp4l is gone.
"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/f1.pcapng" -q 2>"$LAB_TMP/capdump1.log" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 100 -r 2000
kill -TERM "$GM_PID"
wait "$GM_PID" 2>/dev/null || true
wait_for "ptp4l not answering"
echo "ptp4l stopped: capctl says 'not answering' after $WAITED_MS ms"
((WAITED_MS <= 3000)) || lab_fail "the loss took $WAITED_MS ms to show (limit 3000)"
lost_json=$(status)
[[ $(jget synced <<<"$lost_json") == False && $(jget port_state <<<"$lost_json") == UNKNOWN ]] ||
	lab_fail "a lost clock must be unsynced, port state unknown: $lost_json"
capd_lab_send -g 239.1.1.1 -p 30002 -n 100 -r 2000
sleep 0.3
kill -INT "$dump"
wait "$dump" || lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump1.log")"

# File 2 begins unsynced and ends after the recovery.
"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/f2.pcapng" -q 2>"$LAB_TMP/capdump2.log" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
sleep 0.5
start_gm
wait_for "ptp4l is the grandmaster"
echo "ptp4l restarted: capctl says synced again after $WAITED_MS ms"
capd_lab_send -g 239.1.1.1 -p 30003 -n 100 -r 2000
sleep 0.3
kill -INT "$dump"
wait "$dump" || lab_fail "capdump exited with $?: $(<"$LAB_TMP/capdump2.log")"

# A ptp4l that hangs (its socket still there, no answers) is lost too, and
# found again when it answers the questions queued meanwhile.
kill -STOP "$GM_PID"
wait_for "ptp4l not answering"
echo "ptp4l stopped answering (SIGSTOP): lost after $WAITED_MS ms"
((WAITED_MS <= 3000)) || lab_fail "the silence took $WAITED_MS ms to show (limit 3000)"
kill -CONT "$GM_PID"
wait_for "ptp4l is the grandmaster"
echo "ptp4l answering again (SIGCONT): synced after $WAITED_MS ms"
capd_lab_stop
grep "clock " "$LAB_TMP/capd2.log"
grep -q "clock NOT synced: ptp4l not answering" "$LAB_TMP/capd2.log" ||
	lab_fail "capd did not log the loss"
[[ $(grep -c "clock synced: ptp4l is the grandmaster" "$LAB_TMP/capd2.log") -eq 3 ]] ||
	lab_fail "capd did not log the recovery"

out=$("$RING_FLOWS" -t 0.5 "$CAPD_RING")
echo "$out"
for want in "239.1.1.1:30001 .* count=100 .* unsynced=0" \
	"239.1.1.1:30002 .* count=100 .* unsynced=100" \
	"239.1.1.1:30003 .* count=100 .* unsynced=0"; do
	lab_expect_match "unsynced flags" "$out" "flow $want"
done

# ---- 3. the files -----------------------------------------------------------
# tshark's own pcapng dissector shows every block's options, the ISB's too.
comments() {
	tshark -r "$1" -X read_format:"MIME Files Format" -T fields -E occurrence=a \
		-E aggregator=$'\n' -e pcapng.options.option.data.comment 2>/dev/null
}
for f in f1 f2; do
	capinfos "$LAB_TMP/$f.pcapng" >"$LAB_TMP/$f.capinfos"
	comments "$LAB_TMP/$f.pcapng" >"$LAB_TMP/$f.comments"
	grep "Comment = " "$LAB_TMP/$f.capinfos"
	grep "ended" "$LAB_TMP/$f.comments" || lab_fail "tshark shows no ISB comment in $f"
done
lab_expect_match "f1 IDB (capinfos)" "$(<"$LAB_TMP/f1.capinfos")" \
	"Comment = clock when this file began: synced: ptp4l is the grandmaster; port MASTER"
lab_expect_match "f1 ISB (tshark)" "$(<"$LAB_TMP/f1.comments")" \
	"clock when this file ended: NOT synced: ptp4l not answering;.* 100 packet\\(s\\) of this interface stamped while not synced"
lab_expect_match "f2 IDB (capinfos)" "$(<"$LAB_TMP/f2.capinfos")" \
	"Comment = clock when this file began: NOT synced: ptp4l not answering"
lab_expect_match "f2 ISB (tshark)" "$(<"$LAB_TMP/f2.comments")" \
	"clock when this file ended: synced: ptp4l is the grandmaster; port MASTER.* 0 packet\\(s\\)"
# The custom options: code 2989 on each IDB and ISB, PEN 32473 first.
python3 - "$LAB_TMP/f1.pcapng" "$LAB_TMP/f2.pcapng" <<'EOF'
import struct, sys
want = {  # file: (IDB synced, ISB synced, ISB unsynced packets)
    sys.argv[1]: (1, 0, 100),
    sys.argv[2]: (0, 1, 0),
}
for path, (idb_synced, isb_synced, isb_unsynced) in want.items():
    b = open(path, "rb").read()
    seen = {}
    off = 0
    while off < len(b):
        btype, blen = struct.unpack_from("<II", b, off)
        body = {1: 8, 5: 12}.get(btype)
        if body is not None:
            o = off + 8 + body
            while o < off + blen - 4:
                code, olen = struct.unpack_from("<HH", b, o)
                if code == 0:
                    break
                if code == 2989:
                    pen = struct.unpack_from("<I", b, o + 4)[0]
                    data = b[o + 8:o + 4 + olen]
                    ver, synced, rule = struct.unpack_from("<BBH", data, 0)
                    unsynced = struct.unpack_from("<Q", data, 56)[0]
                    seen[btype] = (pen, ver, synced, rule, unsynced)
                o += 4 + olen + (-olen % 4)
        off += blen
    print(path, "IDB", seen.get(1), "ISB", seen.get(5))
    assert seen[1][:3] == (32473, 1, idb_synced), seen
    assert seen[5][:3] == (32473, 1, isb_synced), seen
    assert seen[5][4] == isb_unsynced, seen
print("clock options as the comments say")
EOF
echo "PASS: clock_ptp"
