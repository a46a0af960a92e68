#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_check.sh - `capd -n` refuses what a start would refuse, with the
# same message naming the setting and its fix, and exits non-zero: a
# run.dir that is missing or that run.user cannot write, an interface
# whose XDP hook another program holds (attached with `ip link ... xdp
# object`), an XDP object that is missing or not capd's.  A good
# configuration still passes, with a warning only for an interface that
# is down.  -n changes nothing: the foreign program stays attached.
. "$(dirname "$0")/lab.sh"
lab_start CAPD ip setpriv truncate install

lab_netns_add chk
ns=$LAB_REPLY
lab_veth_add chk0 eth0 "$ns"
hif=$LAB_REPLY
# A ring file of the right size already there: no hugepages needed.
chmod 0755 "$LAB_TMP"
truncate -s 16M "$LAB_TMP/ring"
install -d -m 0755 -o nobody "$LAB_TMP/run-nobody"
install -d -m 0755 "$LAB_TMP/run-root"
# Built with the lab's tools (tests/lab/tools/xdp_pass.bpf.c).
obj=${XDP_PASS_OBJ:-$CAPD_BUILD/tests/lab/tools/xdp_pass.bpf.o}
[[ -r $obj ]] || lab_fail "no $obj (XDP_PASS_OBJ)"

# conf NAME USER DIR: a configuration in $LAB_TMP/NAME.conf.
conf()
{
	cat >"$LAB_TMP/$1.conf" <<-EOF
		ring = { name = "$LAB_TMP/ring"; size = "16M"; group = ""; };
		capture = { cpu = -1; interfaces = ( { name = "$hif"; mode = "generic"; } ); };
		clock = { ptp4l_socket = ""; };
		run = { user = "$2"; group = ""; dir = "$3"; };
	EOF
	chmod 0644 "$LAB_TMP/$1.conf"
}

# refused NAME REGEX [env...]: capd -n exits non-zero, its last line
# matching REGEX, nothing else said.
refused()
{
	local name=$1 want=$2 rc=0 err
	shift 2
	env "$@" timeout 20 "$CAPD" -c "$LAB_TMP/$name.conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
	err=$(tail -n 1 "$LAB_TMP/out")
	echo "$name: capd -n: exit $rc: $err"
	((rc == 1)) || lab_fail "$name: capd -n exit $rc: $(<"$LAB_TMP/out")"
	[[ $(wc -l <"$LAB_TMP/out") -eq 1 ]] || lab_fail "$name: not one line: $(<"$LAB_TMP/out")"
	lab_expect_match "$name" "$err" "$want"
}

# passes NAME: capd -n exits 0, saying "configuration ok".
passes()
{
	local name=$1 rc=0
	timeout 20 "$CAPD" -c "$LAB_TMP/$name.conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
	echo "$name: capd -n: exit $rc: $(tr '\n' ' ' <"$LAB_TMP/out")"
	((rc == 0)) || lab_fail "$name: capd -n exit $rc: $(<"$LAB_TMP/out")"
	lab_expect_match "$name" "$(<"$LAB_TMP/out")" "$name.conf: configuration ok"
}

conf good nobody "$LAB_TMP/run-nobody"
passes good
[[ $(wc -l <"$LAB_TMP/out") -eq 1 ]] || lab_fail "good: more than one line: $(<"$LAB_TMP/out")"

conf missing_dir nobody "$LAB_TMP/nosuch"
refused missing_dir "missing_dir.conf: run.dir: $LAB_TMP/nosuch does not exist: create it"

conf ro_dir nobody "$LAB_TMP/run-root"
refused ro_dir "ro_dir.conf: run.dir: $LAB_TMP/run-root is not writable by capd's user \(uid 65534.*chown or chmod it"

# Run as nobody with run.user "": the directory is checked for nobody.
conf ro_dir_self "" "$LAB_TMP/run-root"
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$CAPD" -c "$LAB_TMP/ro_dir_self.conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
echo "ro_dir_self: capd -n as uid 65534: exit $rc: $(<"$LAB_TMP/out")"
((rc == 1)) || lab_fail "ro_dir_self: exit $rc"
lab_expect_match ro_dir_self "$(<"$LAB_TMP/out")" "run.dir: $LAB_TMP/run-root is not writable by capd's user \(uid 65534"

refused good "XDP object /nonexistent/capd_xdp.bpf.o \(from the environment variable CAPD_BPF_OBJ\): No such file or directory" \
	CAPD_BPF_OBJ=/nonexistent/capd_xdp.bpf.o
refused good "XDP object $LAB_TMP/good.conf \(from the environment variable CAPD_BPF_OBJ\): not capd's XDP object" \
	CAPD_BPF_OBJ="$LAB_TMP/good.conf"

# Several capture threads (capture.cpus): never beside capture.cpu, never
# more than the queues captured, every core online; hugepages for every
# ring of the set still to be created.
printf 'capture = { cpu = 1;\n\tcpus = [ 0, 1 ]; interfaces = ( { name = "%s"; } ); };\n' \
	"$hif" >"$LAB_TMP/both.conf"
refused both "both.conf:2: capture.cpus: set either cpu or cpus"
sed 's/cpu = -1;/cpus = [ 0, 1 ];/' "$LAB_TMP/good.conf" >"$LAB_TMP/threads.conf"
refused threads "threads.conf: capture.cpus: 2 capture threads for 1 queue: each thread needs a queue of its own; list at most 1 core"
sed 's/cpu = -1;/cpus = [ 4095 ];/' "$LAB_TMP/good.conf" >"$LAB_TMP/offline.conf"
refused offline "offline.conf: capture.cpus\\[0\\]: CPU 4095 is not online or not allowed to capd"
mq=$(lab_name chkq)
ip link add "$mq" numtxqueues 2 numrxqueues 2 type veth peer name eth1 netns "$ns" \
	numtxqueues 2 numrxqueues 2 || lab_fail "ip link add $mq with 2 queues failed"
lab_on_exit "if [ -e /sys/class/net/$mq ]; then ip link del $mq; fi"
ip link set "$mq" up
sed -e 's/cpu = -1;/cpus = [ 0, 1 ];/' -e "s/\"$hif\"/\"$mq\"/" "$LAB_TMP/good.conf" \
	>"$LAB_TMP/two.conf"
lab_hugepages_reserve 8
passes two
# The ring exists at its size; ring.1 needs 8 pages of 2 MiB: leave 4 free.
lab_hugepages_info
if ((LAB_HP_KB == 2048)); then
	lab_hugepages_set $((LAB_HP_TOTAL - LAB_HP_FREE + 4))
	refused two "$LAB_TMP/ring.1: not enough hugepages: the ring needs 8 pages of 2048 kB, 4 are free; .* \\(capture.cpus: 2 capture threads, each writes a ring of ring.size; 1 of those rings still to be created\\)"
else
	echo "two: hugepages of $LAB_HP_KB kB, not 2048: the shortage is not checked"
fi

# Another program on the XDP hook (attached with ip, as an admin would):
# -n refuses it as the start does, with the same advice.
ip link set dev "$hif" xdpgeneric object "$obj" section xdp
lab_on_exit "ip link set dev $hif xdpgeneric off 2>/dev/null || true"
id=$(ip -d link show "$hif" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1)
[[ -n $id ]] || lab_fail "ip attached no XDP program: $(ip -d link show "$hif")"
# A start refuses a ring off hugetlbfs before it reaches the hook.
lab_hugepages_reserve 16
ringdir=/dev/hugepages/capd-test-$LAB_RUN_ID
lab_on_exit rm -rf "$ringdir"
sed "s#$LAB_TMP/ring#$ringdir/r#" "$LAB_TMP/good.conf" >"$LAB_TMP/held.conf"
advice="another XDP program is attached, and capd never replaces one: detach it first: ip link set dev $hif xdp off"
refused held "held.conf: capture.interfaces\[0\].name: $hif already has an XDP program \(id $id\) \($advice"
ip -d link show "$hif" | grep -q "prog/xdp id $id" || lab_fail "capd -n changed the XDP hook"
rc=0
timeout 20 "$CAPD" -c "$LAB_TMP/held.conf" >"$LAB_TMP/out" 2>&1 || rc=$?
echo "held: start: exit $rc: $(tail -n 1 "$LAB_TMP/out")"
((rc == 1)) || lab_fail "held: start exit $rc: $(<"$LAB_TMP/out")"
lab_expect_match "held: start" "$(tail -n 1 "$LAB_TMP/out")" "$hif: XDP program \(mode generic\): Device or resource busy \($advice"
ip -d link show "$hif" | grep -q "prog/xdp id $id" || lab_fail "capd replaced the XDP program"
ip link set dev "$hif" xdpgeneric off

# Down: a start captures nothing from it until it is up, but starts.
ip link set dev "$hif" down
rc=0
"$CAPD" -c "$LAB_TMP/good.conf" -n >"$LAB_TMP/out" 2>&1 || rc=$?
echo "down: capd -n: exit $rc: $(tr '\n' ' ' <"$LAB_TMP/out")"
((rc == 0)) || lab_fail "down: exit $rc"
lab_expect_match down "$(<"$LAB_TMP/out")" "$hif is down: capd captures nothing from it until it is up \(ip link set dev $hif up\)"
echo "PASS: capd_check"
