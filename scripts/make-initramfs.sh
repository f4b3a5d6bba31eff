#!/bin/sh
# Pack the guest's base initramfs: busybox, /init and the guest programs.
# Uses the kernel's own gen_init_cpio (no root needed for device nodes).
# The same initramfs serves the debug and the release kernel.
#
#   make-initramfs.sh   -> build/initramfs.cpio.gz (x86_64) or
#                          build/initramfs-<arch>.cpio.gz (SPF_ARCH)
. "$(dirname "$0")/lib.sh"

gen=$("$SPF_ROOT/scripts/gen-init-cpio.sh")
out=$(initramfs_path)
guest=$(guest_dir)
busybox=$(guest_busybox)
[ -d "$guest/tests" ] || die "guest programs missing: run 'make guest${SFX:+ ARCH=$SPF_ARCH}'"
[ -x "$busybox" ] || die "busybox missing: run 'make deps${CROSS:+ ARCH=$SPF_ARCH}' (package busybox-static)"
check_static "$busybox"

spec=${out%.cpio.gz}.spec
{
	for d in /bin /dev /proc /sys /tmp /run /root /opt /mnt /spf /spf/bin; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $SPF_ROOT/guest/init 0755 0 0"
	echo "dir /etc 0755 0 0"
	for f in "$SPF_ROOT"/guest/etc/*; do
		echo "file /etc/${f##*/} $f 0644 0 0"
	done
	for f in "$SPF_ROOT"/guest/*.sh "$SPF_ROOT"/guest/selftests/*.list; do
		[ -e "$f" ] && echo "file /spf/${f##*/} $f 0755 0 0"
	done
	(cd "$guest" && find tests bench stress selftests -type d) | while read -r d; do
		echo "dir /spf/$d 0755 0 0"
	done
	(cd "$guest" && find tests bench stress selftests -type f -perm -u+x) | while read -r f; do
		echo "file /spf/$f $guest/$f 0755 0 0"
	done
} >"$spec"
"$gen" "$spec" | gzip -1 >"$out.tmp" || die "gen_init_cpio failed on $spec"
mv "$out.tmp" "$out"
say "packed ${out#$SPF_ROOT/} ($(( $(stat -c %s "$out") / 1024 )) KiB)"
