import Hardware
import SimCore
import SimHardware
import Timebase

/// A scenario's topology built from simulated devices on one ``Simulator``: storage nodes
/// (runtime, PCI bus, NVRAM, I/O controllers), shelves of disks on their A and B loops.
///
/// Names follow the scenario: node `red`, its bus `red.pci`, controller `red.hba0`, shelf
/// `shelf0`, its loops `shelf0.A` / `shelf0.B`, disk `shelf0.bay3`.
final class SimulatedTopology {
    let simulator: Simulator
    let definition: TopologyDefinition

    struct Node {
        let definition: NodeDefinition
        let runtime: SimNodeRuntime
        let bus: PCIBus
        let nvram: SimNVRAM?
        /// Controllers by the scenario's order, with the loop each port is on.
        let controllers: [(controller: IOController, loops: [LoopReference])]
    }

    struct Shelf {
        let definition: ShelfDefinition
        let shelf: DiskShelf
        let disks: [SimDisk]
    }

    private(set) var nodes: [Node] = []
    private(set) var shelves: [Shelf] = []

    init(_ definition: TopologyDefinition, simulator: Simulator) throws(ScenarioBuildError) {
        self.simulator = simulator
        self.definition = definition
        if let fabric = definition.fabrics.first {
            throw ScenarioBuildError(path: fabric.path, message: "fabrics, adapters and clients are not yet runnable (issue #7 continues); validate accepts them, run does not")
        }
        if let client = definition.clients.first {
            throw ScenarioBuildError(path: client.path, message: "clients are not yet runnable (issue #7 continues)")
        }
        if let node = definition.nodes.first(where: { !$0.hcas.isEmpty }) {
            throw ScenarioBuildError(path: node.path + ".hcas", message: "adapters on storage nodes are not yet runnable (issue #7 continues)")
        }
        for shelf in definition.shelves { shelves.append(Self.build(shelf, simulator: simulator)) }
        for node in definition.nodes { nodes.append(build(node)) }
    }

    private static func build(_ definition: ShelfDefinition, simulator: Simulator) -> Shelf {
        let speed: FibreChannelSpeed = definition.loopRate == "1GFC" ? .oneGFC : .twoGFC
        let shelf = DiskShelf(
            name: definition.name, bayCount: definition.bays,
            loopConfiguration: FibreChannelLoopConfiguration(speed: speed), simulator: simulator)
        var disks: [SimDisk] = []
        for disk in definition.disks {
            let name = definition.diskName(bay: disk.bay)
            let hash = StableHash.fnv1a64(name)
            let drive = SimDisk(
                name: name, model: Self.model(named: disk.model), simulator: simulator,
                serialNumber: "IOF" + String(hash % 100_000_000, radix: 10),
                // NAA 5 (IEEE registered) with a made-up OUI, so every disk's WWN is unique and stable.
                worldWideName: 0x5000_0000_0000_0000 | (hash & 0x0FFF_FFFF_FFFF_FFFF), writeCacheEnabled: disk.writeCache)
            shelf.install(drive, inBay: disk.bay)
            disks.append(drive)
        }
        return Shelf(definition: definition, shelf: shelf, disks: disks)
    }

    static func model(named name: String) -> DiskModel {
        switch name {
        case "atlas10K": .atlas10K
        case "cheetah15K": .cheetah15K
        case "barracudaATA4": .barracudaATA4
        default: preconditionFailure("unchecked disk model \(name)")
        }
    }

    private func build(_ definition: NodeDefinition) -> Node {
        let runtime = SimNodeRuntime(nodeName: definition.name, simulator: simulator)
        let bus = PCIBus(
            name: definition.name + ".pci", configuration: definition.pciBus == "pci64at66" ? .pci64at66 : .pci32at33,
            simulator: simulator)
        let nvram = definition.nvramBytes > 0 ? SimNVRAM(name: definition.name + ".nvram", capacity: Int(definition.nvramBytes)) : nil
        var controllers: [(IOController, [LoopReference])] = []
        for controller in definition.controllers {
            let name = definition.name + "." + controller.name
            let device = IOController(
                name: name, configuration: controller.kind == .ataController ? .ataController : .scsiHBA, bus: bus,
                simulator: simulator)
            for loop in controller.loops {
                let shelf = shelves.first { $0.definition.name == loop.shelf }!.shelf
                device.attach(
                    to: shelf.loop(loop.side == .a ? .a : .b), portName: "port" + loop.side.rawValue,
                    initiator: InitiatorID(rawValue: StableHash.fnv1a64(name + "." + loop.description)))
            }
            controllers.append((device, controller.loops))
        }
        return Node(definition: definition, runtime: runtime, bus: bus, nvram: nvram, controllers: controllers)
    }

    // MARK: - Lookups

    func node(named name: String) -> Node? { nodes.first { $0.definition.name == name } }

    func disk(named name: String) -> SimDisk? {
        for shelf in shelves { if let disk = shelf.disks.first(where: { $0.name == name }) { return disk } }
        return nil
    }

    func shelf(named name: String) -> Shelf? { shelves.first { $0.definition.name == name } }

    /// The SCSI generic device through which `node` reaches `diskName`: through its first
    /// controller on a loop of the disk's shelf (loop A before B, as listed).
    func path(from node: Node, to diskName: String) -> (any SCSIGenericDevice)? {
        guard let shelfName = diskName.split(separator: ".").first.map(String.init), let shelf = shelf(named: shelfName),
            let bay = shelf.disks.firstIndex(where: { $0.name == diskName })
        else { return nil }
        for (controller, loops) in node.controllers {
            for (port, loop) in loops.enumerated() where loop.shelf == shelfName {
                return controller.scsiDevice(port: port, devicePort: shelf.shelf.loopPort(bay: bay, loop.side == .a ? .a : .b))
            }
        }
        return nil
    }

    /// The disks a workload names (`"shelf0"`, `"shelf0.bay3"`), or every disk `node` reaches.
    func diskNames(for workload: WorkloadDefinition, node: Node) -> [String] {
        let reachable = Set(node.controllers.flatMap { $0.loops.map(\.shelf) })
        guard let names = workload.disks else {
            return shelves.filter { reachable.contains($0.definition.name) }.flatMap { $0.disks.map(\.name) }
        }
        return names.flatMap { name in shelf(named: name).map { $0.disks.map(\.name) } ?? [name] }
    }
}

/// A valid scenario that cannot be built (a part not yet runnable).
struct ScenarioBuildError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message)" }
}
