import Hardware
import SimCore
@testable import SimHardware
import Testing

@Suite("HCA verbs")
struct HCAVerbsTests {
    @Test("SEND/RECV moves the bytes; both sides complete with the right opcodes, lengths and immediate data")
    func sendReceive() throws {
        let pair = try WiredPair()
        let message = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        pair.a.memory.write(message, at: 0)
        try pair.qpB.postReceive(ReceiveWorkRequest(id: 7, scatterGatherList: [pair.b.memory.scatterGatherElement(offset: 64, length: 8192)]))
        try pair.qpA.postSend(.send(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: 5000)], immediateData: 0xfeed))
        pair.run()
        let sent = pair.a.poll()
        let received = pair.b.poll()
        #expect(sent.map(\.status) == [.success])
        #expect(sent.first?.opcode == .send)
        #expect(received.count == 1)
        #expect(received.first?.workRequestID == 7)
        #expect(received.first?.byteCount == 5000)
        #expect(received.first?.immediateData == 0xfeed)
        #expect(received.first?.opcode == .receive)
        #expect(pair.b.memory.read(offset: 64, count: 5000) == message)
        // 5000 bytes at MTU 2048 are three packets, acknowledged once (AckReq on the last).
        #expect(pair.a.hca.statistics.packetsSent == 3)
        #expect(pair.b.hca.statistics.packetsSent == 1)
    }

    @Test("RDMA WRITE of 1 MiB and RDMA READ back return the same bytes; WRITE with immediate consumes a receive")
    func writeAndRead() throws {
        let pair = try WiredPair()
        let size = 1 << 19
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
        pair.a.memory.write(data, at: 0)
        try pair.qpB.postReceive(ReceiveWorkRequest(id: 70, scatterGatherList: []))
        try pair.qpA.postSend([
            .rdmaWrite(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: size)], to: pair.b.memory.remoteMemory(offset: 4096)),
            .rdmaWrite(id: 2, [pair.a.memory.scatterGatherElement(offset: 0, length: 16)], to: pair.b.memory.remoteMemory(), immediateData: 9),
            .rdmaRead(id: 3, into: [pair.a.memory.scatterGatherElement(offset: size, length: size)], from: pair.b.memory.remoteMemory(offset: 4096)),
        ])
        pair.run()
        let sent = pair.a.poll()
        #expect(sent.map(\.workRequestID) == [1, 2, 3])
        #expect(sent.allSatisfy { $0.status == .success })
        #expect(sent.map(\.opcode) == [.rdmaWrite, .rdmaWrite, .rdmaRead])
        #expect(pair.b.memory.read(offset: 4096, count: size) == data)
        #expect(pair.a.memory.read(offset: size, count: size) == data)
        let received = pair.b.poll()
        #expect(received.count == 1)
        #expect(received.first?.opcode == .receiveRDMAWithImmediate)
        #expect(received.first?.immediateData == 9)
    }

    @Test("A bad rkey and an out-of-bounds RDMA fail with remote access error at the requester; the responder QP goes to ERR with an access-error event")
    func remoteAccessErrors() throws {
        for badRemote in [RemoteMemory(address: 0, rkey: 0xdead_beef), nil] {
            let pair = try WiredPair()
            let remote = badRemote ?? pair.b.memory.remoteMemory(offset: pair.b.memory.length - 8)  // 64 bytes from 8 before the end
            try pair.qpB.postReceive(ReceiveWorkRequest(id: 5, scatterGatherList: [pair.b.memory.scatterGatherElement(offset: 0, length: 64)]))
            try pair.qpA.postSend([
                .rdmaWrite(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: 64)], to: remote),
                .send(id: 2, [pair.a.memory.scatterGatherElement(offset: 0, length: 8)]),
            ])
            pair.run()
            let sent = pair.a.poll()
            #expect(sent.map(\.status) == [.remoteAccessError, .workRequestFlushed])
            #expect(pair.qpA.state == .error)
            #expect(pair.qpB.state == .error)
            #expect(pair.b.poll().map(\.status) == [.workRequestFlushed])
            #expect(pair.b.events.events == [VerbsAsyncEvent(type: .queuePairAccessError, element: .queuePair(pair.qpB.queuePairNumber))])
        }
    }

    @Test("An RDMA READ beyond the remote region fails the same way")
    func readOutOfBounds() throws {
        let pair = try WiredPair()
        try pair.qpA.postSend(.rdmaRead(id: 1, into: [pair.a.memory.scatterGatherElement(offset: 0, length: 4096)],
                                        from: pair.b.memory.remoteMemory(offset: pair.b.memory.length - 100)))
        pair.run()
        #expect(pair.a.poll().map(\.status) == [.remoteAccessError])
        #expect(pair.qpB.state == .error)
    }

    @Test("A local SGE with a bad lkey completes with a local protection error and the QP goes to ERR")
    func localProtection() throws {
        let pair = try WiredPair()
        try pair.qpA.postSend([
            .send(id: 1, [ScatterGatherElement(address: pair.a.memory.address, length: 8, lkey: 0x1234_5600)]),
            .send(id: 2, [pair.a.memory.scatterGatherElement(offset: 0, length: 8)]),
        ])
        pair.run()
        #expect(pair.a.poll().map(\.status) == [.localProtectionError, .workRequestFlushed])
        #expect(pair.qpA.state == .error)
    }

    @Test("No receive posted: RNR NAK, the requester waits the RNR delay and delivers once a receive is posted")
    func receiverNotReady() throws {
        let pair = try WiredPair()
        try pair.qpA.postSend(.send(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: 100)]))
        pair.run(for: .microseconds(50))
        #expect(pair.b.hca.statistics.rnrNaksSent >= 1)
        #expect(pair.a.poll().isEmpty)
        try pair.qpB.postReceive(ReceiveWorkRequest(id: 9, scatterGatherList: [pair.b.memory.scatterGatherElement(offset: 0, length: 100)]))
        pair.run()
        #expect(pair.a.poll().map(\.status) == [.success])
        #expect(pair.b.poll().map(\.workRequestID) == [9])
    }

    @Test("RNR retry count 0: the send fails with RNR retry exceeded")
    func rnrRetryExceeded() throws {
        let pair = try WiredPair(rnrRetry: 0)
        try pair.qpA.postSend(.send(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: 100)]))
        pair.run()
        #expect(pair.a.poll().map(\.status) == [.rnrRetryExceeded])
        #expect(pair.qpA.state == .error)
    }

    @Test("Dead peer: retry exceeded after (retry count + 1) × local ACK timeout")
    func deadPeer() throws {
        // timeout exponent 10: 4.096 µs × 2^10 = 4.194304 ms; retry count 3 → 4 timeouts.
        let pair = try WiredPair(timeout: 10, retryCount: 3)
        pair.wire.cut = true
        try pair.qpA.postSend(.send(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: 100)]))
        var failedAt: Instant?
        while failedAt == nil, pair.simulator.now < Instant.zero + .seconds(1) {
            pair.run(for: .microseconds(10))
            if let completion = pair.a.poll().first {
                #expect(completion.status == .retryExceeded)
                failedAt = pair.simulator.now
            }
        }
        let expected = TimeSpan.nanoseconds(4_096 << 10) * 4
        let failed = try #require(failedAt)
        #expect(pair.qpA.state == .error)
        // Sent at ~0 (doorbell, fetch, serialisation: well under 10 µs), polled every 10 µs.
        #expect(failed - .zero >= expected)
        #expect(failed - .zero < expected + .microseconds(30))
        #expect(pair.a.hca.statistics.timeouts == 4)
    }
}
