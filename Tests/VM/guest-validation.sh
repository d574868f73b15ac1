#!/usr/bin/env bash
# Runs inside the validation VM (started by Tests/VM/validate.sh through run.sh), from the
# package's root, with its debug build already made on the host. Checks, in order:
#   (a) the kernel's devices: rxe0 ACTIVE (rdma link, ibv_devinfo), /dev/sg0 is scsi_debug (sg_inq),
#       the LIO persistent-reservation disks set up (/run/iofabric-lio.status, /dev/iofabric/sg-*);
#   (b) `iofabric devices` lists rxe0 and /dev/sg0;
#   (c) the RealHardwareTests suites, with the tests that need a device running on rxe0 and sg0,
#       and the reservation test on the LIO disk's two nexuses;
#   (d) perftest ib_write_bw / ib_read_bw on rxe0, server and client in this guest (loopback);
#   (e) the real-mode validation run (Scenarios/real/validation.json): target + client on rxe0, /dev/sg0;
#   (f) the HA cluster on real devices (guest-cluster.sh): Red and Blue slam connect on rxe0 over
#       the LIO disks, Red is SIGKILLed, Blue takes over, the client fails over verified;
#   (g) the data path against perftest (guest-bandwidth.sh, release build): MiB/s and ratios.
# Prints everything, then one `iofabric-vm-result: KEY=VALUE` line per figure for validate.sh,
# and exits non-zero when a check failed.
set -uo pipefail

bin="${IOFABRIC_BIN:-.build/debug}"
perftest_size="${IOFABRIC_PERFTEST_SIZE:-65536}"
perftest_iterations="${IOFABRIC_PERFTEST_ITERATIONS:-2000}"
failures=0
result() { echo "iofabric-vm-result: $1=$2"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
section() { echo; echo "=== $* (guest uptime $(cut -d' ' -f1 /proc/uptime) s)"; }
. Tests/VM/perftest.sh

section "(a) kernel devices"
result kernel "$(uname -r)"
links="$(rdma link show)"
echo "$links"
grep -q "^link rxe0/1 state ACTIVE" <<<"$links" || fail "rxe0 port 1 is not ACTIVE"
ibv_devinfo -d rxe0 | grep -E "hca_id|transport|state|active_mtu|link_layer" || fail "ibv_devinfo -d rxe0"
inquiry="$(sg_inq /dev/sg0)"
grep -E "Vendor identification|Product identification|Product revision" <<<"$inquiry"
grep -q "Product identification: scsi_debug" <<<"$inquiry" || fail "/dev/sg0 is not scsi_debug"
# Two LIO disks with SCSI-3 persistent reservations, two initiators each (Tests/VM/lio-setup.sh,
# run by the VM's /init): its one status line, and the stable names it made.
lio_status="$(cat /run/iofabric-lio.status 2>/dev/null || echo "missing: no /run/iofabric-lio.status")"
echo "LIO setup: $lio_status"
result lio "$lio_status"
if [ "${lio_status%%:*}" = ok ]; then
    for name in sg-red0-red sg-red0-blue sg-blue0-red sg-blue0-blue; do
        lio_inquiry="$(sg_inq "/dev/iofabric/$name" 2>&1)"
        echo "/dev/iofabric/$name -> $(readlink "/dev/iofabric/$name"): $(awk -F': ' '/Vendor identification|Product identification|Unit serial number/ { printf "%s ", $2 }' <<<"$lio_inquiry" | tr -s ' ')"
        grep -q "Vendor identification: LIO-ORG" <<<"$lio_inquiry" || fail "/dev/iofabric/$name is not a LIO disk"
    done
else
    fail "the LIO disks were not set up ($lio_status)"
fi
result sg0 "$(awk -F': ' '/Vendor identification|Product identification|Product revision/ { printf "%s ", $2 }' <<<"$inquiry" | tr -s ' ')"

section "(b) iofabric devices"
devices="$("$bin/iofabric" devices 2>&1)"
status=$?
echo "$devices"
[ $status = 0 ] || fail "iofabric devices exited with $status"
grep -q "rxe0" <<<"$devices" || fail "iofabric devices does not list rxe0"
grep -q "^ */dev/sg0: Linux  *scsi_debug" <<<"$devices" || fail "iofabric devices does not identify /dev/sg0 as scsi_debug"
result rdma_devices "$(awk '/^RDMA devices:/ { listing = 1; next } /^[^ ]/ { listing = 0 }
    listing && /^  [^ ]/ { sub(/^  /, ""); sub(/:.*/, ""); print }' <<<"$devices" | paste -sd, -)"
result sg_devices "$(grep -oE '^ */dev/sg[0-9]+: [^,]*' <<<"$devices" | sed 's/^ *//' | paste -sd';' -)"

section "(c) RealHardwareTests in the guest"
# What `swift test` runs, without the SwiftPM driver: the test bundle (an executable on
# Linux) with the Swift Testing library selected, filtered to one test module.
tests_output="$("$bin/iofabricPackageTests.xctest" --testing-library swift-testing --filter RealHardwareTests 2>&1)"
status=$?
echo "$tests_output"
[ $status = 0 ] || fail "RealHardwareTests exited with $status"
summary="$(grep -E "Test run with [0-9]+ tests?" <<<"$tests_output" | tail -1)"
[ -n "$summary" ] || fail "no Swift Testing summary line"
tests_run="$(grep -oE "Test run with [0-9]+" <<<"$summary" | grep -oE "[0-9]+$")"
skipped="$(grep -cE "Test [a-zA-Z0-9_]+\(\) skipped" <<<"$tests_output")"
result tests "${tests_run:-0}"
result tests_skipped "$skipped"
# Without the words "Test run with", so that CI never reads it as the host's own summary.
result tests_summary "$(sed -E 's/^.*Test run with //' <<<"$summary")"
grep -q "RDMA port test runs on rxe0" <<<"$tests_output" || fail "the RDMA port test did not run on rxe0"
grep -q "SCSI generic probe runs on /dev/sg0" <<<"$tests_output" || fail "the SCSI probe test did not run on /dev/sg0"
grep -q "RDMA device: rxe0" <<<"$tests_output" || fail "the device listing test did not list rxe0"
grep -q "RealVerbs RC loopback runs on rxe0" <<<"$tests_output" || fail "the verbs loopback tests did not run on rxe0"
grep -q "RealVerbs load READ unverified on rxe0" <<<"$tests_output" || fail "the RDMA load agents did not run on rxe0"
grep -q "Real reservation test runs on /dev/iofabric/sg-red0-red" <<<"$tests_output" \
    || fail "the reservation test did not run on the LIO disk (/dev/iofabric/sg-red0-red, sg-red0-blue)"
result tests_on_devices "$(grep -oE "(RDMA port test|SCSI generic probe|Real reservation test) runs on [^ ]+" <<<"$tests_output" | paste -sd';' -)"

section "(d) perftest on rxe0 (loopback, ${perftest_size} B x ${perftest_iterations})"
echo "$(grep -m1 -E "Mtu|MTU" <(ibv_devinfo -d rxe0) | tr -s ' \t' ' ')"
perftest ib_write_bw "$perftest_size" "$perftest_iterations"
write_bw="$figure"
perftest ib_read_bw "$perftest_size" "$perftest_iterations"
read_bw="$figure"

section "(e) real mode: a storage target on rxe0 serving /dev/sg0 to a verifying client"
# The agents of the simulated runs, on real verbs, SG_IO and the in-process bus; exits 0 only
# when the run passes (every byte read verified, no error, no lost write).
# --compare-sim then runs its simulated twin (disk and link calibrated from the VM's measured
# SG_IO and perftest figures) and writes the sim-vs-real table, printed here: the guest's
# writes do not reach the host.
real_output="$("$bin/iofabric" run --backend real Scenarios/real/validation.json --ib-dev rxe0 --compare-sim \
    --out Reports/vm-validation/real-validation 2>&1)"
status=$?
echo "$real_output"
[ $status = 0 ] || fail "the real-mode validation run exited with $status"
cat Reports/vm-validation/real-validation/simvsreal.md 2>/dev/null || fail "no sim-vs-real report"
result real_validation "$(grep -E "^c0: " <<<"$real_output" | sed -E 's/ \(.*\)//' | head -1)"

section "(f) the HA cluster on real devices: slam connect, heartbeats, Red killed and taken over"
# The release build when there is one: the run's simulated twin (a cluster scenario of 12 s)
# takes minutes in a debug build under emulation.
cluster_bin="$bin"
[ -x .build/release/iofabric ] && cluster_bin=.build/release
IOFABRIC_BIN="$cluster_bin" bash Tests/VM/guest-cluster.sh Reports/vm-validation/cluster-real \
    || fail "the real-mode cluster run (Tests/VM/guest-cluster.sh) failed"

section "(g) the data path against perftest (release build)"
# 64 KiB at queue depth 16 through the agents, from /dev/sg0 and from a LUN in the target's
# memory, each as a ratio of (d)'s figures (reads to ib_write_bw, writes to ib_read_bw).
if [ -x .build/release/iofabric ]; then
    IOFABRIC_BIN=.build/release IOFABRIC_IB_WRITE_BW="$write_bw" IOFABRIC_IB_READ_BW="$read_bw" \
        bash Tests/VM/guest-bandwidth.sh || fail "the data-path runs (Tests/VM/guest-bandwidth.sh) failed"
else
    echo "skipped: no release build (.build/release/iofabric); validate.sh builds it"
fi

section "guest done"
result guest_uptime "$(cut -d' ' -f1 /proc/uptime)"
result failures "$failures"
[ $failures = 0 ]
