import SimHardware
import Timebase

/// A fabric as the scenario describes it.
public struct FabricDefinition: Sendable {
    public enum Kind: String, Sendable { case infiniband, ethernet }
    public var path: String
    public var name: String
    public var kind: Kind
    public var switches: [SwitchDefinition]
    public var priorityFlowControl: Bool
    /// Not in the file: a calibration's Ethernet link rate, propagation delay and path MTU (bytes)
    /// for every link (the sim-vs-real twin sets them; nil: the fabric's defaults).
    public var calibratedLinkBitsPerSecond: Int64? = nil
    public var calibratedPropagationDelay: TimeSpan? = nil
    public var calibratedMTUBytes: Int? = nil

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        kind = Kind(rawValue: object.string("kind")!)!
        switches = object.objects("switches").map(SwitchDefinition.init)
        priorityFlowControl = object.boolean("priorityFlowControl")!
    }

    /// The fabric of a cluster interconnect: InfiniBand, two adapters back to back.
    init(interconnect name: String, path: String) {
        self.path = path
        self.name = name
        kind = .infiniband
        switches = []
        priorityFlowControl = false
    }
}

public struct SwitchDefinition: Sendable {
    public var path: String
    public var name: String
    public var ports: Int

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        ports = Int(object.integer("ports")!)
    }
}

/// Where an adapter's cable goes.
public struct FabricAttachment: Sendable {
    public var path: String
    public var fabric: String
    public var switchName: String?

    init(_ object: ObjectValue) {
        path = object.path
        fabric = object.string("fabric")!
        switchName = object.string("switch")
    }
}

public struct HCADefinition: Sendable {
    public var path: String
    public var name: String
    public var attachment: FabricAttachment

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        attachment = FabricAttachment(object)
    }
}

/// A loop as `"<shelf>.A"` names it.
public struct LoopReference: Hashable, Sendable, CustomStringConvertible {
    public enum Side: String, Sendable { case a = "A", b = "B" }
    public var shelf: String
    public var side: Side

    /// Parses `"shelf0.A"`; nil unless it ends in `.A` or `.B`.
    init?(_ text: String) {
        guard let dot = text.lastIndex(of: "."), let side = Side(rawValue: String(text[text.index(after: dot)...])),
            dot > text.startIndex
        else { return nil }
        shelf = String(text[..<dot])
        self.side = side
    }

    public var description: String { "\(shelf).\(side.rawValue)" }
}

public struct ControllerDefinition: Sendable {
    public enum Kind: String, Sendable { case scsiHBA, ataController }
    public var path: String
    public var name: String
    public var kind: Kind
    /// The loops as written; ``ScenarioChecker`` checks each parses and exists.
    public var loopNames: [String]

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        kind = Kind(rawValue: object.string("kind")!)!
        loopNames = object.strings("loops")
    }

    /// The loops, for a checked scenario.
    public var loops: [LoopReference] { loopNames.compactMap(LoopReference.init) }
}

public struct NodeDefinition: Sendable {
    public var path: String
    public var name: String
    public var pciBus: String
    public var nvramBytes: Int64
    public var hcas: [HCADefinition]
    public var controllers: [ControllerDefinition]

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        pciBus = object.string("pciBus")!
        nvramBytes = object.size("nvram")!
        hcas = object.objects("hcas").map(HCADefinition.init)
        controllers = object.objects("controllers").map(ControllerDefinition.init)
    }
}

/// A storage node of a storage system: an RTA on the system's bus, with its own bus and controllers.
public struct StorageNodeDefinition: Sendable {
    public var path: String
    /// The name within the system.
    public var name: String
    /// `"<system>.<name>"`: what its components are named after.
    public var fullName: String
    public var pciBus: String
    public var controllers: [ControllerDefinition]

    init(_ object: ObjectValue, system: String) {
        path = object.path
        name = object.string("name")!
        fullName = system + "." + name
        pciBus = object.string("pciBus")!
        controllers = object.objects("controllers").map(ControllerDefinition.init)
    }
}

/// A storage system: the host storage node (UMA, CTA, TTS on its adapter) and its storage nodes
/// on one PCI bus.
public struct SystemDefinition: Sendable {
    public var path: String
    public var name: String
    public var pciBus: String
    public var nvramBytes: Int64
    public var hcas: [HCADefinition]
    public var storageNodes: [StorageNodeDefinition]
    public var dataPoolBytes: Int64
    public var maxTransferBytes: Int64
    /// `(client, LUNs, path)` as written.
    public var lunMasks: [(client: String, luns: [UInt16], path: String)]
    public var defaultLUNs: [UInt16]?

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        pciBus = object.string("pciBus")!
        nvramBytes = object.size("nvram")!
        hcas = object.objects("hcas").map(HCADefinition.init)
        let name = name
        storageNodes = object.objects("storageNodes").map { StorageNodeDefinition($0, system: name) }
        dataPoolBytes = object.size("dataPool")!
        maxTransferBytes = object.size("maxTransfer")!
        lunMasks = object.objects("lunMasks").map { mask in
            (mask.string("client")!, mask.luns("luns"), mask.path)
        }
        defaultLUNs = object.has("defaultLUNs") ? object.luns("defaultLUNs") : nil
    }

    /// Every controller of every storage node.
    var controllers: [ControllerDefinition] { storageNodes.flatMap(\.controllers) }

    /// The shelves reached through loop `side`, in the order the controllers list them. In a
    /// cluster the A-loop shelves are the system's own, the B-loop ones its partner's.
    func shelves(on side: LoopReference.Side) -> [String] {
        var shelves: [String] = []
        for loop in controllers.flatMap(\.loops) where loop.side == side && !shelves.contains(loop.shelf) {
            shelves.append(loop.shelf)
        }
        return shelves
    }

    /// The shelves this system owns in a cluster: those it reaches through A loops.
    var ownedShelves: [String] { shelves(on: .a) }
}

public struct DiskGroupDefinition: Sendable {
    public var path: String
    public var model: String
    public var count: Int
    public var writeCache: Bool?
    /// Not in the file: a model that replaces ``model``'s preset (the sim-vs-real twin's
    /// SG_IO-calibrated disk).
    public var calibratedModel: DiskModel? = nil

    init(_ object: ObjectValue) {
        path = object.path
        model = object.string("model")!
        count = Int(object.integer("count")!)
        writeCache = object.boolean("writeCache")
    }
}

public struct ShelfDefinition: Sendable {
    public var path: String
    public var name: String
    public var loopRate: String
    public var bays: Int
    public var diskGroups: [DiskGroupDefinition]

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        loopRate = object.string("loopRate")!
        bays = Int(object.integer("bays")!)
        diskGroups = object.objects("disks").map(DiskGroupDefinition.init)
    }

    /// The disks bay by bay: `(bay, model, writeCache override)`.
    public var disks: [(bay: Int, model: String, writeCache: Bool?)] {
        var result: [(Int, String, Bool?)] = []
        for group in diskGroups {
            for _ in 0..<group.count { result.append((result.count, group.model, group.writeCache)) }
        }
        return result
    }

    /// `"shelf0.bay3"`.
    public func diskName(bay: Int) -> String { "\(name).bay\(bay)" }
}

public struct ClientDefinition: Sendable {
    public var path: String
    public var name: String
    public var attachment: FabricAttachment
    public var pciBus: String

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        attachment = FabricAttachment(object)
        pciBus = object.string("pciBus")!
    }
}

/// A high-availability pair of storage systems.
public struct ClusterDefinition: Sendable {
    public var path: String
    public var name: String
    public var systems: [String]
    /// The interconnects' names, in order (the cluster connection manager's interconnect indices).
    public var interconnects: [(name: String, path: String)]
    public var heartbeatInterval: TimeSpan
    public var missedHeartbeats: Int
    public var slamConnectTimeout: TimeSpan
    public var mirror: Bool
    /// Write-behind: the consistency-point interval (nil: no write-behind).
    public var consistencyPoint: TimeSpan?
    /// The cluster connection managers as declared (empty: one manager over every interconnect
    /// serving both clients; see ``managers``).
    public var connectionManagers: [ConnectionManagerDefinition]

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        systems = object.strings("systems")
        interconnects = object.objects("interconnects").map { ($0.string("name")!, $0.path) }
        heartbeatInterval = object.duration("heartbeatInterval")!
        missedHeartbeats = Int(object.integer("missedHeartbeats")!)
        slamConnectTimeout = object.duration("slamConnectTimeout")!
        mirror = object.boolean("mirror")!
        consistencyPoint = object.duration("consistencyPoint")
        connectionManagers = object.objects("connectionManagers").map(ConnectionManagerDefinition.init)
    }

    /// The connection managers of each partner: the declared ones, or one over every
    /// interconnect (in the cluster's order) serving every client.
    public var managers: [ConnectionManagerDefinition] {
        if !connectionManagers.isEmpty { return connectionManagers }
        return [ConnectionManagerDefinition(
            path: path, interconnects: interconnects.map(\.name), clients: ConnectionManagerDefinition.clientNames)]
    }

    /// The partner of `system` in this cluster.
    public func partner(of system: String) -> String? {
        guard systems.count == 2, let index = systems.firstIndex(of: system) else { return nil }
        return systems[1 - index]
    }
}

/// One cluster connection manager of each partner: the interconnects it slam connects on, in
/// preference order (first = primary), and the cluster connection clients it serves.
public struct ConnectionManagerDefinition: Sendable {
    /// The client names the format accepts.
    public static let clientNames = ["failoverMonitor", "nvramMirror"]

    public var path: String
    public var interconnects: [String]
    public var clients: [String]

    init(path: String, interconnects: [String], clients: [String]) {
        self.path = path
        self.interconnects = interconnects
        self.clients = clients
    }

    init(_ object: ObjectValue) {
        path = object.path
        interconnects = object.strings("interconnects")
        clients = object.strings("clients")
    }
}

public struct TopologyDefinition: Sendable {
    public var fabrics: [FabricDefinition]
    public var nodes: [NodeDefinition]
    public var systems: [SystemDefinition]
    public var shelves: [ShelfDefinition]
    public var clients: [ClientDefinition]
    public var clusters: [ClusterDefinition]

    init(_ object: ObjectValue) {
        fabrics = object.objects("fabrics").map(FabricDefinition.init)
        nodes = object.objects("nodes").map(NodeDefinition.init)
        systems = object.objects("systems").map(SystemDefinition.init)
        shelves = object.objects("shelves").map(ShelfDefinition.init)
        clients = object.objects("clients").map(ClientDefinition.init)
        clusters = object.objects("clusters").map(ClusterDefinition.init)
    }

    /// The cluster `system` belongs to, if any.
    public func cluster(of system: String) -> ClusterDefinition? { clusters.first { $0.systems.contains(system) } }

    public func fabric(named name: String) -> FabricDefinition? { fabrics.first { $0.name == name } }
    public func node(named name: String) -> NodeDefinition? { nodes.first { $0.name == name } }
    public func shelf(named name: String) -> ShelfDefinition? { shelves.first { $0.name == name } }
    public func client(named name: String) -> ClientDefinition? { clients.first { $0.name == name } }
    public func system(named name: String) -> SystemDefinition? { systems.first { $0.name == name } }

    /// Every controller in the topology: standalone nodes' and storage systems'.
    var allControllers: [ControllerDefinition] { nodes.flatMap(\.controllers) + systems.flatMap(\.controllers) }

    /// Every disk's name, shelf by shelf, bay by bay.
    public var diskNames: [String] {
        shelves.flatMap { shelf in shelf.disks.map { shelf.diskName(bay: $0.bay) } }
    }
}
