#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# wirets_tshark.sh - our switch timestamp decoders (lib/wirets.c) judged by
# Wireshark's: tools/wirets_gen.py writes every kind of stamp (good ones
# with sub-ns, flags, TLVs, VLAN, IPv6, padding, a new FCS; bad, missing and
# cut ones) and what must be decoded from each; wirets_print prints what
# wirets_decode() finds, tshark what its Metamako, Exablaze and Arista
# (avsp) dissectors find.  Both must equal the generator's, field by field
# as far as Wireshark shows them:
#  - Metamako: time to the ns, sub-ns, device, port, the flags byte as our
#    flags, the sequence number;
#  - Exablaze: seconds; ns from its timestamp; the fraction (a double in
#    Wireshark) to within 10^-5 ns, finer than the format's step of
#    ~9.1 * 10^-4 ns, so still exact; device, port;
#  - Arista: seconds (48-bit: the 16 bits on the wire), ns, TAI or UTC from
#    the version.
# A stamp we call bad shows no time in Wireshark either, but for one known
# difference: a Metamako TLV whose data would start before the trailer
# (bad=tlvcut) is read by Wireshark 4.0 past the trailer's start (its walk
# counts down an unsigned length through zero); we call it malformed.
# Then the stripped frames equal the originals byte for byte.  Needs no
# privileges.
. "$(dirname "$0")/lab.sh"
lab_start --user WIRETS_PRINT tshark python3

gen=$(dirname "$0")/tools/wirets_gen.py
cd "$LAB_TMP" || lab_fail "cd $LAB_TMP"
python3 "$gen" --builtin all --pcap all.pcap --orig orig.pcap --expect expect.tsv
# The frame numbers of the bad=tlvcut lines (one frame a line).
python3 "$gen" --show-builtin all | sed 's/#.*//' | awk 'NF { n++ } /bad=tlvcut/ { print n }' >tlvcut
[[ -s tlvcut ]] || lab_fail "no bad=tlvcut frame in the built-in spec"

# 1. Ours against the generator: every field of every frame.
"$WIRETS_PRINT" all.pcap @expect.tsv >ours.tsv
diff -u expect.tsv ours.tsv >ours.diff || lab_fail "wirets_decode() differs from the generator: $(head -40 ours.diff)"
ok=$(awk -F'\t' '$3 == "ok"' expect.tsv | wc -l)
bad=$(awk -F'\t' 'NR > 1 && $3 != "ok"' expect.tsv | wc -l)
((ok >= 30 && bad >= 15)) || lab_fail "the built-in spec has $ok good and $bad bad frames"

# 2. Wireshark against the generator.
TZ=UTC tshark -r all.pcap --enable-heuristic metamako_eth --enable-heuristic exablaze_eth \
	-T fields -E separator=/t -E occurrence=f \
	-e frame.number -e metamako.time -e metamako.subns -e metamako.srcdevice \
	-e metamako.srcport -e metamako.flags -e metamako.seqnum \
	-e exablaze.timestamp -e exablaze.timestamp.seconds \
	-e exablaze.timestamp.fractional_seconds -e exablaze.device -e exablaze.port \
	-e avsp.ver -e avsp.64sec -e avsp.64ns -e avsp.48sec -e avsp.48ns >tshark.tsv 2>tshark.err ||
	lab_fail "tshark: $(<tshark.err)"
python3 - expect.tsv tshark.tsv tlvcut >judge.out 2>&1 <<'EOF' || lab_fail "tshark differs: $(<judge.out)"
import sys
import time

NS = 10**9
F_FCS_VALID, F_DUPLICATE, F_DEGRADED, F_SUBNS, F_SEQ, F_TAI, F_DEVICE = (1 << i for i in range(7))
exp = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")]
ws = {}
for l in open(sys.argv[2]):
    f = l.rstrip("\n").split("\t")
    ws[int(f[0])] = f[1:]
tlvcut = {int(x) for x in open(sys.argv[3]).read().split()}
errors = []


def abs_ns(s):
    """'Dec  6, 2026 00:00:00.000001000 UTC' as ns since 1970."""
    day, frac = s.rsplit(".", 1)
    frac = frac.split()[0]
    t = time.strptime(" ".join(day.split()), "%b %d, %Y %H:%M:%S")
    return (int(time.mktime(t)) - time.timezone) * NS + int(frac.ljust(9, "0")[:9])


def check(n, what, got, want):
    if got != want:
        errors.append("frame %d %s: Wireshark %r, want %r" % (n, what, got, want))


for e in exp:
    n = int(e[0])
    kind, status = e[1], e[2]
    ts, sub, dev, port, flags, seq = (int(x) for x in e[3:9])
    (mtime, msub, mdev, mport, mflags, mseq, xts, xsec, xfrac, xdev, xport, aver, a64s, a64ns,
     a48s, a48ns) = ws.get(n, [""] * 16)
    if status != "ok":
        if kind == "metamako" and mtime and n not in tlvcut:
            errors.append("frame %d: %s, but Wireshark reads a trailer" % (n, status))
        if kind == "exablaze" and xts:
            errors.append("frame %d: %s, but Wireshark reads a trailer" % (n, status))
        if kind == "arista64" and a64ns and int(a64ns) < NS:
            errors.append("frame %d: %s, but Wireshark reads a 64-bit time" % (n, status))
        if kind == "arista48" and a48ns and int(a48ns) < NS:
            errors.append("frame %d: %s, but Wireshark reads a 48-bit time" % (n, status))
        continue
    if kind == "metamako":
        if not mtime:
            errors.append("frame %d: no Metamako trailer in Wireshark" % n)
            continue
        check(n, "time", abs_ns(mtime), ts)
        check(n, "sub-ns", int(msub) if msub else 0, sub)
        check(n, "device", int(mdev), dev)
        check(n, "port", int(mport), port)
        raw = int(mflags, 16)
        mine = F_DEVICE | (F_FCS_VALID if raw & 1 else 0) | (F_DUPLICATE if raw & 4 else 0)
        mine |= (F_DEGRADED if raw & 0x10 else 0) | (F_SUBNS if msub else 0)
        mine |= F_SEQ if mseq else 0
        check(n, "flags", mine, flags)
        check(n, "seq", int(mseq) if mseq else 0, seq)
    elif kind == "exablaze":
        if not xts:
            errors.append("frame %d: no Exablaze trailer in Wireshark" % n)
            continue
        check(n, "seconds", int(xsec), ts // NS)
        check(n, "ns", abs_ns(xts), ts)
        mine = (ts % NS + sub / 2**24) / NS
        if abs(float(xfrac) - mine) * NS > 1e-5:
            errors.append("frame %d fraction: Wireshark %s, ours %.15f" % (n, xfrac, mine))
        check(n, "device", int(xdev), dev)
        check(n, "port", int(xport), port)
    elif kind in ("arista64", "arista48"):
        if not aver:
            errors.append("frame %d: no Arista header in Wireshark" % n)
            continue
        v = int(aver, 16)
        check(n, "TAI", not v & 0x100, bool(flags & F_TAI))
        if kind == "arista64":
            check(n, "seconds", int(a64s or -1), ts // NS)
            check(n, "ns", int(a64ns or -1), ts % NS)
        else:
            check(n, "seconds (16 bits)", int(a48s or -1), ts // NS & 0xFFFF)
            check(n, "ns", int(a48ns or -1), ts % NS)
    if kind != "metamako" and mtime or kind != "exablaze" and xts:
        errors.append("frame %d: Wireshark reads a trailer of another kind" % n)
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("%d frames agree" % len(exp))
EOF
lab_log "$(<judge.out)"

# 3. Stripped, the frames are the originals byte for byte (the bad ones
#    stay as they were: the generator's --orig writes them so).
"$WIRETS_PRINT" -x all.pcap @expect.tsv | cut -f1,10 >stripped
"$WIRETS_PRINT" -x orig.pcap nic | cut -f1,10 >orig
cmp -s stripped orig || lab_fail "stripped frames differ from the originals: $(diff stripped orig | head -5)"
# And Wireshark reads the originals as plain UDP, with no stamp at all.
TZ=UTC tshark -r orig.pcap --enable-heuristic metamako_eth --enable-heuristic exablaze_eth \
	-Y 'metamako || exablaze || avsp' -T fields -e frame.number >left 2>tshark.err ||
	lab_fail "tshark: $(<tshark.err)"
# (the bad frames are kept as they are: only the good ones must be clean)
good=$(awk -F'\t' '$3 == "ok" { printf "%s ", $1 }' expect.tsv)
for n in $(<left); do
	[[ " $good " == *" $n "* ]] && lab_fail "frame $n still has a stamp after stripping"
done
echo "PASS: wirets_tshark"
