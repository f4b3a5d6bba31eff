#!/bin/sh
# Run 'make check' on several guests, one after the other, and sum up:
# a table of each guest's counts and minutes, then one line
# "N passed, N failed, N skipped" for all of them.
#
#   run-check-matrix.sh arches  5-level x86-64, ppc64le radix and hash,
#                               arm64: the subset below (make check-arches)
#   run-check-matrix.sh ci      x86-64 with every suite, then the subset on
#                               5-level x86-64 (make check-ci, what .ci/run
#                               runs; same kernel, so no other build)
#   run-check-matrix.sh all     every suite on every guest (make check-all)
#
# A guest whose kernel or programs fail to build, or that reports no
# count, counts as one failed test.
. "$(dirname "$0")/lib.sh"

# The subset: the counter and race oracles (spf), the smoke tests, the vm
# selftests that race with the speculative path, a short soak and diff.
subset="spf smoke selftests-vm-core stress-quick"
# CI's 5-level guest runs what walks the page tables differently there (the
# spf suite's counter and race oracles, the smoke tests, the short soak), not
# the vm selftests of the subset: userfaultfd and soft-dirty alone took 5 of
# its minutes, and make check ran them on x86-64 just before.
ci_subset="spf smoke stress-quick"
# ppc64le hash shares the radix guest's kernel: no build of its own.
others="LA57=1 ARCH=ppc64le ARCH=ppc64le,MMU=hash ARCH=arm64"

mode=${1:-}
case $mode in
arches) plan=$(for g in $others; do echo "$g subset"; done) ;;
# CI: a cold run must stay well within its 90 minutes on a 2-core machine.
# There the x86-64 debug kernel takes 20 minutes to build cold and its full
# check 30; ppc64le and arm64 would add a cold kernel build (14-15 min) and
# a run (9-17 min) each, so they are left to make check-arches and check-all.
ci) plan=$(echo "ARCH=x86_64 all"; echo "LA57=1 ci-subset") ;;
all) plan=$(for g in ARCH=x86_64 $others; do echo "$g all"; done) ;;
*) die "usage: run-check-matrix.sh arches|ci|all (got '$mode')" ;;
esac

mkdir -p "$BUILD/results"
table=$BUILD/results/check-$mode.txt
: >"$table"
echo "$plan" | while read -r guest what; do
	vars=$(echo "$guest" | tr , ' ')
	suites=
	[ "$what" = subset ] && suites=$subset
	[ "$what" = ci-subset ] && suites=$ci_subset
	say "=== make check $vars$( [ -n "$suites" ] && echo " SUITES=\"$suites\"")"
	start=$(date +%s)
	out=$BUILD/results/check-matrix.last
	# shellcheck disable=SC2086
	if [ -n "$suites" ]; then
		make --no-print-directory -C "$SPF_ROOT" check $vars SUITES="$suites" 2>&1 | tee "$out"
	else
		make --no-print-directory -C "$SPF_ROOT" check $vars 2>&1 | tee "$out"
	fi
	mins=$(( ($(date +%s) - start + 30) / 60 ))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1)
	[ -n "$line" ] || line="0 passed, 1 failed, 0 skipped"
	printf '%-28s %-7s %s (%s min)\n' "$vars" "$what" "$line" "$mins" >>"$table"
done

echo
echo "make check-$mode, guest by guest:"
cat "$table"
awk '{ for (i = 1; i <= NF; i++) { if ($(i + 1) == "passed,") p += $i
	if ($(i + 1) == "failed,") f += $i; if ($(i + 1) == "skipped") s += $i } }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 || p == 0 }' "$table"
