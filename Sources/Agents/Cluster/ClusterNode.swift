import Hardware

/// The storage operating system of one partner of an HA pair, as far as the cluster goes: the
/// coordinator that carries out what the failover monitor decides, with the UMA (reservations,
/// LUN tables, advertisements), the CTA (its write path logs in NVRAM; internal writes replay
/// logs), the NVRAM mirror and the cluster connection manager.
///
/// Boot: ``start()`` starts the cluster connection managers first (slam connect on every
/// interconnect) and the failover monitor; the UMA discovers and registers meanwhile, and serves
/// nothing until the monitor says so. The monitor's requests wait for the UMA's discovery
/// (``umaReady()``).
///
/// Own log at boot: the records found in the NVRAM log half when this node booted are replayed
/// before serving the own shelf (the partner did not take over: they may not be on disk yet), and
/// discarded when the shelf comes back by a giveback (the partner replayed them at its takeover
/// and has served the LUNs since).
public final class ClusterNode: FailoverActions, NVRAMLogReplayDelegate {
    /// The node's cluster connection clients, as a manager specification names them.
    public enum Client: String, CaseIterable, Sendable {
        case failoverMonitor
        case nvramMirror
    }

    /// One cluster connection manager of the node: its interconnects, in preference order
    /// (first = primary; see ``ClusterConnectionManager/servingInterconnect``), with their
    /// predetermined endpoints for this manager, and the clients it serves.
    ///
    /// Several managers may share an interconnect adapter (pass the same opened context): the
    /// node shares it through a ``ClusterSharedAdapter``, and the managers create their first
    /// resources in manager order, so on one adapter the j-th manager that uses it (counted in
    /// manager order, from 0) gets the adapter's (j+1)-th QP and memory region; its endpoint
    /// must say so (see ``ClusterEndpoint``).
    public struct ManagerSpecification {
        public var interconnects: [ClusterConnectionManager.Interconnect]
        public var clients: [Client]

        public init(interconnects: [ClusterConnectionManager.Interconnect], clients: [Client]) {
            self.interconnects = interconnects
            self.clients = clients
        }
    }

    public let name: String
    public let uma: UnitManagementAgent
    public let mirror: NVRAMMirror
    /// The cluster connection managers, in the order of their specifications.
    public let managers: [ClusterConnectionManager]
    /// The manager that serves the failover monitor.
    public var manager: ClusterConnectionManager { managers[monitorManager] }
    /// Which manager serves each client.
    public let managerIndex: [(client: Client, manager: Int)]
    private let monitorManager: Int
    public private(set) var monitor: FailoverMonitor!
    /// Whether writes wait for the partner's copy (false: the unsafe setting, acknowledged from
    /// the local NVRAM alone).
    public let mirrorsWrites: Bool
    /// What went wrong that the monitor has no answer for (a failed reclaim, an unreadable
    /// partner configuration), for reports.
    public private(set) var problems: [String] = []
    /// Records replayed: from the partner's mirrored log at takeovers, and from the own log at boot.
    public private(set) var replayedRecords = 0

    private let runtime: any NodeRuntime
    private var ownLogAtBoot: [NVRAMLog.Record]
    private var umaIsReady = false
    private var waitingForUMA: [() -> Void] = []
    private var activeReplay: NVRAMLogReplay?
    private var afterReplay: (() -> Void)?

    /// One manager over every interconnect, serving both clients.
    ///
    /// - Parameters:
    ///   - nvram: the node's NVRAM: one half its write log, the other the partner's mirror.
    ///   - interconnects: the predetermined endpoints of every cluster interconnect.
    ///   - mirrorWrites: false only to show what the mirror protects (writes acknowledged from
    ///     the local log alone).
    ///   - consistencyPoint: write-behind: the CTA holds logged writes' disk writes until the
    ///     next consistency point, taken this often (``CommonTransportAgent/destageInterval``);
    ///     nil: each goes to disk once logged.
    public convenience init(name: String, runtime: any NodeRuntime, uma: UnitManagementAgent, nvram: any NVRAM,
                            interconnects: [ClusterConnectionManager.Interconnect],
                            managerConfiguration: ClusterConnectionManagerConfiguration = ClusterConnectionManagerConfiguration(),
                            monitorConfiguration: FailoverMonitorConfiguration = FailoverMonitorConfiguration(), mirrorWrites: Bool = true,
                            consistencyPoint: TimeSpan? = nil) {
        self.init(name: name, runtime: runtime, uma: uma, nvram: nvram,
                  managers: [ManagerSpecification(interconnects: interconnects, clients: Client.allCases)],
                  managerConfiguration: managerConfiguration, monitorConfiguration: monitorConfiguration, mirrorWrites: mirrorWrites,
                  consistencyPoint: consistencyPoint)
    }

    /// Several managers, each over its interconnects serving its clients.
    ///
    /// - Precondition: every manager has an interconnect; every ``Client`` is served by exactly
    ///   one manager.
    public init(name: String, runtime: any NodeRuntime, uma: UnitManagementAgent, nvram: any NVRAM,
                managers specifications: [ManagerSpecification],
                managerConfiguration: ClusterConnectionManagerConfiguration = ClusterConnectionManagerConfiguration(),
                monitorConfiguration: FailoverMonitorConfiguration = FailoverMonitorConfiguration(), mirrorWrites: Bool = true,
                consistencyPoint: TimeSpan? = nil) {
        precondition(!specifications.isEmpty, "\(name): no cluster connection manager")
        var index: [(client: Client, manager: Int)] = []
        for (position, specification) in specifications.enumerated() {
            precondition(!specification.interconnects.isEmpty, "\(name): cluster connection manager \(position) has no interconnect")
            for client in specification.clients {
                precondition(!index.contains { $0.client == client }, "\(name): client \(client) served by two managers")
                index.append((client, position))
            }
        }
        for client in Client.allCases {
            precondition(index.contains { $0.client == client }, "\(name): client \(client) served by no manager")
        }
        self.name = name
        self.runtime = runtime
        self.uma = uma
        self.mirrorsWrites = mirrorWrites
        managerIndex = index
        monitorManager = index.first { $0.client == .failoverMonitor }!.manager
        let layout = NVRAMMirror.Layout.halves(of: nvram.length)
        // The own log as the crash left it: read before the mirror formats the half afresh.
        ownLogAtBoot = NVRAMLog.records(in: MemorySlice(nvram, offset: layout.logOffset, length: layout.halfLength))
        mirror = NVRAMMirror(
            name: name + ".nvram-mirror", runtime: runtime, nvram: nvram, layout: layout,
            firstSequence: (ownLogAtBoot.map(\.sequence).max() ?? 0) + 1)
        // An adapter used by several managers is shared (its asynchronous events go to all).
        let contexts = specifications.flatMap { $0.interconnects.map(\.context) }
        var shared: [ClusterSharedAdapter] = []
        for context in contexts where contexts.filter({ $0 === context }).count > 1 {
            if !shared.contains(where: { $0.base === context }) { shared.append(ClusterSharedAdapter(context)) }
        }
        var managers: [ClusterConnectionManager] = []
        for (position, specification) in specifications.enumerated() {
            let interconnects = specification.interconnects.map { interconnect in
                var interconnect = interconnect
                if let adapter = shared.first(where: { $0.base === interconnect.context }) { interconnect.context = adapter }
                return interconnect
            }
            managers.append(ClusterConnectionManager(
                name: name + (specifications.count == 1 ? ".ccm" : ".ccm\(position)"), runtime: runtime,
                interconnects: interconnects, configuration: managerConfiguration))
        }
        self.managers = managers
        monitor = FailoverMonitor(name: name + ".failover-monitor", runtime: runtime, actions: self, configuration: monitorConfiguration)
        mirror.onSynchronized = { [unowned self] in monitor.localMirrorSyncChanged() }
        managers[monitorManager].register(monitor)
        if mirrorWrites {
            managers[index.first { $0.client == .nvramMirror }!.manager].register(mirror)
        } else {
            mirror.partnerFenced()  // alone for good: durable at the local append
        }
        uma.cta.writeLog = mirror
        uma.cta.destageInterval = consistencyPoint
    }

    /// Early in boot: slam connect (the managers in order: on a shared adapter, that order
    /// decides their predetermined endpoints), and the monitor's boot decision.
    public func start() {
        for manager in managers { manager.start() }
        monitor.start()
    }

    /// Two-phase boot, for a backend whose verbs choose QP numbers and rkeys (real hardware):
    /// creates every manager's slam resources, in manager order (as ``start()`` would), and
    /// returns each manager's endpoints as created (per interconnect; nil where creation failed),
    /// to publish for the partner. Then ``start(partnerEndpoints:)``.
    public func createSlamEndpoints() -> [[ClusterEndpoint?]] {
        managers.map { $0.createSlamResources() }
    }

    /// Two-phase boot, second phase: slam connect toward the partner's published endpoints
    /// (per manager, per interconnect), and the monitor's boot decision.
    public func start(partnerEndpoints: [[ClusterEndpoint]]) {
        precondition(partnerEndpoints.count == managers.count, "\(name): partner endpoints for \(partnerEndpoints.count) of \(managers.count) managers")
        for (manager, partners) in zip(managers, partnerEndpoints) { manager.start(partners: partners) }
        monitor.start()
    }

    /// The UMA has discovered its devices and registered its keys: the monitor's requests can run.
    public func umaReady() {
        guard !umaIsReady else { return }
        umaIsReady = true
        monitor.announceConfiguration()  // the hellos sent at slam connect carried an empty LUN map
        let waiting = waitingForUMA
        waitingForUMA = []
        for work in waiting { work() }
    }

    private func whenUMAReady(_ work: @escaping () -> Void) {
        if umaIsReady { work() } else { waitingForUMA.append(work) }
    }

    // MARK: FailoverActions

    public var localConfiguration: [UInt8] { uma.clusterConfiguration }

    /// The mirror's ``NVRAMMirror/isInSync``; always true when the node does not mirror writes
    /// (the unsafe setting: the partner takes over with whatever its copy holds, which is what
    /// `MirrorNecessityTests` shows).
    public var localMirrorInSync: Bool { !mirrorsWrites || mirror.isInSync }

    public func serveOwnShelf() {
        whenUMAReady { [self] in
            let records = ownLogAtBoot
            ownLogAtBoot = []
            replay(records, routes: uma.admitHostWrites(to: uma.table.ownLUNs)) { [self] in
                uma.serveOwnShelf()
                monitor.ownShelfServing()
            }
        }
    }

    public func checkOwnShelf() {
        whenUMAReady { [self] in uma.checkOwnShelf { [self] held in monitor.ownShelfChecked(heldByPartner: held) } }
    }

    public func fencePartner() {
        whenUMAReady { [self] in
            uma.fencePartner { [self] outcome in
                switch outcome {
                case .won:
                    mirror.partnerFenced()  // the partner cannot take over now: acknowledge from the local log
                    monitor.fenceCompleted(won: true)
                case .lost:
                    monitor.fenceCompleted(won: false)
                case .unavailable:
                    // No arbitration point: taking over could split the brain; stand down instead.
                    problems.append("\(name): the mailbox disk did not answer the fence; standing down")
                    monitor.fenceCompleted(won: false)
                }
            }
        }
    }

    /// The partner's configuration from its hello, or nil (noted as a problem) if it does not decode.
    private func decodedPartner(_ bytes: [UInt8]) -> ClusterUnitConfiguration? {
        do {
            return try ClusterUnitConfiguration(decoding: bytes)
        } catch {
            problems.append("\(name): the partner's configuration does not decode: \(error)")
            return nil
        }
    }

    public func takeOver(partnerConfiguration: [UInt8]) {
        whenUMAReady { [self] in
            guard let configuration = decodedPartner(partnerConfiguration) else { return }
            // The fence won and drained (the UMA's precondition): no write of the partner's is
            // still in service on its disks when the replay's first write goes out.
            let mapping = uma.takeOverPartner(configuration: configuration)
            if !mapping.unmapped.isEmpty { problems.append("\(name): partner LUNs with no path here: \(mapping.unmapped)") }
            let records = NVRAMLog.records(in: mirror.partnerImage)
            let routes = uma.admitHostWrites(to: mapping.luns)
            replay(records, routes: routes) { [self] in
                uma.bringPartnerOnline()
                monitor.takeoverCompleted()
            }
        }
    }

    public func takeOverBoth(partnerConfiguration: [UInt8]) {
        whenUMAReady { [self] in
            guard let configuration = decodedPartner(partnerConfiguration) else { return }
            // The own log at boot was replayed by the partner at its takeover; the partner's
            // log, mirrored here since this node slam connected, holds every write since.
            ownLogAtBoot = []
            uma.reclaimOwnShelf(serve: false) { [self] reclaimed in
                if !reclaimed { problems.append("\(name): reclaiming the own shelf from the failed partner failed") }
                let mapping = uma.takeOverPartner(configuration: configuration)
                if !mapping.unmapped.isEmpty { problems.append("\(name): partner LUNs with no path here: \(mapping.unmapped)") }
                let records = NVRAMLog.records(in: mirror.partnerImage)
                let routes = uma.admitHostWrites(to: (reclaimed ? uma.table.ownLUNs : []) + mapping.luns)
                replay(records, routes: routes) { [self] in
                    if reclaimed { uma.serveOwnShelf() }
                    uma.bringPartnerOnline()
                    monitor.takeoverCompleted()
                }
            }
        }
    }

    public func stopServing() {
        uma.stopServing()
    }

    public func releasePartnerShelf() {
        whenUMAReady { [self] in
            uma.releasePartner { [self] released in
                if !released { problems.append("\(name): releasing the partner's shelf was not clean") }
                monitor.partnerShelfReleased()
            }
        }
    }

    public func reclaimOwnShelf() {
        whenUMAReady { [self] in
            ownLogAtBoot = []  // the partner replayed it when it took over
            uma.reclaimOwnShelf { [self] reclaimed in
                if reclaimed {
                    monitor.ownShelfServing()
                } else {
                    problems.append("\(name): reclaiming the own shelf failed")
                }
            }
        }
    }

    // MARK: Replay

    private func replay(_ records: [NVRAMLog.Record], routes: [UInt16: RoutingTable.LUNRoute], then done: @escaping () -> Void) {
        precondition(activeReplay == nil, "\(name): a second replay while one runs")
        guard !records.isEmpty else { return done() }
        let replay = NVRAMLogReplay(records: records, cta: uma.cta, routes: routes)
        replay.delegate = self
        activeReplay = replay
        afterReplay = done
        replay.start()
    }

    public func replayFinished(_ replay: NVRAMLogReplay, completed: Int, failed: Int, unroutable: Int) {
        replayedRecords += completed
        if failed > 0 || unroutable > 0 {
            problems.append("\(name): replay left \(failed) records failed and \(unroutable) with no route")
        }
        activeReplay = nil
        let done = afterReplay
        afterReplay = nil
        done?()
    }
}
