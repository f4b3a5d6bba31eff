#!/bin/sh
# Build the series on Debian's own kernel configuration as installable
# packages (the kernel's bindeb-pkg), for the architecture of SPF_ARCH
# (make's ARCH; cross-built where it is not the host's).
#
#   build-deb.sh            (MODULES=list|all in the environment)
#
# Config: Debian's config for the architecture's main flavour, from the
# linux-config-6.1 package (amd64_none_amd64, arm64_none_arm64,
# ppc64el_none_powerpc64le), with these changes only, all listed in
# build/deb-<arch>/config-changes.txt:
#   - CONFIG_SPECULATIVE_PAGE_FAULT=y, LOCALVERSION "-spf": the packages are
#     linux-image-<version>-spf, installed beside Debian's kernels;
#   - no debug info (and so no BTF): a 2-core machine builds it in a
#     fraction of the time, and bindeb-pkg makes no -dbg package;
#   - no Debian signing certificates (not in the source package): modules
#     are signed with a key made at build time, as an upstream build does;
#   - MODULES=list (default): only the modules of configs/deb-modules.list;
#     MODULES=all keeps Debian's whole module set.
# Options Debian builds in stay built in, but for the few that depend on a
# module turned off; the script lists them.
# Output: build/deb-<arch>/*.deb (image, headers, libc-dev).
. "$(dirname "$0")/lib.sh"
arch_setup

modules=${MODULES:-list}
case $modules in list|all) ;; *) die "MODULES must be list or all, not '$modules'" ;; esac
case $DEBARCH in
amd64) flavour=amd64_none_amd64 ;;
arm64) flavour=arm64_none_arm64 ;;
ppc64el) flavour=ppc64el_none_powerpc64le ;;
*) die "no Debian kernel config known for $DEBARCH" ;;
esac

host_debarch=$(dpkg --print-architecture)
if [ "$DEBARCH" = "$host_debarch" ]; then
	"$SPF_ROOT/scripts/install-deps.sh" linux-config-6.1 fakeroot dpkg-dev
	cfgdir=/usr/src/linux-config-6.1
	cfgver=$(dpkg-query -W -f '${Version}' linux-config-6.1)
else
	"$SPF_ROOT/scripts/install-deps.sh" fakeroot dpkg-dev
	# Debian ships each architecture's configs in its own linux-config-6.1:
	# fetch the foreign one and unpack it, once.
	unpack=$BUILD/linux-config-$DEBARCH
	if [ ! -d "$unpack/usr/src/linux-config-6.1" ]; then
		say "fetching linux-config-6.1:$DEBARCH"
		rm -rf "$unpack" && mkdir -p "$unpack"
		(cd "$unpack" && apt-get download -q "linux-config-6.1:$DEBARCH") >"$unpack/download.log" 2>&1 ||
			die "apt-get download linux-config-6.1:$DEBARCH failed; see $unpack/download.log"
		dpkg -x "$unpack"/linux-config-6.1_*.deb "$unpack" || die "dpkg -x of linux-config-6.1:$DEBARCH failed"
	fi
	cfgdir=$unpack/usr/src/linux-config-6.1
	cfgver=$(dpkg-deb -f "$unpack"/linux-config-6.1_*.deb Version)
fi
debcfg=$cfgdir/config.$flavour.xz
[ -f "$debcfg" ] || die "$debcfg not found: linux-config-6.1 has no $flavour config"
srcver=$(source_version)
[ "$cfgver" = "$srcver" ] ||
	say "note: Debian's config is from linux-config-6.1 $cfgver, the source from linux-source-6.1 $srcver; going on"

need make gcc ccache flex bison bc fakeroot dpkg-buildpackage rsync "${CROSS}gcc"
"$SPF_ROOT/scripts/tree.sh" ensure
need_disk 12

top=$BUILD/deb-$SPF_ARCH
out=$top/obj
mkdir -p "$out"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
KMAKE="make -s -C $TREE O=$out -j$(( $(nproc) + 1 )) LOCALVERSION= ARCH=$KARCH CROSS_COMPILE=$CROSS CC=ccache\ ${CROSS}gcc HOSTCC=ccache\ gcc"
list=$SPF_ROOT/configs/deb-modules.list
# LOCALVERSION= on the command line: without it, a kernel built from a git
# tree gets a "+" after the config's LOCALVERSION (scripts/setlocalversion).

# Remake the config when Debian's config, the module choice or this script
# change; otherwise keep it, so that a rebuild is incremental (kbuild
# itself follows the tree's Kconfig changes).
cfg_hash=$( (xz -dc "$debcfg"; echo "$modules"; cat "$list" "$0") | sha256sum | cut -c1-16)
if [ ! -f "$out/.config" ] || [ "$(cat "$top/.config-hash" 2>/dev/null)" != "$cfg_hash" ]; then
	say "configuring the $SPF_ARCH package kernel: Debian's $flavour config ($cfgver), MODULES=$modules"
	xz -dc "$debcfg" >"$top/config.debian"
	keep=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
	if [ "$modules" = list ]; then
		# Every Debian module not in the list goes; the list's own are kept.
		printf '%s\n' $keep | awk -F= '
			NR == FNR { keep["CONFIG_" $1] = 1; next }
			$2 == "m" && !($1 in keep) { print "# " $1 " is not set"; next }
			{ print }' - "$top/config.debian" >"$out/.config"
		skipped=
		for s in $keep; do
			grep -qx "CONFIG_$s=m" "$top/config.debian" || skipped="$skipped $s"
		done
		[ -z "$skipped" ] ||
			say "note: not modules in Debian's $flavour config (built in, or not on $SPF_ARCH), so not in the list's count:$skipped"
	else
		cp "$top/config.debian" "$out/.config"
	fi
	sc() { "$TREE/scripts/config" --file "$out/.config" "$@"; }
	sc --enable SPECULATIVE_PAGE_FAULT --set-str LOCALVERSION -spf --disable LOCALVERSION_AUTO \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str MODULE_SIG_KEY certs/signing_key.pem \
		--disable DEBUG_INFO --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
		--disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE
	eval "$KMAKE olddefconfig" >"$top/config.log" 2>&1 || die "make olddefconfig failed; see $top/config.log"

	grep -qx CONFIG_SPECULATIVE_PAGE_FAULT=y "$out/.config" ||
		die "CONFIG_SPECULATIVE_PAGE_FAULT did not survive olddefconfig on $SPF_ARCH"
	if [ "$modules" = list ]; then
		lost=
		for s in $keep; do
			grep -qx "CONFIG_$s=m" "$top/config.debian" || continue
			grep -qx "CONFIG_$s=m" "$out/.config" || lost="$lost $s"
		done
		[ -z "$lost" ] || die "modules of configs/deb-modules.list dropped by olddefconfig" \
			"(a dependency not in the list?):$lost"
	fi
	# Every difference from Debian's config, for the record.
	"$TREE/scripts/diffconfig" "$top/config.debian" "$out/.config" >"$top/config-changes.txt"
	nmod=$(grep -c '=m$' "$out/.config" || true)
	ny=$(grep -c '^-.* y$' "$top/config-changes.txt" || true)
	say "config: $nmod modules (Debian: $(grep -c '=m$' "$top/config.debian")); $ny built-in options" \
		"turned off (debug info, and sub-options of modules left out): ${top#$SPF_ROOT/}/config-changes.txt"
	echo "$cfg_hash" >"$top/.config-hash"
fi

kver=$(eval "$KMAKE -s kernelversion")
# bindeb-pkg writes the packages into the parent of the build folder.
rm -f "$top"/*.deb "$top"/*.changes "$top"/*.buildinfo
say "building the $SPF_ARCH packages in ${top#$SPF_ROOT/} (log: ${top#$SPF_ROOT/}/build.log)"
start=$(date +%s)
eval "$KMAKE KDEB_PKGVERSION=$kver-1 bindeb-pkg" >"$top/build.log" 2>&1 ||
	{ tail -n 30 "$top/build.log" >&2; die "make bindeb-pkg failed; full log: $top/build.log"; }
secs=$(( $(date +%s) - start ))
ls "$top"/linux-image-*.deb >/dev/null 2>&1 || die "bindeb-pkg made no linux-image package; see $top/build.log"
for d in "$top"/*.deb; do
	say "  ${d#$SPF_ROOT/} ($(du -h "$d" | cut -f1))"
done
say "built in $(( secs / 60 ))m$(( secs % 60 ))s"
echo "$secs" >"$top/build-seconds"
