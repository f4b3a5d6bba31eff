# Speculative page faults for Linux 6.1: build, boot and test harness.
# 'make help' lists the targets and variables. The work is done by scripts/.

KNOWN_VARS := ARCH MMU LA57 KERNEL VCPUS MEM TIMEOUT ACCEL TCG APPEND RUN ADD QUICK BENCH SUITES REPEAT DURATION STRESS SEED MODULES
KERNEL ?= release
# ARCH counts only on the command line: the environment's ARCH, if any, is
# kbuild's (kernel developers export it), not the guest's.
ifneq ($(origin ARCH),command line)
ARCH := x86_64
endif

# Refuse variables we do not know: a typo would otherwise be silently ignored.
cmdline_vars := $(foreach v,$(.VARIABLES),$(if $(findstring command line,$(origin $(v))),$(v)))
unknown_vars := $(filter-out $(KNOWN_VARS),$(cmdline_vars))
ifneq ($(unknown_vars),)
$(error unknown variable(s): $(unknown_vars); known: $(KNOWN_VARS) (see 'make help'))
endif
ifeq ($(filter $(KERNEL),debug release),)
$(error KERNEL must be debug or release, not '$(KERNEL)')
endif
ifeq ($(filter $(ARCH),x86_64 ppc64le arm64),)
$(error ARCH must be x86_64, ppc64le or arm64, not '$(ARCH)')
endif
ifneq ($(filter-out 0 1,$(LA57)),)
$(error LA57 must be 1 or 0, not '$(LA57)')
endif
ifeq ($(LA57),1)
ifneq ($(ARCH),x86_64)
$(error LA57=1 (5-level paging) is for ARCH=x86_64, not $(ARCH))
endif
endif
ifneq ($(MMU),)
ifneq ($(ARCH),ppc64le)
$(error MMU=$(MMU) is for ARCH=ppc64le, not $(ARCH))
endif
ifeq ($(filter $(MMU),radix hash),)
$(error MMU must be radix or hash, not '$(MMU)')
endif
endif

ifneq ($(REPEAT),)
ifneq ($(shell echo '$(REPEAT)' | grep -xE '[1-9][0-9]*'),$(REPEAT))
$(error REPEAT must be a positive number of runs, not '$(REPEAT)')
endif
endif
ifneq ($(BENCH),)
ifneq ($(shell echo '$(BENCH)' | grep -xE '[a-z0-9 -]+'),$(BENCH))
$(error BENCH takes scenario name prefixes (letters, digits, '-'), not '$(BENCH)')
endif
endif

# The scripts read the guest architecture from SPF_* (lib.sh: arch_setup).
export SPF_ARCH := $(ARCH)
export SPF_MMU := $(MMU)
export SPF_LA57 := $(LA57)
export VCPUS MEM TIMEOUT ACCEL TCG APPEND QUICK BENCH REPEAT DURATION STRESS SEED MODULES

S := scripts

.PHONY: help deps tree export series-check kernel guest initramfs check check-arches check-ci \
	check-all stress bench bench-peers vm deb distro-check \
	clean distclean \
	kernel-debug kernel-release guest-debug guest-release

help:
	@echo 'Speculative page faults for Linux 6.1 -- targets:'
	@echo '  make check      build the debug kernel (KASAN, lockdep, DEBUG_VM) with patches/,'
	@echo '                  boot it under QEMU, run the test suites; ends "N passed, N failed"'
	@echo '  make check-arches  a subset of check (spf, smoke, selftests-vm-core,'
	@echo '                  stress-quick) on x86-64 with 5-level paging, ppc64le radix and'
	@echo '                  hash, arm64; then one summary line'
	@echo '  make check-ci   make check, then the subset with 5-level paging: what CI'
	@echo '                  runs (.ci/run); ppc64le and arm64 are in check-arches'
	@echo '  make check-all  every suite on every guest (x86-64, la57, ppc64le radix and'
	@echo '                  hash, arm64)'
	@echo '  make stress DURATION=30m  the reliability runs on the debug kernel: race soak'
	@echo '                  with a page-content oracle, fault injection, SPF on/off diff'
	@echo '  make bench      build the release kernel and run the benchmarks in the guest'
	@echo '                  (each scenario with SPF off and on): table, CSV, PNG plot'
	@echo '  make bench-peers  the same scenarios on SPF 6.1, unpatched 6.1 and Debian 6.12'
	@echo '                  (per-VMA locks), kernels taking turns; one side-by-side table'
	@echo "  make vm RUN='cmd' ADD='files'"
	@echo '                  boot a kernel (KERNEL=release|debug), copy files to /opt, run cmd'
	@echo '                  there, print its output and exit with its status'
	@echo '  make deb        the series on Debian 12'"'"'s own kernel config, as packages'
	@echo '                  (bindeb-pkg, linux-image-<version>-spf) in build/deb-<arch>'
	@echo '  make distro-check  make deb, then a Debian 12 guest (mmdebstrap, systemd,'
	@echo '                  ext4, zram) with the package installed by dpkg -i: real programs'
	@echo '                  with SPF off and on; table and plot in build/results/'
	@echo '  make tree       (re)create build/linux: pristine source + one commit per patch'
	@echo '  make export     write the commits of build/linux back to patches/'
	@echo '  make series-check  apply the series patch by patch: checkpatch, build what each'
	@echo '                  touches, then the whole kernel (as bisect would meet it)'
	@echo '  make kernel     build one kernel (KERNEL=release|debug) in build/kernel-<kind>'
	@echo '  make deps       install the Debian packages the harness needs (root or sudo)'
	@echo '  make clean      remove build outputs, keep build/linux; distclean removes build/'
	@echo 'Variables:'
	@echo '  ARCH=x86_64|ppc64le|arm64  guest architecture for every target above but'
	@echo '                         bench-peers and series-check (x86_64 only); the others'
	@echo '                         are cross-built and run under TCG (pseries POWER9; virt'
	@echo '                         GICv3 Cortex max): outputs in build/kernel-<arch>-<kind>,'
	@echo '                         build/guest-<arch>, build/initramfs-<arch>.cpio.gz'
	@echo '  MMU=radix|hash         ppc64le: the guest MMU (hash: disable_radix; default radix)'
	@echo '  LA57=1                 x86_64: 5-level paging (QEMU -cpu max,+la57)'
	@echo '  KERNEL=release|debug   kernel for vm (check uses debug, bench release)'
	@echo '  VCPUS=2  MEM=2G        guest size (check: MEM=4G); the guest always has 2 NUMA nodes'
	@echo '  TIMEOUT=seconds        hard limit for one guest boot (check 2400, bench 1200, vm 600;'
	@echo '                         twice that on arm64)'
	@echo '  ACCEL=auto|kvm|tcg     QEMU accelerator; auto probes KVM with a test boot'
	@echo '  TCG=multi|single       TCG: a host thread per vCPU, or one for all (ppc64le default)'
	@echo '  APPEND="..."           extra kernel command line'
	@echo '  SUITES="smoke ..."     check: run only these suites (spf smoke selftests-vm'
	@echo '                         smoke-spf-off selftests-vm-spf-off stress; and'
	@echo '                         selftests-vm-core stress-quick, shorter, for check-arches;'
	@echo '                         stale-tlb, an emulator check, only when asked)'
	@echo '  REPEAT=N               check, stress: N runs in a row, logs check-r1...; stops at'
	@echo '                         the first failed run and says how many passed'
	@echo '  MODULES=list|all       deb: the modules of configs/deb-modules.list, or all'
	@echo '                         of Debian'"'"'s (hours on 2 cores)'
	@echo '  QUICK=1                bench: one short run per scenario'
	@echo '  BENCH="pf-file fork"   bench: only the scenarios whose names start so'
	@echo '  DURATION=5m            stress: length of each part (90s, 30m, 2h)'
	@echo '  STRESS="soak inject diff"  stress: the parts (and control: the soak, SPF off)'
	@echo '  SEED=N                 stress: replay the random choices of a run'
	@echo 'Logs: build/logs/<run>.console.log (kernel) and <run>.results.log (guest output).'
	@echo '  <run> is check, stress, bench or vm; other than on plain x86_64 it names the'
	@echo '  guest too: check-ppc64le, check-ppc64le-hash, bench-arm64, vm-la57, ...'

deps:
	@$(S)/install-deps.sh

tree: deps
	@$(S)/tree.sh create

export:
	@$(S)/export-series.sh

series-check: deps
	@$(S)/check-series.sh

# The kernels and guest programs; each script rebuilds only what changed.
kernel-debug kernel-release: kernel-%: deps
	@$(S)/tree.sh ensure
	@$(S)/build-kernel.sh $*

guest-debug guest-release: guest-%: kernel-%
	@$(S)/build-guest.sh $*
	@$(S)/make-initramfs.sh

kernel: kernel-$(KERNEL)
guest initramfs: guest-$(KERNEL)

check: guest-debug
	@$(S)/run-check.sh $(SUITES)

# Several guests in turn (scripts/run-check-matrix.sh): each picks its own
# ARCH, MMU, LA57 and SUITES, so these may not come from the command line.
check-arches check-ci check-all: check-%: deps
	@[ "$(origin ARCH)" = file ] && [ -z "$(MMU)$(LA57)$(SUITES)" ] || \
		{ echo 'make $@: ARCH, MMU, LA57 and SUITES are chosen per guest; drop them' >&2; exit 2; }
	@$(S)/run-check-matrix.sh $*

stress: guest-debug
	@$(S)/run-stress.sh

bench: guest-release
	@$(S)/run-bench.sh

bench-peers: guest-release
	@$(S)/run-bench-peers.sh

vm: guest-$(KERNEL)
	@$(S)/run-vm.sh $(KERNEL) "$(RUN)" $(ADD)

deb: deps
	@$(S)/build-deb.sh

# The packages of make deb on a Debian 12 guest (systemd, ext4, zram swap).
distro-check: deb
	@$(S)/build-rootfs.sh
	@$(S)/make-distro-image.sh
	@$(S)/run-distro-check.sh

clean:
	rm -rf build/kernel-debug build/kernel-release build/guest build/logs build/results build/initramfs.* \
		build/kernel-ppc64le-* build/kernel-arm64-* build/guest-* build/initramfs-*

distclean:
	@$(S)/tree.sh status | grep -q 'no work outside patches/' || \
		{ $(S)/tree.sh status; echo 'refusing: export or drop that work first'; exit 1; }
	rm -rf build

Makefile: ;
%:: ;@echo "make: unknown target '$@'; run 'make help' for the list" >&2; exit 2
