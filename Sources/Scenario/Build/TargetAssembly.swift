import Agents
import Hardware
import SimCore
import SimHardware
import Timebase

/// The agents of a scenario's storage systems and clients, started on the simulated devices:
/// per system a TTS for its fabric's protocol, the UMA (with its CTA) on the host storage node, an
/// RTA with one DDM per reachable disk (SCSI or ATA, after the controller) on every storage node;
/// per block workload a client initiator that connects once the target is ready.
///
/// Nothing here is protocol- or format-specific except the two factories, ``transport(on:name:runtime:hca:)``
/// and ``driver(for:name:device:runtime:)``: the layering the protocol-independence test checks.
final class TargetAssembly: UnitManagementObserver {
    struct Target {
        let system: SimulatedTopology.System
        let uma: UnitManagementAgent
        let transport: any TargetTransport
        let rtas: [RemoteTransportAgent]
        /// Every disk each RTA drives, in device order.
        let disks: [[String]]
        /// The DDM types used, for the protocol-independence test.
        let driverFormats: [String]
        /// In a cluster: the coordinator, made at boot (the interconnects' addresses are known then).
        var cluster: ClusterNode?
    }

    private(set) var targets: [Target] = []
    /// Targets of earlier incarnations (a system that rebooted), kept for their counters.
    private(set) var retired: [Target] = []
    /// When each system crashed last, by name, for failover times.
    private(set) var crashes: [(system: String, time: Instant)] = []
    /// The HA pairs' monitors, managers and the no-dual-ownership checker; nil without clusters.
    private(set) var watch: ClusterWatch?
    private(set) var sessions: [ClientSession] = []
    /// Why a target did not come up, by system.
    private(set) var failures: [String] = []

    /// When the host storage nodes get their reset event: after the InfiniBand subnet manager's
    /// first sweep has made the ports active (measured here: under 1 ms for a few switches).
    static let resetTime = Instant.zero + .milliseconds(5)

    /// ``resetTime``, or for a large subnet its first sweep + 1 ms (assumption: a margin for
    /// the port-change notifications), whichever is later: 200 clients on two 128-port switches
    /// sweep for 5.6 ms, and a UMA starting before its port is active cannot start at all.
    static func resetTime(after fabrics: [SimulatedFabric]) -> Instant {
        let sweep = fabrics.map(\.firstSweepDuration).max() ?? .zero
        return max(resetTime, .zero + sweep + .milliseconds(1))
    }

    let topology: SimulatedTopology

    init(topology: SimulatedTopology, workloads: [WorkloadDefinition], interval: TimeSpan, end: Instant) throws(ScenarioBuildError) {
        self.topology = topology
        for system in topology.systems {
            targets.append(try Self.assemble(system, topology: topology))
        }
        for workload in workloads where workload.kind == .block {
            let client = topology.clients.first { $0.definition.name == workload.client }!
            let target = targets.first { $0.system.definition.name == workload.target }!
            let transport = try Self.transport(on: client.fabric, name: client.hca.name + ".tts", runtime: client.runtime, hca: client.hca)
            sessions.append(ClientSession(
                workload: workload, client: client, transport: transport, target: target.system.definition.name, interval: interval,
                end: end))
        }
        for target in targets {
            target.uma.observer = self
            Boot(simulator: topology.simulator, at: Self.resetTime(after: topology.fabrics), system: target.system.definition.name,
                 assembly: self)
        }
        if !topology.definition.clusters.isEmpty {
            watch = ClusterWatch(topology: topology)
            watch?.assembly = self
        }
    }

    /// The reset event of `system`: in a cluster the coordinator starts first (slam connect),
    /// then the RTAs start and the UMA resets.
    func boot(system name: String) {
        guard let index = targets.firstIndex(where: { $0.system.definition.name == name }) else { return }
        if let cluster = topology.definition.cluster(of: name) {
            let node = makeClusterNode(for: targets[index], in: cluster)
            targets[index].cluster = node
            watch?.watch(node, system: name, bootedAt: topology.simulator.now)
            node.start()
        }
        for rta in targets[index].rtas { rta.start() }
        targets[index].uma.reset()
    }

    private static func assemble(_ system: SimulatedTopology.System, topology: SimulatedTopology) throws(ScenarioBuildError) -> Target {
        let definition = system.definition
        var configuration = TargetConfiguration()
        configuration.unitGUID = StableHash.fnv1a64(definition.name)
        configuration.dataPoolBytes = Int(definition.dataPoolBytes)
        configuration.maxTransferBytes = Int(definition.maxTransferBytes)
        configuration.segmentSize = min(configuration.segmentSize, configuration.maxTransferBytes)
        for mask in definition.lunMasks {
            let client = topology.clients.first { $0.definition.name == mask.client }!
            configuration.lunMasks[client.hca.portGUID(1).rawValue] = mask.luns
        }
        configuration.defaultLUNs = definition.defaultLUNs
        let cluster = topology.definition.cluster(of: definition.name)
        if let cluster { Self.configure(&configuration, for: definition.name, in: cluster, topology: topology) }
        let transport = try Self.transport(on: system.fabric, name: system.hca.name + ".tts", runtime: system.runtime, hca: system.hca)
        let uma = UnitManagementAgent(
            name: definition.name + ".uma", runtime: system.runtime, transport: transport, channel: system.hostChannel,
            configuration: configuration)
        var rtas: [RemoteTransportAgent] = []
        var disks: [[String]] = []
        var formats: [String] = []
        for node in system.storageNodes {
            // In a cluster the shelves reached through B loops are the partner's: their DDMs are
            // the RTA's partner drivers, used only after a takeover.
            let loops = node.controllers.flatMap(\.loops)
            let partnerShelves = cluster == nil ? [] : Self.uniqueShelves(loops.filter { $0.side == .b })
            var drivers: [any DeviceDriver] = []
            var partnerDrivers: [any DeviceDriver] = []
            var names: [String] = []
            for shelfName in Self.uniqueShelves(loops) {
                for disk in topology.shelf(named: shelfName)!.disks {
                    guard let (controller, device) = topology.path(through: node.controllers, to: disk.name) else { continue }
                    let driver = Self.driver(for: controller, name: disk.name, device: device, runtime: node.runtime)
                    if partnerShelves.contains(shelfName) {
                        partnerDrivers.append(driver)
                    } else {
                        drivers.append(driver)
                        names.append(disk.name)
                    }
                    formats.append(driver.format)
                }
            }
            rtas.append(RemoteTransportAgent(
                name: node.definition.fullName + ".rta", runtime: node.runtime, channel: node.channel, drivers: drivers,
                partnerDrivers: partnerDrivers))
            disks.append(names)
        }
        return Target(system: system, uma: uma, transport: transport, rtas: rtas, disks: disks, driverFormats: formats)
    }

    private static func uniqueShelves(_ loops: [LoopReference]) -> [String] {
        var shelves: [String] = []
        for loop in loops where !shelves.contains(loop.shelf) { shelves.append(loop.shelf) }
        return shelves
    }

    // MARK: The two factories: the only protocol- and format-specific choices

    /// The TTS for the fabric's network protocol, on `hca`'s verbs.
    static func transport(on fabric: SimulatedFabric, name: String, runtime: SimNodeRuntime, hca: SimHCA) throws(ScenarioBuildError)
        -> any TargetTransport & InitiatorTransport
    {
        let context = try openVerbs(hca, path: fabric.definition.path)
        switch fabric.network {
        case .infiniband: return AgentFactory.transport(.infiniband, name: name, runtime: runtime, context: context)
        case .ethernet: return AgentFactory.transport(.ethernet, name: name, runtime: runtime, context: context)
        }
    }

    /// `hca`'s verbs device, as an agent opens it; a failure is reported at `path`.
    static func openVerbs(_ hca: SimHCA, path: String) throws(ScenarioBuildError) -> any VerbsDeviceContext {
        do {
            return try SimVerbsProvider(adapters: [hca]).openDevice(named: hca.name)
        } catch {
            throw ScenarioBuildError(path: path, message: "cannot open \(hca.name): \(error)")
        }
    }

    /// The DDM for the controller's I/O format.
    static func driver(for controller: IOController, name: String, device: any SCSIGenericDevice, runtime: SimNodeRuntime) -> any DeviceDriver {
        switch controller.configuration.kind {
        case .ataController: AgentFactory.driver(.ata, name: name, device: device, runtime: runtime)
        case .scsiHBA: AgentFactory.driver(.scsi, name: name, device: device, runtime: runtime)
        }
    }

    // MARK: UnitManagementObserver

    func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement) {
        guard let target = targets.first(where: { $0.uma === uma }) else { return }
        if let node = target.cluster {
            node.umaReady()  // its clients start when the monitor has it serve its own shelf
            return
        }
        beginSessions(of: target)
    }

    /// Starts the client sessions of `target` that have not started.
    func beginSessions(of target: Target) {
        for session in sessions where session.targetName == target.system.definition.name && !session.started {
            session.begin(at: addresses(of: target))
        }
    }

    /// Where a client of `target` finds its LUNs: the target, then its cluster partner.
    private func addresses(of target: Target) -> [ServiceAddress] {
        var result = [target.transport.serviceAddress]
        let name = target.system.definition.name
        if let partner = topology.definition.cluster(of: name)?.partner(of: name),
            let other = targets.first(where: { $0.system.definition.name == partner })
        {
            result.append(other.transport.serviceAddress)
        }
        return result
    }

    func targetFailed(_ uma: UnitManagementAgent, reason: String) {
        failures.append("\(uma.name): \(reason)")
    }
}

/// Delivers the reset event of a system at a set time (the assembly boots it).
private final class Boot: SimComponent {
    static let reset = EventKind(rawValue: 1)
    let system: String
    weak var assembly: TargetAssembly?

    @discardableResult
    init(simulator: Simulator, at time: Instant, system: String, assembly: TargetAssembly, incarnation: Int = 0) {
        self.system = system
        self.assembly = assembly
        let id = simulator.register(self, name: system + ".boot" + (incarnation == 0 ? "" : "\(incarnation)"))
        simulator.schedule(Self.reset, for: id, at: time, payload: 0)
    }

    func handle(_ event: Event, in simulator: Simulator) {
        assembly?.boot(system: system)
    }
}

extension TargetAssembly: SystemFaultHandling {
    /// The system crashes: its runtimes halt (no agent of it runs again), its adapters fail, its
    /// controllers forget what was in flight; its NVRAM keeps its contents.
    func crash(system name: String) {
        guard let target = targets.first(where: { $0.system.definition.name == name }) else { return }
        let system = target.system
        guard !system.runtime.isHalted else { return }  // crashed already
        crashes.append((name, topology.simulator.now))
        for runtime in system.runtimes where !runtime.isHalted { runtime.halt() }
        for hca in system.adapters { hca.fail() }
        for node in system.storageNodes {
            for (controller, _) in node.controllers { controller.resetForHostCrash() }
        }
    }

    func faultApplied(_ action: FaultDefinition.Action, target: String) {
        if action == .interconnectCut || action == .partition { watch?.lastCut = topology.simulator.now }
    }

    /// The system boots again (crashing first if it was running): its adapters come back fresh,
    /// its bus endpoints forget the dead agents, and a new set of agents boots after
    /// ``rebootDelay`` on the same devices, disks and NVRAM.
    func reboot(system name: String) {
        guard let index = targets.firstIndex(where: { $0.system.definition.name == name }) else { return }
        crash(system: name)
        let system = targets[index].system
        for hca in system.adapters { hca.restart() }
        for endpoint in system.nodeBus.attachedEndpoints { system.nodeBus.reset(endpoint: endpoint) }
        for runtime in system.runtimes { runtime.resume() }
        let target: Target
        do {
            target = try Self.assemble(system, topology: topology)
        } catch {
            preconditionFailure("a system that booted once cannot be assembled again: \(error)")
        }
        retired.append(targets[index])
        targets[index] = target
        target.uma.observer = self
        Boot(simulator: topology.simulator, at: topology.simulator.now + Self.rebootDelay, system: name, assembly: self,
             incarnation: retired.count)
    }

    /// From a reboot to the reset event: the adapters' ports must be active again (the subnet
    /// manager's sweep, under 1 ms here) — an assumption standing for the firmware and OS boot,
    /// which a real node takes minutes over; scenarios measure failover, not boot.
    static let rebootDelay = TimeSpan.milliseconds(5)
}

extension TargetAssembly {
    /// The targets' counters as run metrics.
    func addMetrics(to metrics: inout RunMetrics) {
        var luns = 0, connections = 0, rejected = 0, duplicates = 0, malformed = 0, retransmissions = 0
        for target in targets {
            luns += target.uma.table.entries.count
        }
        for target in retired + targets {
            connections += target.uma.statistics.connectionsAccepted
            rejected += target.uma.cta.statistics.rejectedTotal
            malformed += target.uma.cta.statistics.malformed + target.uma.malformedAgentMessages + target.transport.statistics.malformed
            retransmissions += target.uma.busLinkStatistics.retransmissions
            for rta in target.rtas {
                duplicates += rta.statistics.duplicateRequests
                retransmissions += rta.messageStoreStatistics.retransmissions
            }
        }
        for session in sessions { malformed += session.transport.statistics.malformed }
        metrics.setCount("luns", luns)
        metrics.setCount("connections", connections)
        metrics.setCount("rejectedRequests", rejected)
        metrics.setCount("duplicateRequests", duplicates)
        metrics.setCount("malformedMessages", malformed)
        metrics.setCount("busRetransmissions", retransmissions)
    }
}
