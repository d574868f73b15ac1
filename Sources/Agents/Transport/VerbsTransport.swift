import Hardware

/// Target or initiator transport services over one HCA port: what ``InfiniBandTransport`` and
/// ``RoCETransport`` share. All the verbs work is in ``VerbsTransportCore``; the subclasses only
/// choose the addressing (``TransportAddressing``), the one part that knows the network protocol.
///
/// An instance plays one role: the target's after ``start(dataPoolBytes:)``, the initiator's
/// after ``start(bufferBytes:)``. Everything completes on the runtime's loop through the delegates.
public class VerbsTransport: TargetTransport, InitiatorTransport {
    let core: VerbsTransportCore

    init(name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8,
         configuration: TransportConfiguration, addressing: any TransportAddressing) {
        core = VerbsTransportCore(name: name, runtime: runtime, context: context, port: port,
                                  configuration: configuration, addressing: addressing)
    }

    /// `"infiniband"` or `"roce"`.
    public var protocolName: String { core.addressing.protocolName }
    public var statistics: TransportStatistics { core.statistics }

    // MARK: Target

    public var connectionDelegate: (any TargetConnectionDelegate)? {
        get { core.connectionDelegate }
        set { core.connectionDelegate = newValue }
    }
    public var dataDelegate: (any TargetDataDelegate)? {
        get { core.dataDelegate }
        set { core.dataDelegate = newValue }
    }
    public func start(dataPoolBytes: Int) throws(TransportError) { try core.startTarget(dataPoolBytes: dataPoolBytes) }
    /// The management QP's endpoint: the port's address, the QPN, the Q_Key.
    public var serviceAddress: ServiceAddress {
        precondition(core.role != .idle, "serviceAddress before start")
        return ServiceAddress(
            protocolName: protocolName,
            endpoint: TransportEndpoint(address: core.localAddress, queuePairNumber: core.managementQP.queuePairNumber,
                                        packetSequenceNumber: 0),
            queueKey: core.configuration.managementQueueKey)
    }
    public var dataPool: any MemoryBuffer {
        precondition(core.role == .target, "dataPool before start(dataPoolBytes:)")
        return core.dataRegion
    }
    public func advertise(_ unit: IOUnitAdvertisement) { core.advertise(unit) }
    public func accept(_ request: IncomingConnection, as connection: ConnectionID, grant: ConnectionGrant) throws(TransportError) {
        try core.accept(request, as: connection, grant: grant)
    }
    public func reject(_ request: IncomingConnection, reason: ConnectRejectReason) { core.reject(request, reason: reason) }
    public func close(_ connection: ConnectionID) { core.close(connection) }
    public func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError) {
        try core.send(message, on: connection)
    }
    public func write(_ pool: [PoolSegment], to remote: RemoteBuffer, on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        try core.write(pool, to: remote, on: connection, tag: tag)
    }
    public func read(_ remote: RemoteBuffer, into pool: [PoolSegment], on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        try core.read(remote, into: pool, on: connection, tag: tag)
    }

    // MARK: Initiator

    public var delegate: (any InitiatorTransportDelegate)? {
        get { core.initiatorDelegate }
        set { core.initiatorDelegate = newValue }
    }
    public func start(bufferBytes: Int) throws(TransportError) { try core.startInitiator(bufferBytes: bufferBytes) }
    public var buffer: any MemoryBuffer {
        precondition(core.role == .initiator, "buffer before start(bufferBytes:)")
        return core.dataRegion
    }
    public var bufferRegion: RemoteBuffer {
        precondition(core.role == .initiator, "bufferRegion before start(bufferBytes:)")
        return RemoteBuffer(address: core.dataRegion.address, length: UInt32(core.dataRegion.length), rkey: core.dataRegion.rkey)
    }
    /// The port GUID (InfiniBand), or the node GUID + the port number (RoCE, whose addresses are IPs).
    public var clientGUID: UInt64 { core.portIdentity }
    public func query(_ query: DeviceManagementQuery, to target: ServiceAddress, tag: UInt64) throws(TransportError) {
        try core.query(query, to: target, tag: tag)
    }
    public func connect(to target: ServiceAddress, offer: ConnectionOffer, tag: UInt64) throws(TransportError) {
        try core.connect(to: target, offer: offer, tag: tag)
    }
    /// Tells the target (retried like a query), moves the QP to ERR; `connectionClosed(.closedLocally)` follows on the loop.
    public func disconnect(_ connection: ConnectionID) { core.disconnect(connection) }
}
