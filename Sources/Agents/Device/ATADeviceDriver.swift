import Hardware

/// The device driver module for ATA disks: every command goes through ATA PASS-THROUGH (16),
/// as Linux SG_IO sends them — IDENTIFY DEVICE to identify (vendor `ATA`, the model as
/// product), READ DMA EXT and WRITE DMA EXT split at 65 536 sectors, FLUSH CACHE EXT (also
/// after a write with FUA). ATA errors become sense as SAT translates them
/// (``ATASenseTranslation``): UNC → MEDIUM ERROR 11/00 with the LBA, IDNF → ILLEGAL REQUEST
/// 21/00, ABRT → ABORTED COMMAND 00/00. Persistent reservations (``reserve(_:tag:)``) are the
/// SCSI PERSISTENT RESERVE OUT / IN CDBs, which the shelf's bridge emulates for its ATA disk.
///
/// Queueing, retries and completion rules are ``DeviceDriverModule``'s. A
/// split operation sends its commands one after another and completes once; a failing part
/// fails it (the parts before it may have been written).
public final class ATADeviceDriver: DeviceDriverModule {
    /// A driver of `device` on `runtime`'s loop.
    public init(
        name: String, device: any SCSIGenericDevice, runtime: any NodeRuntime,
        configuration: DeviceDriverConfiguration = DeviceDriverConfiguration()
    ) {
        super.init(name: name, format: "ata", device: device, runtime: runtime, configuration: configuration, commandSet: ATACommandSet())
    }
}
