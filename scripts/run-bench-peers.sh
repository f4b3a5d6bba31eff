#!/bin/sh
# make bench-peers: the benchmark scenarios on four kernels, in one table:
# 6.1 with SPF (vm.speculative_page_fault=1), the same with it at 0, 6.1
# without the series, and Debian's 6.12 (per-VMA locks), same config. The
# kernels take turns: each round boots each kernel once and runs every
# scenario once on it (twice on the SPF kernel: off, then on).
# Results: build/results/peers/, the table on stdout.
. "$(dirname "$0")/lib.sh"
check_bench_var

[ -z "$SFX" ] || die "make bench-peers runs plain x86_64 guests only (not $GUEST)"
export MEM=${MEM:-2G} TIMEOUT=${TIMEOUT:-1800}
rounds=3 secs=2
[ "${QUICK:-0}" = 1 ] && rounds=1 secs=1
kernels="release base v6.12"

"$SPF_ROOT/scripts/install-deps.sh" linux-source-6.12
"$SPF_ROOT/scripts/peer-trees.sh"
for k in $kernels; do
	"$SPF_ROOT/scripts/build-kernel.sh" "$k"
done

job=$BUILD/logs/bench-peers.job
log=$BUILD/logs/bench-peers.results.log
mkdir -p "$BUILD/logs" "$BUILD/results/peers"
echo "sh /spf/run-bench.sh 1 $secs ${BENCH:-}" >"$job"
: >"$log"
start=$(date +%s)
r=1
while [ $r -le $rounds ]; do
	for k in $kernels; do
		say "round $r of $rounds: the $k kernel"
		"$SPF_ROOT/scripts/boot.sh" "$k" "bench-peers-$k" "$job" >"$log.tmp" ||
			die "the $k kernel's run failed; see build/logs/bench-peers-$k.results.log"
		sed -n "s/^bench /bench kernel=$k round=$r /p" "$log.tmp" >>"$log"
	done
	r=$((r + 1))
done
rm -f "$log.tmp"
boots=
for k in $kernels; do boots="$boots bench-peers-$k"; done
accel=$(accel_used $boots)
python3 "$SPF_ROOT/scripts/bench-report.py" --peers "$log" "$BUILD/results/peers" \
	"make bench-peers $(date +%Y-%m-%d), $(nproc)-CPU host, ${VCPUS:-2} vCPUs, $accel, $rounds rounds, $(( $(date +%s) - start ))s of runs"
