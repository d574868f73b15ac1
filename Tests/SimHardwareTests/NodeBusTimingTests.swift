import Hardware
import SimCore
import Testing

@testable import SimHardware

@Suite("Node bus timing and determinism")
struct NodeBusTimingTests {
    @Test("a 4 KiB DMA write on 64/66 takes (address + turnaround + wait + ⌈4096 / 8⌉) clocks of bus time")
    func dmaWriteTiming() throws {
        let configuration = PCIBusConfiguration.pci64at66
        let bench = NodeBusBench(configuration: configuration)
        let memory = SimMemory(name: "sn1.buffer", length: 4096)
        let window = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 4096, access: .write)
        try bench.host.dmaWrite(nodeBusPattern(4096), to: window.address, tag: 1, handler: bench.hostRecorder)
        bench.run()
        let phases = (4096 + configuration.widthBytes - 1) / configuration.widthBytes
        let clocks = Int64(configuration.burstOverheadClocks + phases)
        let predicted = configuration.instant(ofClock: clocks)
        #expect(bench.hostRecorder.statuses == [.ok])
        #expect(bench.hostRecorder.completionTimes == [predicted])
        // The same figure from the throughput formula: 4096 B / burstThroughput(4096) seconds.
        let fromThroughput = 4096 / configuration.burstThroughput(burstBytes: 4096)
        let measured = bench.hostRecorder.completionTimes[0].seconds
        #expect(abs(measured / fromThroughput - 1) < 1e-6, "\(measured) s vs \(fromThroughput) s")
        print("node bus 4 KiB dmaWrite on 64/66: \(measured * 1e9) ns (\(clocks) clocks; model \(fromThroughput * 1e9) ns)")
    }

    @Test("two endpoints writing at once share the bus: the last completion is no earlier than the sum of both bursts' clocks")
    func contention() throws {
        let configuration = PCIBusConfiguration.pci64at66
        let bench = NodeBusBench(configuration: configuration)
        let memory = SimMemory(name: "host.buffer", length: 8192)
        let window = try bench.host.exposeWindow(memory, offset: 0, length: 8192, access: .write)
        try bench.nodes[0].dmaWrite(nodeBusPattern(4096), to: window.address, tag: 1, handler: bench.nodeRecorders[0])
        try bench.nodes[1].dmaWrite(nodeBusPattern(4096), to: window.address + 4096, tag: 1, handler: bench.nodeRecorders[1])
        bench.run()
        let phases = 4096 / configuration.widthBytes
        let alone = configuration.instant(ofClock: Int64(configuration.burstOverheadClocks + phases))
        let both = configuration.instant(ofClock: Int64(2 * (configuration.burstOverheadClocks + phases)))
        let last = max(bench.nodeRecorders[0].completionTimes[0], bench.nodeRecorders[1].completionTimes[0])
        #expect(last >= both, "last completion \(last) vs two uncontended bursts \(both)")
        #expect(min(bench.nodeRecorders[0].completionTimes[0], bench.nodeRecorders[1].completionTimes[0]) > alone)
    }

    /// A closed-loop mixed workload from two storage nodes against the host with a 1-in-8
    /// parity fault on every master; returns the digest and every completion.
    func mixedRun(seed: UInt64) throws -> (UInt64, [BusCompletion], [UInt8]) {
        let bench = NodeBusBench(seed: seed)
        let memory = SimMemory(name: "host.buffer", length: 65536)
        let window = try bench.host.exposeWindow(memory, offset: 0, length: 65536, access: .readWrite)
        bench.pci.setFaults([PCIFaultRule(.parityError, probability: 1, in: 8)])
        var all: [BusCompletion] = []
        for (number, (node, recorder)) in zip(bench.nodes, bench.nodeRecorders).enumerated() {
            var issued: UInt64 = 0
            func next() {
                guard issued < 60 else { return }
                issued += 1
                let size = 64 << Int(issued % 5)
                let address = window.address + Int(issued % 16) * 4096
                switch issued % 3 {
                case 0: try? node.send(nodeBusPattern(min(size, 1024)), to: bench.host.localEndpoint, tag: issued, handler: recorder)
                case 1: try? node.dmaWrite(nodeBusPattern(size, seed: UInt8(number)), to: address, tag: issued, handler: recorder)
                default: try? node.dmaRead(count: size, from: address, tag: issued, handler: recorder)
                }
            }
            recorder.onCompletion = { completion in
                all.append(completion)
                next()
            }
            for _ in 0..<4 { next() }
        }
        bench.run()
        return (bench.simulator.traceDigest.value, all, memory.readAll())
    }

    @Test("determinism: the same seed gives the same digest, completions and memory; another seed another fault pattern")
    func determinism() throws {
        let first = try mixedRun(seed: 3)
        let second = try mixedRun(seed: 3)
        #expect(first.1.count == 120)
        #expect(first.1.contains { $0.status == .parityError })
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.2 == second.2)
        let other = try mixedRun(seed: 4)
        #expect(other.0 != first.0)
        #expect(other.1.map(\.status) != first.1.map(\.status))
    }
}
