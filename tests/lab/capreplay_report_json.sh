#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# capreplay_report_json.sh TEST_REPLAY_REPORT - capreplay's JSON report is
# one valid JSON object (python3 -m json.tool reads it), with exactly the
# documented keys, integers in ns, errno names as send_errors' keys, and an
# interface name holding a quote, a backslash and a control character
# given back as it was.  Needs no privileges.
set -euo pipefail

prog=$1
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }

ifname=$'ve"t\\h\t0'
out=$("$prog" --json "$ifname")
[[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || { echo "FAIL: not one line" >&2; exit 1; }
printf '%s\n' "$out" | python3 -m json.tool >/dev/null

printf '%s\n' "$out" | IFNAME=$ifname python3 -c '
import json, os, sys
d = json.load(sys.stdin)
want = {"mode", "interface", "selected", "loops", "loops_done", "sent", "bytes",
        "err_p50_ns", "err_p99_ns", "err_max_ns", "drift_ns", "late_10us", "late_100us",
        "out_of_order", "not_sent", "send_errors", "start_ns", "elapsed_ns", "cpu_ns", "spun_ns",
        "stalls_5us", "stalls_20us", "stalled_ns", "stall_max_ns", "interrupted"}
assert set(d) == want, set(d) ^ want
for k in want - {"mode", "interface", "not_sent", "send_errors", "interrupted"}:
    assert type(d[k]) is int and d[k] >= 0, k
assert d["mode"] == "payload"
assert d["interface"] == os.environ["IFNAME"], d["interface"]
assert (d["selected"], d["loops"], d["loops_done"]) == (60, 2, 1)
assert (d["sent"], d["bytes"]) == (100, 11300)
assert 500 <= d["err_p50_ns"] <= 507 and 100000 <= d["err_p99_ns"] <= 100001
assert (d["err_max_ns"], d["drift_ns"]) == (100001, 0)
assert (d["late_10us"], d["late_100us"], d["out_of_order"]) == (3, 1, 7)
assert d["not_sent"] == {"truncated": 1, "not_udp": 2, "too_big": 0}
e = d["send_errors"]
assert len(e) == 17 and e["ENOBUFS"] == 3 and e["EPERM"] == 2 and e["other"] == 6, e
assert sum(e.values()) == 25
assert d["start_ns"] == 1767225600123456789
assert (d["elapsed_ns"], d["cpu_ns"], d["spun_ns"]) == (2700000000, 1234000000, 1100000000)
assert (d["stalls_5us"], d["stalls_20us"], d["stalled_ns"], d["stall_max_ns"]) == \
    (12, 5, 345678, 98765)
assert d["interrupted"] is True
'
echo "PASS: the JSON report parses, keys and values as documented"
