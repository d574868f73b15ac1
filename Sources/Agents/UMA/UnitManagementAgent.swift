import Hardware

/// Told when the target's state changes (the scenario starts its clients when it is ready).
public protocol UnitManagementObserver: AnyObject {
    func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement)
    func targetFailed(_ uma: UnitManagementAgent, reason: String)
}

/// The UMA's counters.
public struct UMAStatistics: Hashable, Sendable {
    public var discoveries = 0
    public var connectionsAccepted = 0
    public var connectionsRejected: [ConnectRejectReason: Int] = [:]
    public var connectionsClosed = 0
    public var unreachableRTAs = 0
    /// Reservation operations sent to the RTAs (cluster mode).
    public var reservationsSent = 0
    /// Reservation operations that ended other than good (conflicts included).
    public var reservationFailures = 0
    /// Own devices the boot's RESERVE found held by another (the partner took them over).
    public var ownDevicesHeldAtBoot = 0
    /// Connections the UMA closed itself (fenced out, partner's LUNs given back).
    public var connectionsClosedLocally = 0

    public init() {}
}

/// The unit management agent of the host storage node.
///
/// On the reset event it starts the TTS, gives every storage node's RTA its slice of the data
/// pool (a bus window) and asks it to discover its devices; from their answers it builds the
/// hardware resource table, and advertises the LUNs on the fabric through the TTS. Its
/// connection manager then accepts clients: it decides the LUNs a client may reach (LUN
/// masking), has the CTA add the route, tells the RTAs concerned, and answers the client.
/// When a connection closes it removes the route and has the RTAs release what it held.
///
/// In cluster mode (``TargetConfiguration/cluster``) it also holds its shelf with SCSI-3
/// persistent reservations, fences and takes over the partner, and gives back: see
/// `UnitManagementAgent+Cluster.swift`.
public final class UnitManagementAgent: TargetConnectionDelegate, RTAMessageListener, TimerHandler {
    public enum State: Hashable, Sendable {
        case idle
        /// Waiting for the RTAs' resources of this discovery.
        case discovering(generation: UInt32)
        case ready
        case failed(String)
    }

    public let name: String
    public let configuration: TargetConfiguration
    public let cta: CommonTransportAgent
    public weak var observer: (any UnitManagementObserver)?
    public internal(set) var state: State = .idle
    public internal(set) var table = HardwareResourceTable()
    public internal(set) var statistics = UMAStatistics()
    public internal(set) var advertisement: IOUnitAdvertisement?

    let runtime: any NodeRuntime
    let transport: any TargetTransport
    private let channel: any BusChannel
    let bus: RTAInterfaceManager
    private var generation: UInt32 = 0
    private var answered: [(endpoint: BusEndpoint, devices: [DeviceProfile])] = []
    private var expected: [BusEndpoint] = []
    private var discoveryTimer: TimerHandle?
    private var nextConnection: UInt32 = 1
    /// The RTAs each connection reaches, for connection removal, and the LUNs it was granted.
    var connections: [ConnectionID: (endpoints: [BusEndpoint], luns: [UInt16])] = [:]
    var changeID: UInt16 = 0

    // Cluster mode.
    /// Whether this system's own LUNs are served (always, without a cluster role).
    public internal(set) var ownShelf: OwnShelfState
    /// What this system does with the partner's LUNs.
    public internal(set) var partnerShelf: PartnerShelfState = .none
    /// The reservation step under way.
    public internal(set) var clusterStep: ClusterStep = .idle
    /// The partner's configuration, from a takeover.
    var partnerConfiguration: ClusterUnitConfiguration?
    var nextReservation: UInt64 = 1
    /// The reservation operations of the current step, and their answers.
    var batch: [ReservationItem] = []
    var batchTransactions: [UInt64: Int] = [:]
    var batchAnswered = 0
    var batchArmed = false
    var fenceCompletion: ((FenceOutcome) -> Void)?
    var flagCompletion: ((Bool) -> Void)?
    /// Whether the reclaim under way serves the own LUNs when done (false: a double failure's
    /// takeover serves them after its replay).
    var reclaimServes = true
    static let batchToken = UInt64.max

    public init(name: String, runtime: any NodeRuntime, transport: any TargetTransport, channel: any BusChannel,
                configuration: TargetConfiguration = TargetConfiguration()) {
        self.name = name
        self.runtime = runtime
        self.transport = transport
        self.channel = channel
        self.configuration = configuration
        ownShelf = configuration.cluster == nil ? .serving : .waiting
        bus = RTAInterfaceManager(name: name + ".rta-interface", channel: channel, runtime: runtime, configuration: configuration.busLink)
        cta = CommonTransportAgent(name: name + ".cta", runtime: runtime, transport: transport, bus: bus)
        bus.management = self
        transport.connectionDelegate = self
    }

    /// Counters of the residual message store on the host's bus endpoint.
    public var busLinkStatistics: ResidualStoreStatistics { bus.store.statistics }
    /// Agent messages from the RTAs that did not decode.
    public var malformedAgentMessages: Int { bus.malformed }

    // MARK: Reset and discovery

    /// The reset event: start the transport, attach and discover every RTA.
    public func reset() {
        precondition(state == .idle, "\(name): reset twice")
        do {
            try transport.start(dataPoolBytes: configuration.dataPoolBytes)
        } catch {
            fail("the transport did not start: \(error)")
            return
        }
        expected = channel.peers
        guard !expected.isEmpty else {
            fail("no storage nodes on the bus")
            return
        }
        let pool = transport.dataPool
        let segment = configuration.segmentSize
        let slice = pool.length / expected.count / segment * segment
        guard slice >= configuration.maxTransferBytes else {
            fail("a data pool of \(pool.length) bytes gives each of \(expected.count) RTAs less than one \(configuration.maxTransferBytes)-byte transfer")
            return
        }
        for (index, endpoint) in expected.enumerated() {
            let window: BusWindow
            do {
                window = try channel.exposeWindow(pool, offset: index * slice, length: slice, access: .readWrite)
            } catch {
                fail("exposing the data pool on the bus: \(error)")
                return
            }
            cta.addWindow(window, poolOffset: index * slice, segmentSize: segment)
            bus.send(.attach(buffers: BusSegment(address: window.address, length: UInt32(slice)), segmentSize: UInt32(segment)), to: endpoint)
        }
        discover()
    }

    private func discover() {
        generation += 1
        statistics.discoveries += 1
        answered = []
        state = .discovering(generation: generation)
        for endpoint in expected { bus.send(.discover(generation: generation), to: endpoint) }
        discoveryTimer = runtime.scheduleTimer(after: configuration.discoveryTimeout, handler: self, token: UInt64(generation))
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.batchToken {
            batchArmed = false
            batchFinished()
            return
        }
        guard case .discovering(let current) = state, UInt64(current) == token else { return }
        discoveryTimer = nil
        finishDiscovery()  // with whatever answered: a dead storage node must not hold up the rest
    }

    private func finishDiscovery() {
        if let timer = discoveryTimer { runtime.cancelTimer(timer) }
        discoveryTimer = nil
        table.rebuild(from: answered, lunBase: configuration.lunBase)
        if configuration.cluster != nil {
            state = .ready
            startBootReservations()
            return
        }
        changeID &+= 1
        let unit = table.advertisement(unitGUID: configuration.unitGUID, changeID: changeID)
        advertisement = unit
        transport.advertise(unit)
        state = .ready
        observer?.targetReady(self, advertisement: unit)
    }

    func fail(_ reason: String) {
        state = .failed(reason)
        observer?.targetFailed(self, reason: reason)
    }

    func agentMessageReceived(_ message: AgentMessage, from endpoint: BusEndpoint) {
        if case .reservationDone(let transaction, let status, let result) = message {
            reservationDone(transaction, status: status, result: result, from: endpoint)
            return
        }
        guard case .resources(let answerGeneration, let devices) = message, case .discovering(let current) = state,
            answerGeneration == current, !answered.contains(where: { $0.endpoint == endpoint })
        else { return }
        answered.append((endpoint, devices))
        if answered.count == expected.count { finishDiscovery() }
    }

    func rtaUnreachable(_ endpoint: BusEndpoint) {
        statistics.unreachableRTAs += 1
        reservationsUnanswerable(at: endpoint)
    }

    // MARK: Connection manager

    public func connectionRequested(_ request: IncomingConnection) {
        let offer = request.offer
        guard state == .ready, ownShelf == .serving || partnerShelf == .online else { return reject(request, .notReady) }
        guard offer.serviceID == ServiceEntry.blockStorage.serviceID else { return reject(request, .unknownService) }
        let allowed = allowedLUNs(for: offer.clientGUID)
        let granted = offer.requestedLUNs.isEmpty ? allowed : allowed.filter { offer.requestedLUNs.contains($0) }
        guard !granted.isEmpty else { return reject(request, .noLUNsGranted) }
        let connection = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        let maxOutstanding = min(Int(offer.maxOutstanding), configuration.maxOutstandingPerConnection)
        let (luns, byEndpoint) = lunRoutes(granted)
        cta.addRoute(RoutingTable.Route(
            connection: connection, luns: luns, regions: offer.regions, maxOutstanding: maxOutstanding,
            maxTransferBytes: configuration.maxTransferBytes))
        // In order on each RTA's link: the route reaches an RTA before any request on it can.
        for (endpoint, devices) in byEndpoint { bus.send(.connectionAdd(connection, devices: devices), to: endpoint) }
        connections[connection] = (byEndpoint.map(\.0), granted)
        do {
            try transport.accept(
                request, as: connection,
                grant: ConnectionGrant(
                    luns: granted, maxTransferBytes: UInt32(configuration.maxTransferBytes), maxOutstanding: UInt16(maxOutstanding)))
            statistics.connectionsAccepted += 1
        } catch {
            remove(connection)
            reject(request, .noResources)
        }
    }

    private func reject(_ request: IncomingConnection, _ reason: ConnectRejectReason) {
        statistics.connectionsRejected[reason, default: 0] += 1
        transport.reject(request, reason: reason)
    }

    public func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason) {
        guard connections[connection] != nil else { return }
        statistics.connectionsClosed += 1
        remove(connection)
    }

    func remove(_ connection: ConnectionID) {
        cta.removeRoute(connection)
        for endpoint in connections.removeValue(forKey: connection)?.endpoints ?? [] {
            bus.send(.connectionRemove(connection), to: endpoint)
        }
    }
}
