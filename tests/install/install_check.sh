#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# install_check.sh CMAKE BUILD_DIR - `cmake --install` into a temporary
# DESTDIR, then, from the installed tree:
#
#  - every file is where install.cmake says (binaries, XDP object, units,
#    sysusers/tmpfiles snippets, configs and examples, manuals, documents);
#  - capreplay carries no file capability (frame mode's CAP_NET_RAW is the
#    admin's to grant);
#  - the installed capd names the installed XDP object (the path compiled
#    into it, under DESTDIR), never the build tree's;
#  - systemd-analyze verify accepts both units with --root=DESTDIR, so the
#    ExecStart= binaries and Documentation= manuals it checks are the
#    installed ones (the distribution's own units are copied into the root
#    for the dependencies: sysinit.target...);
#  - systemd-analyze security --offline rates capd.service and
#    capdump@.service, capship.service no worse than CAPD_MAX_EXPOSURE,
#    CAPDUMP_MAX_EXPOSURE, CAPSHIP_MAX_EXPOSURE
#    (tenths; the units say why each missing restriction is missing);
#  - each installed program runs (-h), capd reads the installed example
#    (-D), finds no mistake in it with -n but that it names no interface
#    yet (so that capd.service's ExecCondition=capd --configured skips the
#    unit), and accepts it adapted to this box: its commented interface
#    example uncommented, which --configured then lets start;
#  - a second install keeps the configuration an admin edited (capd.conf
#    and the recorder capdump/default.env);
#  - installed with `cmake --install --prefix P` (into a DESTDIR, so that
#    nothing lands outside it), the programs use P's files: capctl doctor
#    and capd -n read P/etc/capd/capd.conf, capd loads
#    P/lib/capd/capd_xdp.bpf.o and names it when it is missing;
#  - capd started without privileges says at once which capabilities it
#    needs (as root, the check runs under setpriv as uid 65534).
# Needs no privilege.  Paths come from the environment (install_tests.cmake).
set -euo pipefail

fail()
{
	echo "FAIL: install_check: $*" >&2
	exit 1
}

skip()
{
	echo "SKIP: install_check: $*" >&2
	exit 77
}

[[ $# -eq 2 ]] || fail "usage: install_check.sh CMAKE BUILD_DIR"
cmake=$1 build=$2
: "${CAPD_PREFIX:?}" "${CAPD_SBINDIR:?}" "${CAPD_BINDIR:?}" "${CAPD_CONFDIR:?}"
: "${CAPD_UNITDIR:?}" "${CAPD_SYSUSERSDIR:?}" "${CAPD_TMPFILESDIR:?}" "${CAPD_MANDIR:?}"
: "${CAPD_DOCDIR:?}" "${CAPD_BPF_OBJ_INSTALL:?}"
command -v systemd-analyze >/dev/null || skip "needs systemd-analyze (apt-get install systemd)"

tmp=$(mktemp -d /tmp/capd-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

DESTDIR=$root "$cmake" --install "$build" >"$tmp/install.log" 2>&1 ||
	fail "cmake --install: $(tail -5 "$tmp/install.log")"
echo "installed under $root$CAPD_PREFIX"

expect_file()
{
	[[ -f $root$1 ]] || fail "not installed: $1"
	[[ -z ${2:-} || -x $root$1 ]] || fail "not executable: $1"
}

expect_file "$CAPD_SBINDIR/capd" x
for p in capdump capctl capstat capreplay capship; do
	expect_file "$CAPD_BINDIR/$p" x
done
expect_file "$CAPD_BPF_OBJ_INSTALL"
expect_file "$CAPD_UNITDIR/capd.service"
expect_file "$CAPD_UNITDIR/capdump@.service"
expect_file "$CAPD_UNITDIR/capship.service"
expect_file "$CAPD_CONFDIR/capship.conf"
expect_file "$CAPD_MANDIR/man8/capship.8"
expect_file "$CAPD_SYSUSERSDIR/capd.conf"
expect_file "$CAPD_TMPFILESDIR/capd.conf"
expect_file "$CAPD_CONFDIR/capd.conf"
expect_file "$CAPD_CONFDIR/capdump/default.env"
grep -q '^RING=default$' "$root$CAPD_CONFDIR/capdump/default.env" ||
	fail "$CAPD_CONFDIR/capdump/default.env does not record ring default"
expect_file "$CAPD_DOCDIR/examples/capdump.env"
expect_file "$CAPD_DOCDIR/examples/capd.conf"
expect_file "$CAPD_DOCDIR/ring-format.md"
expect_file "$CAPD_DOCDIR/architecture.md"
expect_file "$CAPD_MANDIR/man8/capd.8"
expect_file "$CAPD_MANDIR/man5/capd.conf.5"
expect_file "$CAPD_MANDIR/man1/capdump.1"
expect_file "$CAPD_MANDIR/man1/capctl.1"
expect_file "$CAPD_MANDIR/man1/capreplay.1"
expect_file "$CAPD_DOCDIR/capreplay.md"
# Frame mode's CAP_NET_RAW is the admin's to grant: no file capability.
if command -v getcap >/dev/null; then
	[[ -z $(getcap "$root$CAPD_BINDIR/capreplay") ]] ||
		fail "capreplay installed with file capabilities: $(getcap "$root$CAPD_BINDIR/capreplay")"
fi
grep -q "^ExecStart=$CAPD_SBINDIR/capd -c $CAPD_CONFDIR/capd.conf\$" \
	"$root$CAPD_UNITDIR/capd.service" || fail "capd.service does not run the installed capd"
grep -q "^ExecCondition=$CAPD_SBINDIR/capd -c $CAPD_CONFDIR/capd.conf --configured\$" \
	"$root$CAPD_UNITDIR/capd.service" || fail "capd.service is not skipped until an interface is named"
grep -q "$CAPD_BPF_OBJ_INSTALL" "$root$CAPD_SBINDIR/capd" ||
	fail "the installed capd does not name $CAPD_BPF_OBJ_INSTALL"
echo "files: binaries, $CAPD_BPF_OBJ_INSTALL, units, snippets, configs, manuals, documents"

# The units against the installed tree and the distribution's units.
units=
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[[ -d $d && -e $d/sysinit.target ]] && units=$d && break
done
[[ -n $units ]] || skip "no systemd units on this box to verify against"
mkdir -p "$root/usr/lib/systemd/system"
cp -an "$units/." "$root/usr/lib/systemd/system/" # never over the installed ones
ln -s capdump@.service "$root$CAPD_UNITDIR/capdump@verify.service"
man_opt=()
command -v man >/dev/null || man_opt=(--man=no)
for unit in capd.service capdump@verify.service capship.service; do
	MANPATH=$root$CAPD_MANDIR: systemd-analyze verify "${man_opt[@]}" --root="$root" \
		"$CAPD_UNITDIR/$unit" >"$tmp/verify" 2>&1 ||
		fail "systemd-analyze verify $unit: $(<"$tmp/verify")"
	echo "systemd-analyze verify $unit: ok"
done
for spec in "capd.service ${CAPD_MAX_EXPOSURE:-27}" "capdump@verify.service ${CAPDUMP_MAX_EXPOSURE:-2}" \
	"capship.service ${CAPSHIP_MAX_EXPOSURE:-11}"; do
	unit=${spec% *} max=${spec#* }
	rc=0
	systemd-analyze security --offline=true --threshold="$max" --root="$root" \
		"$CAPD_UNITDIR/$unit" >"$tmp/security" 2>&1 || rc=$?
	echo "systemd-analyze security $unit: $(grep 'Overall exposure' "$tmp/security")"
	((rc == 0)) || fail "$unit is more exposed than $max/10: $(grep '✗' "$tmp/security")"
done

# The programs, from where they were installed.
for p in "$CAPD_SBINDIR/capd" "$CAPD_BINDIR/capdump" "$CAPD_BINDIR/capctl" "$CAPD_BINDIR/capstat" \
	"$CAPD_BINDIR/capreplay" "$CAPD_BINDIR/capship"; do
	[[ -e $root$p ]] || continue
	"$root$p" -h >"$tmp/out" 2>&1 || fail "$p -h: exit $?: $(<"$tmp/out")"
	grep -qi usage "$tmp/out" || fail "$p -h printed no usage: $(<"$tmp/out")"
	v=$("$root$p" -V) || fail "$p -V: exit $?"
	[[ $v == "${p##*/} "[0-9]*.[0-9]*.[0-9]* ]] || fail "$p -V printed '$v'"
	echo "$p -h: ok; -V: $v"
done
capd=$root$CAPD_SBINDIR/capd
conf=$root$CAPD_CONFDIR/capd.conf
"$capd" -c "$conf" -D >"$tmp/dump" 2>&1 || fail "capd -D on the example: $(<"$tmp/dump")"
grep -q '^ring = {' "$tmp/dump" || fail "capd -D printed no configuration"
rc=0
"$capd" -c "$conf" -n >"$tmp/out" 2>&1 || rc=$?
echo "capd -n on the installed example: exit $rc: $(tail -n 1 "$tmp/out")"
# No mistake in the file; it names no interface, which -n says in one line.
if grep -q "capd.conf:[0-9]*:" "$tmp/out"; then
	fail "the installed example has a mistake: $(<"$tmp/out")"
fi
((rc == 1)) && [[ $(wc -l <"$tmp/out") -eq 1 ]] &&
	grep -qF "$conf: capture.interfaces names no interface to capture on" "$tmp/out" ||
	fail "capd -n on the installed example: exit $rc: $(<"$tmp/out")"
rc=0
"$capd" -c "$conf" --configured >"$tmp/out" 2>&1 || rc=$?
((rc == 1)) && grep -qF "$conf names no interface in capture.interfaces" "$tmp/out" ||
	fail "capd --configured on the installed example: exit $rc, want 1: $(<"$tmp/out")"
echo "capd --configured on the installed example: exit $rc (capd.service skipped)"
# The example adapted to this box: its interface example uncommented, on
# loopback, no accounts, a ring file of the right size already there (capd
# -n then needs no hugepages).
: >"$tmp/ring"
truncate -s 16M "$tmp/ring"
sed -e '/^\tinterfaces = ( );$/d' -e '/^\t#   interfaces = ($/,/^\t#   );$/s/^\t#   /\t/' \
	-e 's/name = "eth1"/name = "lo"/' -e 's/cpu = 1;/cpu = -1;/' \
	-e "s|name = \"default\";|name = \"$tmp/ring\";|" -e 's/size = "8G";/size = "16M";/' \
	-e 's/group = "capture";/group = "";/' -e 's/user = "capd";/user = "";/' \
	-e 's/group = "capd";/group = "";/' -e "s|dir = \"/run/capd\";|dir = \"$tmp\";|" \
	"$conf" >"$tmp/box.conf"
"$capd" -c "$tmp/box.conf" -n >"$tmp/out" 2>&1 || fail "capd -n on the adapted example: $(<"$tmp/out")"
grep -q "configuration ok" "$tmp/out" || fail "capd -n said: $(<"$tmp/out")"
echo "capd -n on the example adapted to this box: $(tail -n 1 "$tmp/out")"
"$capd" -c "$tmp/box.conf" --configured >"$tmp/out" 2>&1 ||
	fail "capd --configured on the adapted example: exit $?: $(<"$tmp/out")"

# An upgrade keeps the admin's configuration.
recorder=$root$CAPD_CONFDIR/capdump/default.env
echo "# edited by the admin" >>"$conf"
echo "# edited by the admin" >>"$recorder"
DESTDIR=$root "$cmake" --install "$build" >"$tmp/install.log" 2>&1 || fail "second install failed"
grep -q "edited by the admin" "$conf" || fail "a second install replaced $CAPD_CONFDIR/capd.conf"
grep -q "edited by the admin" "$recorder" ||
	fail "a second install replaced $CAPD_CONFDIR/capdump/default.env"
echo "second install: $CAPD_CONFDIR/capd.conf and capdump/default.env kept"

# Another prefix at install time: the programs look there, not in the
# prefix the build was configured with (nor /etc/capd).
pfx=/opt/capd-install-check
proot=$tmp/proot
P=$proot$pfx
DESTDIR=$proot "$cmake" --install "$build" --prefix "$pfx" >"$tmp/install.log" 2>&1 ||
	fail "cmake --install --prefix: $(tail -5 "$tmp/install.log")"
[[ -f $P/etc/capd/capd.conf ]] || fail "--prefix $pfx: no $pfx/etc/capd/capd.conf: $(cd "$proot" && find . -name capd.conf)"
rc=0
"$P/bin/capctl" doctor >"$tmp/out" 2>&1 || rc=$?
head -n 1 "$tmp/out" | grep -qF "$P/etc/capd/capd.conf" ||
	fail "capctl doctor from $pfx (exit $rc) reads another configuration: $(head -n 3 "$tmp/out")"
grep -q "^FAIL *config *$P/etc/capd/capd.conf: capture.interfaces names no interface" "$tmp/out" ||
	fail "capctl doctor from $pfx: $(head -n 3 "$tmp/out")"
echo "capctl doctor from --prefix $pfx: $(head -n 1 "$tmp/out")"
cp "$tmp/box.conf" "$P/etc/capd/capd.conf"
"$P/bin/capctl" doctor >"$tmp/out" 2>&1 || true
grep -q "^ok *config *$P/etc/capd/capd.conf: valid" "$tmp/out" ||
	fail "capctl doctor from $pfx: $(head -n 3 "$tmp/out")"
"$P/sbin/capd" -n >"$tmp/out" 2>&1 || fail "capd -n from $pfx: $(<"$tmp/out")"
grep -qF "$P/etc/capd/capd.conf: configuration ok" "$tmp/out" ||
	fail "capd -n from $pfx read another configuration: $(<"$tmp/out")"
echo "capd -n from --prefix $pfx: $(tail -n 1 "$tmp/out")"
rm "$P/lib/capd/capd_xdp.bpf.o"
rc=0
"$P/sbin/capd" -n >"$tmp/out" 2>&1 || rc=$?
((rc != 0)) || fail "capd -n without its XDP object: exit 0: $(<"$tmp/out")"
grep -qF "XDP object $P/lib/capd/capd_xdp.bpf.o (from the install path): No such file or directory" \
	"$tmp/out" || fail "capd -n without its XDP object: $(<"$tmp/out")"
echo "capd -n without $pfx/lib/capd/capd_xdp.bpf.o: exit $rc: $(tail -n 1 "$tmp/out")"

# Started without privileges: the capabilities, first and plainly.
unpriv=()
if ((EUID == 0)); then
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux) as root"
	chmod 0755 "$tmp"
	chmod 0644 "$tmp/box.conf"
	unpriv=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
fi
rc=0
"${unpriv[@]}" "$capd" -c "$tmp/box.conf" >"$tmp/out" 2>&1 || rc=$?
((rc == 1)) || fail "capd without privileges: exit $rc: $(<"$tmp/out")"
[[ $(wc -l <"$tmp/out") -eq 1 ]] || fail "capd without privileges: not one line: $(<"$tmp/out")"
grep -q "capd needs root, or the capabilities CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF, CAP_PERFMON, CAP_SETPCAP .* without CAP_NET_ADMIN" \
	"$tmp/out" || fail "capd without privileges: $(<"$tmp/out")"
echo "capd without privileges: exit $rc: $(<"$tmp/out")"
echo "PASS: install_check"
