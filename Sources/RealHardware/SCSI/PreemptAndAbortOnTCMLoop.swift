import Glibc

/// PERSISTENT RESERVE OUT PREEMPT AND ABORT through LIO's loopback fabric (`tcm_loop`) hangs in
/// the Linux 6.1 target core, so a ``RealSCSIGenericDevice`` on a tcm_loop host sends PREEMPT
/// for it.
///
/// Why: tcm_loop queues every command to the target core's submission work
/// (`target_queue_submission`), so the PR OUT executes inside `dev->queues[cpu].sq.work`;
/// PREEMPT AND ABORT then calls `core_tmr_lun_reset`, whose `core_tmr_drain_state_list`
/// flushes every queue's `sq.work` (`flush_work`), the one it runs in too: it waits for itself
/// forever, and the disk answers nothing more on that queue (seen in the VM: `kworker/…+
/// target_submission` in `flush_work ← core_tmr_lun_reset ← core_scsi3_pro_preempt`;
/// Tests/VM/README.md). Fabrics that submit from their own context (iSCSI, FC, SRP) do not
/// hit it.
///
/// PREEMPT (SPC-3 5.6.10.4) does what PREEMPT AND ABORT does to the registrations and the
/// reservation; it only leaves the victim's commands already queued at the disk to finish
/// (PREEMPT AND ABORT, 5.6.10.5, aborts them). Behind tcm_loop over a LIO RAM disk there are
/// none waiting: each command executes when the submission work takes it, the reservation is
/// checked then, and the fence's drain (SYNCHRONIZE CACHE) answers after the ones in service.
public enum PreemptAndAbortOnTCMLoop {
    /// PERSISTENT RESERVE OUT (SPC-3 6.12).
    static let persistentReserveOut: UInt8 = 0x5F
    /// Its service actions (SPC-3 Table 118), in the CDB's byte 1 bits 4–0.
    static let preempt: UInt8 = 0x04
    static let preemptAndAbort: UInt8 = 0x05

    /// The CDB to send instead of `cdb`: the same PREEMPT with service action PREEMPT (04h)
    /// when `cdb` is a PREEMPT AND ABORT (05h); nil for every other command.
    public static func replacement(for cdb: [UInt8]) -> [UInt8]? {
        guard cdb.count >= 2, cdb[0] == persistentReserveOut, cdb[1] & 0x1F == preemptAndAbort else { return nil }
        var replaced = cdb
        replaced[1] = (cdb[1] & ~0x1F) | preempt
        return replaced
    }

    /// Whether `path` (a `/dev/sgN`, a SCSI block device, or a symbolic link to one) is a LUN of
    /// a tcm_loop SCSI host: its host's `proc_name` in sysfs is `tcm_loopback`. False when sysfs
    /// does not say (no such device, not Linux, not SCSI).
    public static func isTCMLoopDevice(path: String, sysfs: String = "/sys") -> Bool {
        guard let resolved = realpath(path, nil) else { return false }
        let node = String(cString: resolved).split(separator: "/").last.map(String.init) ?? ""
        free(resolved)
        let candidates = ["\(sysfs)/class/scsi_generic/\(node)/device", "\(sysfs)/class/block/\(node)/device"]
        for device in candidates {
            guard let link = realpath(device, nil) else { continue }
            // …/hostH/targetH:C:T/H:C:T:L
            let address = String(cString: link).split(separator: "/").last.map(String.init) ?? ""
            free(link)
            guard let host = address.split(separator: ":").first, !host.isEmpty, host.allSatisfy(\.isNumber) else {
                return false
            }
            return readFirstLine("\(sysfs)/class/scsi_host/host\(host)/proc_name") == "tcm_loopback"
        }
        return false
    }

    private static func readFirstLine(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(cString: buffer)
        return line.hasSuffix("\n") ? String(line.dropLast()) : line
    }
}
