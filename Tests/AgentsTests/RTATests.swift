import AgentTestDoubles
import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// An RTA with fake drivers on a fake bus, and a fake CTA on the host endpoint.
struct RTAHarness {
    let simulator: Simulator
    let bus: RTAFakeBus
    let runtime: SimNodeRuntime
    let channel: RTAFakeChannel
    let drivers: [RTAFakeDriver]
    let rta: RemoteTransportAgent
    let cta: RTAFakeCTA
    let connection = ConnectionID(rawValue: 7)

    init(seed: UInt64, drivers driverCount: Int = 2, partnerDrivers partnerCount: Int = 0, failuresPerMillion: UInt64 = 0,
         windowLength: Int = 256 * 4096, maxOutstanding: Int = 256, maxTransferSize: Int = 4096,
         configuration: RTAConfiguration = RTAConfiguration()) {
        simulator = Simulator(seed: seed)
        bus = RTAFakeBus(simulator: simulator, seed: seed, failuresPerMillion: failuresPerMillion)
        runtime = SimNodeRuntime(nodeName: "sn1", simulator: simulator)
        channel = bus.makeChannel(maxOutstanding: maxOutstanding, maxTransferSize: maxTransferSize)
        let runtime = runtime
        drivers = (0..<(driverCount + partnerCount)).map { RTAFakeDriver(name: "d\($0)", runtime: runtime) }
        rta = RemoteTransportAgent(name: "rta1", runtime: runtime, channel: channel, drivers: Array(drivers.prefix(driverCount)),
                                   partnerDrivers: Array(drivers.suffix(partnerCount)), configuration: configuration)
        rta.start()
        cta = RTAFakeCTA(simulator: simulator, bus: bus, rta: channel.localEndpoint, windowLength: windowLength, seed: seed)
    }

    /// attach, discover, and grant `devices` to the harness's connection.
    func bootstrap(segmentSize: UInt32 = 4096, devices: [UInt16] = [0, 1]) {
        cta.attach(segmentSize: segmentSize)
        cta.send(.discover(generation: 1))
        cta.send(.connectionAdd(connection, devices: devices))
        simulator.run()
    }

    func request(_ transaction: UInt64, _ operation: BlockOperation, device: UInt16 = 0, lba: UInt64, blocks: UInt32,
                 connection: ConnectionID? = nil) {
        cta.request(RTARequest(transaction: transaction, connection: connection ?? self.connection, device: device,
                               operation: operation, lba: lba, blocks: blocks))
    }
}

@Suite("RTA")
struct RTATests {
    @Test("discover identifies every driver in order and lists the ones that answered, index = position")
    func discover() {
        let harness = RTAHarness(seed: 1, drivers: 3)
        harness.drivers[1].absent = true
        harness.bootstrap()
        let resources = harness.cta.resources ?? []
        #expect(resources.map(\.device) == [0, 2])
        #expect(resources.map(\.identity) == [harness.drivers[0].identity, harness.drivers[2].identity])
        #expect(harness.drivers.allSatisfy { $0.log.map(\.operation) == ["identify"] })
    }

    @Test("a read end to end: the device's data lands in the host buffers; disk time = service time, rta = residence − disk")
    func read() {
        let harness = RTAHarness(seed: 2)
        harness.bootstrap()
        let issued = harness.runtime.now
        harness.request(1, .read, lba: 100, blocks: 16)  // 8 KiB: two 4 KiB segments
        harness.simulator.run()
        #expect(harness.cta.outcomes[1] == .good)
        #expect(harness.cta.readMismatches == 0)
        #expect(harness.cta.segmentsSeen[1]?.map(\.length) == [4096, 4096])
        let times = harness.cta.times[1] ?? RTATimes()
        #expect(times.disk == harness.drivers[0].serviceTime)
        // The RTA's residence is within the CTA's round trip, less the device.
        let roundTrip = (harness.cta.answeredAt[1] ?? issued) - issued
        #expect(times.rta > .zero && times.rta + times.disk < roundTrip)
        #expect(harness.rta.statistics.executed == 1)
        #expect(harness.rta.statistics.buffersInUse == 0)
        #expect(harness.rta.activeTransactions == 0)
    }

    @Test("a write end to end: buffersReady → dataPlaced → the device holds the client's data → ioComplete(good)")
    func write() {
        let harness = RTAHarness(seed: 3)
        harness.bootstrap()
        harness.request(5, .write, device: 1, lba: 40, blocks: 9)  // 4608 bytes: a full and a 512-byte segment
        harness.simulator.run()
        #expect(harness.cta.outcomes[5] == .good)
        #expect(harness.cta.segmentsSeen[5]?.map(\.length) == [4096, 512])
        let expected = harness.cta.payload(5, bytes: 9 * 512)
        let written = (40..<49).flatMap { harness.drivers[1].blocks[UInt64($0)] ?? [] }
        #expect(written == expected)
        #expect(harness.drivers[1].log.filter { $0.operation == "write" }.count == 1)
        #expect(harness.rta.statistics.buffersInUse == 0)
    }

    @Test("a flush runs on the device and completes without buffers")
    func flush() {
        let harness = RTAHarness(seed: 4)
        harness.bootstrap()
        harness.request(9, .flush, lba: 0, blocks: 0)
        harness.simulator.run()
        #expect(harness.cta.outcomes[9] == .good)
        #expect(harness.drivers[0].log.last?.operation == "flush")
        #expect(harness.rta.statistics.peakBuffersInUse == 0)
    }

    @Test("refusals: unknown connection, ungranted device, no such device, zero blocks, past the end, oversize")
    func rejections() {
        var configuration = RTAConfiguration()
        configuration.maxTransferBytes = 64 * 1024
        let harness = RTAHarness(seed: 5, drivers: 3, configuration: configuration)
        harness.bootstrap(devices: [0, 1, 9])
        let blockCount = harness.drivers[0].identity.blockCount
        let cases: [(RTARequest, RejectReason)] = [
            (RTARequest(transaction: 1, connection: ConnectionID(rawValue: 99), device: 0, operation: .read, lba: 0, blocks: 1),
             .unknownConnection),
            (RTARequest(transaction: 2, connection: harness.connection, device: 2, operation: .read, lba: 0, blocks: 1),
             .lunNotGranted),
            (RTARequest(transaction: 3, connection: harness.connection, device: 9, operation: .read, lba: 0, blocks: 1),
             .unavailable),
            (RTARequest(transaction: 4, connection: harness.connection, device: 0, operation: .write, lba: 0, blocks: 0),
             .invalidRange),
            (RTARequest(transaction: 5, connection: harness.connection, device: 0, operation: .read, lba: blockCount - 1,
                        blocks: 2), .invalidRange),
            (RTARequest(transaction: 6, connection: harness.connection, device: 0, operation: .read, lba: .max, blocks: 2),
             .invalidRange),
            // maxTransferBytes / block length + 1 blocks
            (RTARequest(transaction: 7, connection: harness.connection, device: 0, operation: .read, lba: 0,
                        blocks: UInt32(configuration.maxTransferBytes / 512 + 1)), .invalidRange),
        ]
        for (request, _) in cases { harness.cta.request(request) }
        harness.simulator.run()
        for (request, reason) in cases {
            #expect(harness.cta.outcomes[request.transaction] == .rejected(reason), "transaction \(request.transaction)")
        }
        #expect(harness.rta.statistics.rejected == cases.count)
        #expect(harness.rta.statistics.executed == 0)
        #expect(harness.drivers.allSatisfy { $0.log.allSatisfy { $0.operation == "identify" } })
    }

    @Test("a request before attach is refused as unavailable")
    func beforeAttach() {
        let harness = RTAHarness(seed: 6)
        // No attach: the RTA does not know the host, so it drops what the host sends.
        harness.request(1, .read, lba: 0, blocks: 1)
        harness.simulator.run()
        #expect(harness.rta.statistics.unexpectedMessages == 1)
        #expect(harness.cta.outcomes.isEmpty)
    }

    @Test("a CHECK CONDITION passes through unchanged, and the buffers are released")
    func checkCondition() {
        let harness = RTAHarness(seed: 7)
        harness.drivers[0].mediumErrorLBAs = [1003]
        harness.bootstrap()
        harness.request(1, .read, lba: 1000, blocks: 8)
        harness.simulator.run()
        let sense = SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0,
                                 information: 1003)
        #expect(harness.cta.outcomes[1] == .checkCondition(sense))
        #expect(harness.rta.statistics.buffersInUse == 0)
    }

    @Test("1 % of bus operations fail: 2 000 requests complete exactly once; duplicates are counted, not executed")
    func lossyBusExactlyOnce() {
        let harness = RTAHarness(seed: 8, failuresPerMillion: 10_000)
        harness.bootstrap()
        harness.cta.resendPerMillion = 50_000  // the CTA sends 5 % of requests a second time
        let count = 2_000
        for index in 0..<count {
            let transaction = UInt64(1_000 + index)
            // Each request its own LBAs; reads low, writes high; 1–16 blocks.
            let blocks = UInt32(1 + index % 16)
            let operation: BlockOperation = index % 3 == 0 ? .write : .read
            harness.request(transaction, operation, device: UInt16(index % 2), lba: UInt64(index) * 16
                            + (operation == .write ? 500_000 : 0), blocks: blocks)
        }
        harness.simulator.run()
        let cta = harness.cta
        let statistics = harness.rta.statistics
        #expect(harness.bus.failuresInjected > 0)
        #expect(cta.outcomes.count == count)
        #expect(cta.outcomes.values.allSatisfy { $0 == .good })
        #expect(cta.readMismatches == 0)
        // Exactly once on the devices: every (operation, LBA) logged once, and nothing else.
        let executions = harness.drivers.flatMap { $0.log.filter { $0.operation != "identify" } }
        #expect(executions.count == count)
        #expect(Set(executions.map { "\($0.operation)@\($0.lba)" }).count == count)
        #expect(statistics.requests == count && statistics.executed == count)
        // Every request the CTA sent again reached the RTA once (the store drops bus-level
        // duplicates) and was counted, not executed.
        #expect(cta.resendsSent > 0)
        #expect(statistics.duplicateRequests == cta.resendsSent)
        let storeStatistics = [harness.rta.messageStoreStatistics, cta.store.statistics]
        #expect(storeStatistics.allSatisfy { $0.retransmissions > 0 })
        #expect(storeStatistics.reduce(0) { $0 + $1.duplicatesDropped } > 0)
        #expect(statistics.dmaRetries > 0 && statistics.transferFailures == 0)
        #expect(statistics.buffersInUse == 0 && harness.rta.activeTransactions == 0)
        #expect(harness.rta.messageStoreStatistics.peersUnreachable == 0)
    }

    @Test("buffer exhaustion queues requests in order; none fails; peak = the pool")
    func bufferExhaustion() {
        // A window of 4 segments; each read needs 2.
        let harness = RTAHarness(seed: 9, windowLength: 4 * 4096)
        harness.bootstrap()
        harness.cta.holdTransferDone = true
        for index in 0..<10 { harness.request(UInt64(index + 1), .read, lba: UInt64(index) * 100, blocks: 16) }
        harness.simulator.run()
        // 4 segments / 2 per request: 2 served; 8 waited.
        #expect(harness.cta.outcomes.count == 2)
        #expect(harness.rta.statistics.bufferWaits == 8)
        #expect(harness.rta.statistics.peakBuffersInUse == 4)
        harness.cta.holdTransferDone = false
        harness.cta.releaseHeld()
        harness.simulator.run()
        #expect(harness.cta.outcomes.count == 10)
        #expect(harness.cta.outcomes.values.allSatisfy { $0 == .good })
        #expect(harness.rta.statistics.buffersInUse == 0)
        // First come, first served: answered in transaction order.
        let order = harness.cta.answeredAt.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        #expect(order == Array(1...10))
    }

    @Test("connectionRemove aborts the connection's requests and releases every buffer")
    func connectionRemove() {
        let harness = RTAHarness(seed: 10, windowLength: 8 * 4096)
        harness.bootstrap()
        let other = ConnectionID(rawValue: 8)
        harness.cta.send(.connectionAdd(other, devices: [1]))
        harness.cta.holdDataPlaced = true
        harness.cta.holdTransferDone = true
        for index in 0..<6 {  // 12 segments wanted, 8 available
            harness.request(UInt64(index + 1), index % 2 == 0 ? .write : .read, lba: UInt64(index) * 100, blocks: 16)
        }
        harness.request(50, .read, device: 1, lba: 0, blocks: 8, connection: other)
        harness.simulator.run()
        #expect(harness.rta.statistics.buffersInUse == 8)
        harness.cta.send(.connectionRemove(harness.connection))
        harness.simulator.run()
        #expect(harness.rta.statistics.aborted == 6)
        // Of the removed connection, only the reads among the 4 that held buffers ran (writes
        // waited for their data; the 2 waiting requests never got buffers); then request 50.
        #expect(harness.rta.statistics.executed == 2 + 1)
        // The other connection's request waited behind the removed ones; it got its buffer once they left.
        #expect(harness.rta.activeTransactions == 1)
        #expect(harness.rta.statistics.buffersInUse == 1)  // 8 blocks × 512 = one 4 KiB segment
        harness.cta.holdDataPlaced = false
        harness.cta.holdTransferDone = false
        harness.cta.releaseHeld()  // late dataPlaced / transferDone for aborted requests
        harness.simulator.run()
        #expect(harness.rta.statistics.buffersInUse == 0 && harness.rta.activeTransactions == 0)
        #expect(harness.rta.statistics.unexpectedMessages > 0)
        // An aborted request sent again is a duplicate, not executed.
        let executedBefore = harness.rta.statistics.executed
        harness.request(1, .write, lba: 0, blocks: 16)
        harness.simulator.run()
        #expect(harness.rta.statistics.executed == executedBefore)
        #expect(harness.rta.statistics.duplicateRequests == 1)
        // The connection's grants are gone: a new request on it is refused.
        harness.request(60, .read, lba: 0, blocks: 1)
        harness.simulator.run()
        #expect(harness.cta.outcomes[60] == .rejected(.unknownConnection))
    }

    @Test("a DMA that keeps failing is issued maxDMAAttempts times, then the request ends transferFailed")
    func dmaFailure() {
        var configuration = RTAConfiguration()
        configuration.maxDMAAttempts = 3
        let harness = RTAHarness(seed: 11, configuration: configuration)
        harness.bootstrap()
        harness.bus.failDMA = true
        harness.request(1, .read, lba: 0, blocks: 8)  // one 4 KiB transfer
        harness.simulator.run()
        #expect(harness.cta.outcomes[1] == .transferFailed)
        #expect(harness.rta.statistics.dmaRetries == configuration.maxDMAAttempts - 1)
        #expect(harness.rta.statistics.transferFailures == 1)
        #expect(harness.rta.statistics.buffersInUse == 0)
    }

    @Test("a full DMA queue delays transfers without losing any; transfers are cut at maxTransferSize")
    func dmaQueueFull() {
        let harness = RTAHarness(seed: 12, maxOutstanding: 2, maxTransferSize: 1024)
        harness.bootstrap(segmentSize: 8192)
        harness.request(1, .read, lba: 0, blocks: 64)  // 32 KiB: 4 segments, 32 transfers of 1 KiB
        harness.request(2, .write, lba: 5000, blocks: 64)
        harness.simulator.run()
        #expect(harness.cta.outcomes[1] == .good && harness.cta.outcomes[2] == .good)
        #expect(harness.cta.readMismatches == 0)
        let written = (5000..<5064).flatMap { harness.drivers[0].blocks[UInt64($0)] ?? [] }
        #expect(written == harness.cta.payload(2, bytes: 64 * 512))
        #expect(harness.channel.refusedAsFull > 0)
    }

    @Test("a finished request seen again is answered with its final message, not executed")
    func finishedDuplicate() {
        let harness = RTAHarness(seed: 13)
        harness.bootstrap()
        harness.request(1, .write, lba: 0, blocks: 1)
        harness.simulator.run()
        harness.request(1, .write, lba: 0, blocks: 1)
        harness.simulator.run()
        #expect(harness.cta.lateFinals == 1)
        #expect(harness.rta.statistics.executed == 1 && harness.rta.statistics.duplicateRequests == 1)
    }

    @Test("a second attach (the host restarted) abandons the previous requests and their buffers")
    func reattach() {
        let harness = RTAHarness(seed: 15)
        harness.bootstrap()
        harness.cta.holdTransferDone = true
        harness.request(1, .read, lba: 0, blocks: 16)
        harness.simulator.run()
        #expect(harness.rta.statistics.buffersInUse == 2)
        harness.cta.attach(segmentSize: 4096)
        harness.simulator.run()
        #expect(harness.rta.statistics.aborted == 1)
        #expect(harness.rta.statistics.buffersInUse == 0 && harness.rta.activeTransactions == 0)
        // Grants went with the old attach: the UMA grants again.
        harness.request(2, .read, lba: 0, blocks: 1)
        harness.cta.send(.connectionAdd(harness.connection, devices: [0]))
        harness.request(3, .read, lba: 0, blocks: 1)
        harness.simulator.run()
        #expect(harness.cta.outcomes[2] == .rejected(.unknownConnection))
        #expect(harness.cta.outcomes[3] == .good)
    }

    @Test("same seed, same run: two lossy runs give the same outcomes, times and counters")
    func deterministic() {
        func run() -> ([UInt64: IOStatus], [UInt64: Instant], RTAStatistics, ResidualStoreStatistics) {
            let harness = RTAHarness(seed: 16, failuresPerMillion: 20_000)
            harness.bootstrap()
            harness.cta.resendPerMillion = 100_000
            for index in 0..<300 {
                harness.request(UInt64(index + 1), index % 2 == 0 ? .read : .write, device: UInt16(index % 2),
                                lba: UInt64(index) * 8, blocks: UInt32(1 + index % 8))
            }
            harness.simulator.run()
            return (harness.cta.outcomes, harness.cta.answeredAt, harness.rta.statistics, harness.rta.messageStoreStatistics)
        }
        let first = run()
        let second = run()
        #expect(first.0 == second.0 && first.1 == second.1 && first.2 == second.2 && first.3 == second.3)
        #expect(first.0.count == 300)
    }

    @Test("malformed messages are counted and dropped")
    func malformed() {
        let harness = RTAHarness(seed: 14)
        harness.bootstrap()
        harness.cta.store.send([0x52, 0x54, 1, 99, 0, 0], to: harness.channel.localEndpoint)
        harness.cta.store.send([1, 2, 3], to: harness.channel.localEndpoint)
        harness.simulator.run()
        #expect(harness.rta.statistics.malformedMessages == 2)
    }
}
