import Hardware

/// A block operation, as every agent interface names it: independent of the I/O format
/// (SCSI or ATA) and of the network protocol.
public enum BlockOperation: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case read = 1
    case write = 2
    /// Make every acknowledged write durable (SYNCHRONIZE CACHE / FLUSH CACHE EXT).
    case flush = 3

    public var description: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .flush: "flush"
        }
    }
}

/// The sense a device returned with CHECK CONDITION, reduced to what crosses the agents:
/// sense key, additional sense code and qualifier, and the information field (the failing LBA
/// of a medium error). A SCSI DDM copies it from the sense data; the ATA DDM translates the
/// ATA status and error registers into it the way SAT does (an UNC error → MEDIUM ERROR,
/// UNRECOVERED READ ERROR).
public struct SenseSummary: Hashable, Sendable, CustomStringConvertible {
    public var senseKey: SenseKey
    public var additionalSenseCode: UInt8
    public var additionalSenseCodeQualifier: UInt8
    /// The information field, when the device set it valid.
    public var information: UInt64?

    public init(senseKey: SenseKey, additionalSenseCode: UInt8, additionalSenseCodeQualifier: UInt8, information: UInt64? = nil) {
        self.senseKey = senseKey
        self.additionalSenseCode = additionalSenseCode
        self.additionalSenseCodeQualifier = additionalSenseCodeQualifier
        self.information = information
    }

    private static func hex(_ byte: UInt8) -> String { (byte < 16 ? "0" : "") + String(byte, radix: 16) }

    /// E.g. `MEDIUM ERROR 11/00 at 4096`.
    public var description: String {
        "\(senseKey) " + Self.hex(additionalSenseCode) + "/" + Self.hex(additionalSenseCodeQualifier)
            + (information.map { " at \($0)" } ?? "")
    }
}

/// Why the target refused a request without executing it (data-path security and sanity).
public enum RejectReason: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The request names a connection the routing table does not hold (or not this one).
    case unknownConnection = 1
    /// The LUN is not granted to this connection (LUN masking).
    case lunNotGranted = 2
    /// The buffer (address, length, rkey) lies outside every region the client declared.
    case bufferNotOwned = 3
    /// LBA range past the end of the LUN, zero or too many blocks, or a length that is not whole blocks.
    case invalidRange = 4
    /// More requests outstanding than the connection was granted.
    case tooManyRequests = 5
    /// The target is shutting the connection down or the LUN went offline.
    case unavailable = 6
    /// The message could not be decoded.
    case malformed = 7

    public var description: String {
        switch self {
        case .unknownConnection: "unknown connection"
        case .lunNotGranted: "LUN not granted"
        case .bufferNotOwned: "buffer not owned"
        case .invalidRange: "invalid range"
        case .tooManyRequests: "too many requests"
        case .unavailable: "unavailable"
        case .malformed: "malformed"
        }
    }
}

/// The outcome of a block operation, as the RTA reports it to the CTA and the target to the client.
public enum IOStatus: Hashable, Sendable, CustomStringConvertible {
    case good
    /// The device answered CHECK CONDITION; the sense passes through unchanged to the client.
    case checkCondition(SenseSummary)
    /// Refused before execution; nothing was done.
    case rejected(RejectReason)
    /// The device did not answer (timeout, dead, pulled) or its path failed: the outcome of a
    /// write is unknown.
    case deviceUnavailable
    /// The RTA gave up moving the data across the bus after its retries, or the fabric transfer failed.
    case transferFailed
    /// The device answered RESERVATION CONFLICT: another initiator holds a persistent
    /// reservation (or preempted this one's registration). Nothing was done: a fenced node's
    /// write, or the loser of a fence's PREEMPT.
    case reservationConflict

    public var isGood: Bool { self == .good }

    public var description: String {
        switch self {
        case .good: "good"
        case .checkCondition(let sense): "CHECK CONDITION \(sense)"
        case .rejected(let reason): "rejected: \(reason)"
        case .deviceUnavailable: "device unavailable"
        case .transferFailed: "transfer failed"
        case .reservationConflict: "RESERVATION CONFLICT"
        }
    }
}
