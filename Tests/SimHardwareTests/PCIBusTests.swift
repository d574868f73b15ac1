import Hardware
import SimCore
import SimHardware
import Testing

/// A master that keeps `depth` transactions queued until `total` have been issued.
final class StreamingMaster: PCIMaster {
    let bus: PCIBus
    var id: PCIMasterID!
    let transaction: PCITransaction
    var remaining: Int
    var ended: [PCITransactionStatus] = []
    var lastEnd: Instant = .zero
    let now: () -> Instant

    init(bus: PCIBus, name: String, transaction: PCITransaction, count: Int, now: @escaping () -> Instant) {
        self.bus = bus
        self.transaction = transaction
        remaining = count
        self.now = now
        id = bus.attachMaster(named: name, handler: self)
    }

    func start(depth: Int) {
        for _ in 0..<min(depth, remaining) { issue() }
    }

    private func issue() {
        remaining -= 1
        bus.request(transaction, from: id, tag: UInt64(remaining))
    }

    func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        ended.append(status)
        lastEnd = now()
        if remaining > 0 { issue() }
    }
}

@Suite("PCI bus")
struct PCIBusTests {
    /// Streams `count` transactions of `bytes` from one master and returns bytes per second.
    func soloThroughput(_ configuration: PCIBusConfiguration, bytes: Int, count: Int) -> (Double, StreamingMaster) {
        let simulator = Simulator(seed: 1)
        let bus = PCIBus(name: "pci0", configuration: configuration, simulator: simulator)
        let master = StreamingMaster(
            bus: bus, name: "hca", transaction: PCITransaction(.memoryWrite, bytes: bytes), count: count, now: { simulator.now })
        master.start(depth: 4)
        #expect(simulator.run() == .idle)
        return (Double(bytes * count) / master.lastEnd.seconds, master)
    }

    @Test("long-burst DMA: 32/33 and 64/66 within 2 % of bytes / ((address + turnaround + wait + phases) clocks)",
        arguments: [(PCIBusConfiguration.pci32at33, "32/33"), (PCIBusConfiguration.pci64at66, "64/66")])
    func longBurstThroughput(configuration: PCIBusConfiguration, label: String) {
        let (throughput, master) = soloThroughput(configuration, bytes: 4096, count: 256)
        let model = configuration.burstThroughput(burstBytes: 4096)
        #expect(master.ended.count == 256 && master.ended.allSatisfy { $0 == .completed })
        #expect(abs(throughput / model - 1) < 0.02, "\(label): \(throughput) B/s vs model \(model) B/s")
        print("PCI \(label) long-burst DMA: \(Int(throughput / 1e6)) MB/s (model \(Int(model / 1e6)) MB/s)")
    }

    @Test("32/33 long bursts land in the measured 122–133 MB/s range (REFERENCE §C.1, Myricom DMA test)")
    func matchesMeasuredRange() {
        let (throughput, _) = soloThroughput(.pci32at33, bytes: 4096, count: 64)
        #expect((122e6...133.4e6).contains(throughput), "\(throughput)")
    }

    @Test("short bursts pay the overhead: 64-byte bursts on 32/33 give 16/(16+4) of peak")
    func shortBursts() {
        let (throughput, _) = soloThroughput(.pci32at33, bytes: 64, count: 1_000)
        let expected = 133_333_332.0 * 16 / 20
        #expect(abs(throughput / expected - 1) < 0.02, "\(throughput)")
    }

    @Test("two streaming masters share a round-robin bus evenly; the latency timer bounds their bursts")
    func roundRobinFairness() {
        let simulator = Simulator(seed: 1)
        let bus = PCIBus(name: "pci0", configuration: .pci32at33, simulator: simulator)
        let a = StreamingMaster(bus: bus, name: "a", transaction: PCITransaction(.memoryRead, bytes: 4096), count: 50, now: { simulator.now })
        let b = StreamingMaster(bus: bus, name: "b", transaction: PCITransaction(.memoryRead, bytes: 4096), count: 50, now: { simulator.now })
        a.start(depth: 2)
        b.start(depth: 2)
        simulator.run(until: .zero + .microseconds(500))
        let bytesA = bus.statistics(of: a.id).bytes
        let bytesB = bus.statistics(of: b.id).bytes
        #expect(abs(Double(bytesA) / Double(bytesB) - 1) < 0.01, "\(bytesA) vs \(bytesB)")
        // Under contention a burst lasts the latency timer (32 clocks): 28 data phases of 4 bytes.
        let grants = bus.statistics(of: a.id).grants
        #expect(abs(Double(bytesA) / Double(grants) - 112) < 4, "bytes per grant \(Double(bytesA) / Double(grants))")
        #expect(bus.utilization > 0.99)
    }

    @Test("fixed priority lets the first master starve the second while it has work")
    func fixedPriority() {
        let simulator = Simulator(seed: 1)
        var configuration = PCIBusConfiguration.pci32at33
        configuration.arbitration = .fixedPriority
        let bus = PCIBus(name: "pci0", configuration: configuration, simulator: simulator)
        let high = StreamingMaster(bus: bus, name: "high", transaction: PCITransaction(.memoryWrite, bytes: 1024), count: 20, now: { simulator.now })
        let low = StreamingMaster(bus: bus, name: "low", transaction: PCITransaction(.memoryWrite, bytes: 1024), count: 1, now: { simulator.now })
        high.start(depth: 4)
        low.start(depth: 1)
        simulator.run()
        #expect(low.lastEnd > high.lastEnd, "the low-priority master finished first")
    }

    @Test("master abort, target abort and parity error reach the initiator; aborts move nothing")
    func faults() {
        for status in [PCITransactionStatus.masterAbort, .targetAbort, .parityError] {
            let simulator = Simulator(seed: 1)
            let bus = PCIBus(name: "pci0", configuration: .pci32at33, simulator: simulator)
            let master = StreamingMaster(bus: bus, name: "m", transaction: PCITransaction(.memoryWrite, bytes: 512), count: 3, now: { simulator.now })
            bus.setFaults([PCIFaultRule(status, master: master.id, probability: 1, in: 1)])
            master.start(depth: 1)
            simulator.run()
            #expect(master.ended == [status, status, status])
            #expect(bus.statistics(of: master.id).errors == 3)
            #expect(bus.statistics(of: master.id).bytes == (status == .parityError ? 1536 : 0))
        }
    }

    @Test("a 1 % fault rule hits about 1 % of transactions, the same ones for the same seed")
    func probabilisticFaults() {
        func run(seed: UInt64) -> ([PCITransactionStatus], UInt64) {
            let simulator = Simulator(seed: seed)
            let bus = PCIBus(name: "pci0", configuration: .pci32at33, simulator: simulator)
            let master = StreamingMaster(bus: bus, name: "m", transaction: PCITransaction(.memoryWrite, bytes: 64), count: 10_000, now: { simulator.now })
            bus.setFaults([PCIFaultRule(.targetAbort, probability: 1, in: 100)])
            master.start(depth: 1)
            simulator.run()
            return (master.ended, simulator.traceDigest.value)
        }
        let (statuses, digest) = run(seed: 5)
        let aborts = statuses.filter { $0 == .targetAbort }.count
        #expect((60...140).contains(aborts), "\(aborts) aborts in 10,000")
        let again = run(seed: 5)
        #expect(again.0 == statuses && again.1 == digest)
        #expect(run(seed: 6).1 != digest)
    }

    @Test("a scheduled fault storm starts and ends when the schedule says, applied by the bus itself")
    func scheduledFaults() {
        let simulator = Simulator(seed: 1)
        let bus = PCIBus(name: "pci0", configuration: .pci32at33, simulator: simulator)
        var ends: [(Instant, PCITransactionStatus)] = []
        final class Recorder: PCIMaster {
            var record: (PCITransactionStatus) -> Void = { _ in }
            func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) { record(status) }
        }
        let recorder = Recorder()
        recorder.record = { ends.append((simulator.now, $0)) }
        let master = bus.attachMaster(named: "m", handler: recorder)
        bus.scheduleFaults([PCIFaultRule(.masterAbort, probability: 1, in: 1)], at: .zero + .microseconds(10))
        bus.scheduleFaults([], at: .zero + .microseconds(20))
        for microsecond in [5, 15, 25] {
            _ = simulator.run(until: .zero + .microseconds(Int64(microsecond)))
            bus.request(PCITransaction(.memoryRead, bytes: 64), from: master, tag: 0)
        }
        simulator.run()
        #expect(ends.map(\.1) == [.completed, .masterAbort, .completed])
    }

    @Test("a 66 MHz clock does not drift: clock 66,666,667 is at 1 s to the picosecond")
    func noDrift() {
        let configuration = PCIBusConfiguration.pci64at66
        #expect(configuration.instant(ofClock: 66_666_667) == .zero + .seconds(1))
        #expect(configuration.clock(atOrAfter: .zero + .seconds(1)) == 66_666_667)
        #expect(configuration.clock(atOrAfter: configuration.instant(ofClock: 12_345)) == 12_345)
    }

    @Test("out-of-spec parameters are named")
    func validation() {
        var configuration = PCIBusConfiguration.pci32at33
        configuration.widthBytes = 3
        configuration.targetInitialWaitClocks = 17
        #expect(configuration.validationErrors().count == 2)
        #expect(PCIBusConfiguration.pci64at66.validationErrors().isEmpty)
    }
}
