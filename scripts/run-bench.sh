#!/bin/sh
# Boot the release kernel, run the guest benchmarks, print a table and write
# build/results/bench.csv.
. "$(dirname "$0")/lib.sh"

export MEM=${MEM:-2G} TIMEOUT=${TIMEOUT:-1200}
runs=3 secs=2
[ "${QUICK:-0}" = 1 ] && runs=1 secs=1
job=$BUILD/logs/bench.job
mkdir -p "$BUILD/logs" "$BUILD/results"
echo "sh /spf/run-bench.sh $runs $secs" >"$job"
"$SPF_ROOT/scripts/boot.sh" release bench "$job" >/dev/null || die "the benchmark run failed; see build/logs/bench.results.log and build/logs/bench.console.log"

csv=$BUILD/results/bench.csv
grep '^bench ' "$BUILD/logs/bench.results.log" | awk '
	BEGIN { print "scenario,run,threads,seconds,faults,faults_per_sec" }
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	  print v["name"] "," v["run"] "," v["threads"] "," v["seconds"] "," v["faults"] "," v["faults_per_sec"] }' >"$csv"
[ "$(wc -l <"$csv")" -gt 1 ] || die "no benchmark results in build/logs/bench.results.log"
echo "pf-microbench on the release kernel (${VCPUS:-2} vCPUs; TCG timings are not hardware timings: compare ratios)"
printf '%-22s %5s %14s %14s %14s\n' scenario runs "mean faults/s" min max
awk -F, 'NR > 1 { n[$1]++; s[$1] += $6; if (!($1 in lo) || $6 < lo[$1]) lo[$1] = $6; if ($6 > hi[$1]) hi[$1] = $6 }
	END { for (k in n) printf "%-22s %5d %14.0f %14.0f %14.0f\n", k, n[k], s[k] / n[k], lo[k], hi[k] }' "$csv" | sort
echo "results: build/results/bench.csv"
