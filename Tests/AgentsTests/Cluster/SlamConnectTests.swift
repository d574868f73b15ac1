import Agents
import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// The slam connect between two managers on one interconnect, in virtual time: every scenario
/// the issue names, and the union of the edges they take covers the transition table.
@Suite("Slam connect")
struct SlamConnectTests {
    typealias Bed = ClusterTestBed
    static let config = ClusterConnectionManagerConfiguration()

    /// The time a read to a dead partner takes to fail: (retryCount + 1) local ACK timeouts.
    static var deadReadFailure: TimeSpan {
        QueuePairAttributes.localAckTimeout(exponent: config.ackTimeoutExponent)! * Int64(config.retryCount + 1)
    }

    static func bothConnected(_ bed: Bed, _ index: Int = 0) -> Bool {
        bed.state(.red, index) == .connected && bed.state(.blue, index) == .connected
    }

    // MARK: Scenarios (each returns its bed, for the coverage test)

    static func redBootsFirstAndWaits() throws -> Bed {
        let bed = try Bed()
        try bed.boot(.red)
        bed.run(for: deadReadFailure + .milliseconds(2))
        #expect(bed.state(.red) == .waitingOnPartner)
        try bed.boot(.blue)
        #expect(bed.run(for: .milliseconds(20)) { bothConnected(bed) })
        #expect(bed.path(.red) == [.initial, .attemptingRead, .waitingOnPartner, .attemptingSecondWrite, .connected])
        #expect(bed.path(.blue) == [.initial, .attemptingRead, .attemptingWrite, .attemptingSecondRead, .attemptingSecondWrite, .connected])
        return bed
    }

    static func blueBootsFirst() throws -> Bed {
        let bed = try Bed()
        try bed.boot(.blue)
        bed.run(for: deadReadFailure + .milliseconds(2))
        #expect(bed.state(.blue) == .waitingOnPartner)
        try bed.boot(.red)
        #expect(bed.run(for: .milliseconds(20)) { bothConnected(bed) })
        #expect(bed.path(.blue) == [.initial, .attemptingRead, .waitingOnPartner, .attemptingSecondWrite, .connected])
        #expect(bed.path(.red) == [.initial, .attemptingRead, .attemptingWrite, .attemptingSecondRead, .attemptingSecondWrite, .connected])
        return bed
    }

    static func bothBootAtOnce() throws -> Bed {
        let bed = try Bed()
        let start = bed.simulator.now
        try bed.boot(.red)
        try bed.boot(.blue)
        #expect(bed.run(for: .milliseconds(20)) { bothConnected(bed) })
        for side in Bed.Side.allCases {
            #expect(bed.path(side) == [.initial, .attemptingRead, .attemptingWrite, .attemptingSecondRead, .attemptingSecondWrite, .connected])
        }
        // Two reads, two writes and a poll: well under a millisecond on one cable.
        #expect(bed.log.last!.time - start < .milliseconds(1))
        return bed
    }

    static func partnerBootsAfterTheTimeout() throws -> Bed {
        let bed = try Bed()
        try bed.boot(.red)
        // Read fails (deadReadFailure), the wait times out (waitTimeout), Error, then retries.
        bed.run(for: deadReadFailure + config.waitTimeout + .milliseconds(1))
        #expect(bed.path(.red).prefix(4) == [.initial, .attemptingRead, .waitingOnPartner, .error])
        #expect(bed.manager(.red).lastError(ofInterconnect: 0)?.contains("timed out") == true)
        try bed.boot(.blue)
        #expect(bed.run(for: .milliseconds(200)) { bothConnected(bed) })
        #expect(bed.log.contains { $0.side == .red && $0.edge == SlamConnectTransition(.error, .retry, .initial) })
        return bed
    }

    /// The partner's HCA fails at the instant Red's transition `edge` is taken.
    static func partnerDies(at edge: SlamConnectTransition, expect failing: SlamConnectTransition) throws -> Bed {
        let bed = try Bed()
        var fired = false
        bed.hook = { side, _, transition in
            if side == .red, transition == edge, !fired {
                fired = true
                bed.hcas[Bed.Side.blue.rawValue][0].fail()
            }
        }
        try bed.boot(.red)
        try bed.boot(.blue)
        #expect(bed.run(for: .milliseconds(40)) { bed.state(.red) == .error })
        #expect(fired)
        #expect(bed.log.contains { $0.side == .red && $0.edge == failing })
        // The partner comes back (a new HCA incarnation, a new manager): Connected again.
        bed.hcas[Bed.Side.blue.rawValue][0].restart()
        bed.run(for: .milliseconds(30))
        try bed.boot(.blue)
        #expect(bed.run(for: .milliseconds(300)) { bothConnected(bed) })
        return bed
    }

    /// Red waits in 3; Blue reaches 5; at the instant Red sees it (3 → 5), Red's own adapter
    /// fails: Red's write of 5 never lands and Blue times out in 5.
    static func timeoutInFive() throws -> Bed {
        let bed = try Bed()
        bed.hook = { side, _, transition in
            if side == .red, transition == SlamConnectTransition(.waitingOnPartner, .partnerReached5, .attemptingSecondWrite) {
                bed.hcas[Bed.Side.red.rawValue][0].fail()
            }
        }
        try bed.boot(.red)
        bed.run(for: deadReadFailure + .milliseconds(2))
        try bed.boot(.blue)
        #expect(bed.run(for: config.waitTimeout + .milliseconds(10)) { bed.state(.blue) == .error })
        #expect(bed.log.contains { $0.side == .blue && $0.edge == SlamConnectTransition(.attemptingSecondWrite, .timedOut, .error) })
        #expect(bed.log.contains { $0.side == .red && $0.edge == SlamConnectTransition(.attemptingSecondWrite, .writeFailed, .error) })
        return bed
    }

    /// Red waits in 3 and finds Connected in its slot: a scripted partner on Blue's adapter
    /// (raw verbs, the same predetermined resources) RDMA-writes a Connected record there.
    static func partnerCompleteWhileWaiting() throws -> Bed {
        let bed = try Bed()
        try bed.boot(.red)
        bed.run(for: deadReadFailure + .milliseconds(2))
        #expect(bed.state(.red) == .waitingOnPartner)
        let context = try bed.open(.blue, 0)
        let domain = try context.allocateProtectionDomain()
        let cq = try context.createCompletionQueue(minimumEntries: 16, observer: nil, token: 0)
        let qp = try domain.createQueuePair(type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
                                            capabilities: QueuePairCapabilities(maxSendWorkRequests: 4, maxReceiveWorkRequests: 4),
                                            signalAllSends: true)
        let block = try domain.allocateMemoryRegion(length: 4096, access: .remoteReadWrite)
        #expect(qp.queuePairNumber == SimHCA.firstQueuePairNumber && block.rkey == SimHCA.firstRegionKey)
        // Connected (6) under the magic "SLAM", big-endian: our record and what we write.
        let record: [UInt8] = [0x53, 0x4c, 0x41, 0x4d, 0, 0, 0, UInt8(SlamConnectState.connected.rawValue)]
        block.write(record, at: 0)
        let red = bed.endpoint(.red, 0)
        try qp.modify(.initialize(port: 1, access: .remoteReadWrite))
        try qp.modify(.readyToReceive(path: AddressHandleAttributes(destinationLID: UInt16(red.address[0]) << 8 | UInt16(red.address[1])),
                                      destinationQPNumber: red.queuePairNumber, receivePSN: 0, pathMTU: .mtu2048, maxDestinationReadAtomic: 4))
        try qp.modify(.readyToSend(sendPSN: 0, timeout: 10, retryCount: 3, maxReadAtomic: 4))
        try qp.postSend(.rdmaWrite(id: 1, [block.scatterGatherElement(offset: 0, length: 8)],
                                   to: RemoteMemory(address: red.stateBlockAddress + 8, rkey: red.rkey)))
        #expect(bed.run(for: .milliseconds(5)) { bed.state(.red) == .connected })
        #expect(bed.path(.red) == [.initial, .attemptingRead, .waitingOnPartner, .connected])
        return bed
    }

    /// Red's adapter had a QP before the manager: its slam QP is 0x49, not the provisioned 0x48.
    static func provisioningMismatch() throws -> Bed {
        let bed = try Bed()
        let context = try bed.open(.red, 0)
        let domain = try context.allocateProtectionDomain()
        let cq = try context.createCompletionQueue(minimumEntries: 4, observer: nil, token: 0)
        _ = try domain.createQueuePair(type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
                                       capabilities: QueuePairCapabilities(maxSendWorkRequests: 1, maxReceiveWorkRequests: 1),
                                       signalAllSends: true)
        try bed.boot(.red)
        bed.run(for: .milliseconds(100))
        #expect(bed.state(.red) == .error)
        #expect(bed.path(.red) == [.initial, .error])  // no retry after a configuration error
        #expect(bed.manager(.red).lastError(ofInterconnect: 0) == "provisioning mismatch: QPN 0x49, the partner was told 0x48")
        return bed
    }

    // MARK: Tests

    @Test("Red boots first and waits (0 → 1 → 3 → 5 → Connected); Blue goes 0 → 1 → 2 → 4 → 5 → Connected")
    func redFirst() throws { _ = try Self.redBootsFirstAndWaits() }

    @Test("Blue boots first and waits")
    func blueFirst() throws { _ = try Self.blueBootsFirst() }

    @Test("both boot at the same instant: both go 0 → 1 → 2 → 4 → 5 → Connected")
    func sameInstant() throws { _ = try Self.bothBootAtOnce() }

    @Test("the partner boots after the timeout: Error, then the retry reaches Connected")
    func afterTimeout() throws { _ = try Self.partnerBootsAfterTheTimeout() }

    @Test("the partner dies between the read and the write: Error from 2")
    func diesBetweenReadAndWrite() throws {
        _ = try Self.partnerDies(at: SlamConnectTransition(.attemptingRead, .readSucceeded, .attemptingWrite),
                                 expect: SlamConnectTransition(.attemptingWrite, .writeFailed, .error))
    }

    @Test("the partner dies after the first read and the write: Error from 4")
    func diesAfterWrite() throws {
        _ = try Self.partnerDies(at: SlamConnectTransition(.attemptingWrite, .writeSucceeded, .attemptingSecondRead),
                                 expect: SlamConnectTransition(.attemptingSecondRead, .readFailed, .error))
    }

    @Test("the partner dies between the second read and the second write: Error from 5")
    func diesBeforeSecondWrite() throws {
        _ = try Self.partnerDies(at: SlamConnectTransition(.attemptingSecondRead, .readSucceeded, .attemptingSecondWrite),
                                 expect: SlamConnectTransition(.attemptingSecondWrite, .writeFailed, .error))
    }

    @Test("waiting in 5 for a partner that never writes 5 times out")
    func fiveTimesOut() throws { _ = try Self.timeoutInFive() }

    @Test("waiting in 3, the partner's Connected in the slot leads to Connected")
    func partnerComplete() throws { _ = try Self.partnerCompleteWhileWaiting() }

    @Test("a provisioning mismatch is an Error with a clear reason and no retry")
    func mismatch() throws { _ = try Self.provisioningMismatch() }

    @Test("the machine refuses nothing in its table and has no duplicate edge")
    func tableIsAFunction() {
        for transition in SlamConnectState.transitions {
            #expect(transition.from.next(on: transition.event) == transition.to)
        }
        #expect(Set(SlamConnectState.transitions.map { "\($0.from)/\($0.event)" }).count == SlamConnectState.transitions.count)
        #expect(SlamConnectState.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test("every edge of the transition table is taken by some scenario")
    func everyEdgeTaken() throws {
        var taken = Set<SlamConnectTransition>()
        taken.formUnion(try Self.redBootsFirstAndWaits().edges)
        taken.formUnion(try Self.bothBootAtOnce().edges)
        taken.formUnion(try Self.partnerBootsAfterTheTimeout().edges)
        taken.formUnion(try Self.partnerDies(at: SlamConnectTransition(.attemptingRead, .readSucceeded, .attemptingWrite),
                                             expect: SlamConnectTransition(.attemptingWrite, .writeFailed, .error)).edges)
        taken.formUnion(try Self.partnerDies(at: SlamConnectTransition(.attemptingWrite, .writeSucceeded, .attemptingSecondRead),
                                             expect: SlamConnectTransition(.attemptingSecondRead, .readFailed, .error)).edges)
        taken.formUnion(try Self.partnerDies(at: SlamConnectTransition(.attemptingSecondRead, .readSucceeded, .attemptingSecondWrite),
                                             expect: SlamConnectTransition(.attemptingSecondWrite, .writeFailed, .error)).edges)
        taken.formUnion(try Self.timeoutInFive().edges)
        taken.formUnion(try Self.partnerCompleteWhileWaiting().edges)
        taken.formUnion(try Self.provisioningMismatch().edges)
        taken.formUnion(try ClusterConnectionManagerTests.partnerReboot().edges)
        let missing = SlamConnectState.transitions.filter { !taken.contains($0) }
        #expect(missing.isEmpty, "edges never taken: \(missing)")
    }
}
