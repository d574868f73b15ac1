import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// The initiator's failover: a target reachable at a primary and a partner address (a cluster
/// partner serving the same LUN numbers after a takeover), on fake targets sharing one set of disks.
@Suite("ClientInitiator failover")
struct InitiatorFailoverTests {
    static let blockLength = Int(InitiatorBench.volumes[0].blockLength)

    /// Writes `count` requests of 8 blocks (a pattern per tag) to LUN 0 at LBA tag × 8.
    static func submitWrites(_ bench: InitiatorBench, count: Int, firstTag: UInt64 = 0) {
        for index in 0..<count {
            let tag = firstTag + UInt64(index)
            let offset = Int(tag) * 8 * blockLength
            bench.initiator.buffer.write(pattern(tag), at: offset)
            bench.initiator.submit(BlockRequest(lun: 0, operation: .write, lba: tag * 8, blocks: 8, bufferOffset: offset), tag: tag)
        }
    }

    static func pattern(_ tag: UInt64) -> [UInt8] {
        (0..<8 * blockLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(tag) &* 7 &+ 1) }
    }

    /// The bytes the shared disks hold for the 8 blocks of `tag`.
    static func stored(_ bench: InitiatorBench, _ tag: UInt64) -> [UInt8] {
        let start = Int(tag) * 8 * blockLength
        return Array(bench.target.disks.volumes[0]!.data[start..<start + 8 * blockLength])
    }

    @Test("the primary's adapter fails mid-load: reconnect to the partner; every request completes once, good, with its data; failover time = 2 × reconnectDelay(1) + unanswered connect + discovery (2 RT) + connect (1 RT) + first answer")
    func failsOverToPartner() throws {
        let grant = ConnectionGrant(luns: [0, 1, 2], maxTransferBytes: 256 << 10, maxOutstanding: 4)
        let bench = InitiatorBench(grant: grant)
        let partner = bench.addPartner()
        bench.connectWithPartner()
        Self.submitWrites(bench, count: 16)
        bench.run(for: .milliseconds(1))  // 4 writes at the primary, 12 queued
        let lost = bench.simulator.now
        bench.target.down = true
        bench.transport.failConnection()
        // 4 more while the partner is being discovered (its advertisement not yet known).
        let delay = bench.initiator.configuration.reconnectDelay(attempt: 1)
        bench.simulator.run(until: lost + delay + bench.transport.unansweredTimeout + delay + .microseconds(1))
        #expect(bench.initiator.phase == .discovering(attempt: 2))
        Self.submitWrites(bench, count: 4, firstTag: 16)
        let count = 20
        bench.simulator.run()

        #expect(bench.recorder.completions.map(\.tag) == (0..<UInt64(count)).map { $0 })
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        for tag in 0..<UInt64(count) { #expect(Self.stored(bench, tag) == Self.pattern(tag)) }
        // Re-issued: exactly the 4 in flight, first on the partner, in submission order.
        #expect(bench.initiator.statistics.requestsReissued == 4)
        #expect(bench.initiator.statistics.piecesReissued == 4)
        #expect(partner.requests.map(\.lba) == (0..<UInt64(count)).map { $0 * 8 })
        #expect(bench.initiator.statistics.piecesSent == count + 4)

        let record = try #require(bench.recorder.failovers.first)
        #expect(bench.recorder.failovers.count == 1 && bench.initiator.failovers == [record])
        #expect(record.lostAddress == InitiatorBench.address)
        #expect(record.servedBy == InitiatorBench.partnerAddress && record.servedByIndex == 1)
        #expect(record.attempts == 2 && record.requestsReissued == 4)
        // Attempt 1 (primary, same address: no discovery) waits reconnectDelay(round 1) and times
        // out; attempt 2 (partner) waits reconnectDelay(round 1), discovers it (IOUnitInfo, then
        // profiles and service entries in parallel: 2 round trips) and connects (1 round trip).
        let roundTrip = partner.latency + partner.latency
        let reconnected = lost + delay + bench.transport.unansweredTimeout + delay + roundTrip * 3
        #expect(record.reconnected == reconnected)
        #expect(record.failoverTime == reconnected + partner.latency + partner.times.total + partner.latency - lost)
        #expect(bench.initiator.statistics.failedConnectAttempts == 1)
        #expect(bench.initiator.statistics.reconnects == 1)
    }

    @Test("only what never completed is re-issued: of a 4-piece request, the 2 pieces answered before the loss are not sent again")
    func reissuesOnlyLostPieces() throws {
        let bench = InitiatorBench()  // 256 KiB grant
        bench.connect()
        let pieceBlocks = UInt64(Int(bench.target.grant.maxTransferBytes) / Self.blockLength)
        let bytes = 4 * Int(bench.target.grant.maxTransferBytes)
        let data = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 * 13 + 5) }
        bench.initiator.buffer.write(data, at: 0)
        bench.target.holdLBAs = [2000 + 2 * pieceBlocks, 2000 + 3 * pieceBlocks]
        bench.initiator.submit(BlockRequest(lun: 1, operation: .write, lba: 2000, blocks: UInt32(4 * pieceBlocks), bufferOffset: 0), tag: 7)
        bench.run(for: .milliseconds(10))  // pieces 0 and 1 answered, 2 and 3 held
        #expect(bench.recorder.completions.isEmpty)
        bench.target.holdLBAs = []
        bench.transport.failConnection()
        bench.simulator.run()
        #expect(bench.recorder.completions.map(\.tag) == [7])
        #expect(bench.recorder.status(of: 7) == .good)
        #expect(bench.target.requests.map(\.lba) == [0, 1, 2, 3, 2, 3].map { 2000 + $0 * pieceBlocks })
        #expect(bench.recorder.records.first?.pieces == 6)
        #expect(bench.initiator.statistics.requestsReissued == 1 && bench.initiator.statistics.piecesReissued == 2)
        let start = 2000 * Self.blockLength
        #expect(Array(bench.target.disks.volumes[1]!.data[start..<start + bytes]) == data)
    }

    @Test("a refused connect (notReady while the partner takes over) is retried: connected at loss + 2 × reconnectDelay(1) + 2 × reconnectDelay(2) + 2 unanswered + 6 RT")
    func refusedConnectRetried() throws {
        let bench = InitiatorBench()
        let partner = bench.addPartner()
        bench.connectWithPartner()
        Self.submitWrites(bench, count: 3)
        bench.run(for: .microseconds(7))  // the 3 writes are at the primary
        let lost = bench.simulator.now
        bench.target.down = true
        partner.rejectConnects = .notReady
        bench.transport.failConnection()
        let configuration = bench.initiator.configuration
        let d1 = configuration.reconnectDelay(attempt: 1)
        let d2 = configuration.reconnectDelay(attempt: 2)
        let unanswered = bench.transport.unansweredTimeout
        let roundTrip = partner.latency + partner.latency
        // Attempt 2 (the partner) is refused at loss + 2 d1 + unanswered + 3 RT; it is ready after.
        let refused = lost + d1 + unanswered + d1 + roundTrip * 3
        bench.simulator.run(until: refused + .microseconds(1))
        #expect(bench.initiator.statistics.failedConnectAttempts == 2)
        #expect(bench.initiator.phase == .waitingToReconnect(attempt: 3))
        partner.rejectConnects = nil
        bench.simulator.run()
        // Attempt 3 (primary) fails again; attempt 4 (partner, rediscovered) connects.
        #expect(bench.recorder.connected.last?.2 == refused + d2 + unanswered + d2 + roundTrip * 3)
        #expect(bench.initiator.statistics.failedConnectAttempts == 3)
        #expect(bench.recorder.completions.map(\.tag) == [0, 1, 2])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        #expect(bench.recorder.failovers.first?.attempts == 4)
        // The partner's offers asked for the LUNs the devices hold.
        #expect(partner.offers.map(\.requestedLUNs).allSatisfy { $0 == bench.initiator.devices.map(\.lun) })
    }

    @Test("the failover timeout fails the held and newly queued requests with deviceUnavailable at loss + failoverTimeout; devices then refuse")
    func failoverTimeout() throws {
        let configuration = InitiatorConfiguration(
            bufferBytes: 2 << 20, deviceSlots: 8, deviceSlotBytes: 64 << 10, reconnectDelay: .milliseconds(10),
            maxReconnectDelay: .milliseconds(10), reconnectAttempts: 1_000, failoverTimeout: .milliseconds(55))
        let bench = InitiatorBench(configuration: configuration)
        let partner = bench.addPartner()
        bench.connectWithPartner()
        let device = try #require(bench.initiator.devices.first)
        Self.submitWrites(bench, count: 2)
        bench.run(for: .microseconds(7))
        let lost = bench.simulator.now
        bench.target.down = true
        partner.down = true  // both systems gone
        bench.transport.failConnection()
        bench.run(for: .milliseconds(20))
        Self.submitWrites(bench, count: 1, firstTag: 2)  // queued meanwhile
        #expect(bench.recorder.completions.isEmpty)
        bench.simulator.run()
        #expect(bench.recorder.completions.map(\.tag) == [0, 1, 2])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .deviceUnavailable && $0.at == lost + configuration.failoverTimeout })
        #expect(bench.recorder.gaveUp == [lost + configuration.failoverTimeout])
        #expect(bench.initiator.statistics.failoverTimeouts == 1)
        #expect(bench.initiator.phase == .failed)
        let sink = RemoteLUNCompletionCollector()
        #expect(throws: SCSIGenericError.deviceGone) {
            try device.submit(try SCSIRequest(CDB.Read16(lba: 0, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: .seconds(1), tag: 1), handler: sink)
        }
    }

    @Test("giveback: the partner closes the connection and the cycle starts again at the primary, which serves again")
    func giveback() throws {
        let bench = InitiatorBench()
        let partner = bench.addPartner()
        bench.connectWithPartner()
        bench.target.down = true
        Self.submitWrites(bench, count: 1, firstTag: 9)
        bench.run(for: .microseconds(7))
        bench.transport.failConnection()
        bench.simulator.run()
        #expect(bench.initiator.servedBy == InitiatorBench.partnerAddress)
        #expect(bench.recorder.status(of: 9) == .good)
        // The primary is back; the partner hands its LUNs back, closing the connection under load.
        bench.target.down = false
        Self.submitWrites(bench, count: 4)
        bench.run(for: .microseconds(7))
        partner.rejectConnects = .noLUNsGranted
        bench.transport.closeConnection(reason: .disconnected)
        bench.simulator.run()
        #expect(bench.initiator.servedBy == InitiatorBench.address)
        #expect(bench.recorder.failovers.map(\.servedByIndex) == [1, 0])
        #expect(bench.recorder.failovers.last?.lostAddress == InitiatorBench.partnerAddress)
        #expect(bench.recorder.failovers.last?.reason == .disconnected)
        #expect(bench.recorder.failovers.last?.attempts == 1)  // the primary, first of the cycle
        #expect(bench.recorder.completions.map(\.tag) == [9, 0, 1, 2, 3])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        for tag in 0..<UInt64(4) { #expect(Self.stored(bench, tag) == Self.pattern(tag)) }
    }

    @Test("a partner advertising a LUN with another block length: reported, its connection refused, the requests held until the failover timeout")
    func blockLengthMismatch() throws {
        let configuration = InitiatorConfiguration(
            bufferBytes: 2 << 20, deviceSlots: 8, deviceSlotBytes: 64 << 10, reconnectDelay: .milliseconds(10),
            maxReconnectDelay: .milliseconds(10), reconnectAttempts: 1_000, failoverTimeout: .milliseconds(100))
        let bench = InitiatorBench(configuration: configuration)
        var volumes = InitiatorBench.volumes
        volumes[0].blockLength = 4096
        volumes[0].blockCount /= 8
        let partner = bench.addPartner(volumes: volumes)
        bench.connectWithPartner()
        Self.submitWrites(bench, count: 1)
        bench.run(for: .microseconds(7))
        bench.target.down = true
        bench.transport.failConnection()
        bench.simulator.run()
        #expect(bench.recorder.mismatches.first?.expected.blockLength == 512)
        #expect(bench.recorder.mismatches.first?.found.blockLength == 4096)
        #expect(bench.initiator.statistics.profileMismatches == bench.initiator.statistics.refusedGrants)
        #expect(bench.initiator.statistics.refusedGrants >= 1)
        #expect(partner.requests.isEmpty)
        #expect(bench.recorder.completions.map(\.status) == [.deviceUnavailable])
    }

    @Test("a request's own timeout runs only while connected: a 10 ms request held through a failover of reconnectDelay(1) = 100 ms completes good")
    func requestTimeoutSuspended() throws {
        let bench = InitiatorBench()
        bench.connect()
        let timeout = TimeSpan.milliseconds(10)  // > one round trip with the target's hold (≈ 4 ms)
        #expect(bench.initiator.configuration.reconnectDelay(attempt: 1) > timeout)
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 0, blocks: 8, bufferOffset: 0), tag: 1, timeout: timeout)
        bench.run(for: .microseconds(7))
        bench.transport.failConnection()
        bench.run(for: .milliseconds(50))
        // Submitted mid-failover: it queues (the LUN is known from its device), never rejected.
        bench.initiator.submit(BlockRequest(lun: 0, operation: .read, lba: 8, blocks: 8, bufferOffset: 4096), tag: 2, timeout: timeout)
        bench.simulator.run()
        #expect(bench.recorder.completions.map(\.tag) == [1, 2])
        #expect(bench.recorder.completions.allSatisfy { $0.status == .good })
        #expect(bench.initiator.statistics.timedOut == 0)
    }

    @Test("the first connect tries the partner when the primary does not answer")
    func firstConnectToPartner() throws {
        let bench = InitiatorBench()
        _ = bench.addPartner()
        bench.target.down = true
        bench.connectWithPartner()
        #expect(bench.recorder.connected.count == 1)
        #expect(bench.initiator.servedBy == InitiatorBench.partnerAddress && bench.initiator.addressIndex == 1)
        #expect(bench.recorder.discoveryFailures == 1)
        #expect(bench.initiator.devices.map(\.lun) == [0, 1, 2])
    }
}
