import Agents
import Glibc
import Hardware
import RealHardware
import Timebase

/// One partner of a real-mode HA pair, in one process on one ``RealNodeRuntime``: the storage
/// target of ``RealTarget`` (UMA with its CTA, TTS on the selected port, RTAs on an
/// ``InProcessBus``, a SCSI DDM per sg device) whose RTAs also drive the partner's shelf
/// through this system's paths to it (partner DDMs, used after a takeover), NVRAM in a shared
/// file (``RealFileNVRAM``), and the simulator's ``ClusterNode`` — the cluster connection
/// manager, failover monitor and NVRAM mirror — on a second context of the same RDMA device
/// (the interconnect; the client fabric shares the device). The agents and their configuration
/// are `TargetAssembly`'s (cluster-wide LUN numbers, reservation keys, the mailbox disk).
///
/// Boot (``start(partnerTimeout:)``): the node creates its slam resources first and this
/// system publishes the endpoint they got (`slam-<system>.json`, ``RealBootstrap``), waits for
/// the partner's, and only then slam connects; the RTAs start and the UMA resets, as at a
/// simulated reset event. When the monitor has it serve its own shelf, the target publishes its
/// management endpoint (`target-<system>.json`) for the clients.
public final class RealClusterSystem: UnitManagementObserver {
    public let topology: RealTopology
    public let cluster: RealTopology.Cluster
    public let system: RealTopology.Cluster.System
    public let partner: RealTopology.Cluster.System
    public let runtime: RealNodeRuntime
    public let portLabel: String
    public let uma: UnitManagementAgent
    public let node: ClusterNode
    public let rtas: [RemoteTransportAgent]
    public let nvram: RealFileNVRAM
    /// The world wide name of the mailbox disk (the first system's first LUN).
    public let mailboxWorldWideName: UInt64
    let transport: any TargetTransport & InitiatorTransport
    let devices: [RealSCSIGenericDevice]
    let bus: InProcessBus
    private let port: RealPort
    private let interconnectPort: RealPort
    /// What this system saw, for the status file: slam transitions, monitor reports.
    public internal(set) var journal = RealClusterJournal()
    /// Why the system stopped, if it did.
    public internal(set) var failure: String?
    /// The management endpoint published for the clients, once serving.
    public internal(set) var published: RealEndpointRecord?
    /// The slam endpoints: this system's as created, the partner's as read.
    public private(set) var localEndpoint: ClusterEndpoint?
    public private(set) var partnerEndpoint: ClusterEndpoint?
    /// Where ``writeStatus()`` writes the status (nil: nowhere).
    public var statusPath: String?
    var lastSlamLogged: SlamConnectState?

    /// Opens the RDMA device (twice: the client-facing TTS and the interconnect), the sg
    /// devices (own shelf, then the partner's through this system's paths) and the NVRAM file,
    /// reads the mailbox disk's WWN, and assembles the agents (nothing runs yet).
    ///
    /// - Throws: one line naming the device or file and what failed.
    public init(topology: RealTopology, system name: String, selection: RealDeviceSelection, runtime: RealNodeRuntime) throws(RealModeError) {
        guard let cluster = topology.cluster, let system = cluster.system(named: name), let partner = cluster.partner(of: name) else {
            throw RealModeError("\(topology.file): no cluster system \"\(name)\"")
        }
        self.topology = topology
        self.cluster = cluster
        self.system = system
        self.partner = partner
        self.runtime = runtime
        port = try RealPort.open(selection, runtime: runtime)
        interconnectPort = try RealPort.open(selection, runtime: runtime)
        portLabel = port.label
        let definition = system.target
        let paths = definition.luns + partner.lunsAtPartner
        var devices: [RealSCSIGenericDevice] = []
        for path in paths {
            do {
                devices.append(try RealSCSIGenericDevice(
                    path: path, runtime: runtime,
                    configuration: RealSCSIGenericDeviceConfiguration(queueDepth: definition.sgQueueDepth, workerThreads: definition.sgWorkers)))
            } catch {
                for device in devices { device.close() }
                throw RealModeError("\(error)")
            }
        }
        self.devices = devices
        let own = Array(devices.prefix(definition.luns.count))
        let partnerDevices = Array(devices.dropFirst(definition.luns.count))
        // The mailbox: the first system's first disk, reached as own LUN 0 there, as partner path 0 here.
        let mailbox = cluster.systems[0].name == name ? own[0] : partnerDevices[0]
        do {
            mailboxWorldWideName = try RealWorldWideNameProbe.worldWideName(of: mailbox, runtime: runtime)
            nvram = try RealFileNVRAM(path: cluster.nvramPath(topology: topology.name, system: name), length: cluster.nvramBytes)
        } catch {
            for device in devices { device.close() }
            throw error
        }
        transport = port.transport(name: name + ".tts", runtime: runtime)
        bus = InProcessBus(name: name + ".bus")
        let hostChannel = bus.attach(endpoint: name + ".host", runtime: runtime)
        var rtas: [RemoteTransportAgent] = []
        for index in 0..<definition.rtas {
            let channel = bus.attach(endpoint: name + ".sn\(index + 1)", runtime: runtime)
            let drivers = stride(from: index, to: own.count, by: definition.rtas).map {
                AgentFactory.driver(.scsi, name: own[$0].name, device: own[$0], runtime: runtime)
            }
            let partnerDrivers = stride(from: index, to: partnerDevices.count, by: definition.rtas).map {
                AgentFactory.driver(.scsi, name: partnerDevices[$0].name, device: partnerDevices[$0], runtime: runtime)
            }
            rtas.append(RemoteTransportAgent(
                name: name + ".sn\(index + 1).rta", runtime: runtime, channel: channel, drivers: drivers, partnerDrivers: partnerDrivers))
        }
        self.rtas = rtas
        uma = UnitManagementAgent(
            name: name + ".uma", runtime: runtime, transport: transport, channel: hostChannel,
            configuration: Self.configuration(topology: topology, cluster: cluster, system: name, mailbox: mailboxWorldWideName))
        // The interconnect: the endpoints are not known before the slam resources exist
        // (real verbs choose them): placeholders, replaced by ``ClusterNode/createSlamEndpoints()``.
        let protocolName = interconnectPort.linkLayer == .ethernet ? "roce" : "infiniband"
        let placeholder = ClusterEndpoint(protocolName: protocolName, address: [], queuePairNumber: 0, rkey: 0, stateBlockAddress: 0)
        var manager = ClusterConnectionManagerConfiguration()
        manager.waitTimeout = cluster.slamConnectTimeout
        node = ClusterNode(
            name: name, runtime: runtime, uma: uma, nvram: nvram,
            interconnects: [(interconnectPort.context, interconnectPort.selection.port, placeholder, placeholder)],
            managerConfiguration: manager,
            monitorConfiguration: FailoverMonitorConfiguration(
                heartbeatInterval: cluster.heartbeatInterval, missedHeartbeats: cluster.missedHeartbeats),
            mirrorWrites: cluster.mirror, consistencyPoint: cluster.consistencyPoint)
        uma.observer = self
        node.monitor.observer = self
        node.manager.observer = self
    }

    /// The UMA's configuration: ``RealTarget``'s, with `TargetAssembly`'s cluster part: LUN
    /// numbers after the partners listed before this one, the reservation keys, the mailbox.
    /// No LUN masks: every client reaches every LUN served (both systems' clients share one port GUID here).
    static func configuration(topology: RealTopology, cluster: RealTopology.Cluster, system name: String, mailbox: UInt64) -> TargetConfiguration {
        var configuration = RealTarget.configuration(for: topology.asSystem(name)!)
        configuration.lunBase = UInt16(cluster.systems.prefix { $0.name != name }.reduce(0) { $0 + $1.target.luns.count })
        configuration.cluster = ClusterRole(
            ownKey: TargetAssembly.reservationKey(of: name), partnerKey: TargetAssembly.reservationKey(of: cluster.partner(of: name)!.name),
            mailboxWorldWideName: mailbox)
        return configuration
    }

    /// Boot: slam resources, publish, wait for the partner's endpoint (up to `partnerTimeout`,
    /// blocking: nothing runs before), slam connect, then the RTAs and the UMA.
    ///
    /// - Throws: one line: the slam resources could not be created, the file not written, or
    ///   the partner did not publish in time.
    public func start(partnerTimeout: TimeSpan) throws(RealModeError) {
        journal.started = RealClock.monotonicNanoseconds()
        let endpoints = node.createSlamEndpoints()
        guard let local = endpoints.first?.first ?? nil else {
            throw RealModeError("\(system.name): the slam resources on \(interconnectPort.label) could not be created: \(node.manager.lastError(ofInterconnect: 0) ?? "unknown")")
        }
        localEndpoint = local
        let device = "\(interconnectPort.context.device.name) port \(interconnectPort.selection.port)"
        try RealBootstrap.publish(
            RealSlamEndpointRecord(system: system.name, device: device, endpoint: local, processID: getpid(), host: RealBootstrap.hostName),
            folder: topology.bootstrap)
        journal.note("slam endpoint published: \(local)")
        let record = try RealBootstrap.waitForPartner(folder: topology.bootstrap, system: partner.name, timeout: partnerTimeout)
        guard record.endpoint.protocolName == local.protocolName else {
            throw RealModeError("\(RealBootstrap.slamPath(folder: topology.bootstrap, system: partner.name)): the partner's endpoint is \(record.endpoint.protocolName), this system's \(local.protocolName)")
        }
        partnerEndpoint = record.endpoint
        journal.note("partner's slam endpoint read: \(record.endpoint)")
        journal.slamStarted = RealClock.monotonicNanoseconds()
        node.start(partnerEndpoints: [[record.endpoint]])
        for rta in rtas { rta.start() }
        uma.reset()
    }

    /// Withdraws the endpoint files and closes the sg devices (their workers are joined). The
    /// NVRAM file stays (a restarted system replays its log).
    public func close() {
        if published != nil { RealBootstrap.withdraw(folder: topology.bootstrap, target: system.name) }
        RealBootstrap.withdrawSlam(folder: topology.bootstrap, system: system.name)
        for device in devices { device.close() }
    }

    // MARK: UnitManagementObserver

    public func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement) {
        journal.note("UMA ready: \(uma.table.entries.count) own LUNs discovered")
        node.umaReady()  // serving starts when the monitor decides
    }

    public func targetFailed(_ uma: UnitManagementAgent, reason: String) {
        failure = "\(uma.name): \(reason)"
        runtime.stop()
    }

    /// Publishes the management endpoint for the clients (once: the address stays the same
    /// after a takeover, and the clients already have both).
    func publishTarget() {
        guard published == nil else { return }
        do throws(RealModeError) {
            published = try RealBootstrap.publishTarget(
                system.name, port: port, address: transport.serviceAddress, folder: topology.bootstrap)
        } catch {
            failure = error.description
            runtime.stop()
        }
    }

    /// One line on what the system did.
    public var summary: String {
        let executed = rtas.reduce(0) { $0 + $1.statistics.executed }
        let heartbeats = node.monitor.statistics.interconnect(0)
        return "\(system.name): \(uma.table.entries.count) LUNs (\(uma.table.takenOverLUNs.count) taken over), \(uma.statistics.connectionsAccepted) connections accepted, \(executed) I/Os executed; heartbeats \(heartbeats.heartbeatsSent) sent, \(heartbeats.heartbeatsReceived) received; monitor \(node.monitor.state); \(node.replayedRecords) log records replayed"
    }
}

/// CLOCK_MONOTONIC, the clock every process on the machine shares: the orchestrator's kill
/// and a survivor's takeover are compared on it.
public enum RealClock {
    public static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
