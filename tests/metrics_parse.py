#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""metrics_parse.py TEST_METRICS CAPD_8

capd's Prometheus textfile, as test_metrics --write produces it from a
made-up ring, parsed by prometheus_client (the Prometheus project's own
Python client): it must parse, and its families, with their types, must be
exactly those docs/man/capd.8 lists under METRICS.  Exits 77 without
prometheus_client (Debian: python3-prometheus-client).
"""
import os
import re
import subprocess
import sys
import tempfile

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("SKIP: no prometheus_client (apt-get install python3-prometheus-client)",
          file=sys.stderr)
    sys.exit(77)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def documented(man):
    """{name: type} of the METRICS section: `.BR capd_x " (counter...)"`."""
    text = open(man, encoding="utf-8").read()
    m = re.search(r"^\.SH METRICS\n(.*?)^\.SH ", text, re.S | re.M)
    if not m:
        fail(man + ": no METRICS section")
    want = {}
    for name, typ in re.findall(r'^\.BR (capd_[a-z_]+) " \((counter|gauge)[;)]', m.group(1),
                                re.M):
        if name in want:
            fail(man + ": " + name + " listed twice")
        want[name] = typ
    if not want:
        fail(man + ": no metric in METRICS")
    return want


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    test_metrics, man = sys.argv[1:]
    want = documented(man)
    with tempfile.TemporaryDirectory(prefix="metrics_parse.") as d:
        path = os.path.join(d, "capd.prom")
        subprocess.run([test_metrics, "--write", path], check=True)
        if oct(os.stat(path).st_mode & 0o7777) != oct(0o644):
            fail("%s: mode %o, not 0644" % (path, os.stat(path).st_mode & 0o7777))
        text = open(path, encoding="utf-8").read()

    got = {}
    nsamples = 0
    for fam in text_string_to_metric_families(text):
        # The parser names a counter family without its _total suffix.
        samples = {s.name for s in fam.samples}
        name = fam.name + "_total" if fam.type == "counter" else fam.name
        if name in got:
            fail(name + ": two families of that name")
        if fam.type not in ("counter", "gauge"):
            fail("%s: type %s" % (name, fam.type))
        if samples - {name}:
            fail("%s: samples named %s" % (name, sorted(samples - {name})))
        if not fam.documentation:
            fail(name + ": no HELP")
        for s in fam.samples:
            if s.labels.get("ring") != "/dev/hugepages/capd/md":
                fail("%s%s: no ring label" % (s.name, s.labels))
        got[name] = fam.type
        nsamples += len(fam.samples)

    if got != want:
        for n in sorted(set(got) | set(want)):
            if got.get(n) != want.get(n):
                print("  %s: written %s, documented %s" % (n, got.get(n), want.get(n)),
                      file=sys.stderr)
        fail("the file's families differ from " + man + " (METRICS)")
    # Label escaping survived the round trip.
    for fam in text_string_to_metric_families(text):
        if fam.name == "capd_interface_info":
            hw = sorted(s.labels["hardware"] for s in fam.samples)
            if hw != ['ice 0000:01:00.0', 'odd "drv" \\x\ny']:
                fail("hardware labels read back as %r" % hw)
    print("metrics_parse: %d families, %d samples, as documented" % (len(got), nsamples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
