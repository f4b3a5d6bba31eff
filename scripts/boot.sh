#!/bin/sh
# Boot a built kernel under QEMU, run one job in the guest, return its status.
# The guest's architecture is SPF_ARCH (make's ARCH; see arch_setup in lib.sh
# for its QEMU machine, consoles and kernel image).
#
#   boot.sh KIND NAME JOB [HOST-FILE...]
#
# KIND is debug or release; NAME names the logs; JOB is a shell script run as
# /spf/job in the guest (cwd /opt); the HOST-FILEs are copied into /opt.
# The job's output streams to stdout as the guest prints it; the kernel
# console goes to build/logs/NAME.console.log and is scanned for splats.
# Exit status: the job's, or 1 for a splat, 124 for a timeout, 125 for a
# guest that died without reporting a status.
#
# Environment: VCPUS (2), MEM (MiB or nG, 2G), TIMEOUT (seconds, 600 on
# x86_64, scaled for slower guests), ACCEL (auto, kvm or tcg), TCG (multi:
# a host thread per vCPU, or single: one thread for all; the default is
# the guest's, lib.sh), APPEND (extra
# kernel command line), SPF_ARCH, SPF_MMU, SPF_LA57 (the guest).
. "$(dirname "$0")/lib.sh"

kind=${1:-}; name=${2:-}; job=${3:-}
[ $# -ge 3 ] || die "usage: boot.sh debug|release NAME JOB [HOST-FILE...]"
shift 3
VCPUS=${VCPUS:-2}; MEM=${MEM:-2G}; TIMEOUT=${TIMEOUT:-$(scaled 600)}; ACCEL=${ACCEL:-auto}
TCG=${TCG:-$TCG_THREADS}	# lib.sh: single for ppc64le, multi elsewhere
PATH=$PATH:/usr/sbin:/sbin	# mkfs.ext4, outside a normal user's PATH on Debian
need "$QEMU" timeout mkfs.ext4

kernel=$(kernel_dir "$kind")/$KIMAGE_PATH
base=$(initramfs_path)
gen=$("$SPF_ROOT/scripts/gen-init-cpio.sh")
[ -f "$kernel" ] || die "no $SPF_ARCH $kind kernel: run 'make kernel KERNEL=$kind${ASFX:+ ARCH=$SPF_ARCH}'"
[ -f "$base" ] || die "no initramfs: run 'make initramfs${ASFX:+ ARCH=$SPF_ARCH}'"
[ -f "$job" ] || die "job script $job not found"
check_guest_size 256

logs=$BUILD/logs
mkdir -p "$logs"
console=$logs/$name.console.log
results=$logs/$name.results.log
run=$(mktemp -d "${TMPDIR:-/tmp}/spf-boot.XXXXXX")
trap 'rm -rf "$run"' EXIT INT TERM

numa=$(numa_args)

# pack_job JOB FILES... -> $run/initrd: the base archive plus one holding
# /spf/job and /opt/<file> (the kernel unpacks concatenated archives in order).
pack_job() {
	j=$1; shift
	{
		echo "file /spf/job $j 0755 0 0"
		for f in "$@"; do
			[ -f "$f" ] || die "ADD: $f is not a file"
			echo "file /opt/${f##*/} $(realpath "$f") 0755 0 0"
		done
	} >"$run/job.spec"
	"$gen" "$run/job.spec" | gzip -1 >"$run/job.cpio.gz"
	cat "$base" "$run/job.cpio.gz" >"$run/initrd"
}

# The debug kernel poisons freed pages (CONFIG_PAGE_POISONING): a page
# written after it was freed is reported when it is allocated again.
kind_args=
[ "$kind" = debug ] && kind_args=page_poison=1

# A fresh ext4 disk for each boot (sparse, 512 MiB), on a virtio block
# device: the guest's init mounts it on /mnt/ext4 when its kernel has the
# drivers, so that file faults also run on a disk filesystem.
truncate -s 512M "$run/disk.img"
mkfs.ext4 -q -F -L spf "$run/disk.img" >"$run/mkfs.out" 2>&1 ||
	die "mkfs.ext4 failed on $run/disk.img (disk full?): $(cat "$run/mkfs.out")"
disk="-drive file=$run/disk.img,if=none,format=raw,id=disk0 -device virtio-blk-pci,drive=disk0,num-queues=1"

# qemu ACCEL SECONDS CONSOLE RESULTS: boot the packed initrd; returns QEMU's
# status (124 on timeout). The results file fills while the guest runs.
qemu() {
	timeout -k 5 "$2" "$QEMU" -accel "$1" $QEMU_ARGS $numa \
		-display none -vga none -monitor none -no-reboot -nodefaults \
		-chardev file,id=con,path="$3" -chardev file,id=res,path="$4" $QEMU_CHANNELS \
		$disk -kernel "$kernel" -initrd "$run/initrd" \
		-append "console=$CONSOLE panic=-1 oops=panic secretmem.enable=1${ARCH_APPEND:+ $ARCH_APPEND} $kind_args ${APPEND:-}" \
		</dev/null >"$run/qemu.out" 2>&1
}

# KVM is used only if a probe boot reaches /init quickly: on some hosts
# /dev/kvm opens but nested guests hang while decompressing the kernel.
# The verdict is cached per host kernel and QEMU version (and per CPU
# flavour: LA57 has its own cache). A guest of another arch gets TCG.
choose_accel() {
	case $ACCEL in
	kvm|tcg) echo "$ACCEL"; return ;;
	auto) ;;
	*) die "ACCEL must be auto, kvm or tcg (got '$ACCEL')" ;;
	esac
	if [ "$(host_arch)" != "$SPF_ARCH" ]; then
		say "accelerator: tcg (guest $SPF_ARCH, host $(host_arch))"
		echo tcg; return
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		say "accelerator: tcg (no usable /dev/kvm)"
		echo tcg; return
	fi
	key="$(uname -r) $("$QEMU" --version | head -n 1)"
	cache=$BUILD/accel-probe$SFX
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		a=$(sed -n 2p "$cache")
		say "accelerator: $a ($(sed -n 3p "$cache"); cached in ${cache#$SPF_ROOT/})"
		echo "$a"; return
	fi
	echo 'exit 0' >"$run/probe.sh"
	pack_job "$run/probe.sh"
	: >"$run/probe.results"
	if qemu kvm 25 "$run/probe.console" "$run/probe.results" && grep -q '^@@SPF-EXIT 0' "$run/probe.results"; then
		a=kvm; why="a KVM probe boot reached /init"
	else
		a=tcg; why="/dev/kvm exists but a KVM probe boot did not reach /init in 25s"
	fi
	printf '%s\n%s\n%s\n' "$key" "$a" "$why" >"$cache"
	say "accelerator: $a ($why)"
	echo "$a"
}

accel=$(choose_accel)
# For report titles (accel_used in lib.sh): what this run used.
echo "$accel" >"$logs/$name.accel"
[ "$accel" = tcg ] && accel="tcg,thread=$TCG"
pack_job "$job" "$@"
say "booting the $GUEST $kind kernel: $VCPUS vCPUs, ${mem_mb} MiB, 2 NUMA nodes, $accel, timeout ${TIMEOUT}s"

: >"$console"; : >"$results"
qemu "$accel" "$TIMEOUT" "$console" "$results" &
qpid=$!
# Stream the job's output as it arrives, without the status line; sed -u
# keeps it line by line when stdout is a pipe or a CI log, not a terminal.
tail -n +1 -s 0.2 -f --pid=$qpid "$results" 2>/dev/null | sed -u -e 's/\r$//' -e '/^@@SPF-EXIT /d' || true
wait $qpid && qrc=0 || qrc=$?
tr -d '\r' <"$results" >"$results.tmp" && mv "$results.tmp" "$results"

rc=$(guest_status "$qrc" "$results" "$console" "$run/qemu.out")
exit "$rc"
