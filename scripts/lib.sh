# Shared helpers for the harness scripts. Source it; do not run it.
# shellcheck shell=sh

set -eu

# Repository root and the generated-files folder.
SPF_ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SPF_ROOT/build}
TREE=$BUILD/linux

# CI may run us with a bare environment: ccache and git want a HOME.
[ -n "${HOME:-}" ] || HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
export HOME

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need CMD... : fail with a clear message if a command is missing.
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' is not installed; run 'make deps' (needs root or sudo and Debian's package mirror)"
	done
}

# as_root COMMAND...: run it as root, with sudo if need be.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "'$*' needs root: run it as root or with passwordless sudo"
	fi
}

# check_guest_size MIN-MiB: check VCPUS, TIMEOUT and MEM (MiB, nM or nG) of
# a guest boot; sets mem_mb.
check_guest_size() {
	case $VCPUS in ''|*[!0-9]*|0) die "VCPUS must be a positive number (got '$VCPUS')" ;; esac
	case $TIMEOUT in ''|*[!0-9]*|0) die "TIMEOUT must be a positive number of seconds (got '$TIMEOUT')" ;; esac
	case $MEM in
	*[Gg]) mem_mb=$(( ${MEM%[Gg]} * 1024 )) ;;
	*[Mm]) mem_mb=${MEM%[Mm]} ;;
	*) mem_mb=$MEM ;;
	esac
	case $mem_mb in ''|*[!0-9]*) die "MEM must be MiB or nG, like 2048 or 2G (got '$MEM')" ;; esac
	[ "$mem_mb" -ge "$1" ] || die "MEM=$MEM is too small for the guest (at least $1 MiB)"
}

# numa_args: QEMU's -smp and the two NUMA nodes of every guest (VCPUS,
# mem_mb): memory split evenly, vCPUs as evenly as they go. One socket per
# vCPU, so that no cache is shared across nodes (the kernel warns about an
# LLC spanning two nodes).
numa_args() {
	half=$(( mem_mb / 2 )) n0=$(( (VCPUS + 1) / 2 ))
	printf '%s' "-smp $VCPUS,sockets=$VCPUS,cores=1,threads=1 -m ${mem_mb}M"
	printf ' %s' "-object memory-backend-ram,id=m0,size=${half}M -object memory-backend-ram,id=m1,size=$(( mem_mb - half ))M"
	printf ' %s' "-numa node,nodeid=0,cpus=0-$(( n0 - 1 )),memdev=m0"
	if [ "$VCPUS" -gt 1 ]; then
		printf ' %s\n' "-numa node,nodeid=1,cpus=$n0-$(( VCPUS - 1 )),memdev=m1"
	else
		printf ' %s\n' "-numa node,nodeid=1,memdev=m1"
	fi
}

# guest_status QEMU-STATUS RESULTS CONSOLE QEMU-OUTPUT: after a guest boot,
# print the job's exit status, from the results' last "@@SPF-EXIT N" line:
# 124 if QEMU ran out of TIMEOUT, 125 if the guest stopped without a status
# (saying why on stderr, with the console's tail), 1 instead of 0 for a
# kernel splat on the console.
guest_status() {
	status=$(sed -n 's/^@@SPF-EXIT \([0-9]*\).*/\1/p' "$2" | tail -n 1)
	rc=${status:-125}
	if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then
		say "error: the guest did not finish within TIMEOUT=${TIMEOUT}s; console log: $3"
		tail -n 20 "$3" >&2
		rc=124
	elif [ -z "$status" ]; then
		say "error: the guest stopped without reporting the job's status (panic or crash? QEMU exit status $1); console log: $3"
		tail -n 40 "$3" >&2
		[ -s "$4" ] && { say "QEMU said:"; cat "$4" >&2; }
	fi
	if ! "$SPF_ROOT/scripts/scan-console.sh" "$3"; then
		[ "$rc" -eq 0 ] && rc=1
	fi
	echo "$rc"
}

# Refuse to start a long job on a nearly full disk (kernel builds take ~3 GiB each).
need_disk() {
	mkdir -p "$BUILD"
	avail_kb=$(df -Pk "$BUILD" | awk 'NR == 2 { print $4 }')
	[ "$avail_kb" -ge $(( ${1:-4} * 1024 * 1024 )) ] ||
		die "only $(( avail_kb / 1024 )) MiB free under $BUILD; need ${1:-4} GiB: free some space (make clean removes kernel builds)"
}

# Installed linux-source-6.1 version and tarball.
source_version() { dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || true; }
source_tarball() { ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true; }

# The version the series was made against.
series_base_version() { sed -n 's/^linux-source-6.1 //p' "$SPF_ROOT/patches/BASE-VERSION"; }

# Numbered patch files of the series, in order (the cover letter is not a patch).
series_files() {
	for p in "$SPF_ROOT"/patches/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$p" ] || continue
		case ${p##*/} in 0000-*) continue ;; esac
		printf '%s\n' "$p"
	done
}

# Fixed identity and dates make the kernel tree's commits (and so the
# exported series) reproducible from one machine to the next.
export GIT_AUTHOR_NAME="SPF harness" GIT_AUTHOR_EMAIL="spf@localhost"
export GIT_COMMITTER_NAME="SPF harness" GIT_COMMITTER_EMAIL="spf@localhost"
export KBUILD_BUILD_TIMESTAMP="2025-01-01" KBUILD_BUILD_USER=spf KBUILD_BUILD_HOST=spf

# The guest's architecture, in this one place. The Makefile passes make's
# ARCH, MMU and LA57 as SPF_ARCH, SPF_MMU and SPF_LA57 (ARCH itself is
# kbuild's). arch_setup refuses bad values and sets:
#   KARCH kernel ARCH; CROSS its CROSS_COMPILE prefix ('' for the host's gcc);
#   TRIPLE the GNU triple; DEBARCH the Debian architecture; MACHINE the vm
#   selftests' name for it; ELF what file(1) says of its binaries;
#   KIMAGE the kernel image target and KIMAGE_PATH its path in the build dir;
#   QEMU, its Debian package QEMU_PKG, QEMU_ARGS (machine, CPU) and
#   QEMU_CHANNELS (the devices of the chardevs con, the kernel console,
#   and res, the results channel);
#   CONSOLE the kernel's console; ARCH_APPEND kernel command line words;
#   GUEST the guest in words (x86_64 LA57, ppc64le hash MMU, ...);
#   KASAN 1 if the debug kernel has KASAN; TSCALE how much slower than
#   x86_64 its guest runs under TCG, rounded up (default timeouts are scaled
#   by it; measured on 2 host cores: the ppc64le debug kernel, without KASAN,
#   runs the suites faster than x86_64's, arm64's up to 1.5 times slower);
#   ASFX the suffix of its build outputs and SFX that of its runs' logs and
#   results: both empty for x86_64 as it always was; TCG_THREADS how QEMU's
#   TCG runs the vCPUs (multi or single, boot.sh's TCG default); HPT_PAGES
#   the pseries page-size option of the hash guest.
arch_setup() {
	SPF_ARCH=${SPF_ARCH:-x86_64} SPF_MMU=${SPF_MMU:-} SPF_LA57=${SPF_LA57:-}
	case $SPF_LA57 in ''|0|1) ;; *) die "LA57 must be 1 or 0 (got '$SPF_LA57')" ;; esac
	case ${TCG:-} in ''|multi|single) ;; *) die "TCG must be multi or single (got '$TCG')" ;; esac
	[ "$SPF_LA57" != 1 ] || [ "$SPF_ARCH" = x86_64 ] ||
		die "LA57=1 (5-level paging) is for ARCH=x86_64, not $SPF_ARCH"
	[ -z "$SPF_MMU" ] || [ "$SPF_ARCH" = ppc64le ] ||
		die "MMU=$SPF_MMU is for ARCH=ppc64le (radix or hash), not $SPF_ARCH"
	ARCH_APPEND= HPT_PAGES= KASAN=1 ASFX=-$SPF_ARCH SFX=-$SPF_ARCH GUEST=$SPF_ARCH TCG_THREADS=multi
	case $SPF_ARCH in
	x86_64)
		KARCH=x86 TRIPLE=x86_64-linux-gnu DEBARCH=amd64 MACHINE=x86_64 ELF=x86-64
		KIMAGE=bzImage KIMAGE_PATH=arch/x86/boot/bzImage
		# TCG's "max" CPU has la57, and the kernel (X86_5LEVEL) would use
		# it: say which paging mode, so that plain x86_64 is 4-level.
		QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 QEMU_ARGS="-cpu max,-la57" CONSOLE=ttyS0 TSCALE=1
		QEMU_CHANNELS="-serial chardev:con -serial chardev:res"
		ASFX= SFX=
		[ "$SPF_LA57" != 1 ] || QEMU_ARGS="-cpu max,+la57" SFX=-la57 GUEST="x86_64 LA57" ;;
	ppc64le)
		case ${SPF_MMU:=radix} in
		radix) ;;
		# 16M pages for the hash MMU's THP (QEMU allows 64K by default).
		hash) ARCH_APPEND=disable_radix SFX=$SFX-hash HPT_PAGES=,cap-hpt-max-page-size=16M ;;
		*) die "MMU must be radix or hash (got '$SPF_MMU')" ;;
		esac
		GUEST="ppc64le $SPF_MMU MMU"
		# KASAN on ppc64 is radix-only in 6.1, and the debug kernel boots both.
		KARCH=powerpc TRIPLE=powerpc64le-linux-gnu DEBARCH=ppc64el MACHINE=ppc64
		ELF="64-bit PowerPC" KIMAGE=vmlinux KIMAGE_PATH=vmlinux KASAN=0
		QEMU=qemu-system-ppc64 QEMU_PKG=qemu-system-ppc QEMU_ARGS="-M pseries${HPT_PAGES:-} -cpu power9" CONSOLE=hvc0 TSCALE=1
		# Debian 12's QEMU (7.2) lets another vCPU finish a translated
		# block through a TLB entry that a ppc64 TLB flush (hcall or
		# tlbie) dropped, so a user store can land in a page the kernel
		# has freed (make check SUITES=stale-tlb TCG=multi shows it, SPF
		# off; fixed in QEMU 9.1 by 82676f1fc4b1). One TCG thread for
		# both vCPUs cannot do that: docs/architectures.md.
		TCG_THREADS=single
		# Each -serial is a spapr-vty: hvc0 and hvc1 in the guest.
		QEMU_CHANNELS="-serial chardev:con -serial chardev:res"
		ARCH_APPEND="$ARCH_APPEND spf_results=/dev/hvc1" ;;
	arm64)
		KARCH=arm64 TRIPLE=aarch64-linux-gnu DEBARCH=arm64 MACHINE=arm64 ELF="ARM aarch64"
		KIMAGE=Image KIMAGE_PATH=arch/arm64/boot/Image
		QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm QEMU_ARGS="-M virt,gic-version=3 -cpu max" CONSOLE=ttyAMA0 TSCALE=2
		# The PL011 is the console; virt has one UART, so results go to a virtio console.
		QEMU_CHANNELS="-serial chardev:con -device virtio-serial-device -device virtconsole,chardev=res"
		ARCH_APPEND="spf_results=/dev/hvc0" ;;
	*) die "ARCH must be x86_64, ppc64le or arm64 (got '$SPF_ARCH')" ;;
	esac
	ARCH_APPEND=${ARCH_APPEND# }
	CROSS=$TRIPLE-
	[ "$(host_arch)" != "$SPF_ARCH" ] || CROSS=
	export SPF_ARCH SPF_MMU SPF_LA57
}

# The host in arch_setup's names (uname -m says aarch64 for arm64).
host_arch() {
	case $(uname -m) in aarch64) echo arm64 ;; *) uname -m ;; esac
}

# Build outputs and run names of the chosen architecture.
kernel_dir() { echo "$BUILD/kernel$ASFX-$1"; }	# kernel_dir debug|release|...
guest_dir() { echo "$BUILD/guest$ASFX"; }
initramfs_path() { echo "$BUILD/initramfs$ASFX.cpio.gz"; }
sysroot_dir() { echo "$BUILD/sysroot-$SPF_ARCH"; }	# foreign arches' static libs, busybox
run_name() { echo "$1$SFX"; }			# run_name check -> check-ppc64le-hash
scaled() { echo $(( $1 * TSCALE )); }		# scaled SECONDS: a default timeout
# BENCH="prefix ...": the benchmark scenarios to run (all when empty).
check_bench_var() {
	case ${BENCH:-} in *[!a-z0-9\ -]*)
		die "BENCH takes scenario name prefixes (letters, digits, '-'), got '$BENCH'" ;;
	esac
}

# Where the guest's busybox and static libraries come from: the host's own
# packages when it is of the guest's arch, else the arch's Debian packages
# unpacked into build/sysroot-<arch> (install-deps.sh).
guest_busybox() {
	if [ -z "$CROSS" ]; then echo /bin/busybox; else echo "$(sysroot_dir)/bin/busybox"; fi
}
guest_libdir() {
	if [ -z "$CROSS" ]; then echo "/usr/lib/$TRIPLE"; else echo "$(sysroot_dir)/usr/lib/$TRIPLE"; fi
}

# check_static FILE: die unless FILE is a static executable of the chosen arch.
check_static() {
	need file
	what=$(file -b "$1" 2>/dev/null) || die "$1 not found"
	case $what in
	*"$ELF"*) ;;
	*) die "$1 is not a $SPF_ARCH program (file says: $what)" ;;
	esac
	case $what in
	*static*) ;;
	*) die "$1 is dynamically linked: the guest has no shared libraries (file says: $what)" ;;
	esac
}

# accel_used NAME...: the accelerator the boots NAME... (boot.sh's NAME)
# used, for report titles, as boot.sh recorded it in build/logs/NAME.accel;
# several different ones are joined with '/', none known is '?'.
accel_used() {
	a=
	for n in "$@"; do
		v=$(cat "$BUILD/logs/$n.accel" 2>/dev/null) || continue
		case /$a/ in */"$v"/*) ;; *) a=${a:+$a/}$v ;; esac
	done
	echo "${a:-?}"
}

arch_setup
