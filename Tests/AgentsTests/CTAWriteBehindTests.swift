import Agents
import Hardware
import SimHardware
import Testing
import Timebase

/// Write-behind in the CTA (``CommonTransportAgent/destageInterval``): a logged write is
/// acknowledged when durable, its disk write waits for the next consistency point. On the
/// doubles of `CTADoublesTests.swift` (RDMA 10 µs, disk 5 ms, cluster link 2 µs + 1 GB/s).
@Suite("CTA write-behind")
struct CTAWriteBehindTests {
    static let bytes = 8 * 512
    /// Slack for the bus messages between the CTA and the fake RTA (the fake bus's latency).
    static let busSlack: TimeSpan = .microseconds(100)

    func runUntilResponse(_ bed: CTATestbed, _ tag: UInt64) {
        let limit = bed.simulator.now + .milliseconds(50)
        while bed.transport.response(tag: tag) == nil, bed.simulator.now < limit { bed.run(for: .microseconds(1)) }
    }

    func writeBehindBed(interval: TimeSpan) -> CTATestbed {
        let bed = CTATestbed(logged: true)
        bed.uma.cta.destageInterval = interval
        return bed
    }

    @Test("acknowledged before the disk write starts; the disk write starts at the CP: done at logged + interval + disk (within bus slack)")
    func heldUntilTimer() throws {
        let interval: TimeSpan = .milliseconds(20)
        let bed = writeBehindBed(interval: interval)
        let data = testPayload(11, bytes: Self.bytes)
        bed.write(tag: 1, lba: 0, blocks: 8, address: 0, data: data)
        runUntilResponse(bed, 1)
        let (response, ackAt) = try #require(bed.transport.response(tag: 1))
        #expect(response.status == .good)
        #expect(bed.uma.cta.heldWrites == 1)
        // The record was appended (and the write held) one mirror write before the acknowledgement.
        let mirrorWrite = try #require(bed.mirrorConnection).writeTime(NVRAMLogFormat.recordSize(dataLength: Self.bytes))
        let heldAt = ackAt - mirrorWrite
        bed.run(for: interval - mirrorWrite - .microseconds(1))  // just before the CP
        #expect(bed.rta.diskWrites.isEmpty)
        #expect(bed.mirror!.log.liveRecords == 1)  // only the log has it
        bed.run(for: interval)
        let diskWrite = try #require(bed.rta.diskWrites.first)
        let expected = heldAt + interval + bed.diskLatency
        #expect(diskWrite.at >= expected && diskWrite.at <= expected + Self.busSlack, "\(diskWrite.at) vs \(expected)")
        #expect(bed.rta.disk[0..<Self.bytes] == data[...])
        #expect(bed.mirror!.log.isEmpty && bed.uma.cta.outstanding == 0 && bed.uma.cta.heldWrites == 0)
        let statistics = bed.uma.cta.clusterStatistics
        #expect(statistics.writesHeld == 1 && statistics.maxWritesHeld == 1 && statistics.earlyAcknowledgements == 1)
        #expect(statistics.consistencyPoints == 1 && statistics.consistencyPointsByTrigger == [.timer: 1])
    }

    @Test("writes held in one interval go at one CP, in log order; the last of the same blocks wins on disk")
    func oneConsistencyPointInLogOrder() throws {
        let bed = writeBehindBed(interval: .milliseconds(20))
        // Distinct blocks: no ordering wait, so all four are held together.
        for tag in UInt64(1)...4 {
            bed.write(tag: tag, lba: tag * 16, blocks: 8, address: Int(tag) * 8192, data: testPayload(20 + tag, bytes: Self.bytes))
        }
        bed.run(for: .milliseconds(1))
        #expect(bed.transport.responses.count == 4 && bed.rta.diskWrites.isEmpty)
        #expect(bed.uma.cta.heldWrites == 4)
        bed.run(for: .milliseconds(30))
        #expect(bed.rta.diskWrites.count == 4)
        let statistics = bed.uma.cta.clusterStatistics
        #expect(statistics.consistencyPoints == 1 && statistics.maxWritesHeld == 4 && statistics.writesHeld == 4)
        #expect(bed.mirror!.log.isEmpty)
    }

    @Test("a read overlapping a held write takes an early CP and returns the new data: answered at ≈ disk write + disk read, not after the interval")
    func overlappingReadTakesEarlyConsistencyPoint() throws {
        let interval: TimeSpan = .milliseconds(50)
        let bed = writeBehindBed(interval: interval)
        let data = testPayload(12, bytes: Self.bytes)
        bed.write(tag: 1, lba: 16, blocks: 8, address: 0, data: data)
        runUntilResponse(bed, 1)
        #expect(bed.rta.diskWrites.isEmpty)
        let issued = bed.simulator.now
        bed.read(tag: 2, lba: 20, blocks: 8, address: 65_536)  // overlaps blocks 20–23
        bed.run(for: .milliseconds(30))
        let (read, readAt) = try #require(bed.transport.response(tag: 2))
        #expect(read.status == .good)
        // The held write's disk write (5 ms), then the read's own (5 ms), plus bus and RDMA.
        let expected = issued + bed.diskLatency + bed.diskLatency + bed.rdmaLatency
        #expect(readAt >= expected && readAt <= expected + Self.busSlack, "\(readAt) vs \(expected)")
        #expect(readAt < issued + interval)
        #expect(bed.transport.client.read(offset: 65_536, count: 4 * 512) == Array(data[(4 * 512)...]))
        let statistics = bed.uma.cta.clusterStatistics
        #expect(statistics.orderingWaits == 1 && statistics.consistencyPointsByTrigger[.ordering] == 1)
    }

    @Test("a full log takes a CP: writes held = ⌊ring / record size⌋ at the first refused append; every write acknowledged long before the interval")
    func logFullTakesConsistencyPoint() throws {
        let interval: TimeSpan = .seconds(1)
        let bed = writeBehindBed(interval: interval)
        let blocks: UInt32 = 64
        let bytes = Int(blocks) * 512
        let fit = bed.mirror!.log.ringLength / NVRAMLogFormat.recordSize(dataLength: bytes)
        let count = fit + 4
        #expect(count * bytes <= 1 << 20)  // the client's memory
        for index in 0..<count {
            bed.write(tag: UInt64(index + 1), lba: UInt64(index) * UInt64(blocks), blocks: blocks, address: index * bytes,
                      data: testPayload(UInt64(100 + index), bytes: bytes))
        }
        bed.run(for: .milliseconds(30))
        #expect(bed.transport.responses.count == count && bed.transport.responses.allSatisfy { $0.response.status == .good })
        let statistics = bed.uma.cta.clusterStatistics
        #expect(statistics.logFull >= 1)
        #expect(statistics.maxWritesHeld == fit)
        // One CP when the log first fills, then one per refused append while the waiters trickle in
        // as trims free room; the timer has not fired.
        #expect((statistics.consistencyPointsByTrigger[.logFull] ?? 0) >= 1)
        #expect(statistics.consistencyPointsByTrigger[.timer] == nil)
        // The first CP wrote the `fit` writes that filled the log together (one disk time after it).
        #expect(bed.rta.diskWrites.count >= fit)
        #expect(bed.rta.diskWrites[fit - 1].at - bed.rta.diskWrites[0].at <= Self.busSlack)
        bed.run(for: interval)
        #expect(bed.rta.diskWrites.count == count && bed.mirror!.log.isEmpty && bed.uma.cta.outstanding == 0)
        #expect(bed.uma.cta.clusterStatistics.consistencyPointsByTrigger[.timer] == 1)
    }

    @Test("internal writes (replay) are never held: on disk after one disk write")
    func internalWritesNotHeld() throws {
        let bed = writeBehindBed(interval: .seconds(1))
        let data = testPayload(13, bytes: Self.bytes)
        let start = bed.simulator.now
        bed.uma.cta.writeInternal(route: bed.route, lun: 0, lba: 32, data: data, tag: 77, delegate: bed)
        bed.run(for: .milliseconds(10))
        #expect(bed.internalCompletions.map(\.tag) == [77] && bed.internalCompletions[0].status == .good)
        #expect(bed.internalCompletions[0].at - start <= bed.diskLatency + Self.busSlack)
        #expect(bed.uma.cta.clusterStatistics.writesHeld == 0 && bed.uma.cta.clusterStatistics.consistencyPoints == 0)
    }

    @Test("a connection closing with held writes: they go at once on the host's connection; the log trims to empty")
    func closedConnectionReleasesHeldWrites() throws {
        let bed = writeBehindBed(interval: .seconds(1))
        _ = bed.uma.admitHostWrites(to: [0])
        let data = testPayload(14, bytes: Self.bytes)
        bed.write(tag: 1, lba: 40, blocks: 8, address: 0, data: data)
        runUntilResponse(bed, 1)
        #expect(bed.uma.cta.heldWrites == 1)
        bed.uma.connectionClosed(bed.connection, reason: .disconnected)
        bed.run(for: .milliseconds(10))
        #expect(bed.rta.diskWrites.count == 1 && bed.rta.hostConnectionRequests == 1)
        #expect(bed.rta.disk[(40 * 512)..<(48 * 512)] == data[...])
        #expect(bed.mirror!.log.isEmpty && bed.uma.cta.outstanding == 0)
        #expect(bed.uma.cta.clusterStatistics.consistencyPointsByTrigger == [.connectionClosed: 1])
    }

    @Test("without an interval nothing is held (the write goes to disk once logged)")
    func withoutIntervalUnchanged() throws {
        let bed = CTATestbed(logged: true)
        bed.write(tag: 1, lba: 0, blocks: 8, address: 0, data: testPayload(15, bytes: Self.bytes))
        bed.run(for: .milliseconds(10))
        #expect(bed.rta.diskWrites.count == 1)
        #expect(bed.uma.cta.clusterStatistics.writesHeld == 0 && bed.uma.cta.clusterStatistics.consistencyPoints == 0)
    }
}
