#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_runuser.sh - capd started as root with run.user = "" keeps uid 0
# once set up (without capabilities): capd -n says so in one warning line
# and still accepts the configuration; with a run.user, or started as an
# ordinary user, it says nothing of the kind.  (capd_lock.sh sees the same
# line at a real start.)
. "$(dirname "$0")/lab.sh"
lab_start CAPD setpriv truncate install

# A ring file of the right size already there: capd -n needs no hugepages.
chmod 0755 "$LAB_TMP"
install -m 0755 "$CAPD" "$LAB_TMP/capd"
# A copy out of the build tree looks for the installed XDP object.
export CAPD_BPF_OBJ=${CAPD_BPF_OBJ:-$(dirname "$CAPD")/capd_xdp.bpf.o}
truncate -s 16M "$LAB_TMP/ring"
# run.dir must be writable by the user capd runs as (capd_check.sh).
install -d -m 0755 -o nobody "$LAB_TMP/run"
warn='run.user is "" and capd runs as root: after setup it keeps uid 0'

# check NAME USER [WHO...]: capd -n on a configuration with run.user =
# USER, run as WHO (a setpriv prefix); its output in $out.
check()
{
	local name=$1 user=$2 conf=$LAB_TMP/$1.conf

	shift 2
	cat >"$conf" <<-EOF
		ring = { name = "$LAB_TMP/ring"; size = "16M"; group = ""; };
		capture = { cpu = -1; interfaces = ( { name = "lo"; } ); };
		clock = { ptp4l_socket = ""; };
		run = { user = "$user"; group = ""; dir = "$LAB_TMP/run"; };
	EOF
	chmod 0644 "$conf"
	out=$("$@" "$LAB_TMP/capd" -c "$conf" -n 2>&1) || lab_fail "$name: capd -n: $out"
	lab_expect_match "$name" "$out" "configuration ok"
}

check root-empty ""
[[ $(grep -cF "$warn" <<<"$out") == 1 ]] || lab_fail "root, run.user \"\": no warning: $out"
echo "root, run.user \"\": $(grep -F "$warn" <<<"$out")"

check root-nobody nobody
[[ $out != *"uid 0"* ]] || lab_fail "root, run.user nobody: warned: $out"
echo "root, run.user nobody: $out"

check user-empty "" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
[[ $out != *"uid 0"* ]] || lab_fail "uid 65534, run.user \"\": warned: $out"
echo "uid 65534, run.user \"\": $out"
echo "PASS: capd_runuser"
