# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capship_lab.sh - capture "boxes" and their shippers, for the fleet tests;
# sourced after lab.sh and clickhouse.sh, used after ch_start:
#
#	ship_lab_user			# the shipper's uid and the capture group
#	ship_lab_box a lab-a A		# box "lab-a", point "A": archive, config, secret, state
#	ship_lab_run a --once		# capship as the shipper's uid, no capability
#	ship_lab_spawn a OUT		# the same in the background: SHIP_PID
#	ship_lab_list a			# capdump --list --json of its archive: $LAB_TMP/ship-a/list.json
#
# A box's archive directory (SHIP_ARCH[a]) belongs to root and the capture
# group, mode 2750: the files capdump (root) writes there take the group,
# so the shipper reads them through it and nothing else.  Its state
# directory (STATE_DIRECTORY, SHIP_STATE[a]) and password file (0600) are
# the shipper's own; its configuration SHIP_CONF[a] points at the test's
# clickhouse-server.

# The program: $CAPSHIP, else its place in the build tree (as lab.sh does).
: "${CAPSHIP:=$CAPD_BUILD/readers/capship/capship}"

SHIP_UID='' SHIP_GID='' SHIP_GROUP='' SHIP_PID=''
SHIP_AS=()
declare -A SHIP_ARCH SHIP_STATE SHIP_CONF SHIP_DIR

# The capture group capture-<run id> and a uid no account uses, in it.
ship_lab_user()
{
	lab_require_cmd groupadd groupdel getent setpriv
	SHIP_GROUP=capture-$LAB_RUN_ID
	groupadd --system "$SHIP_GROUP" || lab_fail "groupadd $SHIP_GROUP failed"
	lab_on_exit groupdel "$SHIP_GROUP"
	SHIP_GID=$(getent group "$SHIP_GROUP" | cut -d: -f3)
	SHIP_UID=64100
	while getent passwd "$SHIP_UID" >/dev/null; do SHIP_UID=$((SHIP_UID + 1)); done
	# A command, not a function: $! of "${SHIP_AS[@]}" CMD & is CMD itself.
	SHIP_AS=(setpriv --reuid="$SHIP_UID" --regid="$SHIP_UID" --groups="$SHIP_GID"
		 --inh-caps=-all --bounding-set=-all --no-new-privs)
	# The uid passes through the temp dir to what is its own or its group's.
	chmod 0711 "$LAB_TMP"
}

# ship_lab_box KEY BOX POINT [MORE CONFIG]: a box's directories and capship
# configuration (extra lines of config text in MORE).
ship_lab_box()
{
	local k=$1 d=$LAB_TMP/ship-$1

	SHIP_DIR[$k]=$d
	SHIP_ARCH[$k]=$d/archive
	SHIP_STATE[$k]=$d/state
	SHIP_CONF[$k]=$d/capship.conf
	install -d -m 0711 "$d"
	install -d -m 2750 -o root -g "$SHIP_GROUP" "${SHIP_ARCH[$k]}"
	install -d -m 0700 -o "$SHIP_UID" -g "$SHIP_UID" "${SHIP_STATE[$k]}"
	printf '%s\n' "$CH_PASSWORD" >"$d/secret"
	chown "$SHIP_UID:$SHIP_UID" "$d/secret"
	chmod 0600 "$d/secret"
	cat >"${SHIP_CONF[$k]}" <<CONF
box = "$2";
point = "$3";
url = "$CH_URL";
database = "capd";
user = "$CH_USER";
password_file = "$d/secret";
archives = ( "${SHIP_ARCH[$k]}" );
${4:-}
CONF
	chmod 0644 "${SHIP_CONF[$k]}"
}

# ship_lab_run KEY ARGS...: capship -c CONFIG ARGS as the shipper's uid, in
# the capture group, without capabilities; its exit status.
ship_lab_run()
{
	local k=$1
	shift

	STATE_DIRECTORY=${SHIP_STATE[$k]} "${SHIP_AS[@]}" "$CAPSHIP" -c "${SHIP_CONF[$k]}" "$@"
}

# ship_lab_spawn KEY OUT ARGS...: the same in the background, its output
# into OUT; its pid (capship's own: setpriv execs it) in SHIP_PID, killed
# at exit.
ship_lab_spawn()
{
	local k=$1 out=$2
	shift 2

	STATE_DIRECTORY=${SHIP_STATE[$k]} "${SHIP_AS[@]}" "$CAPSHIP" -c "${SHIP_CONF[$k]}" "$@" \
		>"$out" 2>&1 &
	SHIP_PID=$!
	lab_on_exit "kill -9 $SHIP_PID 2>/dev/null || true"
}

# ship_lab_list KEY: capdump --list --json of the box's archive into
# SHIP_DIR[KEY]/list.json (what the shipper's rows must say).
ship_lab_list()
{
	local d=${SHIP_DIR[$1]}

	"$CAPDUMP" --list --json "${SHIP_ARCH[$1]}" >"$d/list.json" 2>"$d/list.err" ||
		lab_fail "capdump --list ${SHIP_ARCH[$1]}: $(<"$d/list.err")"
}
