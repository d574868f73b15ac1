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
        /// A repair scheduled by the fault's `for`.
        var isRepair: Bool
    }

    private let definition: ScenarioDefinition
    private let topology: SimulatedTopology
    private let simulator: Simulator
    private(set) var entries: [Entry] = []

    init(definition: ScenarioDefinition, topology: SimulatedTopology, simulator: Simulator) {
        self.definition = definition
        self.topology = topology
        self.simulator = simulator
        var random = simulator.randomStream(for: "scenario.faults")
        for fault in definition.faults {
            let time: Instant
            switch fault.timing! {
            case .at(let at):
                time = .zero + at
            case .window(let earliest, let latest):
                let span = UInt64(latest.picoseconds - earliest.picoseconds)
                time = .zero + earliest + TimeSpan(picoseconds: Int64(span == 0 ? 0 : random.below(span + 1)))
            }
            entries.append(Entry(time: time, action: fault.action, fault: fault, isRepair: false))
            if let heal = fault.duration, let repair = fault.action.repair {
                entries.append(Entry(time: time + heal, action: repair, fault: fault, isRepair: true))
            }
        }
    }

    /// Registers the applier and schedules every entry.
    mutating func install() {
        let applier = FaultApplier(entries: entries, topology: topology)
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
        if entry.isRepair { return text + " (after \(Quantity.text(fault.duration!)))" }
        if let factor = fault.factor { text += " ×\(factor)" }
        if let probability = fault.probability { text += " p=\(probability)" }
        if let lba = fault.lba { text += " LBA \(lba)+\(fault.blocks)" }
        return text
    }
}

/// The component that applies scheduled faults when their events come due.
private final class FaultApplier: SimComponent {
    static let apply = EventKind(rawValue: 1)
    let entries: [FaultSchedule.Entry]
    let topology: SimulatedTopology

    init(entries: [FaultSchedule.Entry], topology: SimulatedTopology) {
        self.entries = entries
        self.topology = topology
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let entry = entries[Int(event.payload)]
        let fault = entry.fault
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
        case .switch, .link:
            preconditionFailure("link and switch faults are refused before the run")
        }
    }
}
