import Hardware
import SimCore
import SimHardware
import Timebase

/// A scenario's topology built from simulated devices on one ``Simulator``: fabrics; standalone
/// storage nodes (runtime, PCI bus, NVRAM, I/O controllers); storage systems (a host storage node
/// with its adapter on the system's PCI bus, and storage nodes on that bus through a ``NodeBus``,
/// each with its own bus for its controllers); clients (an adapter on a fabric); shelves of disks
/// on their A and B loops. Agents are not started here (``TargetAssembly`` does that).
///
/// Names follow the scenario: node `red`, its bus `red.pci`, controller `red.hba0`; system
/// `blue`, its bus `blue.pci`, adapter `blue.hca0`, storage node `blue.sn0` with bus
/// `blue.sn0.pci` and controller `blue.sn0.hba0`; client `c0` with adapter `c0.hca0`; shelf
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

    /// A storage node of a system: its RTA's runtime and bus endpoint, its own bus and controllers.
    struct StorageNode {
        let definition: StorageNodeDefinition
        let runtime: SimNodeRuntime
        let bus: PCIBus
        let channel: SimBusChannel
        let controllers: [(controller: IOController, loops: [LoopReference])]
    }

    struct System {
        let definition: SystemDefinition
        /// The host storage node's runtime (UMA, CTA, TTS).
        let runtime: SimNodeRuntime
        let bus: PCIBus
        let nodeBus: NodeBus
        let hostChannel: SimBusChannel
        let hca: SimHCA
        let fabric: SimulatedFabric
        let nvram: SimNVRAM?
        let storageNodes: [StorageNode]
        /// Its cluster interconnect adapters (`red.ic0`), in the cluster's order; empty outside a cluster.
        var interconnects: [(name: String, hca: SimHCA, fabric: SimulatedFabric)] = []

        /// Every adapter of the system: the client-facing one, then the interconnects'.
        var adapters: [SimHCA] { [hca] + interconnects.map(\.hca) }
        /// Every runtime of the system: the host storage node's, then its storage nodes'.
        var runtimes: [SimNodeRuntime] { [runtime] + storageNodes.map(\.runtime) }
    }

    struct Client {
        let definition: ClientDefinition
        let runtime: SimNodeRuntime
        let bus: PCIBus?
        let hca: SimHCA
        let fabric: SimulatedFabric
    }

    struct Shelf {
        let definition: ShelfDefinition
        let shelf: DiskShelf
        let disks: [SimDisk]
    }

    private(set) var nodes: [Node] = []
    private(set) var systems: [System] = []
    private(set) var clients: [Client] = []
    private(set) var shelves: [Shelf] = []
    private(set) var fabrics: [SimulatedFabric] = []

    init(_ definition: TopologyDefinition, simulator: Simulator) throws(ScenarioBuildError) {
        self.simulator = simulator
        self.definition = definition
        if let node = definition.nodes.first(where: { !$0.hcas.isEmpty }) {
            throw ScenarioBuildError(path: node.path + ".hcas", message: "adapters on standalone storage nodes are not yet runnable (issue #7 continues); put the adapter on a storage system")
        }
        if let system = definition.systems.first(where: { $0.hcas.count > 1 }) {
            throw ScenarioBuildError(path: system.hcas[1].path, message: "a storage system's second adapter is not yet runnable (its TTS uses the first)")
        }
        for shelf in definition.shelves { shelves.append(Self.build(shelf, simulator: simulator)) }
        for node in definition.nodes { nodes.append(build(node)) }
        do {
            for fabric in definition.fabrics { fabrics.append(try SimulatedFabric(fabric, simulator: simulator)) }
            for system in definition.systems { systems.append(try build(system)) }
            for cluster in definition.clusters { try buildInterconnects(of: cluster) }
            for client in definition.clients { clients.append(try build(client)) }
            for fabric in fabrics { try fabric.start() }
        } catch {
            throw ScenarioBuildError(path: "topology.fabrics", message: "the fabric cannot be built: \(error)")
        }
    }

    private static func busConfiguration(_ name: String) -> PCIBusConfiguration {
        name == "pci64at66" ? .pci64at66 : .pci32at33
    }

    private func fabric(named name: String) -> SimulatedFabric { fabrics.first { $0.definition.name == name }! }

    private func build(_ definition: SystemDefinition) throws(FabricError) -> System {
        let runtime = SimNodeRuntime(nodeName: definition.name, simulator: simulator)
        let bus = PCIBus(name: definition.name + ".pci", configuration: Self.busConfiguration(definition.pciBus), simulator: simulator)
        let nodeBus = NodeBus(name: definition.name + ".bus", pciBus: bus, simulator: simulator)
        let hostChannel = nodeBus.attach(endpoint: "host", runtime: runtime)
        let hcaDefinition = definition.hcas[0]
        let hca = SimHCA(
            name: definition.name + "." + hcaDefinition.name, guid: GUID(rawValue: StableHash.fnv1a64(definition.name + "." + hcaDefinition.name)),
            host: .pci(bus), simulator: simulator)
        let fabric = fabric(named: hcaDefinition.attachment.fabric)
        try fabric.attach(hca, switchName: hcaDefinition.attachment.switchName)
        let nvram = definition.nvramBytes > 0 ? SimNVRAM(name: definition.name + ".nvram", capacity: Int(definition.nvramBytes)) : nil
        var storageNodes: [StorageNode] = []
        for node in definition.storageNodes {
            let nodeRuntime = SimNodeRuntime(nodeName: node.fullName, simulator: simulator)
            let nodeBusSecondary = PCIBus(name: node.fullName + ".pci", configuration: Self.busConfiguration(node.pciBus), simulator: simulator)
            storageNodes.append(StorageNode(
                definition: node, runtime: nodeRuntime, bus: nodeBusSecondary,
                channel: nodeBus.attach(endpoint: node.name, runtime: nodeRuntime),
                controllers: buildControllers(node.controllers, prefix: node.fullName, bus: nodeBusSecondary)))
        }
        return System(
            definition: definition, runtime: runtime, bus: bus, nodeBus: nodeBus, hostChannel: hostChannel, hca: hca, fabric: fabric,
            nvram: nvram, storageNodes: storageNodes)
    }

    /// Per interconnect a fabric named after it, and on each partner's bus an adapter
    /// `<system>.<interconnect>` cabled back to back to the other's.
    private func buildInterconnects(of cluster: ClusterDefinition) throws(FabricError) {
        for interconnect in cluster.interconnects {
            let definition = FabricDefinition(interconnect: interconnect.name, path: interconnect.path)
            let fabric = try SimulatedFabric(definition, simulator: simulator)
            fabrics.append(fabric)
            for systemName in cluster.systems {
                let index = systems.firstIndex { $0.definition.name == systemName }!
                let name = systemName + "." + interconnect.name
                let hca = SimHCA(
                    name: name, guid: GUID(rawValue: StableHash.fnv1a64(name)), host: .pci(systems[index].bus), simulator: simulator)
                try fabric.attach(hca, switchName: nil)
                systems[index].interconnects.append((interconnect.name, hca, fabric))
            }
        }
    }

    private func build(_ definition: ClientDefinition) throws(FabricError) -> Client {
        let runtime = SimNodeRuntime(nodeName: definition.name, simulator: simulator)
        let bus = definition.pciBus == "ideal"
            ? nil : PCIBus(name: definition.name + ".pci", configuration: Self.busConfiguration(definition.pciBus), simulator: simulator)
        let name = definition.name + ".hca0"
        let hca = SimHCA(
            name: name, guid: GUID(rawValue: StableHash.fnv1a64(name)), host: bus.map { .pci($0) } ?? .ideal(latency: .zero),
            simulator: simulator)
        let fabric = fabric(named: definition.attachment.fabric)
        try fabric.attach(hca, switchName: definition.attachment.switchName)
        return Client(definition: definition, runtime: runtime, bus: bus, hca: hca, fabric: fabric)
    }

    private static func build(_ definition: ShelfDefinition, simulator: Simulator) -> Shelf {
        let speed: FibreChannelSpeed = definition.loopRate == "1GFC" ? .oneGFC : .twoGFC
        let shelf = DiskShelf(
            name: definition.name, bayCount: definition.bays,
            loopConfiguration: FibreChannelLoopConfiguration(speed: speed), simulator: simulator)
        var disks: [SimDisk] = []
        let models = definition.diskGroups.flatMap { group in
            Array(repeating: group.calibratedModel ?? Self.model(named: group.model), count: group.count)
        }
        for disk in definition.disks {
            let name = definition.diskName(bay: disk.bay)
            let hash = StableHash.fnv1a64(name)
            let drive = SimDisk(
                name: name, model: models[disk.bay], simulator: simulator,
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
        let bus = PCIBus(name: definition.name + ".pci", configuration: Self.busConfiguration(definition.pciBus), simulator: simulator)
        let nvram = definition.nvramBytes > 0 ? SimNVRAM(name: definition.name + ".nvram", capacity: Int(definition.nvramBytes)) : nil
        return Node(
            definition: definition, runtime: runtime, bus: bus, nvram: nvram,
            controllers: buildControllers(definition.controllers, prefix: definition.name, bus: bus))
    }

    /// The initiator identity (world-wide port name) of controller `controller`'s port on `loop`.
    static func initiatorID(controller: String, loop: LoopReference) -> InitiatorID {
        InitiatorID(rawValue: StableHash.fnv1a64(controller + "." + loop.description))
    }

    /// I/O controllers on `bus`, each port attached to its loop, named `<prefix>.<controller>`.
    private func buildControllers(_ definitions: [ControllerDefinition], prefix: String, bus: PCIBus)
        -> [(controller: IOController, loops: [LoopReference])]
    {
        var controllers: [(IOController, [LoopReference])] = []
        for controller in definitions {
            let name = prefix + "." + controller.name
            let device = IOController(
                name: name, configuration: controller.kind == .ataController ? .ataController : .scsiHBA, bus: bus,
                simulator: simulator)
            for loop in controller.loops {
                let shelf = shelves.first { $0.definition.name == loop.shelf }!.shelf
                device.attach(
                    to: shelf.loop(loop.side == .a ? .a : .b), portName: "port" + loop.side.rawValue,
                    initiator: Self.initiatorID(controller: name, loop: loop))
            }
            controllers.append((device, controller.loops))
        }
        return controllers
    }

    // MARK: - Lookups

    func node(named name: String) -> Node? { nodes.first { $0.definition.name == name } }

    func disk(named name: String) -> SimDisk? {
        for shelf in shelves { if let disk = shelf.disks.first(where: { $0.name == name }) { return disk } }
        return nil
    }

    func shelf(named name: String) -> Shelf? { shelves.first { $0.definition.name == name } }

    /// The adapter a fault names (`red.hca0`, `red.ic0`, `c0.hca0`).
    func adapter(named name: String) -> SimHCA? {
        for system in systems { if let hca = system.adapters.first(where: { $0.name == name }) { return hca } }
        return clients.first { $0.hca.name == name }?.hca
    }

    func system(named name: String) -> System? { systems.first { $0.definition.name == name } }

    /// The fabric and cable of the adapter a link fault names.
    func cable(ofAdapter name: String) -> (SimulatedFabric, String)? {
        for fabric in fabrics { if let cable = fabric.cable(ofAdapter: name) { return (fabric, cable) } }
        return nil
    }

    /// The fabric and switch a switch fault names (`ib0.sw0`).
    func fabricSwitch(named name: String) -> (SimulatedFabric, String)? {
        guard let dot = name.firstIndex(of: ".") else { return nil }
        let fabricName = String(name[..<dot]), switchName = String(name[name.index(after: dot)...])
        guard let fabric = fabrics.first(where: { $0.definition.name == fabricName }), fabric.hasSwitch(named: switchName) else { return nil }
        return (fabric, switchName)
    }


    /// The PCI bus a fault names (`red.pci`, `blue.sn0.pci`, `c0.pci`), and for a storage
    /// system's bus the bus masters of its agents' endpoints.
    func pciBus(named name: String) -> (bus: PCIBus, agentMasters: [PCIMasterID]?)? {
        if let node = nodes.first(where: { $0.bus.name == name }) { return (node.bus, nil) }
        for system in systems {
            if system.bus.name == name {
                return (system.bus, system.nodeBus.attachedEndpoints.map { system.nodeBus.masterID(of: $0) })
            }
            if let node = system.storageNodes.first(where: { $0.bus.name == name }) { return (node.bus, nil) }
        }
        if let client = clients.first(where: { $0.bus?.name == name }) { return (client.bus!, nil) }
        return nil
    }

    /// The SCSI generic device through which `node` reaches `diskName`: through its first
    /// controller on a loop of the disk's shelf (loop A before B, as listed).
    func path(from node: Node, to diskName: String) -> (any SCSIGenericDevice)? {
        path(through: node.controllers, to: diskName)?.device
    }

    /// The SCSI generic device through which `controllers` reach `diskName` (the first port on a
    /// loop of its shelf, loop A before B as listed).
    func path(through controllers: [(controller: IOController, loops: [LoopReference])], to diskName: String)
        -> (controller: IOController, device: any SCSIGenericDevice)?
    {
        guard let shelfName = diskName.split(separator: ".").first.map(String.init), let shelf = shelf(named: shelfName),
            let bay = shelf.disks.firstIndex(where: { $0.name == diskName })
        else { return nil }
        for (controller, loops) in controllers {
            for (port, loop) in loops.enumerated() where loop.shelf == shelfName {
                return (controller, controller.scsiDevice(port: port, devicePort: shelf.shelf.loopPort(bay: bay, loop.side == .a ? .a : .b)))
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
