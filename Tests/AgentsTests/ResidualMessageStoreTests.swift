import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// Records what a store delivers, and answers nothing.
final class ResidualStoreProbe: ResidualMessageStoreDelegate {
    var received: [(payload: [UInt8], peer: BusEndpoint)] = []
    var unreachable: [(peer: BusEndpoint, at: Instant)] = []
    let runtime: any NodeRuntime
    init(runtime: any NodeRuntime) { self.runtime = runtime }
    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        received.append((payload, peer))
    }
    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) {
        unreachable.append((peer, runtime.now))
    }
}

/// Two stores on a fake bus.
struct ResidualStorePair {
    let simulator: Simulator
    let bus: RTAFakeBus
    let channels: (RTAFakeChannel, RTAFakeChannel)
    let runtime: SimNodeRuntime
    let stores: (ResidualMessageStore, ResidualMessageStore)
    let probes: (ResidualStoreProbe, ResidualStoreProbe)

    init(seed: UInt64, failuresPerMillion: UInt64 = 0, maxOutstanding: Int = 256,
         configuration: ResidualStoreConfiguration = ResidualStoreConfiguration()) {
        simulator = Simulator(seed: seed)
        bus = RTAFakeBus(simulator: simulator, seed: seed, failuresPerMillion: failuresPerMillion)
        channels = (bus.makeChannel(maxOutstanding: maxOutstanding), bus.makeChannel(maxOutstanding: maxOutstanding))
        runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        stores = (ResidualMessageStore(name: "a", channel: channels.0, runtime: runtime, configuration: configuration),
                  ResidualMessageStore(name: "b", channel: channels.1, runtime: runtime, configuration: configuration))
        probes = (ResidualStoreProbe(runtime: runtime), ResidualStoreProbe(runtime: runtime))
        stores.0.delegate = probes.0
        stores.1.delegate = probes.1
    }
}

/// Message `index` as 4 big-endian bytes plus a tail, so order and identity are checkable.
private func numbered(_ index: Int) -> [UInt8] {
    [UInt8(index >> 24 & 0xff), UInt8(index >> 16 & 0xff), UInt8(index >> 8 & 0xff), UInt8(index & 0xff)]
        + Array(repeating: UInt8(truncatingIfNeeded: index), count: index % 40)
}

@Suite("Residual message store")
struct ResidualMessageStoreTests {
    @Test("frames round-trip; a data frame is 12 bytes + payload, an ack exactly 12")
    func frameCodec() throws {
        let data = ResidualFrame.data(epoch: 0xdead_beef, sequence: 7, payload: [1, 2, 3])
        #expect(data.encoded().count == ResidualFrame.headerSize + 3)
        #expect(try ResidualFrame(decoding: data.encoded()) == data)
        let ack = ResidualFrame.ack(epoch: 1, nextExpected: 9)
        #expect(ack.encoded().count == ResidualFrame.headerSize)
        #expect(try ResidualFrame(decoding: ack.encoded()) == ack)
        #expect(throws: MessageDecodingError.trailingBytes(1)) { try ResidualFrame(decoding: ack.encoded() + [0]) }
        var badKind = ack.encoded()
        badKind[3] = 3
        #expect(throws: MessageDecodingError.unknownOpcode(3)) { try ResidualFrame(decoding: badKind) }
    }

    @Test("fuzz: 10 000 frames never trap and whatever is accepted re-encodes stably")
    func frameFuzz() {
        let samples: [ResidualFrame] = [
            .data(epoch: 1, sequence: 0, payload: []),
            .data(epoch: 0xffff_ffff, sequence: 12, payload: AgentMessage.discover(generation: 3).encoded()),
            .ack(epoch: 5, nextExpected: 77),
        ]
        let outcome = fuzz(seed: 0x5E5, samples: samples, encode: { $0.encoded() }, decode: { try ResidualFrame(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
    }

    @Test("a lossless bus: 500 messages each way delivered once, in order; everything acknowledged")
    func lossless() {
        let pair = ResidualStorePair(seed: 11)
        for index in 0..<500 {
            pair.stores.0.send(numbered(index), to: pair.channels.1.localEndpoint)
            pair.stores.1.send(numbered(index), to: pair.channels.0.localEndpoint)
        }
        pair.simulator.run()
        #expect(pair.probes.1.received.map(\.payload) == (0..<500).map(numbered))
        #expect(pair.probes.0.received.map(\.payload) == (0..<500).map(numbered))
        #expect(pair.stores.0.pendingCount == 0 && pair.stores.1.pendingCount == 0)
        #expect(pair.stores.0.statistics.acknowledged == 500)
        #expect(pair.stores.0.statistics.retransmissions == 0)
        #expect(pair.stores.1.statistics.duplicatesDropped == 0)
    }

    @Test("3 % of bus operations fail: 2 000 messages each way still delivered exactly once, in order")
    func lossy() {
        let pair = ResidualStorePair(seed: 12, failuresPerMillion: 30_000)
        for index in 0..<2_000 {
            pair.stores.0.send(numbered(index), to: pair.channels.1.localEndpoint)
            pair.stores.1.send(numbered(index), to: pair.channels.0.localEndpoint)
        }
        pair.simulator.run()
        #expect(pair.bus.failuresInjected > 0)
        #expect(pair.probes.1.received.map(\.payload) == (0..<2_000).map(numbered))
        #expect(pair.probes.0.received.map(\.payload) == (0..<2_000).map(numbered))
        #expect(pair.stores.0.pendingCount == 0 && pair.stores.1.pendingCount == 0)
        let statistics = [pair.stores.0.statistics, pair.stores.1.statistics]
        #expect(statistics.allSatisfy { $0.acknowledged == 2_000 && $0.delivered == 2_000 && $0.peersUnreachable == 0 })
        // Lost data frames are sent again; frames behind a lost one, and resends of frames
        // whose ack was lost, reach the receiver again and are dropped.
        #expect(statistics.allSatisfy { $0.retransmissions > 0 && $0.busErrors > 0 })
        #expect(statistics.allSatisfy { $0.duplicatesDropped + $0.outOfOrderDropped > 0 })
    }

    @Test("a full channel queue loses nothing: sends wait and go later")
    func queueFull() {
        let pair = ResidualStorePair(seed: 13, maxOutstanding: 2)
        for index in 0..<200 { pair.stores.0.send(numbered(index), to: pair.channels.1.localEndpoint) }
        pair.simulator.run()
        #expect(pair.stores.0.statistics.busyRetries > 0)
        #expect(pair.channels.0.refusedAsFull > 0)
        #expect(pair.probes.1.received.map(\.payload) == (0..<200).map(numbered))
        #expect(pair.stores.0.pendingCount == 0)
    }

    @Test("an absent peer is declared unreachable after maxAttempts sends: at maxAttempts × retransmitTimeout")
    func unreachable() {
        var configuration = ResidualStoreConfiguration()
        configuration.maxAttempts = 5
        configuration.retransmitTimeout = .microseconds(100)
        let pair = ResidualStorePair(seed: 14, configuration: configuration)
        pair.channels.1.setReceiver(nil)  // b's endpoint refuses messages: target abort
        pair.stores.0.send([1], to: pair.channels.1.localEndpoint)
        pair.stores.0.send([2], to: pair.channels.1.localEndpoint)
        pair.simulator.run()
        #expect(pair.probes.0.unreachable.count == 1)
        #expect(pair.probes.0.unreachable.first?.peer == pair.channels.1.localEndpoint)
        // Each send arms the timeout; the 5th timeout finds the attempts spent.
        let expected = Instant.zero + configuration.retransmitTimeout * Int64(configuration.maxAttempts)
        let declared = pair.probes.0.unreachable.first?.at ?? .zero
        #expect(declared >= expected && declared < expected + .microseconds(10))
        let statistics = pair.stores.0.statistics
        #expect(statistics.retransmissions == (configuration.maxAttempts - 1) * 2)
        #expect(statistics.messagesDropped == 2 && statistics.peersUnreachable == 1)
        #expect(pair.stores.0.pendingCount == 0)
    }

    @Test("a restarted peer starts again at 0 in a new epoch and is not taken for a duplicate")
    func restartedPeer() {
        let pair = ResidualStorePair(seed: 15)
        for index in 0..<10 { pair.stores.1.send(numbered(index), to: pair.channels.0.localEndpoint) }
        pair.simulator.run()
        #expect(pair.probes.0.received.count == 10)
        // b restarts: a new store instance on the same endpoint, later in time.
        let reborn = ResidualMessageStore(name: "b", channel: pair.channels.1, runtime: pair.runtime)
        let rebornProbe = ResidualStoreProbe(runtime: pair.runtime)
        reborn.delegate = rebornProbe
        for index in 0..<3 { reborn.send(numbered(100 + index), to: pair.channels.0.localEndpoint) }
        pair.simulator.run()
        #expect(pair.probes.0.received.map(\.payload).suffix(3) == (100..<103).map(numbered))
        #expect(pair.stores.0.statistics.peerRestarts == 1)
        #expect(pair.stores.0.statistics.duplicatesDropped == 0)
        #expect(reborn.pendingCount == 0)
    }

    @Test("a sender whose receiver restarted learns it from the ack and declares the peer unreachable")
    func receiverRestarted() {
        let pair = ResidualStorePair(seed: 16)
        for index in 0..<4 { pair.stores.0.send(numbered(index), to: pair.channels.1.localEndpoint) }
        pair.simulator.run()
        let reborn = ResidualMessageStore(name: "b", channel: pair.channels.1, runtime: pair.runtime)
        let rebornProbe = ResidualStoreProbe(runtime: pair.runtime)
        reborn.delegate = rebornProbe
        pair.stores.0.send(numbered(4), to: pair.channels.1.localEndpoint)  // sequence 4 of an epoch reborn never saw
        pair.simulator.run()
        #expect(rebornProbe.received.isEmpty)
        #expect(reborn.statistics.staleFrames == 1)
        #expect(pair.probes.0.unreachable.count == 1)
        // After the declaration a's next message opens a new epoch at 0, which reborn accepts.
        pair.stores.0.send(numbered(5), to: pair.channels.1.localEndpoint)
        pair.simulator.run()
        #expect(rebornProbe.received.map(\.payload) == [numbered(5)])
    }

    @Test("reset(peer:) drops the pending messages and starts a new epoch the peer accepts")
    func reset() {
        let pair = ResidualStorePair(seed: 17)
        pair.channels.1.setReceiver(nil)
        pair.stores.0.send([9], to: pair.channels.1.localEndpoint)
        pair.simulator.run(until: Instant.zero + .microseconds(50))  // target-aborted, waiting for its timeout
        #expect(pair.stores.0.pendingCount == 1)
        pair.stores.0.reset(peer: pair.channels.1.localEndpoint)
        #expect(pair.stores.0.pendingCount == 0)
        #expect(pair.stores.0.statistics.messagesDropped == 1)
        pair.channels.1.setReceiver(pair.stores.1)
        pair.stores.0.send([10], to: pair.channels.1.localEndpoint)
        pair.simulator.run()
        #expect(pair.probes.1.received.map(\.payload) == [[10]])
        #expect(pair.probes.0.unreachable.isEmpty)
    }

    @Test("malformed frames are counted and dropped")
    func malformed() {
        let pair = ResidualStorePair(seed: 18)
        pair.stores.1.busMessageReceived([0x52, 0x4d, 1], from: pair.channels.0.localEndpoint)
        pair.stores.1.busMessageReceived([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], from: pair.channels.0.localEndpoint)
        #expect(pair.stores.1.statistics.malformedFrames == 2)
        #expect(pair.probes.1.received.isEmpty)
    }
}
