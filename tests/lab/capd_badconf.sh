#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_badconf.sh - broken configurations and impossible system settings are
# refused with one clear line ("FILE:LINE: ..." for the file's own mistakes,
# the cause for the system's), a non-zero exit, both by `capd -n` and by a
# real start, and leave no XDP program attached and no ring file behind.
. "$(dirname "$0")/lab.sh"
lab_start CAPD ip

lab_netns_add peer
ns=$LAB_REPLY
lab_veth_add bad0 eth0 "$ns"
hif=$LAB_REPLY
# Pages for the small ring; the "hugepages" case asks for far more.
lab_hugepages_reserve 16
ringdir=/dev/hugepages/capd-test-$LAB_RUN_ID
lab_on_exit rm -rf "$ringdir"

# case NAME EXPECTED-REGEX: the config comes on stdin; "@IF@" is the veth.
ncases=0
case_() {
	local name=$1 want=$2 conf=$LAB_TMP/$1.conf mode rc err

	sed -e "s/@IF@/$hif/g" -e "s#@RING@#$ringdir/r#g" -e "s#@RUN@#$LAB_TMP#g" >"$conf"
	for mode in ${MODES:--n run}; do
		rc=0
		if [[ $mode == -n ]]; then
			timeout 20 "$CAPD" -c "$conf" -n >/dev/null 2>"$LAB_TMP/err" || rc=$?
		else
			timeout 20 "$CAPD" -c "$conf" >/dev/null 2>"$LAB_TMP/err" || rc=$?
		fi
		# Setup failures may follow progress lines: the cause is last.
		err=$(tail -n 1 "$LAB_TMP/err")
		echo "$name ($mode): exit $rc: $err"
		((rc != 0 && rc != 124)) || lab_fail "$name ($mode): exit $rc"
		[[ -n ${MODES:-} || $(wc -l <"$LAB_TMP/err") -eq 1 ]] ||
			lab_fail "$name ($mode): not one line: $(<"$LAB_TMP/err")"
		lab_expect_match "$name ($mode)" "$err" "$want"
		if ip link show "$hif" | grep -q xdp; then
			lab_fail "$name ($mode): XDP program left on $hif"
		fi
		[[ ! -e $ringdir/r ]] || lab_fail "$name ($mode): ring file left behind"
	done
	ncases=$((ncases + 1))
}

good='ring = { name = "@RING@"; size = "16M"; group = ""; };
capture = { cpu = 0; interfaces = ( { name = "@IF@"; } ); };
run = { user = ""; group = ""; dir = "@RUN@"; };'

case_ syntax ':2: syntax error' <<<'ring = { name = "@RING@"; size = "16M"; group = ""; };
capture = { cpu = ; interfaces = ( { name = "@IF@"; } ); };'
case_ unknown_key 'unknown_key.conf:2: .*snaplenn' <<<"${good/cpu = 0;/cpu = 0; snaplenn = 100;}"
case_ bad_size 'bad_size.conf:1: ring.size' <<<"${good/16M/16Q}"
case_ wrong_type 'wrong_type.conf:2: capture.snaplen' <<<"${good/cpu = 0;/cpu = 0; snaplen = \"big\";}"
case_ out_of_range 'out_of_range.conf:2: capture.snaplen' <<<"${good/cpu = 0;/cpu = 0; snaplen = 10;}"
case_ bad_address 'bad_address.conf:4: feeds\[0\].group' <<<"$good
feeds = ( { name = \"A\"; group = \"239.1.1.300\"; } );"
case_ dup_feed 'dup_feed.conf:5: feeds\[1\].name' <<<"$good
feeds = ( { name = \"A\"; group = \"239.1.1.1\"; },
	{ name = \"A\"; group = \"239.1.1.2\"; } );"
case_ group_mode 'group_mode.conf:1: ring.mode' <<<"${good/group = \"\";/group = \"\"; mode = \"0644\";}"
case_ unknown_if "no interface 'nosuch0'" <<<"${good/@IF@/nosuch0}"
case_ bad_queue "has 1 receive queue.*no queue 7" <<<"${good/\"@IF@\";/\"@IF@\"; queues = [ 7 ];}"
case_ cpu_offline "capture.cpu: CPU 4000 is not online" <<<"${good/cpu = 0;/cpu = 4000;}"
case_ no_user "run.user: no user 'nosuchuser'" <<<"${good/user = \"\"/user = \"nosuchuser\"}"
case_ no_group "ring.group: no group 'nosuchgrp'" <<<"${good/group = \"\";/group = \"nosuchgrp\";}"
case_ hugepages "needs [0-9]+ pages of [0-9]+ kB, [0-9]+ are free; reserve them with: echo" \
	<<<"${good/16M/64G}"
case_ empty 'empty.conf:1: .*interfaces' </dev/null
# Valid for -n, refused only once XDP is attached: teardown must detach it.
zc='cpu = 0; xsk = { zerocopy = "on"; };'
MODES=run case_ zerocopy_on "AF_XDP socket: Operation not supported" <<<"${good/cpu = 0;/$zc}"

rc=0
err=$("$CAPD" -c "$LAB_TMP/nosuch.conf" -n 2>&1) || rc=$?
echo "missing file: exit $rc: $err"
((rc != 0)) || lab_fail "a missing file was accepted"
lab_expect_match "missing file" "$err" "nosuch.conf: No such file or directory"
ncases=$((ncases + 1))

echo "PASS: capd_badconf ($ncases broken configurations refused)"
