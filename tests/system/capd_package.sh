#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_package.sh SOURCE_DIR - the Debian package, installed and run under
# systemd as PID 1, as an admin of a capture box does it:
#
#  - scripts/package.sh builds capd_*.deb from SOURCE_DIR's tracked files
#    (and fails on a lintian error);
#  - a Debian 12 container (debootstrap, cached under the build tree while
#    the recipe and the package's dependencies are unchanged; the container
#    writes to an overlay, never to the cache) boots with systemd-nspawn in
#    a network namespace of ours, wired by a veth to a second one that
#    sends the feed; its /dev/hugepages is a hugetlbfs mount of its own;
#  - `apt-get install ./capd_*.deb` inside (no archive reachable: the
#    dependencies are in the cached image): users, group, directories made,
#    capd.service enabled but not started, skipped (not failed) while
#    capd.conf names no interface; capreplay installed without file
#    capabilities;
#  - the admin names the interface: capd.service active only after READY=1,
#    its lines in the journal; ptp4l@eth1 (Debian's unit, the package's
#    drop-in) answers capd on its socket; capdump@default records (--resume);
#  - capdump@ killed with SIGKILL and restarted by systemd, capd restarted
#    with `systemctl restart`, capd's capture thread stalled (ptrace) until
#    the watchdog kills it and systemd starts it again: the recording holds
#    every datagram once, in order, judged with tshark; the only hole is the
#    one the restart of capd makes, no longer than capd was away;
#  - `systemctl stop capd`: no XDP program, no group membership left, the
#    ring still readable;
#  - systemd-analyze security of both units inside the container;
#  - `apt-get remove`, then `purge`: what each keeps and removes.
#
# nspawn's own seccomp filter refuses bpf(2) to the processes of a
# container; --system-call-filter=bpf lets capd load its XDP program (a real
# box has no such filter).  Skips (77) without root, systemd-nspawn,
# debootstrap, or the Debian archive for a first image.  Bounded: 900 s for
# the package, 300 s for the image, about 2 minutes for the rest.  The
# container, the namespaces, the mounts and the processes are removed even
# when the test fails.
. "$(dirname "$0")/../lab/lab.sh"

SRC=${1:?usage: capd_package.sh SOURCE_DIR}
for c in systemd-nspawn:systemd-container debootstrap:debootstrap nsenter:util-linux \
	dpkg-buildpackage:dpkg-dev lintian:lintian; do
	command -v "${c%%:*}" >/dev/null 2>&1 || lab_skip "needs '${c%%:*}': apt-get install ${c#*:}"
done
lab_start MCAST_SEND PAYLOAD_CHECK THREAD_STALL ip timeout tshark capinfos sha256sum

SYS_DIR=${CAPD_SYSTEM_DIR:-$CAPD_BUILD/tests/system}
MIRROR=${CAPD_VM_MIRROR:-http://deb.debian.org/debian}
BASE_PKGS=systemd,systemd-sysv,dbus,iproute2
GROUP=239.1.1.1 PORT=30001
RATE=1000 # datagrams per second of the feed across `systemctl restart capd`

# --- the package -----------------------------------------------------------
lab_log "package: scripts/package.sh (build and lintian)"
t0=$SECONDS
timeout 900 bash "$SRC/scripts/package.sh" "$LAB_TMP/pkg" >"$LAB_TMP/package.log" 2>&1 || {
	tail -n 40 "$LAB_TMP/package.log" >&2
	lab_fail "scripts/package.sh failed"
}
deb=$(find "$LAB_TMP/pkg" -maxdepth 1 -name 'capd_*.deb' | head -n 1)
[[ -f $deb ]] || lab_fail "scripts/package.sh made no capd_*.deb"
echo "package: ${deb##*/} in $((SECONDS - t0)) s"
echo "lintian: $(grep -cE '^E: ' "$LAB_TMP/package.log" || true) error(s), " \
	"$(grep -cE '^W: ' "$LAB_TMP/package.log" || true) warning(s)"
grep -E '^[EWI]: ' "$LAB_TMP/package.log" || true
! grep -qE '^E: ' "$LAB_TMP/package.log" || lab_fail "lintian reports errors"

# --- the image ---------------------------------------------------------------
# The package's dependencies and recommendations, first alternatives.
deb_deps()
{
	dpkg-deb -f "$deb" Depends Recommends | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^$' | sort -u | paste -sd, -
}

# sys_rootfs DEPS: the cached root file system, made again when the recipe
# (this function's text, the packages) has changed.
sys_rootfs()
{
	local want build

	want=$({
		echo "$BASE_PKGS,$1"
		declare -f sys_rootfs
	} | sha256sum | cut -c1-16)
	if [[ -f $SYS_DIR/rootfs.stamp && $(<"$SYS_DIR/rootfs.stamp") == "$want" ]]; then
		lab_log "image: cached in $SYS_DIR/rootfs"
		return 0
	fi
	mkdir -p "$SYS_DIR"
	build=$(mktemp -d "$SYS_DIR/build.XXXXXX")
	lab_on_exit "sys_umount_below $build; rm -rf $build"
	lab_log "image: debootstrap bookworm from $MIRROR with $1"
	timeout 300 debootstrap --variant=minbase --include="$BASE_PKGS,$1" bookworm \
		"$build/root" "$MIRROR" >"$build/log" 2>&1 || {
		tail -n 5 "$build/log" >&2
		lab_skip "debootstrap of Debian 12 from $MIRROR failed (no access to the archive?)"
	}
	sys_umount_below "$build/root"
	chroot "$build/root" apt-get clean
	echo capd-box >"$build/root/etc/hostname"
	rm -rf "$SYS_DIR/rootfs" "$SYS_DIR/rootfs.stamp"
	mv "$build/root" "$SYS_DIR/rootfs"
	echo "$want" >"$SYS_DIR/rootfs.stamp"
}

# Unmount whatever is mounted below $1 (debootstrap mounts /proc and /sys
# in the new root and may die before it unmounts them).
sys_umount_below()
{
	local m

	{ findmnt -rn -o TARGET | grep -F "$1/" || true; } | sort -r | while read -r m; do
		umount -l "$m" || echo "capd_package: cannot unmount $m" >&2
	done
}

t0=$SECONDS
sys_rootfs "$(deb_deps)"
echo "image: ready in $((SECONDS - t0)) s"

# The container's root: the image under an overlay of this run.
ROOT=$LAB_TMP/root
mkdir -p "$LAB_TMP/upper" "$LAB_TMP/work" "$ROOT"
mount -t overlay overlay -o "lowerdir=$SYS_DIR/rootfs,upperdir=$LAB_TMP/upper,workdir=$LAB_TMP/work" \
	"$ROOT" || lab_fail "cannot mount an overlay on the image"
lab_on_exit "umount $ROOT || umount -l $ROOT"

# --- the network and the hugepages -------------------------------------------
lab_netns_add src
SRC_NS=$LAB_REPLY
lab_netns_add box
BOX_NS=$LAB_REPLY
ip -n "$SRC_NS" link add eth0 type veth peer name eth1 netns "$BOX_NS" ||
	lab_fail "veth between $SRC_NS and $BOX_NS failed"
lab_subnet 0
ip -n "$SRC_NS" addr add "$LAB_HOST4/$LAB_LEN4" dev eth0
ip -n "$BOX_NS" addr add "$LAB_PEER4/$LAB_LEN4" dev eth1
ip -n "$SRC_NS" link set eth0 up
ip -n "$BOX_NS" link set eth1 up
ip -n "$SRC_NS" route add 224.0.0.0/4 dev eth0

lab_hugepages_reserve 64
mkdir "$LAB_TMP/huge"
mount -t hugetlbfs -o mode=0755 hugetlbfs "$LAB_TMP/huge" || lab_fail "cannot mount hugetlbfs"
lab_on_exit "umount $LAB_TMP/huge || umount -l $LAB_TMP/huge"

# nspawn needs a tmpfs for its propagation directory where /run is none.
if [[ $(stat -f -c %T /run) != tmpfs ]] && ! mountpoint -q /run/systemd/nspawn; then
	mkdir -p /run/systemd/nspawn
	mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn
	lab_on_exit "umount /run/systemd/nspawn || umount -l /run/systemd/nspawn"
fi

# --- the container -------------------------------------------------------------
NSPAWN="" INIT=""
sys_halt()
{
	[[ -n $NSPAWN ]] && kill -0 "$NSPAWN" 2>/dev/null || return 0
	kill -TERM "$NSPAWN"
	for _ in $(seq 300); do
		kill -0 "$NSPAWN" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$NSPAWN" 2>/dev/null; then
		echo "capd_package: the container did not power off in 30 s: SIGKILL" >&2
		[[ -n $INIT ]] && kill -KILL "$INIT" 2>/dev/null
		kill -KILL "$NSPAWN" 2>/dev/null
	fi
	wait "$NSPAWN" 2>/dev/null || true
}

systemd-nspawn -q -D "$ROOT" -b -M "box-$LAB_RUN_ID" --register=no --keep-unit \
	--network-namespace-path="/run/netns/$BOX_NS" --capability=all \
	--system-call-filter=bpf --bind="$LAB_TMP/huge:/dev/hugepages" \
	>"$LAB_TMP/console.log" 2>&1 </dev/null &
NSPAWN=$!
lab_on_exit sys_halt
for _ in $(seq 100); do
	INIT=$(pgrep -P "$NSPAWN" -x systemd || true)
	[[ -n $INIT ]] && break
	kill -0 "$NSPAWN" 2>/dev/null || break
	sleep 0.1
done
[[ -n $INIT ]] || {
	cat "$LAB_TMP/console.log" >&2
	lab_fail "the container did not start"
}

# In the container: its mounts, network, processes.
cin()
{
	nsenter -t "$INIT" -m -u -i -n -p -- "$@"
}
# One property of a unit.
prop()
{
	cin systemctl show -P "$2" "$1"
}
# The lines unit $1 logged since monotonic time $2, as "MICROSECONDS<tab>line"
# (the container shares the host's monotonic clock).
journal_since()
{
	cin journalctl -q --no-pager -o short-monotonic -u "$1" | awk -v t="$2" '
		match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
			s = substr($0, RSTART + 1, RLENGTH - 2)
			gsub(/ /, "", s)
			if (s * 1e6 >= t)
				printf "%.0f\t%s\n", s * 1e6, substr($0, RSTART + RLENGTH + 1)
		}'
}
# The host pids of the container's processes named $1, $2...
box_procs()
{
	local p ns n

	ns=$(readlink "/proc/$INIT/ns/pid")
	for n in "$@"; do
		for p in $(pgrep -x "$n"); do
			[[ $(readlink "/proc/$p/ns/pid") == "$ns" ]] && echo "$p"
		done
	done
	return 0
}
mono_us()
{
	awk '{ printf "%.0f\n", $1 * 1e6 }' /proc/uptime
}

# Until its systemd answers, and then until it has booted.
state=
for _ in $(seq 600); do
	state=$(timeout 60 nsenter -t "$INIT" -m -u -i -n -p -- \
		systemctl is-system-running --wait 2>/dev/null || true)
	[[ $state == running || $state == degraded ]] && break
	sleep 0.1
done
echo "container booted: $state"
[[ $state == running || $state == degraded ]] ||
	lab_fail "the container did not boot ($state): $(tail -n 20 "$LAB_TMP/console.log")"

# --- install -------------------------------------------------------------------
cp "$deb" "$ROOT/root/"
timeout 120 nsenter -t "$INIT" -m -u -i -n -p -- sh -c "cd /root &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./${deb##*/}" >"$LAB_TMP/install.log" 2>&1 || {
	tail -n 20 "$LAB_TMP/install.log" >&2
	lab_fail "apt-get install ./${deb##*/} failed"
}
# shellcheck disable=SC2016 # dpkg-query's own ${...}
echo "installed: $(cin dpkg-query -W -f='${Package} ${Version} ${Status}' capd)"
cin getent group capture >/dev/null || lab_fail "no group capture after install"
for u in capd capdump; do
	cin id -nG "$u" | grep -qw capture || lab_fail "user $u missing or not in group capture"
done
got=$(cin stat -c '%a %U %G' /dev/hugepages/capd)
[[ $got == "2750 capd capture" ]] || lab_fail "/dev/hugepages/capd after install: $got"
got=$(cin stat -c '%a %U %G' /run/capd/readers)
[[ $got == "3770 capd capture" ]] || lab_fail "/run/capd/readers after install: $got"
# shellcheck disable=SC2016
conffiles=$(cin dpkg-query -W -f='${Conffiles}' capd)
grep -q '/etc/capd/capd.conf ' <<<"$conffiles" || lab_fail "capd.conf is no conffile: $conffiles"
[[ $(cin systemctl is-enabled capd.service) == enabled ]] || lab_fail "capd.service is not enabled"
[[ $(cin systemctl is-active capd.service || true) == inactive ]] ||
	lab_fail "capd.service was started at install, before an interface is named"
grep -q 'Starting capd.service' <(cin journalctl -q --no-pager -u capd) &&
	lab_fail "the install tried to start capd.service"
# capreplay and its manual; frame mode's CAP_NET_RAW is not granted by the package.
[[ -x $ROOT/usr/bin/capreplay && -e $ROOT/usr/share/man/man1/capreplay.1.gz ]] ||
	lab_fail "capreplay or its manual page not installed"
[[ -z $(getcap "$ROOT/usr/bin/capreplay" 2>/dev/null) ]] ||
	lab_fail "capreplay installed with file capabilities: $(getcap "$ROOT/usr/bin/capreplay")"
[[ $(cin capreplay -V) == "capreplay "[0-9]* ]] || lab_fail "capreplay -V after install: $(cin capreplay -V 2>&1)"
echo "after install: group capture, users capd and capdump, ring directory 2750," \
	"capd.service enabled and inactive"

# As shipped, capd.conf names no interface: the unit is skipped, not failed.
cin systemctl start capd.service
[[ $(prop capd.service ActiveState) == inactive && $(prop capd.service Result) == exec-condition ]] ||
	lab_fail "capd.service with the shipped capd.conf: $(cin systemctl status --no-pager capd)"
cin journalctl -q --no-pager -u capd | grep -q 'names no interface' ||
	lab_fail "the journal does not say why capd.service was skipped"
echo "start with the shipped capd.conf: skipped (ExecCondition), not failed"

# --- the admin names the interface -----------------------------------------------
# The file as an admin edits it: the shipped one, its interface example
# replaced by this box's NIC, a smaller ring, one feed.
sed -e 's/^\tinterfaces = ( );/\tinterfaces = ( { name = "eth1"; mode = "native"; } );/' \
	-e 's/^\tsize = "8G";/\tsize = "64M";/' \
	-e "s/^feeds = ( );/feeds = ( { name = \"A\"; group = \"$GROUP\"; ports = [ $PORT ]; } );/" \
	"$ROOT/etc/capd/capd.conf" >"$LAB_TMP/capd.conf"
cmp -s "$ROOT/etc/capd/capd.conf" "$LAB_TMP/capd.conf" && lab_fail "capd.conf: nothing to edit"
cat "$LAB_TMP/capd.conf" >"$ROOT/etc/capd/capd.conf"
cin capd -n >/dev/null || lab_fail "capd -n on the edited capd.conf failed"

t_start=$(mono_us)
cin systemctl start capd.service || lab_fail "systemctl start capd: $(journal_since capd "$t_start")"
[[ $(prop capd.service Type) == notify ]] || lab_fail "capd.service is not Type=notify"
exec_us=$(prop capd.service ExecMainStartTimestampMonotonic)
active_us=$(prop capd.service ActiveEnterTimestampMonotonic)
log=$(journal_since capd "$t_start")
echo "$log"
# READY=1 follows capd's "capturing" line; systemd's "Started" must follow it.
awk '/capd\[[0-9]+\]: capturing /{c=NR} /Started capd.service/{s=NR} END{exit !(c && s > c)}' \
	<<<"$log" || lab_fail "systemd called capd.service started before capd said it captures"
echo "time to READY: $(((active_us - exec_us) / 1000)) ms from exec to active" \
	"($(((active_us - t_start) / 1000)) ms from systemctl start, ExecCondition and -n included);" \
	"status: $(prop capd.service StatusText)"
cin systemctl status --no-pager capd.service | grep -q 'capd\[[0-9]*\]: capturing' ||
	lab_fail "systemctl status capd shows no line of capd's"
cin ip link show eth1 | grep -q 'prog/xdp' || lab_fail "no XDP program on eth1 while capd runs"
cin ip maddr show dev eth1 | grep -qw "$GROUP" || lab_fail "capd did not join $GROUP on eth1"

# ptp4l under Debian's unit with the package's drop-in (Group=capture):
# capd, in that group, gets answers on its management socket.  Software
# timestamps on a veth; with no other clock on the link it becomes master.
sed -i 's/^time_stamping.*/time_stamping\t\tsoftware/' "$ROOT/etc/linuxptp/ptp4l.conf"
cin systemctl start ptp4l@eth1.service || lab_fail "ptp4l@eth1 did not start"
for _ in $(seq 150); do
	clock=$(cin capctl status 2>/dev/null | grep '^clock')
	[[ $clock =~ ptp4l\ answering|\ port\ [A-Z_]+ ]] && break
	sleep 0.1
done
echo "with ptp4l@eth1: $(cin stat -c '%a %U:%G' /run/ptp4l) /run/ptp4l; capctl status: $clock"
[[ $(cin stat -c %G /run/ptp4l) == capture ]] || lab_fail "ptp4l's socket is not group capture"
[[ $clock =~ ptp4l\ answering|\ port\ [A-Z_]+ ]] || lab_fail "capd gets no answer from ptp4l in 15 s"

# The recorder: the package's default instance.
cin systemctl enable --now capdump@default.service 2>/dev/null ||
	lab_fail "capdump@default: $(cin journalctl -q --no-pager -u capdump@default)"
for _ in $(seq 100); do
	cin capctl status 2>/dev/null | grep -q '^readers *1 attached' && break
	sleep 0.1
done
cin capctl status 2>/dev/null | grep -q '^readers *1 attached' ||
	lab_fail "capdump@default never attached: $(cin journalctl -q --no-pager -u capdump@default)"

send()
{
	ip netns exec "$SRC_NS" "$MCAST_SEND" -i eth0 -g "$GROUP" -p "$PORT" -s 200 "$@" >/dev/null
}
send -n 2000 -r 2000 --seq-start 0
echo "sent 0..1999"

# --- capdump@ killed: systemd restarts it, --resume continues --------------------------
send -n 4000 -r 2000 --seq-start 2000 &
sender=$!
sleep 0.7
cin systemctl kill -s KILL capdump@default.service
wait $sender
for _ in $(seq 50); do
	[[ $(prop capdump@default.service ActiveState) == active ]] && break
	sleep 0.1
done
echo "sent 2000..5999, capdump@default killed with SIGKILL during it;" \
	"NRestarts=$(prop capdump@default.service NRestarts)"
(($(prop capdump@default.service NRestarts) >= 1)) || lab_fail "systemd did not restart capdump@"

# --- systemctl restart capd while the feed runs ------------------------------------------
n_across=$((RATE * 6))
send -n "$n_across" -r "$RATE" --seq-start 6000 &
sender=$!
sleep 2
t_restart=$(mono_us)
cin systemctl restart capd.service || lab_fail "systemctl restart capd failed"
wait $sender
restart_log=$(journal_since capd "$t_restart")
echo "$restart_log"
# How long no capd captured: from the old one's stop to the new one's READY.
down_ms=$(awk -F'\t' '$2 ~ /capd\[[0-9]+\]: signal 15: stopping/ { a = $1 }
	$2 ~ /capd\[[0-9]+\]: capturing / { b = $1 }
	END { if (a && b) printf "%d\n", (b - a) / 1000; else print -1 }' <<<"$restart_log")
((down_ms >= 0)) || lab_fail "the journal does not show the restart of capd"
echo "sent 6000..$((6000 + n_across - 1)) at $RATE/s across systemctl restart capd;" \
	"no capd captured for $down_ms ms"
send -n 1000 -r 2000 --seq-start 20000
echo "sent 20000..20999 after the restart"

# --- the watchdog: capd's capture thread stalled ------------------------------------------
pid_before=$(prop capd.service MainPID)
restarts_before=$(prop capd.service NRestarts)
gen_before=$(cin capctl status 2>/dev/null | grep -o 'generation [0-9]*' | head -n 1)
hpid=$(box_procs capd)
[[ $hpid =~ ^[0-9]+$ ]] || lab_fail "not one capd process in the container: $hpid"
tid=
for t in /proc/"$hpid"/task/*; do
	[[ $(<"$t/comm") == capd-rx ]] && tid=${t##*/}
done
[[ -n $tid ]] || lab_fail "capd's capture thread (capd-rx) not found"
"$THREAD_STALL" "$tid" >"$LAB_TMP/stall.log" 2>&1 &
stall=$!
lab_on_exit "kill $stall 2>/dev/null || true"
t_stall=$(mono_us)
for _ in $(seq 300); do
	[[ $(prop capd.service NRestarts) -gt $restarts_before &&
		$(prop capd.service ActiveState) == active ]] && break
	sleep 0.1
done
t_back=$(mono_us)
wait $stall || true
cat "$LAB_TMP/stall.log"
wd_log=$(journal_since capd "$t_stall")
echo "$wd_log"
grep -q 'Watchdog timeout' <<<"$wd_log" || lab_fail "systemd's watchdog did not fire"
[[ $(prop capd.service ActiveState) == active && $(prop capd.service MainPID) != "$pid_before" ]] ||
	lab_fail "capd was not restarted after the watchdog"
wd_us=$(awk -F'\t' '/Watchdog timeout/ { print $1; exit }' <<<"$wd_log")
gen_after=$(cin capctl status 2>/dev/null | grep -o 'generation [0-9]*' | head -n 1)
echo "watchdog: capture thread stalled at 0 ms; watchdog timeout at" \
	"$(((wd_us - t_stall) / 1000)) ms (WatchdogSec=$(prop capd.service WatchdogUSec));" \
	"capd active again at $(((t_back - t_stall) / 1000)) ms; ring $gen_before -> $gen_after"
[[ -n $gen_after && $gen_after != "$gen_before" ]] || lab_fail "capctl status shows no new generation"
(((t_back - t_stall) / 1000 <= 10000 + 2000 + 3000)) ||
	lab_fail "capd took longer than WatchdogSec + RestartSec (+3 s) to come back"
send -n 1000 -r 2000 --seq-start 30000
echo "sent 30000..30999 after the watchdog restart"
sleep 1

# --- systemctl stop capd ------------------------------------------------------------------
cin systemctl stop capd.service
! cin ip link show eth1 | grep -q 'prog/xdp' || lab_fail "an XDP program is left on eth1"
! cin ip maddr show dev eth1 | grep -qw "$GROUP" || lab_fail "the membership of $GROUP is left"
n=$(cin runuser -u capdump -- capdump -q -i default --from oldest -w - | tshark -r - 2>/dev/null |
	wc -l)
echo "after systemctl stop capd: no XDP program, no membership; the ring reads: $n packets"
((n > 0)) || lab_fail "the ring is not readable after capd stopped"

# --- the recording ------------------------------------------------------------------------
cin systemctl stop capdump@default.service
rec=$ROOT/var/lib/capdump/default
ls -la "$rec"
for f in "$rec"/*.pcapng.zst; do
	capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci" && [[ ! -s $LAB_TMP/ci ]] ||
		lab_fail "$f is damaged: $(<"$LAB_TMP/ci")"
done
for f in "$rec"/*.pcapng.zst; do
	tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload 2>/dev/null
done | sort -n >"$LAB_TMP/fields"
res=$("$PAYLOAD_CHECK" <"$LAB_TMP/fields")
echo "$res"
# Sequence numbers once each, in order, none damaged; the holes:
cut -f3 "$LAB_TMP/fields" | cut -c1-16 | while read -r h; do echo $((16#$h)); done >"$LAB_TMP/seqs"
holes=$(awk 'NR > 1 && $1 != p + 1 { printf "%d..%d ", p + 1, $1 - 1 } { p = $1 }' "$LAB_TMP/seqs")
echo "holes: ${holes:-none}"
lab_expect_match "recording" "$res" "dups=0 bad_payload=0"
awk 'NR > 1 && $1 <= p { exit 1 } { p = $1 }' "$LAB_TMP/seqs" ||
	lab_fail "the recording repeats or reorders datagrams"
read -r -a got <<<"$holes"
lab_expect_match "recording" "$res" "order_errors=${#got[@]} "
first=$(head -n 1 "$LAB_TMP/seqs") last=$(tail -n 1 "$LAB_TMP/seqs")
[[ $first == 0 && $last == 30999 ]] || lab_fail "the recording runs from $first to $last"
# Expected: the gaps between the bursts, and one hole while capd restarted.
want_gaps="$((6000 + n_across))..19999 21000..29999"
rest=()
for g in "${got[@]}"; do
	[[ " $want_gaps " == *" $g "* ]] || rest+=("$g")
done
((${#rest[@]} <= 1)) || lab_fail "more than one hole besides the bursts' gaps: ${rest[*]}"
lost=0
if ((${#rest[@]} == 1)); then
	a=${rest[0]%..*} b=${rest[0]#*..}
	((a > 6000 && b < 6000 + n_across)) || lab_fail "a hole outside the restart: ${rest[0]}"
	lost=$((b - a + 1))
fi
echo "across systemctl restart capd: $lost datagrams not captured ($((lost * 1000 / RATE)) ms" \
	"of the feed at $RATE/s), capd away $down_ms ms; nothing lost or repeated otherwise"
((lost * 1000 / RATE <= down_ms + 50)) ||
	lab_fail "the hole ($lost datagrams) is longer than capd was away ($down_ms ms)"

# --- systemd-analyze security inside the container ---------------------------------------
for spec in "capd.service 2.7" "capdump@default.service 0.2"; do
	unit=${spec% *} max=${spec#* }
	line=$(cin systemd-analyze security --no-pager "$unit" | grep 'Overall exposure')
	echo "systemd-analyze security $unit: $line"
	awk -v m="$max" '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) { exit !($i <= m) } exit 1 }' \
		<<<"$line" || lab_fail "$unit is more exposed than $max"
done

# --- remove, purge ------------------------------------------------------------------------
cin systemctl start capd.service capdump@default.service
for _ in $(seq 50); do
	[[ $(box_procs capd capdump | wc -l) == 2 ]] && break
	sleep 0.1
done
[[ $(box_procs capd capdump | wc -l) == 2 ]] ||
	lab_fail "capd and capdump@default did not start again: $(box_procs capd capdump)"
timeout 120 nsenter -t "$INIT" -m -u -i -n -p -- env DEBIAN_FRONTEND=noninteractive \
	apt-get remove -y -q capd >"$LAB_TMP/remove.log" 2>&1 || {
	tail -n 20 "$LAB_TMP/remove.log" >&2
	lab_fail "apt-get remove capd failed"
}
for u in capd.service capdump@default.service; do
	[[ $(prop "$u" ActiveState) != active ]] || lab_fail "$u still runs after apt-get remove"
done
[[ -z $(box_procs capd capdump) ]] || lab_fail "still running after remove: $(box_procs capd capdump)"
[[ ! -e $ROOT/usr/sbin/capd && ! -e $ROOT/usr/bin/capdump && ! -e $ROOT/usr/bin/capreplay ]] ||
	lab_fail "programs left after remove"
cmp -s "$ROOT/etc/capd/capd.conf" "$LAB_TMP/capd.conf" || lab_fail "remove did not keep capd.conf"
[[ -e $LAB_TMP/huge/capd/default ]] || lab_fail "remove did not keep the ring"
echo "after apt-get remove: units stopped, programs gone, capd.conf and the ring kept"
timeout 120 nsenter -t "$INIT" -m -u -i -n -p -- env DEBIAN_FRONTEND=noninteractive \
	apt-get purge -y -q capd >"$LAB_TMP/purge.log" 2>&1 || {
	tail -n 20 "$LAB_TMP/purge.log" >&2
	lab_fail "apt-get purge capd failed"
}
[[ ! -e $ROOT/etc/capd ]] || lab_fail "purge left /etc/capd: $(find "$ROOT/etc/capd")"
[[ ! -e $LAB_TMP/huge/capd ]] || lab_fail "purge left the ring directory"
! cin test -e /run/capd || lab_fail "purge left /run/capd"
# shellcheck disable=SC2016 # dpkg-query's own ${...}
! cin dpkg-query -W -f='${Status}\n' capd 2>/dev/null | grep -qv not-installed ||
	lab_fail "capd is still known to dpkg after purge"
echo "after apt-get purge: /etc/capd and the ring directory removed;" \
	"recordings: $(find "$ROOT/var/lib/capdump" -name '*.zst' 2>/dev/null | wc -l) file(s) kept"
echo "PASS: capd_package"
