import Hardware
import SimCore
@testable import SimHardware
import Testing

/// Records every completion the moment its CQ notifies, re-arming first (the verbs idiom).
final class CompletionCollector: CompletionQueueObserver {
    var completions: [WorkCompletion] = []
    var notifications = 0
    func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        notifications += 1
        try? queue.requestNotification(solicitedOnly: false)
        _ = queue.poll(into: &completions, maxEntries: 1 << 20)
    }
}

@Suite("HCA transport")
struct HCATransportTests {
    @Test("RC over a wire losing 1 % of packets delivers every message exactly once and in order")
    func lossyExactlyOnceInOrder() throws {
        // Short ACK timeout (exponent 8: 1.05 ms) so a lost last packet costs little.
        let pair = try WiredPair(seed: 42, timeout: 8, retryCount: 7)
        pair.wire.loss = (1, 100)
        let messages = 250
        let size = 3000  // two packets each
        for index in 0..<messages {
            try pair.qpB.postReceive(ReceiveWorkRequest(
                id: UInt64(index), scatterGatherList: [pair.b.memory.scatterGatherElement(offset: index * 4096, length: 4096)]))
        }
        var requests: [SendWorkRequest] = []
        for index in 0..<messages {
            let offset = index * 4096
            pair.a.memory.fill(UInt8(truncatingIfNeeded: index), offset: offset, count: size)
            requests.append(.send(id: UInt64(index), [pair.a.memory.scatterGatherElement(offset: offset, length: size)], immediateData: UInt32(index)))
        }
        try pair.qpA.postSend(requests)
        pair.run(for: .seconds(2))
        let received = pair.b.poll()
        #expect(pair.wire.lost > 0)
        #expect(received.count == messages)
        #expect(received.map(\.immediateData) == (0..<messages).map { UInt32($0) })
        #expect(received.allSatisfy { $0.status == .success && $0.byteCount == UInt32(size) })
        for index in 0..<messages {
            #expect(pair.b.memory.read(offset: index * 4096, count: size) == [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size))
        }
        let sent = pair.a.poll()
        #expect(sent.count == messages && sent.allSatisfy { $0.status == .success })
        #expect(sent.map(\.workRequestID) == (0..<messages).map { UInt64($0) })
        #expect(pair.a.hca.statistics.retransmittedPackets > 0)
        print("lossy RC: \(pair.wire.lost) packets lost, \(pair.a.hca.statistics.retransmittedPackets) retransmitted, "
              + "\(pair.b.hca.statistics.duplicatesReceived) duplicates discarded, done at \(pair.simulator.now)")
    }

    @Test("RDMA READ over a lossy wire still returns every byte")
    func lossyRead() throws {
        let pair = try WiredPair(seed: 7, timeout: 8)
        pair.wire.loss = (2, 100)
        let size = 256 * 1024
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        pair.b.memory.write(data, at: 0)
        try pair.qpA.postSend((0..<4).map { index in
            .rdmaRead(id: UInt64(index), into: [pair.a.memory.scatterGatherElement(offset: 0, length: size)], from: pair.b.memory.remoteMemory())
        })
        pair.run(for: .seconds(2))
        print("lossy READ: \(pair.wire.lost) packets lost; \(pair.b.hca.statistics.packetsSent) response packets sent for 512 needed")
        #expect(pair.a.poll().map(\.status) == [.success, .success, .success, .success])
        #expect(pair.a.memory.read(offset: 0, count: size) == data)
        #expect(pair.wire.lost > 0)
    }

    @Test("UD: a datagram lands after the 40-byte GRH slot; a wrong Q_Key is dropped silently")
    func datagrams() throws {
        let simulator = Simulator(seed: 3)
        let wire = TestWire(simulator: simulator)
        let a = try VerbsPeer(name: "a.hca0", simulator: simulator)
        let b = try VerbsPeer(name: "b.hca0", simulator: simulator)
        wire.plug(a.hca, into: 0)
        wire.plug(b.hca, into: 1)
        let qpA = try a.makeQP(type: .unreliableDatagram)
        let qpB = try b.makeQP(type: .unreliableDatagram)
        for qp in [qpA, qpB] {
            try qp.modify(.initializeDatagram(port: 1, qkey: 0x1111))
            try qp.modify(.readyToReceiveDatagram)
            try qp.modify(.readyToSendDatagram())
        }
        try qpB.postReceive([0, 1].map { ReceiveWorkRequest(id: $0, scatterGatherList: [b.memory.scatterGatherElement(offset: Int($0) * 1024, length: 1024)]) })
        let handle = try a.domain.createAddressHandle(AddressHandleAttributes(destinationLID: 2))
        a.memory.write([1, 2, 3, 4, 5], at: 0)
        try qpA.postSend([
            .send(id: 1, [a.memory.scatterGatherElement(offset: 0, length: 5)],
                  to: DatagramDestination(addressHandle: handle, remoteQueuePairNumber: qpB.queuePairNumber, remoteQKey: 0x2222)),
            .send(id: 2, [a.memory.scatterGatherElement(offset: 0, length: 5)],
                  to: DatagramDestination(addressHandle: handle, remoteQueuePairNumber: qpB.queuePairNumber, remoteQKey: 0x1111),
                  immediateData: 77),
        ])
        _ = simulator.run(until: .zero + .milliseconds(1))
        #expect(a.poll().map(\.workRequestID) == [1, 2])
        let received = b.poll()
        #expect(received.count == 1)
        #expect(received.first?.byteCount == 45)
        #expect(received.first?.sourceQueuePairNumber == qpA.queuePairNumber)
        #expect(received.first?.sourceLID == 1)
        #expect(received.first?.immediateData == 77)
        #expect(b.memory.read(offset: 40, count: 5) == [1, 2, 3, 4, 5])
        #expect(b.hca.statistics.discardedPackets == 1)
    }

    @Test("HCA failure: the port goes down, outstanding work completes flushed, the application gets device fatal")
    func hcaFailure() throws {
        let pair = try WiredPair()
        try pair.qpB.postReceive(ReceiveWorkRequest(id: 1, scatterGatherList: [pair.b.memory.scatterGatherElement(offset: 0, length: 64)]))
        try pair.qpA.postSend(.rdmaWrite(id: 5, [pair.a.memory.scatterGatherElement(offset: 0, length: 1 << 19)], to: pair.b.memory.remoteMemory()))
        pair.b.hca.scheduleFailure(at: .zero + .microseconds(20))
        pair.run(for: .microseconds(19))
        #expect(!pair.b.hca.failed)
        pair.run(for: .microseconds(11))
        #expect(pair.b.hca.failed)
        #expect(pair.b.poll().map(\.status) == [.workRequestFlushed])
        #expect(pair.b.events.events.contains(VerbsAsyncEvent(type: .deviceFatal, element: .device)))
        #expect(pair.wire.ends[1].portState == .down)
        #expect(throws: VerbsError.deviceClosed) { try pair.b.context.queryPort(1) }
        #expect(throws: VerbsPostError.self) { try pair.qpB.postReceive(ReceiveWorkRequest(id: 2, scatterGatherList: [])) }
        // The requester, cut off, fails after its retries.
        pair.run(for: .seconds(10))
        #expect(pair.a.poll().map(\.status) == [.retryExceeded])
    }

    @Test("Posting: wrong state, full queue and malformed requests are refused, prefix posted")
    func postValidation() throws {
        let simulator = Simulator(seed: 1)
        let peer = try VerbsPeer(name: "a.hca0", simulator: simulator)
        let qp = try peer.domain.createQueuePair(
            type: .reliableConnected, sendQueue: peer.cq, receiveQueue: peer.cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: 2, maxReceiveWorkRequests: 2), signalAllSends: true)
        let element = peer.memory.scatterGatherElement(offset: 0, length: 8)
        #expect(throws: VerbsPostError(.invalidState(.reset), failedIndex: 0)) { try qp.postReceive(ReceiveWorkRequest(id: 1, scatterGatherList: [element])) }
        #expect(throws: VerbsPostError(.invalidState(.reset), failedIndex: 0)) { try qp.postSend(.send(id: 1, [element])) }
        try qp.modify(.initialize(port: 1, access: .remoteReadWrite))
        #expect(throws: VerbsPostError(.queueFull, failedIndex: 2)) {
            try qp.postReceive((0..<3).map { ReceiveWorkRequest(id: $0, scatterGatherList: [element]) })
        }
        #expect(throws: VerbsError.invalidPort(3)) { try qp.modify(QueuePairAttributes(port: 3)) }
        #expect(throws: VerbsError.self) { try qp.modify(.readyToSend(sendPSN: 0)) }  // INIT → RTS is not a transition
        try qp.modify(.error)
        #expect(qp.state == .error)
        _ = simulator.run(until: .zero + .milliseconds(1))
        // The two receives posted before ERR complete flushed.
        #expect(peer.poll().map(\.status) == [.workRequestFlushed, .workRequestFlushed])
    }

    @Test("An armed CQ notifies once per arming, never from inside a post; solicited-only waits for a solicited message")
    func notifications() throws {
        let simulator = Simulator(seed: 1)
        let wire = TestWire(simulator: simulator)
        let a = try VerbsPeer(name: "a.hca0", simulator: simulator)
        let b = try VerbsPeer(name: "b.hca0", simulator: simulator)
        wire.plug(a.hca, into: 0)
        wire.plug(b.hca, into: 1)
        let collector = CompletionCollector()
        let cq = try b.context.createCompletionQueue(minimumEntries: 16, observer: collector, token: 9)
        let qpB = try b.domain.createQueuePair(type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
                                               capabilities: QueuePairCapabilities(maxSendWorkRequests: 8, maxReceiveWorkRequests: 8), signalAllSends: false)
        let qpA = try a.makeQP()
        try connect(qpA, lid: 1, qpB, lid: 2)
        try qpB.postReceive((0..<3).map { ReceiveWorkRequest(id: $0, scatterGatherList: [b.memory.scatterGatherElement(offset: Int($0) * 64, length: 64)]) })
        try cq.requestNotification(solicitedOnly: true)
        try qpA.postSend(.send(id: 1, [a.memory.scatterGatherElement(offset: 0, length: 8)]))
        _ = simulator.run(until: .zero + .milliseconds(1))
        #expect(collector.notifications == 0)
        try qpA.postSend(.send(id: 2, [a.memory.scatterGatherElement(offset: 0, length: 8)], flags: [.signaled, .solicited]))
        _ = simulator.run(until: .zero + .milliseconds(2))
        #expect(collector.notifications == 1)
        #expect(collector.completions.map(\.workRequestID) == [0, 1])
        let unarmed = try b.context.createCompletionQueue(minimumEntries: 4, observer: nil, token: 3)
        #expect(throws: VerbsError.self) { try unarmed.requestNotification(solicitedOnly: false) }
        #expect(cq.capacity == 31)
    }

    @Test("An HCA behind a 32-bit/33 MHz PCI bus is PCI-bound: RDMA WRITE goodput ≈ the bus's burst throughput, not the link's")
    func pciBound() throws {
        let simulator = Simulator(seed: 1)
        let busA = PCIBus(name: "a.pci", configuration: .pci32at33, simulator: simulator)
        let busB = PCIBus(name: "b.pci", configuration: .pci32at33, simulator: simulator)
        let pair = try WiredPair(hostA: .pci(busA), hostB: .pci(busB), simulator: simulator)
        let size = 1 << 20
        let count = 8
        try pair.qpA.postSend((0..<count).map { index in
            .rdmaWrite(id: UInt64(index), [pair.a.memory.scatterGatherElement(offset: 0, length: size)], to: pair.b.memory.remoteMemory(),
                       flags: index == count - 1 ? [.signaled] : [])
        })
        var doneAt: Instant?
        while doneAt == nil, simulator.now < .zero + .seconds(1) {
            pair.run(for: .microseconds(100))
            if !pair.a.poll().isEmpty { doneAt = simulator.now }
        }
        let elapsed = try #require(doneAt) - Instant.zero
        let goodput = Double(size * count) / elapsed.seconds
        // The bus moves 2048-byte payload bursts (plus WQE fetches and CQE writes on the side):
        // PCIBusConfiguration.burstThroughput(burstBytes: 2048) bytes/s at best.
        let busFigure = PCIBusConfiguration.pci32at33.burstThroughput(burstBytes: 2048)
        let linkFigure = 8e9 / 8 * 2048.0 / (2048 + 26)
        print("PCI-bound RDMA WRITE: \(Int(goodput / 1e6)) MB/s; bus burst figure \(Int(busFigure / 1e6)) MB/s; link \(Int(linkFigure / 1e6)) MB/s")
        #expect(goodput < busFigure * 1.001)
        #expect(goodput > busFigure * 0.95)
        #expect(goodput < linkFigure / 5)
    }

    @Test("Same seed, same trace digest, over a lossy wire")
    func determinism() throws {
        func digest(seed: UInt64) throws -> String {
            let pair = try WiredPair(seed: seed, timeout: 8)
            pair.wire.loss = (3, 100)
            for index in 0..<50 {
                try pair.qpB.postReceive(ReceiveWorkRequest(id: UInt64(index), scatterGatherList: [pair.b.memory.scatterGatherElement(offset: 0, length: 8192)]))
            }
            try pair.qpA.postSend((0..<50).map { .send(id: UInt64($0), [pair.a.memory.scatterGatherElement(offset: 0, length: 5000)]) })
            pair.run(for: .seconds(1))
            return pair.simulator.traceDigest.hex
        }
        #expect(try digest(seed: 5) == digest(seed: 5))
        #expect(try digest(seed: 5) != digest(seed: 6))
    }
}
