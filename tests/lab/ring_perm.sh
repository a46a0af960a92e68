#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ring_perm.sh - who may read a ring on hugetlbfs and who may not.
# A ring created with a group and mode 0640 is readable by a member of the
# group, who still cannot write it or change its directory; anyone else is
# refused with a message that says which group to join.  It runs
# $RING_LAB_TOOL.  Needs root (drops to uid 65534 with setpriv).

# shellcheck source=lab.sh
. "$(dirname "$0")/lab.sh"
lab_start RING_LAB_TOOL setpriv getent stat

nobody=65534
records=1000
lab_hugepages_reserve 16	# two 16 MiB rings of 8 pages each
lab_unused_gid 64000
gid=$LAB_REPLY

# uid 65534 must be able to run the tool wherever the build tree is.
tool=$LAB_TMP/ring_lab_tool
install -m 0755 "$RING_LAB_TOOL" "$tool"
chmod 0755 "$LAB_TMP"

as_member()
{
	setpriv --reuid=$nobody --regid=$nobody --groups="$gid" --inh-caps=-all "$@"
}

as_outsider()
{
	setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all "$@"
}

# run WHO CMD...: sets rc, out (stdout) and err (stderr) without failing.
run()
{
	local who=$1

	shift
	rc=0
	"$who" "$@" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	out=$(<"$LAB_TMP/out")
	err=$(<"$LAB_TMP/err")
}

# The layout capd makes: ring_file_create() creates the directory itself.
dir=/dev/hugepages/capd-test-$LAB_RUN_ID
ring=$dir/r
lab_on_exit rm -rf "$dir"
"$LAB_TMP/ring_lab_tool" create "$ring" 16M "$gid" 0640 "$records" ||
	lab_fail "create $ring failed"
lab_expect_match "ring mode" "$(stat -c '%a %g' "$ring")" "^640 $gid\$"
lab_expect_match "directory mode" "$(stat -c '%a %g' "$dir")" "^750 $gid\$"

run as_member "$tool" read "$ring"
((rc == 0)) || lab_fail "member read: exit $rc: $err"
lab_expect_match "member read" "$out" "^read $records records "
echo "member read: $out"

run as_member "$tool" map-rw "$ring"
((rc == 0)) || lab_fail "member map-rw: exit $rc (3 = write access granted): $out"
echo "member map-rw: ${out//$'\n'/; }"

# A member may read, not change the directory: no new files, no removal.
run as_member touch "$dir/new"
if ((rc == 0)) || [[ -e $dir/new ]]; then lab_fail "member created a file in $dir"; fi
run as_member rm -f "$ring"
if ((rc == 0)) || [[ ! -e $ring ]]; then lab_fail "member removed $ring"; fi
run as_member mv "$ring" "$dir/moved"
if ((rc == 0)) || [[ ! -e $ring ]]; then lab_fail "member renamed $ring"; fi
run as_member bash -c ": >>'$ring'"
((rc != 0)) || lab_fail "member opened $ring for writing"
echo "member: cannot create, remove, rename or write files in $dir"

run as_outsider "$tool" map-rw "$ring"
((rc == 0)) || lab_fail "outsider map-rw: exit $rc: $out"

# An operator-made directory anyone may search: only the file's mode
# keeps an outsider out, and the message must name the group to join.
odir=/dev/hugepages/capd-test-open-$LAB_RUN_ID
oring=$odir/r
lab_on_exit rm -rf "$odir"
mkdir -m 0755 "$odir"
"$LAB_TMP/ring_lab_tool" create "$oring" 16M "$gid" 0640 10 >/dev/null ||
	lab_fail "create $oring failed"
run as_outsider "$tool" read "$oring"
((rc == 2)) || lab_fail "outsider read of $oring: exit $rc, want 2: $out $err"
lab_expect_match "outsider message" "$err" "Permission denied"
lab_expect_match "outsider message" "$err" "group '$gid'"
lab_expect_match "outsider message" "$err" "usermod -aG $gid USER"
echo "outsider read (directory 0755): $err"

# The same in capd's own layout, where the 0750 directory already stops
# an outsider before the ring file can be looked at.
run as_outsider "$tool" read "$ring"
((rc == 2)) || lab_fail "outsider read of $ring: exit $rc, want 2: $out $err"
echo "outsider read (directory 0750): $err"
lab_expect_match "outsider message" "$err" "Permission denied"
lab_expect_match "outsider message (capd's 0750 directory)" "$err" "group '$gid'"
lab_expect_match "outsider message (capd's 0750 directory)" "$err" "usermod -aG $gid"

echo "PASS: ring_perm"
