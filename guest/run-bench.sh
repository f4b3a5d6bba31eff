#!/bin/sh
# Guest benchmark runner: each benchmark prints one "key=value ..." line per
# run; we prefix it with "bench name=<scenario> run=<i>" so the host can
# collect results without scraping prose.
#
#   run-bench.sh RUNS SECONDS
runs=${1:-3} secs=${2:-2}
cpus=$(nproc)
for t in 1 $cpus; do
	i=1
	while [ $i -le "$runs" ]; do
		line=$(/spf/bench/pf-microbench -t "$t" -s "$secs") || { echo "# pf-microbench -t $t failed"; exit 1; }
		echo "bench name=pf-microbench-t$t run=$i $line"
		i=$((i + 1))
	done
	[ "$t" -eq "$cpus" ] && break
done
