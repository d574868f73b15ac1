import Hardware

/// What a device operation returned.
public struct DeviceResult: Hashable, Sendable {
    public var status: IOStatus
    /// A read's data (blocks × block length bytes), empty otherwise.
    public var data: [UInt8]
    /// ``DeviceDriver/identify(tag:)``'s answer.
    public var identity: DeviceIdentity?
    /// From submission to completion.
    public var duration: TimeSpan
    /// ``DeviceDriver/reserve(_:tag:)``'s answer when ``status`` is good.
    public var reservation: ReservationResult?

    public init(status: IOStatus, data: [UInt8] = [], identity: DeviceIdentity? = nil, duration: TimeSpan = .zero,
                reservation: ReservationResult? = nil) {
        self.status = status
        self.data = data
        self.identity = identity
        self.duration = duration
        self.reservation = reservation
    }
}

/// A device driver module (DDM): drives one device in one I/O format over the SCSI generic
/// interface. The SCSI DDM sends CDBs (INQUIRY, READ CAPACITY(16), READ/WRITE(16), SYNCHRONIZE
/// CACHE); the ATA DDM sends ATA commands through ATA PASS-THROUGH(16) (IDENTIFY DEVICE, READ/WRITE
/// DMA EXT, FLUSH CACHE EXT), as Linux SG_IO does, and translates ATA errors into sense as SAT does.
/// Nothing above a DDM knows which format it speaks.
///
/// Completions arrive on the node's loop, never from inside the call.
public protocol DeviceDriver: AnyObject {
    /// The device's name (for errors and reports).
    var name: String { get }
    /// `"scsi"` or `"ata"`, for reports.
    var format: String { get }
    var delegate: (any DeviceDriverDelegate)? { get set }
    /// Learns who the device is and how big.
    func identify(tag: UInt64)
    func read(lba: UInt64, blocks: UInt32, tag: UInt64)
    /// `data` is whole blocks.
    func write(lba: UInt64, data: [UInt8], forceUnitAccess: Bool, tag: UInt64)
    func flush(tag: UInt64)
    /// A persistent reservation operation (SPC-3 5.6) through this driver's I_T nexus: a
    /// PERSISTENT RESERVE OUT or IN command in either format (the ATA disk's bridge emulates
    /// them). A refusal completes ``IOStatus/reservationConflict``; READ KEYS and READ
    /// RESERVATION answer in ``DeviceResult/reservation``.
    func reserve(_ request: ReservationRequest, tag: UInt64)
}

public protocol DeviceDriverDelegate: AnyObject {
    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult)
}
