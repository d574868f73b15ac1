import Timebase

/// Why a fabric discarded a packet. InfiniBand never drops for congestion (credits stop the
/// sender instead); every drop has one of these causes.
public enum InfiniBandDropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Its VCRC check failed at the receiving port (a corruption fault on the link it crossed).
    case corrupted
    /// Lost on the link by a loss fault (the receiver never saw it).
    case lost
    /// On the wire or in an input buffer when the link went down.
    case linkDown
    /// In a switch's buffers when the switch failed.
    case switchFailure
    /// Queued for, or routed to, a port that was down or not yet activated by the SM.
    case portDown
    /// The switch's forwarding table had no entry for the destination LID.
    case noRoute
    /// Reached an endpoint port whose LID is not the destination LID.
    case misrouted
    /// A management (VL15) packet found the VL15 buffer full: VL15 is not flow-controlled.
    case managementOverflow

    public var description: String {
        switch self {
        case .corrupted: "corrupted (VCRC)"
        case .lost: "lost on the link"
        case .linkDown: "link down"
        case .switchFailure: "switch failure"
        case .portDown: "port down or not active"
        case .noRoute: "no route (LFT miss)"
        case .misrouted: "wrong DLID at endpoint"
        case .managementOverflow: "VL15 buffer full"
        }
    }
}

/// Packets dropped, by reason.
public struct InfiniBandDropCounts: Sendable, Equatable {
    public private(set) var counts = [Int](repeating: 0, count: InfiniBandDropReason.allCases.count)

    public init() {}

    public subscript(reason: InfiniBandDropReason) -> Int {
        get { counts[reason.rawValue] }
        set { counts[reason.rawValue] = newValue }
    }

    /// All drops together.
    public var total: Int { counts.reduce(0, +) }

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: InfiniBandDropCounts) {
        for index in counts.indices { counts[index] += other.counts[index] }
    }
}

/// What one port (a switch port or an endpoint's CA port) has done. "Sent" counts the packets
/// this port transmitted onto its link; "received" those that arrived intact from it.
public struct InfiniBandPortStatistics: Sendable, Equatable {
    /// Packets transmitted onto the link.
    public var packetsSent = 0
    /// Bytes transmitted, as on the wire (LRH … VCRC).
    public var bytesSent = 0
    /// Payload bytes transmitted.
    public var payloadBytesSent = 0
    /// Packets that arrived intact at this port (before any forwarding decision).
    public var packetsReceived = 0
    /// Time the port had a packet to send and the link free, but no credits for any VL that
    /// had one: the back-pressure it felt.
    public var creditStallTime = TimeSpan.zero
    /// The most credits ever held at once in one data VL's input buffer of this port (the
    /// model traps if it exceeds the buffer's credits).
    public var peakInputCredits = 0
    /// Packets this port discarded (on arrival, in its input buffer, or queued for it).
    public var drops = InfiniBandDropCounts()

    public init() {}
}

/// Both directions of one link: the statistics of its two ports.
public struct InfiniBandLinkStatistics: Sendable, Equatable {
    public var name: String
    /// The port of the first end given to ``InfiniBandFabric/connect(_:_:named:link:)``.
    public var a: InfiniBandPortStatistics
    /// The port of the second end.
    public var b: InfiniBandPortStatistics
    /// Times the link went down.
    public var downTransitions: Int
}
