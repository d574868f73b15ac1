import Reports
import SimCore
import SimHardware
import Timebase

/// A scenario's fault schedule on the simulator: every entry's time resolved (a `window`
/// drawn from the run's seed, in file order), its repair after `for` added, and each action
/// applied to its component by an event of this schedule's own, so faults are ordered and
/// digested like everything else.
struct FaultSchedule {
    struct Entry {
        var time: Instant
        var action: FaultDefinition.Action
        var fault: FaultDefinition
        /// The fault's place in the file's schedule.
        var faultIndex: Int
        /// A repair scheduled by the fault's `for`.
        var isRepair: Bool
    }

    private let definition: ScenarioDefinition
    private let topology: SimulatedTopology
    private let simulator: Simulator
    private(set) var entries: [Entry] = []

    /// With `healAt` (the start of a liveness phase), every fault still in effect then is
    /// repaired then, in schedule order, and repairs its `for` would have made later are dropped;
    /// faults without a repair (a disk that died, a failed adapter) stay.
    init(definition: ScenarioDefinition, topology: SimulatedTopology, simulator: Simulator, healAt: Instant? = nil) {
        self.definition = definition
        self.topology = topology
        self.simulator = simulator
        var random = simulator.randomStream(for: "scenario.faults")
        for (index, fault) in definition.faults.enumerated() {
            let time: Instant
            switch fault.timing! {
            case .at(let at):
                time = .zero + at
            case .window(let earliest, let latest):
                let span = UInt64(latest.picoseconds - earliest.picoseconds)
                time = .zero + earliest + TimeSpan(picoseconds: Int64(span == 0 ? 0 : random.below(span + 1)))
            }
            entries.append(Entry(time: time, action: fault.action, fault: fault, faultIndex: index, isRepair: false))
            if let heal = fault.duration, let repair = fault.action.repair {
                entries.append(Entry(time: time + heal, action: repair, fault: fault, faultIndex: index, isRepair: true))
            }
        }
        if let healAt { heal(at: healAt) }
    }

    /// The liveness phase's start: repairs every fault not repaired by then.
    private mutating func heal(at instant: Instant) {
        entries.removeAll { $0.isRepair && $0.time > instant }
        var heals: [Entry] = []
        for entry in entries.enumerated().sorted(by: { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }).map(\.element)
            where !entry.isRepair {
            guard let repair = entry.action.repair else { continue }
            let repaired = entries.contains { other in
                // Its own `for` repair, or a later fault in the file that undoes it (a `linkUp` after a `linkDown`).
                other.time >= entry.time && other.action == repair && other.fault.target == entry.fault.target
                    && (other.isRepair ? other.faultIndex == entry.faultIndex : other.action != entry.action)
            }
            if !repaired {
                heals.append(Entry(time: instant, action: repair, fault: entry.fault, faultIndex: entry.faultIndex, isRepair: true))
            }
        }
        entries += heals
    }

    /// Registers the applier and schedules every entry. `systems` crashes and reboots storage
    /// systems (it owns their agents).
    mutating func install(systems: (any SystemFaultHandling)?) {
        let applier = FaultApplier(entries: entries, topology: topology, systems: systems)
        let id = simulator.register(applier, name: "scenario.faults")
        for (index, entry) in entries.enumerated() {
            simulator.schedule(FaultApplier.apply, for: id, at: entry.time, payload: UInt64(index))
        }
    }

    /// The faults as the report's timeline shows them.
    var timeline: [TimelineEntry] {
        entries.map { entry in
            TimelineEntry(time: entry.time, component: entry.fault.target, kind: .fault, text: Self.describe(entry))
        }
    }

    static func describe(_ entry: Entry) -> String {
        let fault = entry.fault
        var text = "\(entry.action.rawValue) \(fault.target)"
        if entry.action == .swizzleClog {
            return text + (entry.isRepair
                ? ": unclog (after \(Quantity.text(fault.duration!)))"
                : ": clog \(fault.fraction) of the links, \(Quantity.text(fault.step)) apart")
        }
        if entry.isRepair {
            return text + (fault.duration.map { " (after \(Quantity.text($0)))" } ?? " (healed for the liveness phase)")
        }
        if let factor = fault.factor { text += " ×\(factor)" }
        if let probability = fault.probability { text += " p=\(probability)" }
        if let lba = fault.lba { text += " LBA \(lba)+\(fault.blocks)" }
        return text
    }
}

/// What crashes and reboots a storage system: whoever owns its agents.
protocol SystemFaultHandling: AnyObject {
    /// The system crashes: its agents stop at once, its adapters die, its controllers are reset;
    /// its NVRAM keeps its contents.
    func crash(system: String)
    /// The crashed system boots again: fresh agents on its devices.
    func reboot(system: String)
    /// Any fault was just applied (for failover and switch times).
    func faultApplied(_ action: FaultDefinition.Action, target: String)
}

/// The component that applies scheduled faults when their events come due.
private final class FaultApplier: SimComponent {
    static let apply = EventKind(rawValue: 1)
    let entries: [FaultSchedule.Entry]
    let topology: SimulatedTopology
    weak var systems: (any SystemFaultHandling)?
    /// The swizzle-clogs under way, by fault index (looked up, never iterated).
    private var swizzles: [Int: SwizzleClog] = [:]

    init(entries: [FaultSchedule.Entry], topology: SimulatedTopology, systems: (any SystemFaultHandling)?) {
        self.entries = entries
        self.topology = topology
        self.systems = systems
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let entry = entries[Int(event.payload)]
        let fault = entry.fault
        defer { systems?.faultApplied(entry.action, target: fault.target) }
        switch entry.action.targetKind {
        case .disk:
            let disk = topology.disk(named: fault.target)!
            let shelfName = String(fault.target.split(separator: ".").first!)
            let shelf = topology.shelf(named: shelfName)!
            let bay = shelf.disks.firstIndex { $0 === disk }!
            switch entry.action {
            case .diskFail: disk.apply(.kill)
            case .diskSlow: disk.apply(.slow(factor: entry.isRepair ? 1 : fault.factor!))
            case .diskPull:
                disk.apply(.pull)
                shelf.shelf.pull(bay: bay)
            case .diskInsert:
                shelf.shelf.reinsert(bay: bay)
                disk.apply(.insert)
            case .diskPowerLoss: disk.apply(.losePower)
            case .diskPowerRestore: disk.apply(.restorePower)
            case .diskMediaError:
                let first = UInt64(fault.lba!)
                disk.apply(.mediaError(lbas: first..<first + UInt64(fault.blocks)))
            default: preconditionFailure("\(entry.action) is not a disk action")
            }
        case .loop:
            let loop = LoopReference(fault.target)!
            let shelf = topology.shelf(named: loop.shelf)!.shelf
            let side: DrivePort = loop.side == .a ? .a : .b
            if entry.action == .loopFail { shelf.failLoop(side) } else { shelf.repairLoop(side) }
        case .pciBus:
            let (bus, masters) = topology.pciBus(named: fault.target)!
            if entry.action == .pciErrors, let probability = fault.probability {
                // Parity errors (PCI 2.x PERR#) on that share of the transactions: of every master,
                // or on a storage system's bus of the agents' endpoints only (CTA⇄RTA messages and
                // their DMA; the adapter's own transactions are spared: that is hcaFail).
                let share = UInt64((probability * 1_000_000).rounded())
                bus.setFaults(masters.map { masters in
                    masters.map { PCIFaultRule(.parityError, master: $0, probability: share, in: 1_000_000) }
                } ?? [PCIFaultRule(.parityError, probability: share, in: 1_000_000)])
            } else {
                bus.setFaults([])
            }
        case .adapter:
            // hcaFail: the adapter dies (ports down, QPs to error, verbs calls fail); it stays dead.
            topology.adapter(named: fault.target)!.fail()
        case .link:
            let (fabric, cable) = topology.cable(ofAdapter: fault.target)!
            fabric.apply(Self.fabricAction(entry), to: cable, now: simulator.now)
        case .switch:
            let (fabric, name) = topology.fabricSwitch(named: fault.target)!
            fabric.apply(entry.action == .switchFail ? .switchFailure : .switchRecovery, to: name, now: simulator.now)
        case .system:
            guard let systems else { preconditionFailure("a system fault without a system handler") }
            if entry.action == .nodeCrash { systems.crash(system: fault.target) } else { systems.reboot(system: fault.target) }
        case .interconnect:
            cut(interconnect: fault.target, entry.action == .interconnectCut, now: simulator.now)
        case .cluster:
            for interconnect in topology.definition.clusters.first(where: { $0.name == fault.target })!.interconnects {
                cut(interconnect: interconnect.name, entry.action == .partition, now: simulator.now)
            }
        case .fabric:
            let fabric = topology.fabrics.first { $0.definition.name == fault.target }!
            if entry.isRepair {
                swizzles[entry.faultIndex]!.unclog(fabric, now: simulator.now, simulator: simulator)
            } else {
                swizzles[entry.faultIndex] = SwizzleClog(fault, index: entry.faultIndex, fabric: fabric, simulator: simulator)
            }
        }
    }

    private func cut(interconnect: String, _ down: Bool, now: Instant) {
        let fabric = topology.fabrics.first { $0.definition.name == interconnect }!
        // An interconnect is two adapters back to back: its fabric has one cable.
        fabric.apply(down ? .linkDown : .linkUp, to: fabric.cables[0], now: now)
    }

    /// The fabric action of a link fault entry.
    private static func fabricAction(_ entry: FaultSchedule.Entry) -> FabricFault.Action {
        let fault = entry.fault
        switch entry.action {
        case .linkDown: return .linkDown
        case .linkUp: return .linkUp
        case .clearLinkFaults: return .clearLinkFaults
        case .packetDelay: return .addedDelay(fault.delay!)
        case .packetLoss, .packetCorruption:
            let share = UInt64((fault.probability! * 1_000_000).rounded())
            return entry.action == .packetLoss
                ? .loss(numerator: share, denominator: 1_000_000) : .corruption(numerator: share, denominator: 1_000_000)
        default: preconditionFailure("\(entry.action) is not a link action")
        }
    }
}
