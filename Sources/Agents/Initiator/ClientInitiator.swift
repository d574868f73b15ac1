import Hardware

/// The client's side of the storage target: finds targets (device-management queries),
/// connects to one, and moves blocks of its LUNs through its transport.
///
/// One initiator talks to one target at a time (``connect(to:luns:)-(ServiceAddress,_)``); a
/// host that uses several targets runs one initiator per target. A target may be reachable at
/// several service addresses (``connect(to:luns:)-([ServiceAddress],_)``: a cluster system's
/// own first, then its partner's, which serves the same LUN numbers after a takeover).
/// Requests (``submit(_:tag:)``) are split to the grant's maxTransferBytes, kept within the
/// grant's maxOutstanding (the rest queue here) and timed out while connected. When the
/// connection is lost the initiator **fails over**: it reconnects with a backoff, cycling
/// through the addresses from the first, asking for the LUNs its devices hold; every piece
/// that was in flight on the lost connection is sent again on the new one (reads and writes
/// are idempotent), in submission order, and requests submitted meanwhile queue behind them.
/// Only after ``InitiatorConfiguration/failoverTimeout`` (or every reconnection round) do
/// the held requests fail, with ``IOStatus/deviceUnavailable``. ``devices`` offers each
/// granted LUN as a ``SCSIGenericDevice`` for unchanged SCSI-generic code; they stay the same
/// objects across failovers, and a new target must advertise their LUNs with the same block
/// length (a mismatch is reported and that connection refused).
///
/// The connection moves through ``ConnectionPhase``:
///
///     idle ─connect─> discovering(0) ─> connecting(0) ─> connected ─loss─> waitingToReconnect(1)
///       ^               │ (next address)     │                                  │
///       └── failure ────┴────────────────────┘     discovering(n) / connecting(n) <┘
///           at every address                        │ failure: waitingToReconnect(n + 1),
///                                                   │ or failed (rounds or failoverTimeout spent)
///
/// - Warning: Not thread-safe; call it on the runtime's loop only.
public final class ClientInitiator: InitiatorTransportDelegate, TimerHandler {
    /// Where the connection stands.
    public enum ConnectionPhase: Hashable, Sendable {
        case idle
        /// Rebuilding the target's advertisement before connection attempt `attempt` (0: the
        /// first connect; from 1: a reconnection to an address other than the last that served).
        case discovering(attempt: Int)
        /// Waiting for the answer to connection attempt `attempt` (0: the first connect).
        case connecting(attempt: Int)
        case connected(ConnectionID, ConnectionGrant)
        /// Waiting out the backoff before reconnection attempt `attempt`.
        case waitingToReconnect(attempt: Int)
        /// Reconnection gave up (every round failed, or the failover timeout passed).
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
    /// The target's service addresses, in the order tried (the primary first).
    public internal(set) var addresses: [ServiceAddress] = []
    /// The address in use: connected to, or being tried.
    public internal(set) var target: ServiceAddress?
    /// The position of ``target`` in ``addresses``.
    public internal(set) var addressIndex = 0
    /// The address of the last connection that came up.
    public internal(set) var servedBy: ServiceAddress?
    /// One device per LUN granted so far, in grant order; kept across reconnections.
    public internal(set) var devices: [RemoteLUNDevice] = []
    /// Every failover completed (first good response on the new connection), oldest first.
    public internal(set) var failovers: [InitiatorFailoverRecord] = []
    /// The failover in progress: from a loss until the first good response after reconnecting.
    public internal(set) var currentFailover: InitiatorFailoverRecord?
    var failoverTimer: TimerHandle?
    var reconnectTimer: TimerHandle?
    var started = false
    var requestedLUNs: [UInt16] = []
    /// Advertisements rebuilt by discovery, per target (looked up, never iterated).
    var advertisements: [ServiceAddress: IOUnitAdvertisement] = [:]

    // Discovery state (ClientInitiator+Discovery.swift).
    var discoveries: [UInt64: InitiatorDiscovery] = [:]
    var nextDiscoveryID: UInt64 = 1
    /// The discovery a connection attempt waits for.
    var connectDiscovery: UInt64?

    // Connection attempts.
    var pendingConnectTag: UInt64?
    var nextConnectTag: UInt64 = 1

    // Requests (ClientInitiator+Requests.swift).
    var requests: [UInt64: InitiatorActiveRequest] = [:]
    /// Requests with blocks not yet sent (or to send again), in submission order.
    var queue: [UInt64] = []
    var inFlight: [UInt64: InitiatorPiece] = [:]
    var nextRequestID: UInt64 = 1
    var nextWireTag: UInt64 = 1
    /// Requests finished without being sent, to complete on a later turn of the loop.
    var deferred: [UInt64] = []
    var sendRetryArmed = false
    /// When the connection last answered (a response, or a probe's answer).
    var lastHeard = Instant.zero
    var livenessArmed = false
    var probePending: UInt64?
    var probeSequence: UInt64 = 0
    /// Free device slots, as buffer offsets (the next to use last).
    var freeDeviceSlots: [Int] = []

    /// Timer token kinds, in the token's top byte; the low bits carry a request ID.
    enum TimerKind: UInt64 {
        case requestTimeout = 1, reconnect, deferredCompletions, sendRetry, failoverTimeout, livenessProbe
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
        connect(to: [target], luns: luns)
    }

    /// Connects to the target reachable at `addresses` (in order of preference: the primary
    /// first, then e.g. the cluster partner's address) asking for `luns` (empty: every LUN it
    /// may have). The first connect tries each address once, in order, and fails (through the
    /// delegate's `connectFailed`) only when every one did; after a loss every reconnection
    /// cycle starts again at the first address.
    ///
    /// - Precondition: started, at least one address, and idle or failed.
    public func connect(to addresses: [ServiceAddress], luns: [UInt16] = []) {
        precondition(started, "\(name): connect before start")
        precondition(!addresses.isEmpty, "\(name): connect to no address")
        precondition(phase == .idle || phase == .failed, "\(name): connect while \(phase)")
        self.addresses = addresses
        requestedLUNs = luns
        begin(attempt: 0, addressIndex: 0)
    }

    /// Starts connection attempt `attempt` at `addresses[index]`: discovering it first when its
    /// advertisement is unknown, or (on a reconnection) when it is not the address that served
    /// last (a partner's advertisement changes with a takeover).
    func begin(attempt: Int, addressIndex index: Int) {
        addressIndex = index
        let address = addresses[index]
        target = address
        if attempt > 0 {
            statistics.reconnectAttempts += 1
            currentFailover?.attempts += 1
        }
        if advertisements[address] == nil || (attempt > 0 && address != servedBy) {
            phase = .discovering(attempt: attempt)
            connectDiscovery = startDiscovery(of: address, forConnect: true)
        } else {
            sendConnect(attempt: attempt)
        }
    }

    /// The LUNs a connection asks for: the devices' once there are some (a reconnection asks
    /// for the same LUNs), else those given to `connect`.
    var lunsToRequest: [UInt16] { devices.isEmpty ? requestedLUNs : devices.map(\.lun) }

    func sendConnect(attempt: Int) {
        guard let target else { preconditionFailure("\(name): connecting without a target") }
        let tag = nextConnectTag
        nextConnectTag += 1
        pendingConnectTag = tag
        phase = .connecting(attempt: attempt)
        let offer = ConnectionOffer(
            clientGUID: transport.clientGUID, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: lunsToRequest,
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

    /// The attempt in progress (discovery or connect) failed: the first connect tries the next
    /// address, or reports; a reconnection waits for the next attempt.
    func connectAttemptFailed(_ reason: ConnectFailure) {
        let attempt: Int
        switch phase {
        case .connecting(let current), .discovering(let current): attempt = current
        default: return
        }
        statistics.failedConnectAttempts += 1
        pendingConnectTag = nil
        connectDiscovery = nil
        if attempt > 0 {
            scheduleReconnect(attempt: attempt + 1)
        } else if addressIndex + 1 < addresses.count {
            begin(attempt: 0, addressIndex: addressIndex + 1)
        } else {
            phase = .idle
            failQueued(with: .deviceUnavailable)
            delegate?.initiator(self, connectFailed: reason)
        }
    }

    /// Waits before reconnection attempt `attempt` (from 1), at `addresses[(attempt − 1) mod
    /// count]`, the backoff of its round; gives up past ``InitiatorConfiguration/reconnectAttempts``
    /// rounds.
    func scheduleReconnect(attempt: Int) {
        let round = (attempt - 1) / addresses.count + 1
        guard round <= configuration.reconnectAttempts else {
            giveUp(attempts: attempt - 1)
            return
        }
        phase = .waitingToReconnect(attempt: attempt)
        reconnectTimer = runtime.scheduleTimer(
            after: configuration.reconnectDelay(attempt: round), handler: self,
            token: TimerKind.reconnect.rawValue << Self.timerKindShift)
    }

    /// Stops reconnecting: every held request fails with ``IOStatus/deviceUnavailable``.
    func giveUp(attempts: Int) {
        if let timer = failoverTimer { runtime.cancelTimer(timer) }
        if let timer = reconnectTimer { runtime.cancelTimer(timer) }
        failoverTimer = nil
        reconnectTimer = nil
        currentFailover = nil  // not a failover: counted in statistics.failoverTimeouts or by the delegate
        pendingConnectTag = nil
        connectDiscovery = nil
        phase = .failed
        failQueued(with: .deviceUnavailable)
        delegate?.initiator(self, gaveUpAfter: attempts)
    }

    /// The failover timeout passed with no connection: give up.
    func failoverTimedOut() {
        failoverTimer = nil
        let attempts: Int
        switch phase {
        case .waitingToReconnect(let attempt): attempts = attempt - 1
        case .connecting(let attempt), .discovering(let attempt): attempts = attempt
        case .idle, .connected, .failed: return
        }
        statistics.failoverTimeouts += 1
        giveUp(attempts: attempts)
    }

    /// Why `grant` at the current target cannot replace the lost connection for the devices
    /// already offered, if it cannot: a LUN not granted, or advertised with another block
    /// length (each mismatch reported to the delegate).
    func refusal(of grant: ConnectionGrant) -> ConnectFailure? {
        guard !devices.isEmpty, let target else { return nil }
        let unit = advertisements[target]
        var refused: ConnectFailure?
        for device in devices {
            let profile = unit?.luns.first { $0.lun == device.lun }
            if let profile, profile.blockLength != device.profile.blockLength {
                statistics.profileMismatches += 1
                delegate?.initiator(self, mismatched: device.profile, found: profile, at: target)
                refused = .rejected(.noLUNsGranted)
            } else if profile == nil || !grant.luns.contains(device.lun) {
                refused = refused ?? .rejected(.noLUNsGranted)
            }
        }
        if refused != nil { statistics.refusedGrants += 1 }
        return refused
    }

    // MARK: - InitiatorTransportDelegate

    public func queryAnswered(tag: UInt64, reply: DeviceManagementReply?) {
        if tag & Self.probeTagBit != 0 { return probeAnswered(tag: tag, reply: reply) }
        discoveryAnswered(tag: tag, reply: reply)
    }

    public func connected(tag: UInt64, connection: ConnectionID, grant: ConnectionGrant) {
        guard tag == pendingConnectTag, case .connecting(let attempt) = phase else {
            // An answer nobody waits for (a duplicate, or after giving up): do not leak it.
            statistics.unexpectedMessages += 1
            transport.disconnect(connection)
            return
        }
        pendingConnectTag = nil
        if let reason = refusal(of: grant) {
            transport.disconnect(connection)
            connectAttemptFailed(reason)
            return
        }
        phase = .connected(connection, grant)
        servedBy = target
        if var failover = currentFailover {
            if let timer = failoverTimer { runtime.cancelTimer(timer) }
            failoverTimer = nil
            statistics.reconnects += 1
            failover.reconnected = runtime.now
            failover.servedBy = target
            failover.servedByIndex = addressIndex
            failover.attempts = max(failover.attempts, attempt)
            currentFailover = failover
        }
        makeDevices(for: grant)
        armRequestTimers()
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
        guard self.connection?.0 == connection, let target else {
            statistics.unexpectedMessages += 1
            return
        }
        statistics.connectionLosses += 1
        phase = .waitingToReconnect(attempt: 1)
        if var failover = currentFailover {
            // Lost again before the new connection answered: the same failover goes on.
            failover.losses += 1
            failover.reconnected = nil
            failover.servedBy = nil
            failover.servedByIndex = nil
            currentFailover = failover
        } else {
            currentFailover = InitiatorFailoverRecord(lost: runtime.now, lostAddress: target, reason: reason)
        }
        failoverTimer = runtime.scheduleTimer(
            after: configuration.failoverTimeout, handler: self, token: TimerKind.failoverTimeout.rawValue << Self.timerKindShift)
        requeueOutstanding()
        delegate?.initiator(self, connectionLost: connection, reason: reason)
        scheduleReconnect(attempt: 1)
    }

    // MARK: - Timers

    public func timerFired(_ token: UInt64) {
        let value = token & ((1 << Self.timerKindShift) - 1)
        switch TimerKind(rawValue: token >> Self.timerKindShift) {
        case .requestTimeout: requestTimedOut(value)
        case .reconnect:
            reconnectTimer = nil
            if case .waitingToReconnect(let attempt) = phase {
                begin(attempt: attempt, addressIndex: (attempt - 1) % addresses.count)
            }
        case .failoverTimeout: failoverTimedOut()
        case .livenessProbe: livenessTimerFired()
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
