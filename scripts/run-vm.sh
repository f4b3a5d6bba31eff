#!/bin/sh
# Boot a kernel, copy host files into the guest's /opt, run a command there,
# print its output and return its exit status.
#
#   run-vm.sh debug|release 'COMMAND' [HOST-FILE...]
. "$(dirname "$0")/lib.sh"

kind=$1 cmd=$2
shift 2
[ -n "$cmd" ] || die "nothing to run: give RUN='command', e.g. make vm RUN='/opt/mytest' ADD=mytest"
mkdir -p "$BUILD/logs"
name=$(run_name vm)
job=$BUILD/logs/$name.job
printf '%s\n' "$cmd" >"$job"
"$SPF_ROOT/scripts/boot.sh" "$kind" "$name" "$job" "$@" && rc=0 || rc=$?
# make turns any failure into its own status 2: say the command's own.
[ "$rc" -eq 0 ] || say "vm: '$cmd' exited with status $rc"
exit "$rc"
