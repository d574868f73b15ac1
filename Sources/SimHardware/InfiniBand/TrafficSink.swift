import Hardware
import SimCore
import Timebase

/// An endpoint that consumes packets (tests and benchmarks): it counts them and releases each
/// receipt at once, or, with a ``serviceTime``, one packet after another, each after that
/// much processing, which makes it a slow receiver whose held credits back-pressure the
/// senders.
public final class TrafficSink: SimComponent, NetworkEndpoint {
    public let name: String
    private let simulator: Simulator
    private var id = ComponentID(index: 0)
    /// The port it receives on; set it before the fabric starts.
    public var attachment: (any NetworkAttachment)?
    /// Processing time per packet; zero releases inside the delivery.
    public var serviceTime: TimeSpan

    /// Packets received.
    @exclusivity(unchecked) public private(set) var received = 0
    /// Payload bytes received.
    @exclusivity(unchecked) public private(set) var payloadBytes = 0
    /// Packets received from each source LID (index = LID).
    @exclusivity(unchecked) public private(set) var receivedBySource: [Int] = []
    @exclusivity(unchecked) public private(set) var firstArrival: Instant?
    @exclusivity(unchecked) public private(set) var lastArrival = Instant.zero
    /// Port state changes seen.
    public private(set) var portChanges = 0
    private var waiting: [ReceiveReceipt] = []
    private var nextWaiting = 0
    private var busy = false

    private static let serviced = EventKind(rawValue: 0)

    public init(name: String, simulator: Simulator, serviceTime: TimeSpan = .zero) {
        self.name = name
        self.simulator = simulator
        self.serviceTime = serviceTime
        id = simulator.register(self, name: name)
    }

    public func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt) {
        received += 1
        payloadBytes += packet.payloadLength
        let source = Int(packet.sourceLID)
        if source >= receivedBySource.count { receivedBySource += [Int](repeating: 0, count: source + 1 - receivedBySource.count) }
        receivedBySource[source] += 1
        if firstArrival == nil { firstArrival = simulator.now }
        lastArrival = simulator.now
        if serviceTime == .zero {
            attachment?.release(receipt)
            return
        }
        waiting.append(receipt)
        if !busy {
            busy = true
            simulator.schedule(Self.serviced, for: id, after: serviceTime)
        }
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        attachment?.release(waiting[nextWaiting])
        nextWaiting += 1
        if nextWaiting == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            nextWaiting = 0
            busy = false
        } else {
            simulator.schedule(Self.serviced, for: id, after: serviceTime)
        }
    }

    public func networkTransmitReady() {}

    public func networkPortChanged() { portChanges += 1 }
}
