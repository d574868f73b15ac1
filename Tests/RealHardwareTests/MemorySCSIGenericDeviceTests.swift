import Hardware
import RealHardware
import Testing

/// The disk in memory behind the `SCSIGenericDevice` contract (the real-mode LUN `ram:SIZE`),
/// on the real runtime: its answers, its errors, and completions never inside the submit.
@Suite("MemorySCSIGenericDevice")
struct MemorySCSIGenericDeviceTests {
    /// Collects completions by tag; counts the ones that arrived inside a submit.
    final class Collector: SCSICompletionHandler {
        var completions: [UInt64: SCSICompletion] = [:]
        var order: [UInt64] = []
        var insideSubmit = 0
        var submitting = false
        func scsiRequestCompleted(_ completion: SCSICompletion) {
            if submitting { insideSubmit += 1 }
            completions[completion.tag] = completion
            order.append(completion.tag)
        }
    }

    static let capacity = 1 << 20
    static let blockLength = 512

    private func submit(_ request: SCSIRequest, to device: MemorySCSIGenericDevice, _ collector: Collector) throws {
        collector.submitting = true
        defer { collector.submitting = false }
        try device.submit(request, handler: collector)
    }

    private func run(_ runtime: RealNodeRuntime, _ collector: Collector, until count: Int) {
        runtime.run(until: { collector.completions.count >= count }, deadline: runtime.now + .seconds(10))
    }

    @Test("INQUIRY names it; READ CAPACITY (16) gives capacity ÷ 512 blocks of 512 bytes")
    func identifies() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let device = MemorySCSIGenericDevice(name: "ram:1MiB", capacity: Self.capacity, runtime: runtime)
        let collector = Collector()
        try submit(SCSIRequest(CDB.Inquiry(allocationLength: 96), dataTransfer: .fromDevice(count: 96), timeout: .seconds(1), tag: 1), to: device, collector)
        try submit(SCSIRequest(CDB.ReadCapacity16(allocationLength: 32), dataTransfer: .fromDevice(count: 32), timeout: .seconds(1), tag: 2), to: device, collector)
        #expect(collector.completions.isEmpty)
        run(runtime, collector, until: 2)
        let inquiry = try #require(collector.completions[1])
        #expect(inquiry.isGood)
        let data = try #require(StandardInquiryData(bytes: inquiry.dataIn))
        #expect(data.vendor == "IOFABRIC" && data.product == "RAM DISK")
        // 96 bytes of room, 36 of standard data: residual 60.
        #expect(inquiry.residual == 96 - StandardInquiryData.length)
        let capacityCompletion = try #require(collector.completions[2])
        let capacity = try #require(ReadCapacity16Data(bytes: capacityCompletion.dataIn))
        #expect(capacity.blockLength == UInt32(Self.blockLength))
        #expect(capacity.lastLBA + 1 == UInt64(Self.capacity / Self.blockLength))
        #expect(collector.order == [1, 2] && collector.insideSubmit == 0)
    }

    @Test("WRITE (16) then READ (16) returns the bytes written; never-written blocks read as zeroes")
    func writeThenRead() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let device = MemorySCSIGenericDevice(name: "ram:1MiB", capacity: Self.capacity, runtime: runtime)
        let collector = Collector()
        let payload = (0..<(16 * Self.blockLength)).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        try submit(SCSIRequest(CDB.Write16(lba: 100, transferLength: 16), dataTransfer: .toDevice(payload), timeout: .seconds(1), tag: 1), to: device, collector)
        try submit(SCSIRequest(CDB.Read16(lba: 96, transferLength: 24), dataTransfer: .fromDevice(count: 24 * Self.blockLength), timeout: .seconds(1), tag: 2), to: device, collector)
        run(runtime, collector, until: 2)
        #expect(collector.completions[1]?.isGood == true)
        let read = try #require(collector.completions[2])
        #expect(read.isGood && read.residual == 0)
        let zeroes = [UInt8](repeating: 0, count: 4 * Self.blockLength)
        #expect(read.dataIn == zeroes + payload + zeroes)
        #expect(device.completed == 2 && device.outstandingCount == 0)
    }

    @Test("a range past the end is LBA OUT OF RANGE; an unknown command INVALID COMMAND OPERATION CODE")
    func errors() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let device = MemorySCSIGenericDevice(name: "ram:1MiB", capacity: Self.capacity, runtime: runtime)
        let collector = Collector()
        let lastLBA = UInt64(Self.capacity / Self.blockLength) - 1
        // Two blocks from the last one: one block past the end.
        try submit(SCSIRequest(CDB.Read16(lba: lastLBA, transferLength: 2), dataTransfer: .fromDevice(count: 2 * Self.blockLength), timeout: .seconds(1), tag: 1), to: device, collector)
        try submit(SCSIRequest(cdb: CDB.PersistentReserveIn(serviceAction: .readKeys, allocationLength: 64).bytes, dataTransfer: .fromDevice(count: 64), timeout: .seconds(1), tag: 2), to: device, collector)
        run(runtime, collector, until: 2)
        let outOfRange = try #require(collector.completions[1])
        #expect(outOfRange.status == .checkCondition && outOfRange.dataIn.isEmpty)
        #expect(outOfRange.senseData?.senseKey == .illegalRequest)
        #expect(outOfRange.senseData?.additionalSenseCode == .logicalBlockAddressOutOfRange)
        #expect(device.describe(outOfRange).hasPrefix("ram:1MiB: "))
        let unknown = try #require(collector.completions[2])
        #expect(unknown.senseData?.additionalSenseCode == .invalidCommandOperationCode)
    }

    @Test("the queue depth bounds outstanding commands (queueFull), and a closed device refuses (deviceGone)")
    func queueDepthAndClose() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let device = MemorySCSIGenericDevice(name: "ram:1MiB", capacity: Self.capacity, queueDepth: 2, runtime: runtime)
        let collector = Collector()
        let unitReady = { (tag: UInt64) in try SCSIRequest(CDB.TestUnitReady(), timeout: .seconds(1), tag: tag) }
        try submit(unitReady(1), to: device, collector)
        try submit(unitReady(2), to: device, collector)
        #expect(throws: SCSIGenericError.queueFull) { try device.submit(unitReady(3), handler: collector) }
        run(runtime, collector, until: 2)
        device.close()
        #expect(throws: SCSIGenericError.deviceGone) { try device.submit(unitReady(4), handler: collector) }
        #expect(collector.order == [1, 2])
    }
}
