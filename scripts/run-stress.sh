#!/bin/sh
# make stress: the reliability runs on the debug kernel, for as long as asked.
#
#   run-stress.sh   (environment: DURATION, STRESS, SEED)
#
# DURATION (5m; 90s, 30m, 2h or seconds) is given to each part of STRESS:
#   soak     randomized race soaks with the leak check: spf-stress (anonymous
#            memory) and, beside it, spf-stress-file (file and shared memory)
#   control  the same with SPF off: a failure here is a bug of the oracle
#   inject   the soak under failslab and fail_page_alloc (half of DURATION
#            failing only non-sleeping allocations, half failing all)
#   diff     spf-diff, SPF off vs on, 1 and 4 threads; DURATION sets its length
#   file     spf_file's tests in a loop (races 10 s each: truncate, hole punch,
#            MADV_REMOVE, MAP_FIXED, munmap) on tmpfs, memfd and ext4
# STRESS defaults to "soak inject diff file". SEED replays a run (default: drawn).
# Prints the TAP stream and ends with "N passed, N failed, N skipped".
. "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-5m}
STRESS=${STRESS:-soak inject diff file}
SEED=${SEED:-}
case $DURATION in
*[0-9]h) secs=$(( ${DURATION%h} * 3600 )) ;;
*[0-9]m) secs=$(( ${DURATION%m} * 60 )) ;;
*[0-9]s) secs=${DURATION%s} ;;
*) secs=$DURATION ;;
esac
case $secs in ''|*[!0-9]*|0) die "DURATION must be like 90s, 30m, 2h or a number of seconds (got '$DURATION')" ;; esac
case $SEED in *[!0-9]*) die "SEED must be a number (got '$SEED')" ;; esac
suites=
for part in $STRESS; do
	case $part in
	soak|control|inject|diff|file) suites="$suites stress-$part" ;;
	*) die "unknown STRESS part '$part' (soak, control, inject, diff, file)" ;;
	esac
done
[ -n "$suites" ] || die "STRESS is empty (soak, control, inject, diff, file)"

# spf-diff takes about 1 s per 100 steps under TCG: scale it with DURATION.
steps=$(( secs * 20 ))
parts=$(echo $suites | wc -w)
export TIMEOUT=${TIMEOUT:-$(( parts * (secs + $(scaled 300)) + $(scaled 600) ))}
say "stress: $STRESS, $secs s each${SEED:+, seed $SEED}; guest timeout ${TIMEOUT}s"
RUN_NAME=stress GUEST_ENV="STRESS_SECS=$secs STRESS_STEPS=$steps STRESS_SEED=$SEED" \
	exec "$SPF_ROOT/scripts/run-check.sh" $suites
