#!/bin/sh
# The table and plot of make distro-check, from the guest's report (the
# @@RUN lines of guest/distro/run-programs.sh and its TAP lines): per
# program, the faults taken with SPF off and on, the share of the latter
# handled speculatively, the top abort reasons, the times and their ratio,
# and whether both runs gave the same result. Writes build/results/
# distro-check.txt (also printed), distro-check.csv and distro-check.png.
#
#   distro-report.sh RESULTS-LOG
. "$(dirname "$0")/lib.sh"

log=${1:-}
[ -f "$log" ] || die "usage: distro-report.sh RESULTS-LOG"
grep -q '^@@RUN ' "$log" || die "no program ran in the guest: no @@RUN line in $log"
out=$BUILD/results
mkdir -p "$out"
csv=$out/distro-check.csv

awk '
	/^@@RUN / { p = $2; m = $3; if (!(p in seen)) { seen[p] = 1; order[++n] = p }
		rc[p, m] = $4; ms[p, m] = $5; pf[p, m] = $6; att[p, m] = $7; ok[p, m] = $8; ab[p, m] = $9 }
	/^ok - / { s = $3; sub(/:$/, "", s); same[s] = "yes" }
	/^not ok - / { s = $4; sub(/:$/, "", s); same[s] = "NO" }
	END {
		print "program,faults_off,faults_on,speculative_on,share_on,aborts_on,ms_off,ms_on,time_on_over_off,same_result,status_off,status_on"
		for (i = 1; i <= n; i++) {
			p = order[i]
			share = pf[p, "on"] > 0 ? 100 * ok[p, "on"] / pf[p, "on"] : 0
			ratio = ms[p, "off"] > 0 ? sprintf("%.2f", ms[p, "on"] / ms[p, "off"]) : "-"
			printf "%s,%s,%s,%s,%.1f,%s,%s,%s,%s,%s,%s,%s\n", p, pf[p, "off"] == "" ? "-" : pf[p, "off"],
				pf[p, "on"], ok[p, "on"], share, ab[p, "on"], ms[p, "off"] == "" ? "-" : ms[p, "off"],
				ms[p, "on"], ratio, (p in same) ? same[p] : "-", rc[p, "off"] == "" ? "-" : rc[p, "off"], rc[p, "on"]
		}
	}' "$log" >"$csv"

{
	echo "make distro-check, Debian 12 guest: $(sed -n 's/^# \(.*THP.*\)/\1/p' "$log" | head -n 1)"
	echo
	awk -F, 'NR == 1 { next }
		{ printf "%-14s %10s %10s %7s%% %-34s %9s %9s %6s %s\n", $1, $2, $3, $5, $6, $7 == "-" ? "-" : sprintf("%.1f", $7 / 1000),
			sprintf("%.1f", $8 / 1000), $9, $10 }' "$csv" |
	{
		printf "%-14s %10s %10s %8s %-34s %9s %9s %6s %s\n" program "faults off" "faults on" "spec on" \
			"top aborts (SPF on)" "s off" "s on" "on/off" "same"
		cat
	}
	echo
	echo "spec on: faults handled speculatively (spf_success) of all faults (pgfault) in the SPF-on run."
	echo "on/off: run time with SPF on over SPF off, one run each under $(sed -n 2p "$BUILD/accel-probe" 2>/dev/null || echo tcg):"
	echo "a TCG guest's times are not hardware times."
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1
} >"$out/distro-check.txt"
cat "$out/distro-check.txt"

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot >"$out/distro-check.gnuplot.log" 2>&1 <<EOF || say "warning: gnuplot failed; see $out/distro-check.gnuplot.log"
set terminal png size 1000,480
set output '$out/distro-check.png'
set datafile separator ','
set multiplot layout 1,2 title 'make distro-check: Debian 12 guest, SPF on vs off'
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -35 nomirror
set yrange [0:105]
set ylabel 'faults handled speculatively (%)'
plot '$csv' every ::1 using 0:5:xtic(1) with boxes notitle
set yrange [0:*]
set ylabel 'run time, SPF on / SPF off'
plot '$csv' every ::1 using 0:(\$9 > 0 ? \$9 : 1/0):xtic(1) with boxes notitle, 1 with lines dt 2 notitle
unset multiplot
EOF
	say "results: ${out#$SPF_ROOT/}/distro-check.txt, .csv, .png"
fi
