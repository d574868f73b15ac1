import Agents
import Hardware
import SimCore
import SimHardware
import Testing

@Suite("ClientInitiator")
struct InitiatorTests {
    @Test("discovery rebuilds the advertisement from IOUnitInfo, each controller's profile and service entries")
    func discovery() {
        let bench = InitiatorBench()
        bench.initiator.discover(InitiatorBench.address)
        bench.simulator.run()
        #expect(bench.recorder.discovered == [bench.target.advertisement])
        // 1 IOUnitInfo + 2 queries per controller.
        #expect(bench.transport.statistics.managementQueries == 1 + 2 * bench.target.advertisement.controllers.count)
        #expect(bench.initiator.advertisement(of: InitiatorBench.address)?.luns == InitiatorBench.volumes)
    }

    @Test("a target that never answers fails the discovery, and a connect waiting on it")
    func silentTarget() {
        let bench = InitiatorBench()
        bench.target.silent = true
        bench.connect()
        #expect(bench.recorder.discoveryFailures == 1)
        #expect(bench.recorder.connectFailures == [.timedOut])
        #expect(bench.initiator.phase == .idle)
    }

    @Test("connect offers the client GUID, the block service, the buffer region and maxOutstanding; the grant makes one device per LUN")
    func connect() throws {
        let bench = InitiatorBench()
        bench.connect(luns: [0, 2])
        let offer = try #require(bench.target.offers.first)
        #expect(offer.clientGUID == bench.transport.clientGUID)
        #expect(offer.serviceID == ServiceEntry.blockStorage.serviceID)
        #expect(offer.requestedLUNs == [0, 2])
        #expect(offer.regions == [bench.transport.bufferRegion])
        #expect(offer.maxOutstanding == bench.initiator.configuration.maxOutstanding)
        #expect(bench.transport.bufferRegion.length == UInt32(bench.initiator.configuration.totalBufferBytes))
        #expect(bench.recorder.connected.map(\.1) == [bench.target.grant])
        #expect(bench.initiator.devices.map(\.lun) == bench.target.grant.luns)
    }

    @Test("a rejected connect is reported and leaves the initiator idle")
    func rejectedConnect() {
        let bench = InitiatorBench()
        bench.target.rejectConnects = .noLUNsGranted
        bench.connect()
        #expect(bench.recorder.connectFailures == [.rejected(.noLUNsGranted)])
        #expect(bench.initiator.phase == .idle)
    }

    @Test("1 MiB at a 256 KiB grant: pieces = 1 MiB / 256 KiB, contiguous, completed once; the data round-trips")
    func split() throws {
        let bench = InitiatorBench()
        bench.connect()
        let blockLength = Int(InitiatorBench.volumes[0].blockLength)
        let bytes = 1 << 20
        let blocks = UInt32(bytes / blockLength)
        let pattern = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        bench.initiator.buffer.write(pattern, at: 100)  // any offset, even an odd one
        bench.initiator.submit(BlockRequest(lun: 1, operation: .write, lba: 1000, blocks: blocks, bufferOffset: 100), tag: 1)
        bench.simulator.run()
        bench.initiator.submit(BlockRequest(lun: 1, operation: .read, lba: 1000, blocks: blocks, bufferOffset: 1 << 20), tag: 2)
        bench.simulator.run()

        let expectedPieces = bytes / Int(bench.target.grant.maxTransferBytes)
        #expect(bench.recorder.completions.map(\.tag) == [1, 2])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        #expect(bench.recorder.records.map(\.pieces) == [expectedPieces, expectedPieces])
        let writes = bench.target.requests.filter { $0.operation == .write }
        let piecesBlocks = UInt32(Int(bench.target.grant.maxTransferBytes) / blockLength)
        #expect(writes.map(\.lba) == (0..<UInt64(expectedPieces)).map { 1000 + $0 * UInt64(piecesBlocks) })
        #expect(writes.map(\.buffer.address) == (0..<UInt64(expectedPieces)).map {
            bench.transport.bufferRegion.address + 100 + $0 * UInt64(bench.target.grant.maxTransferBytes)
        })
        #expect(bench.initiator.buffer.read(offset: 1 << 20, count: bytes) == pattern)
        // The record: target times summed over the pieces; fabric = round trips − target totals.
        let record = try #require(bench.recorder.records.last)
        #expect(record.bytes == bytes)
        #expect(record.times.disk == bench.target.times.disk * Int64(expectedPieces))
        // Each piece: latency out + hold (times.total) + latency back, all sent at once.
        #expect(record.fabric == (bench.target.latency + bench.target.latency) * Int64(expectedPieces))
        #expect(record.latency == bench.target.latency + bench.target.times.total + bench.target.latency)
    }

    @Test("requests beyond the granted maxOutstanding queue locally: the target never sees more")
    func queueing() {
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0, 1, 2], maxTransferBytes: 256 << 10, maxOutstanding: 2))
        bench.connect()
        for tag in 0..<UInt64(7) {
            bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: tag * 8, blocks: 8, bufferOffset: Int(tag) * 4096), tag: tag)
        }
        bench.simulator.run()
        #expect(bench.target.maxOutstandingSeen == 2)
        #expect(bench.target.refusedTooMany == 0)
        #expect(bench.recorder.completions.count == 7)
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        // Served two at a time: the last completes after ceil(7 / 2) = 4 rounds of one round trip each.
        let roundTrip = bench.target.latency + bench.target.times.total + bench.target.latency
        let first = bench.recorder.records[0].submitted
        #expect(bench.recorder.completions.last?.at == first + roundTrip * 4)
    }

    @Test("a request whose answer never comes fails with deviceUnavailable at submission + timeout; its span is released when the late answer lands")
    func timeout() {
        let bench = InitiatorBench()
        bench.connect()
        let timeout = TimeSpan.milliseconds(2)  // shorter than the target's hold (times.total ≈ 4 ms)
        let submitted = bench.simulator.now
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 8, bufferOffset: 0), tag: 9, timeout: timeout)
        bench.simulator.run()
        #expect(bench.recorder.completions.count == 1)
        #expect(bench.recorder.completions.first?.status == .deviceUnavailable)
        #expect(bench.recorder.completions.first?.at == submitted + timeout)
        #expect(bench.recorder.released == [9])
        #expect(bench.initiator.statistics.timedOut == 1)
        #expect(bench.initiator.statistics.lateResponses == 1)
    }

    @Test("a dropped answer: the request times out once, nothing completes twice")
    func dropped() {
        let bench = InitiatorBench()
        bench.connect()
        bench.target.dropResponses = true
        bench.initiator.submit(BlockRequest(lun: 0, operation: .write, lba: 0, blocks: 8, bufferOffset: 0), tag: 4, timeout: .milliseconds(50))
        bench.simulator.run()
        #expect(bench.recorder.completions.map(\.status) == [.deviceUnavailable])
        #expect(bench.recorder.released.isEmpty)  // still out: the span stays reserved
    }

    @Test("CHECK CONDITION passes through unchanged: MEDIUM ERROR 11/00 with the failing LBA")
    func checkCondition() {
        let bench = InitiatorBench()
        bench.connect()
        bench.target.mediumErrorLBA = 4_321
        // 2048 blocks at a 512-block grant: the error is in the third piece; the worst status wins.
        bench.initiator.submit(BlockRequest(lun: 2, operation: .read, lba: 3_000, blocks: 2_048, bufferOffset: 0), tag: 5)
        bench.simulator.run()
        #expect(bench.recorder.status(of: 5) == .checkCondition(SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: 4_321)))
    }

    @Test("requests failing locally: unknown LUN, empty read, buffer outside the caller's bytes; completed later, never inside submit")
    func localRejections() {
        let bench = InitiatorBench()
        bench.connect()
        bench.initiator.submit(BlockRequest(lun: 9, operation: .read, lba: 0, blocks: 1, bufferOffset: 0), tag: 1)
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 0, bufferOffset: 0), tag: 2)
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 1, bufferOffset: bench.initiator.configuration.bufferBytes - 511), tag: 3)
        #expect(bench.recorder.completions.isEmpty)
        bench.simulator.run()
        #expect(bench.recorder.completions.map(\.status) == [.rejected(.lunNotGranted), .rejected(.invalidRange), .rejected(.bufferNotOwned)])
        #expect(bench.target.requests.isEmpty)
    }

    @Test("malformed, unexpected and unknown messages are counted and dropped")
    func junk() {
        let bench = InitiatorBench()
        bench.connect()
        bench.transport.inject([0x49, 0x43, 1, 2, 0, 1, 0])
        bench.transport.inject(ConnectionMessage.response(ClientResponse(tag: 999, status: .good)).encoded())
        bench.transport.inject(ConnectionMessage.request(ClientRequest(tag: 1, connection: ConnectionID(rawValue: 1), lun: 0, operation: .flush, lba: 0, blocks: 0, buffer: bench.transport.bufferRegion)).encoded())
        bench.simulator.run()
        #expect(bench.initiator.statistics.malformedMessages == 1)
        #expect(bench.initiator.statistics.unknownResponses == 1)
        #expect(bench.initiator.statistics.unexpectedMessages == 1)
    }

    @Test("connection loss: the requests in flight are re-issued after reconnectDelay, in order, then the queue resumes; all complete good once")
    func reconnect() {
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0, 1, 2], maxTransferBytes: 256 << 10, maxOutstanding: 2))
        bench.connect()
        for tag in 0..<UInt64(5) {
            bench.initiator.submit(BlockRequest(lun: 0, operation: .write, lba: tag * 8, blocks: 8, bufferOffset: Int(tag) * 4096), tag: tag)
        }
        bench.run(for: .milliseconds(1))  // two requests are at the target, three queued
        let lost = bench.simulator.now
        bench.transport.failConnection()
        bench.simulator.run()
        #expect(bench.recorder.losses.count == 1)
        #expect(bench.recorder.connected.count == 2)
        // Reconnected at loss + reconnectDelay(attempt 1) + one management round trip (same
        // address: its advertisement is reused, no discovery).
        #expect(bench.recorder.connected[1].2 == lost + bench.initiator.configuration.reconnectDelay(attempt: 1) + bench.target.latency + bench.target.latency)
        #expect(bench.recorder.completions.map(\.tag) == [0, 1, 2, 3, 4])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        #expect(bench.initiator.statistics.requestsReissued == 2)
        // The target saw 5 writes + the 2 re-issued, these first on the new connection.
        #expect(bench.target.requests.map(\.lba) == [0, 8, 0, 8, 16, 24, 32])
    }

    @Test("reconnection gives up after reconnectAttempts: at loss + Σ delays + attempts × round trip; queued requests fail")
    func giveUp() {
        let configuration = InitiatorConfiguration(
            bufferBytes: 1 << 20, deviceSlots: 2, deviceSlotBytes: 4096, reconnectDelay: .milliseconds(10),
            maxReconnectDelay: .milliseconds(40), reconnectAttempts: 4)
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0], maxTransferBytes: 4096, maxOutstanding: 1), configuration: configuration)
        bench.connect()
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 8, bufferOffset: 0), tag: 1)
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 8, blocks: 8, bufferOffset: 4096), tag: 2)
        bench.run(for: .milliseconds(1))
        let lost = bench.simulator.now
        bench.target.rejectConnects = .notReady
        bench.transport.failConnection()
        bench.simulator.run()
        let delays = (1...4).map { configuration.reconnectDelay(attempt: $0) }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(40)])
        let roundTrip = bench.target.latency + bench.target.latency
        #expect(bench.recorder.gaveUp == [lost + delays.reduce(.zero, +) + roundTrip * 4])
        #expect(bench.recorder.gaveUpAttempts == [4])
        #expect(bench.transport.connects == 1 + 4)
        // Request 1 was in flight (held for re-issue), request 2 queued: both fail when it gives up.
        #expect(bench.recorder.status(of: 1) == .deviceUnavailable)
        #expect(bench.recorder.status(of: 2) == .deviceUnavailable)
        #expect(bench.initiator.phase == .failed)
        // Afterwards requests fail at once (on the next turn).
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 8, bufferOffset: 0), tag: 3)
        bench.simulator.run()
        #expect(bench.recorder.status(of: 3) == .deviceUnavailable)
    }
}
