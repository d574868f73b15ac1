import Hardware
import SimCore
import Timebase

/// Names a port when connecting links or reading statistics.
public enum EthernetPortReference: Hashable, Sendable, CustomStringConvertible {
    /// The NIC port of the endpoint attached under this name.
    case endpoint(String)
    /// Port `number` (1…portCount) of the switch with this name.
    case switchPort(String, Int)

    public var description: String {
        switch self {
        case .endpoint(let name): name
        case .switchPort(let name, let number): "\(name)/\(number)"
        }
    }
}

/// An IEEE 802.3 Ethernet fabric carrying RoCE v2 in virtual time: NIC attachments, full-duplex
/// links of 1 or 10 Gb/s, store-and-forward learning switches with finite tail-drop buffers,
/// optional IEEE 802.1Qbb priority flow control, and injected faults.
///
/// Endpoints (HCAs) see it only as ``NetworkAttachment``s (``EthernetAttachment``); the IBA
/// transport runs over it unchanged, addressing by GID.
///
/// **Frames.** A packet travels as one Ethernet II frame of ``TransportPacket/roceFrameBytes``
/// (Ethernet 14 + IPv4 20 + UDP 8 + BTH…ICRC + payload + pad + FCS 4, at least 64) and costs
/// that plus 20 bytes (preamble, SFD, inter-packet gap) of wire time at the link's data rate.
/// Its 802.1p priority is its service level modulo 8. A frame's last bit reaches the far end
/// one propagation delay after it left.
///
/// **Ports** transmit one frame at a time, choosing by strict priority among per-priority
/// FIFOs (so packets of one service level leave in the order offered) and skipping priorities
/// the partner paused.
///
/// **Switches** (``EthernetSwitch``) receive a whole frame, check its FCS, learn its source,
/// charge it to a buffer (or tail-drop it), and after ``EthernetFabricConfiguration/switchLatency``
/// queue it at the egress port. Without PFC a frame is charged to its egress port's output
/// buffer. With PFC a frame of a lossless priority is charged instead to its (ingress port,
/// priority), which pauses the upstream sender at XOFF (see ``PriorityFlowControl``): egress
/// queues of lossless traffic are then bounded by the ingress limits, as in the ingress
/// accounting of shared-buffer switches.
///
/// **Faults** (``schedule(_:at:)``) act on links and switches by the names given when the
/// topology was built. Loss and corruption are drawn per frame from the link's own stream
/// (`"<fabric>.<link>"`). Every frame ends delivered, filtered or dropped by a counted reason
/// (``totals``).
///
/// One component, registered under `name`, handles every event of the fabric. Its payloads
/// carry port and frame-slot indices; frames live in a pool of reusable slots.
public final class EthernetFabric: SimComponent {
    public let name: String
    public let configuration: EthernetFabricConfiguration
    let simulator: Simulator
    private(set) var id = ComponentID(index: 0)

    var ports: [EthernetPort] = []
    var links: [EthernetLink] = []
    var switches: [EthernetSwitch] = []
    var attachments: [EthernetAttachment] = []
    var frames = EthernetFramePool()
    /// Faults scheduled, by the index their event carries.
    var faults: [FabricFault] = []

    // Look-up only; never iterated to decide anything.
    var linksByName: [String: Int] = [:]
    var switchesByName: [String: Int] = [:]
    var attachmentsByName: [String: Int] = [:]
    /// GID → MAC: the neighbour table (stands for ARP).
    var neighbours: [GID: MACAddress] = [:]
    var macAddressesInUse: Set<MACAddress> = []

    var framesOffered = 0
    /// Sees every frame a NIC sends (`--pcap`); nil: no capture.
    public var packetTap: (any PacketTap)?
    var floodCopies = 0

    /// A fabric registered with `simulator` as `name`; traps if `configuration` is invalid.
    public init(name: String, simulator: Simulator, configuration: EthernetFabricConfiguration = .init()) {
        let errors = configuration.validationErrors()
        precondition(errors.isEmpty, "Ethernet fabric \(name): \(errors.joined(separator: "; "))")
        self.name = name
        self.configuration = configuration
        self.simulator = simulator
        id = simulator.register(self, name: name)
    }

    // MARK: Topology

    /// Adds a switch with ports numbered 1…`portCount`.
    public func addSwitch(named switchName: String, portCount: Int) throws(FabricError) {
        try checkNewFaultTarget(switchName)
        guard portCount >= 1 else { throw .invalidTopology("switch \(switchName) needs at least one port") }
        let index = switches.count
        let portIndices = (1...portCount).map { number in
            addPort(owner: .bridge(index, port: number), name: "\(switchName)/\(number)")
        }
        switches.append(EthernetSwitch(name: switchName, ports: portIndices))
        switchesByName[switchName] = index
    }

    /// Attaches an endpoint's NIC port, with address `ipv4` (its GID is `::ffff:ipv4`) and a
    /// MAC address from `guid` when given (see ``MACAddress/init(guid:)``), else from its name.
    /// The port is down until ``connect(_:_:link:rate:propagationDelay:)`` plugs in its link.
    public func attachEndpoint(
        named endpointName: String, endpoint: (any NetworkEndpoint)?, ipv4: IPv4Address, guid: GUID? = nil
    ) throws(FabricError) -> EthernetAttachment {
        guard attachmentsByName[endpointName] == nil else {
            throw .invalidTopology("endpoint name '\(endpointName)' used twice")
        }
        guard neighbours[ipv4.mappedGID] == nil else { throw .invalidTopology("IPv4 address \(ipv4) used twice") }
        let mac = guid.map(MACAddress.init(guid:)) ?? MACAddress(name: "\(name).\(endpointName)")
        guard !macAddressesInUse.contains(mac) else {
            throw .invalidTopology("MAC address \(mac) of '\(endpointName)' is already in use")
        }
        let index = attachments.count
        let port = addPort(owner: .nic(index), name: endpointName)
        let attachment = EthernetAttachment(
            name: endpointName, macAddress: mac, ipv4Address: ipv4, endpoint: endpoint, fabric: self, index: index,
            portIndex: port)
        attachments.append(attachment)
        attachmentsByName[endpointName] = index
        neighbours[attachment.gid] = mac
        macAddressesInUse.insert(mac)
        return attachment
    }

    /// Connects two ports with a full-duplex link called `linkName` (a fault target), of
    /// `rate` and one-way `propagationDelay` (the configuration's defaults when nil). The link
    /// comes up at once; attached endpoints are told their port changed.
    public func connect(
        _ a: EthernetPortReference, _ b: EthernetPortReference, link linkName: String,
        rate: EthernetLinkRate? = nil, propagationDelay: TimeSpan? = nil
    ) throws(FabricError) {
        try checkNewFaultTarget(linkName)
        let first = try portIndex(of: a)
        let second = try portIndex(of: b)
        guard first != second else { throw .invalidTopology("link \(linkName) connects \(a) to itself") }
        for (index, reference) in [(first, a), (second, b)] where ports[index].link != nil {
            throw .invalidTopology("port \(reference) is already connected")
        }
        let rate = rate ?? configuration.linkRate
        let delay = propagationDelay ?? configuration.propagationDelay
        guard delay >= .zero else { throw .invalidTopology("link \(linkName) has a negative delay") }
        if let pfc = configuration.priorityFlowControl {
            let headroom = PriorityFlowControl.headroomBytes(
                rate: rate, propagationDelay: delay, maximumFrameBytes: configuration.maximumFrameBytes)
            for index in [first, second] {
                let port = ports[index]
                switch port.owner {
                case .bridge:
                    port.xoffBytes = pfc.switchXoffBytes
                    port.xonBytes = pfc.switchXoffBytes - pfc.hysteresisBytes
                    port.losslessLimitBytes = pfc.switchXoffBytes + headroom
                case .nic(let nic):
                    let xoff = configuration.nicReceiveBufferBytes - headroom
                    guard xoff - pfc.hysteresisBytes >= configuration.maximumFrameBytes else {
                        throw .invalidTopology(
                            "NIC receive buffer of \(port.name) leaves no room below its \(headroom)-byte PFC headroom")
                    }
                    attachments[nic].xoffBytes = xoff
                    attachments[nic].xonBytes = xoff - pfc.hysteresisBytes
                }
            }
        }
        let index = links.count
        links.append(
            EthernetLink(
                name: linkName, ends: (first, second), rate: rate, propagationDelay: delay,
                random: simulator.randomStream(for: "\(name).\(linkName)")))
        linksByName[linkName] = index
        ports[first].link = index
        ports[second].link = index
        refreshLink(index)
    }

    private func addPort(owner: EthernetPort.Owner, name portName: String) -> Int {
        let index = ports.count
        ports.append(EthernetPort(index: index, owner: owner, name: portName))
        return index
    }

    func portIndex(of reference: EthernetPortReference) throws(FabricError) -> Int {
        switch reference {
        case .endpoint(let endpointName):
            guard let index = attachmentsByName[endpointName] else {
                throw .invalidTopology("no endpoint named '\(endpointName)'")
            }
            return attachments[index].portIndex
        case .switchPort(let switchName, let number):
            guard let index = switchesByName[switchName] else { throw .invalidTopology("no switch named '\(switchName)'") }
            let switchPorts = switches[index].ports
            guard (1...switchPorts.count).contains(number) else {
                throw .invalidTopology("switch \(switchName) has ports 1…\(switchPorts.count), not \(number)")
            }
            return switchPorts[number - 1]
        }
    }

    /// Links and switches share one namespace: the targets of faults.
    private func checkNewFaultTarget(_ target: String) throws(FabricError) {
        guard linksByName[target] == nil && switchesByName[target] == nil else {
            throw .invalidTopology("name '\(target)' is already a link or switch")
        }
    }

    /// The names faults can target, sorted.
    public var faultTargets: [String] { (Array(linksByName.keys) + Array(switchesByName.keys)).sorted() }

    // MARK: Queries

    /// Whether the link plugged into `port` carries frames.
    func isCarrying(port: Int) -> Bool {
        guard let link = ports[port].link else { return false }
        return links[link].operational
    }

    /// The rate of `port`'s link, or the default rate while it has none.
    func rate(of port: Int) -> EthernetLinkRate {
        ports[port].link.map { links[$0].rate } ?? configuration.linkRate
    }

    func statistics(ofPort port: Int) -> EthernetPortStatistics {
        ports[port].statistics(at: simulator.now)
    }

    /// What a port has done so far.
    public func statistics(of reference: EthernetPortReference) throws(FabricError) -> EthernetPortStatistics {
        statistics(ofPort: try portIndex(of: reference))
    }

    /// Frame conservation over the whole fabric.
    public var totals: EthernetFabricTotals {
        var totals = EthernetFabricTotals()
        totals.framesOffered = framesOffered
        totals.floodCopies = floodCopies
        totals.framesInFabric = frames.inUse
        for port in ports {
            totals.framesDelivered += port.statistics.framesDelivered
            totals.framesFiltered += port.statistics.framesFiltered
            totals.drops += port.statistics.drops
        }
        return totals
    }

    /// Bytes held in switch buffers (lossy egress and lossless ingress accounting); zero when
    /// the fabric is empty.
    public var switchBufferedBytes: Int {
        ports.reduce(0) { $0 + $1.lossyBytes + $1.ingressBytes.reduce(0, +) }
    }

    /// The clog state of the link called `linkName` (nil for an unknown name).
    public func clogState(ofLink linkName: String) -> LinkClogState? {
        guard let index = linksByName[linkName] else { return nil }
        let link = links[index]
        let current = link.clogged ? simulator.now - link.cloggedSince : .zero
        return LinkClogState(clogged: link.clogged, clogs: link.clogs, cloggedTime: link.cloggedTime + current)
    }

    /// Addresses switch `switchName` has learned (nil for an unknown switch).
    public func learnedAddressCount(ofSwitch switchName: String) -> Int? {
        switchesByName[switchName].map { switches[$0].learnedCount }
    }
}
