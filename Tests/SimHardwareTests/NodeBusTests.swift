import Hardware
import SimCore
import Testing

@testable import SimHardware

/// Records completions and received messages, with the time of each; notes any completion
/// that arrives while `issuing` is set (a re-entrant completion).
final class NodeBusRecorder: BusCompletionHandler, BusMessageReceiver {
    let simulator: Simulator
    var completions: [BusCompletion] = []
    var completionTimes: [Instant] = []
    var messages: [(message: [UInt8], source: BusEndpoint)] = []
    /// Called for each received message, after it is recorded.
    var onMessage: (([UInt8], BusEndpoint) -> Void)?
    /// Called for each completion, after it is recorded.
    var onCompletion: ((BusCompletion) -> Void)?
    var issuing = false
    var reentrantCompletions = 0

    init(simulator: Simulator) {
        self.simulator = simulator
    }

    func busOperationCompleted(_ completion: BusCompletion) {
        if issuing { reentrantCompletions += 1 }
        completions.append(completion)
        completionTimes.append(simulator.now)
        onCompletion?(completion)
    }

    func busMessageReceived(_ message: [UInt8], from source: BusEndpoint) {
        messages.append((message, source))
        onMessage?(message, source)
    }

    /// Runs `body` with `issuing` set, so a completion delivered from inside it is counted.
    func issue(_ body: () throws -> Void) rethrows {
        issuing = true
        defer { issuing = false }
        try body()
    }

    var statuses: [BusStatus] { completions.map(\.status) }
    var tags: [UInt64] { completions.map(\.tag) }
}

/// A host storage node and `storageNodes` storage nodes on one node bus over one PCI bus; each
/// endpoint has a recorder as completion handler and receiver.
struct NodeBusBench {
    let simulator: Simulator
    let pci: PCIBus
    let bus: NodeBus
    let host: SimBusChannel
    let nodes: [SimBusChannel]
    let hostRecorder: NodeBusRecorder
    let nodeRecorders: [NodeBusRecorder]
    /// The endpoints' runtimes (host first), when made with `runtimes: true`.
    let runtimes: [NodeBusCountingRuntime]

    init(seed: UInt64 = 1, configuration: PCIBusConfiguration = .pci64at66, storageNodes: Int = 2, runtimes: Bool = false) {
        simulator = Simulator(seed: seed)
        pci = PCIBus(name: "pci0", configuration: configuration, simulator: simulator)
        bus = NodeBus(name: "nodebus", pciBus: pci, simulator: simulator)
        let simulator = simulator
        let bus = bus
        let names = ["host"] + (1...storageNodes).map { "sn\($0)" }
        let made = runtimes ? names.map { NodeBusCountingRuntime(SimNodeRuntime(nodeName: $0, simulator: simulator)) } : []
        self.runtimes = made
        let channels = names.indices.map { bus.attach(endpoint: names[$0], runtime: made.isEmpty ? nil : made[$0]) }
        host = channels[0]
        nodes = Array(channels.dropFirst())
        hostRecorder = NodeBusRecorder(simulator: simulator)
        nodeRecorders = nodes.map { _ in NodeBusRecorder(simulator: simulator) }
        host.setReceiver(hostRecorder)
        for (node, recorder) in zip(nodes, nodeRecorders) { node.setReceiver(recorder) }
    }

    func run() {
        #expect(simulator.run(eventBudget: 1_000_000) == .idle)
    }
}

/// Deterministic non-trivial bytes.
func nodeBusPattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

@Suite("Node bus")
struct NodeBusTests {
    @Test("endpoints are numbered 1, 2, 3 in attach order; each is its own PCI master; peers exclude self")
    func endpointsAndPeers() {
        let bench = NodeBusBench(storageNodes: 2)
        #expect(bench.host.localEndpoint.rawValue == 1)
        #expect(bench.nodes.map(\.localEndpoint.rawValue) == [2, 3])
        #expect(bench.host.peers == [BusEndpoint(rawValue: 2), BusEndpoint(rawValue: 3)])
        #expect(bench.nodes[0].peers == [BusEndpoint(rawValue: 1), BusEndpoint(rawValue: 3)])
        let masters = bench.bus.attachedEndpoints.map { bench.bus.masterID(of: $0) }
        #expect(Set(masters).count == 3)
        #expect(bench.bus.name(of: BusEndpoint(rawValue: 2)) == "sn1")
        #expect(bench.host.maxMessageSize == 1024 && bench.host.maxTransferSize == 1 << 20)
    }

    @Test("message round trip: the storage node answers the host's request, both complete OK")
    func messageRoundTrip() throws {
        let bench = NodeBusBench()
        let request = nodeBusPattern(64, seed: 3)
        let reply = nodeBusPattern(32, seed: 9)
        bench.nodeRecorders[0].onMessage = { message, source in
            try? bench.nodes[0].send(reply, to: source, tag: 77, handler: bench.nodeRecorders[0])
        }
        try bench.host.send(request, to: bench.nodes[0].localEndpoint, tag: 1, handler: bench.hostRecorder)
        bench.run()
        #expect(bench.hostRecorder.completions == [BusCompletion(tag: 1, operation: .send, status: .ok)])
        #expect(bench.nodeRecorders[0].messages.map(\.message) == [request])
        #expect(bench.nodeRecorders[0].messages.map(\.source) == [bench.host.localEndpoint])
        #expect(bench.hostRecorder.messages.map(\.message) == [reply])
        #expect(bench.hostRecorder.messages.map(\.source) == [bench.nodes[0].localEndpoint])
        #expect(bench.nodeRecorders[0].completions == [BusCompletion(tag: 77, operation: .send, status: .ok)])
        #expect(bench.nodeRecorders[1].messages.isEmpty)
        let host = bench.host.statistics
        #expect(host.messagesSent == 1 && host.messageBytesSent == 64 && host.messagesReceived == 1)
        // The messages' bytes crossed the PCI bus on each sender's own master.
        #expect(bench.pci.statistics(of: bench.bus.masterID(of: bench.host.localEndpoint)).bytes == 64)
        #expect(bench.pci.statistics(of: bench.bus.masterID(of: bench.nodes[0].localEndpoint)).bytes == 32)
    }

    @Test("messages from one endpoint arrive in the order sent; completions come in issue order")
    func messageOrdering() throws {
        let bench = NodeBusBench()
        let destination = bench.nodes[1].localEndpoint
        try bench.hostRecorder.issue {
            for tag in 0..<10 as Range<UInt64> {
                try bench.host.send([UInt8(tag)], to: destination, tag: tag, handler: bench.hostRecorder)
            }
        }
        bench.run()
        #expect(bench.hostRecorder.tags == Array(0..<10))
        #expect(bench.nodeRecorders[1].messages.map(\.message) == (0..<10).map { [UInt8($0)] })
        #expect(bench.hostRecorder.reentrantCompletions == 0)
    }

    @Test("PCI ordering: a message sent after a DMA write is received after the written bytes are visible")
    func messageAfterWriteSeesBytes() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn1.buffer", length: 16384)
        let window = try bench.nodes[0].exposeWindow(memory, offset: 4096, length: 8192, access: .write)
        let data = nodeBusPattern(4096, seed: 5)
        var seenAtReceive: [UInt8] = []
        bench.nodeRecorders[0].onMessage = { _, _ in seenAtReceive = memory.read(offset: 4096 + 512, count: data.count) }
        try bench.host.dmaWrite(data, to: window.address + 512, tag: 1, handler: bench.hostRecorder)
        try bench.host.send([0xA5], to: bench.nodes[0].localEndpoint, tag: 2, handler: bench.hostRecorder)
        bench.run()
        #expect(bench.hostRecorder.tags == [1, 2])
        #expect(bench.hostRecorder.statuses == [.ok, .ok])
        #expect(seenAtReceive == data)
        #expect(bench.host.statistics.dmaBytesWritten == data.count)
    }

    @Test("a DMA read returns the window's bytes, including what an earlier DMA write of the same endpoint wrote")
    func dmaReadReturnsWindowBytes() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn2.buffer", length: 8192)
        let original = nodeBusPattern(8192, seed: 7)
        memory.write(original, at: 0)
        let window = try bench.nodes[1].exposeWindow(memory, offset: 0, length: 8192, access: .readWrite)
        let patch = nodeBusPattern(100, seed: 200)
        try bench.host.dmaRead(count: 1000, from: window.address + 3000, tag: 1, handler: bench.hostRecorder)
        try bench.host.dmaWrite(patch, to: window.address + 3100, tag: 2, handler: bench.hostRecorder)
        try bench.host.dmaRead(count: 1000, from: window.address + 3000, tag: 3, handler: bench.hostRecorder)
        bench.run()
        var expectedAfter = Array(original[3000..<4000])
        expectedAfter.replaceSubrange(100..<200, with: patch)
        #expect(bench.hostRecorder.tags == [1, 2, 3])
        #expect(bench.hostRecorder.statuses == [.ok, .ok, .ok])
        #expect(bench.hostRecorder.completions[0].data == Array(original[3000..<4000]))
        #expect(bench.hostRecorder.completions[1].data.isEmpty)
        #expect(bench.hostRecorder.completions[2].data == expectedAfter)
        #expect(bench.host.statistics.dmaBytesRead == 2000)
    }

    @Test("window checks: read-only refuses a write (target abort), no window master-aborts, past the end target-aborts; nothing touched, nothing on the bus")
    func windowAccessChecks() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn1.buffer", length: 8192)
        let original = nodeBusPattern(8192, seed: 11)
        memory.write(original, at: 0)
        let readOnly = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 4096, access: .read)
        let writeOnly = try bench.nodes[0].exposeWindow(memory, offset: 4096, length: 4096, access: .write)
        let recorder = bench.hostRecorder
        let data = nodeBusPattern(256, seed: 99)
        try recorder.issue {
            try bench.host.dmaWrite(data, to: readOnly.address, tag: 1, handler: recorder)  // wrong access
            try bench.host.dmaRead(count: 16, from: writeOnly.address, tag: 2, handler: recorder)  // wrong access
            try bench.host.dmaWrite(data, to: BusAddress(rawValue: 0x1000), tag: 3, handler: recorder)  // no window
            try bench.host.dmaWrite(data, to: writeOnly.address + (4096 - 100), tag: 4, handler: recorder)  // past the end
            try bench.host.dmaRead(count: 4097, from: readOnly.address, tag: 5, handler: recorder)  // past the end
            try bench.host.dmaRead(count: 16, from: readOnly.address + 4080, tag: 6, handler: recorder)  // fits exactly
        }
        bench.run()
        #expect(recorder.tags == [1, 2, 3, 4, 5, 6])
        #expect(recorder.statuses == [.targetAbort, .targetAbort, .masterAbort, .targetAbort, .targetAbort, .ok])
        #expect(recorder.completions.prefix(5).allSatisfy { $0.data.isEmpty })
        #expect(recorder.completions[5].data == Array(original[4080..<4096]))
        #expect(memory.readAll() == original)
        #expect(recorder.reentrantCompletions == 0)
        // Only the one valid read put bytes on the bus.
        #expect(bench.pci.statistics(of: bench.bus.masterID(of: bench.host.localEndpoint)).bytes == 16)
        let statistics = bench.host.statistics
        #expect(statistics.targetAborts == 4 && statistics.masterAborts == 1 && statistics.dmaReads == 1)
    }

    @Test("a removed window master-aborts later DMA; addresses are 4 KiB aligned from 0x8000_0000 and never reused")
    func windowAllocationAndRemoval() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn1.buffer", length: 65536)
        let base = NodeBusConfiguration().windowBase
        let alignment = NodeBusConfiguration().windowAlignment
        let first = try bench.nodes[0].exposeWindow(memory, offset: 0, length: 100, access: .readWrite)
        let second = try bench.nodes[0].exposeWindow(memory, offset: 100, length: 5000, access: .readWrite)
        #expect(first.address.rawValue == base)
        // The second starts at the first alignment boundary after the first's 100 bytes.
        #expect(second.address.rawValue == base + alignment)
        try bench.nodes[0].removeWindow(first)
        let third = try bench.nodes[1].exposeWindow(memory, offset: 0, length: 10, access: .read)
        // After 5000 bytes from base + 4 KiB, the next boundary is base + 4 KiB + ⌈5000 / 4 KiB⌉ × 4 KiB.
        let thirdExpected = base + alignment + (5000 + alignment - 1) / alignment * alignment
        #expect(third.address.rawValue == thirdExpected)
        #expect(bench.bus.windowCount == 2)
        #expect(throws: BusChannelError.self) { try bench.nodes[0].removeWindow(first) }
        #expect(throws: BusChannelError.self) { try bench.nodes[0].removeWindow(third) }  // not its window
        try bench.host.dmaWrite([1, 2, 3], to: first.address, tag: 1, handler: bench.hostRecorder)
        try bench.host.dmaWrite([1, 2, 3], to: second.address, tag: 2, handler: bench.hostRecorder)
        bench.run()
        #expect(bench.hostRecorder.statuses == [.masterAbort, .ok])
        #expect(memory.read(offset: 0, count: 3) == [0, 0, 0])
        #expect(memory.read(offset: 100, count: 3) == [1, 2, 3])
    }

    @Test("exposeWindow refuses memory of another backend, empty ranges and ranges outside the memory")
    func exposeWindowValidation() throws {
        let bench = NodeBusBench()
        let memory = SimMemory(name: "sn1.buffer", length: 4096)
        #expect(throws: BusChannelError.invalidWindow("memory of another backend")) {
            _ = try bench.nodes[0].exposeWindow(NodeBusForeignMemory(length: 4096), offset: 0, length: 4096, access: .read)
        }
        for (offset, length) in [(0, 0), (-1, 10), (4000, 97), (4096, 1)] {
            #expect(throws: BusChannelError.self, "offset \(offset) length \(length)") {
                _ = try bench.nodes[0].exposeWindow(memory, offset: offset, length: length, access: .read)
            }
        }
        // NVRAM and a memory region's buffer are simulated memory too.
        let nvram = SimNVRAM(name: "sn1.nvram", capacity: 8192)
        _ = try bench.nodes[0].exposeWindow(nvram, offset: 0, length: 8192, access: .readWrite)
        _ = try bench.nodes[0].exposeWindow(memory, offset: 4000, length: 96, access: .read)
        #expect(bench.bus.windowCount == 2)
    }

    @Test("unknown destination master-aborts; a destination without receiver target-aborts and is not delivered later")
    func unknownDestinationAndNoReceiver() throws {
        let bench = NodeBusBench()
        bench.nodes[1].setReceiver(nil)
        try bench.host.send([1], to: BusEndpoint(rawValue: 42), tag: 1, handler: bench.hostRecorder)
        try bench.host.send([2], to: bench.nodes[1].localEndpoint, tag: 2, handler: bench.hostRecorder)
        bench.run()
        #expect(bench.hostRecorder.statuses == [.masterAbort, .targetAbort])
        bench.nodes[1].setReceiver(bench.nodeRecorders[1])
        bench.run()
        #expect(bench.nodeRecorders[1].messages.isEmpty)
        #expect(bench.pci.statistics(of: bench.bus.masterID(of: bench.host.localEndpoint)).transactions == 0)
    }

    @Test("completions are never re-entrant, even when the outcome is known at issue time")
    func completionNeverReentrant() throws {
        let bench = NodeBusBench()
        let recorder = bench.hostRecorder
        try recorder.issue {
            try bench.host.send([1], to: BusEndpoint(rawValue: 9), tag: 1, handler: recorder)
            try bench.host.dmaRead(count: 8, from: BusAddress(rawValue: 0), tag: 2, handler: recorder)
            #expect(recorder.completions.isEmpty)
        }
        // A handler that issues from inside a completion is not called back from that call either.
        var chained = 0
        recorder.onCompletion = { _ in
            guard chained < 5 else { return }
            chained += 1
            recorder.issue {
                try? bench.host.send([1], to: BusEndpoint(rawValue: 9), tag: 100 + UInt64(chained), handler: recorder)
            }
        }
        bench.run()
        #expect(recorder.reentrantCompletions == 0)
        #expect(recorder.tags == [1, 2, 101, 102, 103, 104, 105])
    }

    @Test("refused operations throw and never complete: too large, bad length, queue full at the configured limit")
    func refusedOperations() throws {
        let bench = NodeBusBench()
        let limit = bench.bus.configuration.maxOutstandingOperations
        let recorder = bench.hostRecorder
        let destination = bench.nodes[0].localEndpoint
        #expect(throws: BusChannelError.messageTooLarge(bench.host.maxMessageSize + 1)) {
            try bench.host.send(Array(repeating: 0, count: bench.host.maxMessageSize + 1), to: destination, tag: 0, handler: recorder)
        }
        #expect(throws: BusChannelError.invalidTransferLength(0)) {
            try bench.host.dmaRead(count: 0, from: BusAddress(rawValue: 0x8000_0000), tag: 0, handler: recorder)
        }
        #expect(throws: BusChannelError.invalidTransferLength(bench.host.maxTransferSize + 1)) {
            try bench.host.dmaRead(count: bench.host.maxTransferSize + 1, from: BusAddress(rawValue: 0x8000_0000), tag: 0, handler: recorder)
        }
        for tag in 0..<UInt64(limit) {
            try bench.host.send([1], to: destination, tag: tag, handler: recorder)
        }
        #expect(bench.bus.outstandingOperations(of: bench.host.localEndpoint) == limit)
        #expect(throws: BusChannelError.queueFull) { try bench.host.send([1], to: destination, tag: 999, handler: recorder) }
        bench.run()
        #expect(recorder.completions.count == limit)
        #expect(recorder.tags == Array(0..<UInt64(limit)))
        try bench.host.send([1], to: destination, tag: 1000, handler: recorder)
        bench.run()
        #expect(recorder.completions.count == limit + 1)
    }

    @Test("completions and deliveries run on the endpoints' runtimes when attached with one")
    func withRuntimes() throws {
        let bench = NodeBusBench(runtimes: true)
        try bench.host.send([7, 7], to: bench.nodes[0].localEndpoint, tag: 5, handler: bench.hostRecorder)
        bench.run()
        #expect(bench.hostRecorder.completions == [BusCompletion(tag: 5, operation: .send, status: .ok)])
        #expect(bench.nodeRecorders[0].messages.map(\.message) == [[7, 7]])
        // One turn on the host's loop (the completion), one on sn1's (the delivery), none on sn2's.
        #expect(bench.runtimes.map(\.timersScheduled) == [1, 1, 0])
    }
}

/// A buffer that is not simulated memory (as the real backend's are not).
final class NodeBusForeignMemory: MemoryBuffer {
    private let backing: SimMemory
    init(length: Int) { backing = SimMemory(name: "foreign", length: length) }
    var length: Int { backing.length }
    func read(offset: Int, count: Int) -> [UInt8] { backing.read(offset: offset, count: count) }
    func write(_ bytes: some Collection<UInt8>, at offset: Int) { backing.write(bytes, at: offset) }
    func withUnsafeBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try backing.withUnsafeBytes(body)
    }
    func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try backing.withUnsafeMutableBytes(body)
    }
}

/// A node runtime that counts the timers scheduled on it.
final class NodeBusCountingRuntime: NodeRuntime {
    private let base: SimNodeRuntime
    private(set) var timersScheduled = 0
    init(_ base: SimNodeRuntime) { self.base = base }
    var nodeName: String { base.nodeName }
    var now: Instant { base.now }
    func scheduleTimer(after delay: TimeSpan, handler: any TimerHandler, token: UInt64) -> TimerHandle {
        timersScheduled += 1
        return base.scheduleTimer(after: delay, handler: handler, token: token)
    }
    func cancelTimer(_ timer: TimerHandle) -> Bool { base.cancelTimer(timer) }
    func randomStream(named name: String) -> RandomStream { base.randomStream(named: name) }
}
