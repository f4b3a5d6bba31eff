#!/bin/sh
# Build the kernel of build/linux in its own output folder, for the guest
# architecture of SPF_ARCH (make's ARCH; see arch_setup in lib.sh).
#
#   build-kernel.sh debug|release|base|v6.12
#
# debug and release build build/linux (6.1 with the series); base builds
# build/linux-base (6.1 without it) and v6.12 build/linux-6.12, both with the
# release config, for make bench-peers (x86_64 only; scripts/peer-trees.sh
# makes the trees). Config: tinyconfig + configs/<arch>-qemu.config +
# configs/<debug|release>.config (+ configs/kasan.config for a debug kernel
# of an arch with KASAN), remade when a fragment changes. Output: the image in
# build/kernel-<kind> (x86_64) or build/kernel-<arch>-<kind>, and the UAPI
# headers in its usr/include for the guest programs.
. "$(dirname "$0")/lib.sh"

kind=${1:-}
tree=$TREE cfg=$kind
case $kind in
debug|release) ;;
base) tree=$BUILD/linux-base cfg=release ;;
v6.12) tree=$BUILD/linux-6.12 cfg=release ;;
*) die "usage: build-kernel.sh debug|release|base|v6.12 (got '$kind')" ;;
esac
case $kind in debug|release) ;; *)
	[ "$SPF_ARCH" = x86_64 ] || die "the $kind kernel is built for x86_64 only (make bench-peers)" ;;
esac
need make gcc ccache flex bison bc "${CROSS}gcc"
[ -f "$tree/Makefile" ] || die "no kernel tree in $tree: run 'make tree' (or scripts/peer-trees.sh)"

out=$(kernel_dir "$kind")
frags="$SPF_ROOT/configs/$SPF_ARCH-qemu.config $SPF_ROOT/configs/$cfg.config"
[ "$cfg$KASAN" != debug1 ] || frags="$frags $SPF_ROOT/configs/kasan.config"
need_disk 3
mkdir -p "$out"

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# ccache keys on the compiler and preprocessed source, so a recreated tree
# (new mtimes, same content) rebuilds from the cache in a fraction of the time.
# ARCH is given even for x86 (kbuild's default there): the environment may hold another.
KMAKE="make -s -C $tree O=$out -j$(( $(nproc) + 1 )) ARCH=$KARCH CROSS_COMPILE=$CROSS CC=ccache\ ${CROSS}gcc HOSTCC=ccache\ gcc"

cfg_hash=$(cat $frags "$tree/Makefile" | sha256sum | cut -c1-16)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.config-fragments" 2>/dev/null)" != "$cfg_hash" ]; then
	say "configuring the $SPF_ARCH $kind kernel (tinyconfig + $(echo $frags | sed "s|$SPF_ROOT/||g"))"
	eval "$KMAKE tinyconfig" >"$out/config.log" 2>&1 || die "make tinyconfig failed; see $out/config.log"
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags >"$out/merge_config.log" 2>&1 ||
		die "merge_config.sh failed; see $out/merge_config.log"
	eval "$KMAKE olddefconfig" >>"$out/config.log" 2>&1 || die "make olddefconfig failed; see $out/config.log"
	# Every option a fragment asks for must be in the final config as asked:
	# a dependency that silently drops one would leave a test without its feature.
	lost=$(grep -h '^CONFIG_' $frags | while IFS= read -r line; do
		grep -qxF "$line" "$out/.config" || echo "$line"
	done)
	case $kind in
	debug|release)
		[ -z "$lost" ] || die "config options dropped by olddefconfig (missing dependency?):
$lost" ;;
	*)
		# Kernels without the series lack its option; 6.12 renamed a few.
		[ -z "$lost" ] || say "note: the $kind kernel has no" $lost ;;
	esac
	echo "$cfg_hash" >"$out/.config-fragments"
fi

say "building the $SPF_ARCH $kind kernel in ${out#$SPF_ROOT/}"
start=$(date +%s)
eval "$KMAKE $KIMAGE" >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; die "kernel build failed; full log: $out/build.log"; }
eval "$KMAKE headers" >>"$out/build.log" 2>&1 || die "headers build failed; see $out/build.log"
grep -E 'warning:|error:' "$out/build.log" >&2 || true
say "built ${out#$SPF_ROOT/}/$KIMAGE_PATH in $(( $(date +%s) - start ))s"
