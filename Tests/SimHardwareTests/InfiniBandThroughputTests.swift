import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

@Suite("InfiniBand throughput and credits")
struct InfiniBandThroughputTests {
    /// Expected payload rate: dataRate × payload / (payload + 26) with 26 = LRH 8 + BTH 12 +
    /// ICRC 4 + VCRC 2 bytes per RDMA WRITE middle packet (REFERENCE §C.2).
    static func expectedRate(_ dataRate: Double, payload: Int = 2048) -> Double {
        dataRate * Double(payload) / Double(payload + InfiniBandRig.rdmaWriteMiddleOverhead)
    }

    @Test(
        "one saturating generator: payload rate within 2 % of 8 Gb/s × 2048/2074 (4X SDR), direct, through a switch; 2 Gb/s on 1X",
        arguments: [("direct 4X SDR", false, LinkWidth.x4, 8e9), ("switched 4X SDR", true, .x4, 8e9), ("switched 1X SDR", true, .x1, 2e9)])
    func saturatedLink(label: String, switched: Bool, width: LinkWidth, dataRate: Double) throws {
        var rig = InfiniBandRig()
        let generator = rig.generator("gen")
        let sink = rig.sink("sink")
        let link = InfiniBandLinkConfiguration(width: width, speed: .sdr, propagationDelay: .nanoseconds(5))
        if switched {
            _ = try rig.addSwitch("sw0")
            try rig.connect("gen", "sw0:1", named: "gen-sw0", link: link)
            try rig.connect("sw0:2", "sink", named: "sw0-sink", link: link)
        } else {
            try rig.connect("gen", "sink", named: "gen-sink", link: link)
        }
        rig.fabric.addSubnetManager(at: rig.attachments["gen"]!)
        generator.destinations = [rig.attachments["sink"]!]
        generator.limit = 2_000
        rig.fabric.start()
        generator.start()
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)
        #expect(sink.received == 2_000)
        #expect(rig.fabric.drops.total == 0)
        let rate = InfiniBandRig.payloadRate(sink, payload: 2048)
        let expected = Self.expectedRate(dataRate)
        #expect(abs(rate / expected - 1) < 0.02, "\(label): \(rate) b/s vs \(expected)")
        print("IB \(label): \(Int(rate / 1e6)) Mb/s payload (model \(Int(expected / 1e6)))")
    }

    @Test("a slow receiver back-pressures the sender through the switch: delivered rate = 1 packet / service time, no drops")
    func slowReceiverBackPressure() throws {
        // Sink consumes one packet per 4 µs (the link could carry one per 2.074 µs):
        // expected rate = 2048 B × 8 / 4 µs = 4.096 Gb/s; the sender stalls on credits.
        var rig = InfiniBandRig()
        let generator = rig.generator("gen")
        let sink = rig.sink("sink", serviceTime: .microseconds(4))
        _ = try rig.addSwitch("sw0")
        try rig.connect("gen", "sw0:1", named: "gen-sw0")
        try rig.connect("sw0:2", "sink", named: "sw0-sink")
        rig.fabric.addSubnetManager(at: rig.attachments["gen"]!)
        generator.destinations = [rig.attachments["sink"]!]
        generator.limit = 1_000
        rig.fabric.start()
        generator.start()
        // Stop half-way: the sender must not have run ahead of the receiver by more than the
        // buffers between them (two input buffers of 128 credits = 3 packets each, 16 queued).
        rig.simulator.run(until: .zero + .microseconds(2_000))
        #expect(generator.sent - sink.received <= 16 + 3 + 3 + 2, "sent \(generator.sent), received \(sink.received)")
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)
        #expect(sink.received == 1_000)
        #expect(rig.fabric.drops.total == 0)
        let rate = InfiniBandRig.payloadRate(sink, payload: 2048)
        let expected = 2048.0 * 8 / 4e-6
        #expect(abs(rate / expected - 1) < 0.02, "\(rate) vs \(expected)")
        let senderStall = rig.fabric.statistics(of: rig.attachments["gen"]!).creditStallTime
        let switchStall = try #require(rig.fabric.statistics(ofLink: "sw0-sink")).a.creditStallTime
        #expect(senderStall > .microseconds(1_000), "the sender felt the back-pressure: \(senderStall)")
        #expect(switchStall > .microseconds(1_000), "the switch output stalled on credits: \(switchStall)")
    }

    @Test("4 saturating senders → 1 target: nothing dropped, every packet arrives, buffers within credits, VLs share the link")
    func manyToOne() throws {
        // Aggregate offered load 4 × 8 Gb/s into one 8 Gb/s link: the target link runs at
        // 8 Gb/s × 2048/2074 and the switch's input buffers never hold more than their credits.
        var rig = InfiniBandRig()
        let sink = try rig.manyToOne(limit: 500)
        rig.fabric.start()
        for generator in rig.generators { generator.start() }
        rig.simulator.run(until: .zero + .microseconds(2_000))
        // Round-robin over VL0…VL3 (one sender each) while all four are busy: equal shares.
        let counts = rig.generators.map { sink.receivedBySource[Int(rig.attachments[$0.name]!.lid)] }
        #expect(counts.max()! - counts.min()! <= 2, "shares \(counts)")
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)
        #expect(sink.received == 2_000)
        #expect(rig.generators.allSatisfy { $0.sent == 500 })
        #expect(rig.fabric.drops.total == 0)
        for port in 1...5 {
            let statistics = rig.fabric.statistics(ofSwitch: rig.switches["sw0"]!, port: port)
            #expect(statistics.peakInputCredits <= 128)
        }
        let clientPort = rig.fabric.statistics(of: rig.attachments["client0"]!)
        #expect(clientPort.creditStallTime > .zero)
        let rate = InfiniBandRig.payloadRate(sink, payload: 2048)
        #expect(abs(rate / Self.expectedRate(8e9) - 1) < 0.02, "\(rate)")
    }

    @Test("the bench fabric scenario (K = 8, 2 ms): target link at 8 Gb/s × 2048/2074 both ways, no drops, same digest twice",
        arguments: [false, true])
    func benchmarkScenario(reverse: Bool) {
        // Offered load = the target link's rate (K clients at 1/K each, or the target at full
        // rate), so from the end of the SM's first sweep the payload rate is 8e9 × 2048/2074.
        // That sweep: switch 2 + 9 + 9 + 1 + 1 = 22 SMPs, 9 CAs × 3 = 27; ⌈49/4⌉ × 20 µs = 260 µs.
        let configuration = InfiniBandBenchmark.Configuration(clients: 8, duration: .milliseconds(2), reverse: reverse)
        let first = InfiniBandBenchmark.Rig(configuration).run()
        let second = InfiniBandBenchmark.Rig(configuration).run()
        #expect(first == second)
        #expect(first.drops == 0)
        let rate = Double(first.payloadBytes) * 8 / (first.simulatedTime - .microseconds(260)).seconds
        #expect(abs(rate / Self.expectedRate(8e9) - 1) < 0.02, "\(rate)")
    }
}
