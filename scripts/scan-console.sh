#!/bin/sh
# Scan a guest console log for kernel splats; print each with some context.
# Exit 1 if any is found. A splat fails the run whatever the tests said.
# The patterns cover the wording of every guest arch: x86 "BUG: unable to
# handle page fault", powerpc "BUG: Unable to handle kernel data access" and
# "Oops: Kernel access of bad area", arm64 "Unable to handle kernel paging
# request" and "Internal error: Oops", all "kernel BUG at", "WARNING:".
#
#   scan-console.sh CONSOLE-LOG
. "$(dirname "$0")/lib.sh"

log=${1:-}
[ -f "$log" ] || die "usage: scan-console.sh CONSOLE-LOG"
pattern='BUG:|WARNING:|KASAN|UBSAN|Oops|Kernel panic|kernel BUG|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: rcu_|rcu: INFO|self-detected stall|soft lockup|hard LOCKUP|blocked for more than|list_add corruption|list_del corruption|Bad page|bad pagetable|ODEBUG|Unable to handle|Internal error:|segfault at.*in .*\[kernel|pagealloc: memory corruption|Bad rss-counter'
# No warning is "known": every splat fails the run. A bug of the base kernel
# gets a base fix at the front of the series (patches 0001-0003), not an
# exception here.
hits=$(tr -d '\r' <"$log" | grep -nE "$pattern" || true)
[ -z "$hits" ] && exit 0
first=$(echo "$hits" | head -n 1 | cut -d: -f1)
during=$(tr -d '\r' <"$log" | head -n "$first" | sed -n 's/.*spf-test: //p' | tail -n 1)
say "error: kernel splat in $log ($(echo "$hits" | wc -l) matching lines)${during:+, during test '$during'}; the first one:"
tr -d '\r' <"$log" | sed -n "$(( first > 3 ? first - 3 : 1 )),$(( first + 40 ))p" >&2
exit 1
