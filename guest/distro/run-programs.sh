#!/bin/sh
# make distro-check, in the Debian guest: run real programs with speculative
# faults off, then on, and report for each run the faults taken, the share
# handled speculatively, the top abort reasons and the time; then check
# that both runs printed the same (TAP), that no systemd unit failed, and
# run the spf selftest built by the gcc step. Started by
# spf-distro-check.service once the system is up; prints to the results
# port (ttyS1), ends with "@@SPF-EXIT <status>" and powers the guest off.
#
# Each program: a timed command, then a check whose output is compared
# between the two runs (the timed output itself may hold timings), then an
# untimed cleanup. Lines for the host:
#   @@RUN <program> <off|on> <rc> <ms> <pgfault> <spf_attempt> <spf_success> <aborts>
exec >/dev/ttyS1 2>&1
D=/opt/spf-distro
W=/var/tmp/spf-distro
rm -rf "$W" && mkdir -p "$W"
pass=0 fail=0

tap() {	# tap OK|FAIL DESCRIPTION
	if [ "$1" = OK ]; then pass=$((pass + 1)); echo "ok - $2"
	else fail=$((fail + 1)); echo "not ok - $2"; fi
}

counters() { grep -E '^(pgfault|spf_)' /proc/vmstat; }

# run PROGRAM MODE COMMAND...: one timed run with vm.speculative_page_fault
# set for MODE, from a cold page cache.
run() {
	prog=$1 mode=$2; shift 2
	case $mode in on) v=1 ;; *) v=0 ;; esac
	echo "$v" >/proc/sys/vm/speculative_page_fault
	sync && echo 3 >/proc/sys/vm/drop_caches
	echo "spf-distro: $prog, SPF $mode" >/dev/kmsg
	counters >"$W/before"
	t0=$(date +%s%N)
	"$@" >"$W/$prog.$mode.log" 2>&1
	rc=$?
	t1=$(date +%s%N)
	counters >"$W/after"
	awk -v p="$prog" -v m="$mode" -v rc="$rc" -v ms=$(( (t1 - t0) / 1000000 )) '
		NR == FNR { v[$1] = $2; next }
		{ d[$1] = $2 - v[$1] }
		END {
			s = ""
			for (n = 0; n < 3; n++) {
				best = ""
				for (k in d) if (k ~ /^spf_abort_/ && d[k] > 0 && (best == "" || d[k] > d[best])) best = k
				if (best == "") break
				r = best; sub(/^spf_abort_/, "", r)
				s = s (s == "" ? "" : ";") r ":" d[best]; delete d[best]
			}
			printf "@@RUN %s %s %d %d %d %d %d %s\n", p, m, rc, ms, d["pgfault"], d["spf_attempt"], d["spf_success"], (s == "" ? "-" : s)
		}' "$W/before" "$W/after"
	if [ "$rc" -ne 0 ]; then
		echo "# $prog ($mode) exited with status $rc; its output's tail:"
		tail -n 15 "$W/$prog.$mode.log" | sed 's/^/#   /'
	fi
	return "$rc"
}

# program NAME 'COMMAND' 'CHECK' ['CLEANUP']: both runs, then compare.
program() {
	name=$1 cmd=$2 check=$3 cleanup=${4:-}
	for mode in off on; do
		run "$name" "$mode" sh -c "$cmd" && ok=1 || ok=0
		sh -c "$check" >"$W/$name.$mode.check" 2>&1 || ok=0
		[ "$ok" = 1 ] || echo "$name: failed" >>"$W/$name.$mode.check"
		[ -z "$cleanup" ] || sh -c "$cleanup" >"$W/$name.$mode.cleanup" 2>&1
	done
	if cmp -s "$W/$name.off.check" "$W/$name.on.check" && ! grep -q ': failed$' "$W/$name.on.check"; then
		tap OK "$name: same result with SPF off and on ($(sha256sum <"$W/$name.on.check" | cut -c1-12))"
	else
		tap FAIL "$name: results differ or a run failed"
		diff "$W/$name.off.check" "$W/$name.on.check" | head -n 20 | sed 's/^/#   /'
	fi
}

echo "# $(uname -r) on $(nproc) CPUs, $(ls -d /sys/devices/system/node/node[0-9]* | wc -l) NUMA nodes;" \
	"THP $(cat /sys/kernel/mm/transparent_hugepage/enabled); swap: $(swapon --show=NAME,SIZE --noheadings | tr '\n' ' ')"
systemctl is-system-running --wait >"$W/state" 2>&1
echo "# system state: $(cat "$W/state")"
[ -r /proc/sys/vm/speculative_page_fault ] || { tap FAIL "the kernel has vm.speculative_page_fault"; }

# Package installation from the local repository (git and its dependencies).
apt-get update -q >"$W/apt-update.log" 2>&1 || { echo "# apt-get update failed:"; sed 's/^/#   /' "$W/apt-update.log"; }
program apt-install \
	'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git' \
	'git --version; dpkg-query -W -f "\${Package} \${Version} \${db:Status-Abbrev}\n" | sha256sum;
	 dpkg -L git | while read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done | sort | xargs cat | sha256sum' \
	'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove git'

program python3 "python3 $D/stdlib_work.py >$W/py.out" "cat $W/py.out"

# A small C project: the kernel's vm selftests (33 programs, spf's among
# them), against the guest's installed kernel headers (KHDR_INCLUDES must
# not be empty, or the Makefile looks for a kernel build's).
vmdir=$D/src/tools/testing/selftests/vm
program gcc-j2 \
	"o=$W/vm-\$(cat /proc/sys/vm/speculative_page_fault) && mkdir -p \$o && make -C $vmdir -j2 OUTPUT=\$o KHDR_INCLUDES=-DSPF_DISTRO" \
	"cd $W/vm-\$(cat /proc/sys/vm/speculative_page_fault) && ls | sort && sha256sum \$(ls | sort) | sha256sum"

program sqlite3 "sqlite3 $W/db.\$\$ <$D/load.sql >$W/sqlite.out; rm -f $W/db.*" "cat $W/sqlite.out"

tar -C / -cf "$W/corpus.tar" usr/lib/python3.11 usr/share/perl 2>/dev/null
echo "# corpus for xz and zstd: $(du -m "$W/corpus.tar" | cut -f1) MiB"
program xz-T2 "xz -T2 -6 -c $W/corpus.tar >$W/c.xz" \
	"sha256sum <$W/c.xz; xz -dc $W/c.xz | cmp - $W/corpus.tar && echo round trip ok" "rm -f $W/c.xz"
program zstd-T2 "zstd -q -T2 -19 -c $W/corpus.tar >$W/c.zst" \
	"sha256sum <$W/c.zst; zstd -q -dc $W/c.zst | cmp - $W/corpus.tar && echo round trip ok" "rm -f $W/c.zst"

if command -v java >/dev/null 2>&1; then
	program java-threads "java -Xmx512m $D/Threads.java >$W/java.out" "cat $W/java.out"
else
	echo "ok - java-threads # SKIP no Java runtime in this guest"
fi

# The spf selftest, as built by the gcc step (SPF on: it asserts its counters).
spf=$W/vm-1/spf
if [ -x "$spf" ]; then
	echo 1 >/proc/sys/vm/speculative_page_fault
	run spf-selftest on "$spf" || true
	awk '/^ok [0-9]+ / { sub(/^ok [0-9]+ /, ""); print "ok - spf: " $0 }
		/^not ok [0-9]+ / { sub(/^not ok [0-9]+ /, ""); print "not ok - spf: " $0 }' "$W/spf-selftest.on.log"
	pass=$((pass + $(grep -c '^ok [0-9]' "$W/spf-selftest.on.log")))
	fail=$((fail + $(grep -c '^not ok [0-9]' "$W/spf-selftest.on.log")))
	grep -q '^ok [0-9]' "$W/spf-selftest.on.log" || tap FAIL "spf selftest ran (status $rc)"
else
	tap FAIL "the gcc step built the spf selftest"
fi
echo 1 >/proc/sys/vm/speculative_page_fault

failed=$(systemctl --failed --no-legend --plain | awk '{ print $1 }' | tr '\n' ' ')
if [ -z "$failed" ]; then tap OK "no failed systemd unit"; else tap FAIL "failed systemd units: $failed"; fi
echo "$pass passed, $fail failed"
echo "@@SPF-EXIT $([ "$fail" -eq 0 ] && echo 0 || echo 1)"
sync
systemctl poweroff
