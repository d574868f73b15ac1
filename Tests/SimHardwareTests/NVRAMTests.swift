import Hardware
import SimCore
import Testing

@testable import SimHardware

@Suite("NVRAM")
struct NVRAMTests {
    @Test("The partner mirrors a log record into NVRAM by RDMA WRITE; it survives a crash and a power loss with a healthy battery")
    func mirroredRecordSurvives() throws {
        let pair = try WiredPair()
        let nvram = SimNVRAM(name: "b.nvram", capacity: 64 * 1024)
        let region = try pair.b.domain.registerMemory(nvram, access: .remoteReadWrite)
        let record = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        pair.a.memory.write(record, at: 0)
        try pair.qpA.postSend([
            .rdmaWrite(id: 1, [pair.a.memory.scatterGatherElement(offset: 0, length: record.count)],
                       to: region.remoteMemory(offset: 8192))
        ])
        pair.run()
        #expect(pair.a.poll().map(\.status) == [.success])
        #expect(nvram.read(offset: 8192, count: record.count) == record)

        // A crash of the node's software touches nothing; a power loss with the battery healthy neither.
        nvram.losePower()
        nvram.restorePower()
        #expect(nvram.read(offset: 8192, count: record.count) == record)
        #expect(nvram.contentLosses == 0)
    }

    @Test("A power loss after the battery failed leaves the recognisable pattern, not the old contents")
    func failedBatteryLosesContents() {
        let nvram = SimNVRAM(name: "red.nvram", capacity: 4096)
        nvram.write([1, 2, 3, 4], at: 100)
        #expect(nvram.isBatteryHealthy)
        nvram.failBattery()
        #expect(!nvram.isBatteryHealthy)
        // Without a power loss the contents are still there.
        #expect(nvram.read(offset: 100, count: 4) == [1, 2, 3, 4])
        nvram.losePower()
        nvram.restorePower()
        #expect(nvram.read(offset: 100, count: 4) == [UInt8](repeating: SimNVRAM.lostContentPattern, count: 4))
        #expect(nvram.contentLosses == 1)
        #expect(nvram.capacity == 4096)
    }
}
