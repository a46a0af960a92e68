#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_lock.sh - no reader can keep capd from starting: capd's single-writer
# lock is a file next to the ring that readers cannot open, not the ring.
#  - a member of the ring's group (uid 65534, no capability) opens the ring
#    read-only and waits in flock(LOCK_EX) on it while capd runs, so that it
#    holds that lock when capd stops; another maps the ring
#    MAP_PRIVATE|PROT_WRITE, writes every page and then takes every free
#    hugepage left.  capd restarts on the same ring all the same, with no
#    hugepage free, and captures every datagram sent; the readers' writes
#    never reach the ring;
#  - a second capd on the same ring is refused, its last line naming the
#    first, which goes on capturing; after kill -9 the lock is free again;
#  - the lock file is root's (capd's user), mode 0600: uid 65534 cannot
#    open it;
#  - capd needs write access on hugetlbfs in the ring's directory only
#    (the rest of /dev/hugepages is read-only to it here, as capd.service's
#    ReadWritePaths= leaves it);
#  - started as root with run.user = "", capd warns that it keeps uid 0
#    (capd_runuser.sh has the cases of capd -n).
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND RING_FLOWS ip setpriv flock groupadd getent stat timeout unshare mount
CAPD_LAB_GROUP=capd-$LAB_RUN_ID
groupadd --system "$CAPD_LAB_GROUP"
lab_on_exit groupdel "$CAPD_LAB_GROUP"
gid=$(getent group "$CAPD_LAB_GROUP" | cut -d: -f3)
nobody=65534

# A member of the ring's group, no capability; a command, so that $! of
# "${member[@]}" ... & is the member's process itself.
member=(setpriv --reuid="$nobody" --regid="$nobody" --groups="$gid" --inh-caps=-all)

# A python3 that uid 65534 may run (not one under root's home).
py=
for p in /usr/bin/python3 /usr/local/bin/python3 "$(command -v python3 || true)"; do
	if [[ -x $p ]] && "${member[@]}" "$p" -c 'import mmap' 2>/dev/null; then
		py=$p
		break
	fi
done
[[ -n $py ]] || lab_skip "needs a python3 that uid 65534 may run (apt-get install python3)"

capd_lab_setup lk
dir=$(dirname "$CAPD_RING")
# The layout tmpfiles.d/capd.conf makes, in the capture group.
install -d -m 2750 -g "$CAPD_LAB_GROUP" "$dir"
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
chmod 0755 "$LAB_TMP"
tx() { capd_lab_send -g 239.1.1.1 -p 30001 -s 300 -r 20000 "$@"; }

# capd.service's view of hugetlbfs: only the ring's directory is writable.
cat >"$LAB_TMP/sandbox.sh" <<EOF
mount --bind "$dir" "$dir" && mount -o remount,bind,ro /dev/hugepages && exec "\$@"
EOF
# shellcheck disable=SC2034 # capd_lab_start runs it
CAPD_LAB_WRAP="unshare --mount --propagation private sh $LAB_TMP/sandbox.sh"

# wait_for FILE REGEX: up to 10 s for a line in FILE.
wait_for()
{
	for _ in $(seq 100); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

capd_lab_start "$LAB_TMP/capd1.log"
tx -n 1000 --seq-start 0

# The group member's lock: one process (bash, then sleep) keeps fd 9.
# shellcheck disable=SC2016 # $1 is the inner shell's
"${member[@]}" bash -c 'exec 9<"$1" && echo waiting && flock -x 9 && echo locked && exec sleep 300' \
	_ "$CAPD_RING" >"$LAB_TMP/holder.out" 2>&1 &
holder=$!
lab_on_exit "kill $holder 2>/dev/null; wait $holder 2>/dev/null || true"
wait_for "$LAB_TMP/holder.out" waiting || lab_fail "the member did not open the ring: $(<"$LAB_TMP/holder.out")"
sleep 0.3
capd_lab_stop
wait_for "$LAB_TMP/holder.out" locked || lab_fail "the member got no lock: $(<"$LAB_TMP/holder.out")"
# /proc/locks names flock(1), which took it for the open file pid $holder keeps.
ino=$(stat -c %i "$CAPD_RING")
grep -Eq "^[0-9]+: FLOCK +ADVISORY +WRITE +[0-9]+ [0-9a-f]+:[0-9a-f]+:$ino " /proc/locks ||
	lab_fail "no exclusive flock on $CAPD_RING: $(grep FLOCK /proc/locks)"
echo "uid $nobody (group $CAPD_LAB_GROUP, pid $holder) holds flock(LOCK_EX) on the ring; capd stopped"

# The other member: a private writable mapping of the ring, every page
# written, then every free hugepage taken with an anonymous mapping.
cat >"$LAB_TMP/draw.py" <<'EOF'
import mmap, os, sys, time
def free():
    m = dict(l.split(":", 1) for l in open("/proc/meminfo"))
    return int(m["HugePages_Free"].split()[0]) - int(m["HugePages_Rsvd"].split()[0])
def settled():  # the stopped capd's pages may still be on their way back
    prev, same = None, 0
    while same < 3:
        cur = free()
        same = same + 1 if cur == prev else 0
        prev = cur
        time.sleep(0.1)
    return cur
fd = os.open(sys.argv[1], os.O_RDONLY)
size, hp = os.fstat(fd).st_size, os.fstatvfs(fd).f_bsize
before = settled()
ring = mmap.mmap(fd, size, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
for off in range(0, size, hp):
    ring[off:off + 64] = b"\xa5" * 64
private = before - settled()
anon, total = [], 0
n = settled()
while n > 0:  # MAP_HUGETLB: no file, no group, any user
    m = mmap.mmap(-1, n * hp, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40000,
                  prot=mmap.PROT_READ | mmap.PROT_WRITE)
    for off in range(0, n * hp, hp):
        m[off] = 1
    anon.append(m)
    total += n
    n = settled()
print("ring_pages=%d private_pages=%d anon_pages=%d free=%d"
      % (size // hp, private, total, n), flush=True)
time.sleep(300)
EOF
"${member[@]}" "$py" "$LAB_TMP/draw.py" "$CAPD_RING" >"$LAB_TMP/draw.out" 2>&1 &
drawer=$!
lab_on_exit "kill $drawer 2>/dev/null; wait $drawer 2>/dev/null || true"
wait_for "$LAB_TMP/draw.out" '^ring_pages=' ||
	lab_fail "the member could not draw hugepages: $(<"$LAB_TMP/draw.out")"
draw=$(<"$LAB_TMP/draw.out")
echo "uid $nobody's private writable mapping of the ring, then MAP_HUGETLB: $draw"
lab_expect_match "hugepages drawn" "$draw" "^ring_pages=([0-9]+) private_pages=([0-9]+) anon_pages=[0-9]+ free=0$"
[[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] ||
	lab_fail "the private mapping drew ${BASH_REMATCH[2]} pages, not one per ring page"

capd_lab_start "$LAB_TMP/capd2.log"
grep capturing "$LAB_TMP/capd2.log"
lab_expect_match "restart" "$(<"$LAB_TMP/capd2.log")" "generation 2"
kill -0 "$holder" 2>/dev/null || lab_fail "the member's lock holder is gone"
echo "capd restarted while uid $nobody holds the ring's flock and no hugepage is free"
tx -n 1000 --seq-start 1000
sleep 0.3
out=$("$RING_FLOWS" -t 0.5 "$CAPD_RING")
echo "after the restart: $out"
lab_expect_match "after the restart" "$out" \
	"flow 239.1.1.1:30001 feed=0 count=2000 first=0 last=1999 order_errors=0 bad_payload=0"
lab_expect_match "after the restart" "$out" "total records=2000 lost=0 rejected=0 generation=2"

# The lock itself: capd's, and closed to the group.
lock=$dir/.${CAPD_RING##*/}.lock
lab_expect_match "lock file" "$(stat -c '%a %u %F' "$lock")" "^600 0 regular"
rc=0
"${member[@]}" flock -n -s "$lock" true >"$LAB_TMP/err" 2>&1 || rc=$?
((rc != 0)) || lab_fail "uid $nobody took the lock file's lock"
lab_expect_match "member on the lock file" "$(<"$LAB_TMP/err")" "Permission denied"
echo "lock file $lock: mode 600, uid 0; uid $nobody: $(<"$LAB_TMP/err")"

# A second capd on the same ring, while the first runs.
rc=0
timeout 20 "$CAPD" -c "$CAPD_CONF" >/dev/null 2>"$LAB_TMP/second.err" || rc=$?
err=$(tail -n 1 "$LAB_TMP/second.err")
echo "second capd: exit $rc: $err"
((rc == 1)) || lab_fail "a second capd on the ring: exit $rc, want 1: $(<"$LAB_TMP/second.err")"
lab_expect_match "second capd" "$err" \
	"another capd writes this ring \(pid $CAPD_PID holds $lock\)"
tx -n 500 --seq-start 2000
sleep 0.3

# kill -9: the kernel drops the lock with the process.
kill -9 "$CAPD_PID"
wait "$CAPD_PID" 2>/dev/null || true
capd_lab_start "$LAB_TMP/capd3.log"
lab_expect_match "after kill -9" "$(<"$LAB_TMP/capd3.log")" "generation 3"
tx -n 500 --seq-start 2500
sleep 0.3
capd_lab_stop
out=$("$RING_FLOWS" -t 0.5 "$CAPD_RING")
echo "whole ring: $out"
lab_expect_match "whole ring" "$out" \
	"flow 239.1.1.1:30001 feed=0 count=3000 first=0 last=2999 order_errors=0 bad_payload=0"
lab_expect_match "whole ring" "$out" "total records=3000 lost=0 rejected=0 generation=3 state=2"

# Root with run.user = "" (as in every lab test): said at every start.
warn='run.user is "" and capd runs as root: after setup it keeps uid 0'
grep -F "$warn" "$LAB_TMP/capd1.log" ||
	lab_fail "capd did not warn that it keeps uid 0: $(<"$LAB_TMP/capd1.log")"
echo "PASS: capd_lock"
