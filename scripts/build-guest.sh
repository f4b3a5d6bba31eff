#!/bin/sh
# Build the guest programs as static binaries into build/guest/:
# our tests and benchmarks (guest/) and the kernel's own vm selftests,
# compiled from build/linux against the UAPI headers of a built kernel.
#
#   build-guest.sh debug|release   (which kernel's headers to use)
. "$(dirname "$0")/lib.sh"

kind=${1:-debug}
hdrs=$BUILD/kernel-$kind/usr/include
out=$BUILD/guest
need gcc make
[ -d "$hdrs" ] || die "no UAPI headers in $hdrs: build the $kind kernel first (make kernel KERNEL=$kind)"
[ -f /usr/lib/x86_64-linux-gnu/libnuma.a ] || die "static libnuma missing: run 'make deps'"

log=$out/build.log
mkdir -p "$out"
make -s -C "$SPF_ROOT/guest" OUT="$out" SELFTESTS="$TREE/tools/testing/selftests" >"$log" 2>&1 ||
	{ cat "$log" >&2; die "guest programs failed to build"; }

# The vm selftests. Their Makefile builds everything it knows; tests that
# cannot build here (32-bit protection_keys without multilib) are left out
# by the Makefile itself.
mkdir -p "$out/selftests/vm"
make -s -C "$TREE/tools/testing/selftests/vm" OUTPUT="$out/selftests/vm" \
	KHDR_INCLUDES="-isystem $hdrs" EXTRA_CFLAGS="-static -O2" >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "vm selftests failed to build; see $log"; }
say "built guest programs in build/guest"
