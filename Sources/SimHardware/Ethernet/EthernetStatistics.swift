import Timebase

/// Why an Ethernet port discarded a frame.
public enum EthernetDropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// No room: a switch output buffer tail-dropped it, a lossless ingress buffer was past its
    /// headroom, or a NIC receive buffer was full.
    case overflow
    /// The frame check sequence failed (a corruption fault on the link it crossed).
    case frameCheck
    /// A loss fault on the link it crossed took it.
    case loss
    /// The link was down, or went down while the frame was queued, in the switch, or on the
    /// wire (a link fault, a failed switch, a failed endpoint).
    case linkDown

    public var description: String {
        switch self {
        case .overflow: "overflow"
        case .frameCheck: "FCS"
        case .loss: "loss"
        case .linkDown: "link down"
        }
    }
}

/// What one Ethernet port (a NIC's, or one of a switch's) has done.
///
/// Frame bytes are Ethernet header through FCS (``SimHardware/TransportPacket/roceFrameBytes``),
/// without preamble and gap.
public struct EthernetPortStatistics: Sendable, Equatable {
    /// Data frames that finished transmission from this port.
    public var framesSent = 0
    public var bytesSent = 0
    /// Data frames that arrived here intact (FCS good) while the link was up.
    public var framesReceived = 0
    public var bytesReceived = 0
    /// Frames handed to the endpoint (NIC ports only).
    public var framesDelivered = 0
    /// Frames the port's owner discarded as not for it: at a NIC, a destination MAC that is not
    /// its own (flooded unicast); at a switch, a destination behind the ingress port, or nowhere
    /// to flood.
    public var framesFiltered = 0
    /// Frames a switch flooded because their destination was unknown (counted at ingress).
    public var framesFlooded = 0
    /// Frames accepted for transmission whose destination GID had no neighbour entry (NIC
    /// ports only; they never reach the wire).
    public var framesUnresolved = 0
    /// Frames dropped here, by reason.
    public var drops = EthernetDropCounts()
    /// PFC frames this port sent (pause or resume) and received.
    public var pauseFramesSent = 0
    public var pauseFramesReceived = 0
    /// Time during which the partner had paused at least one of this port's priorities.
    public var pausedTime = TimeSpan.zero
}

/// Dropped frames, one count per ``EthernetDropReason``.
public struct EthernetDropCounts: Sendable, Equatable {
    public var overflow = 0
    public var frameCheck = 0
    public var loss = 0
    public var linkDown = 0

    public init() {}

    public subscript(reason: EthernetDropReason) -> Int {
        get {
            switch reason {
            case .overflow: overflow
            case .frameCheck: frameCheck
            case .loss: loss
            case .linkDown: linkDown
            }
        }
        set {
            switch reason {
            case .overflow: overflow = newValue
            case .frameCheck: frameCheck = newValue
            case .loss: loss = newValue
            case .linkDown: linkDown = newValue
            }
        }
    }

    /// All drops.
    public var total: Int { overflow + frameCheck + loss + linkDown }

    static func += (lhs: inout EthernetDropCounts, rhs: EthernetDropCounts) {
        for reason in EthernetDropReason.allCases { lhs[reason] += rhs[reason] }
    }
}

/// Frame conservation over a whole fabric: every frame a NIC accepted, and every extra copy a
/// switch made to flood one, ends delivered, filtered or dropped, or is still in the fabric.
public struct EthernetFabricTotals: Sendable, Equatable {
    /// Frames NICs accepted for transmission with a resolved destination.
    public var framesOffered = 0
    /// Extra copies switches made when flooding (a frame flooded to k ports adds k − 1).
    public var floodCopies = 0
    public var framesDelivered = 0
    public var framesFiltered = 0
    public var drops = EthernetDropCounts()
    /// Frames queued, inside a switch, or on a wire right now.
    public var framesInFabric = 0

    /// Whether offered + copies = delivered + filtered + dropped + in the fabric.
    public var isConserved: Bool {
        framesOffered + floodCopies == framesDelivered + framesFiltered + drops.total + framesInFabric
    }
}
