#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_unit.sh UNIT - capd as capd.service runs it, without systemd: an
# ordinary user (nobody, its group nogroup as the ring's group) holding
# exactly the unit's AmbientCapabilities= and CapabilityBoundingSet=, with
# run.user/run.group naming that same user, a ring directory from tmpfiles'
# pattern and ptp4l's socket in capd's group.  Then:
#
#  - capd sets up (native XDP with the device-bound timestamp program,
#    AF_XDP, the ring), drops everything (no effective, no bounding, no
#    ambient capability, only CAP_NET_ADMIN permitted, no_new_privs),
#    captures every datagram sent, talks to ptp4l, and stops cleanly,
#    leaving no XDP program;
#  - every system call it made (strace -f, from its execve on) is allowed
#    by the unit's SystemCallFilter=, and every socket family it opened by
#    its RestrictAddressFamilies=, so the unit's seccomp filter would not
#    kill it.
# UNIT is the configured capd.service (build tree's systemd/capd.service).
. "$(dirname "$0")/lab.sh"
[[ $# -eq 1 ]] || lab_fail "usage: capd_unit.sh UNIT"
unit=$1
lab_start CAPD MCAST_SEND RING_FLOWS ip setpriv strace systemd-analyze ptp4l getent install
getent group nogroup >/dev/null || lab_skip "needs the group nogroup (Debian has it)"
[[ -r $unit ]] || lab_fail "no unit file $unit"

# The unit's capabilities, as setpriv takes them.
amb=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
bnd=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[[ -n $amb && $amb == "$bnd" ]] || lab_fail "the unit's ambient and bounding sets differ: '$amb' / '$bnd'"
caps=
for c in $amb; do
	c=${c#CAP_}
	caps+=+${c,,},
done
caps=${caps%,}
echo "capabilities of capd.service: $caps"

# nobody must be able to run capd and read its XDP object.
chmod 0755 "$LAB_TMP"
install -m 0755 "$CAPD" "$LAB_TMP/capd"
install -m 0644 "$(dirname "$CAPD")/capd_xdp.bpf.o" "$LAB_TMP/capd_xdp.bpf.o"
CAPD=$LAB_TMP/capd

lab_netns_add unit
CAPD_NS=$LAB_REPLY
lab_veth_add un eth0 "$CAPD_NS"
CAPD_HIF=$LAB_REPLY
lab_subnet 0
ip addr add "$LAB_HOST4/$LAB_LEN4" dev "$CAPD_HIF"
ip -n "$CAPD_NS" addr add "$LAB_PEER4/$LAB_LEN4" dev eth0
ip -n "$CAPD_NS" route add 224.0.0.0/4 dev eth0
lab_hugepages_mount
lab_hugepages_info
((LAB_HP_FREE >= 24)) || lab_hugepages_reserve 24 # ring 8 pages, UMEM
dir=/dev/hugepages/capd-test-$LAB_RUN_ID
CAPD_RING=$dir/r
lab_on_exit rm -rf "$dir"
# tmpfiles.d/capd.conf: d /dev/hugepages/capd 2750 capd capture
install -d -m 2750 -o nobody -g nogroup "$dir"
# RuntimeDirectory=capd
install -d -m 0755 -o nobody -g nogroup "$LAB_TMP/run"

# ptp4l as grandmaster on the host end; its socket in capd's group, as
# the ptp4l@.service.d/capd.conf drop-in arranges.
printf '[global]\nuds_address %s\n' "$LAB_TMP/ptp4l" >"$LAB_TMP/ptp4l.conf"
ptp4l -S -i "$CAPD_HIF" -f "$LAB_TMP/ptp4l.conf" >"$LAB_TMP/ptp4l.log" 2>&1 &
ptp_pid=$!
lab_on_exit "kill $ptp_pid 2>/dev/null || true"
for _ in $(seq 50); do
	[[ -S $LAB_TMP/ptp4l ]] && break
	sleep 0.1
done
[[ -S $LAB_TMP/ptp4l ]] || lab_fail "ptp4l did not start: $(<"$LAB_TMP/ptp4l.log")"
chgrp nogroup "$LAB_TMP/ptp4l"

CAPD_CONF=$LAB_TMP/capd.conf
cat >"$CAPD_CONF" <<EOF
ring = { name = "$CAPD_RING"; size = "16M"; group = "nogroup"; };
capture = { cpu = -1; interfaces = ( { name = "$CAPD_HIF"; mode = "native"; } ); };
feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );
clock = { ptp4l_socket = "$LAB_TMP/ptp4l"; };
run = { user = "nobody"; group = "nogroup"; dir = "$LAB_TMP/run"; };
EOF
chmod 0644 "$CAPD_CONF"

export CAPD_BPF_OBJ=$LAB_TMP/capd_xdp.bpf.o
CAPD_LAB_WRAP="strace -f -qq -o $LAB_TMP/strace setpriv --reuid=nobody --regid=nogroup \
--groups=nogroup --inh-caps=-all,$caps --ambient-caps=-all,$caps --bounding-set=-all,$caps"
capd_lab_start "$LAB_TMP/capd.log" "$CAPD_CONF"
strace_pid=$CAPD_PID
capd=$(pgrep -P "$strace_pid" -x capd) || lab_fail "no capd under strace $strace_pid"
cat "$LAB_TMP/capd.log"
grep -q "$CAPD_HIF: XDP native mode, program capd_xdp_hw" "$LAB_TMP/capd.log" ||
	lab_fail "capd did not load the device-bound program natively"

# What capd holds after its drop (hex masks; CAP_NET_ADMIN is bit 12).
status=$(<"/proc/$capd/status")
lab_expect_match "user" "$status" $'\nUid:\t65534\t65534\t65534\t65534\n'
for k in CapEff:0000000000000000 CapPrm:0000000000001000 CapBnd:0000000000000000 \
	CapAmb:0000000000000000 NoNewPrivs:1; do
	lab_expect_match "${k%%:*}" "$status" $'\n'"${k%%:*}:"$'\t'"${k#*:}"$'\n'
done
echo "capd (pid $capd) after its drop: uid nobody, effective/bounding/ambient empty, NET_ADMIN permitted"

capd_lab_send -g 239.1.1.1 -p 30001 -n 500 -r 5000
sleep 2.5 # two rounds of ptp4l questions
out=$("$RING_FLOWS" "$CAPD_RING" 2>&1) || lab_fail "ring_flows: $out"
lab_expect_match "ring" "$out" "total records=500 lost=0"
grep -qi "permission denied\|not permitted" "$LAB_TMP/capd.log" &&
	lab_fail "capd was refused something: $(<"$LAB_TMP/capd.log")"
grep -q "port " "$LAB_TMP/capd.log" || lab_fail "capd got no answer from ptp4l: $(<"$LAB_TMP/capd.log")"

kill -TERM "$capd"
rc=0
wait "$strace_pid" || rc=$? # strace exits with capd's status
((rc == 0)) || lab_fail "capd exited with $rc on SIGTERM: $(tail -3 "$LAB_TMP/capd.log")"
if ip link show "$CAPD_HIF" | grep -q xdp; then
	lab_fail "an XDP program was left on $CAPD_HIF"
fi
echo "capd captured 500 of 500, answered by ptp4l, stopped cleanly (exit 0)"

# The system calls capd made after its execve, against the unit's filter.
awk 'done { print; next } /execve\(".*\/capd"/ && / = 0$/ { done = 1 }' "$LAB_TMP/strace" \
	>"$LAB_TMP/capd.strace"
[[ -s $LAB_TMP/capd.strace ]] || lab_fail "strace saw no execve of capd"
sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z_0-9]+) resumed>.*/\1/p' \
	"$LAB_TMP/capd.strace" | sort -u >"$LAB_TMP/used"

systemd-analyze syscall-filter >"$LAB_TMP/groups" 2>/dev/null
declare -A member allowed
group=
while IFS= read -r line; do
	word=${line#"${line%%[![:space:]]*}"}
	case $line in
	@*) group=$line ;;
	'' | '#'*) group= ;;
	*) if [[ -n $group && $word != '#'* ]]; then member[$group]+=" $word"; fi ;;
	esac
done <"$LAB_TMP/groups"
expand() # NAME: add the system calls of a group (or one call) to $add
{
	local m
	if [[ $1 == @* ]]; then
		for m in ${member[$1]:-}; do
			expand "$m"
		done
	else
		add+=" $1"
	fi
}
while read -r line; do
	words=${line#SystemCallFilter=}
	deny=0
	if [[ $words == '~'* ]]; then
		deny=1
		words=${words#\~}
	fi
	add=
	for w in $words; do
		expand "$w"
	done
	for s in $add; do
		if ((deny)); then unset "allowed[$s]"; else allowed[$s]=1; fi
	done
done < <(grep '^SystemCallFilter=' "$unit")
((${#allowed[@]} > 100)) || lab_fail "could not expand the unit's SystemCallFilter= (${#allowed[@]} calls)"
missing=
while read -r s; do
	[[ -n ${allowed[$s]:-} ]] || missing+=" $s"
done <"$LAB_TMP/used"
[[ -z $missing ]] || lab_fail "capd.service's SystemCallFilter= would kill capd at:$missing"
echo "system calls: all $(wc -l <"$LAB_TMP/used") that capd made are in SystemCallFilter="

families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
for f in $(grep -oE 'socket\(AF_[A-Z0-9]+' "$LAB_TMP/capd.strace" | sort -u | cut -d'(' -f2); do
	[[ " $families " == *" $f "* ]] ||
		lab_fail "capd opened an $f socket; RestrictAddressFamilies=$families"
	echo "socket family $f: allowed"
done
# Device nodes: DevicePolicy=closed allows the pseudo devices and DeviceAllow=.
grep -q '^DevicePolicy=closed$' "$unit" || lab_fail "the unit has no DevicePolicy=closed"
allow=$(sed -n 's/^DeviceAllow=char-\([a-z]*\).*/\1/p' "$unit")
for dev in $(grep -oE 'open(at)?\((AT_FDCWD, )?"/dev/[^"]*"' "$LAB_TMP/capd.strace" |
	grep -oE '/dev/[^"]*' | sort -u); do
	case $dev in
	/dev/hugepages/*) continue ;; # files on hugetlbfs, not devices
	/dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom | /dev/tty | /dev/ptmx) ;;
	*)
		ok=0
		for a in $allow; do
			[[ $dev == /dev/"$a"* ]] && ok=1
		done
		((ok)) || lab_fail "capd opened $dev, which DevicePolicy=closed refuses"
		;;
	esac
	echo "device $dev: allowed"
done
echo "PASS: capd_unit"
