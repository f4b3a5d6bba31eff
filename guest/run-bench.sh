#!/bin/sh
# Guest benchmark runner. Each scenario runs RUNS times with speculative page
# faults off, then on (vm.speculative_page_fault 0/1, alternating), each run
# SECONDS long. Every run prints one line:
#   bench name=<scenario> run=<i> spf=<0|1> <the program's key=value pairs>
#         spf_attempt=<n> spf_success=<n> aborts=<reason:n,...>
# where the spf_* figures are /proc/vmstat deltas over the run. The host
# turns these lines into the CSV, the table and the plot.
#
# Every scenario runs with THP in Debian's default mode, always, then in
# madvise mode (upstream's default, and our configs'); the second run's
# names end in @madvise. Swap is on zram, as guest/setup.sh sets it up.
#
#   run-bench.sh RUNS SECONDS [SCENARIO-PREFIX...]   (make bench BENCH="...")
runs=${1:-3} secs=${2:-2}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
cpus=$(nproc)
faulters=$((cpus > 1 ? cpus - 1 : 1))
knob=/proc/sys/vm/speculative_page_fault
B=/spf/bench
. /spf/setup.sh

# NUMA hinting faults would add migrations of their own: the runs compare
# the fault paths, on a guest whose memory is spread over 2 nodes.
[ -w /proc/sys/kernel/numa_balancing ] && echo 0 >/proc/sys/kernel/numa_balancing

vmstat_spf() {
	grep '^spf_' /proc/vmstat
}

# delta BEFORE AFTER: "spf_attempt=.. spf_success=.. aborts=r:n,..." (top 3)
delta() {
	awk 'NR == FNR { v[$1] = $2; next }
		{ d = $2 - v[$1]
		  if ($1 == "spf_attempt" || $1 == "spf_success") out = out " " $1 "=" d
		  else if ($1 ~ /^spf_abort_/ && d > 0) { sub(/^spf_abort_/, "", $1); ab[$1] = d } }
		END { n = 0; s = ""
		      while (n < 3) { best = ""; for (k in ab) if (best == "" || ab[k] > ab[best]) best = k
				      if (best == "") break
				      s = s (s == "" ? "" : ",") best ":" ab[best]; delete ab[best]; n++ }
		      print substr(out, 2) " aborts=" (s == "" ? "none" : s) }' "$1" "$2"
}

# run NAME COMMAND...: RUNS x (off, on)
run() {
	name=$1$tag; shift
	if [ -n "$prefixes" ]; then
		match=0
		for p in $prefixes; do
			case $name in "$p"*) match=1 ;; esac
		done
		[ $match = 1 ] || return 0
	fi
	i=1
	while [ "$i" -le "$runs" ]; do
		for spf in 0 1; do
			if [ -w $knob ]; then
				echo $spf >$knob
			elif [ $spf = 1 ]; then
				continue	# a kernel without SPF: one run per round
			fi
			vmstat_spf >/tmp/spf.before
			line=$("$@") || { echo "# $name: '$*' failed"; exit 1; }
			vmstat_spf >/tmp/spf.after
			[ -w $knob ] || spf=none
			echo "bench name=$name run=$i spf=$spf $line $(delta /tmp/spf.before /tmp/spf.after)"
		done
		i=$((i + 1))
	done
	if [ -w $knob ]; then echo 1 >$knob; fi
}

prefixes=${*:-""}

echo "# guest: $cpus vCPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MiB" }' /proc/meminfo), $(uname -r)"
setup_swap

# scenarios: every scenario once, in the THP mode set; $tag ends each name.
scenarios() {
for c in mmap mprotect mremap; do
	run pf-churn-$c-faulters $B/pf-churn -t $faulters -s "$secs" -c $c -o faulters
	run pf-churn-$c-churner $B/pf-churn -s "$secs" -c $c -o churner
	run pf-churn-$c-both $B/pf-churn -t $faulters -s "$secs" -c $c -o both
done
# the churn again, next to faulters writing their own shared tmpfs file
for o in faulters churner both; do
	run pf-churn-file-$o $B/pf-churn -t $faulters -s "$secs" -c mmap -p file-shared -o $o
done
run db-load $B/db-load -t $faulters -r $((secs * 512)) -k $((secs * 6000))
# the arena as a buffer pool in shared memory: shared anonymous, memfd
for a in shared memfd; do
	run db-load-$a $B/db-load -t $faulters -r $((secs * 512)) -k $((secs * 6000)) -a $a
done
for m in private shared; do
	run pf-scale-$m-t1 $B/pf-scale -t 1 -s "$secs" -p $m
	run pf-scale-$m-t$cpus $B/pf-scale -t "$cpus" -s "$secs" -p $m
done
# every thread faulting its own part of one 2 MiB: one PTE lock for all
run pf-onetable-t$cpus $B/pf-scale -t "$cpus" -s "$secs" -1
# will-it-scale page_fault2 (cow: private writes to a tmpfs file's pages) and
# page_fault3 (shared writes to it); the files go to /dev/shm (see init).
run pf-file-cow-t1 $B/pf-scale -t 1 -s "$secs" -p file-private
run pf-file-cow-t$cpus $B/pf-scale -t "$cpus" -s "$secs" -p file-private
run pf-file-shared-t1 $B/pf-scale -t 1 -s "$secs" -p file-shared
run pf-file-shared-t$cpus $B/pf-scale -t "$cpus" -s "$secs" -p file-shared
# the same on ext4 (the guest's virtio disk): private writes copy the page
# cache page; shared writes go to ext4's ->page_mkwrite, the classic path
if grep -q ' /mnt/ext4 ext4 ' /proc/mounts; then
	for t in 1 $cpus; do
		run pf-ext4-cow-t$t $B/pf-scale -t $t -s "$secs" -p file-private -d /mnt/ext4
		run pf-ext4-shared-t$t $B/pf-scale -t $t -s "$secs" -p file-shared -d /mnt/ext4
	done
fi
# swap-ins: the faulters page their regions out (MADV_PAGEOUT to zram)
# instead of dropping them, next to the mmap churn
for o in faulters churner both; do
	run pf-churn-swap-$o $B/pf-churn -t $faulters -s "$secs" -c mmap -z pageout -o $o
done
run ebizzy-t$cpus $B/ebizzy-lite -t "$cpus" -s "$secs"
run fork-exit-t$cpus $B/fork-exit -t "$cpus" -s "$secs"
}

for mode in always madvise; do
	setup_thp $mode
	tag=
	[ $mode = always ] || tag=@$mode
	scenarios
done
