#!/bin/sh
# Guest test runner. Prints TAP: one "ok N - name" or "not ok N - name" line
# per test case, everything else behind "# ". The host counts those lines.
#
#   run-tests.sh [SUITE...]   suites: smoke selftests-vm (default: all)
cd /spf || exit 1
n=0; failed=0
tmp=/tmp/run-tests.$$

emit() {	# emit ok|not-ok NAME [DIRECTIVE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2${3:+ # $3}"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}

# A program built with the kernel's kselftest harness: its own "ok"/"not ok"
# lines become ours, prefixed with the program's name.
run_harness() {	# run_harness SUITE TIMEOUT PROGRAM [ARGS...]
	suite=$1 tmo=$2; shift 2
	echo "spf-test: $suite: $*" >/dev/kmsg
	timeout -s KILL "$tmo" "$@" >"$tmp" 2>&1
	rc=$?
	bad=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			rest=${line#ok }; rest=${rest#* }
			case $rest in
			*"# SKIP"*) emit ok "$suite: ${rest%% \# SKIP*}" "SKIP${rest#*\# SKIP}" ;;
			*) emit ok "$suite: $rest" ;;
			esac ;;
		"not ok "*)
			rest=${line#not ok }; emit not-ok "$suite: ${rest#* }"; bad=1 ;;
		*) echo "# $line" ;;
		esac
	done <<EOF_OUT
$(cat "$tmp")
EOF_OUT
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		why="exit status $rc"
		[ "$rc" -eq 137 ] && why="killed at the ${tmo}s timeout"
		emit not-ok "$suite: $* ($why)"
	fi
}

# One line of a selftest list: NAME TIMEOUT COMMAND...; exit 0 passes,
# 4 (KSFT_SKIP) skips, anything else fails and shows the output's tail.
run_listed() {	# run_listed SUITE DIR LIST
	suite=$1 dir=$2
	grep -v '^[[:space:]]*\(#\|$\)' "$3" | while read -r name tmo cmd; do
		start=$(date +%s)
		echo "spf-test: $suite: $name" >/dev/kmsg
		(cd "$dir" && eval "timeout -s KILL $tmo $cmd") >"$tmp" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		case $rc in
		0) echo "ok - $suite: $name (${secs}s)" ;;
		4) echo "ok - $suite: $name # SKIP $(tail -n 1 "$tmp")" ;;
		*)
			awk '{ print "# " $0 }' "$tmp" | tail -n 40
			why="exit status $rc after ${secs}s"
			[ "$rc" -eq 137 ] && why="killed at the ${tmo}s timeout"
			echo "not ok - $suite: $name ($why)" ;;
		esac
	done >"$tmp.tap"
	# The loop ran in a subshell: number its lines here.
	while IFS= read -r line; do
		case $line in
		"ok - "*) rest=${line#ok - }
			case $rest in
			*" # SKIP"*) emit ok "${rest%% \# SKIP*}" "SKIP${rest#* \# SKIP}" ;;
			*) emit ok "$rest" ;;
			esac ;;
		"not ok - "*) emit not-ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$tmp.tap"
}

suite_smoke() {
	run_harness smoke 300 /spf/tests/smoke
}

# The kernel's vm selftests, set up as run_vmtests.sh does. The hugetlb ones
# run with a pool of huge pages; the others without, so that THP allocations
# find free 2 MiB blocks.
suite_selftests_vm() {
	dir=/spf/selftests/vm
	mkdir -p $dir/huge
	mount -t hugetlbfs none $dir/huge
	echo 128 >/proc/sys/vm/nr_hugepages
	echo "# huge pages reserved: $(cat /proc/sys/vm/nr_hugepages)"
	run_listed selftests-vm $dir /spf/selftests-vm-hugetlb.list
	echo 0 >/proc/sys/vm/nr_hugepages
	umount $dir/huge
	run_listed selftests-vm $dir /spf/selftests-vm.list
}

echo "TAP version 13"
for s in ${*:-smoke selftests-vm}; do
	case $s in
	smoke) suite_smoke ;;
	selftests-vm) suite_selftests_vm ;;
	*) echo "not ok - unknown suite '$s'"; failed=$((failed + 1)) ;;
	esac
done
echo "1..$n"
rm -f "$tmp" "$tmp.tap"
[ "$failed" -eq 0 ]
