import Hardware

/// A device driver module over the SCSI generic interface: what ``SCSIDeviceDriver`` and
/// ``ATADeviceDriver`` share. The subclasses only choose the command set, the one part that
/// knows the I/O format.
///
/// - Operations are sent in the order they were asked for; when the device's queue is full
///   they wait inside the driver and go as completions free slots. None is ever lost.
/// - UNIT ATTENTION (a reset, a reinserted disk's POWER ON) is retried at once; BUSY and TASK
///   SET FULL after ``DeviceDriverConfiguration/retryDelay``; both at most
///   ``DeviceDriverConfiguration/retries`` times per command.
/// - Other CHECK CONDITIONs complete the operation ``IOStatus/checkCondition(_:)``; timeouts,
///   host and driver errors, a device gone and answers that do not decode complete it
///   ``IOStatus/deviceUnavailable``. A read or write with no blocks or partial blocks is
///   ``IOStatus/rejected(_:)`` without a command.
/// - Results reach the ``delegate`` on the node's loop, never from inside a call.
/// - Reads and writes use the block length the last identify found (512 before).
/// - RESERVATION CONFLICT completes the operation ``IOStatus/reservationConflict``, never retried.
public class DeviceDriverModule: DeviceDriver {
    public let name: String
    /// `"scsi"` or `"ata"`.
    public let format: String
    let engine: DeviceDriverEngine

    init(name: String, format: String, device: any SCSIGenericDevice, runtime: any NodeRuntime,
         configuration: DeviceDriverConfiguration, commandSet: any DeviceCommandSet) {
        self.name = name
        self.format = format
        engine = DeviceDriverEngine(device: device, runtime: runtime, configuration: configuration, commandSet: commandSet)
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
    /// The logical block length reads and writes use.
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

    public func reserve(_ request: ReservationRequest, tag: UInt64) { engine.start(.reservation(request), tag: tag) }
}
