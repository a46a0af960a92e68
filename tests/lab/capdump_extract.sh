#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_extract.sh - extraction from an archive (capdump -r DIR with
# --start/--end, --feed, --seq, an expression), judged by tshark:
#  - an input of two interfaces (ns and us resolution) and two MoldUDP64
#    feeds named in a feed table (gaps, a late retransmission, heartbeats, a
#    new session), unattributed packets and ISBs (tools/pcapng_gen.py), is
#    rotated by capdump -C 1 into an indexed archive of several files;
#  - for 20 seeded windows (edges on a packet's timestamp, on a file's
#    first packet, one-packet windows, whole seconds, arbitrary ns): by
#    time, time + feed, sequence range, time + expression, the packets
#    written (time, interface, lengths, MD5 of the bytes) are exactly those
#    tshark selects from every file of the archive, and the output is
#    byte-identical to the same extraction from a copy without indexes
#    (every file read); small windows read fewer files than there are;
#  - a corrupt and a stale index: one warning line each, same output;
#  - patterns, a directory without capture files, bad --seq: clear errors.
# Needs no privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP tshark python3 cmp
GEN=$(dirname "$0")/tools/pcapng_gen.py
T=$LAB_TMP
SEED=${EXTRACT_SEED:-$RANDOM}
echo "seed $SEED (EXTRACT_SEED=$SEED reproduces)"

python3 - "$SEED" >"$T/spec" <<'PY'
import random, sys
random.seed(int(sys.argv[1]))
print("shb\nidb lt=1 tsresol=9 name=eth0\nidb lt=1 tsresol=6 name=eth1")
print("nrb feed=A/239.1.1.1/30001/moldudp64,B/239.1.1.2/30002/moldudp64")
t = 1767225600 * 10**9 + 123
seq = {"A": 1, "B": 1000}
sess = {"A": "SESSION1", "B": "SESSIONB"}
sent = {"A": [], "B": []}
N = 30000
for i in range(N):
    t += random.choice([700, 20000, 300000, 999, 1000000])
    iface = random.randrange(2)
    ts = t if iface == 0 else t // 1000          # eth1 counts us
    if iface == 1:
        t = ts * 1000
    r = random.random()
    if r < 0.1:
        print(f"epb if={iface} ts={ts} dst=239.1.1.3 dport=30003 len={random.randint(60, 1400)}")
        continue
    f = "A" if r < 0.7 else "B"
    dst, port = ("239.1.1.1", 30001) if f == "A" else ("239.1.1.2", 30002)
    if f == "A" and i == N * 3 // 5:
        sess["A"], seq["A"] = "SESSION2", 1
    k = random.random()
    if k < 0.02:
        n = 0                                    # heartbeat
        first = seq[f]
    elif k < 0.04 and sent[f]:
        first, n = random.choice(sent[f][-50:])  # a late retransmission
    else:
        if k < 0.06:
            seq[f] += random.randint(1, 9)       # a gap
        first, n = seq[f], random.randint(1, 4)
        seq[f] += n
        sent[f].append((first, n))
    print(f"epb if={iface} ts={ts} dst={dst} dport={port} mold={first}/{n}/{sess[f]}")
    if i % 3000 == 2999:
        for j in range(2):
            print(f"isb if={j} ts={ts if j == iface else (t if j == 0 else t // 1000)} recv={i} drop={i // 1000}")
PY
python3 "$GEN" spec "$T/spec" "$T/in.pcapng"
mkdir "$T/arch" "$T/noidx" "$T/empty"
"$CAPDUMP" -q -r "$T/in.pcapng" -C 1 -w "$T/arch/a.pcapng.zst" || lab_fail "recording the archive"
cp -p "$T"/arch/*.zst "$T/noidx/"
nfiles=$(ls "$T"/arch/*.zst | wc -l)
nidx=$(ls "$T"/arch/*.idx | wc -l)
((nfiles >= 4 && nidx == nfiles)) || lab_fail "archive: $nfiles files, $nidx indexes"
echo "archive: $nfiles files with their indexes"

TS=(tshark -d udp.port==30001,moldudp64 -d udp.port==30002,moldudp64
	-o frame.generate_md5_hash:TRUE -T fields -e frame.time_epoch -e frame.interface_name
	-e frame.len -e frame.cap_len -e frame.md5_hash)
# the full scan: every file of the archive, with what selects
for f in "$T"/arch/*.zst; do
	"${TS[@]}" -r "$f" -e ip.dst -e udp.dstport -e moldudp64.sequence -e moldudp64.count \
		2>/dev/null || lab_fail "tshark -r $f"
	echo "FILE"
done >"$T/all.rows"

# windows: start end feed seqfrom seqto, one a line
python3 - "$SEED" "$T/all.rows" >"$T/windows" <<'PY'
import random, sys
random.seed(int(sys.argv[1]) + 1)
rows, firsts, new = [], [], True
for line in open(sys.argv[2]):
    if line.startswith("FILE"):
        new = True
        continue
    c = line.rstrip("\n").split("\t")
    if new:
        firsts.append(c[0])
        new = False
    rows.append(c)
ns = lambda s: int(s.replace(".", ""))
txt = lambda v: "%d.%09d" % divmod(v, 10**9)
lo, hi = ns(rows[0][0]), ns(rows[-1][0])
seqs = [int(c[7]) for c in rows if c[5] == "239.1.1.1" and c[7] and c[8] != "0"]
for i in range(20):
    kind = i % 5
    a = random.randrange(len(rows))
    if kind == 0:      # on packets' timestamps
        s, e = ns(rows[a][0]), ns(rows[min(len(rows) - 1, a + random.randrange(1, 4000))][0])
    elif kind == 1:    # on files' first packets
        k = random.randrange(len(firsts) - 1)
        s = ns(firsts[k])
        e = ns(firsts[k + 1]) if random.random() < 0.5 else s + random.randrange(10**9)
    elif kind == 2:    # anywhere, to the ns
        s = random.randrange(lo - 10**8, hi)
        e = s + random.randrange(1, 2 * 10**9)
    elif kind == 3:    # one packet
        s = ns(rows[a][0])
        e = s + 1
    else:              # whole seconds
        s = lo // 10**9 * 10**9 + random.randrange(0, 6) * 10**9
        e = s + 10**9
    if e <= s:
        e = s + 1
    q = random.randrange(len(seqs))
    f, t = sorted((seqs[q], seqs[min(len(seqs) - 1, q + random.randrange(0, 30))] + random.randrange(0, 5)))
    print(txt(s), txt(e), "A" if i % 2 else "B", f, t)
PY

# what tshark selects from the full scan, for each extraction N: want.N
python3 - "$T/windows" "$T/all.rows" "$T" <<'PY'
import sys
ns = lambda x: int(x.replace(".", ""))
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if not l.startswith("FILE")]
dst = {"A": ("239.1.1.1", "30001"), "B": ("239.1.1.2", "30002")}
n = 0
for w in open(sys.argv[1]):
    s, e, feed, f, t = w.split()
    s, e, f, t = ns(s), ns(e), int(f), int(t)
    for what in ("time", "feed", "seq", "expr"):
        n += 1
        with open("%s/want.%d" % (sys.argv[3], n), "w") as out:
            for c in rows:
                inwin = s <= ns(c[0]) < e
                if what == "time":
                    ok = inwin
                elif what == "feed":
                    ok = inwin and (c[5], c[6]) == dst[feed]
                elif what == "seq":
                    ok = (c[5], c[6]) == dst["A"] and c[8] not in ("", "0") and \
                        int(c[7]) <= t and int(c[7]) + int(c[8]) - 1 >= f
                else:  # EXPR below
                    ok = inwin and (c[5] == "239.1.1.3" or c[6] == "30002")
                if ok:
                    out.write("\t".join(c[:5]) + "\n")
PY

EXPR='ip dst 239.1.1.3 or udp dst port 30002'
fails=0 fewer=0 n=0
while read -r s e feed f t; do
	for what in time feed seq expr; do
		args=(--start "$s" --end "$e")
		case $what in
		feed) args+=(--feed "$feed") ;;
		seq) args=(--seq "A:$f-$t") ;;
		expr) args+=("$EXPR") ;;
		esac
		n=$((n + 1))
		"$CAPDUMP" -r "$T/arch" -w "$T/out.pcapng" "${args[@]}" 2>"$T/err" ||
			lab_fail "capdump -r archive ${args[*]}: $(<"$T/err")"
		"$CAPDUMP" -q -r "$T/noidx" -w "$T/full.pcapng" "${args[@]}" 2>/dev/null ||
			lab_fail "capdump -r noidx ${args[*]}"
		cp "$T/want.$n" "$T/want"
		"${TS[@]}" -r "$T/out.pcapng" >"$T/got" 2>/dev/null || lab_fail "tshark -r out"
		read_n=$(sed -n 's/.*; read \([0-9]*\) of.*/\1/p' "$T/err")
		((read_n < nfiles)) && fewer=$((fewer + 1))
		if ! cmp -s "$T/want" "$T/got"; then
			echo "FAIL $what ${args[*]}: $(wc -l <"$T/got") packets, tshark selects $(wc -l <"$T/want")"
			diff "$T/want" "$T/got" | head -5
			fails=$((fails + 1))
		elif ! cmp -s "$T/out.pcapng" "$T/full.pcapng"; then
			echo "FAIL $what ${args[*]}: not the bytes of the full scan"
			fails=$((fails + 1))
		else
			echo "ok $what ${args[*]}: $(wc -l <"$T/got") packets, read $read_n of $nfiles files"
		fi
	done
done <"$T/windows"
((fails == 0)) || lab_fail "$fails of $n extractions differ"
((fewer >= n / 2)) || lab_fail "only $fewer of $n extractions left files out"
echo "$n extractions exact; $fewer of them read fewer than the $nfiles files"

# untrusted indexes: one line each, read whole, the same output
read -r s e _ <"$T/windows"
files=("$T"/arch/*.zst)
"$CAPDUMP" -q -r "$T/arch" --start "$s" --end "$e" -w "$T/ref.pcapng"
truncate -s 100 "${files[1]}.idx"
touch "${files[2]}"
"$CAPDUMP" -r "$T/arch" --start "$s" --end "$e" -w "$T/out.pcapng" 2>"$T/err"
cmp -s "$T/ref.pcapng" "$T/out.pcapng" || lab_fail "with untrusted indexes, another output"
grep -q "^capdump: ${files[1]}: truncated.*read whole" "$T/err" ||
	lab_fail "no line for the truncated index: $(<"$T/err")"
grep -q "^capdump: ${files[2]}: describes another version.*read whole" "$T/err" ||
	lab_fail "no line for the stale index: $(<"$T/err")"
(($(grep -c 'read whole' "$T/err") == 2)) || lab_fail "not one line per index: $(<"$T/err")"
echo "a truncated and a stale index: warned once each, same output"

# patterns, errors
"$CAPDUMP" -q -r "$T/arch/a_0000[01]*" -w "$T/two.pcapng" || lab_fail "a pattern"
(($("${TS[@]}" -r "$T/two.pcapng" 2>/dev/null | wc -l) == $(awk '/^FILE/ {n++; next} n < 2' "$T/all.rows" | wc -l))) ||
	lab_fail "the pattern's two files are not what was read"
rc=0
"$CAPDUMP" -r "$T/empty" -w "$T/x.pcapng" 2>"$T/err" || rc=$?
((rc == 2)) && grep -q 'without capture files' "$T/err" || lab_fail "an empty directory: exit $rc: $(<"$T/err")"
rc=0
"$CAPDUMP" -r "$T/arch/zz*" -w "$T/x.pcapng" 2>"$T/err" || rc=$?
((rc == 2)) && grep -q 'no capture file matches' "$T/err" || lab_fail "no match: exit $rc: $(<"$T/err")"
rc=0
"$CAPDUMP" -r "$T/arch" --seq A:9-3 -w "$T/x.pcapng" 2>"$T/err" || rc=$?
((rc == 2)) && grep -q 'ends before it starts' "$T/err" || lab_fail "--seq A:9-3: exit $rc: $(<"$T/err")"
echo "patterns and errors: ok"
echo "PASS: capdump_extract"
