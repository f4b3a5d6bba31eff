#!/bin/sh
# make distro-check: boot the disk of make-distro-image.sh (Debian 12,
# systemd, ext4 on virtio, the kernel package installed by dpkg -i) under
# QEMU with 2 vCPUs and 2 NUMA nodes; its spf-distro-check service runs
# real programs with SPF off and on (guest/distro/run-programs.sh). The
# guest's report streams here; the table and plot go to build/results/
# (distro-report.sh). Fails on a failed check, a kernel splat on the
# console, a failed systemd unit or a guest that does not finish.
#
# Environment: VCPUS (2), MEM (2G), TIMEOUT (seconds, 5400), ACCEL (auto:
# KVM only where the harness's probe found it works; tcg or kvm).
. "$(dirname "$0")/lib.sh"
arch_setup

top=$BUILD/distro-$SPF_ARCH
VCPUS=${VCPUS:-2}; MEM=${MEM:-2G}; TIMEOUT=${TIMEOUT:-5400}; ACCEL=${ACCEL:-auto}
check_guest_size 1024
for f in disk.ext4 vmlinuz initrd.img kernel-release; do
	[ -f "$top/$f" ] || die "no $top/$f: run scripts/make-distro-image.sh (make distro-check does)"
done
need "$QEMU" timeout

case $ACCEL in
kvm|tcg) accel=$ACCEL ;;
auto)
	# The probe boot.sh caches; without it, TCG (nested KVM may hang).
	accel=$(sed -n 2p "$BUILD/accel-probe$SFX" 2>/dev/null || true)
	[ "$accel" = kvm ] || accel=tcg ;;
*) die "ACCEL must be auto, kvm or tcg (got '$ACCEL')" ;;
esac
[ "$accel" = tcg ] && accel="tcg,thread=multi"

logs=$BUILD/logs
mkdir -p "$logs"
console=$logs/distro-check.console.log
results=$logs/distro-check.results.log
: >"$console"; : >"$results"

numa=$(numa_args)

say "booting Debian 12 with kernel $(cat "$top/kernel-release"): $VCPUS vCPUs, $mem_mb MiB, 2 NUMA nodes, $accel, timeout ${TIMEOUT}s"
say "console: ${console#$SPF_ROOT/}"
start=$(date +%s)
# shellcheck disable=SC2086
timeout -k 5 "$TIMEOUT" "$QEMU" -accel "$accel" $QEMU_ARGS \
	$numa \
	-display none -vga none -monitor none -no-reboot -nodefaults \
	-chardev file,id=con,path="$console" -chardev file,id=res,path="$results" $QEMU_CHANNELS \
	-drive file="$top/disk.ext4",if=none,format=raw,id=disk0 -device virtio-blk-pci,drive=disk0 \
	-kernel "$top/vmlinuz" -initrd "$top/initrd.img" \
	-append "root=/dev/vda rw console=$CONSOLE panic=-1 ${APPEND:-}" \
	</dev/null >"$logs/distro-check.qemu.out" 2>&1 &
qpid=$!
tail -n +1 -s 0.5 -f --pid=$qpid "$results" 2>/dev/null | sed -u -e 's/\r$//' -e '/^@@/d' || true
wait $qpid && qrc=0 || qrc=$?
tr -d '\r' <"$results" >"$results.tmp" && mv "$results.tmp" "$results"
secs=$(( $(date +%s) - start ))

rc=$(guest_status "$qrc" "$results" "$console" "$logs/distro-check.qemu.out")
"$SPF_ROOT/scripts/distro-report.sh" "$results" || true
say "distro-check: guest ran ${secs}s; status $rc"
exit "$rc"
