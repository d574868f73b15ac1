#!/usr/bin/env bash
# Runs one command in the validation VM (Soft-RoCE rxe0 on dummy0, scsi_debug /dev/sg0):
#
#   Tests/VM/run.sh [--timeout SECONDS] [--keep] -- COMMAND [ARGUMENT...]
#
# The guest sees the host's / read-only (with a writable tmpfs overlay) and runs COMMAND as
# root with bash, from the current directory, with `ulimit -l unlimited`. COMMAND's output
# (stdout and stderr together) streams to this script's stdout, and the script exits with
# COMMAND's exit status. The kernel's console goes to <run folder>/console.log.
#
# Exit codes of its own (distinct from what a command usually returns):
#   120  the VM cannot be built here (not x86_64, no qemu and apt cannot install it, no network)
#   121  the VM did not boot or died before COMMAND finished (see the console log it prints)
#   124  timeout (default 600 s, or --timeout)
#   64   usage error
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${IOFABRIC_VM_DIR:-$root/.build-vm}"
timeout=600
keep=0

usage() {
    echo "usage: Tests/VM/run.sh [--timeout SECONDS] [--keep] -- COMMAND [ARGUMENT...]" >&2
    exit 64
}
while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) [ $# -ge 2 ] || usage; timeout="$2"; shift 2 ;;
    --timeout=*) timeout="${1#--timeout=}"; shift ;;
    --keep) keep=1; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || usage
[[ "$timeout" =~ ^[0-9]+$ ]] || usage

if ! "$here/build.sh"; then
    echo "VM run: the VM cannot be built (see above)" >&2
    exit 120
fi

# One results share per run: the command, then the guest's ready and status files.
mkdir -p "$work/runs"
run="$(mktemp -d "$work/runs/run.XXXXXX")"
qemu_pid=""
tail_pid=""
cleanup() {
    [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
    [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
    if [ $keep = 0 ]; then rm -rf "$run"; else echo "VM run: kept $run" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{
    echo "# written by Tests/VM/run.sh"
    printf 'cd %q || exit 126\n' "$PWD"
    printf '%q ' "$@"
    echo
} >"$run/command.sh"
: >"$run/output"

# QEMU flags from REAL-DEVICES.md: TCG (KVM does not work on these machines), -cpu max for
# PCLMULQDQ (crct10dif-pclmul), no NIC; ttyS0 is the kernel console, ttyS1 the command's output.
# no_timer_check: on a loaded host the emulated timer may miss the kernel's early IO-APIC timer
# check, which then panics ("IO-APIC + timer doesn't work!"); the check proves nothing under TCG.
start=$(date +%s.%N)
qemu-system-x86_64 -machine q35 -accel tcg,thread=multi,tb-size=512 -cpu max -smp 2 -m 2048 \
    -kernel "$work/kernel/vmlinuz" -initrd "$work/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet loglevel=4 panic=-1 no_timer_check rdinit=/init" \
    -display none -vga none -monitor none -no-reboot -nic none \
    -serial "file:$run/console.log" -chardev "file,id=output,path=$run/output" -serial chardev:output \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$run,mount_tag=results,security_model=none,multidevs=remap" \
    </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
tail -c +1 -f --pid=$qemu_pid "$run/output" &
tail_pid=$!

deadline=$(($(date +%s) + timeout))
timed_out=0
ready_wall="?"
while kill -0 $qemu_pid 2>/dev/null; do
    if [ "$ready_wall" = "?" ] && [ -s "$run/ready" ]; then
        ready_wall=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
    fi
    if [ "$(date +%s)" -ge $deadline ]; then
        timed_out=1
        kill $qemu_pid 2>/dev/null || true
        break
    fi
    sleep 0.2
done
wait $qemu_pid 2>/dev/null || true
qemu_pid=""
wait $tail_pid 2>/dev/null || true
tail_pid=""
wall=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')

boot="?"
[ ! -s "$run/ready" ] || boot="$(awk '{ print $2 }' "$run/ready")"
# A line for scripts (validate.sh reads it): boot to ready in guest seconds, wall seconds.
timing="boot to ready ${boot} s guest uptime, ${ready_wall} s wall; ${wall} s wall in all"
if [ $timed_out = 1 ]; then
    echo "VM run: timeout after $timeout s ($timing)" >&2
    tail -5 "$run/console.log" >&2 || true
    exit 124
fi
if [ ! -s "$run/status" ]; then
    echo "VM run: the VM did not boot or died before the command finished; last console lines:" >&2
    tail -15 "$run/console.log" "$run/qemu.log" >&2 2>/dev/null || true
    exit 121
fi
echo "VM run: $timing" >&2
exit "$(awk '{ print $1 }' "$run/status")"
