import Hardware

/// The cluster connection manager: started early in boot, it slam connects to the partner on
/// every cluster interconnect (independently and concurrently), then gives each registered
/// ``ClusterConnectionClient`` its own ``ClusterConnection`` on every interconnect that is
/// Connected.
///
/// On each interconnect adapter it creates, as the first resources, a PD, a CQ, the slam RC QP
/// and the slam memory region (the state block; see ``ClusterEndpoint``), and checks them
/// against the provisioned local endpoint. The slam connect (``SlamConnectState``) then runs
/// with no message exchange. Once Connected it creates every client's RC QP on that
/// interconnect, registers the client's memory, sends the partner's manager the connection
/// information over the slam QP, connects, exchanges "ready", and calls
/// ``ClusterConnectionClient/clusterConnectionUp(_:)``.
///
/// A failure on one interconnect (a client QP or the slam QP in error, the adapter failed, the
/// keep-alive read finding the partner restarted) fails every client connection on that
/// interconnect, as ``ClusterConnection`` says, and restarts the slam connect there per the
/// retry policy (``SlamConnectState/transitions``); the other interconnects are untouched.
public final class ClusterConnectionManager {
    /// One cluster interconnect: the adapter (opened), its port, and both predetermined endpoints.
    public typealias Interconnect = (context: any VerbsDeviceContext, port: UInt8, local: ClusterEndpoint, partner: ClusterEndpoint)

    /// The manager's name, e.g. `"red.ccm0"`.
    public let name: String
    let runtime: any NodeRuntime
    public let configuration: ClusterConnectionManagerConfiguration
    /// Told of state changes, with times.
    public weak var observer: (any ClusterConnectionManagerObserver)?
    /// Counters over all interconnects.
    public internal(set) var statistics = ClusterConnectionManagerStatistics()
    /// The interconnect (index in this manager's list) its clients are served on: the first in
    /// the list's order (the manager's preference, first = primary) whose session is up; nil
    /// while none is. When it fails the clients move to the next one up (a switch, counted in
    /// ``ClusterConnectionManagerStatistics/interconnectSwitches``); when a preferred one comes
    /// back, they return to it. (The NVRAM mirror, which writes on one connection, follows the
    /// same order: it returns once its posted writes completed.)
    public private(set) var servingInterconnect: Int?
    private(set) var clients: [(client: any ClusterConnectionClient, needs: ClusterClientNeeds)] = []
    private var links: [ClusterInterconnect] = []
    private(set) var started = false
    private var slamResourcesCreated = false

    /// Creates the manager; nothing happens until ``start()``.
    ///
    /// - Precondition: at least one interconnect; each one's local and partner endpoints name the
    ///   same network protocol (`"infiniband"` or `"roce"`).
    public init(name: String, runtime: any NodeRuntime, interconnects: [Interconnect],
                configuration: ClusterConnectionManagerConfiguration = ClusterConnectionManagerConfiguration()) {
        precondition(!interconnects.isEmpty, "a cluster connection manager needs an interconnect")
        self.name = name
        self.runtime = runtime
        self.configuration = configuration
        for (index, interconnect) in interconnects.enumerated() {
            precondition(interconnect.local.protocolName == interconnect.partner.protocolName,
                         "interconnect \(index): local and partner endpoints of different protocols")
            links.append(ClusterInterconnect(manager: self, index: index, interconnect: interconnect))
        }
    }

    /// Registers a client; its counterpart on the partner is the client registered there under
    /// the same name.
    ///
    /// - Precondition: before ``start()``; the name is unique among this manager's clients and
    ///   at most ``ClusterClientEndpoint/maxNameBytes`` bytes of UTF-8; the needs are sane.
    public func register(_ client: any ClusterConnectionClient) {
        precondition(!started && !slamResourcesCreated, "register cluster clients before the manager starts")
        let clientName = client.clusterClientName
        precondition(!clientName.isEmpty && clientName.utf8.count <= ClusterClientEndpoint.maxNameBytes,
                     "cluster client name '\(clientName)' empty or too long")
        precondition(!clients.contains { $0.client.clusterClientName == clientName }, "cluster client '\(clientName)' registered twice")
        let needs = client.clusterNeeds
        precondition(needs.maxMessageBytes >= 1 && needs.maxOutstanding >= 1, "cluster client '\(clientName)' needs nothing to send")
        clients.append((client, needs))
    }

    /// Starts the slam connect on every interconnect, toward the predetermined partner
    /// endpoints (simulation: see ``ClusterEndpoint``).
    public func start() {
        precondition(!started && !slamResourcesCreated, "cluster connection manager \(name) started twice")
        started = true
        for link in links { link.start() }
    }

    /// Two-phase start, for a backend whose verbs choose QP numbers and rkeys themselves (real
    /// hardware): creates every interconnect's slam resources (the first on its adapter, as
    /// ``start()`` does) and returns the endpoint each got, which becomes the provisioned local
    /// one — to be published for the partner. Nil for an interconnect whose resources could not
    /// be created (``lastError(ofInterconnect:)`` says why). Then ``start(partners:)``.
    ///
    /// - Precondition: not started; the clients are registered (their needs size the CQ).
    public func createSlamResources() -> [ClusterEndpoint?] {
        precondition(!started && !slamResourcesCreated, "cluster connection manager \(name): slam resources created twice")
        slamResourcesCreated = true
        return links.map { $0.createSlamResources() }
    }

    /// Two-phase start, second phase: the slam connect on every interconnect toward the
    /// partner's endpoint as it published it (one per interconnect, in order).
    ///
    /// - Precondition: after ``createSlamResources()``; one endpoint per interconnect, each of
    ///   the interconnect's protocol.
    public func start(partners: [ClusterEndpoint]) {
        precondition(slamResourcesCreated && !started, "cluster connection manager \(name): start(partners:) without createSlamResources()")
        precondition(partners.count == links.count, "cluster connection manager \(name): \(partners.count) partner endpoints for \(links.count) interconnects")
        started = true
        for (link, partner) in zip(links, partners) { link.start(partner: partner) }
    }

    /// How many interconnects the manager has.
    public var interconnectCount: Int { links.count }

    /// The slam-connect state of interconnect `index`.
    public func state(ofInterconnect index: Int) -> SlamConnectState { links[index].state }

    /// Why interconnect `index` last went to Error (nil if it never did), e.g.
    /// `"provisioning mismatch: QPN 0x49, the partner was told 0x48"`.
    public func lastError(ofInterconnect index: Int) -> String? { links[index].lastError }

    /// The client connections up on interconnect `index`.
    public func connectionCount(ofInterconnect index: Int) -> Int { links[index].upConnections }

    /// The adapter of interconnect `index` was restarted (`SimHCA.restart()`, or a driver reset
    /// on real hardware) and opened again as `context`: the manager creates its first resources
    /// on it again (the same predetermined endpoint) and the slam connect resumes from Error.
    public func adapterRestarted(interconnect index: Int, context: any VerbsDeviceContext) {
        precondition(started, "adapterRestarted before start")
        links[index].adapterRestarted(context: context)
    }

    // MARK: Internal

    func notify(_ transition: SlamConnectTransition, interconnect: Int) {
        switch transition.to {
        case .attemptingRead where transition.from == .initial: statistics.slamAttempts += 1
        case .connected: statistics.slamConnected += 1
        case .error: statistics.slamErrors += 1
        default: break
        }
        observer?.slamConnectTransition(transition, interconnect: interconnect, at: runtime.now, manager: self)
    }

    /// The bytes of one interconnect's state block (the slam memory region) under
    /// `configuration`: what a second manager's predetermined state block address must skip on
    /// an adapter the first one uses too (see ``ClusterEndpoint``).
    public static func stateBlockLength(_ configuration: ClusterConnectionManagerConfiguration) -> Int {
        ClusterInterconnect.stateBlockLength(configuration)
    }

    /// The session on `interconnect` came up (its clients' connections are up).
    func sessionStarted(interconnect: Int) {
        let previous = servingInterconnect
        if let previous, previous <= interconnect { return }
        servingInterconnect = interconnect
        observer?.servingInterconnectChanged(from: previous, to: interconnect, at: runtime.now, manager: self)
    }

    /// The session on `interconnect` ended: if it served the clients, the next one up serves them.
    func sessionEnded(interconnect: Int) {
        guard servingInterconnect == interconnect else { return }
        let next = links.first { $0.sessionUp }?.index
        servingInterconnect = next
        if next != nil { statistics.interconnectSwitches += 1 }
        observer?.servingInterconnectChanged(from: interconnect, to: next, at: runtime.now, manager: self)
    }

    func notifyReady(interconnect: Int, connections: Int) {
        observer?.clusterConnectionsReady(interconnect: interconnect, connections: connections, at: runtime.now, manager: self)
    }
}
