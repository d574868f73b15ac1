#!/usr/bin/env bash
# Runs inside the validation VM (through Tests/VM/run.sh), from the package's root, with the
# release build made on the host (`swift build -c release --product iofabric`). In one boot:
#   (1) perftest ib_write_bw and ib_read_bw on rxe0 (loopback), 64 KiB messages: the reference
#       (unless the caller measured them in this boot: IOFABRIC_IB_WRITE_BW, IOFABRIC_IB_READ_BW);
#   (2) Scenarios/real/bandwidth.json: 64 KiB sequential reads, then writes, at queue depth 16
#       through the agents from the scsi_debug disk /dev/sg0 (the disk path);
#   (3) Scenarios/real/bandwidth-memory.json: the same load from a LUN in the target's memory
#       (ram:64MiB: no SG_IO, no disk), the agents' data path alone;
# each run given (1)'s figures, so its report compares reads with ib_write_bw (the target
# RDMA-WRITEs read data) and writes with ib_read_bw (it RDMA-READs written data), in MiB/s.
# Prints the ratio lines, then one `iofabric-vm-result: KEY=VALUE` line per figure.
# Exits non-zero when a run fails (a lost or corrupt byte, an error), and, with
# IOFABRIC_BANDWIDTH_STRICT=1, when a ratio of the memory LUN is under 90 %.
#
#   swift build -c release --product iofabric
#   flock /tmp/iofabric-vm.lock Tests/VM/run.sh --timeout 600 -- Tests/VM/guest-bandwidth.sh
set -uo pipefail

bin="${IOFABRIC_BIN:-.build/release}"
size="${IOFABRIC_PERFTEST_SIZE:-65536}"
iterations="${IOFABRIC_PERFTEST_ITERATIONS:-2000}"
out="${IOFABRIC_BANDWIDTH_OUT:-/tmp/iofabric-bandwidth}"
failures=0
result() { echo "iofabric-vm-result: $1=$2"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
section() { echo; echo "=== $* (guest uptime $(cut -d' ' -f1 /proc/uptime) s)"; }

. Tests/VM/perftest.sh

# The reference: given by the caller (guest-validation.sh measures it in the same boot), or
# measured here.
write_bw="${IOFABRIC_IB_WRITE_BW:-}"
read_bw="${IOFABRIC_IB_READ_BW:-}"
if [ -z "$write_bw" ] || [ -z "$read_bw" ]; then
    section "(1) perftest on rxe0 (${size} B x ${iterations})"
    perftest ib_write_bw "$size" "$iterations"
    write_bw="$figure"
    perftest ib_read_bw "$size" "$iterations"
    read_bw="$figure"
else
    section "(1) perftest figures of this boot: ib_write_bw $write_bw, ib_read_bw $read_bw MiB/s"
fi
reference=()
[ -n "$write_bw" ] && reference+=(--ib-write-bw "$write_bw")
[ -n "$read_bw" ] && reference+=(--ib-read-bw "$read_bw")

# bandwidth LABEL FILE: one run through the agents, its ratio lines and the target's profile.
bandwidth() {
    local label="$1" file="$2" output status
    output="$("$bin/iofabric" run --backend real "$file" --ib-dev rxe0 "${reference[@]}" --out "$out/$label" 2>&1)"
    status=$?
    echo "$output"
    echo "--- the target's profile"
    grep -vE "ready|starting" "$out/$label/target.out" 2>/dev/null
    [ $status = 0 ] || fail "$file exited with $status"
    while IFS= read -r line; do
        local client direction ratio
        client="${line%%:*}"
        direction="$(awk '{ print $2 }' <<<"$line")"
        ratio="$(grep -oE '= [0-9.]+ %' <<<"$line" | grep -oE '[0-9.]+')"
        result "${label}_${client}_${direction}_ratio_percent" "$ratio"
        result "${label}_${client}_${direction}_MiBps" "$(awk '{ print $3 }' <<<"$line")"
        if [ "${IOFABRIC_BANDWIDTH_STRICT:-0}" = 1 ] && [ "$label" = memory ] \
            && ! awk -v r="$ratio" 'BEGIN { exit !(r >= 90) }'; then
            fail "$label $client $direction: $ratio % of perftest, under 90 %"
        fi
    done < <(grep -E "MiB/s through the agents vs" <<<"$output")
}

section "(2) the disk path: Scenarios/real/bandwidth.json (/dev/sg0, scsi_debug)"
bandwidth disk Scenarios/real/bandwidth.json

section "(3) the agents without a disk: Scenarios/real/bandwidth-memory.json (ram:64MiB in the target)"
bandwidth memory Scenarios/real/bandwidth-memory.json

section "done"
result failures "$failures"
[ $failures = 0 ]
