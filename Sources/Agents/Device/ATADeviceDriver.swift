import Hardware

/// The device driver module for ATA disks: every command goes through ATA PASS-THROUGH (16),
/// as Linux SG_IO sends them — IDENTIFY DEVICE to identify (vendor `ATA`, the model as
/// product), READ DMA EXT and WRITE DMA EXT split at 65 536 sectors, FLUSH CACHE EXT (also
/// after a write with FUA). ATA errors become sense as SAT translates them
/// (``ATASenseTranslation``): UNC → MEDIUM ERROR 11/00 with the LBA, IDNF → ILLEGAL REQUEST
/// 21/00, ABRT → ABORTED COMMAND 00/00.
///
/// Queueing, retries and completion rules are the SCSI driver's (``SCSIDeviceDriver``). A
/// split operation sends its commands one after another and completes once; a failing part
/// fails it (the parts before it may have been written).
public final class ATADeviceDriver: DeviceDriver {
    public let name: String
    public var format: String { "ata" }
    let engine: DeviceDriverEngine

    /// A driver of `device` on `runtime`'s loop.
    public init(
        name: String, device: any SCSIGenericDevice, runtime: any NodeRuntime,
        configuration: DeviceDriverConfiguration = DeviceDriverConfiguration()
    ) {
        self.name = name
        engine = DeviceDriverEngine(
            device: device, runtime: runtime, configuration: configuration, commandSet: ATACommandSet())
        engine.owner = self
    }

    /// Told of every completion; held weakly.
    public var delegate: (any DeviceDriverDelegate)? {
        get { engine.delegate }
        set { engine.delegate = newValue }
    }

    /// What the driver did so far.
    public var statistics: DeviceDriverStatistics { engine.statistics }
    /// The device as the last successful identify found it.
    public var identity: DeviceIdentity? { engine.identity }
    /// The logical sector size reads and writes use.
    public var blockLength: UInt32 { engine.blockLength }
    /// Operations accepted and not yet completed.
    public var inProgress: Int { engine.inProgress }

    public func identify(tag: UInt64) { engine.start(.identify, tag: tag) }

    public func read(lba: UInt64, blocks: UInt32, tag: UInt64) {
        engine.start(.read(lba: lba, blocks: blocks), tag: tag)
    }

    public func write(lba: UInt64, data: [UInt8], forceUnitAccess: Bool, tag: UInt64) {
        engine.start(.write(lba: lba, data: data, forceUnitAccess: forceUnitAccess), tag: tag)
    }

    public func flush(tag: UInt64) { engine.start(.flush, tag: tag) }
}
