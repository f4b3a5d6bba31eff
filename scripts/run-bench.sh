#!/bin/sh
# Boot the release kernel, run the guest benchmarks (each scenario with SPF
# off and on, alternating), print the table, write build/results/bench-*.csv
# and build/results/bench.png.
. "$(dirname "$0")/lib.sh"

export MEM=${MEM:-2G} TIMEOUT=${TIMEOUT:-1200}
runs=3 secs=2
[ "${QUICK:-0}" = 1 ] && runs=1 secs=1
job=$BUILD/logs/bench.job
mkdir -p "$BUILD/logs" "$BUILD/results"
echo "sh /spf/run-bench.sh $runs $secs" >"$job"
"$SPF_ROOT/scripts/boot.sh" release bench "$job" >/dev/null || die "the benchmark run failed; see build/logs/bench.results.log and build/logs/bench.console.log"

accel=${ACCEL:-auto}
[ "$accel" = auto ] && accel=$(sed -n 2p "$BUILD/accel-probe" 2>/dev/null)
title="make bench $(date +%Y-%m-%d), $(nproc)-CPU host $(uname -n), ${VCPUS:-2} vCPUs, ${accel:-?}"
python3 "$SPF_ROOT/scripts/bench-report.py" "$BUILD/logs/bench.results.log" \
	"$BUILD/results" "$title" || die "no benchmark results in build/logs/bench.results.log"
echo "results: build/results/bench-runs.csv (every run), bench-summary.csv, bench.png"
echo "TCG timings are not hardware timings: compare the on/off ratios, not the figures."
