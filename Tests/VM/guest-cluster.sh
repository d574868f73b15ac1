#!/usr/bin/env bash
# Runs inside the validation VM (through run.sh), from the package's root, with the package
# built on the host. The HA cluster on real devices (issue #8): `iofabric run --backend real
# Scenarios/real/cluster.json --compare-sim` starts Blue and Red (`iofabric serve --system`,
# both on rxe0, each with its LIO disk /dev/iofabric/sg-<shelf>-<system> and the partner's
# through its own nexus), then a client of Red with verified writes and reads; SIGKILLs Red 3 s
# after the client started; Blue detects it (missed heartbeats), fences it (PREEMPT, drain,
# reserve on LIO's persistent reservations), replays its mirrored NVRAM log and serves its LUN;
# the client fails over to Blue. Then the simulated twin. Checks the run's exit status, prints
# the report and one `iofabric-vm-result: KEY=VALUE` line per figure, exits non-zero on failure.
#
# Usage: guest-cluster.sh [OUT-DIR]   (default Reports/cluster-real; the reports are also copied
# to /iofabric-vm/cluster-real when the results share is there: run.sh --keep keeps it)
set -uo pipefail

bin="${IOFABRIC_BIN:-.build/debug}"
out="${1:-Reports/cluster-real}"
failures=0
result() { echo "iofabric-vm-result: $1=$2"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

echo "=== the LIO disks: $(cat /run/iofabric-lio.status 2>/dev/null || echo 'missing: no /run/iofabric-lio.status')"
for name in sg-red0-red sg-red0-blue sg-blue0-red sg-blue0-blue; do
    [ -e "/dev/iofabric/$name" ] || fail "no /dev/iofabric/$name (Tests/VM/lio-setup.sh)"
done

echo "=== the cluster run (guest uptime $(cut -d' ' -f1 /proc/uptime) s)"
"$bin/iofabric" run --backend real Scenarios/real/cluster.json --out "$out" --compare-sim
status=$?
result cluster-exit "$status"
[ "$status" = 0 ] || fail "iofabric run --backend real Scenarios/real/cluster.json exited $status"

report="$out/report.json"
if [ -s "$report" ]; then
    # The figures, from the report (python3 is not in every guest: sed on the pretty JSON).
    figure() { sed -n "s/^ *\"$1\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$report" | head -1; }
    result cluster-verdict "$(sed -n 's/^  "verdict": "\([a-z]*\)".*/\1/p' "$report")"
    result cluster-failover-seconds "$(figure failoverSeconds)"
    result cluster-detection-seconds "$(figure detectionSeconds)"
    result cluster-client-failover-seconds "$(figure clientFailoverSeconds)"
    result cluster-lost-acknowledged-writes "$(figure lostAcknowledgedWrites)"
    for system in red blue; do
        result "cluster-slam-connect-seconds-$system" "$(sed -n "/\"slamConnectSeconds\": {/,/}/s/^ *\"$system\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$report" | head -1)"
        result "cluster-heartbeats-received-$system" "$(sed -n "/\"heartbeatsReceived\": {/,/}/s/^ *\"$system\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$report" | head -1)"
    done
    echo "=== report.md"
    cat "$out/report.md"
    [ -s "$out/simvsreal.md" ] && { echo "=== simvsreal.md"; cat "$out/simvsreal.md"; }
else
    fail "no $report"
fi
for file in "$out"/system-*.out "$out"/system-*.err "$out"/client-*.err; do
    [ -s "$file" ] && { echo "=== $file"; tail -30 "$file"; }
done
if [ -d /iofabric-vm ] && [ -w /iofabric-vm ]; then
    mkdir -p /iofabric-vm/cluster-real && cp -r "$out"/. /iofabric-vm/cluster-real/ 2>/dev/null
fi
echo "guest-cluster: $failures failure(s)"
[ "$failures" = 0 ]
