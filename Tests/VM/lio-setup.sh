#!/bin/busybox sh
# Run by the validation VM's /init (copied into the initramfs by Tests/VM/build.sh), before
# the command's chroot: two SCSI disks with SCSI-3 persistent reservations, each reachable
# from two initiators, built with LIO (target_core_mod) and its loopback fabric (tcm_loop)
# through configfs (no targetcli).
#
#   backstores   rd_mcp_0/red0, rd_mcp_0/blue0: RAM disks, 32 MiB each (8192 pages of 4 KiB)
#   target ports two tcm_loop WWNs, each one SCSI host with one I_T nexus:
#                  iqn.2026-11.org.iofabric:port.red  nexus iqn.2026-11.org.iofabric:red
#                  iqn.2026-11.org.iofabric:port.blue nexus iqn.2026-11.org.iofabric:blue
#                each with lun_0 → red0 and lun_1 → blue0
#   stable names /dev/iofabric/sg-<disk>-<initiator> → /dev/sgN (the contract other
#                topologies use): sg-red0-red, sg-red0-blue, sg-blue0-red, sg-blue0-blue
#
# So each disk has two initiators on one machine, as a dual-ported shelf disk seen by the two
# cluster nodes. A tcm_loop SCSI host is `H:0:T` (its tpg's `address` attribute) and LUN L is
# its SCSI device H:0:T:L; /sys/class/scsi_generic/sgN/device names the one sgN belongs to.
#
#   lio-setup.sh NEWROOT   (NEWROOT: the guest's root, whose /dev and /run are mounted)
#
# Writes one line to NEWROOT/run/iofabric-lio.status and prints it (the caller puts it on the
# console): `ok: sg-red0-red=/dev/sg1 ...` or `failed: <step>: <why>`. Exits 0 or 1; the boot
# goes on either way.
newroot="${1:?usage: lio-setup.sh NEWROOT}"
status_file="$newroot/run/iofabric-lio.status"
config=/sys/kernel/config
target=$config/target
prefix=iqn.2026-11.org.iofabric
# The initramfs has no /tmp.
error_file=/run/lio-setup.error
mkdir -p /run
# 32 MiB in 4 KiB pages (rd_mcp's `rd_pages`, PAGE_SIZE pages): "32 MiB each is plenty".
pages=8192

finish() {
    echo "$1" >"$status_file"
    echo "iofabric-lio: $1"
    [ "${1%%:*}" = ok ]
    exit $?
}
failed() { finish "failed: $*"; }
# A configfs write, which fails with the kernel's reason (dmesg says more).
put() {
    echo "$2" >"$1" 2>$error_file || failed "echo '$2' > ${1#$config/}: $(cat $error_file)"
}

[ -d $config ] || failed "no /sys/kernel/config (configfs not loaded)"
grep -q " $config " /proc/mounts || mount -t configfs configfs $config || failed "mount configfs"
mkdir -p $newroot/sys/kernel/config 2>/dev/null && mount -t configfs configfs $newroot$config 2>/dev/null
[ -d $target/core ] || failed "no $target/core (target_core_mod not loaded)"
# LIO writes each disk's persistent-reservation state to <dbroot>/pr/aptpl_<serial> (APTPL
# data, or "No Registrations or Reservations") at every PR OUT, from a kernel thread whose root
# is this initramfs; a PR OUT whose file cannot be written fails with NOT READY, LOGICAL UNIT
# COMMUNICATION FAILURE, even though it took effect. /var/target is the default dbroot.
mkdir -p /var/target/pr || failed "mkdir /var/target/pr"

# scsi_debug first, so that it keeps /dev/sg0 whatever the scan order.
for _ in $(seq 50); do
    grep -qs scsi_debug /sys/class/scsi_generic/sg0/device/model && break
    sleep 0.05
done

for disk in red0 blue0; do
    backstore=$target/core/rd_mcp_0/$disk
    mkdir -p $backstore || failed "mkdir core/rd_mcp_0/$disk"
    put $backstore/control "rd_pages=$pages"
    # A unit serial makes LIO answer VPD 80h and an NAA designator in VPD 83h.
    put $backstore/wwn/vpd_unit_serial "iofabric-$disk"
    # A write cache (LIO's emulated WCE): without it LIO refuses a WRITE with FUA (CHECK
    # CONDITION, INVALID FIELD IN CDB), which SBC-3 lets any initiator send.
    put $backstore/attrib/emulate_write_cache 1
    put $backstore/enable 1
done

for initiator in red blue; do
    wwn=$target/loopback/$prefix:port.$initiator
    tpg=$wwn/tpgt_1
    mkdir -p $tpg || failed "mkdir loopback/$prefix:port.$initiator/tpgt_1 (tcm_loop not loaded?)"
    # The I_T nexus before the LUNs: tcm_loop's LUN link scans the device through it.
    put $tpg/nexus "$prefix:$initiator"
    lun=0
    for disk in red0 blue0; do
        mkdir -p $tpg/lun/lun_$lun || failed "mkdir lun_$lun on port.$initiator"
        ln -s $target/core/rd_mcp_0/$disk $tpg/lun/lun_$lun/$disk 2>$error_file \
            || failed "link lun_$lun of port.$initiator to $disk: $(cat $error_file)"
        lun=$((lun + 1))
    done
done

# The stable names. sgN's device is a link ending in H:C:T:L.
mkdir -p $newroot/dev/iofabric
summary=""
for initiator in red blue; do
    address="$(cat $target/loopback/$prefix:port.$initiator/tpgt_1/address 2>/dev/null)"
    [ -n "$address" ] || failed "no address (H:0:T) for port.$initiator"
    lun=0
    for disk in red0 blue0; do
        found=""
        for _ in $(seq 100); do
            for device in /sys/class/scsi_generic/sg*; do
                [ "$(basename "$(readlink $device/device)")" = "$address:$lun" ] && found="$(basename $device)"
            done
            [ -n "$found" ] && [ -c $newroot/dev/$found ] && break
            sleep 0.02
        done
        [ -n "$found" ] && [ -c $newroot/dev/$found ] || failed "no /dev/sg* for $disk via $initiator ($address:$lun)"
        ln -sf /dev/$found $newroot/dev/iofabric/sg-$disk-$initiator
        # Mapping lun_1 left a UNIT ATTENTION (REPORTED LUNS DATA HAS CHANGED) for lun_0 on
        # this nexus: one READ through the sd node (the SCSI layer retries it) takes it, so
        # that the first command of a test or of sg_persist is answered. Mid-disk: the
        # partition scan cached the first and last blocks.
        block="$(ls /sys/class/scsi_generic/$found/device/block 2>/dev/null | head -1)"
        [ -z "$block" ] || dd if=/dev/$block of=/dev/null bs=512 skip=$((pages * 4)) count=1 2>/dev/null
        summary="$summary sg-$disk-$initiator=/dev/$found"
        lun=$((lun + 1))
    done
done
finish "ok:$summary"
