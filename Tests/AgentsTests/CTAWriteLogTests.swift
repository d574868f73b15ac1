import Agents
import Hardware
import SimHardware
import Testing
import Timebase

@Suite("CTA write log")
struct CTAWriteLogTests {
    static let bytes = 8 * 512

    /// Runs until the response to `tag` arrives (at most 50 ms).
    func runUntilResponse(_ bed: CTATestbed, _ tag: UInt64) {
        let limit = bed.simulator.now + .milliseconds(50)
        while bed.transport.response(tag: tag) == nil, bed.simulator.now < limit { bed.run(for: .microseconds(1)) }
    }

    @Test("a logged write is acknowledged when mirrored: rdma = RDMA READ + mirror write(record); disk 0; before the disk write")
    func earlyAcknowledgement() throws {
        let bed = CTATestbed(logged: true)
        let data = testPayload(1, bytes: Self.bytes)
        let start = bed.simulator.now
        bed.write(tag: 1, lba: 0, blocks: 8, address: 0, data: data)
        bed.run(for: .milliseconds(20))
        let (response, at) = try #require(bed.transport.response(tag: 1))
        #expect(response.status == .good)
        let mirrorWrite = try #require(bed.mirrorConnection).writeTime(NVRAMLogFormat.recordSize(dataLength: Self.bytes))
        // The mirror's share is its write of the record; the client's RDMA READ is rdmaLatency.
        #expect(response.times.rdma == bed.rdmaLatency + mirrorWrite)
        #expect(response.times.disk == .zero)
        #expect(at - start < bed.diskLatency)  // acknowledged long before the disk (5 ms)
        #expect(at - start == response.times.total)
        let diskWrite = try #require(bed.rta.diskWrites.first)
        #expect(diskWrite.at > at)
        #expect(bed.uma.cta.clusterStatistics.earlyAcknowledgements == 1)
        // The record is trimmed once on disk; the partner's copy follows.
        #expect(bed.mirror!.log.isEmpty)
        #expect(NVRAMLog.records(in: MemorySlice(bed.partnerNVRAM, offset: 1 << 19, length: 1 << 19)).isEmpty)
        #expect(bed.uma.cta.outstanding == 0)
    }

    @Test("ack never precedes mirror completion: while the interconnect is down the write is held, even after its disk write")
    func suspendedHoldsAcknowledgement() throws {
        let bed = CTATestbed(logged: true, mirrored: false)
        bed.write(tag: 1, lba: 0, blocks: 8, address: 0, data: testPayload(2, bytes: Self.bytes))
        bed.run(for: .milliseconds(20))
        #expect(bed.rta.diskWrites.count == 1)
        #expect(bed.transport.response(tag: 1) == nil)
        let fenced = bed.simulator.now
        bed.mirror!.partnerFenced()
        let (response, at) = try #require(bed.transport.response(tag: 1))
        #expect(response.status == .good && at == fenced)
        bed.run(for: .milliseconds(1))
        #expect(bed.mirror!.log.isEmpty && bed.uma.cta.outstanding == 0)
    }

    @Test("a read overlapping an acknowledged write not yet on disk waits for it and returns the new data")
    func overlappingReadWaits() throws {
        let bed = CTATestbed(logged: true)
        let data = testPayload(3, bytes: Self.bytes)
        bed.write(tag: 1, lba: 16, blocks: 8, address: 0, data: data)
        runUntilResponse(bed, 1)
        #expect(bed.rta.diskWrites.isEmpty)  // acknowledged, not on disk
        bed.read(tag: 2, lba: 20, blocks: 8, address: 65_536)  // overlaps blocks 20–23
        bed.run(for: .milliseconds(30))
        let (read, readAt) = try #require(bed.transport.response(tag: 2))
        #expect(read.status == .good)
        #expect(readAt > bed.rta.diskWrites[0].at + bed.diskLatency)  // waited, then its own disk read
        #expect(bed.transport.client.read(offset: 65_536, count: 4 * 512) == Array(data[(4 * 512)...]))
        #expect(bed.uma.cta.clusterStatistics.orderingWaits == 1)
    }

    @Test("a disk write failing after the ack is retried once; failing again it is counted and its record kept")
    func failureAfterAcknowledgement() throws {
        let once = CTATestbed(logged: true)
        once.rta.failWrites = 1
        once.write(tag: 1, lba: 0, blocks: 8, address: 0, data: testPayload(4, bytes: Self.bytes))
        once.run(for: .milliseconds(30))
        #expect(once.transport.response(tag: 1)?.response.status == .good)
        #expect(once.uma.cta.clusterStatistics.diskRetries == 1 && once.uma.cta.clusterStatistics.writesFailedAfterAck == 0)
        #expect(once.mirror!.log.isEmpty && once.rta.disk[0..<Self.bytes] == testPayload(4, bytes: Self.bytes)[...])

        let twice = CTATestbed(logged: true)
        twice.rta.failWrites = 2
        twice.write(tag: 1, lba: 0, blocks: 8, address: 0, data: testPayload(4, bytes: Self.bytes))
        twice.run(for: .milliseconds(30))
        #expect(twice.transport.response(tag: 1)?.response.status == .good)
        #expect(twice.transport.responses.count == 1)
        #expect(twice.uma.cta.clusterStatistics.writesFailedAfterAck == 1)
        #expect(twice.mirror!.log.liveRecords == 1)
        #expect(twice.uma.cta.outstanding == 0)
    }

    @Test("without a log a write is answered after its disk write, as before (disk time = the RTA's)")
    func withoutLogUnchanged() throws {
        let bed = CTATestbed(logged: false)
        bed.write(tag: 1, lba: 0, blocks: 8, address: 0, data: testPayload(5, bytes: Self.bytes))
        bed.read(tag: 2, lba: 0, blocks: 8, address: 65_536)
        bed.run(for: .milliseconds(30))
        let (response, at) = try #require(bed.transport.response(tag: 1))
        #expect(response.times.disk == bed.diskLatency)
        #expect(at > bed.rta.diskWrites[0].at)
        #expect(bed.uma.cta.clusterStatistics == CTAClusterStatistics())
    }

    @Test("many logged writes to the same blocks reach disk in order; the log trims to empty; disk holds the last")
    func sameBlocksInOrder() throws {
        let bed = CTATestbed(logged: true)
        for tag in UInt64(1)...6 { bed.write(tag: tag, lba: 8, blocks: 8, address: Int(tag) * 8192, data: testPayload(tag, bytes: Self.bytes)) }
        bed.run(for: .milliseconds(60))
        #expect(bed.transport.responses.count == 6 && bed.transport.responses.allSatisfy { $0.response.status == .good })
        #expect(bed.rta.diskWrites.count == 6)
        #expect(bed.rta.disk[(8 * 512)..<(16 * 512)] == testPayload(6, bytes: Self.bytes)[...])
        #expect(bed.mirror!.log.isEmpty && bed.uma.cta.outstanding == 0)
    }

    @Test("internal writes run on the host connection, in order with an overlapping client read")
    func internalWrite() throws {
        let bed = CTATestbed(logged: true)
        let data = testPayload(7, bytes: Self.bytes)
        bed.uma.cta.writeInternal(route: bed.route, lun: 0, lba: 32, data: data, tag: 77, delegate: bed)
        bed.read(tag: 2, lba: 32, blocks: 8, address: 65_536)
        bed.run(for: .milliseconds(30))
        #expect(bed.internalCompletions.map(\.tag) == [77] && bed.internalCompletions[0].status == .good)
        #expect(bed.rta.hostConnectionRequests == 1)
        #expect(bed.transport.client.read(offset: 65_536, count: Self.bytes) == data)
        #expect(bed.uma.cta.clusterStatistics.internalWrites == 1)
    }
}

/// Records a replay's end.
final class ReplayRecorder: NVRAMLogReplayDelegate {
    var result: (completed: Int, failed: Int, unroutable: Int)?
    func replayFinished(_ replay: NVRAMLogReplay, completed: Int, failed: Int, unroutable: Int) {
        result = (completed, failed, unroutable)
    }
}

@Suite("NVRAM log replay")
struct NVRAMLogReplayTests {
    @Test("a partner's log image replays in sequence order: the last of overlapping records wins; unknown LUNs are counted")
    func replay() throws {
        let bed = CTATestbed(logged: true)
        // The partner's log: three writes to blocks 0–7 and one to a LUN not served here.
        let image = SimMemory(name: "partner-log", length: 1 << 16)
        let log = NVRAMLog(memory: image)
        for seed in UInt64(1)...3 { _ = log.append(lun: 0, lba: 0, blocks: 8, data: testPayload(seed, bytes: 4096)) }
        _ = log.append(lun: 9, lba: 0, blocks: 8, data: testPayload(9, bytes: 4096))
        let records = NVRAMLog.records(in: image)
        #expect(records.count == 4)
        let replay = NVRAMLogReplay(records: records, cta: bed.uma.cta, routes: [0: bed.route])
        let recorder = ReplayRecorder()
        replay.delegate = recorder
        replay.start()
        bed.run(for: .milliseconds(50))
        let result = try #require(recorder.result)
        #expect(result.completed == 3 && result.failed == 0 && result.unroutable == 1)
        #expect(bed.rta.disk[0..<4096] == testPayload(3, bytes: 4096)[...])
        #expect(bed.rta.hostConnectionRequests == 3)
    }
}
