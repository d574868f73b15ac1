import Timebase

/// The checks a schema cannot express: names unique and resolvable, impossible topologies,
/// fault targets and parameters, workload sizes. Every issue names the JSON path.
struct ScenarioChecker {
    let definition: ScenarioDefinition
    var walker: SchemaWalker

    private var topology: TopologyDefinition { definition.topology }

    mutating func check() {
        checkUniqueNames()
        for fabric in topology.fabrics { checkFabric(fabric) }
        for node in topology.nodes {
            for hca in node.hcas { checkAttachment(hca.attachment, at: hca.path) }
            for controller in node.controllers { checkController(controller) }
        }
        for system in topology.systems { checkSystem(system) }
        for client in topology.clients { checkAttachment(client.attachment, at: client.path) }
        for shelf in topology.shelves { checkShelf(shelf) }
        for cluster in topology.clusters { checkCluster(cluster) }
        for workload in definition.workloads { checkWorkload(workload) }
        for fault in definition.faults { checkFault(fault) }
    }

    // MARK: - Names

    private mutating func checkUniqueNames() {
        // Nodes and clients share one namespace: both are hosts that components are named after.
        unique(topology.nodes.map { ($0.name, $0.path) } + topology.systems.map { ($0.name, $0.path) }
               + topology.clients.map { ($0.name, $0.path) }, what: "host")
        unique(topology.fabrics.map { ($0.name, $0.path) }, what: "fabric")
        unique(topology.shelves.map { ($0.name, $0.path) }, what: "shelf")
        unique(definition.workloads.map { ($0.name, $0.path) }, what: "workload")
        unique(topology.clusters.map { ($0.name, $0.path) }, what: "cluster")
        // Interconnects become fabrics named after them.
        unique(topology.fabrics.map { ($0.name, $0.path) } + topology.clusters.flatMap(\.interconnects), what: "fabric or interconnect")
        for fabric in topology.fabrics { unique(fabric.switches.map { ($0.name, $0.path) }, what: "switch") }
        for node in topology.nodes {
            unique(node.hcas.map { ($0.name, $0.path) }, what: "adapter")
            unique(node.controllers.map { ($0.name, $0.path) }, what: "controller")
        }
        for system in topology.systems {
            unique(system.hcas.map { ($0.name, $0.path) }, what: "adapter")
            unique(system.storageNodes.map { ($0.name, $0.path) }, what: "storage node")
            for node in system.storageNodes { unique(node.controllers.map { ($0.name, $0.path) }, what: "controller") }
        }
    }

    private mutating func unique(_ names: [(String, String)], what: String) {
        var seen: [String: String] = [:]
        for (name, path) in names {
            if let first = seen[name] {
                walker.issue(path + ".name", "a second \(what) named \"\(name)\" (the first is \(first))")
            } else {
                seen[name] = path
            }
            if name.contains(".") || name.contains("/") || name.contains(" ") {
                walker.issue(path + ".name", "expected a name without '.', '/' or spaces; found \"\(name)\"")
            }
        }
    }

    // MARK: - Topology

    private mutating func checkFabric(_ fabric: FabricDefinition) {
        let adapters = adapters(on: fabric.name)
        if fabric.switches.isEmpty && adapters.count > 2 {
            walker.issue(fabric.path + ".switches", "a fabric without switches joins at most 2 adapters back to back; \(adapters.count) are cabled to \"\(fabric.name)\"")
        }
        for (index, switchDefinition) in fabric.switches.enumerated() {
            let cabled = adapters.filter { $0.switchName == switchDefinition.name }.count
            // Switches are chained in a line, so inner ones give 2 ports to neighbours, end ones 1.
            let inter = fabric.switches.count == 1 ? 0 : (index == 0 || index == fabric.switches.count - 1 ? 1 : 2)
            if cabled + inter > switchDefinition.ports {
                walker.issue(switchDefinition.path + ".ports", "expected at least \(cabled + inter) ports (\(cabled) adapters cabled, \(inter) to neighbouring switches); found \(switchDefinition.ports)")
            }
        }
    }

    private func adapters(on fabric: String) -> [FabricAttachment] {
        let hcas: [HCADefinition] = topology.nodes.flatMap(\.hcas) + topology.systems.flatMap(\.hcas)
        let attachments: [FabricAttachment] = hcas.map(\.attachment) + topology.clients.map(\.attachment)
        return attachments.filter { $0.fabric == fabric }
    }

    private mutating func checkAttachment(_ attachment: FabricAttachment, at path: String) {
        guard let fabric = topology.fabric(named: attachment.fabric) else {
            walker.issue(path + ".fabric", "no fabric named \"\(attachment.fabric)\"",
                         suggestion: didYouMean(attachment.fabric, among: topology.fabrics.map(\.name)))
            return
        }
        switch attachment.switchName {
        case nil where !fabric.switches.isEmpty:
            walker.issue(path, "missing member \"switch\": fabric \"\(fabric.name)\" has switches, so the cable must go to one of " + fabric.switches.map { "\"\($0.name)\"" }.joined(separator: ", "))
        case let name? where !fabric.switches.contains(where: { $0.name == name }):
            walker.issue(path + ".switch", "no switch \"\(name)\" in fabric \"\(fabric.name)\"",
                         suggestion: didYouMean(name, among: fabric.switches.map(\.name)))
        default:
            break
        }
    }

    private mutating func checkSystem(_ system: SystemDefinition) {
        for hca in system.hcas { checkAttachment(hca.attachment, at: hca.path) }
        for node in system.storageNodes {
            for controller in node.controllers { checkController(controller) }
        }
        for mask in system.lunMasks where topology.client(named: mask.client) == nil {
            walker.issue(mask.path + ".client", "no client named \"\(mask.client)\"",
                         suggestion: didYouMean(mask.client, among: topology.clients.map(\.name)))
        }
        if system.maxTransferBytes < 512 || system.maxTransferBytes % 512 != 0 {
            walker.issue(system.path + ".maxTransfer", "expected a positive multiple of 512 bytes; found \(system.maxTransferBytes)")
        } else if system.dataPoolBytes < system.maxTransferBytes * Int64(system.storageNodes.count) {
            walker.issue(system.path + ".dataPool", "expected at least one maxTransfer (\(system.maxTransferBytes) bytes) per storage node: \(system.maxTransferBytes * Int64(system.storageNodes.count)) bytes; found \(system.dataPoolBytes)")
        }
    }

    private mutating func checkConnectionManagers(_ cluster: ClusterDefinition) {
        let names = cluster.interconnects.map(\.name)
        for manager in cluster.connectionManagers {
            for (index, name) in manager.interconnects.enumerated() {
                let path = "\(manager.path).interconnects[\(index)]"
                if !names.contains(name) {
                    walker.issue(path, "no interconnect named \"\(name)\" in cluster \"\(cluster.name)\"",
                                 suggestion: didYouMean(name, among: names))
                } else if manager.interconnects.prefix(index).contains(name) {
                    walker.issue(path, "interconnect \"\(name)\" listed twice for this manager")
                }
            }
        }
        guard !cluster.connectionManagers.isEmpty else { return }
        for client in ConnectionManagerDefinition.clientNames {
            let serving = cluster.connectionManagers.indices.filter { cluster.connectionManagers[$0].clients.contains(client) }
            if serving.isEmpty {
                walker.issue(cluster.path + ".connectionManagers", "no connection manager serves the client \"\(client)\" (add it to one manager's clients)")
            }
            for index in serving.dropFirst() {
                let manager = cluster.connectionManagers[index]
                let position = manager.clients.firstIndex(of: client)!
                walker.issue("\(manager.path).clients[\(position)]",
                             "the client \"\(client)\" is already served by \(cluster.connectionManagers[serving[0]].path); a client is served by exactly one manager")
            }
            for index in serving {
                let manager = cluster.connectionManagers[index]
                let positions = manager.clients.indices.filter { manager.clients[$0] == client }
                for position in positions.dropFirst() {
                    walker.issue("\(manager.path).clients[\(position)]", "the client \"\(client)\" listed twice for this manager")
                }
            }
        }
    }

    private mutating func checkCluster(_ cluster: ClusterDefinition) {
        if let interval = cluster.consistencyPoint, interval <= .zero {
            walker.issue(cluster.path + ".consistencyPoint", "expected a consistency-point interval above 0; found \(Quantity.text(interval))")
        }
        checkConnectionManagers(cluster)
        guard cluster.systems.count == 2 else {
            walker.issue(cluster.path + ".systems", "expected the two partners of the pair; found \(cluster.systems.count) systems")
            return
        }
        if cluster.systems[0] == cluster.systems[1] {
            walker.issue(cluster.path + ".systems[1]", "expected a different system than the first")
            return
        }
        for (index, name) in cluster.systems.enumerated() {
            let path = "\(cluster.path).systems[\(index)]"
            guard let system = topology.system(named: name) else {
                walker.issue(path, "no storage system named \"\(name)\"", suggestion: didYouMean(name, among: topology.systems.map(\.name)))
                continue
            }
            if let other = topology.clusters.first(where: { $0.name != cluster.name && $0.systems.contains(name) }) {
                walker.issue(path, "system \"\(name)\" is already in cluster \"\(other.name)\"")
            }
            if system.nvramBytes == 0 {
                walker.issue(system.path + ".nvram", "a system in a cluster logs writes in NVRAM and mirrors its partner's: give it \"nvram\" (e.g. \"32MiB\")")
            }
            let partner = cluster.systems[1 - index]
            let owned = Set(system.ownedShelves)
            let reachedOnB = Set(system.shelves(on: .b))
            if owned.isEmpty {
                walker.issue(system.path + ".storageNodes", "a system in a cluster owns the shelves it reaches through A loops; \"\(name)\" reaches none")
            }
            if let partnerSystem = topology.system(named: partner) {
                let partnerOwned = Set(partnerSystem.ownedShelves)
                for shelf in partnerOwned.sorted() where !reachedOnB.contains(shelf) {
                    walker.issue(system.path + ".storageNodes", "\"\(name)\" cannot take over \"\(partner)\": no controller of it reaches shelf \"\(shelf)\" through its B loop (add \"\(shelf).B\")")
                }
                for shelf in owned.intersection(partnerOwned).sorted() {
                    walker.issue(system.path + ".storageNodes", "shelf \"\(shelf)\" is owned (reached through loop A) by both \"\(name)\" and \"\(partner)\"")
                }
            }
        }
    }

    private mutating func checkController(_ controller: ControllerDefinition) {
        for (index, text) in controller.loopNames.enumerated() {
            let path = "\(controller.path).loops[\(index)]"
            guard let loop = LoopReference(text) else {
                walker.issue(path, "expected a loop as \"<shelf>.A\" or \"<shelf>.B\"; found \"\(text)\"")
                continue
            }
            if topology.shelf(named: loop.shelf) == nil {
                walker.issue(path, "no shelf named \"\(loop.shelf)\"", suggestion: didYouMean(loop.shelf, among: topology.shelves.map(\.name)))
            }
        }
        if Set(controller.loops).count != controller.loops.count {
            walker.issue(controller.path + ".loops", "a controller reaches each loop through one port; a loop is listed twice")
        }
    }

    private mutating func checkShelf(_ shelf: ShelfDefinition) {
        let disks = shelf.diskGroups.reduce(0) { $0 + $1.count }
        if disks > shelf.bays {
            walker.issue(shelf.path + ".disks", "\(disks) disks do not fit in \(shelf.bays) bays")
        }
        let reached = topology.allControllers.contains { $0.loops.contains { $0.shelf == shelf.name } }
        if !reached {
            walker.issue(shelf.path, "no controller reaches shelf \"\(shelf.name)\": its disks would be on no initiator's loop (add \"\(shelf.name).A\" to a controller's loops)")
        }
    }

    // MARK: - Workloads

    private mutating func checkWorkload(_ workload: WorkloadDefinition) {
        switch workload.kind {
        case .disk: checkDiskWorkload(workload)
        case .block: checkBlockWorkload(workload)
        case .rdma: checkRDMAWorkload(workload)
        }
        if let stop = workload.stop, stop <= workload.start {
            walker.issue(workload.path + ".stop", "expected a time after start (\(Quantity.text(workload.start))); found \(Quantity.text(stop))")
        }
        if workload.start >= definition.duration {
            walker.issue(workload.path + ".start", "starts at or after the end of the run (\(Quantity.text(definition.duration)))")
        }
        if workload.blockSize <= 0 {
            walker.issue(workload.path + ".blockSize", "expected more than 0 bytes")
        }
    }

    private mutating func checkDiskWorkload(_ workload: WorkloadDefinition) {
        for member in ["from", "to"] where member == "from" ? workload.from != nil : workload.to != nil {
            walker.issue(workload.path + "." + member, "\"\(member)\" is for rdma workloads; a disk workload names its \"node\"")
        }
        guard let nodeName = workload.node else {
            walker.issue(workload.path, "missing member \"node\": a disk workload runs on a storage node")
            return
        }
        guard let node = topology.node(named: nodeName) else {
            walker.issue(workload.path + ".node", "no storage node named \"\(nodeName)\"", suggestion: didYouMean(nodeName, among: topology.nodes.map(\.name)))
            return
        }
        if workload.blockSize % 512 != 0 {
            walker.issue(workload.path + ".blockSize", "expected a multiple of the 512-byte block; found \(workload.blockSize) bytes")
        }
        if let workingSet = workload.workingSet, workingSet < workload.blockSize {
            walker.issue(workload.path + ".workingSet", "expected at least one block of \(workload.blockSize) bytes; found \(workingSet)")
        }
        let reachable = Set(node.controllers.flatMap { $0.loops.map(\.shelf) })
        for (index, text) in (workload.disks ?? []).enumerated() {
            let path = "\(workload.path).disks[\(index)]"
            let shelfName = text.split(separator: ".", maxSplits: 1).first.map(String.init) ?? text
            guard let shelf = topology.shelf(named: shelfName) else {
                walker.issue(path, "no shelf named \"\(shelfName)\"", suggestion: didYouMean(shelfName, among: topology.shelves.map(\.name)))
                continue
            }
            if text != shelf.name && !shelf.disks.contains(where: { shelf.diskName(bay: $0.bay) == text }) {
                walker.issue(path, "no disk \"\(text)\" (shelf \"\(shelf.name)\" has bays 0…\(shelf.disks.count - 1) filled)",
                             suggestion: didYouMean(text, among: shelf.disks.map { shelf.diskName(bay: $0.bay) }))
            } else if !reachable.contains(shelf.name) {
                walker.issue(path, "node \"\(node.name)\" has no controller on a loop of shelf \"\(shelf.name)\"")
            }
        }
        if workload.disks == nil && reachable.isEmpty {
            walker.issue(workload.path + ".node", "node \"\(node.name)\" reaches no disks (it has no controller on a shelf's loop)")
        }
    }

    private mutating func checkBlockWorkload(_ workload: WorkloadDefinition) {
        if workload.blockSize % 512 != 0 {
            walker.issue(workload.path + ".blockSize", "expected a multiple of the 512-byte block; found \(workload.blockSize) bytes")
        }
        var client: ClientDefinition?
        var system: SystemDefinition?
        if let name = workload.client {
            client = topology.client(named: name)
            if client == nil {
                walker.issue(workload.path + ".client", "no client named \"\(name)\"", suggestion: didYouMean(name, among: topology.clients.map(\.name)))
            }
        } else {
            walker.issue(workload.path, "missing member \"client\": a block workload runs on a client")
        }
        if let name = workload.target {
            system = topology.system(named: name)
            if system == nil {
                walker.issue(workload.path + ".target", "no storage system named \"\(name)\"", suggestion: didYouMean(name, among: topology.systems.map(\.name)))
            }
        } else {
            walker.issue(workload.path, "missing member \"target\": a block workload names the storage system it uses")
        }
        if let client, let system, !system.hcas.contains(where: { $0.attachment.fabric == client.attachment.fabric }) {
            walker.issue(workload.path + ".client", "\"\(client.name)\" is on fabric \"\(client.attachment.fabric)\", and system \"\(system.name)\" has no adapter there")
        }
    }

    private mutating func checkRDMAWorkload(_ workload: WorkloadDefinition) {
        for member in ["from", "to"] {
            let name = member == "from" ? workload.from : workload.to
            guard let name else {
                walker.issue(workload.path, "missing member \"\(member)\": an rdma workload names the two clients")
                continue
            }
            if topology.client(named: name) == nil {
                walker.issue(workload.path + "." + member, "no client named \"\(name)\"", suggestion: didYouMean(name, among: topology.clients.map(\.name)))
            }
        }
        if let from = workload.from.flatMap(topology.client(named:)), let to = workload.to.flatMap(topology.client(named:)) {
            if from.name == to.name {
                walker.issue(workload.path + ".to", "expected a different client than \"from\"")
            } else if from.attachment.fabric != to.attachment.fabric {
                walker.issue(workload.path + ".to", "\"\(to.name)\" is on fabric \"\(to.attachment.fabric)\", \"\(from.name)\" on \"\(from.attachment.fabric)\": no path between them")
            }
        }
    }

    // MARK: - Faults

    private mutating func checkFault(_ fault: FaultDefinition) {
        switch fault.timing {
        case nil:
            walker.issue(fault.path, "expected exactly one of \"at\" (a time) or \"window\" (two times)")
        case .at(let time) where time > definition.duration:
            walker.issue(fault.path + ".at", "after the end of the run (\(Quantity.text(definition.duration)))")
        case .window(let earliest, let latest) where earliest > latest || latest > definition.duration:
            walker.issue(fault.path + ".window", "expected [earliest, latest] with earliest ≤ latest ≤ the run's \(Quantity.text(definition.duration))")
        default:
            break
        }
        if let parameter = fault.action.requiredParameter, !fault.has(parameter) {
            walker.issue(fault.path, "missing member \"\(parameter)\": \(fault.action.rawValue) needs it")
        }
        if fault.duration != nil && fault.action.repair == nil {
            walker.issue(fault.path + ".for", "\(fault.action.rawValue) cannot heal by itself; schedule its repair as a separate fault")
        }
        let known = targets(of: fault.action.targetKind)
        if !known.contains(fault.target) {
            walker.issue(fault.path + ".target", "expected a \(fault.action.targetKind.rawValue) for \(fault.action.rawValue); found \"\(fault.target)\"",
                         suggestion: didYouMean(fault.target, among: known))
        }
    }

    /// The names a fault may target, by kind.
    func targets(of kind: FaultDefinition.Action.TargetKind) -> [String] {
        switch kind {
        case .disk: topology.diskNames
        case .loop: topology.shelves.flatMap { ["\($0.name).A", "\($0.name).B"] }
        case .pciBus:
            topology.nodes.map { "\($0.name).pci" }
                + topology.systems.flatMap { system in ["\(system.name).pci"] + system.storageNodes.map { "\($0.fullName).pci" } }
                + topology.clients.filter { $0.pciBus != "ideal" }.map { "\($0.name).pci" }
        case .adapter, .link:
            topology.nodes.flatMap { node in node.hcas.map { "\(node.name).\($0.name)" } }
                + topology.systems.flatMap { system in system.hcas.map { "\(system.name).\($0.name)" } }
                + topology.clients.map { "\($0.name).hca0" }
        case .switch: topology.fabrics.flatMap { fabric in fabric.switches.map { "\(fabric.name).\($0.name)" } }
        case .system: topology.systems.map(\.name)
        case .interconnect: topology.clusters.flatMap { $0.interconnects.map(\.name) }
        case .cluster: topology.clusters.map(\.name)
        case .fabric: topology.fabrics.map(\.name)
        }
    }
}

extension FaultDefinition {
    func has(_ parameter: String) -> Bool {
        switch parameter {
        case "factor": factor != nil
        case "probability": probability != nil
        case "delay": delay != nil
        case "lba": lba != nil
        case "for": duration != nil
        default: false
        }
    }
}
