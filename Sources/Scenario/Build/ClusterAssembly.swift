import Agents
import Hardware
import Reports
import SimCore
import SimHardware
import Timebase

/// The HA pairs' part of the assembly: each partner's cluster configuration (cluster-wide LUN
/// numbers, persistent reservation keys, the mailbox disk) and, at boot, its coordinator with the
/// predetermined endpoints of every interconnect.
///
/// Provisioning in simulation: the cluster connection manager creates the slam QP and the state
/// block's memory region first on a fresh (or restarted) interconnect adapter, so they get the
/// HCA's first QP number and first region key and address (``SimHCA/firstQueuePairNumber``,
/// ``SimHCA/firstRegionKey``, ``SimHCA/firstRegionAddress``); with the port's LID from the subnet
/// manager that is the endpoint each partner is given for the other, before either boots.
/// With several connection managers (`connectionManagers`), those that use one adapter create
/// theirs in manager order: see ``endpoint(of:on:rank:stateBlockLength:)``.
extension TargetAssembly {
    static func configure(_ configuration: inout TargetConfiguration, for name: String, in cluster: ClusterDefinition,
                          topology: SimulatedTopology) {
        let definition = topology.definition
        // Cluster-wide LUN numbers: the partners listed before this one number theirs first.
        var base = 0
        for other in cluster.systems.prefix(while: { $0 != name }) {
            let system = definition.system(named: other)!
            base += system.ownedShelves.reduce(0) { $0 + (definition.shelf(named: $1)?.disks.count ?? 0) }
        }
        configuration.lunBase = UInt16(base)
        // The mailbox disk: the first disk of the first partner's first shelf, the one arbitration point.
        let first = definition.system(named: cluster.systems[0])!
        let mailboxShelf = first.ownedShelves[0]
        let mailbox = topology.disk(named: definition.shelf(named: mailboxShelf)!.diskName(bay: 0))!
        configuration.cluster = ClusterRole(
            ownKey: reservationKey(of: name), partnerKey: reservationKey(of: cluster.partner(of: name)!),
            mailboxWorldWideName: mailbox.configuration.worldWideName)
        // Both partners serve both partners' clients (each serves the other's after a takeover).
        for partnerName in cluster.systems where partnerName != name {
            for mask in definition.system(named: partnerName)!.lunMasks {
                let client = topology.clients.first { $0.definition.name == mask.client }!
                configuration.lunMasks[client.hca.portGUID(1).rawValue, default: []] += mask.luns
            }
        }
    }

    /// A system's persistent reservation key: stable, never 0.
    static func reservationKey(of system: String) -> UInt64 { StableHash.fnv1a64(system + ".reservation-key") | 1 }

    func makeClusterNode(for target: Target, in cluster: ClusterDefinition) -> ClusterNode {
        let name = target.system.definition.name
        let partner = topology.system(named: cluster.partner(of: name)!)!
        var manager = ClusterConnectionManagerConfiguration()
        manager.waitTimeout = cluster.slamConnectTimeout
        // One context per interconnect adapter, shared by the managers that use it.
        var contexts: [any VerbsDeviceContext] = []
        for interconnect in target.system.interconnects {
            do {
                contexts.append(try SimVerbsProvider(adapters: [interconnect.hca]).openDevice(named: interconnect.hca.name))
            } catch {
                preconditionFailure("the interconnect adapter \(interconnect.hca.name) does not open: \(error)")
            }
        }
        let blockLength = ClusterConnectionManager.stateBlockLength(manager)
        var specifications: [ClusterNode.ManagerSpecification] = []
        let definitions = cluster.managers
        for (position, definition) in definitions.enumerated() {
            var interconnects: [ClusterConnectionManager.Interconnect] = []
            for interconnectName in definition.interconnects {
                let index = cluster.interconnects.firstIndex { $0.name == interconnectName }!
                // The managers before this one on the same adapter took its first resources.
                let rank = definitions.prefix(position).count { $0.interconnects.contains(interconnectName) }
                let own = target.system.interconnects[index]
                let other = partner.interconnects[index]
                interconnects.append((
                    contexts[index], 1, Self.endpoint(of: own.hca, on: own.fabric, rank: rank, stateBlockLength: blockLength),
                    Self.endpoint(of: other.hca, on: other.fabric, rank: rank, stateBlockLength: blockLength)))
            }
            let clients = definition.clients.map { ClusterNode.Client(rawValue: $0)! }
            specifications.append(ClusterNode.ManagerSpecification(interconnects: interconnects, clients: clients))
        }
        let monitor = FailoverMonitorConfiguration(heartbeatInterval: cluster.heartbeatInterval, missedHeartbeats: cluster.missedHeartbeats)
        return ClusterNode(
            name: name, runtime: target.system.runtime, uma: target.uma, nvram: target.system.nvram!, managers: specifications,
            managerConfiguration: manager, monitorConfiguration: monitor, mirrorWrites: cluster.mirror,
            consistencyPoint: cluster.consistencyPoint)
    }

    /// The predetermined slam endpoint of `hca` for the manager that is the `rank`-th (from 0) to
    /// use it: its port's LID, and the adapter's (rank+1)-th QP and memory region. The managers
    /// create their slam QP and state block first and in manager order (``ClusterNode/start()``),
    /// so on a fresh adapter the QPN is `firstQueuePairNumber + rank`, the region key's index
    /// `1 + rank` (generation 0: `SimHCA.makeRegion` numbers keys `slot << 8 | generation`, slots
    /// in order from 1), and the address `firstRegionAddress + rank ×` the state block's length
    /// rounded up to 4 KiB (`SimHCA.makeRegion` places regions page-aligned, one after the other).
    static func endpoint(of hca: SimHCA, on fabric: SimulatedFabric, rank: Int = 0,
                         stateBlockLength: Int = 0) -> ClusterEndpoint {
        let lid = fabric.lid(ofAdapter: hca.name) ?? 0
        let stride = (UInt64(stateBlockLength) + 0xfff) & ~0xfff
        return ClusterEndpoint(
            protocolName: "infiniband", address: [UInt8(lid >> 8), UInt8(lid & 0xff)],
            queuePairNumber: SimHCA.firstQueuePairNumber + UInt32(rank), rkey: SimHCA.firstRegionKey + UInt32(rank) << 8,
            stateBlockAddress: SimHCA.firstRegionAddress + UInt64(rank) * stride)
    }
}

/// Watches the HA pairs for reports: the failover monitors' and connection managers' events
/// (the timeline, takeovers, failover and switch times, slam-connect times), and the
/// no-dual-ownership checker on every disk write.
final class ClusterWatch: FailoverMonitorObserver, ClusterConnectionManagerObserver {
    private let topology: SimulatedTopology
    weak var assembly: TargetAssembly?
    let ownership: ShelfOwnershipChecker
    private var nodes: [(system: String, node: ClusterNode, bootedAt: Instant)] = []
    private(set) var timeline: [TimelineEntry] = []
    private(set) var takeovers = 0
    private(set) var givebacks = 0
    private(set) var fencedOut = 0
    private(set) var failoverTime: TimeSpan?
    private(set) var slamConnectTime: TimeSpan?
    private(set) var interconnectSwitchTime: TimeSpan?
    /// Every slam-connect edge taken, in order (tests check them).
    private(set) var slamTransitions: [(system: String, interconnect: Int, transition: SlamConnectTransition, time: Instant)] = []
    private var lastNoted: [(manager: ClusterConnectionManager, interconnect: Int, state: SlamConnectState)] = []
    private var connectedOnce: [ClusterConnectionManager] = []
    /// The last cut of an interconnect, or partition.
    var lastCut: Instant?

    init(topology: SimulatedTopology) {
        self.topology = topology
        ownership = ShelfOwnershipChecker(topology: topology)
    }

    func watch(_ node: ClusterNode, system: String, bootedAt: Instant) {
        nodes.append((system, node, bootedAt))
        node.monitor.observer = self
        for manager in node.managers { manager.observer = self }
    }

    /// Per manager of each system (by position in the cluster's declaration), over all its
    /// boots: times its clients moved to another interconnect, and the longest such move after a cut.
    private(set) var managerSwitches: [(system: String, manager: Int, switches: Int, longest: TimeSpan?)] = []

    /// The system, position and label of `manager`, e.g. `("red", 1, "manager 1")`, and the
    /// interconnect names of its list (its indices are positions in that list).
    private func describe(_ manager: ClusterConnectionManager) -> (system: String, position: Int, label: String, interconnects: [String])? {
        guard let entry = nodes.last(where: { $0.node.managers.contains { $0 === manager } }),
              let position = entry.node.managers.firstIndex(where: { $0 === manager }),
              let cluster = topology.definition.cluster(of: entry.system)
        else { return nil }
        let label = entry.node.managers.count == 1 ? "connection manager" : "connection manager \(position)"
        return (entry.system, position, label, cluster.managers[position].interconnects)
    }

    func servingInterconnectChanged(from: Int?, to: Int?, at time: Instant, manager: ClusterConnectionManager) {
        guard let (system, position, label, names) = describe(manager) else { return }
        let index = managerSwitches.firstIndex { $0.system == system && $0.manager == position } ?? {
            managerSwitches.append((system, position, 0, nil))
            return managerSwitches.count - 1
        }()
        switch (from, to) {
        case (let from?, let to?) where to < from:
            note(system, "\(label): clients back on \(names[to]) (from \(names[from]))", at: time)
        case (let from?, let to?):
            managerSwitches[index].switches += 1
            if let cut = lastCut { managerSwitches[index].longest = Self.longest(managerSwitches[index].longest, time - cut) }
            note(system, "\(label): clients moved from \(names[from]) to \(names[to])", at: time)
        case (nil, let to?):
            note(system, "\(label): clients served on \(names[to])", at: time)
        case (let from?, nil):
            note(system, "\(label): no interconnect up (lost \(names[from]))", at: time)
        case (nil, nil):
            break
        }
    }

    private func system(of monitor: FailoverMonitor) -> String? { nodes.last { $0.node.monitor === monitor }?.system }

    /// The name of the monitor's interconnect `index` (a position in its manager's list).
    private func monitorInterconnect(_ monitor: FailoverMonitor, _ index: Int) -> String {
        guard let node = nodes.last(where: { $0.node.monitor === monitor })?.node, let described = describe(node.manager),
              index < described.interconnects.count
        else { return "\(index)" }
        return described.interconnects[index]
    }

    private func note(_ system: String, _ text: String, at time: Instant) {
        // A crashed node's agents may still unwind a completion as its adapters die: not news.
        guard topology.system(named: system)?.runtime.isHalted != true else { return }
        timeline.append(TimelineEntry(time: time, component: system, kind: .state, text: text))
    }

    private static func longest(_ current: TimeSpan?, _ new: TimeSpan) -> TimeSpan { max(current ?? new, new) }

    func failoverMonitor(_ monitor: FailoverMonitor, reported report: FailoverReport) {
        guard let system = system(of: monitor) else { return }
        switch report {
        case .interconnectUp(let interconnect, let time, let up):
            note(system, "interconnect \(monitorInterconnect(monitor, interconnect)) up (\(up) up)", at: time)
        case .interconnectDown(let interconnect, let time, let up):
            note(system, "interconnect \(monitorInterconnect(monitor, interconnect)) down (\(up) still up)", at: time)
            if up > 0, let cut = lastCut { interconnectSwitchTime = Self.longest(interconnectSwitchTime, time - cut) }
        case .servingOwnShelf(let time):
            note(system, "serving its own shelf", at: time)
            if let target = assembly?.targets.first(where: { $0.system.definition.name == system }) { assembly?.beginSessions(of: target) }
        case .partnerFailed(let time, let lastHeard):
            note(system, "partner declared failed (last heard \(Quantity.text(time - lastHeard)) before)", at: time)
            if monitor.takingOverBothShelves {
                // A double failure: the partner died holding this system's shelf, which the system
                // takes back (its fence and reclaim preempt the partner everywhere): the cluster
                // gives the shelf back to it here.
                note(system, "the partner failed holding this system's shelf: taking over both shelves", at: time)
                for shelf in topology.definition.system(named: system)?.ownedShelves ?? [] {
                    ownership.shelfGivenBack(shelf, to: system)
                }
            }
        case .takeoverSkipped(let time, let reason):
            note(system, "takeover \(reason.isRefusal ? "refused" : "skipped"): \(reason)", at: time)
        case .partnerMirror(let inSync, let time):
            note(system, inSync ? "partner's NVRAM log in sync here" : "partner's NVRAM log no longer in sync here", at: time)
        case .partnerRecovered(let time):
            note(system, "partner heard again", at: time)
        case .takeoverCompleted(let time, let failedAt):
            takeovers += 1
            let partner = topology.definition.cluster(of: system)?.partner(of: system) ?? ""
            // From the partner's crash, or (a partition, a hang) from when it was declared failed
            // less the heartbeat timeout: the last time it was heard.
            let failure = assembly?.crashes.last { $0.system == partner && $0.time <= time }?.time
                ?? (failedAt - (nodes.last { $0.system == system }?.node.monitor.configuration.failureTimeout ?? .zero))
            failoverTime = Self.longest(failoverTime, time - failure)
            note(system, "took over \(partner): its LUNs serve here (failover \(Format.duration(seconds: (time - failure).seconds)))", at: time)
        case .fencedOut(let time):
            fencedOut += 1
            note(system, "fenced out by its partner: stopped serving", at: time)
        case .givebackCompleted(let time, let role):
            if role == .reclaimed {
                givebacks += 1
                for shelf in topology.definition.system(named: system)?.ownedShelves ?? [] {
                    ownership.shelfGivenBack(shelf, to: system)
                }
            }
            note(system, role == .reclaimed ? "giveback: serving its own shelf again" : "giveback: released the partner's shelf", at: time)
        }
    }

    func slamConnectTransition(_ transition: SlamConnectTransition, interconnect: Int, at time: Instant, manager: ClusterConnectionManager) {
        guard let entry = nodes.last(where: { $0.node.managers.contains { $0 === manager } }) else { return }
        // The interconnect as the cluster numbers it (a manager's indices are positions in its list).
        let described = describe(manager)
        let name = described?.interconnects[interconnect] ?? "\(interconnect)"
        let clusterIndex = topology.definition.cluster(of: entry.system)?.interconnects.firstIndex { $0.name == name } ?? interconnect
        slamTransitions.append((entry.system, clusterIndex, transition, time))
        guard transition.to == .connected || transition.to == .error else { return }
        // One line per change: a retry loop against a dead link repeats Error every retry delay.
        let previous = lastNoted.firstIndex { $0.manager === manager && $0.interconnect == interconnect }
        if let previous, lastNoted[previous].state == transition.to { return }
        if let previous { lastNoted[previous].state = transition.to } else { lastNoted.append((manager, interconnect, transition.to)) }
        if transition.to == .connected {
            // From this node's boot to its first Connected (a reconnection after the partner's
            // reboot is not a slam connect of this boot).
            if !connectedOnce.contains(where: { $0 === manager }) {
                connectedOnce.append(manager)
                slamConnectTime = Self.longest(slamConnectTime, time - entry.bootedAt)
            }
            note(entry.system, "slam connect: Connected on interconnect \(interconnectText(name, described))", at: time)
        } else {
            note(entry.system, "slam connect: Error on interconnect \(interconnectText(name, described))", at: time)
        }
    }

    func clusterConnectionsReady(interconnect: Int, connections: Int, at time: Instant, manager: ClusterConnectionManager) {}

    /// `ic0`, or `ic0 (connection manager 1)` when the node has several managers.
    private func interconnectText(_ name: String, _ described: (system: String, position: Int, label: String, interconnects: [String])?) -> String {
        guard let described, described.label != "connection manager" else { return name }
        return "\(name) (\(described.label))"
    }

    /// Problems the coordinators ran into.
    var problems: [String] { nodes.flatMap(\.node.problems) }

    func addMetrics(to metrics: inout RunMetrics) {
        metrics.setCount("takeovers", takeovers)
        metrics.setCount("givebacks", givebacks)
        metrics.setCount("fencedOut", fencedOut)
        metrics.setCount("dualOwnership", ownership.violations)
        if let failoverTime { metrics.setDuration("failoverTime", failoverTime) }
        if let slamConnectTime { metrics.setDuration("slamConnectTime", slamConnectTime) }
        if let interconnectSwitchTime { metrics.setDuration("interconnectSwitchTime", interconnectSwitchTime) }
        // Per manager, with several: "<system>.manager<N>.interconnectSwitches" and, after a cut,
        // "<system>.manager<N>.interconnectSwitchTime".
        for entry in managerSwitches where topology.definition.cluster(of: entry.system)?.connectionManagers.count ?? 0 > 1 {
            let key = "\(entry.system).manager\(entry.manager)."
            metrics.setCount(key + "interconnectSwitches", entry.switches)
            if let longest = entry.longest { metrics.setDuration(key + "interconnectSwitchTime", longest) }
        }
    }
}
