#!/bin/sh
# Print the path of the kernel's usr/gen_init_cpio, compiled from build/linux
# on first use (it needs no kernel config).
. "$(dirname "$0")/lib.sh"

gen=$BUILD/gen_init_cpio
src=$TREE/usr/gen_init_cpio.c
[ -f "$src" ] || die "no kernel tree: run 'make tree'"
if [ ! -x "$gen" ] || [ "$src" -nt "$gen" ]; then
	need gcc
	gcc -O2 -o "$gen" "$src" || die "could not compile $src"
fi
echo "$gen"
