import Hardware
import SimCore
@testable import SimHardware

/// A point-to-point cable for HCA tests that do not need a fabric: each direction serialises
/// packets at `dataRate` with InfiniBand wire sizes, adds `propagation`, and may lose packets
/// (a seeded `loss` fraction, or everything while `cut`). Receive buffers are unlimited.
final class TestWire: SimComponent {
    let simulator: Simulator
    var id = ComponentID(index: 0)
    let dataRate: Int64
    let propagation: TimeSpan
    var loss: (numerator: UInt64, denominator: UInt64) = (0, 1)
    var cut = false
    private var random: RandomStream
    private(set) var ends: [End] = []
    private(set) var lost = 0

    final class End: NetworkAttachment {
        unowned let wire: TestWire
        let index: Int
        var endpoint: (any NetworkEndpoint)?
        var queue: [TransportPacket] = []
        var busy = false
        var refused = false
        var lid: UInt16
        var gid: GID
        var failed = false
        init(wire: TestWire, index: Int, lid: UInt16) {
            self.wire = wire
            self.index = index
            self.lid = lid
            gid = GID(subnetPrefix: GID.linkLocalSubnetPrefix, interfaceID: UInt64(lid))
        }
        var linkLayer: LinkLayer { .infiniBand }
        var portState: PortState { failed ? .down : .active }
        var subnetManagerLID: UInt16 { 1 }
        var activeWidth: LinkWidth { .x4 }
        var activeSpeed: LinkSpeed { .sdr }
        var dataRate: Int64 { wire.dataRate }
        var maxMTU: MTU { .mtu2048 }
        var transmitQueueCapacity: Int { 4 }
        func transmit(_ packet: TransportPacket) -> Bool {
            guard !failed, queue.count < transmitQueueCapacity else {
                refused = true
                return false
            }
            queue.append(packet)
            if !busy { wire.start(self) }
            return true
        }
        func release(_ receipt: ReceiveReceipt) { wire.released += 1 }
        func setEndpointFailed(_ failed: Bool) { self.failed = failed }
    }

    var released = 0
    private var inFlight: [(to: Int, packet: TransportPacket)] = []
    private var inFlightHead = 0

    init(simulator: Simulator, name: String = "wire", dataRate: Int64 = 8_000_000_000, propagation: TimeSpan = .nanoseconds(100)) {
        self.simulator = simulator
        self.dataRate = dataRate
        self.propagation = propagation
        random = simulator.randomStream(for: name)
        id = simulator.register(self, name: name)
        ends = [End(wire: self, index: 0, lid: 1), End(wire: self, index: 1, lid: 2)]
    }

    /// Plugs `hca`'s port 1 into end `index`.
    func plug(_ hca: SimHCA, into index: Int) {
        ends[index].endpoint = hca.endpoint(port: 1)
        hca.attach(port: 1, to: ends[index])
    }

    static let transmitted = EventKind(rawValue: 1)
    static let arrived = EventKind(rawValue: 2)

    fileprivate func start(_ end: End) {
        end.busy = true
        let time = TimeSpan.transmission(bytes: end.queue[0].infiniBandWireBytes, bitsPerSecond: dataRate)
        simulator.schedule(Self.transmitted, for: id, after: time, payload: UInt64(end.index))
    }

    func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.transmitted:
            let end = ends[Int(event.payload)]
            let packet = end.queue.removeFirst()
            let dropped = cut || end.failed || ends[1 - end.index].failed || (loss.numerator > 0 && random.chance(loss.numerator, outOf: loss.denominator))
            if dropped {
                lost += 1
            } else {
                inFlight.append((1 - end.index, packet))
                simulator.schedule(Self.arrived, for: id, after: propagation)
            }
            end.busy = false
            if !end.queue.isEmpty { start(end) }
            if end.refused {
                end.refused = false
                end.endpoint?.networkTransmitReady()
            }
        case Self.arrived:
            let (to, packet) = inFlight[inFlightHead]
            inFlightHead += 1
            ends[to].endpoint?.networkDelivered(packet, receipt: ReceiveReceipt(rawValue: 0))
        default:
            fatalError("unexpected wire event")
        }
    }
}

/// One side of a verbs test: an HCA, its opened context, a PD, a CQ and a registered buffer.
final class VerbsPeer {
    let hca: SimHCA
    let context: SimVerbsContext
    let domain: any ProtectionDomain
    let cq: any CompletionQueue
    let memory: any MemoryRegion
    let events = AsyncEventLog()

    init(name: String, simulator: Simulator, host: HostInterface = .ideal(latency: .zero), bytes: Int = 1 << 20,
         configuration: HCAConfiguration = HCAConfiguration()) throws {
        hca = SimHCA(name: name, guid: GUID(rawValue: StableHash.fnv1a64(name)), host: host, configuration: configuration, simulator: simulator)
        context = try SimVerbsProvider(adapters: [hca]).openDevice(named: name) as! SimVerbsContext
        context.setAsyncEventHandler(events)
        domain = try context.allocateProtectionDomain()
        cq = try context.createCompletionQueue(minimumEntries: 4096, observer: nil, token: 1)
        memory = try domain.allocateMemoryRegion(length: bytes, access: .remoteReadWrite)
    }

    func makeQP(type: QueuePairType = .reliableConnected, depth: Int = 1024) throws -> any QueuePair {
        try domain.createQueuePair(
            type: type, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: depth, maxReceiveWorkRequests: depth,
                                                maxSendScatterGatherElements: 4, maxReceiveScatterGatherElements: 4,
                                                maxInlineData: 128),
            signalAllSends: false)
    }

    func poll() -> [WorkCompletion] { cq.poll(maxEntries: 100_000) }
}

final class AsyncEventLog: VerbsAsyncEventHandler {
    var events: [VerbsAsyncEvent] = []
    func verbsAsyncEvent(_ event: VerbsAsyncEvent) { events.append(event) }
}

/// Brings two RC QPs to RTS, connected to each other across `wire`-style LIDs 1 and 2.
func connect(
    _ a: any QueuePair, lid aLID: UInt16, _ b: any QueuePair, lid bLID: UInt16, timeout: UInt8 = 14,
    retryCount: UInt8 = 7, rnrRetry: UInt8 = 7, minRNRTimer: UInt8 = 1
) throws {
    for (qp, peer, peerLID) in [(a, b, bLID), (b, a, aLID)] {
        try qp.modify(.initialize(port: 1, access: .remoteReadWrite))
        try qp.modify(.readyToReceive(
            path: AddressHandleAttributes(destinationLID: peerLID), destinationQPNumber: peer.queuePairNumber,
            receivePSN: 100, pathMTU: .mtu2048, maxDestinationReadAtomic: 4, minRNRTimer: minRNRTimer))
        try qp.modify(.readyToSend(sendPSN: 100, timeout: timeout, retryCount: retryCount, rnrRetry: rnrRetry, maxReadAtomic: 4))
    }
}

/// A simulator with two peers joined by a test wire, RC QPs connected.
struct WiredPair {
    let simulator: Simulator
    let wire: TestWire
    let a: VerbsPeer
    let b: VerbsPeer
    let qpA: any QueuePair
    let qpB: any QueuePair

    init(seed: UInt64 = 1, hostA: HostInterface = .ideal(latency: .zero), hostB: HostInterface = .ideal(latency: .zero),
         timeout: UInt8 = 14, retryCount: UInt8 = 7, rnrRetry: UInt8 = 7, simulator: Simulator? = nil) throws {
        let simulator = simulator ?? Simulator(seed: seed)
        self.simulator = simulator
        wire = TestWire(simulator: simulator)
        a = try VerbsPeer(name: "a.hca0", simulator: simulator, host: hostA)
        b = try VerbsPeer(name: "b.hca0", simulator: simulator, host: hostB)
        wire.plug(a.hca, into: 0)
        wire.plug(b.hca, into: 1)
        qpA = try a.makeQP()
        qpB = try b.makeQP()
        try connect(qpA, lid: 1, qpB, lid: 2, timeout: timeout, retryCount: retryCount, rnrRetry: rnrRetry)
    }

    func run(for span: TimeSpan = .milliseconds(100)) {
        _ = simulator.run(until: simulator.now + span)
    }
}
