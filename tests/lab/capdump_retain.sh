#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_retain.sh - retention of the archive while capdump records:
#  --archive-size 2M with -G 1 (about 0.8 MB a second, so that a file goes
#    every second or so): polled every 150 ms, the complete files (with
#    their indexes) never exceed 2 MiB by more than one file, the names
#    left are always the newest of all names seen (the oldest go first),
#    the file being written is never removed, an earlier run's files go at
#    start, a stale index temporary goes and a fresh one stays; every
#    removal is one log line, and capctl status, the --prom metrics and the
#    directory agree;
#  --min-free 50% on an 8 MiB tmpfs: the disk never fills, capdump ends
#    cleanly, files were removed to keep the space free;
#  --min-free on a disk another file fills: one warning that nothing is
#    left to remove, then a full disk behaves as without retention (a clear
#    error, the last file readable).
# The full disk without retention is capdump_fulldisk.sh.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPCTL ip jq python3 mount umount capinfos
capd_lab_setup ret
capd_lab_conf 128M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start

# poll DIR PATTERN_RE BUDGET MINFREE: watch DIR every 150 ms until
# $LAB_TMP/stop exists; fail on a broken rule (the file names the run's
# files: PATTERN_RE; BUDGET and MINFREE in bytes, 0 = none).
poll() {
	python3 - "$@" "$LAB_TMP/stop" <<'EOF'
import os, re, sys, time
d, pat, budget, minfree, stop = sys.argv[1], re.compile(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
seen, parts, polls, biggest = set(), set(), 0, 0
def fail(msg):
    print("FAIL: poll: " + msg, flush=True)
    sys.exit(1)
while not os.path.exists(stop):
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        names = []
    files, total, part = [], 0, 0
    for n in names:
        try:
            st = os.stat(os.path.join(d, n))
        except FileNotFoundError:
            continue
        m = re.fullmatch(r"\.(.*)\.part", n)
        if m and pat.fullmatch(m.group(1)):
            parts.add(m.group(1))
            part += st.st_size
        elif pat.fullmatch(n):
            size = st.st_size
            try:
                size += os.stat(os.path.join(d, n + ".idx")).st_size
            except FileNotFoundError:
                pass
            files.append(n)
            biggest = max(biggest, size)
            total += size
    files.sort()
    seen.update(files)
    ordered = sorted(seen)
    # The files left are the newest of all seen: the oldest went first.
    if files and ordered[len(ordered) - len(files):] != files:
        fail("left %s of %s: not the newest" % (files, ordered))
    if budget and total > budget + biggest:
        fail("%d bytes of complete files, more than %d + one file (%d)" % (total, budget, biggest))
    if minfree:
        v = os.statvfs(d)
        free = v.f_bavail * v.f_frsize
        # below the minimum by at most the file being written and one file
        if free + part + biggest < minfree:
            fail("%d bytes free, %d in the file being written: below %d by more than one file (%d)"
                 % (free, part, minfree, biggest))
    polls += 1
    time.sleep(0.15)
# Every file being written was completed before it could be removed.
left = set(os.listdir(d))
for p in parts:
    if p not in seen and p not in left and "." + p + ".part" not in left:
        fail("%s, seen being written, never seen complete" % p)
print("poll: %d polls, %d names seen, %d left, biggest %d" % (polls, len(seen), len(
    [n for n in left if pat.fullmatch(n)]), biggest), flush=True)
with open(stop + ".seen", "w") as f:
    f.write("\n".join(sorted(seen)) + "\n")
EOF
}

# prom NAME: one value of the --prom file.
prom() {
	awk -v m="$1" '$1 ~ "^"m"[{]" { print $2 }' "$LAB_TMP/a.prom"
}

# --- a budget of 2 MiB
dir=$LAB_TMP/arch
mkdir -p "$dir"
budget=$((2 << 20))
# An earlier run's files (3 MiB, older names) and index temporaries: stale, fresh.
head -c 1500000 /dev/zero >"$dir/r_20200101T000000Z.pcapng"
head -c 1500000 /dev/zero >"$dir/r_20200101T000001Z.pcapng"
head -c 100 /dev/zero >"$dir/r_20200101T000001Z.pcapng.idx"
head -c 100 /dev/zero >"$dir/.r_20200101T000002Z.pcapng.idx.AbCdEf"
touch -d '2 minutes ago' "$dir/.r_20200101T000002Z.pcapng.idx.AbCdEf"
head -c 100 /dev/zero >"$dir/.r_20200101T000003Z.pcapng.idx.GhIjKl"
head -c 100000 /dev/zero >"$dir/other.pcapng"

rm -f "$LAB_TMP/stop"
poll "$dir" 'r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng' "$budget" 0 >"$LAB_TMP/poll.log" &
poller=$!
lab_on_exit "touch $LAB_TMP/stop; kill $poller 2>/dev/null || true"
"$CAPDUMP" -i "$CAPD_RING" -G 1 -w "$dir/r_%Y%m%dT%H%M%SZ.pcapng" --archive-size 2M \
	--prom "$LAB_TMP/a.prom" 2>"$LAB_TMP/dump.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
sleep 0.5
# The earlier run's oldest file went at start (3 MB > 2 MiB; the file
# being written does not count), the other one at the first rotation.
grep -q "removed $dir/r_20200101T000000Z.pcapng and its index" "$LAB_TMP/dump.err" ||
	lab_fail "the earlier run's oldest file was not removed at start: $(<"$LAB_TMP/dump.err")"
[[ ! -e $dir/.r_20200101T000002Z.pcapng.idx.AbCdEf ]] || lab_fail "stale index temporary left"
grep -q "removed $dir/.r_20200101T000002Z.pcapng.idx.AbCdEf: an index temporary" \
	"$LAB_TMP/dump.err" || lab_fail "stale index temporary: no log line"
[[ -e $dir/.r_20200101T000003Z.pcapng.idx.GhIjKl ]] || lab_fail "a fresh index temporary was removed"
[[ -e $dir/other.pcapng ]] || lab_fail "a file of another name was removed"

# ~20 s of 1400-byte datagrams at 600/s: ~0.85 MB a second, a file a second.
capd_lab_send -g 239.1.1.1 -p 30001 -n 12000 -s 1400 -r 600 --random &
sender=$!
lab_on_exit "kill $sender 2>/dev/null || true"

# capctl status against the directory, at a moment no pass ran in between.
checks=0
for _ in $(seq 40); do
	sleep 0.4
	# Away from the second's boundary, where -G 1 rotates.
	ms=$((10#$(date +%N) / 1000000))
	((ms >= 250 && ms <= 650)) || sleep "0.$(printf '%03d' $(((1450 - ms) % 1000)))"
	"$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/st1.json"
	n=$(find "$dir" -maxdepth 1 -regextype egrep -regex '.*/r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng' | wc -l)
	b=$(find "$dir" -maxdepth 1 -regextype egrep -regex '.*/r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng(\.idx)?' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	"$CAPCTL" status "$CAPD_RING" --json >"$LAB_TMP/st2.json"
	q='.readers[] | select(.pid == '$dump') | .archive'
	c1=$(jq -r "$q.checked_ns" "$LAB_TMP/st1.json")
	c2=$(jq -r "$q.checked_ns" "$LAB_TMP/st2.json")
	[[ $c1 == "$c2" && $c1 != null ]] || continue
	sf=$(jq -r "$q.files" "$LAB_TMP/st1.json")
	sb=$(jq -r "$q.bytes" "$LAB_TMP/st1.json")
	# an index written after the pass is not in its figure: up to 64 KiB
	[[ $sf == "$n" ]] || lab_fail "capctl status: $sf files, the directory $n"
	((b >= sb && b - sb < 65536)) || lab_fail "capctl status: $sb bytes, the directory $b"
	checks=$((checks + 1))
done
((checks >= 5)) || lab_fail "capctl status compared with the directory $checks times only"
wait $sender
"$CAPCTL" status "$CAPD_RING" >"$LAB_TMP/st.txt"
grep -A3 "pid $dump" "$LAB_TMP/st.txt"
grep -A3 "pid $dump" "$LAB_TMP/st.txt" | grep -q "archive $dir: [0-9]* files, .* of 2.0 MiB, oldest" ||
	lab_fail "capctl status shows no archive: $(<"$LAB_TMP/st.txt")"
kill -INT $dump
wait $dump || lab_fail "capdump exited with $?: $(<"$LAB_TMP/dump.err")"
touch "$LAB_TMP/stop"
wait $poller || lab_fail "$(<"$LAB_TMP/poll.log")"
cat "$LAB_TMP/poll.log"

# Every removal one line, oldest first; the metrics count them, and tell
# what the directory holds.
mapfile -t removed < <(sed -n "s|^capdump: removed $dir/\(r_[^ ]*\) and its index.*|\1|p" "$LAB_TMP/dump.err")
echo "${#removed[@]} removals logged"
((${#removed[@]} >= 10)) || lab_fail "only ${#removed[@]} files removed in 20 s: $(<"$LAB_TMP/dump.err")"
[[ $(printf '%s\n' "${removed[@]}") == "$(printf '%s\n' "${removed[@]}" | sort)" ]] ||
	lab_fail "removals not oldest first: ${removed[*]}"
left=$(find "$dir" -maxdepth 1 -regextype egrep -regex '.*/r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng' | wc -l)
lab_expect_match "removed_files_total" "$(prom capdump_archive_removed_files_total)" "^${#removed[@]}\$"
lab_expect_match "files" "$(prom capdump_archive_files)" "^$left\$"
lab_expect_match "budget" "$(prom capdump_archive_budget_bytes)" "^$budget\$"
bytes=$(find "$dir" -maxdepth 1 -regextype egrep -regex '.*/r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng(\.idx)?' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
lab_expect_match "bytes" "$(prom capdump_archive_bytes)" "^$bytes\$"
((bytes <= budget)) || lab_fail "$bytes bytes left, over the budget"
# The last removed is older than every file left, and every file left has its index.
oldest=$(find "$dir" -maxdepth 1 -regextype egrep -regex '.*/r_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng' -printf '%f\n' | sort | head -1)
[[ ${removed[-1]} < $oldest ]] || lab_fail "removed ${removed[-1]}, newer than $oldest which is left"
for f in "$dir"/r_2*.pcapng; do
	[[ -f $f.idx ]] || lab_fail "$f has no index"
done
# No index outlived its file.
for f in "$dir"/r_*.pcapng.idx; do
	[[ -f ${f%.idx} ]] || lab_fail "$f outlived its file"
done

# --- --min-free 50% of an 8 MiB tmpfs
small=$LAB_TMP/small
mkdir -p "$small"
mount -t tmpfs -o size=8m none "$small"
lab_on_exit umount "$small"
rm -f "$LAB_TMP/stop"
poll "$small" 'f_[0-9]{8}T[0-9]{6}Z(_[0-9]{5})?\.pcapng' 0 $((4 << 20)) >"$LAB_TMP/poll2.log" &
poller=$!
lab_on_exit "touch $LAB_TMP/stop; kill $poller 2>/dev/null || true"
"$CAPDUMP" -i "$CAPD_RING" -G 1 -w "$small/f_%Y%m%dT%H%M%SZ.pcapng" --min-free 50% \
	--prom "$LAB_TMP/a.prom" 2>"$LAB_TMP/dump2.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 9000 -s 1400 -r 600 --random
kill -INT $dump
wait $dump || lab_fail "--min-free: capdump exited with $?: $(<"$LAB_TMP/dump2.err")"
touch "$LAB_TMP/stop"
wait $poller || lab_fail "$(<"$LAB_TMP/poll2.log")"
cat "$LAB_TMP/poll2.log"
! grep -q "No space" "$LAB_TMP/dump2.err" || lab_fail "the disk filled: $(<"$LAB_TMP/dump2.err")"
n=$(grep -c "^capdump: removed $small/f_" "$LAB_TMP/dump2.err" || true)
echo "--min-free: $n removals"
((n >= 3)) || lab_fail "--min-free removed $n files: $(<"$LAB_TMP/dump2.err")"
lab_expect_match "min_free_bytes" "$(prom capdump_archive_min_free_bytes)" "^$((4 << 20))\$"
free=$(prom capdump_archive_free_bytes)
((free >= 4 << 20)) || lab_fail "--min-free: $free bytes free after the last pass"

# --- another file fills the disk: nothing of the archive left to remove
rm -rf "${small:?}"/* "$small"/.??* 2>/dev/null || true
head -c 7M /dev/zero >"$small/filler"
"$CAPDUMP" -i "$CAPD_RING" -G 1 -w "$small/f_%Y%m%dT%H%M%SZ.pcapng" --min-free 2M \
	2>"$LAB_TMP/dump3.err" &
dump=$!
lab_on_exit "kill $dump 2>/dev/null || true"
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n 3000 -s 1400 -r 3000 --random
sleep 1
kill -INT $dump 2>/dev/null || true
rc=0
wait $dump || rc=$?
cat "$LAB_TMP/dump3.err"
((rc != 0)) || lab_fail "full disk: capdump exited 0"
n=$(grep -c "below --min-free .* and no file of the archive is left to remove" "$LAB_TMP/dump3.err" || true)
((n == 1)) || lab_fail "full disk: $n warnings that nothing is left to remove, want 1"
lab_expect_match "full disk" "$(<"$LAB_TMP/dump3.err")" "No space left on device"
[[ -f $small/filler ]] || lab_fail "full disk: a file of another name was removed"
last=$(find "$small" -maxdepth 1 -name 'f_*.pcapng' | sort | tail -1)
[[ -n $last ]] || lab_fail "full disk: no file under its final name"
capinfos -M "$last" >"$LAB_TMP/ci" 2>&1 || lab_fail "full disk: $last: $(<"$LAB_TMP/ci")"
capd_lab_stop
echo "PASS: capdump_retain"
