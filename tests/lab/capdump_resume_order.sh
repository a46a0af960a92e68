#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_resume_order.sh - with --resume, the state names every file before
# the file exists: a SIGKILL between a file's creation and the state saved
# after its headers must not leave a .part that a restart does not know of
# (it would stay behind forever, or make the next start fail on its name).
# The window is too short to hit with a signal reliably, so strace shows the
# order: the state's text naming .NAME.part is written before the openat()
# that creates it, for every file of a -C 1 recording.
. "$(dirname "$0")/lab.sh"
lab_start CAPD CAPDUMP ip strace python3 pkill
capd_lab_setup ord
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
dir=$LAB_TMP/out
mkdir -p "$dir"
state=$LAB_TMP/state

strace -f -qq -s 4096 -e trace=openat,write -o "$LAB_TMP/trace" \
	"$CAPDUMP" -q -i "$CAPD_RING" --resume "$state" -C 1 -w "$dir/rec.pcapng" \
	2>"$LAB_TMP/err" &
pid=$!
lab_on_exit "kill $pid 2>/dev/null || true"
sleep 1
# About 2.4 MB of pcapng: three files at least.
capd_lab_send -g 239.1.1.1 -p 30001 -n 6000 -s 300 -r 3000
sleep 0.5
# SIGINT to capdump itself (strace's child), not to strace.
pkill -INT -P $pid -x capdump || lab_fail "no capdump under strace"
wait $pid || lab_fail "capdump exited with $?: $(<"$LAB_TMP/err")"
ls "$dir"

python3 - "$LAB_TMP/trace" <<'PY' || lab_fail "a file was created before the state named it"
import os, re, sys
named, created, bad = set(), 0, 0
for line in open(sys.argv[1]):
    m = re.search(r'openat\([^,]*, "([^"]*\.part)", [^)]*O_CREAT', line)
    if m:
        part = os.path.basename(m.group(1))
        created += 1
        ok = part in named
        print("created %s: %s" % (part, "named by the state first" if ok else "NOT in the state yet"))
        bad += not ok
        continue
    if re.match(r'\d+ +write\(', line):
        named.update(os.path.basename(p) for p in re.findall(r'[^"\s\\]*\.part', line))
print("%d files created, %d before the state named them" % (created, bad))
sys.exit(1 if bad or created < 3 else 0)
PY
! find "$dir" -name '.*.part' | grep -q . || lab_fail "a temporary file is left"
capd_lab_stop
echo "PASS: capdump_resume_order"
