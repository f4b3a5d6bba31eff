#!/bin/sh
# Boot the debug kernel, run the guest test suites, count the results.
# Prints the TAP stream as it comes, then one line "N passed, N failed, N skipped".
# A kernel splat, a hang or a guest that dies counts as a failed test.
#
#   run-check.sh [SUITE...]
. "$(dirname "$0")/lib.sh"

export MEM=${MEM:-4G} TIMEOUT=${TIMEOUT:-2400}
job=$BUILD/logs/check.job
mkdir -p "$BUILD/logs" "$BUILD/results"
echo "sh /spf/run-tests.sh $*" >"$job"

"$SPF_ROOT/scripts/boot.sh" debug check "$job" && rc=0 || rc=$?

tap=$BUILD/results/check.tap
grep -E '^(ok|not ok) [0-9]+ ' "$BUILD/logs/check.results.log" >"$tap" || true
n=$(wc -l <"$tap")
extra() { n=$((n + 1)); echo "$1 $n - $2" | tee -a "$tap"; }
case $rc in
124) extra "not ok" "guest finished within TIMEOUT=${TIMEOUT}s (console: build/logs/check.console.log)" ;;
125) extra "not ok" "guest reported its status (it died; console: build/logs/check.console.log)" ;;
esac
if "$SPF_ROOT/scripts/scan-console.sh" "$BUILD/logs/check.console.log" 2>/dev/null; then
	extra "ok" "kernel console has no splat"
else
	extra "not ok" "kernel console has no splat (see the splat above and build/logs/check.console.log)"
fi

skipped=$(grep -c '^ok .*# SKIP' "$tap" || true)
passed=$(( $(grep -c '^ok ' "$tap" || true) - skipped ))
failed=$(grep -c '^not ok ' "$tap" || true)
[ "$failed" -eq 0 ] || { echo "failed tests:"; grep '^not ok ' "$tap"; }
echo "TAP results: build/results/check.tap; guest output: build/logs/check.results.log; console: build/logs/check.console.log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
