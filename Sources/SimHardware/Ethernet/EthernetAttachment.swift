import Hardware
import Timebase

/// The NIC port of one endpoint on an ``EthernetFabric``: what an HCA (or a traffic
/// generator) sends RoCE v2 through, as a ``NetworkAttachment``.
///
/// **Addressing.** The port has a MAC address (from its GUID, or from its name), an IPv4
/// address and the IPv4-mapped GID `::ffff:a.b.c.d` that RoCE v2 uses as its address. A packet
/// goes to the MAC address the fabric's neighbour table gives for its destination GID: the
/// table is filled as endpoints attach and stands for ARP (which a real host would run, and
/// whose frames teach switches nothing this model needs). A packet whose GID has no entry is
/// accepted and discarded, as an unanswered ARP would leave it (``EthernetPortStatistics/framesUnresolved``).
///
/// **Receive buffer.** A delivered frame holds its bytes of the finite receive buffer until the
/// endpoint releases its receipt. A frame that does not fit is dropped (overflow); with PFC,
/// the NIC pauses its link partner's lossless priorities once the buffer passes
/// `receive buffer − headroom`, and resumes them `hysteresisBytes` lower.
///
/// **Port state.** Active while the link carries frames (there is no subnet manager on
/// Ethernet), down otherwise; ``NetworkEndpoint/networkPortChanged()`` follows each change.
/// LIDs are 0.
public final class EthernetAttachment: NetworkAttachment {
    /// The endpoint's name in the topology.
    public let name: String
    public let macAddress: MACAddress
    public let ipv4Address: IPv4Address
    /// The IPv4-mapped GID: the port's address on RoCE v2.
    public let gid: GID
    /// The device attached; held weakly (the device owns its attachment).
    public weak var endpoint: (any NetworkEndpoint)?

    let fabric: EthernetFabric
    let index: Int
    let portIndex: Int
    /// The endpoint is off the network (``setEndpointFailed(_:)``).
    private(set) var failed = false
    /// Priorities whose full transmit queue refused a packet since the last ready call.
    var refusedMask: UInt8 = 0

    // MARK: Receive buffer

    /// Bytes of frames the NIC can hold for the endpoint.
    public let receiveBufferBytes: Int
    /// Bytes held by delivered frames not yet released.
    public private(set) var receiveBufferUsed = 0
    /// PFC thresholds (set when the link is connected): pause at XOFF, resume at XON.
    var xoffBytes = Int.max
    var xonBytes = Int.max
    private var receiptBytes: [Int] = []
    private var receiptGenerations: [UInt32] = []
    private var freeReceipts: [Int] = []

    init(
        name: String, macAddress: MACAddress, ipv4Address: IPv4Address, endpoint: (any NetworkEndpoint)?,
        fabric: EthernetFabric, index: Int, portIndex: Int
    ) {
        self.name = name
        self.macAddress = macAddress
        self.ipv4Address = ipv4Address
        gid = ipv4Address.mappedGID
        self.endpoint = endpoint
        self.fabric = fabric
        self.index = index
        self.portIndex = portIndex
        receiveBufferBytes = fabric.configuration.nicReceiveBufferBytes
    }

    // MARK: NetworkAttachment

    public var linkLayer: LinkLayer { .ethernet }
    public var portState: PortState { !failed && fabric.isCarrying(port: portIndex) ? .active : .down }
    public var lid: UInt16 { 0 }
    public var subnetManagerLID: UInt16 { 0 }
    /// The label verbs would report for this rate (see ``EthernetLinkRate/activeWidth``).
    public var activeWidth: LinkWidth { fabric.rate(of: portIndex).activeWidth }
    public var activeSpeed: LinkSpeed { fabric.rate(of: portIndex).activeSpeed }
    /// The true Ethernet data rate of the link (10 Gb/s, 1 Gb/s).
    public var dataRate: Int64 { fabric.rate(of: portIndex).bitsPerSecond }
    public var maxMTU: MTU { fabric.configuration.maxMTU }
    public var transmitQueueCapacity: Int { fabric.configuration.transmitQueueCapacity }

    /// Queues `packet` on its priority (service level modulo 8).
    ///
    /// - Precondition: the payload fits ``maxMTU``.
    public func transmit(_ packet: TransportPacket) -> Bool {
        fabric.transmit(packet, from: self)
    }

    public func release(_ receipt: ReceiveReceipt) {
        let slot = Int(truncatingIfNeeded: receipt.rawValue & 0xffff_ffff)
        let generation = UInt32(truncatingIfNeeded: receipt.rawValue >> 32)
        precondition(
            slot < receiptBytes.count && receiptGenerations[slot] == generation && receiptBytes[slot] > 0,
            "\(name): receipt \(receipt.rawValue) released twice or never issued")
        receiveBufferUsed -= receiptBytes[slot]
        precondition(receiveBufferUsed >= 0, "\(name): receive buffer accounting went negative")
        receiptBytes[slot] = 0
        receiptGenerations[slot] &+= 1
        freeReceipts.append(slot)
        fabric.receiveBufferReleased(by: self)
    }

    public func setEndpointFailed(_ failed: Bool) {
        guard failed != self.failed else { return }
        self.failed = failed
        fabric.endpointFailureChanged(self)
    }

    // MARK: Statistics

    /// What the NIC's port has done so far.
    public var statistics: EthernetPortStatistics { fabric.statistics(ofPort: portIndex) }

    // MARK: Fabric side

    /// Takes `bytes` of the receive buffer for a delivered frame; nil when they do not fit.
    func hold(bytes: Int) -> ReceiveReceipt? {
        guard receiveBufferUsed + bytes <= receiveBufferBytes else { return nil }
        receiveBufferUsed += bytes
        precondition(receiveBufferUsed <= receiveBufferBytes, "\(name): receive buffer overfilled")
        let slot: Int
        if let reused = freeReceipts.popLast() {
            slot = reused
        } else {
            slot = receiptBytes.count
            receiptBytes.append(0)
            receiptGenerations.append(0)
        }
        receiptBytes[slot] = bytes
        return ReceiveReceipt(rawValue: UInt64(receiptGenerations[slot]) << 32 | UInt64(slot))
    }

    /// Receipts delivered and not yet released.
    public var heldReceipts: Int { receiptBytes.count - freeReceipts.count }
}
