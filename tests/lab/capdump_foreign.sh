#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capdump_foreign.sh - capdump -r on capture files other tools wrote and on
# hand-written ones (tools/pcapng_gen.py): several interfaces and link
# types, sections in either byte order, every time resolution and offset,
# simple and obsolete packet blocks, name resolution, statistics, secrets,
# custom and unknown blocks, pcap in both byte orders and resolutions, empty
# files.  For each input IN, capdump -r IN -w OUT (.pcapng, .pcapng.zst, -w -
# into tshark, -F pcap) must give a file capinfos and tshark read without a
# word, whose rows (time, interface name, encapsulation, lengths) are IN's;
# with -F pcap only where IN has one link type (a one-line error naming
# pcapng otherwise).  Also: -r A -r B (read one after the other), a BPF
# filter per link type against tshark -Y, the names, comments and blocks an
# output must carry, the interfaces' descriptions (capinfos), and a clear
# error for the modified (Kuznetzov) pcap.
#
# The reference is tshark reading IN, one section at a time: tshark 4.0
# names the interfaces of a second section after the first section's.
#
# Every check runs; failures are listed, then the test fails.  Needs no
# privileges; as root it also records with dumpcap on two interfaces of
# two link types inside its own network namespace.
. "$(dirname "$0")/lab.sh"
lab_start --user CAPDUMP tshark capinfos editcap mergecap text2pcap python3 timeout
GEN=$(dirname "$0")/tools/pcapng_gen.py
T=$LAB_TMP
FAILS=()

bad()
{
	local m="$*"

	m=${m//$'\n'/ | }
	FAILS+=("$m")
	echo "  FAIL: $m" >&2
}

# Wireshark's tools say so when run as root: not a warning about the file.
clean_err()
{
	sed -i '/^Running as user "root" and group "root". This could be dangerous.$/d' "$1"
}

FIELDS=(-e frame.time_epoch -e frame.interface_name -e frame.encap_type -e frame.len -e frame.cap_len)

# rows FILE DEST [tshark options]: the packets' rows (further -e: further
# columns) (tshark 4.0 shows
# custom blocks as records without an encapsulation: left out); tshark must
# exit 0 and write nothing on stderr.  Returns 1 (after bad) if not.
rows()
{
	local f=$1 dest=$2 rc=0
	shift 2
	tshark -r "$f" -T fields "${FIELDS[@]}" "$@" >"$dest.all" 2>"$dest.err" || rc=$?
	clean_err "$dest.err"
	awk -F'\t' '$3 != ""' "$dest.all" >"$dest"
	if ((rc != 0)) || [[ -s $dest.err ]]; then
		bad "tshark -r ${f##*/} $*: exit $rc: $(head -c 300 "$dest.err")"
		return 1
	fi
}

is_pcapng() { [[ -s $1 && $(od -An -tx1 -N4 "$1" | tr -d ' ') == 0a0d0d0a ]]; }

# ref_rows IN DEST [tshark options]: IN's rows, section by section; a pcap
# file's as editcap converts it to pcapng (tshark names an interface
# without a name "unknown").
ref_rows()
{
	local in=$1 dest=$2 n i
	shift 2
	if ! is_pcapng "$in"; then
		editcap -F pcapng "$in" "$dest.ng" 2>/dev/null
		in=$dest.ng
	fi
	n=$(python3 "$GEN" sections "$in" "$dest.sec")
	: >"$dest"
	for ((i = 0; i < n; i++)); do
		rows "$dest.sec.$i.pcapng" "$dest.s" "$@" ||
			lab_fail "tshark does not read section $i of ${in##*/}"
		cat "$dest.s" >>"$dest"
	done
}

# iface_info FILE: capinfos's description of the interfaces (and its counts
# of resolved addresses and decryption secrets), without their
# numbers and if_tsresol's code (the precision and ticks per second say
# it); a pcapng file section by section (capinfos 4.0 repeats them), a pcap
# file as editcap converts it.
iface_info()
{
	local f=$1 n i parts=("$1")
	if ! is_pcapng "$f"; then
		editcap -F pcapng "$f" "$f.ing" 2>/dev/null
		f=$f.ing
	fi
	if is_pcapng "$f"; then
		n=$(python3 "$GEN" sections "$f" "$f.isec")
		parts=()
		for ((i = 0; i < n; i++)); do parts+=("$f.isec.$i.pcapng"); done
	fi
	for f in "${parts[@]}"; do
		capinfos "$f" 2>/dev/null | sed -n '/^Interface #/,$p' |
			sed -e 's/^Interface #[0-9]* info:/Interface:/' -e '/^ *Time resolution = /d'
	done
}

# same WHAT REF GOT [noname]: the rows are the same; where REF has no time
# (a simple packet block) GOT's time is not compared; with noname the
# interface names are not compared (pcap has none).
same()
{
	local what=$1 ref=$2 got=$3 noname=${4:-}
	awk -F'\t' -v OFS='\t' -v noname="$noname" '
		BEGIN { printf "" > (ARGV[1] ".cmp"); printf "" > (ARGV[2] ".cmp") }
		FILENAME == ARGV[1] { t[FNR] = ($1 == ""); if (noname) $2 = ""; print > (FILENAME ".cmp"); next }
		{ if (t[FNR]) $1 = ""; if (noname) $2 = ""; print > (FILENAME ".cmp") }' "$ref" "$got"
	if ! cmp -s "$ref.cmp" "$got.cmp"; then
		bad "$what: rows differ from the input's ($(wc -l <"$ref") in, $(wc -l <"$got") out):" \
			"$(diff "$ref.cmp" "$got.cmp" | grep '^[<>]' | head -4 | tr '\n\t' '| ')"
	fi
}

# capdump_ok WHAT ARGS...: capdump exits 0 (its messages in $T/cerr).
capdump_ok()
{
	local what=$1 rc=0
	shift
	timeout 60 "$CAPDUMP" -q "$@" >/dev/null 2>"$T/cerr" || rc=$?
	((rc == 0)) || { bad "$what: capdump exit $rc: $(head -c 300 "$T/cerr")"; return 1; }
}

# readable WHAT FILE: capinfos reads FILE without a word, and finds the
# format its name says: nanosecond pcap for .pcap, else pcapng (capinfos
# takes an empty file for an empty ERF capture).
readable()
{
	local rc=0 want=pcapng type

	[[ $2 == *.pcap ]] && want="nanosecond pcap"
	capinfos "$2" >"$T/iout" 2>"$T/ierr" || rc=$?
	clean_err "$T/ierr"
	((rc == 0)) && [[ ! -s $T/ierr ]] || bad "$1: capinfos exit $rc: $(head -c 300 "$T/ierr")"
	type=$(sed -n 's/^File type: *//p' "$T/iout")
	((rc != 0)) || [[ $type == *" - $want"* ]] || bad "$1: capinfos says '$type', want $want"
}

# one_line_error WHAT PATTERN ARGS...: capdump fails with one line (besides
# its summary) that matches PATTERN.
one_line_error()
{
	local what=$1 pat=$2 rc=0
	shift 2
	timeout 60 "$CAPDUMP" -q "$@" >/dev/null 2>"$T/cerr" || rc=$?
	grep -v 'packets written' "$T/cerr" >"$T/cerr1" || true
	((rc != 0 && rc < 128)) || bad "$what: exit $rc, want an error: $(head -c 300 "$T/cerr")"
	(($(wc -l <"$T/cerr1") == 1)) && grep -qiE "$pat" "$T/cerr1" ||
		bad "$what: want one line saying /$pat/, got: $(head -c 300 "$T/cerr" | tr '\n' '|')"
	echo "  $what: exit $rc: $(head -1 "$T/cerr1")"
}

nidb()
{
	[[ -s $1 ]] || { echo 0; return; }
	python3 "$GEN" blocks "$1" | awk '$3 == "0x00000001"' | wc -l
}
count() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }

# check NAME IN: every check of one input.
check()
{
	local name=$1 in=$2 o=$T/out-$1 nlt nin nout iin iout
	echo "== $name (${in##*/})"
	ref_rows "$in" "$o.ref"
	if capdump_ok "$name -w .pcapng" -r "$in" -w "$o.pcapng"; then
		readable "$name .pcapng" "$o.pcapng"
		rows "$o.pcapng" "$o.rows" && same "$name .pcapng" "$o.ref" "$o.rows" || true
		# The interfaces: name, description, link type, snap length,
		# resolution, filter, OS, hardware, statistics, packets.
		if ! diff <(iface_info "$in") <(iface_info "$o.pcapng") >"$T/idiff"; then
			bad "$name .pcapng: the interfaces, names or secrets differ (capinfos): $(grep '^[<>]' "$T/idiff" | head -4 | tr '\n' '|')"
		fi
	fi
	if capdump_ok "$name -w .pcapng.zst" -r "$in" -w "$o.pcapng.zst"; then
		readable "$name .pcapng.zst" "$o.pcapng.zst"
		rows "$o.pcapng.zst" "$o.zrows" && same "$name .pcapng.zst" "$o.ref" "$o.zrows" || true
	fi
	# -w - into tshark.
	local rc trc
	set +e
	timeout 60 "$CAPDUMP" -q -r "$in" -w - 2>"$T/cerr" | tee "$o.stream" |
		tshark -r - -T fields "${FIELDS[@]}" >"$o.prows.all" 2>"$o.perr"
	rc=${PIPESTATUS[0]} trc=${PIPESTATUS[2]}
	set -e
	# (tshark takes an empty stream for an empty capture: capinfos does not.)
	readable "$name -w -" "$o.stream"
	clean_err "$o.perr"
	awk -F'\t' '$3 != ""' "$o.prows.all" >"$o.prows"
	if ((rc != 0 || trc != 0)) || [[ -s $o.perr ]]; then
		bad "$name -w - | tshark: capdump exit $rc, tshark exit $trc: $(cat "$T/cerr" "$o.perr" | head -c 300)"
	else
		same "$name -w - | tshark" "$o.ref" "$o.prows"
	fi
	# -F pcap: where IN has one link type (or none).
	nlt=$(cut -f3 "$o.ref" | sort -u | wc -l)
	if ((nlt <= 1)); then
		if capdump_ok "$name -F pcap" -r "$in" -F pcap -w "$o.pcap"; then
			readable "$name -F pcap" "$o.pcap"
			rows "$o.pcap" "$o.crows" && same "$name -F pcap" "$o.ref" "$o.crows" noname || true
		fi
	else
		one_line_error "$name -F pcap ($nlt link types)" pcapng -r "$in" -F pcap -w "$o.pcap"
	fi
	nin=$(wc -l <"$o.ref")
	nout=$(count "$o.rows")
	iin=1
	is_pcapng "$in" && iin=$(nidb "$in")
	iout=$(nidb "$o.pcapng")
	echo "  $name: packets in $nin, out $nout; interfaces in $iin, out $iout; link types $nlt"
}

# --- Inputs written by other tools ---------------------------------------
hex()
{ # COUNT FIRSTLEN: COUNT lines of text2pcap hex, payloads of FIRSTLEN, +1...
	awk -v n="$1" -v l="$2" 'BEGIN { for (i = 0; i < n; i++) { printf "0000"
		for (b = 0; b < l + i; b++) printf " %02x", (i + b) % 256; printf "\n" } }'
}
hex 10 20 >"$T/h1"
hex 8 50 >"$T/h2"
hex 6 80 >"$T/h3"
text2pcap -q -u 1000,30001 -4 10.0.0.1,239.1.1.1 "$T/h1" "$T/t2p-eth.pcapng" >/dev/null
text2pcap -q -l 101 -T 2000,443 -4 10.0.0.2,10.0.0.3 "$T/h2" "$T/t2p-rawtcp.pcapng" >/dev/null
text2pcap -q -l 101 -u 3000,30002 -4 10.0.0.4,239.1.1.2 "$T/h3" "$T/t2p-rawudp.pcapng" >/dev/null
mergecap -w "$T/two.pcapng" "$T/t2p-eth.pcapng" "$T/t2p-rawtcp.pcapng"
mergecap -w "$T/three.pcapng" "$T/t2p-eth.pcapng" "$T/t2p-rawtcp.pcapng" "$T/t2p-rawudp.pcapng"
editcap -F pcap "$T/t2p-eth.pcapng" "$T/editcap-us.pcap"
editcap -F nsecpcap "$T/t2p-eth.pcapng" "$T/editcap-ns.pcap"
editcap -F pcapng "$T/editcap-ns.pcap" "$T/editcap-back.pcapng"
editcap -a "1:first packet" -a "3:third, from editcap" "$T/two.pcapng" "$T/editcap-comments.pcapng"
printf 'CLIENT_RANDOM %s %s\n' "$(printf '11%.0s' {1..32})" "$(printf '22%.0s' {1..48})" >"$T/keylog"
editcap --inject-secrets "tls,$T/keylog" "$T/two.pcapng" "$T/editcap-secrets.pcapng"
cat "$T/two.pcapng" "$T/editcap-comments.pcapng" >"$T/cat2.pcapng"
for f in "$T"/*.pcap*; do
	clean=$(capinfos "$f" 2>&1 >/dev/null | grep -v '^Running as user' || true)
	[[ -z $clean ]] || lab_fail "the input ${f##*/} is not clean: $clean"
done

# --- Hand-written inputs ----------------------------------------------------
for s in $(python3 "$GEN" shapes); do python3 "$GEN" shape "$s" "$T/gen-$s.pcapng"; done
for order in le be; do
	for res in us ns kuz; do python3 "$GEN" pcap $order $res "$T/gen-$order-$res.pcap"; done
done
# Three sections: big endian, little, big (written by the generator), and
# the tools' files behind them.
cat "$T/gen-sections3.pcapng" "$T/two.pcapng" >"$T/cat-mixed.pcapng"

# --- dumpcap on two interfaces of two link types (root only) ---------------
if ((EUID == 0)) && command -v dumpcap >/dev/null && command -v ip >/dev/null; then
	lab_netns_add dc
	ns=$LAB_REPLY
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" timeout 20 dumpcap -q -i lo -i any -a duration:3 -w "$T/dumpcap.pcapng" \
		2>"$T/dcerr" &
	dc=$!
	sleep 1.5
	for i in $(seq 20); do
		ip netns exec "$ns" bash -c "echo packet-$i-$(printf "%${i}s") >/dev/udp/127.0.0.1/3000$((i % 3))" ||
			true
		sleep 0.02
	done
	wait $dc || lab_fail "dumpcap: $(<"$T/dcerr")"
	n=$(tshark -r "$T/dumpcap.pcapng" 2>/dev/null | wc -l)
	((n >= 20)) || lab_fail "dumpcap recorded $n packets, want 20 or more"
else
	echo "dumpcap on two interfaces: skipped (needs root, dumpcap and ip for its own netns)"
fi

# --- Every input ----------------------------------------------------------
INPUTS=(two three editcap-us.pcap editcap-ns.pcap editcap-back editcap-comments
	editcap-secrets cat2 cat-mixed)
[[ -f $T/dumpcap.pcapng ]] && INPUTS+=(dumpcap)
for s in $(python3 "$GEN" shapes); do INPUTS+=("gen-$s"); done
for order in le be; do for res in us ns; do INPUTS+=("gen-$order-$res.pcap"); done; done
for i in "${INPUTS[@]}"; do
	f=$T/$i
	[[ $i == *.pcap ]] || f=$T/$i.pcapng
	check "${i%.pcap}" "$f"
done

# --- What an output carries besides packets ---------------------------------
echo "== carried blocks"
# Packet comments and flags (editcap -a, the generator's EPB and PB options).
for i in editcap-comments gen-idb_options gen-pb_obsolete; do
	f=$T/$i.pcapng o=$T/out-$i.pcapng
	[[ -s $o ]] || continue
	ref_rows "$f" "$T/cref" -e frame.comment -e frame.packet_flags
	rows "$o" "$T/cgot" -e frame.comment -e frame.packet_flags || continue
	# The comments as they were; the flags where the input had them.
	awk -F'\t' -v OFS='\t' 'BEGIN { printf "" > (ARGV[1] ".c"); printf "" > (ARGV[2] ".c") }
		FILENAME == ARGV[1] { fl[FNR] = $7; print $6, $7 > (FILENAME ".c"); next }
		{ if (fl[FNR] == "") $7 = ""; print $6, $7 > (FILENAME ".c") }' "$T/cref" "$T/cgot"
	cmp -s "$T/cref.c" "$T/cgot.c" ||
		bad "$i: packet comments or flags differ: $(diff "$T/cref.c" "$T/cgot.c" | grep '^[<>]' | head -4 | tr '\n\t' '| ')"
	echo "  $i: packets in $(count "$T/cref"), out $(count "$T/cgot"); comments in" \
		"$(cut -f6 "$T/cref" | grep -c . || true), out $(cut -f6 "$T/cgot" | grep -c . || true)"
done
# The hash of the generator's second packet.
o=$T/out-gen-idb_options.pcapng
if [[ -s $o ]]; then
	od -An -tx1 -v "$o" | tr -d ' \n' | grep -q 04000102030405060708090a0b0c0d0e0f10111213 ||
		bad "gen-idb_options: the epb_hash option is gone"
fi
# Names (NRB), its comment, secrets (DSB), statistics (ISB), custom blocks.
in=$T/gen-blocks.pcapng o=$T/out-gen-blocks.pcapng
if [[ -s $o ]]; then
	hosts() { tshark -r "$1" -q -z hosts 2>/dev/null | grep -v '^#' | grep . | sort; }
	[[ $(hosts "$in") == "$(hosts "$o")" ]] ||
		bad "gen-blocks: the names differ: '$(hosts "$o" | tr '\n\t' '| ')', want '$(hosts "$in" | tr '\n\t' '| ')'"
	# (Custom blocks are records without addresses: empty lines.)
	tshark -r "$o" -N n -T fields -e ip.src_host -e ip.dst_host 2>/dev/null |
		grep -v '^[[:space:]]*$' >"$T/names" || true
	[[ $(sort -u "$T/names") == "feed-a-source	feed-a-group" ]] ||
		bad "gen-blocks: tshark -N n names the addresses '$(sort -u "$T/names" | tr '\n\t' '| ')'"
	python3 "$GEN" blocks "$in" | cut -d' ' -f3- >"$T/bin"
	python3 "$GEN" blocks "$o" | cut -d' ' -f3- >"$T/bout"
	grep -q 'nrb 10.0.0.1:feed-a-source,239.1.1.1:feed-a-group comment=names%20from%20the%20feed%20table' \
		"$T/bout" || bad "gen-blocks: no NRB with the names and the comment: $(grep nrb "$T/bout" || true)"
	grep -q '^0x0000000a dsb 0x544c534b 176$' "$T/bout" || bad "gen-blocks: the TLS key log (DSB) is gone"
	grep -q '^0x00000bad custom pen=32473 data=copy%20me$' "$T/bout" ||
		bad "gen-blocks: the copyable custom block is gone"
	grep -q '0x40000bad' "$T/bout" && bad "gen-blocks: the custom block not to copy was copied"
	grep -q '0x0badc0de' "$T/bout" && bad "gen-blocks: the unknown block was copied"
	nisb_in=$(grep -c '^0x00000005' "$T/bin" || true)
	nisb_out=$(grep -c '^0x00000005' "$T/bout" || true)
	((nisb_out <= nisb_in)) || bad "gen-blocks: $nisb_out ISBs out, $nisb_in in"
	[[ $(capinfos "$o" 2>/dev/null | grep 'decryption secrets') == \
		"$(capinfos "$in" 2>/dev/null | grep 'decryption secrets')" ]] ||
		bad "gen-blocks: capinfos counts other decryption secrets"
	echo "  gen-blocks out: $(grep -v '0x00000006' "$T/bout" | cut -d' ' -f1,2 | tr '\n' ' ')"
fi
in=$T/editcap-secrets.pcapng o=$T/out-editcap-secrets.pcapng
if [[ -s $o ]]; then
	[[ $(capinfos "$o" 2>/dev/null | grep 'decryption secrets') == \
		"$(capinfos "$in" 2>/dev/null | grep 'decryption secrets')" ]] ||
		bad "editcap-secrets: capinfos counts other decryption secrets"
fi

# --- -r A -r B: one after the other (docs/man/capdump.1) ----------------------
merge()
{ # NAME A B
	local name=$1 a=$2 b=$3 o=$T/merge-$1
	echo "== -r ${a##*/} -r ${b##*/}"
	ref_rows "$a" "$o.ra"
	ref_rows "$b" "$o.rb"
	cat "$o.ra" "$o.rb" >"$o.ref"
	local ext
	for ext in pcapng pcapng.zst; do
		if capdump_ok "$name .$ext" -r "$a" -r "$b" -w "$o.$ext"; then
			readable "$name .$ext" "$o.$ext"
			rows "$o.$ext" "$o.rows" && same "$name .$ext" "$o.ref" "$o.rows" || true
		fi
	done
	echo "  $name: packets in $(wc -l <"$o.ra") + $(wc -l <"$o.rb"), out $(count "$o.rows")"
}
merge two+sections2 "$T/two.pcapng" "$T/gen-sections2.pcapng"
merge linktypes+blocks "$T/gen-two_linktypes.pcapng" "$T/gen-blocks.pcapng"
merge pcap+spb "$T/gen-be-ns.pcap" "$T/gen-spb_only.pcapng"
merge empty+three "$T/gen-empty_idb.pcapng" "$T/three.pcapng"

# --- A BPF filter per link type, against tshark's display filter -------------
echo "== filters"
for i in three gen-two_linktypes cat-mixed; do
	f=$T/$i.pcapng o=$T/filter-$i
	for pair in "udp|udp" "tcp port 443|tcp.port == 443" "greater 100|frame.len >= 100"; do
		flt=${pair%|*}
		rm -f "$o.rows"
		ref_rows "$f" "$o.ref" -Y "${pair#*|}"
		if capdump_ok "$i '$flt'" -r "$f" -w "$o.pcapng" "$flt"; then
			rows "$o.pcapng" "$o.rows" && same "$i '$flt'" "$o.ref" "$o.rows" || true
		fi
		echo "  $i '$flt': tshark -Y keeps $(wc -l <"$o.ref"), capdump $(count "$o.rows")"
	done
done
# A filter that cannot compile for raw IP: an error, not silent loss.
one_line_error "'ether src' on raw IP" "link|ether|raw" -r "$T/two.pcapng" -w "$T/ether.pcapng" \
	ether src 02:00:00:00:00:01

# --- Modified (Kuznetzov) pcap: a clear error ---------------------------------
echo "== modified pcap"
for order in le be; do
	one_line_error "kuz-$order" "modified|kuznetzov" -r "$T/gen-$order-kuz.pcap" -w "$T/kuz.pcapng"
done

if ((${#FAILS[@]})); then
	echo "${#FAILS[@]} checks failed:" >&2
	printf '  %s\n' "${FAILS[@]}" >&2
	lab_fail "${#FAILS[@]} checks failed"
fi
echo "PASS: capdump_foreign"
