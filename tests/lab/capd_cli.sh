#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capd_cli.sh CONF - the real capd on configurations, without privileges:
# what capd.service's ExecCondition= (capd --configured) and ExecStartPre=
# (capd -n) make of them.
#  - CONF, the shipped conf/capd.conf, names no interface: --configured
#    exits 1 with one line (systemd then skips the unit: inactive, not
#    failed); -n and a plain start exit 1 with one line naming the file
#    and what to do; -D still prints it;
#  - the same file with an interface named: --configured exits 0;
#  - a file that does not load (syntax, a missing interface list, no file):
#    --configured exits 0 and prints nothing, so that -n, which exits 1
#    with the parser's line, fails the unit loudly;
#  - --configured with -n or -D is a usage error (exit 2).
. "$(dirname "$0")/lab.sh"
lab_start --user CAPD

[[ $# -eq 1 ]] || lab_fail "usage: capd_cli.sh CONF"
shipped=$1
[[ -r $shipped ]] || lab_fail "no configuration $shipped"

# run WANT-RC OUT-FILE ARGS...: capd ARGS, stdout to /dev/null, stderr in
# OUT-FILE; fails unless it exits WANT-RC.
run()
{
	local want=$1 out=$2 rc=0

	shift 2
	timeout 20 "$CAPD" "$@" >/dev/null 2>"$out" || rc=$?
	((rc == want)) || lab_fail "capd $*: exit $rc, want $want: $(<"$out")"
}

# one_line WHAT FILE REGEX: FILE holds exactly one line, matching REGEX.
one_line()
{
	[[ $(wc -l <"$2") -eq 1 ]] || lab_fail "$1: not one line: $(<"$2")"
	lab_expect_match "$1" "$(<"$2")" "$3"
	echo "$1: $(<"$2")"
}

# The shipped file, as an admin finds it after installing.
conf=$LAB_TMP/capd.conf
cp "$shipped" "$conf"
run 1 "$LAB_TMP/err" -c "$conf" --configured
one_line "shipped, --configured (exit 1)" "$LAB_TMP/err" \
	"^capd: $conf names no interface in capture.interfaces: capd not started; name one and run systemctl start capd$"
want_n="^capd: $conf: capture.interfaces names no interface to capture on: name one \(see capd.conf\(5\)\)$"
run 1 "$LAB_TMP/err" -c "$conf" -n
one_line "shipped, -n (exit 1)" "$LAB_TMP/err" "$want_n"
# A start says the same, before anything about privileges.
run 1 "$LAB_TMP/err" -c "$conf"
one_line "shipped, start (exit 1)" "$LAB_TMP/err" "$want_n"
run 0 "$LAB_TMP/err" -c "$conf" -D
"$CAPD" -c "$conf" -D | grep -q '^	interfaces = ( );$' || lab_fail "capd -D on the shipped file shows no empty interface list"
echo "shipped, -D: exit 0"
# Under systemd (JOURNAL_STREAM set) the line carries its priority, notice.
rc=0
JOURNAL_STREAM=0:0 "$CAPD" -c "$conf" --configured 2>"$LAB_TMP/err" || rc=$?
((rc == 1)) || lab_fail "--configured under the journal: exit $rc"
lab_expect_match "--configured under the journal" "$(<"$LAB_TMP/err")" "^<5>$conf names no interface"

# The shipped file with an interface named: the unit is not skipped.
sed -e 's/^\tinterfaces = ( );$/\tinterfaces = ( { name = "lo"; } );/' "$shipped" >"$conf"
grep -q 'interfaces = ( { name = "lo"; } );' "$conf" || lab_fail "could not name an interface in $shipped"
run 0 "$LAB_TMP/err" -c "$conf" --configured
[[ ! -s $LAB_TMP/err ]] || lab_fail "--configured with an interface said: $(<"$LAB_TMP/err")"
echo "an interface named, --configured: exit 0, silent"

# Files that do not load: not skipped, and -n says why.
broken()
{
	local name=$1 want=$2

	run 0 "$LAB_TMP/err" -c "$conf" --configured
	[[ ! -s $LAB_TMP/err ]] || lab_fail "$name, --configured said: $(<"$LAB_TMP/err")"
	run 1 "$LAB_TMP/err" -c "$conf" -n
	one_line "$name, --configured exit 0; -n (exit 1)" "$LAB_TMP/err" "$want"
}
sed -e 's/^\tinterfaces = ( );$/\tinterfaces = ( { name = ; } );/' "$shipped" >"$conf"
broken "syntax error" "^capd: $conf:[0-9]+: syntax error"
sed -e '/^\tinterfaces = ( );$/d' "$shipped" >"$conf"
broken "no interface list" "^capd: $conf:[0-9]+: capture.interfaces: missing \(required\)$"
sed -e 's/^\tinterfaces = ( );$/\tinterfaces = ( );\n\tsnaplenn = 100;/' "$shipped" >"$conf"
broken "an unknown key beside the empty list" "^capd: $conf:[0-9]+: capture.snaplenn"
rm -f "$conf"
broken "no file" "^capd: $conf: No such file or directory$"

# --configured answers one question only.
for o in -n -D; do
	run 2 "$LAB_TMP/err" -c "$shipped" --configured "$o"
	lab_expect_match "--configured $o" "$(head -n 1 "$LAB_TMP/err")" "^capd: --configured excludes --"
done
echo "--configured with -n or -D: exit 2"
echo "PASS: capd_cli"
