import SimCore
import Timebase

/// The subnet manager (SM) of an ``InfiniBandFabric``, running on one endpoint's CA port.
///
/// A *sweep* discovers the subnet reachable from the SM's port over links that are up
/// (breadth-first, ports in increasing number: a deterministic order), assigns LIDs 1, 2, …
/// in that order to nodes that have none (LIDs already given are kept, as OpenSM keeps them
/// in its guid2lid cache), programs min-hop routes into every reachable switch's linear
/// forwarding table, sets the SM LID and moves the ports INIT → ACTIVE (endpoints are told
/// with ``NetworkEndpoint/networkPortChanged()``). The tables and states take effect at the
/// end of the sweep, on the topology as it is then.
///
/// **Min-hop tie-break** (as OpenSM's minhop engine balances): among a switch's ports on a
/// shortest path to a destination, the one that carries the fewest endpoint LIDs so far, then
/// the lowest port number; destinations are taken in LID order.
///
/// **Timing.** SMPs are not sent as VL15 packets: a sweep costs a computed delay,
/// `⌈SMPs / maxOutstandingSMPs⌉ × smpRoundTrip` (``SubnetManagerConfiguration``), where a
/// heavy sweep sends, per reachable switch, NodeInfo + SwitchInfo + one PortInfo per port
/// (discovery) and one PortInfo Set per connected port and for port 0 plus one
/// LinearForwardingTable block per 64 LIDs (configuration); per reachable CA port, NodeInfo +
/// PortInfo (discovery) and a PortInfo Set. A port that changes state makes the switch next
/// to it send a trap, which reaches the SM after ``SubnetManagerConfiguration/trapDelay``;
/// the SM then sweeps (once more after the current sweep if one is running). The outage of a
/// failure is the time from the failure to the end of the first sweep that started after it
/// (routes reprogrammed), reported in ``statistics``.
public final class SubnetManager: SimComponent {
    public let name: String
    public let configuration: SubnetManagerConfiguration
    unowned let fabric: InfiniBandFabric
    let port: Int32
    private let simulator: Simulator
    private var id = ComponentID(index: 0)
    private var sweeping = false
    private var sweepStarted = Instant.zero
    private var resweepRequested = false
    /// Failures not yet covered by a sweep that started after them, in time order.
    private var unresolvedFailures: [Instant] = []

    /// What the SM has done.
    public private(set) var statistics = SubnetManagerStatistics()

    private static let trapArrived = EventKind(rawValue: 0)
    private static let sweepDone = EventKind(rawValue: 1)

    init(name: String, fabric: InfiniBandFabric, port: Int32, configuration: SubnetManagerConfiguration, simulator: Simulator) {
        precondition(configuration.maxOutstandingSMPs >= 1 && configuration.smpRoundTrip >= .zero)
        self.name = name
        self.fabric = fabric
        self.port = port
        self.configuration = configuration
        self.simulator = simulator
        id = simulator.register(self, name: name)
    }

    /// The first sweep, when the fabric starts.
    func start() {
        beginSweep()
    }

    /// A port changed state (called by the fabric at the change): a trap is on its way.
    func portStateChanged(failure: Bool) {
        if failure { unresolvedFailures.append(simulator.now) }
        statistics.traps += 1
        simulator.schedule(Self.trapArrived, for: id, after: configuration.trapDelay)
    }

    /// The time a sweep of the subnet as it is now would take, and its SMP count.
    public func sweepCost() -> (duration: TimeSpan, smps: Int) {
        let smps = fabric.sweepSMPCount(from: port)
        let rounds = (smps + configuration.maxOutstandingSMPs - 1) / configuration.maxOutstandingSMPs
        return (configuration.smpRoundTrip * Int64(rounds), smps)
    }

    private func beginSweep() {
        sweeping = true
        sweepStarted = simulator.now
        let cost = sweepCost()
        statistics.smps += cost.smps
        simulator.schedule(Self.sweepDone, for: id, after: cost.duration)
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.trapArrived:
            let changed = simulator.now - configuration.trapDelay
            if sweeping {
                if changed > sweepStarted { resweepRequested = true }  // this sweep may have missed it
            } else {
                beginSweep()
            }
        case Self.sweepDone:
            fabric.applySweep(from: port)
            statistics.sweeps += 1
            statistics.lastSweepDuration = simulator.now - sweepStarted
            let resolved = unresolvedFailures.prefix { $0 <= sweepStarted }
            if let first = resolved.first {
                let outage = simulator.now - first
                statistics.outages.append(outage)
                unresolvedFailures.removeFirst(resolved.count)
            }
            sweeping = false
            if resweepRequested || !unresolvedFailures.isEmpty {
                resweepRequested = false
                beginSweep()
            }
        default:
            preconditionFailure("unexpected event \(event.kind) for subnet manager \(name)")
        }
    }
}

/// What a subnet manager has done.
public struct SubnetManagerStatistics: Sendable, Equatable {
    /// Sweeps completed (the first one included).
    public var sweeps = 0
    /// SMPs the sweeps sent (as modelled).
    public var smps = 0
    /// Traps received from switches (port state changes).
    public var traps = 0
    /// Duration of the last sweep.
    public var lastSweepDuration = TimeSpan.zero
    /// For each failure resolved by a sweep: the time from the failure to routes reprogrammed.
    public var outages: [TimeSpan] = []

    /// The longest outage.
    public var maxOutage: TimeSpan? { outages.max() }
}
