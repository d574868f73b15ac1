import Hardware

/// A fault injected into a simulated network: a value with a target (a link or switch name, as
/// the fabric named it when the topology was built) and an action, which the fabric applies
/// itself at the time it was scheduled for. Scenario files name faults this way.
public struct FabricFault: Sendable, Hashable, CustomStringConvertible {
    public enum Action: Sendable, Hashable {
        /// The link goes down: packets on the wire are lost, both ports go down.
        case linkDown
        /// The link retrains and comes up.
        case linkUp
        /// The switch fails: every port goes down, packets in its buffers are lost.
        case switchFailure
        /// The failed switch comes back (empty buffers, its forwarding table as it was).
        case switchRecovery
        /// Each packet crossing the link is corrupted with this probability (numerator,
        /// denominator), so its CRC check fails at the next hop and it is discarded there.
        case corruption(numerator: UInt64, denominator: UInt64)
        /// Each packet crossing the link is lost with this probability.
        case loss(numerator: UInt64, denominator: UInt64)
        /// Every packet crossing the link takes this much longer to arrive (a longer cable, a
        /// slow repeater).
        case addedDelay(TimeSpan)
        /// Removes corruption, loss and added delay from the link.
        case clearLinkFaults
        /// The link holds every packet until ``unclog``: nothing starts across it in either
        /// direction and nothing is lost. Packets already on the wire arrive; the rest wait,
        /// in order, at its two ends (an endpoint's transmit queue, a switch's input buffers),
        /// and the fabric's flow control (InfiniBand credits, Ethernet PFC) pushes back
        /// upstream. Flow-control traffic itself is not held. FoundationDB's *clog* of a
        /// connection, at the link layer.
        case clog
        /// A clogged link lets its held packets go, in the order they were queued.
        case unclog
    }

    /// The link or switch the fault applies to.
    public var target: String
    public var action: Action

    public init(_ action: Action, on target: String) {
        self.target = target
        self.action = action
    }

    public var description: String { "\(action) on \(target)" }
}

/// A link's clog state (``FabricFault/Action/clog``), as a fabric reports it.
public struct LinkClogState: Sendable, Equatable {
    /// Holding packets now.
    public var clogged: Bool
    /// Times the link was clogged.
    public var clogs: Int
    /// Total time the link held packets, up to the query (a clog in force counts up to now).
    public var cloggedTime: TimeSpan

    public init(clogged: Bool, clogs: Int, cloggedTime: TimeSpan) {
        self.clogged = clogged
        self.clogs = clogs
        self.cloggedTime = cloggedTime
    }
}

/// Why a network refused a fault or a topology request.
public enum FabricError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No link or switch has this name; `known` lists the names that exist, sorted.
    case unknownTarget(String, known: [String])
    /// The action does not apply to this kind of target (a switch failure on a link).
    case actionDoesNotApply(FabricFault)
    /// A probability with a zero denominator or a numerator above it.
    case invalidProbability(FabricFault)
    /// The topology is inconsistent: a port used twice, a port number out of range.
    case invalidTopology(String)

    public var description: String {
        switch self {
        case .unknownTarget(let name, let known):
            let list = known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", …" : "")
            return "no link or switch named '\(name)' (known: \(list))"
        case .actionDoesNotApply(let fault): return "fault \(fault.action) does not apply to '\(fault.target)'"
        case .invalidProbability(let fault): return "invalid probability in fault \(fault)"
        case .invalidTopology(let reason): return "invalid topology: \(reason)"
        }
    }
}
