#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ring_replace.sh - capd is killed (SIGKILL) and restarted on a ring of
# another size, then killed again and restarted with another block size,
# while a capdump and a capstat stay attached throughout:
#  - each restart follows the previous capd's exit at once (no sleep), while
#    the kernel may still be releasing the dead capd's AF_XDP memory
#    (HugePages_Rsvd reads as a wrapped negative number): it must succeed;
#  - each time the file is replaced (unlinked, a new inode at the path),
#    and within 2 s of the restart neither reader maps the old file any
#    more: its hugepages are free again (HugePages_Free says so exactly);
#  - the readers continue on the new ring: capdump's file, read by tshark,
#    holds every datagram of the three phases once and in order, capstat
#    counts them all without a gap, and both exit 0 when capd stops (no
#    SIGFPE, nothing counted as lost).
. "$(dirname "$0")/lab.sh"
lab_start CAPD MCAST_SEND CAPDUMP CAPSTAT PAYLOAD_CHECK ip tshark jq timeout stat
capd_lab_setup rpl
# Old and new ring side by side while the readers leave the old one, and
# the UMEM of a dead capd (16 pages) not yet released.
lab_hugepages_reserve 192
capd_lab_conf 64M <<<'feeds = ( { name = "A"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
conf1=$CAPD_CONF conf2=$LAB_TMP/capd-96M.conf conf3=$LAB_TMP/capd-96M-1M.conf
sed 's/size = "64M";/size = "96M";/' "$conf1" >"$conf2"
sed 's/size = "64M";/size = "96M"; block_size = "1M";/' "$conf1" >"$conf3"
grep -q 'size = "96M"; block_size = "1M";' "$conf3" || lab_fail "could not write $conf3"
ring=$CAPD_RING per=300

capd_lab_start "$LAB_TMP/capd1.log" "$conf1"
rec=$LAB_TMP/rec.pcapng
"$CAPDUMP" -i "$ring" -w "$rec" 2>"$LAB_TMP/capdump.err" &
dpid=$!
lab_on_exit "kill $dpid 2>/dev/null; wait $dpid 2>/dev/null || true"
"$CAPSTAT" -i "$ring" --json --interval 600 --proto A=seq:0:8:be \
	>"$LAB_TMP/capstat.json" 2>"$LAB_TMP/capstat.err" &
spid=$!
lab_on_exit "kill $spid 2>/dev/null; wait $spid 2>/dev/null || true"
sleep 0.5

# maps_of PID: the lines of its mappings of the deleted (replaced) ring.
maps_of()
{
	grep -F "$ring (deleted)" "/proc/$1/maps" || true
}

# replace N CONF WHAT: kill capd, restart it at once with CONF, and wait
# (at most 5 s, but 2 s is the bound) until both readers have left the
# replaced file.
replace()
{
	local n=$1 conf=$2 what=$3 ino_old ino_new t0 t1 ms free_before pages_old pages_new

	ino_old=$(stat -c %i "$ring")
	pages_old=$(($(stat -c %s "$ring") / (LAB_HP_KB * 1024)))
	lab_hugepages_info
	free_before=$LAB_HP_FREE
	kill -9 "$CAPD_PID"
	wait "$CAPD_PID" 2>/dev/null || true
	t0=$(date +%s%N)
	capd_lab_start "$LAB_TMP/capd$n.log" "$conf"
	grep capturing "$LAB_TMP/capd$n.log"
	ino_new=$(stat -c %i "$ring")
	((ino_new != ino_old)) || lab_fail "$what: the ring file was not replaced (inode $ino_old)"
	pages_new=$(($(stat -c %s "$ring") / (LAB_HP_KB * 1024)))
	for _ in $(seq 100); do
		[[ -z $(maps_of "$dpid")$(maps_of "$spid") ]] && break
		sleep 0.05
	done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	[[ -z $(maps_of "$dpid") ]] ||
		lab_fail "$what: capdump still maps the replaced ring $ms ms after the restart"
	[[ -z $(maps_of "$spid") ]] ||
		lab_fail "$what: capstat still maps the replaced ring $ms ms after the restart"
	((ms <= 2000)) || lab_fail "$what: the readers left the replaced ring after $ms ms, not within 2 s"
	# The old file's pages come back; the new ring took its own.  The
	# dead capd's UMEM is released by the kernel within about 100 ms.
	for _ in $(seq 40); do
		lab_hugepages_info
		((LAB_HP_FREE == free_before + pages_old - pages_new)) && break
		sleep 0.05
	done
	((LAB_HP_FREE == free_before + pages_old - pages_new)) ||
		lab_fail "$what: $LAB_HP_FREE hugepages free, want $free_before + $pages_old (old ring)" \
			"- $pages_new (new ring) = $((free_before + pages_old - pages_new))"
	echo "$what: inode $ino_old -> $ino_new; both readers left the old file within $ms ms" \
		"of the restart; hugepages free $free_before -> $LAB_HP_FREE" \
		"(old ring $pages_old pages released, new ring $pages_new)"
	kill -0 "$dpid" 2>/dev/null || lab_fail "$what: capdump exited: $(<"$LAB_TMP/capdump.err")"
	kill -0 "$spid" 2>/dev/null || lab_fail "$what: capstat exited: $(<"$LAB_TMP/capstat.err")"
}

capd_lab_send -g 239.1.1.1 -p 30001 -n $per -s 200 -r 20000 --seq-start 0
sleep 0.3
replace 2 "$conf2" "64M -> 96M"
capd_lab_send -g 239.1.1.1 -p 30001 -n $per -s 200 -r 20000 --seq-start $per
sleep 0.3
replace 3 "$conf3" "block size 2M -> 1M"
lab_expect_match "restart" "$(<"$LAB_TMP/capd3.log")" "capturing"
capd_lab_send -g 239.1.1.1 -p 30001 -n $per -s 200 -r 20000 --seq-start $((2 * per))
sleep 0.3
capd_lab_stop

# The writer stopped cleanly: both readers read to its end and exit 0.
rc=0
timeout 10 tail --pid="$dpid" -f /dev/null || true
wait "$dpid" || rc=$?
cat "$LAB_TMP/capdump.err"
((rc == 0)) || lab_fail "capdump exited with $rc: $(<"$LAB_TMP/capdump.err")"
rc=0
timeout 10 tail --pid="$spid" -f /dev/null || true
wait "$spid" || rc=$?
((rc == 0)) || lab_fail "capstat exited with $rc: $(<"$LAB_TMP/capstat.err")"
if grep -qi "floating point" "$LAB_TMP/capdump.err" "$LAB_TMP/capstat.err"; then
	lab_fail "a reader died of SIGFPE"
fi
n=$((3 * per))
lab_expect_match "capdump" "$(<"$LAB_TMP/capdump.err")" "$n packets written to 1 file, 0 filtered out, 0 lost"

res=$(tshark -r "$rec" -T fields -e frame.time_epoch -e udp.dstport -e udp.payload |
	"$PAYLOAD_CHECK")
echo "tshark: $res"
lab_expect_match "capdump's file" "$res" \
	"port 30001 count=$n first=0 last=$((n - 1)) order_errors=0 dups=0 bad_payload=0"

sum=$(jq -c 'select(.type == "summary") | .feeds[] | select(.group == "239.1.1.1")
	| [.packets, .seq.gaps, .seq.missing, .seq.duplicates]' "$LAB_TMP/capstat.json")
echo "capstat: [packets, gaps, missing, duplicates] = $sum"
[[ $sum == "[$n,0,0,0]" ]] || lab_fail "capstat: $sum, want [$n,0,0,0]"
echo "PASS: ring_replace"
