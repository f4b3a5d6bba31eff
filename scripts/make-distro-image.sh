#!/bin/sh
# Make the disk of make distro-check: the Debian root filesystem of
# build-rootfs.sh, with the kernel package of make deb installed by dpkg -i
# inside it (its postinst runs depmod and update-initramfs as on any Debian
# system), the check's programs in /opt/spf-distro and its service enabled,
# as an ext4 image. Output in build/distro-<arch>/: disk.ext4, and the
# package's vmlinuz and initrd.img for QEMU to boot (no boot loader).
#
#   make-distro-image.sh
. "$(dirname "$0")/lib.sh"
arch_setup
PATH=$PATH:/usr/sbin:/sbin	# mke2fs, chroot

top=$BUILD/distro-$SPF_ARCH
tar=$top/rootfs.tar
debs=$BUILD/deb-$SPF_ARCH
[ -f "$tar" ] || die "no root filesystem in $tar: run scripts/build-rootfs.sh (make distro-check does)"
image=
for d in "$debs"/linux-image-*-spf_*.deb; do
	case $d in *-dbg_*) ;; *) [ -f "$d" ] && image=$d ;; esac
done
[ -n "$image" ] || die "no kernel package in ${debs#$SPF_ROOT/}: run 'make deb'"
need mke2fs chroot dpkg-deb
need_disk 10
krel=$(dpkg-deb -f "$image" Package | sed 's/^linux-image-//')

root=$top/root
cleanup() {
	mountpoint -q "$root/proc" 2>/dev/null && as_root umount "$root/proc"
	as_root rm -rf "$root"
}
trap cleanup EXIT INT TERM
cleanup
mkdir -p "$root"
say "making the distro-check disk: Debian 12 + ${image##*/}"
as_root tar -C "$root" -xf "$tar" || die "could not unpack $tar"

# The root filesystem in fstab first: update-initramfs puts fsck.ext4 in
# the initrd only for a root it finds there.
as_root sh -c "echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >'$root/etc/fstab'"
# dpkg -i as a user would; update-initramfs wants /proc.
as_root cp "$image" "$root/tmp/"
as_root mount -t proc proc "$root/proc"
as_root chroot "$root" dpkg -i "/tmp/${image##*/}" >"$top/dpkg.log" 2>&1 ||
	{ tail -n 20 "$top/dpkg.log" >&2; die "dpkg -i ${image##*/} failed in the Debian root filesystem; see $top/dpkg.log"; }
as_root umount "$root/proc"
as_root rm -f "$root/tmp/${image##*/}"
for f in vmlinuz initrd.img; do
	[ -f "$root/boot/$f-$krel" ] || die "dpkg -i left no /boot/$f-$krel; see $top/dpkg.log"
	cp "$root/boot/$f-$krel" "$top/$f"
done

# The system: root on the virtio disk, no network, apt on the local
# repository only (the guest has no route to a mirror), root without a
# password (to log in on the console when booted by hand).
as_root sh -c "
	echo spf-distro >'$root/etc/hostname'
	echo 'deb [trusted=yes] file:/srv/local-repo ./' >'$root/etc/apt/sources.list'
	chroot '$root' passwd -dq root
"

# The check: its programs, and the sources of the C project it compiles
# (the kernel's vm selftests, with the few kernel headers they include).
opt=$root/opt/spf-distro
as_root mkdir -p "$opt/src"
as_root cp "$SPF_ROOT"/guest/distro/run-programs.sh "$SPF_ROOT"/guest/distro/stdlib_work.py \
	"$SPF_ROOT"/guest/distro/Threads.java "$SPF_ROOT"/guest/distro/load.sql "$opt/"
(cd "$TREE" && tar -cf - tools/testing/selftests/lib.mk tools/testing/selftests/kselftest.h \
	tools/testing/selftests/kselftest_harness.h tools/testing/selftests/vm \
	tools/testing/selftests/x86/check_cc.sh tools/testing/selftests/x86/trivial_*program.c \
	mm/gup_test.h lib/test_hmm_uapi.h include/vdso scripts/subarch.include) |
	as_root tar -C "$opt/src" -xf - || die "could not copy the vm selftests from $TREE"
as_root cp "$SPF_ROOT/guest/distro/spf-distro-check.service" "$root/etc/systemd/system/"
as_root ln -sf /etc/systemd/system/spf-distro-check.service \
	"$root/etc/systemd/system/multi-user.target.wants/spf-distro-check.service"

rm -f "$top/disk.ext4"
truncate -s 8G "$top/disk.ext4"
as_root mke2fs -q -F -t ext4 -L debian -d "$root" "$top/disk.ext4" >"$top/mke2fs.log" 2>&1 ||
	die "mke2fs -d failed (disk full?); see $top/mke2fs.log"
echo "$krel" >"$top/kernel-release"
say "disk ${top#$SPF_ROOT/}/disk.ext4 (8 GiB sparse, $(du -h "$top/disk.ext4" | cut -f1) used), kernel $krel"
