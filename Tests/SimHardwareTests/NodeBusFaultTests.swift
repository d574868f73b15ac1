import Hardware
import SimCore
import Testing

@testable import SimHardware

@Suite("Node bus faults")
struct NodeBusFaultTests {
    @Test("a failed endpoint: messages and DMA to it master-abort, its channel is closed, the others work; repair restores it")
    func failedEndpoint() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn1.buffer", length: 4096)
        let window = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 4096, access: .readWrite)
        let failed = bench.nodes[0].localEndpoint
        bench.bus.fail(endpoint: failed)
        #expect(bench.bus.isFailed(failed))
        let recorder = bench.hostRecorder
        try bench.host.send([1], to: failed, tag: 1, handler: recorder)
        try bench.host.dmaWrite([9, 9], to: window.address, tag: 2, handler: recorder)
        try bench.host.send([3], to: bench.nodes[1].localEndpoint, tag: 3, handler: recorder)
        #expect(throws: BusChannelError.channelClosed) {
            try bench.nodes[0].send([1], to: bench.host.localEndpoint, tag: 0, handler: bench.nodeRecorders[0])
        }
        #expect(throws: BusChannelError.channelClosed) {
            _ = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 16, access: .read)
        }
        bench.run()
        #expect(recorder.statuses == [.masterAbort, .masterAbort, .ok])
        #expect(bench.nodeRecorders[0].messages.isEmpty)
        #expect(bench.nodeRecorders[1].messages.map(\.message) == [[3]])
        #expect(memory.read(offset: 0, count: 2) == [0, 0])

        bench.bus.repair(endpoint: failed)
        try bench.host.dmaWrite([9, 9], to: window.address, tag: 4, handler: recorder)
        try bench.host.send([4], to: failed, tag: 5, handler: recorder)
        try bench.nodes[0].send([5], to: bench.host.localEndpoint, tag: 6, handler: bench.nodeRecorders[0])
        bench.run()
        #expect(recorder.statuses.suffix(2) == [.ok, .ok])
        #expect(memory.read(offset: 0, count: 2) == [9, 9])
        #expect(bench.nodeRecorders[0].messages.map(\.message) == [[4]])
        #expect(bench.hostRecorder.messages.map(\.message) == [[5]])
    }

    @Test("an endpoint failing while a message to it is on the bus: the write master-aborts and nothing is delivered")
    func failureWhileOnTheBus() throws {
        let bench = NodeBusBench()
        let target = bench.nodes[0].localEndpoint
        try bench.host.send(nodeBusPattern(1024), to: target, tag: 1, handler: bench.hostRecorder)
        // Fail the target before the 1 KiB write can end (it needs more than one clock).
        bench.bus.fail(endpoint: target)
        bench.run()
        #expect(bench.hostRecorder.statuses == [.masterAbort])
        #expect(bench.nodeRecorders[0].messages.isEmpty)
    }

    @Test("a parity-error rule with probability 1 in 1 on one endpoint's master fails all its operations and nothing takes effect; another endpoint's succeed")
    func parityErrorOnOneEndpoint() throws {
        let bench = NodeBusBench()
        let hostMemory = SimMemory(name: "host.buffer", length: 8192)
        let original = nodeBusPattern(8192, seed: 42)
        hostMemory.write(original, at: 0)
        let window = try bench.host.exposeWindow(hostMemory, offset: 0, length: 8192, access: .readWrite)
        let faulty = bench.nodes[0]
        let healthy = bench.nodes[1]
        bench.pci.setFaults([PCIFaultRule(.parityError, master: bench.bus.masterID(of: faulty.localEndpoint), probability: 1, in: 1)])

        let faultyRecorder = bench.nodeRecorders[0]
        let healthyRecorder = bench.nodeRecorders[1]
        try faulty.dmaWrite(nodeBusPattern(512, seed: 1), to: window.address, tag: 1, handler: faultyRecorder)
        try faulty.dmaRead(count: 512, from: window.address, tag: 2, handler: faultyRecorder)
        try faulty.send([0xEE], to: bench.host.localEndpoint, tag: 3, handler: faultyRecorder)
        let written = nodeBusPattern(512, seed: 2)
        try healthy.dmaWrite(written, to: window.address + 4096, tag: 1, handler: healthyRecorder)
        try healthy.dmaRead(count: 512, from: window.address, tag: 2, handler: healthyRecorder)
        try healthy.send([0x11], to: bench.host.localEndpoint, tag: 3, handler: healthyRecorder)
        bench.run()

        #expect(faultyRecorder.statuses == [.parityError, .parityError, .parityError])
        #expect(faultyRecorder.completions.allSatisfy { $0.data.isEmpty })
        #expect(healthyRecorder.statuses == [.ok, .ok, .ok])
        #expect(healthyRecorder.completions[1].data == Array(original[0..<512]))
        // Only the healthy endpoint's write and message took effect.
        var expected = original
        expected.replaceSubrange(4096..<4608, with: written)
        #expect(hostMemory.readAll() == expected)
        #expect(bench.hostRecorder.messages.map(\.message) == [[0x11]])
        #expect(faulty.statistics.parityErrors == 3 && faulty.statistics.errors == 3)
        #expect(healthy.statistics.errors == 0 && healthy.statistics.count(of: .ok) == 3)
    }

    @Test("PCI master and target aborts from fault rules reach the completion and take no effect")
    func abortsFromFaultRules() throws {
        for status in [PCITransactionStatus.masterAbort, .targetAbort] {
            let bench = NodeBusBench()
            let memory = SimMemory(name: "sn1.buffer", length: 4096)
            let window = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 4096, access: .readWrite)
            bench.pci.setFaults([PCIFaultRule(status, master: bench.bus.masterID(of: bench.host.localEndpoint), probability: 1, in: 1)])
            try bench.host.dmaWrite([1, 2, 3], to: window.address, tag: 1, handler: bench.hostRecorder)
            try bench.host.send([4], to: bench.nodes[0].localEndpoint, tag: 2, handler: bench.hostRecorder)
            bench.run()
            let expected: BusStatus = status == .masterAbort ? .masterAbort : .targetAbort
            #expect(bench.hostRecorder.statuses == [expected, expected])
            #expect(memory.read(offset: 0, count: 3) == [0, 0, 0])
            #expect(bench.nodeRecorders[0].messages.isEmpty)
        }
    }
}
