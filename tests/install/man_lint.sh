#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# man_lint.sh PAGE... - every manual page formats without a warning from
# man-db/groff (man --warnings) and, when mandoc is installed, passes
# mandoc -T lint at warning level.
set -euo pipefail

command -v man >/dev/null || { echo "SKIP: man_lint: needs man (apt-get install man-db)" >&2; exit 77; }
[[ $# -gt 0 ]] || { echo "FAIL: man_lint: no pages given" >&2; exit 1; }
status=0
for page in "$@"; do
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || status=1
	if [[ -n $out ]]; then
		echo "FAIL: man --warnings $page: $out" >&2
		status=1
	fi
	if command -v mandoc >/dev/null; then
		mandoc -T lint -W warning "$page" >&2 || {
			echo "FAIL: mandoc -T lint $page" >&2
			status=1
		}
	fi
	((status)) || echo "ok: ${page##*/}"
done
command -v mandoc >/dev/null || echo "note: mandoc not installed: only man --warnings ran"
exit $status
