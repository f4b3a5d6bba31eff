#!/bin/sh
# Install the Debian packages the harness needs for the guest architecture
# SPF_ARCH (make's ARCH), only those missing. For a guest of another arch
# than the host, its userland (static busybox, libnuma, libcap) is not
# installed (multiarch version skew breaks apt-get install of foreign
# packages): the packages are downloaded into build/debs-<arch> and unpacked
# into build/sysroot-<arch>, once (remove that folder to fetch them again).
#
#   install-deps.sh [EXTRA-PACKAGE...]
. "$(dirname "$0")/lib.sh"

# Packages: kernel source and build deps, QEMU, guest userland, tools.
PKGS="linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
cpio xz-utils kmod rsync ccache git file $QEMU_PKG gnuplot-nox python3
e2fsprogs"
GUEST_PKGS="busybox-static libcap-dev libnuma-dev"
if [ -z "$CROSS" ]; then
	PKGS="$PKGS $GUEST_PKGS"
else
	# The cross C library (headers, libc.a) is only a Recommends of the
	# cross gcc, which --no-install-recommends leaves out.
	PKGS="$PKGS gcc-$TRIPLE libc6-dev-$DEBARCH-cross"
fi
# Extra packages a target needs (make bench-peers: linux-source-6.12).
PKGS="$PKGS $*"

log=$BUILD/apt.log
mkdir -p "$BUILD"
export DEBIAN_FRONTEND=noninteractive

# A mirror that fails one index (say "Mirror sync in progress" for one
# architecture) makes apt-get update fail as a whole, while what we need
# may well be there: warn, and let the install or download say if not.
apt_update() {
	as_root apt-get update -q >"$log.update" 2>&1 ||
		say "warning: apt-get update failed in part, going on (see $log):" \
			"$(grep -E '^(E|W):' "$log.update" | tail -n 3)"
	cat "$log.update" >>"$log" && rm -f "$log.update"
}

missing=
for p in $PKGS; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing:$missing"
	command -v apt-get >/dev/null || die "apt-get not found: this harness needs Debian 12 (bookworm)"
	: >"$log"
	apt_update
	# shellcheck disable=SC2086
	as_root apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1 ||
		die "apt-get install failed for:$missing (no network to the Debian mirror?); see $log"
	say "installed:$missing"
fi

[ -n "$CROSS" ] || exit 0
sysroot=$(sysroot_dir)
libdir=$(guest_libdir)
[ -x "$sysroot/bin/busybox" ] && [ -f "$libdir/libnuma.a" ] && [ -f "$libdir/libcap.a" ] && exit 0

say "fetching the $SPF_ARCH guest userland ($GUEST_PKGS) into ${sysroot#$SPF_ROOT/}"
debs=$BUILD/debs-$SPF_ARCH
rm -rf "$debs" "$sysroot"
mkdir -p "$debs"
: >>"$log"
if ! dpkg --print-foreign-architectures | grep -qx "$DEBARCH"; then
	as_root dpkg --add-architecture "$DEBARCH"
	apt_update
fi
download() {
	# shellcheck disable=SC2046
	(cd "$debs" && apt-get download -q $(for p in $GUEST_PKGS; do echo "$p:$DEBARCH"; done)) >>"$log" 2>&1
}
# Package lists older than the arch's last upload miss it: update, try again.
download || { apt_update; download; } ||
	die "apt-get download of $GUEST_PKGS for $DEBARCH failed; see $log"
for d in "$debs"/*.deb; do
	dpkg -x "$d" "$sysroot" || die "dpkg -x $d failed"
done
check_static "$sysroot/bin/busybox"
for a in libnuma.a libcap.a; do
	[ -f "$libdir/$a" ] || die "$a is not in $libdir after unpacking $debs"
done
say "guest userland for $SPF_ARCH in ${sysroot#$SPF_ROOT/}"
