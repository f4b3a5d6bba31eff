#!/bin/sh
# Write the commits of build/linux after tag 'base' to patches/ as a series,
# in a stable form: no commit ids, no git version, no "n/m" numbering, so that
# diffs of patches/ show only real changes. The cover letter is made from
# docs/cover-letter.txt and the series' shortlog and diffstat.
#
#   export-series.sh [--to DIR]
. "$(dirname "$0")/lib.sh"

out=$SPF_ROOT/patches
[ "${1:-}" = "--to" ] && out=$2
[ -d "$TREE/.git" ] || die "no kernel tree: run 'make tree' first"
git -C "$TREE" rev-parse -q --verify base >/dev/null || die "$TREE has no 'base' tag"
[ -n "$(git -C "$TREE" status --porcelain)" ] &&
	die "$TREE has uncommitted changes: commit them (git -C build/linux commit) before exporting"

tmp=$(mktemp -d)
git -C "$TREE" -c core.abbrev=12 -c diff.noprefix=false format-patch -q \
	--no-signature --zero-commit --no-numbered --no-renames --full-index \
	-o "$tmp" base..HEAD
mkdir -p "$out"
for p in $(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null); do
	case $p in 0000-*) ;; *) rm -f "$out/$p" ;; esac
done
for p in "$tmp"/*.patch; do
	[ -e "$p" ] && mv "$p" "$out/"
done
rmdir "$tmp"

# The cover letter: docs/cover-letter.txt (first line: subject; then the
# text) with the shortlog and diffstat of the series as it is now.
if [ -f "$SPF_ROOT/docs/cover-letter.txt" ]; then
	tmp=$(mktemp -d)
	# From: the author of the series, not the harness identity.
	GIT_COMMITTER_NAME=$(git -C "$TREE" log -1 --format=%an) \
	GIT_COMMITTER_EMAIL=$(git -C "$TREE" log -1 --format=%ae) \
	git -C "$TREE" -c core.abbrev=12 format-patch -q --cover-letter \
		--no-signature --zero-commit --no-numbered --no-renames \
		--full-index -o "$tmp" base..HEAD
	n=$(git -C "$TREE" rev-list --count base..HEAD)
	subject=$(head -n 1 "$SPF_ROOT/docs/cover-letter.txt")
	tail -n +3 "$SPF_ROOT/docs/cover-letter.txt" >"$tmp/blurb"
	awk -v subj="[PATCH 00/$n] $subject" -v blurb="$tmp/blurb" '
		/^Date: / { print "Date: Thu, 26 Nov 2026 00:00:00 +0000"; next }
		/\*\*\* SUBJECT HERE \*\*\*/ { print "Subject: " subj; next }
		/\*\*\* BLURB HERE \*\*\*/ {
			while ((getline line < blurb) > 0) print line
			next
		}
		{ print }' "$tmp/0000-cover-letter.patch" >"$out/0000-cover-letter.patch"
	rm -rf "$tmp"
fi
if [ "$out" = "$SPF_ROOT/patches" ]; then
	# Record that the tree and patches/ now agree.
	hash=$(cat $(series_files) /dev/null | sha256sum | cut -c1-16)
	echo "$hash $(git -C "$TREE" rev-parse HEAD)" >"$TREE/.git/spf-created"
	say "exported $(series_files | wc -l) patches to patches/"
fi
