import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

@Suite("InfiniBand faults, subnet manager and determinism")
struct InfiniBandFaultTests {
    /// gen — swL, swL ⇉ {swM1, swM2} ⇉ swR, swR — sink: two parallel paths between swL and swR.
    static func parallelPaths(seed: UInt64 = 1) throws -> (InfiniBandRig, TrafficGenerator, TrafficSink, SubnetManager) {
        var rig = InfiniBandRig(seed: seed)
        let generator = rig.generator("gen")
        let sink = rig.sink("sink")
        for name in ["swL", "swM1", "swM2", "swR"] { _ = try rig.addSwitch(name) }
        try rig.connect("gen", "swL:1", named: "gen-swL")
        try rig.connect("swL:2", "swM1:1", named: "swL-swM1")
        try rig.connect("swL:3", "swM2:1", named: "swL-swM2")
        try rig.connect("swM1:2", "swR:1", named: "swM1-swR")
        try rig.connect("swM2:2", "swR:2", named: "swM2-swR")
        try rig.connect("swR:3", "sink", named: "swR-sink")
        let manager = rig.fabric.addSubnetManager(at: rig.attachments["gen"]!)
        generator.destinations = [rig.attachments["sink"]!]
        generator.interval = .microseconds(4)  // about half the link's rate
        return (rig, generator, sink, manager)
    }

    @Test(
        "a failure on the used path: the SM re-sweeps, traffic takes the other path, outage = trap + ⌈SMPs/4⌉ × 20 µs",
        arguments: [("link", TimeSpan.microseconds(330)), ("switch", TimeSpan.microseconds(250))])
    func failover(kind: String, expectedOutage: TimeSpan) throws {
        // Outage formula: trap delay (20 µs / 2 = 10 µs) + ⌈SMPs / 4⌉ × 20 µs, where a heavy sweep
        // sends per switch 2 + 8 (NodeInfo, SwitchInfo, 8 × PortInfo) + connected ports + 1
        // (PortInfo Sets) + 1 (LFT block, LIDs 1…6), and 3 per CA port.
        // Link swL–swMx down: switches 14 + 13 + 14 + 15, CAs 6 → 62 SMPs → 16 rounds → 330 µs.
        // Switch swMx down (unreachable): 14 + 14 + 14, CAs 6 → 48 SMPs → 12 rounds → 250 µs.
        let (rig, generator, sink, manager) = try Self.parallelPaths()
        rig.fabric.start()
        generator.start()
        generator.stopTime = .zero + .microseconds(3_000)
        rig.simulator.run(until: .zero + .microseconds(1_000))
        let left = rig.switches["swL"]!
        let sinkLID = rig.attachments["sink"]!.lid
        let before = try #require(rig.fabric.forwardingPort(of: left, for: sinkLID))
        let middle = before == 2 ? "swM1" : "swM2"
        let target = kind == "link" ? "swL-\(middle)" : middle
        let failure = Instant.zero + .microseconds(1_000)
        let receivedBefore = sink.received
        try rig.fabric.schedule(FabricFault(kind == "link" ? .linkDown : .switchFailure, on: target), at: failure)
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)

        #expect(manager.statistics.outages == [expectedOutage], "outages \(manager.statistics.outages)")
        #expect(manager.statistics.outages[0] == manager.configuration.trapDelay + manager.sweepCost().duration)
        let after = try #require(rig.fabric.forwardingPort(of: left, for: sinkLID))
        #expect(after != before && [2, 3].contains(after))
        // Traffic resumed after the outage, and every packet is accounted for.
        #expect(sink.lastArrival > failure + expectedOutage + .microseconds(1_000))
        #expect(sink.received > receivedBefore + 400)
        let drops = rig.fabric.drops
        #expect(drops.total > 0 && drops.total == generator.sent - sink.received)
        #expect(drops[.portDown] + drops[.linkDown] + drops[.switchFailure] == drops.total)
        // About one packet per 4 µs was sent into the dead path during the outage.
        let expectedLost = Int(expectedOutage.picoseconds / TimeSpan.microseconds(4).picoseconds)
        #expect(abs(drops.total - expectedLost) <= 3, "dropped \(drops.total), ~\(expectedLost) expected")
    }

    @Test("a link that comes back is activated by a sweep and reported as no outage")
    func linkRecovery() throws {
        let (rig, generator, _, manager) = try Self.parallelPaths()
        rig.fabric.start()
        try rig.fabric.schedule(FabricFault(.linkDown, on: "swL-swM1"), at: .zero + .microseconds(500))
        try rig.fabric.schedule(FabricFault(.linkUp, on: "swL-swM1"), at: .zero + .microseconds(2_000))
        generator.limit = 10
        generator.start()
        #expect(rig.simulator.run(eventBudget: 1_000_000) == .idle)
        #expect(rig.fabric.isLinkUp("swL-swM1") == true)
        #expect(manager.statistics.outages.count == 1)
        #expect(manager.statistics.sweeps == 3)
        #expect(rig.fabric.statistics(ofLink: "swL-swM1")!.downTransitions == 1)
    }

    /// gen — sw0 — sink, the generator saturating.
    static func line(seed: UInt64 = 1) throws -> (InfiniBandRig, TrafficGenerator, TrafficSink) {
        var rig = InfiniBandRig(seed: seed)
        let generator = rig.generator("gen")
        let sink = rig.sink("sink")
        _ = try rig.addSwitch("sw0")
        try rig.connect("gen", "sw0:1", named: "gen-sw0")
        try rig.connect("sw0:2", "sink", named: "sw0-sink")
        rig.fabric.addSubnetManager(at: rig.attachments["gen"]!)
        generator.destinations = [rig.attachments["sink"]!]
        return (rig, generator, sink)
    }

    @Test("corruption (1 in 10) and loss (1 in 20) drop and count packets at the next hop; the rest arrive")
    func corruptionAndLoss() throws {
        // Expected drops: binomial(2000, 1/10) = 200 ± 13 and binomial(1800, 1/20) = 90 ± 9;
        // bounds at about ±4.5 standard deviations.
        let (rig, generator, sink) = try Self.line()
        try rig.fabric.schedule(FabricFault(.corruption(numerator: 1, denominator: 10), on: "gen-sw0"), at: .zero)
        try rig.fabric.schedule(FabricFault(.loss(numerator: 1, denominator: 20), on: "sw0-sink"), at: .zero)
        generator.limit = 2_000
        rig.fabric.start()
        generator.start()
        #expect(rig.simulator.run(eventBudget: 10_000_000) == .idle)
        let drops = rig.fabric.drops
        #expect((140...260).contains(drops[.corrupted]), "corrupted \(drops[.corrupted])")
        #expect((50...130).contains(drops[.lost]), "lost \(drops[.lost])")
        #expect(drops.total == drops[.corrupted] + drops[.lost])
        #expect(sink.received + drops.total == 2_000)
        // Counted at the receiving port of each link.
        #expect(rig.fabric.statistics(ofLink: "gen-sw0")!.b.drops[.corrupted] == drops[.corrupted])
        #expect(rig.fabric.statistics(ofLink: "sw0-sink")!.b.drops[.lost] == drops[.lost])
    }

    @Test("unloaded latency through a cut-through switch = serialisation + 2 × propagation + LRH + switch latency; added delay adds")
    func latencyAndAddedDelay() throws {
        // 2074 B at 8 Gb/s = 2074 ns; 2 × 5 ns; LRH 8 B = 8 ns; switch 50 ns → 2142 ns.
        // With 1 µs added on the first link: 3142 ns.
        for added in [TimeSpan.zero, .microseconds(1)] {
            let (rig, generator, sink) = try Self.line()
            try rig.fabric.schedule(FabricFault(.addedDelay(added), on: "gen-sw0"), at: .zero)
            generator.limit = 1
            rig.fabric.start()
            generator.start()
            rig.simulator.run()
            let latency = sink.firstArrival! - generator.firstSendTime!
            #expect(latency == .nanoseconds(2_142) + added, "\(latency)")
        }
    }

    @Test("an unknown fault target names the known ones; wrong actions and probabilities are refused")
    func faultErrors() throws {
        let (rig, _, _) = try Self.line()
        #expect(throws: FabricError.unknownTarget("nope", known: ["gen-sw0", "sw0", "sw0-sink"])) {
            try rig.fabric.schedule(FabricFault(.linkDown, on: "nope"), at: .zero)
        }
        #expect(
            FabricError.unknownTarget("nope", known: rig.fabric.faultTargets).description
                == "no link or switch named 'nope' (known: gen-sw0, sw0, sw0-sink)")
        let onLink = FabricFault(.switchFailure, on: "gen-sw0")
        #expect(throws: FabricError.actionDoesNotApply(onLink)) { try rig.fabric.schedule(onLink, at: .zero) }
        let onSwitch = FabricFault(.linkDown, on: "sw0")
        #expect(throws: FabricError.actionDoesNotApply(onSwitch)) { try rig.fabric.schedule(onSwitch, at: .zero) }
        let bad = FabricFault(.loss(numerator: 3, denominator: 2), on: "gen-sw0")
        #expect(throws: FabricError.invalidProbability(bad)) { try rig.fabric.schedule(bad, at: .zero) }
    }

    /// Many-to-one with loss and a link bounce: returns the trace digest and what arrived.
    static func scenario(seed: UInt64) throws -> (UInt64, Int, Int) {
        var rig = InfiniBandRig(seed: seed)
        let sink = try rig.manyToOne(limit: 300)
        try rig.fabric.schedule(FabricFault(.loss(numerator: 1, denominator: 50), on: "sw0-target"), at: .zero)
        try rig.fabric.schedule(FabricFault(.linkDown, on: "client2-sw0"), at: .zero + .microseconds(300))
        try rig.fabric.schedule(FabricFault(.linkUp, on: "client2-sw0"), at: .zero + .microseconds(400))
        rig.fabric.start()
        for generator in rig.generators { generator.start() }
        rig.simulator.run(eventBudget: 10_000_000)
        return (rig.simulator.traceDigest.value, sink.received, rig.fabric.drops.total)
    }

    @Test("same seed ⇒ same trace digest and outcome for a fabric scenario with random loss and a link bounce; another seed differs")
    func determinism() throws {
        let first = try Self.scenario(seed: 7)
        let second = try Self.scenario(seed: 7)
        #expect(first == second)
        #expect(first.2 > 0)
        // A lost packet occupies the link and returns its credits exactly as a delivered one
        // does, so another seed may keep the event timing; the drop decisions folded into the
        // digest (`Simulator.recordDecision`) still tell the runs apart.
        let other = try Self.scenario(seed: 8)
        #expect(other != first, "seed 8 lost the same packets as seed 7")
        #expect(other.0 != first.0, "seed 8's digest equals seed 7's")
    }
}
