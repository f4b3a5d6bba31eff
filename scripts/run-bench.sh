#!/bin/sh
# Boot the release kernel, run the guest benchmarks (each scenario with SPF
# off and on, alternating), print the table, write build/results/bench-*.csv
# and build/results/bench.png (for a guest other than plain x86_64, in
# build/results/bench-<arch...>/, with logs build/logs/bench-<arch...>.*).
. "$(dirname "$0")/lib.sh"
check_bench_var

export MEM=${MEM:-2G} TIMEOUT=${TIMEOUT:-$(scaled 1200)}
runs=3 secs=2
[ "${QUICK:-0}" = 1 ] && runs=1 secs=1
name=$(run_name bench)
log=$BUILD/logs/$name.results.log
results=$BUILD/results${SFX:+/$name}
job=$BUILD/logs/$name.job
mkdir -p "$BUILD/logs" "$results"
echo "sh /spf/run-bench.sh $runs $secs ${BENCH:-}" >"$job"
"$SPF_ROOT/scripts/boot.sh" release "$name" "$job" >/dev/null ||
	die "the benchmark run failed; see ${log#$SPF_ROOT/} and ${BUILD#$SPF_ROOT/}/logs/$name.console.log"

title="make bench $(date +%Y-%m-%d), $(nproc)-CPU host $(uname -n),${SFX:+ $GUEST guest,} ${VCPUS:-2} vCPUs, $(accel_used "$name")"
python3 "$SPF_ROOT/scripts/bench-report.py" "$log" "$results" "$title" ||
	die "no benchmark results in ${log#$SPF_ROOT/}"
echo "results: ${results#$SPF_ROOT/}/bench-runs.csv (every run), bench-summary.csv, bench.png"
echo "TCG timings are not hardware timings: compare the on/off ratios, not the figures."
