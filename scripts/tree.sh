#!/bin/sh
# Make build/linux: a git repository holding the pristine Debian source as one
# base commit (tag 'base'), then one commit per patch of patches/ (git am).
#
#   tree.sh create   (re)create it; refuses to drop work not exported to patches/
#   tree.sh ensure   create it if missing or stale; keep a tree with local work
#   tree.sh status   say whether it holds work not exported to patches/
. "$(dirname "$0")/lib.sh"

STAMP=$TREE/.git/spf-created	# "<hash of patches/> <HEAD after git am>"

series_hash() { cat $(series_files) /dev/null | sha256sum | cut -c1-16; }

# Print why the tree holds work that patches/ lacks; print nothing if it holds none.
unexported_work() {
	[ -d "$TREE/.git" ] || return 0
	if [ -d "$TREE/.git/rebase-apply" ]; then
		echo "a 'git am' is in progress in $TREE (finish it or run 'git -C $TREE am --abort')"
		return 0
	fi
	if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=normal)" ]; then
		echo "$TREE has uncommitted changes (commit them, then 'make export')"
		return 0
	fi
	head=$(git -C "$TREE" rev-parse HEAD)
	[ -f "$STAMP" ] && [ "$(cut -d' ' -f2 "$STAMP")" = "$head" ] && return 0
	tmp=$(mktemp -d)
	"$SPF_ROOT/scripts/export-series.sh" --to "$tmp" >/dev/null
	if ! diff -q -r -x '0000-*' -x BASE-VERSION -x '*.md' "$tmp" "$SPF_ROOT/patches" >/dev/null 2>&1; then
		echo "$TREE has commits that differ from patches/ (run 'make export' to save them)"
	fi
	rm -rf "$tmp"
}

create() {
	need git tar xz
	tarball=$(source_tarball)
	[ -n "$tarball" ] || die "linux-source-6.1 is not installed; run 'make deps'"
	have=$(source_version)
	want=$(series_base_version)
	if [ "$have" != "$want" ]; then
		say "note: installed linux-source-6.1 is $have, the series was made against $want; applying anyway (three-way)"
	fi
	need_disk 4
	rm -rf "$TREE.new"
	mkdir -p "$TREE.new"
	say "unpacking $tarball ($have)"
	tar -xf "$tarball" -C "$TREE.new" --strip-components=1
	(
		cd "$TREE.new"
		git init -q -b master
		git config gc.auto 0
		git config core.abbrev 12
		# Debian's .gitignore ends by ignoring every top-level path ("/*"),
		# which would hide new files from 'git status'; drop that block.
		sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
		git add -A
		GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
			git commit -q -m "Debian linux-source-6.1 $have" \
			-m "Pristine source, except that Debian's trailing '/*' rule is dropped from .gitignore so that new files show in git status."
		git tag base
	)
	for p in $(series_files); do
		git -C "$TREE.new" am -q -3 --committer-date-is-author-date "$p" ||
			die "patch ${p##*/} does not apply to linux-source-6.1 $have; the half-applied tree is in $TREE.new"
	done
	rm -rf "$TREE"
	mv "$TREE.new" "$TREE"
	echo "$(series_hash) $(git -C "$TREE" rev-parse HEAD)" >"$STAMP"
	say "build/linux: base + $(git -C "$TREE" rev-list --count base..HEAD) patches"
}

case ${1:-} in
create)
	why=$(unexported_work)
	[ -z "$why" ] || die "refusing to recreate the tree: $why"
	create
	;;
ensure)
	if [ ! -d "$TREE/.git" ]; then
		create
		exit 0
	fi
	why=$(unexported_work)
	if [ -n "$why" ]; then
		say "note: building your work tree as it is: $why"
	elif [ ! -f "$STAMP" ] || [ "$(cut -d' ' -f1 "$STAMP")" != "$(series_hash)" ]; then
		if [ "$(cut -d' ' -f2 "$STAMP" 2>/dev/null)" = "$(git -C "$TREE" rev-parse HEAD)" ]; then
			say "patches/ changed since build/linux was made: recreating it"
			create
		fi
	fi
	;;
status)
	why=$(unexported_work)
	[ -z "$why" ] && echo "build/linux: no work outside patches/" || echo "build/linux: $why"
	;;
*)
	die "usage: tree.sh create|ensure|status"
	;;
esac
