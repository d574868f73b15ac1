import Hardware
import SimCore
import SimHardware
import Testing

/// A master on one side of a bridge that keeps `depth` transactions crossing it.
final class CrossingMaster: PCIMaster {
    let bridge: PCIBridge
    let id: PCIMasterID
    let side: PCIBridge.Side
    let transaction: PCITransaction
    var remaining: Int
    var ended: [PCITransactionStatus] = []
    var endTimes: [Instant] = []
    let now: () -> Instant

    init(bridge: PCIBridge, bus: PCIBus, side: PCIBridge.Side, transaction: PCITransaction, count: Int, now: @escaping () -> Instant) {
        self.bridge = bridge
        self.side = side
        self.transaction = transaction
        remaining = count
        self.now = now
        id = bus.attachMaster(named: "iop", handler: NeverCalled())
    }

    func start(depth: Int) {
        for _ in 0..<min(depth, remaining) { issue() }
    }

    private func issue() {
        remaining -= 1
        bridge.forward(transaction, from: id, on: side, tag: UInt64(remaining), handler: self)
    }

    func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        ended.append(status)
        endTimes.append(now())
        if remaining > 0 { issue() }
    }
}

/// The bridge reports crossings to the handler given to `forward`, never the bus's default.
final class NeverCalled: PCIMaster {
    func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        Issue.record("the bus reported a bridged transaction to the initiator's default handler")
    }
}

@Suite("PCI-to-PCI bridge")
struct PCIBridgeTests {
    struct Rig {
        let simulator = Simulator(seed: 1)
        let primary: PCIBus
        let secondary: PCIBus
        let bridge: PCIBridge

        init(primary: PCIBusConfiguration = .pci32at33, secondary: PCIBusConfiguration = .pci32at33, buffer: Int) {
            self.primary = PCIBus(name: "pci.host", configuration: primary, simulator: simulator)
            self.secondary = PCIBus(name: "pci.nodes", configuration: secondary, simulator: simulator)
            bridge = PCIBridge(name: "bridge", primary: self.primary, secondary: self.secondary, postedWriteBufferBytes: buffer)
        }

        func streamWrites(bytes: Int, count: Int) -> (Double, CrossingMaster) {
            let master = CrossingMaster(
                bridge: bridge, bus: secondary, side: .secondary, transaction: PCITransaction(.memoryWrite, bytes: bytes),
                count: count, now: { [simulator] in simulator.now })
            master.start(depth: 4)
            simulator.run()
            // Throughput as the far side sees it: the last posted write has left the bridge.
            return (Double(bytes * count) / simulator.now.seconds, master)
        }
    }

    @Test("posted writes with room for two overlap their legs: throughput ≈ one bus's burst figure")
    func postedWritesPipeline() {
        let rig = Rig(buffer: 1024)
        let (throughput, master) = rig.streamWrites(bytes: 512, count: 400)
        #expect(master.ended.count == 400 && master.ended.allSatisfy { $0 == .completed })
        let model = PCIBusConfiguration.pci32at33.burstThroughput(burstBytes: 512)
        #expect(abs(throughput / model - 1) < 0.02, "\(throughput) vs \(model)")
        #expect(rig.bridge.postedBytes == 0)
    }

    @Test("with room for only one write the legs serialise: half the throughput")
    func postedWritesSerialise() {
        let (throughput, _) = Rig(buffer: 512).streamWrites(bytes: 512, count: 400)
        let model = PCIBusConfiguration.pci32at33.burstThroughput(burstBytes: 512) / 2
        #expect(abs(throughput / model - 1) < 0.02, "\(throughput) vs \(model)")
    }

    @Test("the slower bus bounds a transfer across the bridge")
    func slowerBusBounds() {
        let rig = Rig(primary: .pci64at66, secondary: .pci32at33, buffer: 2048)
        let (throughput, _) = rig.streamWrites(bytes: 512, count: 400)
        let slow = PCIBusConfiguration.pci32at33.burstThroughput(burstBytes: 512)
        #expect(abs(throughput / slow - 1) < 0.02, "\(throughput) vs \(slow)")
    }

    @Test("a delayed read takes both legs: far-bus read, then near-bus delivery")
    func delayedReadLatency() {
        let rig = Rig(buffer: 512)
        let master = CrossingMaster(
            bridge: rig.bridge, bus: rig.secondary, side: .secondary, transaction: PCITransaction(.memoryRead, bytes: 256),
            count: 1, now: { [simulator = rig.simulator] in simulator.now })
        master.start(depth: 1)
        rig.simulator.run()
        // Each leg: 4 clocks of overhead + 64 data phases, 30 ns clocks.
        let config = PCIBusConfiguration.pci32at33
        #expect(master.endTimes == [config.instant(ofClock: 2 * (4 + 64))])
        #expect(master.ended == [.completed])
    }

    @Test("a master abort beyond the bridge ends a read in error; a posted write is lost and counted")
    func farSideFaults() {
        let rig = Rig(buffer: 512)
        rig.primary.setFaults([PCIFaultRule(.masterAbort, probability: 1, in: 1)])
        let reader = CrossingMaster(
            bridge: rig.bridge, bus: rig.secondary, side: .secondary, transaction: PCITransaction(.memoryRead, bytes: 64),
            count: 1, now: { [simulator = rig.simulator] in simulator.now })
        let writer = CrossingMaster(
            bridge: rig.bridge, bus: rig.secondary, side: .secondary, transaction: PCITransaction(.memoryWrite, bytes: 64),
            count: 1, now: { [simulator = rig.simulator] in simulator.now })
        reader.start(depth: 1)
        writer.start(depth: 1)
        rig.simulator.run()
        #expect(reader.ended == [.masterAbort])
        #expect(writer.ended == [.completed], "a posted write completes for its initiator")
        #expect(rig.bridge.lostPostedWrites == 1)
    }
}
