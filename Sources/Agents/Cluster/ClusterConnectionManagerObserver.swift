import Hardware

/// Told what a ``ClusterConnectionManager`` does, with times: for reports (time to Connected,
/// time to switch interconnects) and tests (the transition edges taken).
public protocol ClusterConnectionManagerObserver: AnyObject {
    /// The slam connect on `interconnect` took `transition` at `time`. Called after the state
    /// changed and before the new state's first action (the next read or write is posted after
    /// this returns), so an observer may inject a fault at exactly that instant.
    func slamConnectTransition(_ transition: SlamConnectTransition, interconnect: Int, at time: Instant,
                               manager: ClusterConnectionManager)
    /// The clients' connections on `interconnect` were handed up (`connections` of them) at `time`.
    func clusterConnectionsReady(interconnect: Int, connections: Int, at time: Instant, manager: ClusterConnectionManager)
    /// The interconnect the manager's clients are served on
    /// (``ClusterConnectionManager/servingInterconnect``) changed at `time`: `from` nil when the
    /// first session came up, `to` nil when the last one failed; both set is a switch when
    /// `from` failed (`to > from`), a return to a preferred interconnect otherwise (`to < from`).
    func servingInterconnectChanged(from: Int?, to: Int?, at time: Instant, manager: ClusterConnectionManager)
}

extension ClusterConnectionManagerObserver {
    public func clusterConnectionsReady(interconnect: Int, connections: Int, at time: Instant, manager: ClusterConnectionManager) {}
    public func servingInterconnectChanged(from: Int?, to: Int?, at time: Instant, manager: ClusterConnectionManager) {}
}

/// Counters of one manager, over all its interconnects.
public struct ClusterConnectionManagerStatistics: Hashable, Sendable {
    /// Handshakes started (Initial → AttemptingRead).
    public var slamAttempts = 0
    /// Times a slam connection reached Connected.
    public var slamConnected = 0
    /// Times a slam connection entered Error.
    public var slamErrors = 0
    /// Times the serving interconnect failed while another was up, and the clients moved to it.
    public var interconnectSwitches = 0
    /// Client connections handed up, and later failed.
    public var connectionsUp = 0
    public var connectionsDown = 0
    /// Clients that had no counterpart on the partner when a slam connection came up (counted
    /// once per session and interconnect); they got no connection.
    public var clientsWithoutCounterpart = 0
    /// Manager messages that did not decode (counted, dropped).
    public var malformedMessages = 0
    /// Client messages and RDMA writes posted, and client operations that completed in error.
    public var messagesSent = 0
    public var messagesReceived = 0
    public var rdmaWrites = 0
    public var failedOperations = 0

    public init() {}
}
