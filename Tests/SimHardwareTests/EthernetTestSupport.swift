import Hardware
import SimCore
import SimHardware

/// A traffic generator and sink on an Ethernet fabric: sends a stream of synthetic RoCE
/// packets (RDMA WRITE middle, `payloadLength` bytes, no payload array) as fast as its
/// attachment accepts them, and counts what it receives. With a `releaseInterval` it is a slow
/// consumer: it releases one receipt per interval, oldest first.
final class EthernetTrafficEndpoint: NetworkEndpoint, SimComponent {
    let simulator: Simulator
    private(set) var id = ComponentID(index: 0)
    var attachment: EthernetAttachment!

    // Sending
    var payloadLength = 2048
    var serviceLevel: UInt8 = 0
    private var destinations: [GID] = []
    private var nextPSN: UInt32 = 0
    private(set) var accepted = 0
    private(set) var readyCalls = 0

    // Receiving
    private(set) var delivered = 0
    private(set) var deliveredPayloadBytes = 0
    private(set) var firstDelivery: Instant?
    private(set) var lastDelivery = Instant.zero
    private(set) var outOfOrder = 0
    private var lastPSNBySource: [GID: UInt32] = [:]  // look-up only
    var releaseInterval: TimeSpan?
    private var pending: [ReceiveReceipt] = []
    private var releasing = false

    // Port
    private(set) var portStates: [PortState] = []

    init(simulator: Simulator, name: String) {
        self.simulator = simulator
        id = simulator.register(self, name: name)
    }

    /// Queues `count` more packets to `destination` and sends what the attachment takes.
    func send(_ count: Int, to destination: GID) {
        destinations += repeatElement(destination, count: count)
        pump()
    }

    private func pump() {
        while accepted < destinations.count {
            var packet = TransportPacket(opcode: .rdmaWriteMiddle, destinationQP: 1, psn: nextPSN)
            packet.payloadLength = payloadLength
            packet.serviceLevel = serviceLevel
            packet.destinationGID = destinations[accepted]
            packet.sourceGID = attachment.gid
            guard attachment.transmit(packet) else { return }
            accepted += 1
            nextPSN += 1
        }
    }

    /// Goodput in bits per second between the first and the last delivery (the first frame's
    /// payload is not counted: it arrived at the start of the interval).
    var goodput: Double {
        guard let first = firstDelivery, delivered > 1, lastDelivery > first else { return 0 }
        return Double((delivered - 1) * payloadLength * 8) / (lastDelivery - first).seconds
    }

    func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt) {
        delivered += 1
        deliveredPayloadBytes += packet.payloadLength
        if firstDelivery == nil { firstDelivery = simulator.now }
        lastDelivery = simulator.now
        if let last = lastPSNBySource[packet.sourceGID], packet.psn <= last { outOfOrder += 1 }
        lastPSNBySource[packet.sourceGID] = packet.psn
        guard let interval = releaseInterval else { return attachment.release(receipt) }
        pending.append(receipt)
        if !releasing {
            releasing = true
            simulator.schedule(EventKind(rawValue: 1), for: id, after: interval)
        }
    }

    /// The slow consumer's release tick.
    func handle(_ event: Event, in simulator: Simulator) {
        attachment.release(pending.removeFirst())
        if pending.isEmpty {
            releasing = false
        } else {
            simulator.schedule(EventKind(rawValue: 1), for: id, after: releaseInterval!)
        }
    }

    func networkTransmitReady() {
        readyCalls += 1
        pump()
    }

    func networkPortChanged() {
        portStates.append(attachment.portState)
    }
}

/// A small Ethernet topology for tests: hosts `host0…` at 10.0.0.1…, either on one switch
/// `sw0` (host i on port i + 1 over link `link<i>`) or, for two hosts, on one direct link `link0`.
struct EthernetRig {
    let simulator: Simulator
    let fabric: EthernetFabric
    let hosts: [EthernetTrafficEndpoint]

    init(
        hosts count: Int, viaSwitch: Bool = true, configuration: EthernetFabricConfiguration = .init(),
        rate: EthernetLinkRate? = nil, seed: UInt64 = 1
    ) throws {
        simulator = Simulator(seed: seed)
        fabric = EthernetFabric(name: "eth", simulator: simulator, configuration: configuration)
        var hosts: [EthernetTrafficEndpoint] = []
        for index in 0..<count {
            let host = EthernetTrafficEndpoint(simulator: simulator, name: "host\(index)")
            host.attachment = try fabric.attachEndpoint(
                named: "host\(index)", endpoint: host, ipv4: IPv4Address(10, 0, 0, UInt8(index + 1)))
            hosts.append(host)
        }
        if viaSwitch {
            try fabric.addSwitch(named: "sw0", portCount: count + 1)
            for index in 0..<count {
                try fabric.connect(.endpoint("host\(index)"), .switchPort("sw0", index + 1), link: "link\(index)", rate: rate)
            }
        } else {
            precondition(count == 2)
            try fabric.connect(.endpoint("host0"), .endpoint("host1"), link: "link0", rate: rate)
        }
        self.hosts = hosts
    }

    /// The GID of host `index`.
    func gid(_ index: Int) -> GID { hosts[index].attachment.gid }
}
