import Agents
import Glibc
import Hardware
import RealHardware
import Testing

/// A real SCSI generic device to test on: the first `/dev/sgN` (scsi_debug in the VM), opened
/// on a fresh runtime; nil (and a line saying so) where there is none.
struct RealSCSITestbed {
    let path: String
    let runtime: RealNodeRuntime
    let device: RealSCSIGenericDevice
    let log = CompletionLog()

    static func open(_ test: String, configuration: RealSCSIGenericDeviceConfiguration = .init()) throws
        -> RealSCSITestbed?
    {
        guard let path = try listSCSIGenericDevices().first else {
            print("\(test): no /dev/sg* device here, skipped (the VM has scsi_debug)")
            return nil
        }
        print("\(test) runs on \(path)")
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 11)
        let device = try RealSCSIGenericDevice(path: path, runtime: runtime, configuration: configuration)
        return RealSCSITestbed(path: path, runtime: runtime, device: device)
    }

    /// Submits `request` and runs the loop until it completes.
    func run(_ request: SCSIRequest) throws -> SCSICompletion {
        let before = log.completions.count
        try device.submit(request, handler: log)
        runtime.run(until: { log.completions.count > before }, deadline: runtime.now + runtimeTestDeadline)
        return try #require(log.completions.count > before ? log.completions.last : nil)
    }

    /// READ CAPACITY(16): (block length, block count).
    func capacity() throws -> (blockLength: Int, blocks: UInt64) {
        let completion = try run(
            SCSIRequest(CDB.ReadCapacity16(), dataTransfer: .fromDevice(count: 32), timeout: .seconds(10), tag: 900))
        #expect(completion.isGood, "\(device.describe(completion))")
        let data = try #require(ReadCapacity16Data(bytes: completion.dataIn))
        return (Int(data.blockLength), data.lastLBA + 1)
    }
}

/// SG_IO on a real device (scsi_debug's `/dev/sg0` in the VM): every command through
/// `RealSCSIGenericDevice`'s worker and the loop, every byte verified. Skips where there is no
/// sg device (the host), naming the device where there is.
///
/// The tests that write use disjoint LBAs, since suites run in parallel on the one disk: write/read
/// 0–7, 1–3, 63–70, 1000–1002, 50000–50007 and the last 8 blocks; queue depth 4096–4159; the
/// probe 65536–73727 (100000–100007 is only read); the DDM 20000–20015, 24000–24015 and 40 blocks from the end.
@Suite("SG_IO on a real device", .serialized)
struct RealSCSIDeviceTests {
    @Test("INQUIRY and READ CAPACITY(16)")
    func inquiryAndCapacity() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO device test") else { return }
        defer { bed.device.close() }
        let inquiry = try bed.run(
            SCSIRequest(
                CDB.Inquiry(allocationLength: 96), dataTransfer: .fromDevice(count: 96), timeout: .seconds(10), tag: 1))
        #expect(inquiry.isGood, "\(bed.device.describe(inquiry))")
        let data = try #require(StandardInquiryData(bytes: inquiry.dataIn))
        print(
            "  INQUIRY: '\(data.vendor)' '\(data.product)', \(inquiry.dataIn.count) bytes, sg driver \(bed.device.sgVersion), "
                + "limits \(bed.device.limits)")
        #expect(!data.vendor.isEmpty)
        let (blockLength, blocks) = try bed.capacity()
        print("  READ CAPACITY(16): \(blocks) blocks of \(blockLength) bytes")
        #expect(blockLength >= 512 && blocks > 64)
    }

    @Test("a SCSI block device accepts SG_IO too: /dev/sda reads what /dev/sg0 reads")
    func blockDevice() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO block device test") else { return }
        defer { bed.device.close() }
        guard access("/dev/sda", F_OK) == 0 else {
            print("  no /dev/sda here, block device part skipped")
            return
        }
        print("  and on /dev/sda")
        let block = try RealSCSIGenericDevice(path: "/dev/sda", runtime: bed.runtime)
        defer { block.close() }
        // An LBA no test writes (see the suite's comment), read through both nodes.
        var data: [[UInt8]] = []
        for device in [bed.device, block] as [RealSCSIGenericDevice] {
            let log = CompletionLog()
            try device.submit(
                SCSIRequest(
                    CDB.Read10(lba: 100_000, transferLength: 8), dataTransfer: .fromDevice(count: 4096),
                    timeout: .seconds(10), tag: 40),
                handler: log)
            bed.runtime.run(until: { log.completions.count == 1 }, deadline: bed.runtime.now + runtimeTestDeadline)
            let completion = try #require(log.completions.first)
            #expect(completion.isGood, "\(device.describe(completion))")
            data.append(completion.dataIn)
        }
        #expect(data[0].count == 4096 && data[0] == data[1])
        print("  /dev/sda: sg driver version \(block.sgVersion), limits \(block.limits)")
    }

    @Test("WRITE(10) then READ(10) of patterns at several LBAs, every byte verified")
    func writeThenRead() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO write/read test") else { return }
        defer { bed.device.close() }
        let (blockLength, blocks) = try bed.capacity()
        let last = UInt32(min(blocks - 1, UInt64(UInt32.max)))
        let lbas: [UInt32] = [0, 1, 63, 1000, 50_000, last - 7]
        var tag: UInt64 = 10
        for (index, lba) in lbas.enumerated() {
            let count = index % 2 == 0 ? 8 : 3
            let pattern = (0..<(count * blockLength)).map {
                UInt8(truncatingIfNeeded: ($0 &* 13) ^ (Int(lba) &+ index))
            }
            tag += 1
            let written = try bed.run(
                SCSIRequest(
                    CDB.Write10(lba: lba, transferLength: UInt16(count)), dataTransfer: .toDevice(pattern),
                    timeout: .seconds(10), tag: tag))
            #expect(written.isGood, "\(bed.device.describe(written))")
            tag += 1
            let read = try bed.run(
                SCSIRequest(
                    CDB.Read10(lba: lba, transferLength: UInt16(count)),
                    dataTransfer: .fromDevice(count: count * blockLength), timeout: .seconds(10), tag: tag))
            #expect(read.isGood, "\(bed.device.describe(read))")
            #expect(read.residual == 0)
            #expect(read.dataIn == pattern, "LBA \(lba): \(count) blocks read back")
        }
        print("  verified \(lbas.count) write/read pairs at LBAs \(lbas)")
    }

    @Test("queue depth > 1: eight commands outstanding over four worker threads, all verified")
    func severalOutstanding() throws {
        guard
            let bed = try RealSCSITestbed.open(
                "SG_IO queue depth test",
                configuration: RealSCSIGenericDeviceConfiguration(queueDepth: 8, workerThreads: 4))
        else { return }
        defer { bed.device.close() }
        let (blockLength, _) = try bed.capacity()
        let patterns = (0..<8).map { slot in (0..<(8 * blockLength)).map { UInt8(truncatingIfNeeded: $0 &+ slot &* 37) }
        }
        for slot in 0..<8 {
            try bed.device.submit(
                SCSIRequest(
                    CDB.Write10(lba: UInt32(4096 + slot * 8), transferLength: 8),
                    dataTransfer: .toDevice(patterns[slot]), timeout: .seconds(10), tag: UInt64(100 + slot)),
                handler: bed.log)
        }
        #expect(bed.device.outstandingCount == 8)
        let base = bed.log.completions.count
        bed.runtime.run(
            until: { bed.log.completions.count == base + 8 }, deadline: bed.runtime.now + runtimeTestDeadline)
        #expect(bed.log.completions.suffix(8).allSatisfy { $0.isGood })
        for slot in 0..<8 {
            try bed.device.submit(
                SCSIRequest(
                    CDB.Read10(lba: UInt32(4096 + slot * 8), transferLength: 8),
                    dataTransfer: .fromDevice(count: 8 * blockLength), timeout: .seconds(10), tag: UInt64(200 + slot)),
                handler: bed.log)
        }
        #expect(bed.device.outstandingCount == 8)
        bed.runtime.run(
            until: { bed.log.completions.count == base + 16 }, deadline: bed.runtime.now + runtimeTestDeadline)
        for completion in bed.log.completions.suffix(8) {
            #expect(completion.isGood)
            #expect(completion.dataIn == patterns[Int(completion.tag) - 200], "tag \(completion.tag)")
        }
        print("  8 outstanding on 4 workers: completion order \(bed.log.completions.suffix(8).map(\.tag))")
    }

    @Test("READ past the last LBA: CHECK CONDITION, ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE")
    func readPastTheEnd() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO out-of-range test") else { return }
        defer { bed.device.close() }
        let (blockLength, blocks) = try bed.capacity()
        let request = try SCSIRequest(
            CDB.Read16(lba: blocks, transferLength: 1), dataTransfer: .fromDevice(count: blockLength),
            timeout: .seconds(10), tag: 31)
        let completion = try bed.run(request)
        print("  \(bed.device.describe(completion, of: request))")
        #expect(completion.status == .checkCondition)
        #expect(completion.driverStatus == .sense)
        #expect(completion.senseData?.senseKey == .illegalRequest)
        #expect(completion.senseData?.additionalSenseCode == .logicalBlockAddressOutOfRange)
        #expect(bed.device.describe(completion, of: request).contains("LOGICAL BLOCK ADDRESS OUT OF RANGE"))
    }

    @Test("an unsupported operation code: CHECK CONDITION, INVALID COMMAND OPERATION CODE")
    func unsupportedOpcode() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO invalid opcode test") else { return }
        defer { bed.device.close() }
        // 0xC5: vendor-specific, which scsi_debug does not implement.
        let request = try SCSIRequest(cdb: [0xC5, 0, 0, 0, 0, 0], timeout: .seconds(10), tag: 32)
        let completion = try bed.run(request)
        print("  \(bed.device.describe(completion, of: request))")
        #expect(completion.status == .checkCondition)
        #expect(completion.senseData?.senseKey == .illegalRequest)
        #expect(completion.senseData?.additionalSenseCode == .invalidCommandOperationCode)
    }

    @Test("SYNCHRONIZE CACHE(10) completes GOOD")
    func synchronizeCache() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO SYNCHRONIZE CACHE test") else { return }
        defer { bed.device.close() }
        let completion = try bed.run(SCSIRequest(CDB.SynchronizeCache10(), timeout: .seconds(10), tag: 33))
        #expect(completion.isGood, "\(bed.device.describe(completion))")
    }

    @Test("PERSISTENT RESERVE IN and OUT, and ATA PASS-THROUGH(16): what the device answers, decoded")
    func reservationsAndATAPassThrough() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO PR / ATA test") else { return }
        defer { bed.device.close() }
        let readKeys = try SCSIRequest(
            CDB.PersistentReserveIn(serviceAction: PersistentReserveInAction(rawValue: 0), allocationLength: 256),
            dataTransfer: .fromDevice(count: 256), timeout: .seconds(10), tag: 34)
        // REGISTER (service action 0) with a 24-byte parameter list: service action key 0x1234.
        var parameters = [UInt8](repeating: 0, count: 24)
        parameters[14] = 0x12
        parameters[15] = 0x34
        let register = try SCSIRequest(
            CDB.PersistentReserveOut(serviceAction: PersistentReserveOutAction(rawValue: 0)),
            dataTransfer: .toDevice(parameters), timeout: .seconds(10), tag: 35)
        // ATA PASS-THROUGH(16) IDENTIFY DEVICE (SAT-3 12.2.2): PIO data-in, one 512-byte sector.
        let identify = try SCSIRequest(
            cdb: [0x85, 0x08, 0x0E, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0x40, 0xEC, 0],
            dataTransfer: .fromDevice(count: 512), timeout: .seconds(10), tag: 36)
        for request in [readKeys, register, identify] {
            let completion = try bed.run(request)
            print(
                "  \(request.operationCode): \(completion.isGood ? "GOOD" : bed.device.describe(completion, of: request))"
            )
            // Either the device supports it, or it says clearly that it does not.
            if !completion.isGood {
                #expect(completion.hostStatus == .ok)
                #expect(completion.status == .checkCondition)
                #expect(completion.senseData?.senseKey == .illegalRequest)
                #expect(
                    completion.senseData?.additionalSenseCode == .invalidCommandOperationCode
                        || completion.senseData?.additionalSenseCode == AdditionalSenseCode(asc: 0x24, ascq: 0x00))
            }
        }
    }

    @Test("measured SG_IO latency: 4 KiB READ/WRITE p50/p99 at depth 1, throughput at depth 8 (printed, not asserted)")
    func latencyProbe() throws {
        for workers in [1, 8] {
            guard
                let bed = try RealSCSITestbed.open(
                    "SG_IO latency probe",
                    configuration: RealSCSIGenericDeviceConfiguration(queueDepth: 8, workerThreads: workers))
            else { return }
            defer { bed.device.close() }
            let (blockLength, _) = try bed.capacity()
            let report = SGIOLatencyProbe(samples: 200, depth: 8, firstLBA: 65_536).run(
                on: bed.device, runtime: bed.runtime, blockLength: blockLength)
            print(report)
            #expect(report.failure == nil)
            #expect(report.read != nil && report.write != nil)
        }
    }
}

/// The SCSI device driver module, unchanged, on the real runtime over a real sg device.
@Suite("DDM on a real SCSI device", .serialized)
struct RealSCSIDriverTests {
    final class Results: DeviceDriverDelegate {
        var results: [UInt64: DeviceResult] = [:]
        func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) { results[tag] = result }
    }

    @Test("SCSIDeviceDriver on RealNodeRuntime + RealSCSIGenericDevice: identify, writes and reads verified, flush")
    func driverOnARealDisk() throws {
        guard let bed = try RealSCSITestbed.open("DDM real-disk test") else { return }
        defer { bed.device.close() }
        let driver = SCSIDeviceDriver(name: "ddm0", device: bed.device, runtime: bed.runtime)
        let results = Results()
        driver.delegate = results
        let deadline = bed.runtime.now + runtimeTestDeadline

        driver.identify(tag: 1)
        bed.runtime.run(until: { results.results[1] != nil }, deadline: deadline)
        let identified = try #require(results.results[1])
        let identity = try #require(identified.identity, "identify: \(identified.status)")
        print("  identify: \(identity)")
        #expect(identified.status == .good)
        let (blockLength, blocks) = try bed.capacity()
        #expect(Int(identity.blockLength) == blockLength && identity.blockCount == blocks)
        #expect(!identity.vendor.isEmpty)

        let lbas: [UInt64] = [20_000, 24_000, blocks - 40]
        var tag: UInt64 = 10
        for lba in lbas {
            let data = (0..<(16 * blockLength)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(lba)) }
            tag += 1
            let writeTag = tag
            driver.write(lba: lba, data: data, forceUnitAccess: lba == 24_000, tag: writeTag)
            tag += 1
            let readTag = tag
            driver.read(lba: lba, blocks: 16, tag: readTag)
            bed.runtime.run(until: { results.results[readTag] != nil }, deadline: deadline)
            #expect(results.results[writeTag]?.status == .good)
            #expect(results.results[readTag]?.status == .good)
            #expect(results.results[readTag]?.data == data, "LBA \(lba)")
        }
        driver.flush(tag: 99)
        bed.runtime.run(until: { results.results[99] != nil }, deadline: deadline)
        #expect(results.results[99]?.status == .good)
        #expect(driver.inProgress == 0)
        print("  DDM: \(lbas.count) writes + reads verified, flush good; \(driver.statistics)")
    }

    @Test("ATADeviceDriver on a SCSI disk without SAT (scsi_debug): identify fails with a clear CHECK CONDITION")
    func ataDriverOnADiskWithoutATAPassThrough() throws {
        guard let bed = try RealSCSITestbed.open("ATA DDM real-disk test") else { return }
        defer { bed.device.close() }
        let driver = ATADeviceDriver(name: "ata0", device: bed.device, runtime: bed.runtime)
        let results = Results()
        driver.delegate = results
        driver.identify(tag: 1)
        bed.runtime.run(until: { results.results[1] != nil }, deadline: bed.runtime.now + runtimeTestDeadline)
        let status = try #require(results.results[1]?.status)
        print("  ATA DDM identify over ATA PASS-THROUGH(16): \(status)")
        if status != .good {
            // scsi_debug has no SAT layer: ATA PASS-THROUGH(16) is an operation code it does not know.
            #expect(
                status
                    == .checkCondition(
                        SenseSummary(
                            senseKey: .illegalRequest, additionalSenseCode: 0x20, additionalSenseCodeQualifier: 0))
            )
        }
    }
}

/// A real kernel timeout: scsi_debug told to ignore every command (`opts` bit 0x4,
/// SDEBUG_OPT_TIMEOUT, with `every_nth=1`), so SG_IO's timeout expires, the SCSI layer aborts
/// the command and answers DID_TIME_OUT. It changes the disk for every user, so it runs only
/// when asked, alone: `IOFABRIC_SG_TIMEOUT_TEST=1 … --filter RealSCSITimeoutTests` in the VM.
@Suite("SG_IO timeout on a real device")
struct RealSCSITimeoutTests {
    static let parameters = "/sys/module/scsi_debug/parameters/"

    static func write(_ value: String, to parameter: String) -> Bool {
        let fd = open(parameters + parameter, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return value.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, value.utf8.count) }
            == value.utf8.count
    }

    @Test(
        "a command scsi_debug ignores times out: DID_TIME_OUT → timeOut, one line naming the device",
        .enabled(if: getenv("IOFABRIC_SG_TIMEOUT_TEST") != nil, "set IOFABRIC_SG_TIMEOUT_TEST=1 (changes scsi_debug)"))
    func kernelTimeout() throws {
        guard let bed = try RealSCSITestbed.open("SG_IO timeout test") else { return }
        defer { bed.device.close() }
        guard Self.write("1", to: "every_nth"), Self.write("4", to: "opts") else {
            print("  cannot set scsi_debug's every_nth/opts (not scsi_debug, or not root): skipped")
            return
        }
        defer {
            _ = Self.write("0", to: "opts")
            _ = Self.write("0", to: "every_nth")
        }
        let request = try SCSIRequest(
            CDB.Read10(lba: 100_000, transferLength: 1), dataTransfer: .fromDevice(count: 512),
            timeout: .seconds(2), tag: 50)
        let started = bed.runtime.now
        let completion = try bed.run(request)
        let elapsed = bed.runtime.now - started
        print("  \(bed.device.describe(completion, of: request)) (answered after \(elapsed))")
        #expect(completion.hostStatus == .timeOut)
        #expect(completion.residual == 512 && completion.dataIn.isEmpty)
        #expect(elapsed >= .seconds(2), "not before the request's timeout")
        #expect(bed.device.statistics.watchdogTimeouts == 0, "the kernel answered, not the watchdog")
        #expect(
            bed.device.describe(completion, of: request)
                == "\(bed.path): READ(10) tag 50: timed out after 2000 ms (DID_TIME_OUT)")
    }
}
