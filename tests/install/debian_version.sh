#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# debian_version.sh SOURCE_DIR VERSION - the package's version (the first
# entry of debian/changelog) is CMake's project(VERSION), which every
# program prints for -V, so that the two cannot drift apart.  debian/rules
# checks the same when the package is built.  Needs no privilege.
set -euo pipefail

fail()
{
	echo "FAIL: debian_version: $*" >&2
	exit 1
}

[[ $# -eq 2 ]] || fail "usage: debian_version.sh SOURCE_DIR VERSION"
changelog=$1/debian/changelog version=$2
[[ -f $changelog ]] || fail "no $changelog"
# "capd (VERSION) DISTRIBUTION; urgency=..." (deb-changelog(5)).
first=$(head -n 1 "$changelog")
[[ $first =~ ^capd\ \(([^\)]+)\)\  ]] || fail "not a capd entry: '$first'"
deb=${BASH_REMATCH[1]}
[[ $deb == "$version" ]] ||
	fail "debian/changelog says $deb, CMakeLists.txt project(VERSION) $version: add a changelog entry (dch -v $version)"
echo "PASS: debian_version: $deb"
