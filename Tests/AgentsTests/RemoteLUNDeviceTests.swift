import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// Collects SCSI completions.
final class RemoteLUNCompletionCollector: SCSICompletionHandler {
    var completions: [SCSICompletion] = []
    func scsiRequestCompleted(_ completion: SCSICompletion) { completions.append(completion) }
}

@Suite("RemoteLUNDevice")
struct RemoteLUNDeviceTests {
    static let timeout = TimeSpan.seconds(1)

    /// A connected bench and the device of LUN `lun`.
    static func device(_ bench: InitiatorBench, lun: UInt16 = 0) throws -> RemoteLUNDevice {
        bench.connect()
        return try #require(bench.initiator.devices.first { $0.lun == lun })
    }

    @Test("READ CAPACITY (16) and (10) report the advertised last LBA (blockCount − 1) and block length")
    func readCapacity() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        try device.submit(try SCSIRequest(CDB.ReadCapacity16(), dataTransfer: .fromDevice(count: 32), timeout: Self.timeout, tag: 1), handler: sink)
        try device.submit(try SCSIRequest(CDB.ReadCapacity10(), dataTransfer: .fromDevice(count: 8), timeout: Self.timeout, tag: 2), handler: sink)
        #expect(sink.completions.isEmpty)  // never from inside submit
        bench.simulator.run()
        let profile = InitiatorBench.volumes[0]
        #expect(sink.completions.map(\.isGood) == [true, true])
        #expect(ReadCapacity16Data(bytes: sink.completions[0].dataIn) == ReadCapacity16Data(lastLBA: profile.blockCount - 1, blockLength: profile.blockLength))
        #expect(ReadCapacity10Data(bytes: sink.completions[1].dataIn) == ReadCapacity10Data(lastLBA: UInt32(profile.blockCount - 1), blockLength: profile.blockLength))
        #expect(device.queueDepth == Int(bench.target.grant.maxOutstanding))
    }

    @Test("TEST UNIT READY is GOOD when connected; INQUIRY returns a direct-access device cut to the allocation length")
    func inquiry() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        try device.submit(try SCSIRequest(CDB.TestUnitReady(), timeout: Self.timeout, tag: 1), handler: sink)
        try device.submit(try SCSIRequest(CDB.Inquiry(allocationLength: 36), dataTransfer: .fromDevice(count: 36), timeout: Self.timeout, tag: 2), handler: sink)
        try device.submit(try SCSIRequest(CDB.Inquiry(vitalProductData: true, pageCode: 0x80), dataTransfer: .fromDevice(count: 36), timeout: Self.timeout, tag: 3), handler: sink)
        bench.simulator.run()
        #expect(sink.completions[0].isGood)
        #expect(StandardInquiryData(bytes: sink.completions[1].dataIn)?.deviceType == .directAccessBlock)
        #expect(sink.completions[2].senseData?.additionalSenseCode == .invalidFieldInCDB)
    }

    @Test("an unsupported command → CHECK CONDITION ILLEGAL REQUEST 20/00 in fixed-format sense")
    func unsupported() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        try device.submit(try SCSIRequest(CDB.ReportLUNs(), dataTransfer: .fromDevice(count: 64), timeout: Self.timeout, tag: 7), handler: sink)
        bench.simulator.run()
        let completion = try #require(sink.completions.first)
        #expect(completion.status == .checkCondition)
        #expect(completion.sense.first == 0x70)
        #expect(completion.senseData?.senseKey == .illegalRequest)
        #expect(completion.senseData?.additionalSenseCode == .invalidCommandOperationCode)
        #expect(device.outstandingCount == 0)
    }

    @Test("WRITE(10) then READ(16) of the same blocks return the written data; SYNCHRONIZE CACHE (10) and (16) are GOOD")
    func writeRead() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench, lun: 1)
        let sink = RemoteLUNCompletionCollector()
        let data = (0..<(16 * 512)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try device.submit(try SCSIRequest(CDB.Write10(lba: 40, transferLength: 16), dataTransfer: .toDevice(data), timeout: Self.timeout, tag: 1), handler: sink)
        bench.simulator.run()
        try device.submit(try SCSIRequest(CDB.Read16(lba: 40, transferLength: 16), dataTransfer: .fromDevice(count: data.count), timeout: Self.timeout, tag: 2), handler: sink)
        try device.submit(try SCSIRequest(CDB.SynchronizeCache10(), timeout: Self.timeout, tag: 3), handler: sink)
        var sync16 = [UInt8](repeating: 0, count: 16)
        sync16[0] = 0x91
        try device.submit(try SCSIRequest(cdb: sync16, timeout: Self.timeout, tag: 4), handler: sink)
        bench.simulator.run()
        #expect(sink.completions.map(\.isGood) == [true, true, true, true])
        #expect(sink.completions.first { $0.tag == 2 }?.dataIn == data)
        #expect(bench.target.requests.filter { $0.operation == .flush }.count == 2)
    }

    @Test("a read past the last LBA → ILLEGAL REQUEST 21/00, without reaching the target")
    func outOfRange() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        let last = InitiatorBench.volumes[0].blockCount - 1
        try device.submit(try SCSIRequest(CDB.Read16(lba: last, transferLength: 2), dataTransfer: .fromDevice(count: 1024), timeout: Self.timeout, tag: 1), handler: sink)
        bench.simulator.run()
        #expect(sink.completions.first?.senseData?.additionalSenseCode == .logicalBlockAddressOutOfRange)
        #expect(bench.target.requests.isEmpty)
    }

    @Test("the target's MEDIUM ERROR reaches the SCSI caller as CHECK CONDITION 03/11/00 with the LBA in the information field")
    func mediumError() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench, lun: 2)
        bench.target.mediumErrorLBA = 77
        let sink = RemoteLUNCompletionCollector()
        try device.submit(try SCSIRequest(CDB.Read10(lba: 70, transferLength: 16), dataTransfer: .fromDevice(count: 8192), timeout: Self.timeout, tag: 1), handler: sink)
        bench.simulator.run()
        let sense = try #require(sink.completions.first?.senseData)
        #expect(sink.completions.first?.status == .checkCondition)
        #expect(sense.senseKey == .mediumError)
        #expect(sense.additionalSenseCode == .unrecoveredReadError)
        #expect(sense.information == 77)
        #expect(sink.completions.first?.dataIn.isEmpty == true)
    }

    @Test("target statuses map: LUN not granted → 25/00, other rejections → 24/00, device unavailable → DID_TIME_OUT, transfer failed → DID_ERROR")
    func statusMapping() throws {
        let bench = InitiatorBench()
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        // LUN 0 withdrawn from the grant at the target: it answers lunNotGranted.
        bench.target.grant.luns = [1, 2]
        try device.submit(try SCSIRequest(CDB.Read16(lba: 0, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: Self.timeout, tag: 1), handler: sink)
        bench.simulator.run()
        bench.target.grant.luns = [0, 1, 2]
        bench.target.grant.maxTransferBytes = 512  // the initiator still splits at the old grant: invalid range
        try device.submit(try SCSIRequest(CDB.Read16(lba: 0, transferLength: 2), dataTransfer: .fromDevice(count: 1024), timeout: Self.timeout, tag: 2), handler: sink)
        bench.simulator.run()
        bench.target.grant.maxTransferBytes = 256 << 10
        try device.submit(try SCSIRequest(CDB.Read16(lba: 0, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: .milliseconds(1), tag: 3), handler: sink)
        bench.simulator.run()
        try device.submit(try SCSIRequest(CDB.Write16(lba: 0, transferLength: 1), dataTransfer: .toDevice([UInt8](repeating: 1, count: 512)), timeout: Self.timeout, tag: 4), handler: sink)
        bench.target.forcedStatus = .transferFailed
        bench.simulator.run()
        #expect(sink.completions.map(\.tag) == [1, 2, 3, 4])
        #expect(sink.completions[0].senseData?.additionalSenseCode == .logicalUnitNotSupported)
        #expect(sink.completions[1].senseData?.additionalSenseCode == .invalidFieldInCDB)
        #expect(sink.completions[2].hostStatus == .timeOut)
        #expect(sink.completions[3].hostStatus == .error)
        #expect(device.outstandingCount == 0)
    }

    @Test("submit throws queueFull at queueDepth and nothing completes for the refused command")
    func queueFull() throws {
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0], maxTransferBytes: 4096, maxOutstanding: 2))
        let device = try Self.device(bench)
        let sink = RemoteLUNCompletionCollector()
        for tag in 0..<UInt64(2) {
            try device.submit(try SCSIRequest(CDB.Read16(lba: tag, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: Self.timeout, tag: tag), handler: sink)
        }
        #expect(throws: SCSIGenericError.queueFull) {
            try device.submit(try SCSIRequest(CDB.Read16(lba: 9, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: Self.timeout, tag: 9), handler: sink)
        }
        bench.simulator.run()
        #expect(sink.completions.map(\.tag).sorted() == [0, 1])
    }

    @Test("DiskLoadGenerator drives two remote LUNs with verify on: reads and writes, 0 integrity violations, 0 lost writes")
    func diskLoad() throws {
        let configuration = InitiatorConfiguration(bufferBytes: 0, deviceSlots: 16, deviceSlotBytes: 16 << 10)
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0, 1], maxTransferBytes: 4096, maxOutstanding: 8), configuration: configuration)
        bench.connect()
        let devices: [any SCSIGenericDevice] = bench.initiator.devices
        #expect(devices.count == 2)
        let start = bench.simulator.now
        let load = DiskLoad(
            readPercent: 50, blockSize: 8192, queueDepth: 4, pattern: .random, workingSet: 256 << 10,
            start: start + .microseconds(10), stop: start + .milliseconds(200), timeout: .seconds(1), verify: true)
        let generator = DiskLoadGenerator(name: "client.load", runtime: bench.runtime, devices: devices, load: load, observer: nil)
        generator.start()
        bench.simulator.run()
        let totals = generator.totals
        #expect(totals.unusableDevices == 0)
        #expect(totals.reads > 0 && totals.writes > 0)
        #expect(totals.errors == 0 && totals.timeouts == 0)
        #expect(totals.integrityViolations == 0)
        #expect(totals.lostAcknowledgedWrites == 0)
        // Each 8 KiB I/O is split in 8192 / 4096 = 2 pieces (capacity probes are answered locally);
        // the target never saw more than the grant's 8 pieces, so 8 / 2 = 4 I/Os run at once and
        // at least 4 × ⌊window / round trip⌋ complete (round trip = 2 × latency + times.total).
        let ios = totals.reads + totals.writes
        #expect(bench.initiator.statistics.piecesSent == 2 * ios)
        #expect(bench.target.maxOutstandingSeen == 8)
        #expect(bench.target.refusedTooMany == 0)
        let roundTrip = bench.target.latency + bench.target.latency + bench.target.times.total
        let rounds = Int((load.stop - load.start).picoseconds / roundTrip.picoseconds)
        #expect(ios >= 4 * rounds && ios <= 4 * (rounds + 2))
    }

    @Test("the primary's adapter fails under load: the I/Os in flight are re-issued at the partner; the load sees no error and the oracle finds nothing lost")
    func diskLoadAcrossFailover() throws {
        let configuration = InitiatorConfiguration(bufferBytes: 0, deviceSlots: 16, deviceSlotBytes: 16 << 10, reconnectDelay: .milliseconds(5))
        let bench = InitiatorBench(grant: ConnectionGrant(luns: [0, 1], maxTransferBytes: 4096, maxOutstanding: 8), configuration: configuration)
        _ = bench.addPartner()
        bench.connectWithPartner()
        let devices = bench.initiator.devices
        let start = bench.simulator.now
        let load = DiskLoad(
            readPercent: 50, blockSize: 8192, queueDepth: 4, pattern: .random, workingSet: 64 << 10,
            start: start + .microseconds(10), stop: start + .milliseconds(200), timeout: .seconds(1), verify: true)
        let generator = DiskLoadGenerator(name: "client.load", runtime: bench.runtime, devices: devices, load: load, observer: nil)
        generator.start()
        bench.simulator.run(until: start + .milliseconds(50))
        let before = generator.totals.reads + generator.totals.writes
        bench.target.down = true
        bench.transport.failConnection()
        bench.simulator.run()
        let totals = generator.totals
        #expect(bench.recorder.connected.count == 2)
        #expect(bench.initiator.servedBy == InitiatorBench.partnerAddress)
        #expect(bench.initiator.devices.map { ObjectIdentifier($0) } == devices.map { ObjectIdentifier($0) })
        #expect(totals.errors == 0 && totals.timeouts == 0)
        #expect(bench.initiator.statistics.requestsReissued > 0)
        #expect(totals.reads + totals.writes > before)
        #expect(totals.integrityViolations == 0)
        #expect(totals.lostAcknowledgedWrites == 0)
    }
}
