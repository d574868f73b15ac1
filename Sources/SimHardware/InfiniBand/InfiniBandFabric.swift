import Hardware
import SimCore
import Timebase

/// A switch of an ``InfiniBandFabric``.
public struct SwitchID: Hashable, Sendable {
    public var index: Int
}

/// One end of a link: an endpoint's CA port, or port `number` (1…portCount) of a switch.
public enum InfiniBandPortReference {
    case endpoint(InfiniBandPortAttachment)
    case switchPort(SwitchID, Int)
}

/// An InfiniBand subnet in virtual time: CA ports, switches, links, and a subnet manager.
///
/// **Model** (parameters in ``InfiniBandConfiguration``, sources in `../shared/REFERENCE.md`):
/// - *Links* of 1X/4X/12X at SDR/DDR; a packet's serialisation time is its
///   ``TransportPacket/infiniBandWireBytes`` (LRH, GRH if present, BTH … ICRC, payload, pad,
///   VCRC) at the link's data rate after 8b/10b coding. Link-layer idles, skip ordered sets
///   and flow-control packets are not counted (REFERENCE §C.2's efficiency figure does the
///   same).
/// - *Ports* have one input buffer per data VL, sized in credits (64-byte blocks, [unverified]
///   §C.2), and a VL15 buffer for management packets (destination QP 0), which is not
///   flow-controlled: VL15 packets go first and are dropped if its buffer is full.
///   Each port maps SL→VL with its own table (default SL mod data VLs).
/// - *Credit-based flow control per VL*: a port starts a packet only when the receiver's
///   input buffer for the packet's VL has room for all of it; the credits come back, one
///   propagation delay later, when the packet leaves that buffer (forwarded out of a switch,
///   or released by the endpoint with ``NetworkAttachment/release(_:)``). Nothing is ever
///   dropped for congestion. Returns are kept in a time-ordered list per sender and absorbed
///   when it next looks; an event is scheduled only when a sender is starved.
/// - *VL arbitration* at an output port: VL15 first, then round-robin among the data VLs whose
///   head packet fits the receiver's credits. Within one VL of a switch output, input ports
///   are served in the order their head packets asked for it (first come, first served).
/// - *Switches* do virtual cut-through: a packet may leave once its LRH has arrived and the
///   ``InfiniBandConfiguration/switchLatency`` has passed (50 ns, §B.2), if the output link is
///   free and credits allow; it cannot finish leaving before its tail has arrived. It holds
///   its input-buffer credits until its tail has left. Each input buffer is a FIFO per VL, so
///   a head blocked on a busy output blocks the packets behind it (head-of-line blocking).
///   The VCRC check is made when the header arrives (a real cut-through switch would stomp
///   the CRC and let the next hop discard it; the drop is counted at this hop instead).
/// - *Forwarding* uses linear forwarding tables (DLID → output port) programmed by the
///   ``SubnetManager``, which also assigns LIDs and activates ports.
///
/// **Faults** (``schedule(_:at:)``): link down/up, switch failure/recovery, corruption, loss,
/// added delay, clog/unclog (the link's ports start nothing until unclogged; nothing is lost:
/// senders stall on credits as behind a slow receiver). Packets on a link that goes down and in its ports' buffers are lost; packets
/// queued for a port that is down are discarded; every drop is counted by reason. A lost or
/// corrupted packet's credits still come back (on hardware the flow-control packets' FCTBS
/// field resynchronises the count).
///
/// The whole fabric is one ``SimComponent``: ports, queues and packets live in flat arrays
/// indexed by integers (a packet pool with a free list), so the data path allocates nothing
/// per packet and events carry a port or packet index in their payload.
public final class InfiniBandFabric: SimComponent {
    public let name: String
    public let configuration: InfiniBandConfiguration
    let simulator: Simulator
    var id = ComponentID(index: 0)
    /// Slots per port in the per-VL arrays: the data VLs, then VL15.
    let vlStride: Int
    var managementVL: Int { vlStride - 1 }
    var started = false

    // MARK: Topology
    //
    // The arrays below are `@exclusivity(unchecked)`: the package keeps dynamic exclusivity
    // checks on outside SimCore, and on these arrays they cost 60 % of the benchmark's
    // instructions (callgrind: 216 M → 91 M instructions for 0.02 s simulated, 0.6 → 1.9 M
    // packets per wall second). The fabric is touched by one thread, the simulator's, and no
    // method holds an `inout` access to one of them across a call out to an endpoint.

    struct Port {
        /// The switch the port belongs to, or -1 for an endpoint's CA port.
        var switchIndex: Int32
        /// Port number on the switch (1…n); 1 for a CA port.
        var number: Int32
        /// The endpoint index of a CA port, else -1.
        var endpoint: Int32
        var link: Int32 = -1
        var peer: Int32 = -1
        /// Serialising a packet (its txDone is pending).
        var busy = false
        /// Activated by the subnet manager and the link up: carries data.
        var active = false
        var lid: UInt16 = 0
        var roundRobin: Int32 = 0
        /// Has a packet and a free link but no credits for it.
        var starved = false
        var wakePending = false
        var stallSince = Instant.zero
        var returnHead: Int32 = -1
        var returnTail: Int32 = -1
        var lastReturnTime = Instant.zero
        /// Service levels whose transmit queue refused a packet (CA ports).
        var refusedMask: UInt16 = 0
        var readyPending = false
        var isSwitchPort: Bool { switchIndex >= 0 }
    }

    struct Link {
        var name: String
        var portA: Int32
        var portB: Int32
        var configuration: InfiniBandLinkConfiguration
        var dataRate: Int64
        /// Serialisation time of the LRH (what a cut-through switch needs to route).
        var headerTime: TimeSpan
        var administrativelyUp = true
        var up = false
        /// Incremented at every up and down transition: stale events and receipts compare it.
        var epoch: UInt32 = 0
        var corruption: (numerator: UInt64, denominator: UInt64) = (0, 1)
        var loss: (numerator: UInt64, denominator: UInt64) = (0, 1)
        var addedDelay = TimeSpan.zero
        var random: RandomStream
        var downTransitions = 0
        /// Holding packets (a clog fault): no port of the link starts one.
        var clogged = false
        var clogs = 0
        var cloggedSince = Instant.zero
        var cloggedTime = TimeSpan.zero
        var delay: TimeSpan { configuration.propagationDelay + addedDelay }
    }

    struct Switch {
        var name: String
        var firstPort: Int32
        var portCount: Int32
        var failed = false
        var lid: UInt16 = 0
    }

    @exclusivity(unchecked) var ports: ContiguousArray<Port> = []
    @exclusivity(unchecked) var links: ContiguousArray<Link> = []
    @exclusivity(unchecked) var switches: ContiguousArray<Switch> = []
    @exclusivity(unchecked) var endpoints: [any NetworkEndpoint] = []
    var attachments: [InfiniBandPortAttachment] = []
    var endpointFailed: [Bool] = []
    /// The CA port of each endpoint.
    var endpointPorts: [Int32] = []
    var linkIndexByName: [String: Int] = [:]  // look-ups only, never iterated
    var switchIndexByName: [String: Int] = [:]  // look-ups only, never iterated
    var endpointNames: [String] = []
    /// Per port × 16 SLs: the VL a packet of that SL takes on the port's link.
    @exclusivity(unchecked) var slToVL: ContiguousArray<UInt8> = []
    var subnetManager: SubnetManager?
    /// The SM's LID once it has swept (0 before).
    var subnetManagerLID: UInt16 = 0

    /// Linear forwarding tables, `lftStride` entries per switch: the output port (a global
    /// port index) for each DLID, -1 for none.
    @exclusivity(unchecked) var lft: ContiguousArray<Int32> = []
    @exclusivity(unchecked) var lftStride = 0

    // MARK: Data path state (see InfiniBandFabric+DataPath.swift)

    struct PacketQueue {
        var head: Int32 = -1
        var tail: Int32 = -1
        var count: Int32 = 0
        /// Credits held by the packets in the buffer (input buffers), or queued (transmit).
        var credits: Int32 = 0
    }

    struct PacketMeta {
        var next: Int32 = -1
        var credits: Int32 = 0
        var wireBytes: Int32 = 0
        /// The VL on the link it is crossing or the buffer it sits in.
        var vl: UInt8 = 0
        var serviceLevel: UInt8 = 0
        var lost = false
        /// Delivered to an endpoint, held until its receipt is released.
        var delivered = false
        var inUse = false
        /// The port it arrives at, or whose buffer it sits in.
        var receiver: Int32 = -1
        /// The epoch of the link it arrived on.
        var epoch: UInt32 = 0
        var generation: UInt32 = 0
        /// When its last byte arrives (has arrived) at `receiver`.
        var tailArrival = Instant.zero
    }

    struct CreditReturn {
        var time: Instant
        var next: Int32
        var vl: Int32
        var credits: Int32
    }

    @exclusivity(unchecked) var packets: ContiguousArray<TransportPacket> = []
    @exclusivity(unchecked) var meta: ContiguousArray<PacketMeta> = []
    @exclusivity(unchecked) var freeSlots: ContiguousArray<Int32> = []
    /// Per port × VL (`port * vlStride + vl`): the port's input buffer.
    @exclusivity(unchecked) var inputQueues: ContiguousArray<PacketQueue> = []
    /// Per port × VL: a CA port's transmit queue (after SL→VL mapping).
    @exclusivity(unchecked) var transmitQueues: ContiguousArray<PacketQueue> = []
    /// Per port × SL: packets in a CA port's transmit queue.
    @exclusivity(unchecked) var transmitCounts: ContiguousArray<Int32> = []
    /// Per port × VL (sender's view): credits free in the peer's input buffer for that VL.
    @exclusivity(unchecked) var credits: ContiguousArray<Int32> = []
    /// Per output port × VL: the input buffers (port × VL indices) whose head packet waits
    /// for this output, FIFO through `requestNext`.
    @exclusivity(unchecked) var requestHead: ContiguousArray<Int32> = []
    @exclusivity(unchecked) var requestTail: ContiguousArray<Int32> = []
    @exclusivity(unchecked) var requestNext: ContiguousArray<Int32> = []
    /// Per input buffer: the output port × VL its head waits for, or -1.
    @exclusivity(unchecked) var requestTarget: ContiguousArray<Int32> = []
    @exclusivity(unchecked) var returns: ContiguousArray<CreditReturn> = []
    @exclusivity(unchecked) var freeReturns: ContiguousArray<Int32> = []
    @exclusivity(unchecked) var portStatistics: ContiguousArray<InfiniBandPortStatistics> = []
    var faults: [FabricFault] = []
    /// Sees every packet an endpoint sends (`--pcap`); nil: no capture.
    public var packetTap: (any PacketTap)?
    /// Packets delivered intact to endpoints.
    @exclusivity(unchecked) public internal(set) var deliveredPackets = 0

    static let txDone = EventKind(rawValue: 0)
    static let arrive = EventKind(rawValue: 1)
    static let wake = EventKind(rawValue: 2)
    static let ready = EventKind(rawValue: 3)
    static let portChanged = EventKind(rawValue: 4)
    static let fault = EventKind(rawValue: 5)

    /// A fabric registered with `simulator` as `name`; traps if `configuration` is invalid.
    public init(name: String, simulator: Simulator, configuration: InfiniBandConfiguration = .init()) {
        let errors = configuration.validationErrors()
        precondition(errors.isEmpty, "InfiniBand fabric \(name): \(errors.joined(separator: "; "))")
        self.name = name
        self.configuration = configuration
        self.simulator = simulator
        vlStride = configuration.dataVirtualLanes + 1
        id = simulator.register(self, name: name)
    }

    // MARK: Building the topology

    /// Adds a switch with ports 1…`portCount` (port 0, its management port, is implicit).
    public func addSwitch(named switchName: String, portCount: Int) throws(FabricError) -> SwitchID {
        precondition(!started, "topology changes after start()")
        guard (1...254).contains(portCount) else {
            throw .invalidTopology("switch '\(switchName)' needs 1…254 ports, not \(portCount)")
        }
        try checkNewTargetName(switchName)
        let first = Int32(ports.count)
        for number in 1...portCount { addPort(switchIndex: Int32(switches.count), number: Int32(number), endpoint: -1) }
        switches.append(Switch(name: switchName, firstPort: first, portCount: Int32(portCount)))
        switchIndexByName[switchName] = switches.count - 1
        return SwitchID(index: switches.count - 1)
    }

    /// Attaches an endpoint (an HCA port, a traffic generator) through a new CA port; connect
    /// the port with ``connect(_:_:named:link:)``. Its GID is link-local from `portGUID`.
    public func attachEndpoint(named endpointName: String, endpoint: any NetworkEndpoint, portGUID: GUID)
        -> InfiniBandPortAttachment
    {
        precondition(!started, "topology changes after start()")
        let port = Int32(ports.count)
        addPort(switchIndex: -1, number: 1, endpoint: Int32(endpoints.count))
        let attachment = InfiniBandPortAttachment(fabric: self, port: port, gid: GID(linkLocal: portGUID))
        endpoints.append(endpoint)
        attachments.append(attachment)
        endpointFailed.append(false)
        endpointPorts.append(port)
        endpointNames.append(endpointName)
        return attachment
    }

    /// Connects two free ports with a link called `linkName` (a fault target).
    public func connect(
        _ a: InfiniBandPortReference, _ b: InfiniBandPortReference, named linkName: String,
        link: InfiniBandLinkConfiguration? = nil
    ) throws(FabricError) {
        precondition(!started, "topology changes after start()")
        let settings = link ?? configuration.defaultLink
        let problems = settings.validationErrors()
        guard problems.isEmpty else { throw .invalidTopology("link '\(linkName)': " + problems.joined(separator: "; ")) }
        try checkNewTargetName(linkName)
        let portA = try resolve(a)
        let portB = try resolve(b)
        guard portA != portB else { throw .invalidTopology("link '\(linkName)' connects a port to itself") }
        for port in [portA, portB] where ports[Int(port)].link >= 0 {
            throw .invalidTopology("link '\(linkName)': \(describe(port: port)) is already connected")
        }
        let index = Int32(links.count)
        links.append(
            Link(
                name: linkName, portA: portA, portB: portB, configuration: settings, dataRate: settings.dataRate,
                headerTime: .transmission(bytes: TransportHeaderSize.lrh, bitsPerSecond: settings.dataRate),
                random: simulator.randomStream(for: name + "." + linkName)))
        linkIndexByName[linkName] = Int(index)
        ports[Int(portA)].link = index
        ports[Int(portA)].peer = portB
        ports[Int(portB)].link = index
        ports[Int(portB)].peer = portA
    }

    /// Runs the subnet manager on `attachment`'s CA port (one per fabric).
    @discardableResult
    public func addSubnetManager(at attachment: InfiniBandPortAttachment) -> SubnetManager {
        precondition(subnetManager == nil, "one subnet manager per fabric")
        let manager = SubnetManager(
            name: name + ".sm", fabric: self, port: attachment.port, configuration: configuration.subnetManager,
            simulator: simulator)
        subnetManager = manager
        return manager
    }

    /// Sets the SL→VL table of a port (16 entries, each a data VL).
    public func setServiceLevelToVirtualLaneTable(_ table: [UInt8], for reference: InfiniBandPortReference)
        throws(FabricError)
    {
        guard table.count == 16, table.allSatisfy({ Int($0) < configuration.dataVirtualLanes }) else {
            throw .invalidTopology("an SL→VL table has 16 entries below \(configuration.dataVirtualLanes)")
        }
        let port = Int(try resolve(reference))
        for sl in 0..<16 { slToVL[port * 16 + sl] = table[sl] }
    }

    /// Brings the links up (ports in INIT) and starts the subnet manager's first sweep.
    public func start() {
        precondition(!started, "start() called twice")
        started = true
        for link in links.indices where nodesAlive(link) { bringUp(link) }
        subnetManager?.start()
    }

    private func addPort(switchIndex: Int32, number: Int32, endpoint: Int32) {
        ports.append(Port(switchIndex: switchIndex, number: number, endpoint: endpoint))
        for _ in 0..<vlStride {
            inputQueues.append(PacketQueue())
            transmitQueues.append(PacketQueue())
            credits.append(Int32(configuration.inputBufferCredits))
            requestHead.append(-1)
            requestTail.append(-1)
            requestNext.append(-1)
            requestTarget.append(-1)
        }
        for sl in 0..<16 {
            slToVL.append(UInt8(sl % configuration.dataVirtualLanes))
            transmitCounts.append(0)
        }
        portStatistics.append(InfiniBandPortStatistics())
    }

    private func checkNewTargetName(_ target: String) throws(FabricError) {
        if linkIndexByName[target] != nil || switchIndexByName[target] != nil {
            throw .invalidTopology("the name '\(target)' is already used by a link or switch")
        }
    }

    func resolve(_ reference: InfiniBandPortReference) throws(FabricError) -> Int32 {
        switch reference {
        case .endpoint(let attachment):
            guard attachment.fabric === self else { throw .invalidTopology("the endpoint belongs to another fabric") }
            return attachment.port
        case .switchPort(let id, let number):
            guard switches.indices.contains(id.index) else { throw .invalidTopology("no switch \(id.index)") }
            let sw = switches[id.index]
            guard (1...Int(sw.portCount)).contains(number) else {
                throw .invalidTopology("switch '\(sw.name)' has ports 1…\(sw.portCount), not \(number)")
            }
            return sw.firstPort + Int32(number - 1)
        }
    }

    func describe(port: Int32) -> String {
        let p = ports[Int(port)]
        return p.isSwitchPort
            ? "port \(p.number) of switch '\(switches[Int(p.switchIndex)].name)'"
            : "the CA port of '\(endpointNames[Int(p.endpoint)])'"
    }

    // MARK: Statistics

    /// The statistics of an endpoint's CA port.
    public func statistics(of attachment: InfiniBandPortAttachment) -> InfiniBandPortStatistics {
        portStatistics[Int(attachment.port)]
    }

    /// The statistics of port `number` of a switch.
    public func statistics(ofSwitch id: SwitchID, port number: Int) -> InfiniBandPortStatistics {
        portStatistics[Int(switches[id.index].firstPort) + number - 1]
    }

    /// The statistics of the link called `linkName` (both ports), or nil.
    public func statistics(ofLink linkName: String) -> InfiniBandLinkStatistics? {
        guard let index = linkIndexByName[linkName] else { return nil }
        let link = links[index]
        return InfiniBandLinkStatistics(
            name: link.name, a: portStatistics[Int(link.portA)], b: portStatistics[Int(link.portB)],
            downTransitions: link.downTransitions)
    }

    /// Drops over every port, by reason.
    public var drops: InfiniBandDropCounts {
        var total = InfiniBandDropCounts()
        for statistics in portStatistics { total.add(statistics.drops) }
        return total
    }

    /// The names of the links and switches, sorted: the targets faults may name.
    public var faultTargets: [String] {
        (links.map(\.name) + switches.map(\.name)).sorted()
    }

    /// The output port number switch `id` forwards `lid` to, or nil (tests and reports).
    public func forwardingPort(of id: SwitchID, for lid: UInt16) -> Int? {
        guard Int(lid) < lftStride else { return nil }
        let port = lft[id.index * lftStride + Int(lid)]
        return port < 0 ? nil : Int(ports[Int(port)].number)
    }

    /// The clog state of the link called `linkName` (nil for an unknown name).
    public func clogState(ofLink linkName: String) -> LinkClogState? {
        guard let index = linkIndexByName[linkName] else { return nil }
        let link = links[index]
        let current = link.clogged ? simulator.now - link.cloggedSince : .zero
        return LinkClogState(clogged: link.clogged, clogs: link.clogs, cloggedTime: link.cloggedTime + current)
    }

    /// Whether the link called `linkName` is up (nil for an unknown name).
    public func isLinkUp(_ linkName: String) -> Bool? {
        linkIndexByName[linkName].map { links[$0].up }
    }
}
