# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# replay_lab.sh - judging a replay's timing in a lab shared with other
# work; sourced by the capreplay tests after lab.sh.

# replay_lab_gaps JUDGED REPORT: the p99 of the gap errors that
# tools/replay_judge.py worked out (its JSON in JUDGED, given --report
# REPORT, capreplay's --json report) is at most 20 us, or the gaps over
# 20 us beyond the 1 % that p99 allows are no more than the machine
# accounts for: one for each time the sending core was taken from
# capreplay for 20 us or more, counted while it spun and scaled to all its
# CPU time (replay_judge.py's machine_gaps).  Such a time holds up the
# packet due next whatever capreplay does; on a virtual machine whose host
# takes the core every millisecond, that is 1 % of the gaps at 100000/s on
# its own.  Says which, or fails.
replay_lab_gaps()
{
	local j=$1 rep=$2 p99 why

	p99=$(jq .gap_err_ns.p99 <<<"$j")
	((p99 <= 20000)) && return 0
	why=$(jq -j --slurpfile r "$rep" '"\(.gaps_over) of \(.gaps) gaps over 20 us,
		\(.gaps_allowed) allowed by the p99 and \(.machine_gaps) the machine'"'"'s (the core
		taken for 20 us or more \($r[0].stalls_20us) times in \($r[0].spun_ns / 1e6 | floor) ms
		of spinning, \($r[0].cpu_ns / 1e6 | floor) ms of CPU in all)"' <<<"$j" | tr -s '\n\t' ' ')
	[[ $(jq .gaps_ok <<<"$j") == true ]] ||
		lab_fail "p99 of the gap errors is $p99 ns, want <= 20000: $why"
	echo "note: p99 of the gap errors is $p99 ns, over 20000, all of it the machine's: $why"
}
