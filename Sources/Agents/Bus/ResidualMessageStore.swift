import Hardware

// PLACEHOLDER: the API is fixed; the implementation lands with the RTA (helper).

/// Tunables of a ``ResidualMessageStore``.
public struct ResidualStoreConfiguration: Hashable, Sendable {
    /// How long a message waits for its acknowledgement before it is sent again.
    public var retransmitTimeout: TimeSpan = .microseconds(500)
    /// Sends of one message before its peer is declared unreachable.
    public var maxAttempts = 16

    public init() {}
}

/// Counters of a ``ResidualMessageStore``.
public struct ResidualStoreStatistics: Hashable, Sendable {
    public var sent = 0
    public var delivered = 0
    public var acknowledged = 0
    public var retransmissions = 0
    public var duplicatesDropped = 0
    public var malformedFrames = 0
    public var busErrors = 0

    public init() {}
}

public protocol ResidualMessageStoreDelegate: AnyObject {
    /// A message from `peer`, delivered exactly once and in the order `peer` sent it.
    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint)
    /// A message to `peer` went unacknowledged after every attempt; the store dropped what it held for `peer`.
    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint)
}

/// The CTA interface / I/O interface of the design: every message between the host storage node
/// and an RTA is kept until the peer acknowledges it and retransmitted on timeout, so a PCI
/// transaction error loses nothing; the receiver recognises and drops duplicates, so nothing is
/// delivered twice. One store per bus endpoint; it is the endpoint's bus message receiver.
public final class ResidualMessageStore {
    public let name: String
    public weak var delegate: (any ResidualMessageStoreDelegate)?
    public private(set) var statistics = ResidualStoreStatistics()

    public init(name: String, channel: any BusChannel, runtime: any NodeRuntime,
                configuration: ResidualStoreConfiguration = ResidualStoreConfiguration()) {
        self.name = name
        fatalError("ResidualMessageStore not yet written")
    }

    /// Messages sent and not yet acknowledged (the residual messages).
    public var pendingCount: Int { 0 }

    /// Sends `payload` to `peer`: kept until acknowledged.
    public func send(_ payload: [UInt8], to peer: BusEndpoint) {}

    /// Forgets everything exchanged with `peer` (it restarted): sequence numbers start again.
    public func reset(peer: BusEndpoint) {}
}
