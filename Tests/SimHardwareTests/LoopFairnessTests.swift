import Hardware
import SimCore
import Testing
@testable import SimHardware

@Suite("FC-AL loop fairness")
struct LoopFairnessTests {
    /// Four instantly answering devices (so the loop is the only bottleneck), 4 reads of
    /// 64 KiB queued per device; returns the bytes each device delivered in 1 s and the
    /// devices' AL_PAs.
    func contend(fairness: Bool) -> (bytes: [Int], addresses: [ArbitratedLoopPhysicalAddress], rig: LoopRig) {
        var rig = LoopRig(configuration: FibreChannelLoopConfiguration(fairness: fairness))
        for bay in 0..<4 { rig.attach(InstantResponder(name: "bay\(bay)")) }
        rig.reader.stopAfter = Instant.zero + .seconds(1)
        rig.reader.start(devices: rig.devicePorts, depth: 4)
        rig.simulator.run(until: Instant.zero + .seconds(1))
        return (rig.reader.bytesReceived, rig.devicePorts.map { rig.loop.address(of: $0) }, rig)
    }

    /// Shares differ by at most the batch of answers a device sends in one tenancy (4 reads of
    /// the ≈ 3 100 in a second).
    @Test("with the fairness window each device's share is within 2 % of total / devices")
    func fairShares() {
        let (bytes, _, rig) = contend(fairness: true)
        let equal = Double(bytes.reduce(0, +)) / Double(bytes.count)
        for share in bytes { #expect(abs(Double(share) / equal - 1) < 0.02, "\(bytes)") }
        // Every port, the initiator included, won arbitration: the window let each have turns.
        #expect(rig.loop.statistics.arbitrationWins.allSatisfy { $0 > 0 }, "\(rig.loop.statistics.arbitrationWins)")
    }

    @Test("without fairness the lowest AL_PA takes the loop and the others starve")
    func unfairStarves() {
        let (bytes, addresses, _) = contend(fairness: false)
        let total = Double(bytes.reduce(0, +))
        let winner = addresses.indices.min { addresses[$0] < addresses[$1] }!
        #expect(Double(bytes[winner]) / total > 0.9, "lowest AL_PA \(addresses[winner]) got \(bytes)")
        for device in bytes.indices where device != winner {
            // At most the one batch of answers queued before the winner took over.
            #expect(Double(bytes[device]) < total / Double(bytes.count) * 0.05, "\(bytes)")
        }
        let (fair, _, _) = contend(fairness: true)
        print("FC-AL 4 devices, 1 s: fair \(fair.map { $0 / 1_000_000 }) MB; unfair \(bytes.map { $0 / 1_000_000 }) MB (lowest AL_PA \(addresses[winner]))")
    }
}
