#!/bin/sh
# Build a Debian 12 root filesystem for make distro-check, from Debian's
# mirror with mmdebstrap, as a tarball cached in build/distro-<arch>/: it
# is made again only when the package list below (this script) changes.
#
#   build-rootfs.sh
#
# What is in it: systemd, udev and initramfs-tools (to boot the kernel
# package), zram-tools (Debian's zram swap service, on its defaults), and
# the programs the check runs: python3, gcc and make with the libraries the
# kernel's vm selftests link with, sqlite3, xz, zstd and a Java runtime
# (default-jre-headless). Beside them, in /srv/local-repo, a local apt
# repository holding git and what it depends on, downloaded but not
# installed: the check installs it with apt-get.
. "$(dirname "$0")/lib.sh"
arch_setup

[ "$SPF_ARCH" = "$(host_arch)" ] ||
	die "make distro-check runs a guest of the host's architecture only ($(host_arch)), not $SPF_ARCH"
"$SPF_ROOT/scripts/install-deps.sh" mmdebstrap dpkg-dev
need mmdebstrap dpkg-scanpackages

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
pkgs="systemd-sysv udev dbus kmod procps e2fsprogs initramfs-tools zram-tools
python3 gcc make libc6-dev libcap-dev libnuma-dev sqlite3 xz-utils zstd
default-jre-headless"
repo_pkgs=git

top=$BUILD/distro-$SPF_ARCH
tar=$top/rootfs.tar
key=$(cat "$0" | sha256sum | cut -c1-16)
if [ -f "$tar" ] && [ "$(cat "$top/rootfs.key" 2>/dev/null)" = "$key" ]; then
	say "Debian $suite root filesystem: ${tar#$SPF_ROOT/} (cached)"
	exit 0
fi
need_disk 4
mkdir -p "$top"
rm -f "$tar" "$top/rootfs.key"
say "building a Debian $suite root filesystem from $mirror with mmdebstrap (log: ${top#$SPF_ROOT/}/rootfs.log)"
start=$(date +%s)
# shellcheck disable=SC2086
as_root mmdebstrap --variant=minbase --arch="$DEBARCH" \
	--include="$(echo $pkgs | tr ' ' ,)" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	--customize-hook='chroot "$1" apt-get install -q -y --download-only '"$repo_pkgs" \
	--customize-hook='mkdir -p "$1/srv/local-repo" && mv "$1"/var/cache/apt/archives/*.deb "$1/srv/local-repo/"' \
	--customize-hook='cd "$1/srv/local-repo" && dpkg-scanpackages -m . >Packages 2>/dev/null' \
	"$suite" "$tar" \
	"deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" \
	>"$top/rootfs.log" 2>&1 ||
	{ tail -n 20 "$top/rootfs.log" >&2; die "mmdebstrap failed (no route to $mirror? set DEBIAN_MIRROR); see $top/rootfs.log"; }
echo "$key" >"$top/rootfs.key"
say "built ${tar#$SPF_ROOT/} ($(du -h "$tar" | cut -f1)) in $(( $(date +%s) - start ))s"
