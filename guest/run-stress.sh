#!/bin/sh
# Reliability runs in the guest; prints TAP lines ("ok - stress: ...") for
# run-tests.sh, everything else behind "# ".
#
#   run-stress.sh soak SECONDS [SEED]     race soaks (spf-stress, and spf-stress-file
#                                         beside it), then the leak check
#   run-stress.sh control SECONDS [SEED]  the same soaks with SPF off: prove the oracles
#   run-stress.sh inject SECONDS [SEED]   the soak with failslab and fail_page_alloc:
#                                         half the time failing only allocations that
#                                         cannot sleep (the speculative path's), half
#                                         failing all of the workers' allocations
#   run-stress.sh diff STEPS [SEED]       spf-diff with SPF off, then on, 1 and 4
#                                         threads: the transcripts must be identical
#   run-stress.sh file SECONDS            spf_file's tests again and again, its
#                                         races 10 s each, on tmpfs and memfd,
#                                         then on the ext4 disk, then the leak check
# The seed defaults to one drawn from the clock; it is printed either way.
bin=/spf/stress
knob=/proc/sys/vm/speculative_page_fault
dbg=/sys/kernel/debug
tmp=/tmp/run-stress.$$
mode=${1:-}; amount=${2:-}; seed=${3:-$(( $(date +%s) % 1000000 ))}

tap() {	# tap ok|"not ok" TEXT
	echo "$1 - stress: $2"
}

# The kernel's own background writers race too: ksmd merges and khugepaged
# collapses the arena's pages, NUMA balancing unmaps them for hinting faults.
background_writers() {
	echo 1 >/sys/kernel/mm/ksm/run 2>/dev/null
	echo 20 >/sys/kernel/mm/ksm/sleep_millisecs 2>/dev/null
	echo 1000 >/sys/kernel/mm/ksm/pages_to_scan 2>/dev/null
	k=/sys/kernel/mm/transparent_hugepage/khugepaged
	echo 100 >$k/scan_sleep_millisecs 2>/dev/null
	echo 100 >$k/alloc_sleep_millisecs 2>/dev/null
	echo 4096 >$k/pages_to_scan 2>/dev/null
	echo 1 >/proc/sys/kernel/numa_balancing 2>/dev/null
}

# anon_vma and anon_vma_chain objects in use
anon_vmas() {
	awk '$1 == "anon_vma" || $1 == "anon_vma_chain" { n += $2 } END { print n + 0 }' /proc/slabinfo
}

# Memory and VMAs in use, once freed memory has settled: VMAs are freed after
# an RCU grace period, and KASAN keeps freed objects of every cache in its
# quarantine (up to 1/32 of memory) until that cache is shrunk.
shrink_slabs() {
	for i in 1 2; do
		sleep 1
		for c in /sys/kernel/slab/*/shrink; do
			echo 1 >"$c" 2>/dev/null
		done
	done
}

usage_now() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	shrink_slabs
	# ksmd frees the rmap items of an exited process only when its scan
	# comes round to it, and each of them holds its anon_vma until then:
	# unmerge everything (ksm/run 2: synchronous, frees all rmap items),
	# start ksmd again, and report the anon_vmas and chains that released.
	ksm=/sys/kernel/mm/ksm/run
	if [ "$(cat $ksm 2>/dev/null)" = 1 ]; then
		held=$(anon_vmas)
		echo 2 >$ksm && echo 1 >$ksm
		shrink_slabs
		echo "$(( held - $(anon_vmas) ))" >$tmp.ksm
	fi
	cp /proc/meminfo $tmp.meminfo
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo >$tmp.slabinfo 2>/dev/null
	vma=$(awk '$1 == "vm_area_struct" { v = $2 } $1 == "anon_vma" { a = $2 }
		$1 == "anon_vma_chain" { c = $2 } END { print v + 0, a + c }' /proc/slabinfo 2>/dev/null)
	# Free pages: the buddy lists and the per-CPU lists (up to thousands
	# of pages per CPU and zone, which nr_free_pages does not count).
	free=$(awk '$1 == "pages" && $2 == "free" { f += $3 } $1 == "count:" { f += $2 }
		END { print f + 0 }' /proc/zoneinfo)
	# Memory that swap holds for a while after its users are gone: the
	# swap cache, and zram's compressed store (compacted first).
	zram=0
	if [ -e /sys/block/zram0/mm_stat ]; then
		echo 1 >/sys/block/zram0/compact 2>/dev/null
		zram=$(awk '{ print int($3 / 4096) }' /sys/block/zram0/mm_stat)
	fi
	awk -v vma="${vma:-0 0}" -v free="$free" -v zram="$zram" '
		/^nr_anon_pages / { a = $2 } /^nr_page_table_pages / { p = $2 }
		/^nr_swapcache / { c = $2 }
		END { print a + 0, p + 0, free, c + zram, vma }' /proc/vmstat
}

# After the stress process has exited, the memory it used must come back.
# The slack covers what the shell and per-CPU caches move in the meantime.
# The /proc/meminfo lines that moved most are printed, to tell where the
# memory went.
leak_check() {	# leak_check NAME "BEFORE" [COMMIT-SLACK-KB]
	mv $tmp.meminfo $tmp.meminfo.before
	mv $tmp.slabinfo $tmp.slabinfo.before
	set -- "$1" $2 $(usage_now) ${3:-}
	for f in meminfo slabinfo; do
		echo "# /proc/$f, largest changes$( [ $f = slabinfo ] && echo ' (bytes in use)'): $(
			awk 'NR == FNR { b[$1] = $2; next }
			{ d = $2 - b[$1]; if (d) print (d < 0 ? -d : d), $1 d }' $tmp.$f.before $tmp.$f |
			sort -rn | head -n 6 | awk '{ printf "%s ", $2 }')"
	done
	# before: $2-$7, after: $8-$13 (anon, page tables, free, swap, VMAs, anon_vmas)
	commit_slack=${14:-1024}
	# Objects are counted by slabs, which hold 16 times as many with 64 KiB
	# pages (ppc64le): 16 times the noise from the rest of the guest.
	vslack=128
	[ "$(uname -m)" = ppc64le ] && vslack=2048
	# With KASAN_VMALLOC, a freed vmalloc area (a thread stack of every
	# exited task) keeps its shadow until the lazy purge, which runs once
	# lazy_max_pages() = fls(CPUs) * 32 MiB of them are waiting: up to
	# 1/8 of that in shadow pages that no counter shows.
	fslack=2048
	if grep -q ' kasan_release_vmalloc$' /proc/kallsyms 2>/dev/null; then
		cpus=$(grep -c '^processor' /proc/cpuinfo) fls=0
		while [ "$cpus" -gt 0 ]; do fls=$(( fls + 1 )) cpus=$(( cpus >> 1 )); done
		kb=$(awk '$1 == "KernelPageSize:" { print $2; exit }' /proc/self/smaps)
		fslack=$(( fslack + fls * 4096 / ${kb:-4} ))
	fi
	name=$1 anon=$(( $8 - $2 )) pt=$(( $9 - $3 )) swap=$(( ${11} - $5 ))
	vma=$(( ${12} - $6 )) avc=$(( ${13} - $7 ))
	# Slab caches that grow for good (in the control with SPF off too) are
	# counted apart: a leaked page is one that no counter accounts for.
	slab=$(awk 'NR == FNR && $1 == "Slab:" { b = $2 } NR != FNR && $1 == "Slab:" { a = $2 }
		END { print int((a - b) / 4) }' $tmp.meminfo.before $tmp.meminfo)
	# Committed memory (overcommit accounting) must come back too.
	commit=$(awk 'NR == FNR && $1 == "Committed_AS:" { b = $2 } NR != FNR && $1 == "Committed_AS:" { a = $2 }
		END { print a - b }' $tmp.meminfo.before $tmp.meminfo)
	free=$(( $4 - ${10} - swap - slab ))
	ksm=$(cat $tmp.ksm 2>/dev/null)
	[ -n "$ksm" ] && echo "# anon_vmas and chains held by ksmd's rmap items, released by ksm/run 2: $ksm"
	what="anon pages $anon, page tables $pt, free pages $free fewer (besides $swap more in swap cache and zram, $slab in slab), VMAs $vma, anon_vmas and chains $avc, Committed_AS $commit kB"
	if [ "$6" -eq 0 ]; then	# no vm_area_struct line
		tap "not ok" "$name: no leak (no vm_area_struct in /proc/slabinfo: is slab merging on?)"
	elif [ $anon -le 256 ] && [ $pt -le 64 ] && [ $free -le $fslack ] && [ $vma -le $vslack ] &&
		[ $avc -le $((2 * vslack)) ] && [ $commit -le $commit_slack ]; then
		tap ok "$name: no leak ($what)"
	else
		tap "not ok" "$name: no leak ($what; slack 256, 64, $fslack, $vslack, $((2 * vslack)), $commit_slack kB)"
	fi
}

counter() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/vmstat
}

# Pages moved by NUMA hinting faults, by speculative ones, and speculative
# hinting faults whose page could not be moved: "MOVED SPF NOT_MOVED"
numa_moves() {
	echo "$(counter numa_pages_migrated) $(counter spf_numa_migrated) $(counter spf_abort_numa_not_moved)"
}

numa_moves_since() {	# numa_moves_since "MOVED SPF NOT_MOVED" (as before)
	set -- $1 $(numa_moves)
	echo "$(( $4 - $1 )) pages moved, $(( $5 - $2 )) by speculative faults; $(( $6 - $3 )) speculative faults could not move theirs"
}

# spf-stress under the current settings; prints its report behind "# ".
stress() {	# stress NAME SECONDS [ARGS...]
	name=$1 secs=$2
	shift 2
	echo "spf-test: stress: $name (seed $seed)" >/dev/kmsg
	timeout -s KILL $(( secs + 300 )) $bin/spf-stress -d "$secs" -s "$seed" "$@" >$tmp 2>&1
	rc=$?
	sed 's/^/# /' $tmp
	case $rc in
	0) tap ok "$name: no wrong page, signal or syscall result in ${secs}s (seed $seed)" ;;
	137) tap "not ok" "$name: killed at the timeout (seed $seed)" ;;
	*) tap "not ok" "$name: $(grep -c ^ERROR $tmp) errors, exit status $rc (seed $seed; replay: spf-stress $* -s $seed -d $secs)" ;;
	esac
}

# spf-stress-file: the same race soak on file, memfd and shared memory
# mappings (on the ext4 disk too when there is one). Runs beside spf-stress;
# its report and TAP line go to $tmp.file, printed when both are done.
file_stress() {	# file_stress NAME SECONDS
	dirs=
	grep -q " /mnt/ext4 ext4 " /proc/mounts && dirs="-D /mnt/ext4"
	timeout -s KILL $(( $2 + 300 )) $bin/spf-stress-file -d "$2" -s "$seed" $dirs >$tmp.fs 2>&1
	rc=$?
	{
		sed 's/^/# /' $tmp.fs
		case $rc in
		0) tap ok "$1: no wrong page, signal or syscall result on file mappings in ${2}s (seed $seed)" ;;
		137) tap "not ok" "$1: killed at the timeout (seed $seed)" ;;
		*) tap "not ok" "$1: $(grep -c ^ERROR $tmp.fs) errors, exit status $rc (seed $seed; replay: spf-stress-file -s $seed -d $2 $dirs)" ;;
		esac
	} >$tmp.file
	rm -f $tmp.fs
}

# swapoff and swapon of the zram device in a loop beside the soaks: the
# swap-ins of spf-stress's MADV_PAGEOUT pages race with the device going
# away (swapoff brings every page back in) and coming back.
swap_churn() {	# swap_churn SECONDS
	n=0
	end=$(( $(date +%s) + $1 ))
	if grep -q '^/dev/zram0 ' /proc/swaps; then
		while [ "$(date +%s)" -lt $end ]; do
			sleep 3
			swapoff /dev/zram0 2>/dev/null && n=$((n + 1))
			sleep 1
			swapon /dev/zram0 2>/dev/null
		done
	fi
	echo "$n" >$tmp.swapoffs
}

soak() {	# soak NAME SECONDS SPF
	before=$(usage_now)
	old=$(cat $knob)
	echo "$3" >$knob
	s0=$(counter spf_success) m0=$(numa_moves)
	file_stress "$1-file" "$2" &
	swap_churn "$2" &
	stress "$1" "$2"
	wait
	cat $tmp.file
	echo "# speculative faults during the run: $(( $(counter spf_success) - s0 )); swapoff+swapon cycles beside it: $(cat $tmp.swapoffs)"
	echo "# NUMA balancing: $(numa_moves_since "$m0")"
	echo "$old" >$knob
	leak_check "$1" "$before"
}

inject_set() {	# inject_set PROBABILITY IGNORE-GFP-WAIT
	for f in failslab fail_page_alloc; do
		echo 0 >$dbg/$f/verbose
		echo Y >$dbg/$f/task-filter
		echo 1 >$dbg/$f/interval
		echo 0 >$dbg/$f/space
		echo 1000000 >$dbg/$f/times
		echo "$2" >$dbg/$f/ignore-gfp-wait
		echo "$1" >$dbg/$f/probability
	done
	echo N >$dbg/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$dbg/fail_page_alloc/min-order
}

inject_count() {	# failures injected since inject_set; turns injection off
	n=0
	for f in failslab fail_page_alloc; do
		echo 0 >$dbg/$f/probability
		n=$(( n + 1000000 - $(cat $dbg/$f/times) ))
	done
	echo $n
}

inject() {	# inject SECONDS
	[ -d $dbg/failslab ] || mount -t debugfs none $dbg 2>/dev/null
	if [ ! -d $dbg/failslab ] || [ ! -d $dbg/fail_page_alloc ]; then
		tap "not ok" "inject: no failslab/fail_page_alloc in debugfs (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)"
		return
	fi
	half=$(( ($1 + 1) / 2 ))
	before=$(usage_now)
	for phase in nowait:20:Y all:3:N; do
		name=inject-${phase%%:*} rest=${phase#*:}
		inject_set "${rest%%:*}" "${rest#*:}"
		a0=$(counter spf_abort_nomem) s0=$(counter spf_success)
		m0=$(numa_moves)
		stress "$name" $half -i
		n=$(inject_count)
		echo "# $name: $n allocations failed on purpose; speculative faults $(( $(counter spf_success) - s0 )), aborted for memory $(( $(counter spf_abort_nomem) - a0 ))"
		echo "# $name: NUMA balancing: $(numa_moves_since "$m0")"
		if [ "$n" -gt 0 ]; then
			tap ok "$name: failures were injected ($n)"
		else
			tap "not ok" "$name: failures were injected (none: is the task filter working?)"
		fi
	done
	# 6.1 loses overcommit accounting on some allocation failure path, with
	# SPF off as well (docs/reliability.md): Committed_AS is only reported.
	leak_check inject "$before" 999999999
}

diff_run() {	# diff_run STEPS
	for t in 1 4; do
		echo "spf-test: stress: diff -t $t (seed $seed)" >/dev/kmsg
		old=$(cat $knob)
		for spf in 0 1; do
			echo $spf >$knob
			timeout -s KILL 600 $bin/spf-diff -s "$seed" -n "$1" -t $t -o $tmp.$spf 2>$tmp.err ||
				{ cat $tmp.err; echo "# spf-diff exited with status $? (SPF $spf)"; }
		done
		echo "$old" >$knob
		name="diff: $t thread(s), $1 steps each, SPF off and on give the same transcript (seed $seed)"
		if [ -s $tmp.0 ] && cmp -s $tmp.0 $tmp.1; then
			echo "# transcript: $(wc -l <$tmp.0) lines, $(grep -c ' signal ' $tmp.0) signals, $(grep -c -- '-> -1 ' $tmp.0) failed syscalls"
			tap ok "$name"
		else
			diff $tmp.0 $tmp.1 | head -n 20 | sed 's/^/# /'
			tap "not ok" "$name; replay: spf-diff -s $seed -n $1 -t $t"
		fi
		rm -f $tmp.0 $tmp.1 $tmp.err
	done
}

# spf_file (tools/testing/selftests/vm): readers and private writers of
# file, shmem and memfd mappings against truncate and re-grow, hole punch,
# MADV_REMOVE, MAP_FIXED of another file and munmap, each judged against
# what the file holds in that state; and its counter tests.
file_run() {	# file_run SECONDS
	sel=/spf/selftests/vm/spf_file
	end=$(( $(date +%s) + $1 )) runs=0 failed=0
	before=$(usage_now)
	while [ "$(date +%s)" -lt $end ]; do
		for dir in tmpfs /mnt/ext4; do
			if [ $dir = tmpfs ]; then
				SPF_RACE_MS=10000 $sel >$tmp.out 2>&1
			elif grep -q " $dir ext4 " /proc/mounts; then
				SPF_RACE_MS=10000 SPF_FILE_DIR=$dir $sel >$tmp.out 2>&1
			else
				continue
			fi
			rc=$? runs=$((runs + 1))
			grep 'writer steps' $tmp.out | sed "s|^# |# $dir: |"
			if [ $rc != 0 ]; then
				failed=$((failed + 1))
				grep 'pgfault=\|major faults\|Expected\|FAIL\|^not ok' $tmp.out |
					sed 's/^/# /'
			fi
		done
	done
	rm -f $tmp.out
	if [ $runs -gt 0 ] && [ $failed = 0 ]; then
		tap ok "file: $runs runs of spf_file, races 10 s each, all passed"
	else
		tap "not ok" "file: $failed of $runs runs of spf_file failed"
	fi
	leak_check file "$before"
}

case $mode in
soak|control|inject)
	case $amount in ''|*[!0-9]*) echo "not ok - stress: $mode: SECONDS must be a number (got '$amount')"; exit 1 ;; esac
	background_writers
	case $mode in
	soak) soak soak "$amount" 1 ;;
	control) soak control-spf-off "$amount" 0 ;;
	inject) inject "$amount" ;;
	esac ;;
diff)
	case $amount in ''|*[!0-9]*) echo "not ok - stress: diff: STEPS must be a number (got '$amount')"; exit 1 ;; esac
	diff_run "$amount" ;;
file)
	case $amount in ''|*[!0-9]*) echo "not ok - stress: file: SECONDS must be a number (got '$amount')"; exit 1 ;; esac
	file_run "$amount" ;;
*)
	echo "not ok - stress: unknown mode '$mode' (soak, control, inject, diff or file)" ;;
esac
rm -f $tmp $tmp.file $tmp.swapoffs $tmp.ksm $tmp.meminfo $tmp.meminfo.before $tmp.slabinfo $tmp.slabinfo.before
