#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_names.sh - rotated files never replace a file, and capdump's
# summary is what is on disk (issue 13, point 10):
#  - strftime names with -C rotating several times a second (5000 packets/s
#    of 1000 bytes, -C 1), and with -G 1 on a name that repeats every second
#    (minute resolution) plus -C 1: every packet is on disk once (tshark), in
#    as many files as the summary says, and the names sort in the order the
#    files were written;
#  - numbered names continue after those of a previous run in the same
#    directory: the same packets replayed twice (same times, so the same
#    stamps in the names) replace nothing, and -W 2 removes only files of
#    its own run.
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP PAYLOAD_CHECK ip tshark capinfos sha256sum
capd_lab_setup nam
capd_lab_conf 128M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
out=$LAB_TMP/out
N=10000

# start NAME ARGS...: capdump ARGS in the background, its stderr in NAME.err.
declare -A pids
start() {
	local name=$1
	shift
	mkdir -p "$out/$name"
	"$CAPDUMP" "$@" 2>"$LAB_TMP/$name.err" &
	pids[$name]=$!
	lab_on_exit "kill ${pids[$name]} 2>/dev/null || true"
}

# files DIR: its capture files in name order (C locale), in the array
# files; each must have its index (FILE.idx) beside it.
list() {
	local f

	mapfile -t files < <(find "$1" -type f ! -name '*.idx' | LC_ALL=C sort)
	for f in "${files[@]}"; do
		[[ -f $f.idx ]] || lab_fail "$f has no index"
	done
}

# judge WHAT N FILE...: complete files that, read in the order given, hold
# packets 0..N-1 once each and in order (so names sort as they were written).
judge() {
	local what=$1 n=$2 f res
	shift 2
	for f in "$@"; do
		capinfos -M "$f" >/dev/null 2>"$LAB_TMP/ci.err" ||
			lab_fail "$what: capinfos $f: $(<"$LAB_TMP/ci.err")"
		[[ ! -s $LAB_TMP/ci.err ]] || lab_fail "$what: capinfos $f: $(<"$LAB_TMP/ci.err")"
	done
	res=$(for f in "$@"; do
		tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
	done | "$PAYLOAD_CHECK")
	echo "$what: $res"
	lab_expect_match "$what" "$res" \
		"port 30001 count=$n first=0 last=$((n - 1)) order_errors=0 dups=0 bad_payload=0"
}

# summary NAME: "PACKETS FILES" from capdump's exit summary, in LAB_REPLY.
summary() {
	local re='capdump: ([0-9]+) packets written to ([0-9]+) files?'
	[[ $(<"$LAB_TMP/$1.err") =~ $re ]] || lab_fail "$1: no summary: $(<"$LAB_TMP/$1.err")"
	LAB_REPLY="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# check NAME: no temporary file left, the summary's files and packets are
# those on disk, all N packets there.
check() {
	local name=$1 sp sf
	list "$out/$name"
	printf '%s\n' "${files[@]##*/}" | head -n 40
	! find "$out/$name" -name '.*.part' | grep -q . || lab_fail "$name: temporary files left"
	summary "$name"
	read -r sp sf <<<"$LAB_REPLY"
	echo "$name: summary: $sp packets written to $sf files; on disk: ${#files[@]} files"
	((sf == ${#files[@]})) || lab_fail "$name: the summary says $sf files, ${#files[@]} are on disk"
	((sp == N)) || lab_fail "$name: the summary says $sp packets written, $N were sent"
	judge "$name" "$N" "${files[@]}"
}

# Live, as in the issue: 5000 packets/s of 1000 bytes, -C 1 (about five
# files a second) under a name of one-second resolution; and -G 1 with -C 1
# under a name of one-minute resolution, repeated by every -G file.
start a -i "$CAPD_RING" -w "$out/a/x_%Y%m%dT%H%M%S.pcapng" -C 1
start b -i "$CAPD_RING" -w "$out/b/y_%Y%m%dT%H%M.pcapng" -G 1 -C 1
sleep 0.5
capd_lab_send -g 239.1.1.1 -p 30001 -n $N -s 1000 -r 5000
sleep 0.5
for p in a b; do
	kill -INT "${pids[$p]}"
	wait "${pids[$p]}" || lab_fail "capdump $p exited with $?: $(<"$LAB_TMP/$p.err")"
done
capd_lab_stop
check a
((${#files[@]} >= 10)) || lab_fail "a: ${#files[@]} files, want at least 10 (-C 1)"
a_files=("${files[@]}")
check b
((${#files[@]} >= 10)) || lab_fail "b: ${#files[@]} files, want at least 10 (-C 1)"

# Numbered names, a run after another in one directory: the same packets
# from the same files, so each run rotates at the same packets and stamps
# its files with the same seconds.
replay() {
	local name=$1
	shift
	"$CAPDUMP" "${a_files[@]/#/-r}" -w "$out/r/z.pcapng" -C 1 "$@" 2>"$LAB_TMP/$name.err" ||
		lab_fail "capdump $name exited with $?: $(<"$LAB_TMP/$name.err")"
}
mkdir -p "$out/r"
# new NAME: the files of out/r not in out/NAME.before, in name order.
snap() {
	find "$out/r" -type f ! -name '*.idx' | LC_ALL=C sort >"$LAB_TMP/$1.before"
	(cd "$out/r" && sha256sum -- *) >"$LAB_TMP/$1.sums" 2>/dev/null || true
}
new_files() {
	mapfile -t files < <(find "$out/r" -type f ! -name '*.idx' | LC_ALL=C sort |
		LC_ALL=C comm -13 "$LAB_TMP/$1.before" -)
}
# number FILE: the NNNNN of z_NNNNN_STAMP.pcapng, in LAB_REPLY.
number() {
	[[ ${1##*/} =~ ^z_([0-9]{5,})_[0-9]{14}\.pcapng$ ]] || lab_fail "numbered name: $1"
	LAB_REPLY=$((10#${BASH_REMATCH[1]}))
}
# after NAME: the files there before NAME ran are there, unchanged, and
# every new file has a higher number than each of them.
after() {
	local f max=-1
	[[ ! -s $LAB_TMP/$1.sums ]] || (cd "$out/r" && sha256sum -c --quiet "$LAB_TMP/$1.sums") ||
		lab_fail "$1 replaced or removed files of the runs before it"
	while read -r f; do
		number "$f"
		((LAB_REPLY > max)) && max=$LAB_REPLY
	done <"$LAB_TMP/$1.before"
	new_files "$1"
	for f in "${files[@]}"; do
		number "$f"
		((LAB_REPLY > max)) || lab_fail "$1: ${f##*/} does not follow the files before it"
	done
	echo "$1: ${#files[@]} new files, numbered from $(number "${files[0]}"; echo "$LAB_REPLY")" \
		"after $max"
}

snap r0
replay r0
after r0
r0_count=${#files[@]}
judge r0 "$N" "${files[@]}"
snap r1
replay r1
after r1
((${#files[@]} == r0_count)) || lab_fail "r1: ${#files[@]} files, r0 wrote $r0_count"
judge r1 "$N" "${files[@]}"
summary r1
[[ $LAB_REPLY == "$N ${#files[@]}" ]] || lab_fail "r1: summary '$LAB_REPLY', on disk ${#files[@]}"

# -W 2: only this run's files count, and only they go.
snap r2
replay r2 -W 2
after r2
((${#files[@]} == 2)) || lab_fail "r2 (-W 2): ${#files[@]} files of its own remain, want 2"
res=$(for f in "${files[@]}"; do
	tshark -r "$f" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload
done | "$PAYLOAD_CHECK")
echo "r2: $res"
lab_expect_match "r2 (-W 2)" "$res" "last=$((N - 1)) order_errors=0 dups=0 bad_payload=0"
list "$out/r"
((${#files[@]} == 2 * r0_count + 2)) ||
	lab_fail "${#files[@]} files in $out/r, want $((2 * r0_count + 2))"
echo "PASS: capdump_names"
