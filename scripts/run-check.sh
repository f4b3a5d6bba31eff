#!/bin/sh
# Boot the debug kernel, run the guest test suites, count the results.
# Prints the TAP stream as it comes, then one line "N passed, N failed, N skipped".
# A kernel splat, a hang or a guest that dies counts as a failed test.
#
#   run-check.sh [SUITE...]
# Environment: RUN_NAME names the logs (check; make stress uses stress;
# a guest other than plain x86_64 adds its suffix: check-arm64),
# GUEST_ENV is put before the guest's command (make stress: the durations).
. "$(dirname "$0")/lib.sh"

export MEM=${MEM:-4G} TIMEOUT=${TIMEOUT:-$(scaled 2400)}
name=$(run_name "${RUN_NAME:-check}")
job=$BUILD/logs/$name.job
mkdir -p "$BUILD/logs" "$BUILD/results"
echo "${GUEST_ENV:-} sh /spf/run-tests.sh $*" >"$job"

"$SPF_ROOT/scripts/boot.sh" debug "$name" "$job" && rc=0 || rc=$?

tap=$BUILD/results/$name.tap
console=build/logs/$name.console.log
grep -E '^(ok|not ok) [0-9]+ ' "$BUILD/logs/$name.results.log" >"$tap" || true
n=$(wc -l <"$tap")
extra() { n=$((n + 1)); echo "$1 $n - $2" | tee -a "$tap"; }
case $rc in
124) extra "not ok" "guest finished within TIMEOUT=${TIMEOUT}s (console: $console)" ;;
125) extra "not ok" "guest reported its status (it died; console: $console)" ;;
esac
# x86-64: the guest must run the paging mode asked for (LA57=1: 5 levels).
if [ "$SPF_ARCH" = x86_64 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 125 ]; then
	want=4-level
	[ "${SPF_LA57:-0}" = 1 ] && want=5-level
	if grep -q "^# paging: $want" "$BUILD/logs/$name.results.log"; then
		extra "ok" "guest runs $want paging"
	else
		extra "not ok" "guest runs $want paging (it says: $(grep '^# paging:' "$BUILD/logs/$name.results.log"))"
	fi
fi
if "$SPF_ROOT/scripts/scan-console.sh" "$SPF_ROOT/$console" 2>/dev/null; then
	extra "ok" "kernel console has no splat"
else
	extra "not ok" "kernel console has no splat (see the splat above and $console)"
fi

skipped=$(grep -c '^ok .*# SKIP' "$tap" || true)
passed=$(( $(grep -c '^ok ' "$tap" || true) - skipped ))
failed=$(grep -c '^not ok ' "$tap" || true)
[ "$failed" -eq 0 ] || { echo "failed tests:"; grep '^not ok ' "$tap"; }
echo "TAP results: build/results/$name.tap; guest output: build/logs/$name.results.log; console: $console"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
