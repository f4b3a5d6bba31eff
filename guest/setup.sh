# Sourced by the guest runners (run-tests.sh, run-bench.sh): the memory
# setup a Debian 12 user has, which the tests and benchmarks run under.

# Swap on zram, as a distribution kernel would have swap: swap-out and
# swap-in (MADV_PAGEOUT, khugepaged's swap cases) need a swap device.
setup_swap() {
	[ -e /sys/block/zram0/disksize ] || { echo "# no zram: running without swap"; return; }
	grep -q '^/dev/zram0 ' /proc/swaps && return
	echo 512M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 &&
		echo "# swap: $(awk '/SwapTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo) on zram0"
}

# THP in Debian's default mode, always (its kernel has
# CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS=y; our configs boot in madvise mode, as
# upstream's default), or the mode given: setup_thp [always|madvise|never].
# The spf suite sets the mode its THP tests need, and puts it back.
setup_thp() {
	f=/sys/kernel/mm/transparent_hugepage/enabled
	[ -w $f ] || { echo "# no THP"; return; }
	echo "${1:-always}" >$f && echo "# thp: $(thp_mode)"
}

thp_mode() {
	sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo none
}
