import Hardware

/// Where clients find a target on its fabric: the target's management endpoint. Opaque outside
/// the TTS of its network protocol (``protocolName`` says which), and handed to clients out of
/// band: the scenario builder in simulation, a configuration file in real mode.
public struct ServiceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The TTS that understands it, e.g. `"infiniband"` or `"roce"`.
    public var protocolName: String
    /// The management endpoint (a UD QP): port address bytes, QPN; PSN unused.
    public var endpoint: TransportEndpoint
    /// The Q_Key of the management QP.
    public var queueKey: UInt32

    public init(protocolName: String, endpoint: TransportEndpoint, queueKey: UInt32) {
        self.protocolName = protocolName
        self.endpoint = endpoint
        self.queueKey = queueKey
    }

    /// E.g. `infiniband 00 03 qp 0x48 qkey 0x1ee7`.
    public var description: String {
        protocolName + " " + endpoint.address.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            + " qp 0x" + String(endpoint.queuePairNumber, radix: 16) + " qkey 0x" + String(queueKey, radix: 16)
    }
}

/// A span of the target's data pool (host memory registered with the HCA): what the CTA hands
/// the TTS to move by RDMA.
public struct PoolSegment: Hashable, Sendable {
    public var offset: Int
    public var length: Int

    public init(offset: Int, length: Int) {
        self.offset = offset
        self.length = length
    }
}

/// How an RDMA transfer or a send ended.
public enum TransportStatus: Hashable, Sendable, CustomStringConvertible {
    case success
    /// The work completion's status, for anything else (remote access error, retry exceeded…).
    case failed(WorkCompletionStatus)

    public var description: String {
        switch self {
        case .success: "success"
        case .failed(let status): "\(status)"
        }
    }
}

/// Why a connection ended.
public enum ConnectionCloseReason: Hashable, Sendable, CustomStringConvertible {
    /// The peer asked (disconnect request).
    case disconnected
    /// Its QP went to the error state (retry exceeded: the peer or the path is gone).
    case failed(WorkCompletionStatus)
    /// This side closed it.
    case closedLocally

    public var description: String {
        switch self {
        case .disconnected: "disconnected"
        case .failed(let status): "failed: \(status)"
        case .closedLocally: "closed locally"
        }
    }
}

/// A transport operation refused at once (nothing was posted).
public enum TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The verbs layer refused: what was attempted and the error.
    case verbs(String)
    case unknownConnection(ConnectionID)
    /// A pool span outside the data pool, or an empty transfer.
    case invalidSegment(String)
    /// Too many operations outstanding on the connection; retry after a completion.
    case queueFull
    case notStarted
    /// The address belongs to another network protocol's TTS.
    case wrongProtocol(String)

    public var description: String {
        switch self {
        case .verbs(let text): "verbs: \(text)"
        case .unknownConnection(let connection): "unknown \(connection)"
        case .invalidSegment(let text): "invalid segment: \(text)"
        case .queueFull: "send queue full"
        case .notStarted: "transport not started"
        case .wrongProtocol(let text): "wrong protocol: \(text)"
        }
    }
}

/// Counters every transport keeps, for reports and the security checks.
public struct TransportStatistics: Hashable, Sendable {
    public var messagesSent = 0
    public var messagesReceived = 0
    public var rdmaWrites = 0
    public var rdmaReads = 0
    public var rdmaBytes = 0
    public var managementQueries = 0
    public var managementRetries = 0
    /// Datagrams and messages that did not decode (counted, dropped).
    public var malformed = 0
    public var connectionsOpened = 0
    public var connectionsClosed = 0
    public var failedOperations = 0

    public init() {}
}
