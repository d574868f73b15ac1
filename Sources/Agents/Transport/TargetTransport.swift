import Hardware

/// A connection request as the TTS hands it to the UMA: the client's offer, without addresses.
public struct IncomingConnection: Hashable, Sendable {
    /// The TTS's handle for the request, to answer it.
    public var handle: UInt64
    public var offer: ConnectionOffer

    public init(handle: UInt64, offer: ConnectionOffer) {
        self.handle = handle
        self.offer = offer
    }
}

/// Target transport services: what the UMA and the CTA use of the network, identical for every
/// network protocol. An implementation (one per protocol: InfiniBand, RoCE v2) is the only code
/// that knows addresses, device management and connection establishment on its network.
///
/// Everything completes on the node's loop through the delegates, never from inside the call.
public protocol TargetTransport: AnyObject {
    /// `"infiniband"` or `"roce"`: the ``ServiceAddress/protocolName`` it issues and accepts.
    var protocolName: String { get }
    /// Told of connection requests and closures (the UMA's connection manager).
    var connectionDelegate: (any TargetConnectionDelegate)? { get set }
    /// Told of messages and transfer completions on connections (the CTA).
    var dataDelegate: (any TargetDataDelegate)? { get set }
    /// Opens the management endpoint and registers a data pool of `dataPoolBytes` bytes with the
    /// least access it needs (local write only: remote peers never touch target memory).
    func start(dataPoolBytes: Int) throws(TransportError)
    /// Where clients find this target. Valid after ``start(dataPoolBytes:)``.
    var serviceAddress: ServiceAddress { get }
    /// The data pool in host memory. The CTA exposes it on the bus; RDMA moves data from and to it.
    var dataPool: any MemoryBuffer { get }
    /// Answers device-management queries with `unit` from now on.
    func advertise(_ unit: IOUnitAdvertisement)
    /// Accepts a request: creates and connects the connection's RC QP and answers the client.
    func accept(_ request: IncomingConnection, as connection: ConnectionID, grant: ConnectionGrant) throws(TransportError)
    /// Refuses a request.
    func reject(_ request: IncomingConnection, reason: ConnectRejectReason)
    /// Tears the connection down (its QP goes to error, outstanding work flushes).
    func close(_ connection: ConnectionID)
    /// Sends an encoded ``ConnectionMessage`` on the connection.
    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError)
    /// RDMA WRITE of the pool spans, in order, to `remote`; completes with `tag`.
    func write(_ pool: [PoolSegment], to remote: RemoteBuffer, on connection: ConnectionID, tag: UInt64) throws(TransportError)
    /// RDMA READ of `remote` into the pool spans, in order; completes with `tag`.
    func read(_ remote: RemoteBuffer, into pool: [PoolSegment], on connection: ConnectionID, tag: UInt64) throws(TransportError)
    var statistics: TransportStatistics { get }
}

/// The UMA's side of a ``TargetTransport``.
public protocol TargetConnectionDelegate: AnyObject {
    /// A client asks to connect; answer with ``TargetTransport/accept(_:as:grant:)`` or ``TargetTransport/reject(_:reason:)``, now or later.
    func connectionRequested(_ request: IncomingConnection)
    /// A connection ended (the client disconnected, or its QP failed).
    func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason)
}

/// The CTA's side of a ``TargetTransport``.
public protocol TargetDataDelegate: AnyObject {
    /// An encoded ``ConnectionMessage`` arrived on `connection`.
    func messageReceived(_ message: [UInt8], on connection: ConnectionID)
    /// An RDMA transfer tagged `tag` ended.
    func transferCompleted(tag: UInt64, on connection: ConnectionID, status: TransportStatus)
}
