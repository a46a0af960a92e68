#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capctl_doctor.sh - `capctl doctor` on a lab box, the hugepage, ring
# permission and XDP mode checks each in a failing and a passing state built
# here, every verdict held against what capd itself does in that state:
#
#  - hugepages: a ring that fits in the free pages passes; one larger than
#    what is free fails with the command that reserves them, and capd -n
#    refuses it too (vm.nr_hugepages is left alone unless the box has
#    fewer than 16 free pages);
#  - permissions: the ring directory capd and its readers share (2750,
#    group nogroup) passes, and a member reads the ring; the directory
#    taken from the group, or the ring made world-readable while capd
#    runs, fail; an outsider is told how to join the group; an unreadable
#    configuration is "unknown (needs root)", not a failure;
#  - XDP mode: a veth with native XDP passes, and capd attaches natively
#    (the doctor then names capd's program); a veth whose peer has more
#    transmit queues than it has receive queues has no native XDP: the
#    doctor fails mode = "native", capd refuses to start with it, and with
#    mode = "auto" capd runs in generic mode as the doctor foretold.
# Exit status: 0 with no failed check, 1 with one.
. "$(dirname "$0")/lab.sh"
lab_start CAPCTL CAPD ip setpriv getent timeout install
group=nogroup
getent group "$group" >/dev/null || lab_skip "needs the group '$group' (Debian has it)"

nobody=65534
lab_unused_gid 64000
outsider_gid=$LAB_REPLY
# uid 65534 must be able to run capctl wherever the build tree is.
capctl=$LAB_TMP/capctl
install -m 0755 "$CAPCTL" "$capctl"
chmod 0755 "$LAB_TMP"

lab_netns_add doc
ns=$LAB_REPLY
lab_veth_add dg eth0 "$ns"
good_if=$LAB_REPLY
# veth refuses native XDP while its peer has more TX than it has RX queues.
bad_if=$(lab_name dq)
ip link add "$bad_if" numtxqueues 1 numrxqueues 1 type veth peer name eth1 \
	numtxqueues 4 numrxqueues 4 netns "$ns" || lab_fail "ip link add $bad_if failed"
lab_on_exit "if [ -e /sys/class/net/$bad_if ]; then ip link del $bad_if; fi"
ip link set "$bad_if" up
ip -n "$ns" link set eth1 up

# Two 16 MiB rings: 16 pages of 2 MiB.
lab_hugepages_mount
lab_hugepages_info
((LAB_HP_FREE >= 16)) || lab_hugepages_reserve 16
dir=/dev/hugepages/capd-test-$LAB_RUN_ID
lab_on_exit rm -rf "$dir"
install -d -m 2750 -g "$group" "$dir"

# conf NAME IFACE MODE SIZE [RING]: a configuration in $LAB_TMP/NAME.conf.
conf()
{
	cat >"$LAB_TMP/$1.conf" <<-EOF
		ring = { name = "$dir/${5:-r}"; size = "$4"; group = "$group"; mode = "0640"; };
		capture = { cpu = -1; interfaces = ( { name = "$2"; mode = "$3"; } ); };
		run = { user = ""; group = ""; dir = "$LAB_TMP"; };
	EOF
	chmod 0644 "$LAB_TMP/$1.conf"
}

# doctor CONF [WHO...]: run capctl doctor (as WHO, a setpriv prefix);
# output in $out, exit status in $rc.
doctor()
{
	local conf=$1

	shift
	rc=0
	"$@" "$capctl" doctor -c "$LAB_TMP/$conf.conf" >"$LAB_TMP/out" 2>&1 || rc=$?
	out=$(<"$LAB_TMP/out")
	((rc == 0 || rc == 1)) || lab_fail "capctl doctor $conf: exit $rc: $out"
	# every item has a status, a name and a reason
	grep -Evq '^(ok|warning|FAIL|unknown) +[a-z0-9_-]+( [^ ]+)? +[^ ]|^ +fix: |^capctl doctor: |^[0-9]+ ok, ' \
		"$LAB_TMP/out" && lab_fail "capctl doctor $conf: a line without a verdict: $out"
	return 0
}

# expect STATUS CHECK[/IFACE] REGEX: the item's line matches.
expect()
{
	local status=$1 check=${2%%/*} iface='' line

	[[ $2 == */* ]] && iface=" ${2#*/}"
	line=$(grep -E "^[a-zA-Z]+ +$check$iface +" <<<"$out" || true)
	[[ -n $line ]] || lab_fail "no item '$2' in: $out"
	lab_expect_match "$2" "$line" "^$status +$check$iface +.*$3"
	echo "  $line"
}

# expect_fix CHECK[/IFACE] REGEX: the fix under the item matches.
expect_fix()
{
	local check=${1%%/*} iface='' fixline

	[[ $1 == */* ]] && iface=" ${1#*/}"
	fixline=$(grep -E -A1 "^[a-zA-Z]+ +$check$iface +" <<<"$out" | sed -n '2p')
	lab_expect_match "$1 fix" "$fixline" "^ +fix: .*$2"
	echo "  $fixline"
}

member=(setpriv --reuid="$nobody" --regid="$nobody" --clear-groups --inh-caps=-all)
outsider=(setpriv --reuid="$nobody" --regid="$outsider_gid" --clear-groups --inh-caps=-all)

echo "== passing box: ring fits, directory 2750 $group, native XDP"
conf good "$good_if" native 16M
doctor good
((rc == 0)) || lab_fail "a good box failed: $out"
expect ok config "valid"
expect ok hugepages "needs 8 pages of 2048 kB"
expect ok hugetlbfs "$dir is on hugetlbfs"
expect ok ring-access "only group '$group' may read it"
expect ok xdp-native/"$good_if" "supports native XDP"

capd_lab_start "$LAB_TMP/capd-good.log" "$LAB_TMP/good.conf"
grep -q "$good_if: XDP native mode" "$LAB_TMP/capd-good.log" ||
	lab_fail "capd did not attach natively: $(<"$LAB_TMP/capd-good.log")"
doctor good
((rc == 0)) || lab_fail "a good box with capd running failed: $out"
expect ok hugepages "exists and holds its 8 pages"
expect ok ring-access "only group '$group' may read it"
expect ok xdp-native/"$good_if" "attached now in native mode .*capd pid $CAPD_PID"
"${member[@]}" head -c 64 "$dir/r" >/dev/null || lab_fail "a member of $group cannot read the ring"
doctor good "${member[@]}"
expect ok ring-access "only group '$group' may read it"

echo "== ring permissions: failing while capd runs"
chgrp root "$dir"
chmod 0700 "$dir"
doctor good
((rc == 1)) || lab_fail "a directory closed to the readers passed: $out"
expect FAIL ring-access "$dir belongs to gid 0, not group '$group'"
expect_fix ring-access "chgrp $group $dir && chmod 2750 $dir"
if "${member[@]}" head -c 64 "$dir/r" >/dev/null 2>&1; then
	lab_fail "the doctor failed the directory, yet a member read the ring"
fi
chgrp "$group" "$dir"
chmod 2750 "$dir"
chmod 0644 "$dir/r"
doctor good
((rc == 1)) || lab_fail "a world-readable ring passed: $out"
expect FAIL ring-access "$dir/r has mode 0644, not ring.mode 0640"
expect_fix ring-access "chmod 0640 $dir/r"
chmod 0640 "$dir/r"
doctor good
((rc == 0)) || lab_fail "the repaired box failed: $out"
expect ok ring-access "only group '$group' may read it"

echo "== an ordinary user outside the group"
doctor good "${outsider[@]}"
expect warning ring-access "you may not read it: .*group '$group'"
expect_fix ring-access "" # a fix line is there
lab_expect_match "outsider" "$out" "usermod -aG $group"
if "${outsider[@]}" head -c 64 "$dir/r" >/dev/null 2>&1; then
	lab_fail "the doctor said the outsider may not read the ring, yet it did"
fi
chmod 0600 "$LAB_TMP/good.conf"
doctor good "${outsider[@]}"
expect unknown config "unknown \(needs root\): cannot read"
chmod 0644 "$LAB_TMP/good.conf"

capd_lab_stop

echo "== hugepages: a ring larger than the free pages"
conf big "$good_if" native 1T big
doctor big
((rc == 1)) || lab_fail "a 1 TiB ring passed: $out"
expect FAIL hugepages "not enough hugepages: the ring needs 524288 pages of 2048 kB"
expect_fix hugepages "echo [0-9]+ > /proc/sys/vm/nr_hugepages"
rc=0
err=$(timeout 20 "$CAPD" -c "$LAB_TMP/big.conf" -n 2>&1) || rc=$?
((rc != 0)) || lab_fail "capd -n accepted the ring the doctor failed"
lab_expect_match "capd -n" "$err" "needs 524288 pages"

echo "== XDP mode: a veth without native XDP"
conf nonative "$bad_if" native 16M r2
doctor nonative
((rc == 1)) || lab_fail "native mode on $bad_if passed: $out"
expect FAIL xdp-native/"$bad_if" "no native XDP redirect .*capd will not start with mode = \"native\""
expect_fix xdp-native/"$bad_if" "mode = \"auto\""
rc=0
timeout 20 "$CAPD" -c "$LAB_TMP/nonative.conf" >"$LAB_TMP/capd-nonative.log" 2>&1 || rc=$?
((rc != 0 && rc != 124)) || lab_fail "capd started on $bad_if in native mode (exit $rc)"
grep -q "XDP program (mode native)" "$LAB_TMP/capd-nonative.log" ||
	lab_fail "capd failed for another reason: $(<"$LAB_TMP/capd-nonative.log")"
echo "  capd: $(grep 'XDP program' "$LAB_TMP/capd-nonative.log")"

conf auto "$bad_if" auto 16M r2
doctor auto
expect warning xdp-native/"$bad_if" "capd runs in generic mode"
capd_lab_start "$LAB_TMP/capd-auto.log" "$LAB_TMP/auto.conf"
grep -q "$bad_if: XDP generic mode" "$LAB_TMP/capd-auto.log" ||
	lab_fail "capd did not fall back to generic mode: $(<"$LAB_TMP/capd-auto.log")"
doctor auto
expect warning xdp-native/"$bad_if" "attached now in generic mode .*capd pid $CAPD_PID"
capd_lab_stop

echo "== XDP mode: generic configured where native works"
conf generic "$good_if" generic 16M
doctor generic
expect warning xdp-native/"$good_if" "mode = \"generic\""
expect_fix xdp-native/"$good_if" "mode = \"native\""

echo "PASS: capctl_doctor"
