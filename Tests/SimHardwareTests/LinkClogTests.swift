import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// The clog fault (``FabricFault/Action/clog``): a link holds every packet until unclogged and
/// loses none; the held packets then go in their order. On both fabric models.
@Suite("Link clog (hold, then release in order)")
struct LinkClogTests {
    /// An InfiniBand endpoint that records the PSNs it receives, in order, with the times.
    final class OrderedSink: SimComponent, NetworkEndpoint {
        var attachment: (any NetworkAttachment)?
        private(set) var psns: [UInt32] = []
        private(set) var times: [Instant] = []
        private let simulator: Simulator

        init(simulator: Simulator) {
            self.simulator = simulator
            simulator.register(self, name: "sink")
        }

        func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt) {
            psns.append(packet.psn)
            times.append(simulator.now)
            attachment?.release(receipt)
        }

        func handle(_ event: Event, in simulator: Simulator) {}
        func networkTransmitReady() {}
        func networkPortChanged() {}

        func received(by time: Instant) -> Int { times.count { $0 <= time } }
    }

    /// gen — sw0 — sink, the generator saturating the links with `limit` packets; the last
    /// arrival at the sink.
    static func infiniBandRun(limit: Int, clog: (from: Instant, to: Instant)?) throws -> (InfiniBandRig, TrafficGenerator, OrderedSink) {
        var rig = InfiniBandRig()
        let generator = rig.generator("gen")
        let sink = OrderedSink(simulator: rig.simulator)
        let attachment = rig.fabric.attachEndpoint(named: "sink", endpoint: sink, portGUID: GUID(rawValue: 0x0002_c903_0000_0100))
        sink.attachment = attachment
        rig.attachments["sink"] = attachment
        _ = try rig.addSwitch("sw0")
        try rig.connect("gen", "sw0:1", named: "gen-sw0")
        try rig.connect("sw0:2", "sink", named: "sw0-sink")
        rig.fabric.addSubnetManager(at: rig.attachments["gen"]!)
        generator.destinations = [attachment]
        generator.limit = limit
        if let clog {
            try rig.fabric.schedule(FabricFault(.clog, on: "sw0-sink"), at: clog.from)
            try rig.fabric.schedule(FabricFault(.unclog, on: "sw0-sink"), at: clog.to)
        }
        rig.fabric.start()
        generator.start()
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)
        return (rig, generator, sink)
    }

    @Test("InfiniBand: a clogged link holds every packet (none lost, none reordered); a saturated stream ends later by the clog's length (± one packet time)")
    func infiniBandClog() throws {
        let limit = 2_000
        let from = Instant.zero + .microseconds(200)
        let to = from + .microseconds(300)
        let (_, _, free) = try Self.infiniBandRun(limit: limit, clog: nil)
        let (rig, generator, sink) = try Self.infiniBandRun(limit: limit, clog: (from, to))

        #expect(generator.sent == limit)
        #expect(rig.fabric.drops.total == 0)
        #expect(sink.psns == Array(0..<UInt32(limit)), "delivered out of order or lost")
        // Nothing arrives while clogged, once the packet on the wire at the clog has arrived
        // (its tail is at most one serialisation time + propagation later).
        let packetTime = TimeSpan.transmission(bytes: 2048 + InfiniBandRig.rdmaWriteMiddleOverhead, bitsPerSecond: rig.fabric.configuration.defaultLink.dataRate)
        let settled = from + packetTime + .microseconds(1)
        #expect(sink.received(by: settled) == sink.received(by: to), "packets crossed a clogged link")
        #expect(sink.times.first { $0 > settled }! > to)
        // The bottleneck link stops for the clog and then runs at full rate as before:
        // end(clogged) − end(free) = clog length, within one packet time.
        let delay = sink.times.last! - free.times.last!
        let length = to - from
        #expect(delay >= length - packetTime && delay <= length + packetTime, "ended \(delay) later for a \(length) clog")
        let state = try #require(rig.fabric.clogState(ofLink: "sw0-sink"))
        #expect(state == LinkClogState(clogged: false, clogs: 1, cloggedTime: length))
    }

    @Test("InfiniBand: clog and unclog apply to links only; clogging twice counts once")
    func infiniBandValidation() throws {
        var rig = InfiniBandRig()
        _ = rig.generator("gen")
        _ = try rig.addSwitch("sw0")
        try rig.connect("gen", "sw0:1", named: "gen-sw0")
        let onSwitch = FabricFault(.clog, on: "sw0")
        #expect(throws: FabricError.actionDoesNotApply(onSwitch)) { try rig.fabric.schedule(onSwitch, at: .zero) }
        rig.fabric.start()
        try rig.fabric.schedule(FabricFault(.clog, on: "gen-sw0"), at: .zero + .microseconds(1))
        try rig.fabric.schedule(FabricFault(.clog, on: "gen-sw0"), at: .zero + .microseconds(2))
        rig.simulator.run(until: .zero + .microseconds(5))
        #expect(rig.fabric.clogState(ofLink: "gen-sw0") == LinkClogState(clogged: true, clogs: 1, cloggedTime: .microseconds(4)))
        #expect(rig.fabric.clogState(ofLink: "nope") == nil)
    }

    @Test("Ethernet with PFC: a clogged link holds every frame (none dropped, none reordered) and releases them at the unclog")
    func ethernetClog() throws {
        let configuration = EthernetFabricConfiguration(priorityFlowControl: PriorityFlowControl())
        let rig = try EthernetRig(hosts: 2, configuration: configuration)
        let (sender, receiver) = (rig.hosts[1], rig.hosts[0])
        let from = Instant.zero + .microseconds(100)
        let to = from + .microseconds(400)
        try rig.fabric.schedule(FabricFault(.clog, on: "link0"), at: from)
        try rig.fabric.schedule(FabricFault(.unclog, on: "link0"), at: to)
        sender.send(3_000, to: rig.gid(0))  // ≈ 6.6 ms at 10 Gb/s

        // The frame on the wire at the clog arrives within one frame time + propagation.
        let frameTime = EthernetLinkRate.tenGigabit.wireTime(frameBytes: 2048 + 100)
        rig.simulator.run(until: from + frameTime + .microseconds(1))
        let heldFrom = receiver.delivered
        rig.simulator.run(until: to - .nanoseconds(1))
        #expect(receiver.delivered == heldFrom, "frames crossed a clogged link")
        #expect(rig.fabric.clogState(ofLink: "link0")?.clogged == true)

        #expect(rig.simulator.run() == .idle)
        #expect(receiver.delivered == 3_000)
        #expect(receiver.outOfOrder == 0)
        let totals = rig.fabric.totals
        #expect(totals.drops.total == 0 && totals.isConserved && totals.framesInFabric == 0)
        #expect(rig.fabric.clogState(ofLink: "link0") == LinkClogState(clogged: false, clogs: 1, cloggedTime: to - from))
        // The held frames backed up into the switch: PFC paused the sender.
        #expect(try rig.fabric.statistics(of: .endpoint("host1")).pauseFramesReceived > 0)
    }
}
