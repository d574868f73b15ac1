import Hardware
import Timebase

/// The identity of an initiator port on a loop (an I/O controller's port): its world-wide
/// port name. Persistent reservations are kept per initiator, so two controllers (Red's and
/// Blue's) on the two loops of one shelf are two initiators to every disk.
public struct InitiatorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: InitiatorID, rhs: InitiatorID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "initiator 0x" + String(rawValue, radix: 16) }
}

/// A drive's two ports: A on the shelf's A loop, B on its B loop (FC disks are dual-ported;
/// ATA disks sit behind a dual-port bridge in the shelf, which looks the same from the loop).
public enum DrivePort: Int, Hashable, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case a = 0
    case b = 1

    public static func < (lhs: DrivePort, rhs: DrivePort) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { self == .a ? "A" : "B" }
}

/// SCSI task attributes (SAM; SCSI-2 tagged command queueing): how a queued command may be
/// reordered with the others.
public enum TaskAttribute: Hashable, Sendable {
    /// May be reordered freely with other simple tasks.
    case simple
    /// Runs after every task accepted before it and before every task accepted after it.
    case ordered
    /// Runs before every task still waiting in the queue.
    case headOfQueue
}

/// One command as a loop carries it to a drive: FCP_CMND plus, for a write, its FCP_DATA.
///
/// The loop delivers it to the drive when the last byte has arrived (the command frame, and
/// the data-out for a write: the drive answers XFER_RDY at once, since it buffers a whole
/// command).
public struct DriveCommand: Hashable, Sendable {
    /// Who sent it.
    public var initiator: InitiatorID
    /// The initiator's exchange number: unique among that initiator's outstanding commands,
    /// and echoed in the response.
    public var exchange: UInt64
    /// The CDB, the data (bytes to the device, or the room for bytes from it), the tag.
    public var request: SCSIRequest
    /// The queueing attribute (SCSI disks honour it; ATA disks run one command at a time).
    public var taskAttribute: TaskAttribute

    public init(initiator: InitiatorID, exchange: UInt64, request: SCSIRequest, taskAttribute: TaskAttribute = .simple) {
        self.initiator = initiator
        self.exchange = exchange
        self.request = request
        self.taskAttribute = taskAttribute
    }
}

/// A drive's answer to one ``DriveCommand``: FCP_DATA (for a read) plus FCP_RSP.
public struct DriveResponse: Hashable, Sendable {
    /// The initiator the command came from.
    public var initiator: InitiatorID
    /// The command's exchange number.
    public var exchange: UInt64
    /// The status byte.
    public var status: SCSIStatus
    /// Fixed-format sense data when ``status`` is CHECK CONDITION; empty otherwise.
    public var sense: [UInt8]
    /// The bytes returned (at most the request's data-in length).
    public var dataIn: [UInt8]
    /// The requested transfer length minus the bytes actually transferred.
    public var residual: Int

    public init(
        initiator: InitiatorID, exchange: UInt64, status: SCSIStatus, sense: [UInt8] = [], dataIn: [UInt8] = [],
        residual: Int = 0
    ) {
        self.initiator = initiator
        self.exchange = exchange
        self.status = status
        self.sense = sense
        self.dataIn = dataIn
        self.residual = residual
    }

    /// The bytes this response puts on the loop besides the status frame.
    public var dataBytes: Int { dataIn.count }
}
