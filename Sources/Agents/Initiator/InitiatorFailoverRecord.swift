import Hardware

/// One failover as the client saw it: from the loss of its connection to the first good
/// response on the connection that replaced it (at the same address or another of the
/// target's, e.g. the cluster partner's after a takeover, or the primary's after a giveback).
public struct InitiatorFailoverRecord: Hashable, Sendable {
    /// When the connection was lost (the first loss, if another followed before recovery).
    public var lost: Instant
    /// The address whose connection was lost.
    public var lostAddress: ServiceAddress
    /// Why the first connection closed.
    public var reason: ConnectionCloseReason
    /// Connections lost before recovery (more than 1: a new connection failed before answering).
    public var losses = 1
    /// Reconnection attempts made (discoveries and connects to any address).
    public var attempts = 0
    /// When the replacement connection came up, if it did.
    public var reconnected: Instant?
    /// The address that serves now, and its position in the initiator's address list.
    public var servedBy: ServiceAddress?
    public var servedByIndex: Int?
    /// Requests whose lost pieces were sent again on the new connection.
    public var requestsReissued = 0
    /// When the first good response arrived on the new connection.
    public var firstGoodResponse: Instant?

    public init(lost: Instant, lostAddress: ServiceAddress, reason: ConnectionCloseReason) {
        self.lost = lost
        self.lostAddress = lostAddress
        self.reason = reason
    }

    /// The failover time as the client sees it: loss → first good response on the new connection.
    public var failoverTime: TimeSpan? { firstGoodResponse.map { $0 - lost } }
}
