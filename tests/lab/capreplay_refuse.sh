#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_refuse.sh - every refusal is one line on stderr, exit 1, and
# nothing sent: a file with a unicast destination (its 5th packet), --map
# to a unicast address, the interface a running capd captures from, an
# unknown interface, a file not found, a damaged file, a filter that
# matches nothing ("udp and tcp"), one that does not compile, frame mode as
# an unprivileged user (nobody, no capabilities), and -i RING.  Each would
# send from the namespace through the veth into capd's ring, except the
# capture interface itself, which would send into the namespace, where a
# tcpdump listens: at the end the ring and tcpdump hold no UDP packet.
# Then the same file sent without the refused option arrives (10 packets
# in the ring): the two listeners do hear what is sent; it prints its
# start line only, as the lab's namespace has a multicast route, and a dry
# run without that route warns, in one more line, what its lack costs.
. "$(dirname "$0")/lab.sh"
gen=$(dirname "$0")/tools/replay_gen.py
lab_start CAPD CAPDUMP CAPREPLAY ip tshark tcpdump setpriv python3 timeout
capd_lab_setup rrf
capd_lab_conf 32M <<<'feeds = ( { name = "MOLD"; group = "239.1.1.1"; ports = [ 30001 ]; } );'
capd_lab_start
export CAPD_RING_DIR=${CAPD_RING%/*}

# Ten packets to 239.1.1.1:30001; uni.pcapng sends its 5th to the host end.
f=$LAB_TMP/feed.pcapng uni=$LAB_TMP/uni.pcapng bad=$LAB_TMP/damaged.pcapng
python3 "$gen" "$f" --burst 0 --rate 1000 --seconds 0.01 >/dev/null
python3 "$gen" "$uni" --burst 0 --rate 1000 --seconds 0.01 --unicast "5=$CAPD_HOST4:5000" >/dev/null
# Cut in the middle of its 6th packet's block (each is 128 bytes here).
head -c $(($(stat -c %s "$f") - 4 * 128 - 60)) "$f" >"$bad"
# nobody must reach the file (the run's directory is root's, 0700).
chmod 0711 "$LAB_TMP"
chmod 0644 "$f"

ip netns exec "$CAPD_NS" tcpdump -i eth0 -n -U -w "$LAB_TMP/ns.pcap" udp 2>"$LAB_TMP/tcpdump.err" &
tpid=$!
lab_on_exit "kill $tpid 2>/dev/null || true"
for _ in $(seq 100); do
	grep -q "listening on" "$LAB_TMP/tcpdump.err" && break
	kill -0 $tpid 2>/dev/null || lab_fail "tcpdump: $(<"$LAB_TMP/tcpdump.err")"
	sleep 0.05
done
grep -q "listening on" "$LAB_TMP/tcpdump.err" || lab_fail "tcpdump did not start in 5 s"

# refused WHAT PATTERN WHERE ARGS...: capreplay ARGS, run in the namespace
# (WHERE ns), on the host (host), or in the namespace as nobody (nobody),
# exits 1 with exactly one line on stderr matching PATTERN, nothing on
# stdout.
refused()
{
	local what=$1 pat=$2 where=$3 rc=0 out err
	local -a pre=()
	shift 3
	case $where in
	ns) pre=(ip netns exec "$CAPD_NS") ;;
	nobody) pre=(ip netns exec "$CAPD_NS" setpriv --reuid=65534 --regid=65534 --clear-groups) ;;
	esac
	"${pre[@]}" timeout 20 "$CAPREPLAY" "$@" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	out=$(<"$LAB_TMP/out") err=$(<"$LAB_TMP/err")
	((rc == 1)) || lab_fail "$what: exit $rc, want 1 (stderr: $err)"
	[[ -z $out ]] || lab_fail "$what: printed on stdout: $out"
	(($(wc -l <"$LAB_TMP/err") == 1)) || lab_fail "$what: stderr is not one line: $err"
	lab_expect_match "$what" "$err" "^capreplay: .*$pat"
	echo "$what: exit 1: $err"
}

refused "unicast in the file" "packet 5 .*$CAPD_HOST4:5000.* not multicast.*--allow-unicast" ns \
	-r "$uni" -o eth0
refused "--map to unicast" "$CAPD_HOST4.* not multicast.*--allow-unicast" ns \
	-r "$f" -o eth0 --map "239.1.1.1:30001=$CAPD_HOST4:30001"
refused "capd's interface" "-o $CAPD_HIF: .*capd.*captures.*--force" host -r "$f" -o "$CAPD_HIF"
refused "unknown interface" "-o nosuch-$LAB_RUN_ID: no such interface" ns \
	-r "$f" -o "nosuch-$LAB_RUN_ID"
refused "file not found" "$LAB_TMP/none.pcapng" ns -r "$LAB_TMP/none.pcapng" -o eth0
refused "damaged file" "$bad" ns -r "$bad" -o eth0
refused "filter matching nothing" "udp and tcp.*(nothing|no packet|rejects all)" ns -r "$f" -o eth0 udp and tcp
refused "filter not compiling" "" ns -r "$f" -o eth0 udp and nosuchword
refused "frame mode as nobody" "CAP_NET_RAW" nobody -r "$f" -o eth0 --frame
refused "-i RING" "capdump" ns -i "$CAPD_RING" -o eth0

# The positive control: the file as it is goes out, all 10 packets.
ip netns exec "$CAPD_NS" timeout 20 "$CAPREPLAY" -r "$f" -o eth0 >/dev/null 2>"$LAB_TMP/err" ||
	lab_fail "capreplay of the plain file exited with $?: $(<"$LAB_TMP/err")"
(($(wc -l <"$LAB_TMP/err") == 1)) ||
	lab_fail "with a multicast route, stderr is not the start line alone: $(<"$LAB_TMP/err")"
ip -n "$CAPD_NS" route del 224.0.0.0/4 dev eth0
ip netns exec "$CAPD_NS" timeout 20 "$CAPREPLAY" -r "$f" -o eth0 -n >/dev/null 2>"$LAB_TMP/err" ||
	lab_fail "capreplay -n without a multicast route exited with $?: $(<"$LAB_TMP/err")"
(($(wc -l <"$LAB_TMP/err") == 2)) ||
	lab_fail "without a route, stderr is not a warning and the start line: $(<"$LAB_TMP/err")"
lab_expect_match "no multicast route" "$(head -n 1 "$LAB_TMP/err")" \
	"^capreplay: -o eth0: no route of /4 or longer covers group 239.1.1.1, .*ip route add 224.0.0.0/4 dev eth0"
echo "no multicast route: $(head -n 1 "$LAB_TMP/err")"
kill -INT $tpid
wait $tpid || true
capd_lab_stop
timeout 30 "$CAPDUMP" -i "$CAPD_RING" --from oldest -q -w "$LAB_TMP/ring.pcapng" udp ||
	lab_fail "capdump exited with $?"
ring=$(tshark -r "$LAB_TMP/ring.pcapng" -T fields -e ip.dst -e udp.dstport 2>/dev/null | sort | uniq -c |
	awk '{ printf "%s %s:%s; ", $1, $2, $3 }')
ns=$(tshark -r "$LAB_TMP/ns.pcap" 2>/dev/null | wc -l)
[[ $ring == "10 239.1.1.1:30001; " ]] ||
	lab_fail "the ring holds UDP packets [$ring], want only the control's 10 to 239.1.1.1:30001"
((ns == 0)) || lab_fail "tcpdump in the namespace saw $ns UDP packets from the host, want 0"
echo "nothing sent by the refused runs: the ring holds only the control's 10, the namespace saw 0"
echo "PASS: capreplay_refuse"
