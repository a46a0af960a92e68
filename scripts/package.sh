#!/usr/bin/env bash
# package.sh [OUTDIR] - builds capd's Debian package from the tracked files
# of this tree (committed or not; untracked files are left out), in a
# temporary copy so that nothing is written into the tree, and checks it
# with lintian (any error fails).  The .deb, .buildinfo and .changes go to
# OUTDIR (default build/package at the top of the tree); the last line
# printed is the .deb's path.  Installs what it needs (scripts/deps.sh):
# dpkg-dev, debhelper, lintian and the Build-Depends of debian/control.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/package}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The packaging tools, then whatever debian/control's Build-Depends lack
# (the first of alternatives, versions left to apt).
"$top/scripts/deps.sh" build-essential dpkg-dev debhelper lintian
unmet=$(cd "$top" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	sed 's/([^)]*)//g; s/ *| *[^ ]*//g; s/:any//g')
# shellcheck disable=SC2086 # a list of packages
[ -z "$unmet" ] || "$top/scripts/deps.sh" $unmet

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/capd-$version
mkdir "$src"
# The tracked files as they are now (a tracked file deleted here is left out).
git -C "$top" ls-files -z | while IFS= read -r -d '' f; do
	[ -e "$top/$f" ] || [ -L "$top/$f" ] || continue
	printf '%s\0' "$f"
done | tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -

echo "package.sh: building capd $version in $src"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc)

arch=$(dpkg-architecture -q DEB_HOST_ARCH)
changes=capd_${version}_$arch.changes
# The package, its debug symbols (capd-dbgsym), .buildinfo and .changes.
cp "$tmp/$changes" "$tmp"/capd*_"${version}"_*.deb "$tmp/capd_${version}_$arch.buildinfo" "$out/"
deb=$out/capd_${version}_$arch.deb

echo "package.sh: lintian $out/$changes"
report=$tmp/lintian.txt
rc=0
lintian --display-info "$out/$changes" >"$report" 2>&1 || rc=$?
cat "$report"
if grep -q '^E: ' "$report"; then
	echo "package.sh: lintian found errors" >&2
	exit 1
fi
# Without errors lintian exits 0; anything else means it did not check.
[ $rc -eq 0 ] || {
	echo "package.sh: lintian failed (exit $rc)" >&2
	exit 1
}
echo "package.sh: lintian: no errors, $(grep -c '^W: ' "$report" || true) warnings (reasons: debian/capd.lintian-overrides)"
echo "$deb"
