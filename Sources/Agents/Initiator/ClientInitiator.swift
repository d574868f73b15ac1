import Hardware

/// The client's side of the storage target: finds targets (device-management queries),
/// connects to one, and moves blocks of its LUNs through its transport.
///
/// One initiator talks to one target at a time (``connect(to:luns:)``); a host that uses
/// several targets runs one initiator per target. Requests (``submit(_:tag:)``) are split to
/// the grant's maxTransferBytes, kept within the grant's maxOutstanding (the rest queue here),
/// timed out, and failed when their connection is lost; the initiator then reconnects with a
/// backoff and resumes its queue. ``devices`` offers each granted LUN as a
/// ``SCSIGenericDevice`` for unchanged SCSI-generic code.
///
/// The connection moves through ``ConnectionPhase``:
///
///     idle ─connect─> discovering ─> connecting(0) ─> connected ─loss─> waitingToReconnect(1)
///       ^                  │               │                                 │
///       └──── failure ─────┴───────────────┘      connecting(n) <────────────┘
///                                                   │ failure: waitingToReconnect(n + 1), or failed
///
/// - Warning: Not thread-safe; call it on the runtime's loop only.
public final class ClientInitiator: InitiatorTransportDelegate, TimerHandler {
    /// Where the connection stands.
    public enum ConnectionPhase: Hashable, Sendable {
        case idle
        /// Rebuilding the target's advertisement before the first connection attempt.
        case discovering
        /// Waiting for the answer to connection attempt `attempt` (0: the first connect).
        case connecting(attempt: Int)
        case connected(ConnectionID, ConnectionGrant)
        /// Waiting out the backoff before reconnection attempt `attempt`.
        case waitingToReconnect(attempt: Int)
        /// Every reconnection attempt failed.
        case failed
    }

    public let name: String
    public let configuration: InitiatorConfiguration
    let runtime: any NodeRuntime
    let transport: any InitiatorTransport
    public weak var delegate: (any ClientInitiatorDelegate)?
    public weak var observer: (any ClientInitiatorObserver)?
    public internal(set) var statistics = InitiatorStatistics()
    public internal(set) var phase: ConnectionPhase = .idle
    /// The target of ``connect(to:luns:)``.
    public internal(set) var target: ServiceAddress?
    /// One device per LUN granted so far, in grant order; kept across reconnections.
    public internal(set) var devices: [RemoteLUNDevice] = []
    var started = false
    var requestedLUNs: [UInt16] = []
    /// Advertisements rebuilt by discovery, per target (looked up, never iterated).
    var advertisements: [ServiceAddress: IOUnitAdvertisement] = [:]

    // Discovery state (ClientInitiator+Discovery.swift).
    var discoveries: [UInt64: InitiatorDiscovery] = [:]
    var nextDiscoveryID: UInt64 = 1

    // Connection attempts.
    var pendingConnectTag: UInt64?
    var nextConnectTag: UInt64 = 1

    // Requests (ClientInitiator+Requests.swift).
    var requests: [UInt64: InitiatorActiveRequest] = [:]
    /// Requests with blocks not yet sent, oldest first.
    var queue: [UInt64] = []
    var inFlight: [UInt64: InitiatorPiece] = [:]
    var nextRequestID: UInt64 = 1
    var nextWireTag: UInt64 = 1
    /// Requests finished without being sent, to complete on a later turn of the loop.
    var deferred: [UInt64] = []
    var sendRetryArmed = false
    /// Free device slots, as buffer offsets (the next to use last).
    var freeDeviceSlots: [Int] = []

    /// Timer token kinds, in the token's top byte; the low bits carry a request ID.
    enum TimerKind: UInt64 {
        case requestTimeout = 1, reconnect, deferredCompletions, sendRetry
    }
    static let timerKindShift: UInt64 = 56

    public init(
        name: String, runtime: any NodeRuntime, transport: any InitiatorTransport,
        configuration: InitiatorConfiguration = InitiatorConfiguration()
    ) {
        self.name = name
        self.runtime = runtime
        self.transport = transport
        self.configuration = configuration
        freeDeviceSlots = (0..<configuration.deviceSlots).reversed().map {
            configuration.bufferBytes + $0 * configuration.deviceSlotBytes
        }
        transport.delegate = self
    }

    /// Starts the transport with a buffer of ``InitiatorConfiguration/totalBufferBytes``.
    public func start() throws(TransportError) {
        precondition(!started, "\(name): started twice")
        try transport.start(bufferBytes: configuration.totalBufferBytes)
        started = true
    }

    /// The client's buffer: the caller's bytes from offset 0, then the device slots.
    public var buffer: any MemoryBuffer { transport.buffer }

    /// The advertisement discovery rebuilt for `target`, if any.
    public func advertisement(of target: ServiceAddress) -> IOUnitAdvertisement? { advertisements[target] }

    /// The current connection and its grant, when connected.
    public var connection: (ConnectionID, ConnectionGrant)? {
        if case .connected(let connection, let grant) = phase { return (connection, grant) }
        return nil
    }

    // MARK: - Connecting

    /// Connects to `target` asking for `luns` (empty: every LUN it may have), discovering the
    /// target first unless ``discover(_:)`` already did. Answered through the delegate.
    ///
    /// - Precondition: started, and idle (never connected, or the first attempt failed) or
    ///   failed (reconnection gave up).
    public func connect(to target: ServiceAddress, luns: [UInt16] = []) {
        precondition(started, "\(name): connect before start")
        precondition(phase == .idle || phase == .failed, "\(name): connect while \(phase)")
        self.target = target
        requestedLUNs = luns
        if advertisements[target] != nil {
            sendConnect(attempt: 0)
        } else {
            phase = .discovering
            startDiscovery(of: target, forConnect: true)
        }
    }

    func sendConnect(attempt: Int) {
        guard let target else { preconditionFailure("\(name): connecting without a target") }
        let tag = nextConnectTag
        nextConnectTag += 1
        pendingConnectTag = tag
        phase = .connecting(attempt: attempt)
        if attempt > 0 { statistics.reconnectAttempts += 1 }
        let offer = ConnectionOffer(
            clientGUID: transport.clientGUID, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: requestedLUNs,
            regions: [transport.bufferRegion], maxOutstanding: configuration.maxOutstanding)
        do {
            try transport.connect(to: target, offer: offer, tag: tag)
        } catch {
            // Answer on a later turn, like any other failure: never from inside connect().
            pendingConnectTag = nil
            pendingConnectFailure = .transport(error)
            armDeferred()
        }
    }

    /// A connect the transport refused at once, to report on the next turn of the loop.
    var pendingConnectFailure: ConnectFailure?

    func connectAttemptFailed(_ reason: ConnectFailure) {
        guard case .connecting(let attempt) = phase else { return }
        if attempt == 0 {
            phase = .idle
            failQueued(with: .deviceUnavailable)
            delegate?.initiator(self, connectFailed: reason)
        } else {
            scheduleReconnect(attempt: attempt + 1)
        }
    }

    func scheduleReconnect(attempt: Int) {
        guard attempt <= configuration.reconnectAttempts else {
            phase = .failed
            failQueued(with: .deviceUnavailable)
            delegate?.initiator(self, gaveUpAfter: configuration.reconnectAttempts)
            return
        }
        phase = .waitingToReconnect(attempt: attempt)
        runtime.scheduleTimer(
            after: configuration.reconnectDelay(attempt: attempt), handler: self,
            token: TimerKind.reconnect.rawValue << Self.timerKindShift)
    }

    // MARK: - InitiatorTransportDelegate

    public func queryAnswered(tag: UInt64, reply: DeviceManagementReply?) {
        discoveryAnswered(tag: tag, reply: reply)
    }

    public func connected(tag: UInt64, connection: ConnectionID, grant: ConnectionGrant) {
        guard tag == pendingConnectTag, case .connecting = phase else {
            // An answer nobody waits for (a duplicate, or after giving up): do not leak it.
            statistics.unexpectedMessages += 1
            transport.disconnect(connection)
            return
        }
        pendingConnectTag = nil
        phase = .connected(connection, grant)
        makeDevices(for: grant)
        delegate?.initiator(self, connected: connection, grant: grant)
        issue()
    }

    public func connectFailed(tag: UInt64, reason: ConnectFailure) {
        guard tag == pendingConnectTag else {
            statistics.unexpectedMessages += 1
            return
        }
        pendingConnectTag = nil
        connectAttemptFailed(reason)
    }

    public func messageReceived(_ message: [UInt8], on connection: ConnectionID) {
        let decoded: ConnectionMessage
        do {
            decoded = try ConnectionMessage(decoding: message)
        } catch {
            statistics.malformedMessages += 1
            return
        }
        guard case .response(let response) = decoded, self.connection?.0 == connection else {
            statistics.unexpectedMessages += 1
            return
        }
        responseReceived(response)
    }

    public func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason) {
        guard self.connection?.0 == connection else {
            statistics.unexpectedMessages += 1
            return
        }
        statistics.connectionLosses += 1
        // Leave the connected phase first: owners told of failures may submit again at once.
        phase = .waitingToReconnect(attempt: 1)
        failOutstanding()
        delegate?.initiator(self, connectionLost: connection, reason: reason)
        scheduleReconnect(attempt: 1)
    }

    // MARK: - Timers

    public func timerFired(_ token: UInt64) {
        let value = token & ((1 << Self.timerKindShift) - 1)
        switch TimerKind(rawValue: token >> Self.timerKindShift) {
        case .requestTimeout: requestTimedOut(value)
        case .reconnect:
            if case .waitingToReconnect(let attempt) = phase { sendConnect(attempt: attempt) }
        case .deferredCompletions: completeDeferred()
        case .sendRetry:
            sendRetryArmed = false
            issue()
        case nil: preconditionFailure("\(name): unknown timer token \(token)")
        }
    }

    func armDeferred() {
        runtime.scheduleTimer(after: .zero, handler: self, token: TimerKind.deferredCompletions.rawValue << Self.timerKindShift)
    }

    private func completeDeferred() {
        if let failure = pendingConnectFailure {
            pendingConnectFailure = nil
            connectAttemptFailed(failure)
        }
        let due = deferred
        deferred.removeAll()
        for id in due { finish(id) }
    }

    // MARK: - Devices

    private func makeDevices(for grant: ConnectionGrant) {
        guard let target, let unit = advertisements[target] else { return }
        for lun in grant.luns where !devices.contains(where: { $0.lun == lun }) {
            guard let profile = unit.luns.first(where: { $0.lun == lun }) else { continue }
            devices.append(RemoteLUNDevice(initiator: self, index: devices.count, profile: profile))
        }
    }

    /// A free device slot's buffer offset, or nil when every slot is in use.
    func takeDeviceSlot() -> Int? { freeDeviceSlots.popLast() }

    func returnDeviceSlot(_ offset: Int) {
        assert(!freeDeviceSlots.contains(offset), "device slot returned twice")
        freeDeviceSlots.append(offset)
    }
}
