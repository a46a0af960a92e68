#!/usr/bin/env bash
# deps.sh [PACKAGE...] - installs the Debian 12 packages capd needs to
# build, test and run, or only the ones named.  Idempotent: installs only
# what is missing (as root, or through sudo).
set -euo pipefail

packages=(
	# build
	build-essential cmake pkg-config clang llvm clang-format
	# libraries named by the design: capd links libbpf/libxdp/libconfig,
	# readers libpcap/zstd; libcap-ng and libsystemd for privileges/sd_notify
	libbpf-dev libxdp-dev libpcap-dev libconfig-dev libzstd-dev
	libcap-ng-dev libsystemd-dev
	# capship inserts into ClickHouse over HTTP(S)
	libcurl4-openssl-dev
	# lab and judges: namespaces, PTP, independent pcapng readers
	iproute2 util-linux ethtool linuxptp tcpdump tshark zstd strace jq
	# capd's metrics file, read back by Prometheus's own parser
	python3-prometheus-client
	# peers the benchmarks compare against (dumpcap comes with tshark)
	netsniff-ng tcpreplay
	# manuals and units: lint, systemd-analyze verify/security
	mandoc man-db systemd
	# the VM test (tests/vm): Debian 12's own kernel under QEMU, its image
	# made with debootstrap and mkfs.ext4 -d, read back with debugfs
	qemu-system-x86 debootstrap e2fsprogs
	# the fleet tests (tests/clickhouse.cmake): a ClickHouse server of their own
	clickhouse-server clickhouse-client
	# lab_capship_tls: the test's CA and server certificates
	openssl
	# the Debian package (scripts/package.sh; debian/control has its
	# Build-Depends, all above) and the system test, which boots it in a
	# Debian 12 container under systemd-nspawn (tests/system)
	dpkg-dev debhelper lintian systemd-container
)

[ $# -eq 0 ] || packages=("$@")
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	}
	sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
