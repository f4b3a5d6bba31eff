#!/bin/sh
# Walk the series patch by patch, as a reviewer or bisect would meet it:
# apply each patch in a scratch tree, run checkpatch.pl (errors fail), refuse
# XXX/FIXME/TODO in added lines and kernel-doc warnings that the patch adds
# to the C files it touches, and build what the patch touches: the
# directories of its .c files (only what the config enables), and mm/ and
# kernel/ when it changes a header or Kconfig. After the last patch, build
# the whole kernel. Uses the debug config.
#
#   check-series.sh            (make series-check)
. "$(dirname "$0")/lib.sh"

WALK=$BUILD/series-walk
OBJ=$BUILD/series-obj
CONFIG=$BUILD/kernel-debug/.config
LOG=$BUILD/logs/series-check.log

[ "$SPF_ARCH" = x86_64 ] || die "make series-check builds x86_64 only (not ARCH=$SPF_ARCH)"
[ -f "$CONFIG" ] || "$SPF_ROOT/scripts/build-kernel.sh" debug
need git make gcc ccache perl
need_disk 4
mkdir -p "$BUILD/logs"
"$SPF_ROOT/scripts/tree.sh" ensure >/dev/null

# A scratch checkout of the base, next to the work tree (same objects).
rm -rf "$WALK"
git -C "$TREE" worktree prune
git -C "$TREE" worktree add -q --detach "$WALK" base
mkdir -p "$OBJ"
cp "$CONFIG" "$OBJ/.config"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
jobs=$(( $(nproc) + 1 ))
kmake() { make -C "$WALK" O="$OBJ" ARCH="$KARCH" CC="ccache gcc" -j"$jobs" "$@" >>"$LOG" 2>&1; }

# The kernel-doc warnings of one version of a file, without line numbers.
kerneldoc_warnings() {
	"$WALK/scripts/kernel-doc" -none "$1" 2>&1 | sed 's/^[^:]*:[0-9]*: //' | sort
}

# kernel-doc warnings that the patch just applied adds to the C files it
# touches (those the base already had are not the series' business).
kerneldoc_new_warnings() {
	tmp=$(mktemp -d)
	for f in "$@"; do
		case $f in
		tools/*|Documentation/*) continue ;;
		*.c|*.h) ;;
		*) continue ;;
		esac
		[ -f "$WALK/$f" ] || continue
		kerneldoc_warnings "$WALK/$f" >"$tmp/after"
		if git -C "$WALK" cat-file -e "HEAD~1:$f" 2>/dev/null; then
			git -C "$WALK" show "HEAD~1:$f" >"$tmp/old.${f##*.}"
			kerneldoc_warnings "$tmp/old.${f##*.}" >"$tmp/before"
		else
			: >"$tmp/before"
		fi
		comm -13 "$tmp/before" "$tmp/after" | sed "s|^|$f: |"
	done
	rm -rf "$tmp"
}

: >"$LOG"
fail=0 n=0
for p in $(series_files); do
	n=$((n + 1))
	name=${p##*/}
	problems=
	git -C "$WALK" am -q -3 --committer-date-is-author-date "$p" >>"$LOG" 2>&1 ||
		die "$name does not apply on the previous patches (see $LOG)"

	errs=$(cd "$WALK" && ./scripts/checkpatch.pl --no-tree --quiet "$p" 2>&1 |
		grep -c '^ERROR' || true)
	[ "$errs" -eq 0 ] || problems="$problems checkpatch:${errs}-errors"
	if grep -E '^\+' "$p" | grep -v '^+++' | grep -qwE 'XXX|FIXME|TODO'; then
		problems="$problems XXX/FIXME/TODO"
	fi

	files=$(git -C "$WALK" diff --name-only HEAD~1 HEAD)
	kdoc=$(kerneldoc_new_warnings $files)
	if [ -n "$kdoc" ]; then
		printf '%s\n' "$kdoc" >>"$LOG"
		problems="$problems kernel-doc:$(printf '%s\n' "$kdoc" | grep -c .)-new-warnings"
	fi
	targets=
	for f in $files; do
		case $f in
		tools/*|Documentation/*) ;;
		*.c) targets="$targets ${f%/*}/" ;;
		*.h|*Kconfig*|Makefile|*/Makefile) targets="$targets mm/ kernel/" ;;
		esac
	done
	[ -z "$targets" ] || targets=$(printf '%s\n' $targets | sort -u | tr '\n' ' ')
	if [ -n "$targets" ]; then
		echo "== $name: olddefconfig $targets" >>"$LOG"
		kmake olddefconfig && kmake $targets || problems="$problems build-failed"
	fi
	if [ -n "$problems" ]; then
		echo "not ok $n - $name:$problems"
		fail=$((fail + 1))
	else
		echo "ok $n - $name (built: ${targets:-nothing to build})"
	fi
done

echo "== full build" >>"$LOG"
if kmake && kmake headers; then
	echo "ok - full build of the series ($(grep -c . "$OBJ/.config") config lines)"
else
	echo "not ok - full build of the series"
	fail=$((fail + 1))
fi
git -C "$TREE" worktree remove --force "$WALK"
say "log: $LOG"
[ "$fail" -eq 0 ] || die "$fail step(s) of the series failed"
echo "series: $n patches, each applies, builds and passes checkpatch and kernel-doc"
