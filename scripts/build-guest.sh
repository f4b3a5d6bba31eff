#!/bin/sh
# Build the guest programs as static binaries for the guest architecture
# (SPF_ARCH) into build/guest (x86_64) or build/guest-<arch>: our tests and
# benchmarks (guest/) and the kernel's own vm selftests, compiled from
# build/linux against the UAPI headers of a built kernel, with the arch's
# cross compiler and static libraries (build/sysroot-<arch>) if it is not
# the host's.
#
#   build-guest.sh debug|release   (which kernel's headers to use)
. "$(dirname "$0")/lib.sh"

kind=${1:-debug}
hdrs=$(kernel_dir "$kind")/usr/include
out=$(guest_dir)
libdir=$(guest_libdir)
cc=${CROSS}gcc
need "$cc" make
[ -d "$hdrs" ] || die "no UAPI headers in $hdrs: build the $kind kernel first (make kernel KERNEL=$kind${SFX:+ ARCH=$SPF_ARCH})"
[ -f "$libdir/libnuma.a" ] || die "static libnuma missing in $libdir: run 'make deps${CROSS:+ ARCH=$SPF_ARCH}'"
extra=
[ -z "$CROSS" ] || extra="-I$(sysroot_dir)/usr/include -L$libdir"

log=$out/build.log
mkdir -p "$out"
make -s -C "$SPF_ROOT/guest" OUT="$out" SELFTESTS="$TREE/tools/testing/selftests" CC="$cc" \
	KHDR_INCLUDES="-isystem $hdrs" EXTRA_CFLAGS="$extra" >"$log" 2>&1 ||
	{ cat "$log" >&2; die "guest programs failed to build"; }

# The vm selftests. Their Makefile builds what it knows for MACHINE; tests
# that cannot build here (32-bit protection_keys without multilib) are left
# out by the Makefile itself.
sel=$out/selftests/vm
mkdir -p "$sel"
selftests() {	# selftests OPT [TARGET...]
	opt=$1; shift
	make -s -C "$TREE/tools/testing/selftests/vm" OUTPUT="$sel" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
		MACHINE="$MACHINE" KHDR_INCLUDES="-isystem $hdrs" EXTRA_CFLAGS="-static $opt $extra" "$@" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "vm selftests failed to build; see $log"; }
}
# At -O2, gcc 12 for ppc64le makes a conditional branch across the 64 KiB
# aligned code of protection_keys that the assembler cannot encode ("operand
# out of range"): build that one at -O0, as the selftests' Makefile does.
[ "$MACHINE" != ppc64 ] || selftests -O0 "$sel/protection_keys"
selftests -O2
# ppc64 has only the 64-bit protection_keys, which the list knows by x86's name.
[ ! -f "$sel/protection_keys" ] || ln -f "$sel/protection_keys" "$sel/protection_keys_64"
check_static "$sel/spf"
check_static "$sel/spf_file"
say "built guest programs in ${out#$SPF_ROOT/}"
