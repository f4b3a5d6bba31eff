#!/bin/sh
# Boot the debug kernel, run the guest test suites, count the results.
# Prints the TAP stream as it comes, then one line "N passed, N failed, N skipped".
# A kernel splat, a hang or a guest that dies counts as a failed test.
#
#   run-check.sh [SUITE...]
# Environment: RUN_NAME names the logs (check; make stress uses stress;
# a guest other than plain x86_64 adds its suffix: check-arm64),
# GUEST_ENV is put before the guest's command (make stress: the durations),
# REPEAT=N boots and runs the suites N times in a row, each run with logs
# of its own (check-r1, check-r2, ...), and stops at the first failed run:
# for an event too rare to see in one run (a corruption seen once in three).
. "$(dirname "$0")/lib.sh"

export MEM=${MEM:-4G} TIMEOUT=${TIMEOUT:-$(scaled 2400)}
repeat=${REPEAT:-1}
case $repeat in ''|*[!0-9]*|0) die "REPEAT must be a positive number of runs (got '$repeat')" ;; esac
name=$(run_name "${RUN_NAME:-check}")
mkdir -p "$BUILD/logs" "$BUILD/results"

# one_run NAME: one boot; its TAP lines in build/results/NAME.tap ($tap).
one_run() {
	rn=$1
	job=$BUILD/logs/$rn.job
	echo "${GUEST_ENV:-} sh /spf/run-tests.sh $suites" >"$job"
	# A boot that fails before the guest runs must not leave the last
	# run's results to be counted.
	rm -f "$BUILD/logs/$rn.results.log" "$BUILD/logs/$rn.console.log"

	"$SPF_ROOT/scripts/boot.sh" debug "$rn" "$job" && rc=0 || rc=$?

	tap=$BUILD/results/$rn.tap
	console=build/logs/$rn.console.log
	grep -E '^(ok|not ok) [0-9]+ ' "$BUILD/logs/$rn.results.log" >"$tap" 2>/dev/null || true
	n=$(wc -l <"$tap")
	[ -f "$BUILD/logs/$rn.results.log" ] ||
		extra "not ok" "guest booted (boot.sh exited $rc before it ran; see above)"
	case $rc in
	124) extra "not ok" "guest finished within TIMEOUT=${TIMEOUT}s (console: $console)" ;;
	125) extra "not ok" "guest reported its status (it died; console: $console)" ;;
	esac
	# x86-64: the guest must run the paging mode asked for (LA57=1: 5 levels).
	if [ "$SPF_ARCH" = x86_64 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 125 ]; then
		want=4-level
		[ "${SPF_LA57:-0}" = 1 ] && want=5-level
		if grep -q "^# paging: $want" "$BUILD/logs/$rn.results.log"; then
			extra "ok" "guest runs $want paging"
		else
			extra "not ok" "guest runs $want paging (it says: $(grep '^# paging:' "$BUILD/logs/$rn.results.log"))"
		fi
	fi
	if "$SPF_ROOT/scripts/scan-console.sh" "$SPF_ROOT/$console" 2>/dev/null; then
		extra "ok" "kernel console has no splat"
	else
		extra "not ok" "kernel console has no splat (see the splat above and $console)"
	fi
	echo "TAP results: build/results/$rn.tap; guest output: build/logs/$rn.results.log; console: $console"
}
extra() { n=$((n + 1)); echo "$1 $n - $2" | tee -a "$tap"; }
suites=$*

if [ "$repeat" -eq 1 ]; then
	one_run "$name"
	taps=$tap
else
	taps= k=1 good=0
	while [ "$k" -le "$repeat" ]; do
		say "run $k of $repeat"
		one_run "$name-r$k"
		taps="$taps $tap"
		grep -q '^not ok ' "$tap" && break
		good=$k
		k=$((k + 1))
	done
	if [ "$good" -eq "$repeat" ]; then
		echo "repeat: $good of $repeat runs passed"
	else
		echo "repeat: $good of $repeat runs passed, then run $k failed (its console: build/logs/$name-r$k.console.log)"
	fi
fi

skipped=$(cat $taps | grep -c '^ok .*# SKIP' || true)
passed=$(( $(cat $taps | grep -c '^ok ' || true) - skipped ))
failed=$(cat $taps | grep -c '^not ok ' || true)
[ "$failed" -eq 0 ] || { echo "failed tests:"; cat $taps | grep '^not ok '; }
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
