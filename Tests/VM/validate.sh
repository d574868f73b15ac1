#!/usr/bin/env bash
# CI entry for the real-device validation in the VM (see Tests/VM/README.md):
#   builds the VM if needed, builds the package (debug, with tests, and the release command) on
#   the host, boots the VM once and runs Tests/VM/guest-validation.sh in it: `iofabric devices`,
#   the RealHardwareTests suites on rxe0, /dev/sg0 and the LIO disks, perftest ib_write_bw /
#   ib_read_bw on rxe0, the real-mode storage target, the HA cluster with a takeover, the data
#   path against perftest; then writes Reports/vm-validation/summary.md (and guest.log beside it).
#
# Exit 0 when everything passed, or after one "VM validation skipped: <reason>" line when
# this machine cannot run the VM (IOFABRIC_SKIP_VM=1, not x86_64, no qemu and apt cannot
# install it, no network to fetch the kernel). Non-zero when a check failed or the VM did not
# boot.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
out="$root/Reports/vm-validation"
timeout="${IOFABRIC_VM_TIMEOUT:-1200}"

skip() {
    echo "VM validation skipped: $*"
    exit 0
}
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

[ "${IOFABRIC_SKIP_VM:-0}" != 1 ] || skip "IOFABRIC_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "not x86_64 ($(uname -m))"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(now)
build_log="$(mktemp)"
"$here/build.sh" 2> >(tee "$build_log" >&2)
status=$?
sleep 0.1
if [ $status = 3 ]; then
    reason="$(grep -o 'cannot build: .*' "$build_log" | tail -1)"
    rm -f "$build_log"
    skip "${reason#cannot build: }"
fi
rm -f "$build_log"
[ $status = 0 ] || { echo "VM validation FAILED: Tests/VM/build.sh exited with $status"; exit 1; }
vm_build_seconds=$(since "$started")

started=$(now)
echo "VM validation: swift build --build-tests"
mkdir -p "$out"
if ! swift build --build-tests >"$out/swift-build.log" 2>&1; then
    grep -E "error:" "$out/swift-build.log" | head -20
    echo "VM validation FAILED: swift build --build-tests (see Reports/vm-validation/swift-build.log)"
    exit 1
fi
[ -x .build/debug/iofabric ] && [ -x .build/debug/iofabricPackageTests.xctest ] \
    || { echo "VM validation FAILED: the debug build has no iofabric or test bundle"; exit 1; }
swift_build_seconds=$(since "$started")

# The data-path runs measure bandwidth: a release build of the command (the guest runs it).
started=$(now)
echo "VM validation: swift build -c release --product iofabric"
if ! swift build -c release --product iofabric >"$out/swift-build-release.log" 2>&1; then
    grep -E "error:" "$out/swift-build-release.log" | head -20
    echo "VM validation FAILED: swift build -c release --product iofabric (see Reports/vm-validation/swift-build-release.log)"
    exit 1
fi
release_build_seconds=$(since "$started")

echo "VM validation: booting the VM (load average $load_before)"
started=$(now)
"$here/run.sh" --timeout "$timeout" -- bash Tests/VM/guest-validation.sh >"$out/guest.log" 2>"$out/run.log" &
run_pid=$!
# Only the guest's section headers, results and failures go to stdout (prefixed "vm: "), so
# that its Swift Testing lines are never taken for the host's own test summary; the whole
# output is in guest.log.
tail -c +1 -f --pid=$run_pid "$out/guest.log" 2>/dev/null \
    | grep --line-buffered -E '^(=== |iofabric-vm-result: |FAILED|ib_(write|read)_bw: |✘)' \
    | sed -u 's/^/vm: /' &
stream_pid=$!
wait $run_pid
status=$?
wait $stream_pid
cat "$out/run.log"
run_seconds=$(since "$started")
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

value() { grep -m1 "^iofabric-vm-result: $1=" "$out/guest.log" | cut -d= -f2-; }
boot="$(grep -oE 'boot to ready [0-9.?]+ s' "$out/run.log" | grep -oE '[0-9.]+' | head -1)"
boot_wall="$(grep -oE 'guest uptime, [0-9.?]+ s wall' "$out/run.log" | grep -oE '[0-9.]+' | head -1)"
case $status in
0) verdict="passed" ;;
120) verdict="FAILED: the VM could not be built" ;;
121) verdict="FAILED: the VM did not boot or died (see run.log)" ;;
124) verdict="FAILED: timeout after $timeout s" ;;
*) verdict="FAILED: $(value failures) check(s) failed in the guest (exit $status; see guest.log)" ;;
esac

write_bw="$(value ib_write_bw)"
read_bw="$(value ib_read_bw)"
cat >"$out/summary.md" <<EOF
# VM validation (Soft-RoCE and scsi_debug under QEMU TCG)

Result: **$verdict**. Written by \`Tests/VM/validate.sh\` on $(date -u +"%Y-%m-%d %H:%M UTC");
emulator figures, for correctness and ratios only, never hardware figures.

| what | value |
|---|---|
| guest kernel | $(value kernel) |
| RDMA devices (\`iofabric devices\`) | $(value rdma_devices) |
| SCSI generic devices (\`iofabric devices\`) | $(value sg_devices) |
| /dev/sg0 INQUIRY | $(value sg0) |
| LIO persistent-reservation disks (\`/run/iofabric-lio.status\`) | $(value lio) |
| RealHardwareTests in the guest | $(value tests_summary) |
| tests skipped | $(value tests_skipped) |
| tests that ran on a device | $(value tests_on_devices) |
| perftest \`ib_write_bw\` (${IOFABRIC_PERFTEST_SIZE:-65536} B, loopback on rxe0) | ${write_bw:-?} MB/s |
| perftest \`ib_read_bw\` (${IOFABRIC_PERFTEST_SIZE:-65536} B, loopback on rxe0) | ${read_bw:-?} MB/s |
| real mode: target on rxe0 serving /dev/sg0, verifying client (debug build) | $(value real_validation) |
| HA cluster on rxe0 + LIO disks: verdict, Red killed → Blue serving (s), lost acknowledged writes | $(value cluster-verdict), $(value cluster-failover-seconds) s, $(value cluster-lost-acknowledged-writes) |
| HA cluster: slam connect Red / Blue (s), heartbeats received Red / Blue | $(value cluster-slam-connect-seconds-red) / $(value cluster-slam-connect-seconds-blue), $(value cluster-heartbeats-received-red) / $(value cluster-heartbeats-received-blue) |
| data path, 64 KiB QD 16 from /dev/sg0 (release): reads % of ib_write_bw, writes % of ib_read_bw | $(value disk_read_reads_ratio_percent) %, $(value disk_write_writes_ratio_percent) % |
| data path from a memory LUN (no disk): reads, writes | $(value memory_read_reads_ratio_percent) %, $(value memory_write_writes_ratio_percent) % |
| boot to ready: guest uptime / wall from QEMU's start | ${boot:-?} s / ${boot_wall:-?} s |
| guest uptime at the end | $(value guest_uptime) s |
| VM run, wall (boot, checks, power-off) | $run_seconds s |
| VM build (cached when 0.x s) | $vm_build_seconds s |
| swift build --build-tests (host) | $swift_build_seconds s |
| swift build -c release --product iofabric (host) | $release_build_seconds s |
| host load average before / after | $load_before / $load_after |

The guest's full output is in \`guest.log\`, the harness's in \`run.log\`.
EOF
echo "VM validation: $verdict; ib_write_bw ${write_bw:-?} MB/s, ib_read_bw ${read_bw:-?} MB/s, boot ${boot:-?} s;" \
    "summary in Reports/vm-validation/summary.md"
[ $status = 0 ]
