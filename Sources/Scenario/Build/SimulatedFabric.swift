import Hardware
import Reports
import SimCore
import SimHardware
import Timebase

/// One fabric of a scenario, InfiniBand or Ethernet (RoCE v2), with its switches chained in a
/// line in the order listed. Adapters are cabled in the order the builder attaches them: to
/// their switch's next free port (from 1), or back to back when the fabric has no switch.
/// Every cable is named after its adapter (`red.hca0`), which is what link faults target.
///
/// Ports of a chain: a switch's link to the next switch uses its last port, its link to the
/// previous one the port before that (or its last, at the end of the chain).
final class SimulatedFabric {
    enum Network {
        case infiniband(InfiniBandFabric)
        case ethernet(EthernetFabric)
    }

    let definition: FabricDefinition
    let network: Network
    private var nextPort: [Int]
    private var switchIDs: [SwitchID] = []
    private var infiniBandAttachments: [InfiniBandPortAttachment] = []
    /// The adapters cabled here, in order (on InfiniBand, parallel to `infiniBandAttachments`).
    private var adapters: [String] = []
    /// Each adapter's cable: a link is named after the adapter that was cabled last (back to back,
    /// both adapters name the one cable).
    private var cableOfAdapter: [(adapter: String, link: String)] = []
    /// The InfiniBand subnet manager (on the first adapter), once started.
    private var subnetManager: SubnetManager?
    /// The links between chained switches, named "<left>-<right>" (laid by ``start()``).
    private(set) var switchLinks: [String] = []

    init(_ definition: FabricDefinition, simulator: Simulator) throws(FabricError) {
        self.definition = definition
        nextPort = definition.switches.map { _ in 1 }
        switch definition.kind {
        case .infiniband:
            let fabric = InfiniBandFabric(name: definition.name, simulator: simulator)
            for switchDefinition in definition.switches {
                switchIDs.append(try fabric.addSwitch(named: switchDefinition.name, portCount: switchDefinition.ports))
            }
            network = .infiniband(fabric)
        case .ethernet:
            var configuration = EthernetFabricConfiguration()
            if definition.priorityFlowControl { configuration.priorityFlowControl = PriorityFlowControl() }
            if let rate = definition.calibratedLinkBitsPerSecond { configuration.linkRate = EthernetLinkRate(bitsPerSecond: rate) }
            if let delay = definition.calibratedPropagationDelay { configuration.propagationDelay = delay }
            if let bytes = definition.calibratedMTUBytes, let mtu = MTU(byteCount: bytes) { configuration.maxMTU = mtu }
            let fabric = EthernetFabric(name: definition.name, simulator: simulator, configuration: configuration)
            for switchDefinition in definition.switches {
                try fabric.addSwitch(named: switchDefinition.name, portCount: switchDefinition.ports)
            }
            network = .ethernet(fabric)
        }
    }

    /// Starts capturing every packet the fabric's endpoints send (`--pcap`).
    func capture(infiniBandLinkType: PcapWriter.LinkType) -> PacketCapture {
        switch network {
        case .infiniband(let fabric):
            let capture = PacketCapture(fabric: definition.name, ethernet: false, linkType: infiniBandLinkType)
            fabric.packetTap = capture
            return capture
        case .ethernet(let fabric):
            let capture = PacketCapture(fabric: definition.name, ethernet: true)
            fabric.packetTap = capture
            return capture
        }
    }

    /// The protocol name a TTS on this fabric uses.
    var protocolName: String { definition.kind == .infiniband ? "infiniband" : "roce" }

    /// Cables port 1 of `hca` to `switchName` (or to the other adapter, on a fabric without switches).
    func attach(_ hca: SimHCA, switchName: String?) throws(FabricError) {
        let switchIndex = switchName.flatMap { name in definition.switches.firstIndex { $0.name == name } }
        switch network {
        case .infiniband(let fabric):
            let attachment = fabric.attachEndpoint(named: hca.name, endpoint: hca.endpoint(port: 1), portGUID: hca.portGUID(1))
            hca.attach(port: 1, to: attachment)
            infiniBandAttachments.append(attachment)
            adapters.append(hca.name)
            if let switchIndex {
                try fabric.connect(.endpoint(attachment), .switchPort(switchIDs[switchIndex], takePort(switchIndex)), named: hca.name)
                cableOfAdapter.append((hca.name, hca.name))
            } else if infiniBandAttachments.count == 2 {
                try fabric.connect(.endpoint(infiniBandAttachments[0]), .endpoint(attachment), named: hca.name)
                cableOfAdapter.append((adapters[0], hca.name))
                cableOfAdapter.append((hca.name, hca.name))
            }
        case .ethernet(let fabric):
            let index = adapters.count + 1
            let address = IPv4Address(rawValue: 0x0a00_0000 | UInt32(index >> 8) << 8 | UInt32(index & 0xff))
            let attachment = try fabric.attachEndpoint(named: hca.name, endpoint: hca.endpoint(port: 1), ipv4: address)
            hca.attach(port: 1, to: attachment)
            adapters.append(hca.name)
            if let switchIndex {
                try fabric.connect(.endpoint(hca.name), .switchPort(definition.switches[switchIndex].name, takePort(switchIndex)), link: hca.name)
                cableOfAdapter.append((hca.name, hca.name))
            } else if adapters.count == 2 {
                try fabric.connect(.endpoint(adapters[0]), .endpoint(hca.name), link: hca.name)
                cableOfAdapter.append((adapters[0], hca.name))
                cableOfAdapter.append((hca.name, hca.name))
            }
        }
    }

    /// How long the subnet manager's first sweep takes (zero on Ethernet): ports are active
    /// after it.
    var firstSweepDuration: TimeSpan { subnetManager?.sweepCost().duration ?? .zero }

    /// The LID the subnet manager gave adapter `name`'s port (InfiniBand, after the first sweep).
    func lid(ofAdapter name: String) -> UInt16? {
        guard case .infiniband = network, let index = adapters.firstIndex(of: name) else { return nil }
        return infiniBandAttachments[index].lid
    }

    /// The cables of adapters, in the order they were laid (switch-to-switch links not included).
    var cables: [String] {
        var links: [String] = []
        for entry in cableOfAdapter where !links.contains(entry.link) { links.append(entry.link) }
        return links
    }

    /// Every link of the fabric: the adapters' cables in the order they were laid, then the
    /// links between chained switches.
    var links: [String] { cables + switchLinks }

    /// The cable of adapter `name` on this fabric, if it is cabled here.
    func cable(ofAdapter name: String) -> String? { cableOfAdapter.first { $0.adapter == name }?.link }

    /// The clog state of link `name` (nil if it is none of this fabric's).
    func clogState(ofLink name: String) -> LinkClogState? {
        switch network {
        case .infiniband(let fabric): fabric.clogState(ofLink: name)
        case .ethernet(let fabric): fabric.clogState(ofLink: name)
        }
    }

    /// Whether `name` is one of this fabric's switches.
    func hasSwitch(named name: String) -> Bool { definition.switches.contains { $0.name == name } }

    /// Applies `action` now to the link or switch `target` (a link by its cable name, a switch by
    /// its name in the fabric).
    func apply(_ action: FabricFault.Action, to target: String, now: Instant) {
        apply(action, to: target, at: now)
    }

    /// Applies `action` to `target` at `time` (now or later).
    func apply(_ action: FabricFault.Action, to target: String, at time: Instant) {
        let fault = FabricFault(action, on: target)
        do {
            switch network {
            case .infiniband(let fabric): try fabric.schedule(fault, at: time)
            case .ethernet(let fabric): try fabric.schedule(fault, at: time)
            }
        } catch {
            preconditionFailure("a checked fault did not apply: \(error)")
        }
    }

    private func takePort(_ switchIndex: Int) -> Int {
        defer { nextPort[switchIndex] += 1 }
        return nextPort[switchIndex]
    }

    /// Chains the switches, starts the subnet manager (InfiniBand: on the first adapter) and the fabric.
    func start() throws(FabricError) {
        let switches = definition.switches
        for index in switches.indices.dropLast() {
            let left = switches[index].ports
            let right = index + 1 == switches.count - 1 ? switches[index + 1].ports : switches[index + 1].ports - 1
            let name = "\(switches[index].name)-\(switches[index + 1].name)"
            switchLinks.append(name)
            switch network {
            case .infiniband(let fabric):
                try fabric.connect(.switchPort(switchIDs[index], left), .switchPort(switchIDs[index + 1], right), named: name)
            case .ethernet(let fabric):
                try fabric.connect(.switchPort(switches[index].name, left), .switchPort(switches[index + 1].name, right), link: name)
            }
        }
        if case .infiniband(let fabric) = network {
            if let first = infiniBandAttachments.first { subnetManager = fabric.addSubnetManager(at: first) }
            fabric.start()
        }
    }
}
