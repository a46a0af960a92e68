#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_threads.sh - two capture threads (capture.cpus = [ 0, 1 ]) on a veth
# whose capture end has two receive queues, each thread writing its ring of
# the set, held against what was sent to each queue:
#
#  - steering: a veth delivers a frame on the receive queue of the
#    transmit queue it left by, and XPS picks that by the sending CPU
#    (tx-0 for CPU 0, tx-1 for CPU 1), so a sender pinned to CPU q feeds
#    queue q.  (tc flower + skbedit queue_mapping would steer by port, but
#    kernels built without them, as this lab's, refuse those filters; XPS
#    needs nothing but CONFIG_XPS.)  Checked first with capctl status.
#  - counts: per queue, thread and ring, capctl status --json says exactly
#    what was sent to each queue; each thread is on its core, owns its
#    queue, and its ring holds its queue's records;
#  - merge: capdump given the set's name records every sequence number
#    sent exactly once, in non-decreasing time order (tshark);
#  - SIGKILL of capd under traffic and a restart: per queue one hole in
#    the recording around the kill and none elsewhere, nothing twice; each
#    ring counts its own crash (crashes, crash_lost), and the first packet
#    of each queue after its hole carries exactly its ring's crash_lost as
#    epb_dropcount; the recording goes on across the restart;
#  - capd killed again and back with one thread (capture.cpus = [ ]): it
#    removes NAME.1 with a log line, the capdump waiting on the set of two
#    ends with a line saying why, and a capdump given NAME reads the one
#    ring: every packet of both queues once, and capctl status shows one
#    thread owning both.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPCTL ip tshark python3 jq taskset timeout
[[ $(nproc) -ge 2 ]] || lab_skip "needs 2 CPUs (one capture thread and one sender per CPU)"
# Hugepages of both rings; the veth is made here, with its queues.
lab_netns_add src
CAPD_NS=$LAB_REPLY
lab_veth_2q thr eth0 "$CAPD_NS"
CAPD_HIF=$LAB_REPLY
lab_hugepages_reserve 32
dir=/dev/hugepages/capd-test-$LAB_RUN_ID
CAPD_RING=$dir/r
lab_on_exit rm -rf "$dir"

conf() # conf FILE CAPTURE-KEYS: the lab's capd.conf with these capture keys
{
	cat >"$1" <<EOF
ring = { name = "$CAPD_RING"; size = "16M"; group = ""; };
capture = { $2 interfaces = ( { name = "$CAPD_HIF"; mode = "native"; } ); };
run = { user = ""; group = ""; dir = "$LAB_TMP"; };
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001, 30002 ]; } );
EOF
}
conf "$LAB_TMP/two.conf" "cpus = [ 0, 1 ];"
conf "$LAB_TMP/one.conf" "cpu = -1;"

# send QUEUE FIRST COUNT RATE: datagrams FIRST.. to port 30001 + QUEUE from
# a sender pinned to CPU QUEUE, hence on receive queue QUEUE.
send()
{
	ip netns exec "$CAPD_NS" taskset -c "$1" "$MCAST_SEND" -i eth0 -g 239.1.1.1 \
		-p $((30001 + $1)) --seq-start "$2" -n "$3" -r "$4" >/dev/null
}

st() { "$CAPCTL" status "$CAPD_RING" --json; }

capd_lab_start "$LAB_TMP/capd0.log" "$LAB_TMP/two.conf"
grep -q "on 2 capture threads" "$LAB_TMP/capd0.log" ||
	{ cat "$LAB_TMP/capd0.log" >&2; lab_fail "capd did not start 2 capture threads"; }
[[ -e $CAPD_RING.1 ]] || lab_fail "no ring $CAPD_RING.1 beside $CAPD_RING"

echo "== steering: 100 datagrams from CPU 1 reach queue 1, thread 1, ring r.1"
send 1 900000 100 0
sleep 0.5
st >"$LAB_TMP/steer.json" || true
jq -e '.threads[1].queues == [{"interface": "'"$CAPD_HIF"'", "queue": 1, "packets": 100,
	"bytes": .threads[1].queues[0].bytes}] and .threads[0].packets == 0' \
	"$LAB_TMP/steer.json" >/dev/null ||
	lab_fail "XPS did not steer to queue 1 (or capd did not count it there): $(jq -c \
		'.threads | map({index, core, queues})' "$LAB_TMP/steer.json")"
base0=0 base1=100 # packets already counted per queue

# --wait: it waits through the stops, as capdump@.service does.
"$CAPDUMP" --wait -i "$CAPD_RING" -w "$LAB_TMP/rec.pcapng" 2>"$LAB_TMP/capdump.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null; wait $dump 2>/dev/null || true"
sleep 1

echo "== counts: 20000 datagrams to queue 0 and 15000 to queue 1 at once"
n0=20000 n1=15000
send 0 0 $n0 8000 &
s0=$!
send 1 1000000 $n1 6000 &
s1=$!
wait $s0 || lab_fail "sender 0 failed"
wait $s1 || lab_fail "sender 1 failed"
sleep 1
st >"$LAB_TMP/counts.json" || lab_fail "capctl status failed: capd does not run"
jq -c '{set, threads: .threads | map({index, path, core, queues, packets,
	records: .writer.records})}' "$LAB_TMP/counts.json"
python3 - "$LAB_TMP/counts.json" "$CAPD_RING" "$CAPD_HIF" $((base0 + n0)) $((base1 + n1)) <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
ring, iface, want = sys.argv[2], sys.argv[3], [int(sys.argv[4]), int(sys.argv[5])]

def fail(msg):
    print("FAIL: capd_threads.sh: counts:", msg, file=sys.stderr)
    sys.exit(1)

if not j["set"] or j["set"]["size"] != 2 or len(j["threads"]) != 2:
    fail("not a set of 2 rings: %s" % j["set"])
for k, t in enumerate(j["threads"]):
    path = ring if k == 0 else "%s.%d" % (ring, k)
    if t["error"] or t["path"] != path:
        fail("thread %d: %s, %s" % (k, t["path"], t["error"]))
    if t["core"] != k or not t["tid"]:
        fail("thread %d on core %s, tid %s" % (k, t["core"], t["tid"]))
    qs = [(q["interface"], q["queue"], q["packets"]) for q in t["queues"]]
    if qs != [(iface, k, want[k])]:
        fail("thread %d owns %s, want queue %d with %d packets" % (k, qs, k, want[k]))
    if t["packets"] != want[k] or t["writer"]["records"] != want[k]:
        fail("thread %d: %d packets, its ring %d records, want %d"
             % (k, t["packets"], t["writer"]["records"], want[k]))
    if t["ring"]["records"] != want[k]:
        fail("ring %d holds %d records, want %d" % (k, t["ring"]["records"], want[k]))
qs = {q["queue"]: (q["thread"], q["packets"]) for q in j["interfaces"][0]["queues"]}
if qs != {0: (0, want[0]), 1: (1, want[1])}:
    fail("interfaces[0].queues: %s" % qs)
if j["totals"]["packets"] != sum(want) or j["writer"]["records"] != sum(want):
    fail("totals %d, writer records %d, want %d"
         % (j["totals"]["packets"], j["writer"]["records"], sum(want)))
if j["totals"]["dropped"]["total"]:
    fail("drops: %s" % j["totals"]["dropped"])
print("per queue, thread and ring: %d and %d packets, as sent" % tuple(want))
EOF
"$CAPCTL" status "$CAPD_RING" | head -n 6

echo "== SIGKILL of capd under traffic, and a restart with the same cores"
k0=40000 k1=30000
send 0 2000000 $k0 8000 &
s0=$!
send 1 3000000 $k1 6000 &
s1=$!
lab_on_exit "kill $s0 $s1 2>/dev/null; wait $s0 $s1 2>/dev/null || true"
sleep 1.5
kill -KILL "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
sleep 0.3
capd_lab_start "$LAB_TMP/capd1.log" "$LAB_TMP/two.conf"
if ! kill -0 $s0 2>/dev/null || ! kill -0 $s1 2>/dev/null; then
	lab_fail "a sender ended before capd was back: make them longer"
fi
wait $s0 || lab_fail "sender 0 failed"
wait $s1 || lab_fail "sender 1 failed"
sleep 1
st >"$LAB_TMP/crash.json" || lab_fail "capctl status failed after the restart"
grep -E "killed or crashed" "$LAB_TMP/capd1.log" || true
jq -c '.threads | map({index, crashes: .writer.crashes, crash_lost: .writer.crash_lost})' \
	"$LAB_TMP/crash.json"

echo "== back to one thread (capture.cpus = [ ]) after a kill, capdump waiting for capd"
# What capdump has read by then is what it records: wait until it has read
# both rings to their ends (a loaded machine can hold it back seconds).
caught_up()
{
	st | jq -e --argjson pid "$dump" '[.threads[] | .readers[] | select(.pid == $pid) |
		.lag_records] | length == 2 and all(. == 0)' >/dev/null
}
for _ in $(seq 100); do
	caught_up && break
	sleep 0.1
done
caught_up || lab_fail "capdump did not catch up with both rings within 10 s"
# After a clean stop a capdump reads to the end and exits; after a kill it
# waits for capd, which comes back with a set of one.
kill -KILL "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
capd_lab_start "$LAB_TMP/capd2.log" "$LAB_TMP/one.conf"
grep -q "r.1: left by a start with more capture threads: removed" "$LAB_TMP/capd2.log" ||
	{ cat "$LAB_TMP/capd2.log" >&2; lab_fail "capd did not say it removed r.1"; }
[[ ! -e $CAPD_RING.1 ]] || lab_fail "$CAPD_RING.1 is still there"
# The capdump that read the set of two must not go on missing a ring.
for _ in $(seq 50); do
	kill -0 $dump 2>/dev/null || break
	sleep 0.1
done
if kill -0 $dump 2>/dev/null; then
	lab_fail "capdump still reads the set of two as if nothing had changed"
fi
wait $dump || true
cat "$LAB_TMP/capdump.err"
grep -q "r: capd now writes a set of 1 ring" "$LAB_TMP/capdump.err" ||
	lab_fail "capdump ended without saying that the set changed"
"$CAPDUMP" -i "$CAPD_RING" -w "$LAB_TMP/one.pcapng" 2>"$LAB_TMP/capdump1.err" &
dump1=$!
lab_on_exit "kill $dump1 2>/dev/null; wait $dump1 2>/dev/null || true"
sleep 1
o0=5000 o1=4000
send 0 4000000 $o0 5000 &
s0=$!
send 1 5000000 $o1 5000 &
s1=$!
wait $s0 $s1
sleep 1
st >"$LAB_TMP/one.json" || lab_fail "capctl status failed with one thread"
kill -INT $dump1
wait $dump1 || lab_fail "capdump (one ring) exited with $?"
cat "$LAB_TMP/capdump1.err"
jq -e '(.set.size == 1) and (.threads | length == 1) and
	([.threads[0].queues[] | [.queue, .packets]] == [[0, '$o0'], [1, '$o1']])' \
	"$LAB_TMP/one.json" >/dev/null ||
	lab_fail "one thread: $(jq -c '{set, threads: .threads | map({index, queues})}' \
		"$LAB_TMP/one.json")"
capd_lab_stop

echo "== the recordings, judged with tshark"
fields()
{
	tshark -r "$1" -T fields -e frame.time_epoch -e udp.dstport -e frame.drop_count \
		-e udp.payload 2>/dev/null
}
fields "$LAB_TMP/rec.pcapng" >"$LAB_TMP/rec.txt"
fields "$LAB_TMP/one.pcapng" >"$LAB_TMP/one.txt"
python3 - "$LAB_TMP" "$n0" "$n1" "$k0" "$k1" "$o0" "$o1" <<'EOF'
import json, sys
from decimal import Decimal
tmp = sys.argv[1]
n0, n1, k0, k1, o0, o1 = map(int, sys.argv[2:8])

def fail(msg):
    print("FAIL: capd_threads.sh:", msg, file=sys.stderr)
    sys.exit(1)

def load(name):
    out = []
    for line in open(tmp + "/" + name):
        t, port, drop, payload = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
        out.append((Decimal(t), int(port) - 30001, int(drop or 0), int(payload[:16], 16)))
    return out

def judge(name, ranges, in_time_order=True):
    rec = load(name)
    times = [r[0] for r in rec]
    if in_time_order and any(b < a for a, b in zip(times, times[1:])):
        i = next(i for i, (a, b) in enumerate(zip(times, times[1:])) if b < a)
        fail("%s: time goes back at packet %d: %s (queue %d, datagram %d) then %s (queue %d, "
             "datagram %d)" % (name, i + 1, times[i], rec[i][1], rec[i][3], times[i + 1],
                               rec[i + 1][1], rec[i + 1][3]))
    seqs = [r[3] for r in rec]
    if len(set(seqs)) != len(seqs):
        fail("%s: sequence numbers recorded twice: %s"
             % (name, sorted({s for s in seqs if seqs.count(s) > 1})[:5]))
    for q, first, count in ranges:
        got = [r for r in rec if first <= r[3] < first + count]
        if any(r[1] != q for r in got):
            fail("%s: datagrams %d.. came on another port than queue %d's" % (name, first, q))
    return rec

# Before the kill: every datagram once.
rec = judge("rec.txt", [(0, 0, n0), (1, 1000000, n1), (0, 2000000, k0), (1, 3000000, k1)])
have = {r[3] for r in rec}
for q, first, count in ((0, 0, n0), (1, 1000000, n1)):
    missing = [s for s in range(first, first + count) if s not in have]
    if missing:
        fail("queue %d: %d datagram(s) sent before the kill missing: %s"
             % (q, len(missing), missing[:5]))
print("merge: %d + %d datagrams each recorded once, time never going back" % (n0, n1))

# The kill: one hole per queue, counted by its own ring.
crash = json.load(open(tmp + "/crash.json"))
for q, first, count in ((0, 2000000, k0), (1, 3000000, k1)):
    t = crash["threads"][q]
    if t["writer"]["crashes"] != 1:
        fail("ring %d: %d crashes counted, want 1" % (q, t["writer"]["crashes"]))
    got = sorted(r[3] for r in rec if first <= r[3] < first + count)
    if not got or got[0] != first or got[-1] != first + count - 1:
        fail("queue %d: the recording of the kill phase runs %s..%s, not %d..%d: it did "
             "not go on across the restart" % (q, got[:1], got[-1:], first, first + count - 1))
    holes = [(a + 1, b) for a, b in zip(got, got[1:]) if b != a + 1]
    if len(holes) != 1:
        fail("queue %d: %d holes in the recording for one kill: %s" % (q, len(holes), holes[:5]))
    a, b = holes[0]
    drop = next(r[2] for r in rec if r[3] == b)
    lost = t["writer"]["crash_lost"]
    if drop != lost or lost > b - a:
        fail("queue %d: hole %d..%d (%d), epb_dropcount after it %d, ring %d crash_lost %d"
             % (q, a, b - 1, b - a, drop, q, lost))
    print("kill: queue %d lost %d..%d (%d datagrams): %d counted by ring %d (crash_lost), "
          "the rest in the killed capd's socket or given to the kernel while none ran"
          % (q, a, b - 1, b - a, lost, q))
drops = sum(r[2] for r in rec)
if drops != sum(t["writer"]["crash_lost"] for t in crash["threads"]):
    fail("the recording's drop counts sum to %d, the rings' crash_lost to %d"
         % (drops, sum(t["writer"]["crash_lost"] for t in crash["threads"])))

# One thread again: one ring, both queues, every datagram once.
# (One thread takes the two queues' batches in turn, so its ring is in the
# order it took them, not in time order: as before sets.)
one = judge("one.txt", [(0, 4000000, o0), (1, 5000000, o1)], in_time_order=False)
seqs = sorted(r[3] for r in one)
want = list(range(4000000, 4000000 + o0)) + list(range(5000000, 5000000 + o1))
if seqs != want:
    fail("one ring: %d datagrams recorded, want %d once each" % (len(seqs), len(want)))
print("one thread: %d + %d datagrams once, from one ring" % (o0, o1))
EOF
echo "PASS: capd_threads"
