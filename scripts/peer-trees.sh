#!/bin/sh
# The source trees of the kernels SPF is compared with (make bench-peers):
#   build/linux-base   6.1 without the series: a worktree of build/linux at
#                      its 'base' tag (Debian's linux-source-6.1 as unpacked)
#   build/linux-6.12   Debian's linux-source-6.12 (upstream per-VMA locks)
#
#   peer-trees.sh
. "$(dirname "$0")/lib.sh"

need git tar xz
"$SPF_ROOT/scripts/tree.sh" ensure >/dev/null

base=$BUILD/linux-base
if [ "$(git -C "$base" rev-parse HEAD 2>/dev/null)" != "$(git -C "$TREE" rev-parse base)" ]; then
	rm -rf "$base"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$base" base
	say "build/linux-base: 6.1 without the series"
fi

tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || die "no /usr/src/linux-source-6.12.tar.xz: run 'scripts/install-deps.sh linux-source-6.12'"
version=$(dpkg-query -W -f '${Version}' linux-source-6.12)
peer=$BUILD/linux-6.12
if [ "$(cat "$peer/.spf-version" 2>/dev/null)" != "$version" ]; then
	rm -rf "$peer"
	say "unpacking $tarball ($version)"
	mkdir -p "$peer"
	tar -xJf "$tarball" -C "$peer" --strip-components=1
	echo "$version" >"$peer/.spf-version"
fi
