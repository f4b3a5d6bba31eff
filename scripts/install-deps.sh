#!/bin/sh
# Install the Debian packages the harness needs, only those missing.
#
#   install-deps.sh [EXTRA-PACKAGE...]
. "$(dirname "$0")/lib.sh"

# Packages: kernel source and build deps, QEMU, guest userland, tools.
PKGS="linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
cpio xz-utils kmod rsync ccache git qemu-system-x86 busybox-static gnuplot-nox
libcap-dev libnuma-dev python3"
# Extra packages a target needs (make bench-peers: linux-source-6.12).
PKGS="$PKGS $*"

missing=
for p in $PKGS; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

say "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	die "missing packages:$missing; run 'make deps' as root or with passwordless sudo"
fi
command -v apt-get >/dev/null || die "apt-get not found: this harness needs Debian 12 (bookworm)"

log=$BUILD/apt.log
mkdir -p "$BUILD"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >"$log" 2>&1 ||
	die "apt-get update failed (no network to the Debian mirror?); see $log"
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1 ||
	die "apt-get install failed for:$missing; see $log"
say "installed:$missing"
