import Hardware
import SimCore
import Timebase

/// An endpoint that streams synthetic packets (tests and benchmarks): copies of a template
/// with increasing PSNs, sent to its destinations in turn, either paced (one packet per
/// ``interval``) or as fast as its port accepts them (``interval`` nil). It starts once its
/// port is ACTIVE and its destinations have LIDs, and releases whatever it receives at once.
///
/// A paced packet that the transmit queue refuses stays due and goes as soon as the port
/// reports room (``NetworkEndpoint/networkTransmitReady()``): the generator never drops.
public final class TrafficGenerator: SimComponent, NetworkEndpoint {
    public let name: String
    private let simulator: Simulator
    private var id = ComponentID(index: 0)
    /// The port it sends through; set it before the fabric starts.
    public var attachment: (any NetworkAttachment)?
    /// The ports it sends to, in turn.
    public var destinations: [any NetworkAttachment] = []
    /// The packet sent (its LIDs and PSN are filled in per packet).
    public var template: TransportPacket
    /// Time between packets; nil sends back to back, as fast as the port accepts.
    public var interval: TimeSpan?
    /// Packets to send (nil: no limit).
    public var limit: Int?
    /// No packet becomes due after this instant.
    public var stopTime: Instant = .distantFuture

    /// Packets accepted by the port.
    @exclusivity(unchecked) public private(set) var sent = 0
    /// Packets received (and released at once).
    @exclusivity(unchecked) public private(set) var received = 0
    /// When the first packet was accepted.
    @exclusivity(unchecked) public private(set) var firstSendTime: Instant?
    @exclusivity(unchecked) private var due = 0
    private var wanted = false
    @exclusivity(unchecked) private var running = false
    @exclusivity(unchecked) private var psn: UInt32 = 0
    @exclusivity(unchecked) private var nextDestination = 0

    private static let tick = EventKind(rawValue: 0)

    /// A generator of RDMA-WRITE-middle packets of `payload` bytes on `serviceLevel`.
    public init(name: String, simulator: Simulator, payload: Int = 2048, serviceLevel: UInt8 = 0) {
        self.name = name
        self.simulator = simulator
        var packet = TransportPacket(opcode: .rdmaWriteMiddle, destinationQP: 1, psn: 0)
        packet.payloadLength = payload
        packet.serviceLevel = serviceLevel
        template = packet
        id = simulator.register(self, name: name)
    }

    /// Starts sending as soon as the port is ACTIVE (now, if it already is).
    public func start() {
        wanted = true
        beginIfReady()
    }

    private var limitReached: Bool { limit.map { sent >= $0 } ?? false }

    private func beginIfReady() {
        guard wanted, !running, let attachment, attachment.portState == .active,
            destinations.allSatisfy({ $0.lid != 0 })
        else { return }
        running = true
        if interval != nil {
            simulator.schedule(Self.tick, for: id, after: .zero)
        } else {
            fill()
        }
    }

    private func makePacket() -> TransportPacket {
        var packet = template
        let destination = destinations[nextDestination]
        nextDestination = nextDestination + 1 == destinations.count ? 0 : nextDestination + 1
        packet.destinationLID = destination.lid
        packet.sourceLID = attachment!.lid
        packet.psn = psn
        psn = (psn + 1) & 0xFF_FFFF
        return packet
    }

    private func offer() -> Bool {
        guard !limitReached, let attachment else { return false }
        let index = nextDestination
        let savedPSN = psn
        guard attachment.transmit(makePacket()) else {
            nextDestination = index
            psn = savedPSN
            return false
        }
        if firstSendTime == nil { firstSendTime = simulator.now }
        sent += 1
        return true
    }

    private func fill() {
        while offer() {}
    }

    private func drain() {
        while due > 0 && offer() { due -= 1 }
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        guard running, simulator.now <= stopTime, !limitReached, let interval else { return }
        due += 1
        drain()
        simulator.schedule(Self.tick, for: id, after: interval)
    }

    public func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt) {
        received += 1
        attachment?.release(receipt)
    }

    public func networkTransmitReady() {
        guard running else { return }
        if interval == nil { fill() } else { drain() }
    }

    public func networkPortChanged() {
        if attachment?.portState != .active { running = false }
        beginIfReady()
    }
}
