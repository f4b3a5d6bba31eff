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
