#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ring_hugepages.sh - creating a ring with too few free hugepages fails
# with a message giving pages needed, pages free and the exact command that
# fixes it; after running that command the same create succeeds with a file
# of exactly the pages announced.  A path outside hugetlbfs is refused.
# It runs $RING_LAB_TOOL.  Needs root (changes vm.nr_hugepages, restored).

# shellcheck source=lab.sh
. "$(dirname "$0")/lab.sh"
lab_start RING_LAB_TOOL stat

size=61M			# not a whole number of 2 MiB pages on purpose
size_bytes=$((61 << 20))
short=5				# free pages fewer than needed by this many

lab_hugepages_reserve 0		# mount hugetlbfs, restore nr_hugepages at exit
lab_hugepages_info
page=$((LAB_HP_KB * 1024))
need=$(((size_bytes + page - 1) / page))
in_use=$((LAB_HP_TOTAL - LAB_HP_FREE))
lab_hugepages_set $((in_use + need - short))
lab_hugepages_info
free=$LAB_HP_FREE
total=$LAB_HP_TOTAL
((free == need - short)) || lab_fail "set up $((need - short)) free hugepages," \
	"meminfo says $free (hugepages in use elsewhere?)"

dir=/dev/hugepages/capd-test-$LAB_RUN_ID
ring=$dir/r
lab_on_exit rm -rf "$dir"

rc=0
"$RING_LAB_TOOL" create "$ring" "$size" -1 0600 100 >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
err=$(<"$LAB_TMP/err")
echo "too few pages ($free free): exit $rc: $err"
((rc == 2)) || lab_fail "create with $free of $need pages free: exit $rc, want 2"
[[ ! -e $ring ]] || lab_fail "failed create left $ring behind"
re="needs ([0-9]+) pages of ([0-9]+) kB, ([0-9]+) are free; "
re+="reserve them with: (echo ([0-9]+) > /proc/sys/vm/nr_hugepages)"
[[ $err =~ $re ]] || lab_fail "message lacks pages needed/free and the command: $err"
((BASH_REMATCH[1] == need)) || lab_fail "message says ${BASH_REMATCH[1]} pages needed, want $need"
((BASH_REMATCH[2] == LAB_HP_KB)) || lab_fail "message says ${BASH_REMATCH[2]} kB pages, want $LAB_HP_KB"
((BASH_REMATCH[3] == free)) || lab_fail "message says ${BASH_REMATCH[3]} free, want $free"
((BASH_REMATCH[5] == total - free + need)) ||
	lab_fail "message advises nr_hugepages ${BASH_REMATCH[5]}, want $((total - free + need))"
advice=${BASH_REMATCH[4]}

# Do what the message says, literally; then the same create must work.
bash -c "$advice" || lab_fail "the advised '$advice' failed"
lab_hugepages_info
((LAB_HP_FREE >= need)) ||
	lab_fail "after '$advice' only $LAB_HP_FREE pages are free, need $need"
before=$LAB_HP_FREE
"$RING_LAB_TOOL" create "$ring" "$size" -1 0600 100 || lab_fail "create after '$advice' failed"
ls -l "$ring"
bytes=$(stat -c %s "$ring")
((bytes == need * page)) || lab_fail "$ring is $bytes bytes, want $need pages = $((need * page))"
lab_hugepages_info
((before - LAB_HP_FREE == need)) ||
	lab_fail "the ring took $((before - LAB_HP_FREE)) hugepages, want $need"
out=$("$RING_LAB_TOOL" read "$ring") || lab_fail "read $ring failed"
lab_expect_match "read back" "$out" "^read 100 records "
echo "$out"

# Outside hugetlbfs the ring would be disk or tmpfs memory: refused.
rc=0
"$RING_LAB_TOOL" create "$LAB_TMP/notfs/r" 16M -1 0600 >/dev/null 2>"$LAB_TMP/err" || rc=$?
err=$(<"$LAB_TMP/err")
echo "not on hugetlbfs: exit $rc: $err"
((rc == 2)) || lab_fail "create under $LAB_TMP: exit $rc, want 2"
lab_expect_match "message" "$err" "not on hugetlbfs"
[[ ! -e $LAB_TMP/notfs/r ]] || lab_fail "refused create left a file behind"

echo "PASS: ring_hugepages"
