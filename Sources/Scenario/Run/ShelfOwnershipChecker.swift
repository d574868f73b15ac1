import SimCore
import SimHardware
import Timebase

/// The "no dual ownership" checker: watches every write every disk executes and which storage
/// system's controller port issued it.
///
/// On each shelf, writes may move from one system to another (a takeover), and back only after
/// the cluster declared a giveback of that shelf. A write from a system that has lost the shelf
/// to another writer, with no giveback since, is a violation: both nodes wrote the same shelf.
final class ShelfOwnershipChecker: DiskWriteObserver {
    struct Handover: Sendable {
        var shelf: String
        var from: String
        var to: String
        var time: Instant
    }

    private struct ShelfState {
        var writer: String?
        /// Systems that lost the shelf to another writer (and have not had it given back).
        var retired: [String] = []
    }

    private let simulator: Simulator
    /// Initiator → system, and disk → shelf index: looked up on every write, never iterated.
    private let systemOfInitiator: [InitiatorID: String]
    private var shelfOfDisk: [ObjectIdentifier: Int] = [:]
    private var shelfNames: [String] = []
    private var states: [ShelfState] = []
    private(set) var handovers: [Handover] = []
    private(set) var violations = 0
    private(set) var firstViolation: String?

    init(topology: SimulatedTopology) {
        simulator = topology.simulator
        var map: [InitiatorID: String] = [:]
        for system in topology.definition.systems {
            for node in system.storageNodes {
                for controller in node.controllers {
                    for loop in controller.loops {
                        map[SimulatedTopology.initiatorID(controller: node.fullName + "." + controller.name, loop: loop)] = system.name
                    }
                }
            }
        }
        systemOfInitiator = map
        for shelf in topology.shelves {
            for disk in shelf.disks {
                shelfOfDisk[ObjectIdentifier(disk)] = shelfNames.count
                disk.writeObserver = self
            }
            shelfNames.append(shelf.definition.name)
            states.append(ShelfState())
        }
    }

    func disk(_ disk: SimDisk, wrote lba: UInt64, blocks: Int, for initiator: InitiatorID) {
        guard let writer = systemOfInitiator[initiator], let index = shelfOfDisk[ObjectIdentifier(disk)] else { return }  // a standalone node's write: not a cluster's concern
        var state = states[index]
        defer { states[index] = state }
        guard let current = state.writer else {
            state.writer = writer
            return
        }
        guard current != writer else { return }
        if state.retired.contains(writer) {
            violations += 1
            if firstViolation == nil {
                firstViolation = "\(disk.name) LBA \(lba): \(writer) wrote at \(simulator.now) after \(current) had taken shelf \(shelfNames[index]) over"
            }
            return
        }
        handovers.append(Handover(shelf: shelfNames[index], from: current, to: writer, time: simulator.now))
        state.retired.append(current)
        state.writer = writer
    }

    /// The cluster gave `shelf` back to `system`: it may write there again.
    func shelfGivenBack(_ shelf: String, to system: String) {
        guard let index = shelfNames.firstIndex(of: shelf) else { return }
        states[index].retired.removeAll { $0 == system }
    }
}
