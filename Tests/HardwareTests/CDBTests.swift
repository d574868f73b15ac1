import Hardware
import Testing

@Suite("CDB builders and parsers")
struct CDBTests {
    @Test("READ(10) and READ(16) encode LBA and length big-endian")
    func reads() {
        checkRoundTrip(
            CDB.Read10(lba: 0x1234_5678, transferLength: 8),
            [0x28, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x08, 0x00])
        checkRoundTrip(
            CDB.Read16(lba: 0x1_2345_6789, transferLength: 0x100, options: BlockTransferOptions(forceUnitAccess: true)),
            [0x88, 0x08, 0x00, 0x00, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
        checkRoundTrip(
            CDB.Read10(
                lba: 0xFFFF_FFFF, transferLength: 0xFFFF,
                options: BlockTransferOptions(protect: 5, disablePageOut: true, groupNumber: 0x3F), control: 0x04),
            [0x28, 0xB0, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0xFF, 0xFF, 0x04])
    }

    @Test("WRITE(10) and WRITE(16) carry DPO, FUA and 64-bit addresses")
    func writes() {
        checkRoundTrip(
            CDB.Write10(
                lba: 0x10, transferLength: 1, options: BlockTransferOptions(disablePageOut: true, forceUnitAccess: true)
            ),
            [0x2A, 0x18, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00])
        checkRoundTrip(
            CDB.Write16(
                lba: 0xFFFF_FFFF_FFFF_FFFE, transferLength: 0xFFFF_FFFF, options: BlockTransferOptions(groupNumber: 1)),
            [0x8A, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00])
    }

    @Test("TEST UNIT READY, INQUIRY, REQUEST SENSE are 6-byte CDBs")
    func sixByte() {
        checkRoundTrip(CDB.TestUnitReady(), [0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        checkRoundTrip(CDB.Inquiry(allocationLength: 36), [0x12, 0x00, 0x00, 0x00, 0x24, 0x00])
        checkRoundTrip(
            CDB.Inquiry(vitalProductData: true, pageCode: 0x83, allocationLength: 0x1FF),
            [0x12, 0x01, 0x83, 0x01, 0xFF, 0x00])
        checkRoundTrip(CDB.RequestSense(descriptorFormat: true), [0x03, 0x01, 0x00, 0x00, 0xFC, 0x00])
        checkRoundTrip(CDB.RequestSense(allocationLength: 18), [0x03, 0x00, 0x00, 0x00, 0x12, 0x00])
    }

    @Test("READ CAPACITY (10) and (16), SYNCHRONIZE CACHE (10), REPORT LUNS")
    func capacityCacheLUNs() {
        checkRoundTrip(CDB.ReadCapacity10(), [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        checkRoundTrip(
            CDB.ReadCapacity16(),
            [0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00])
        checkRoundTrip(
            CDB.SynchronizeCache10(immediate: true),
            [0x35, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        checkRoundTrip(
            CDB.SynchronizeCache10(lba: 0x0102_0304, blockCount: 0x0506, groupNumber: 7),
            [0x35, 0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x05, 0x06, 0x00])
        checkRoundTrip(
            CDB.ReportLUNs(allocationLength: 0x1000),
            [0xA0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00])
        // A SERVICE ACTION IN (16) with another service action is not READ CAPACITY (16).
        var other = CDB.ReadCapacity16().bytes
        other[1] = 0x12
        #expect(CDB.ReadCapacity16(bytes: other) == nil)
    }

    @Test("ATA PASS-THROUGH (16) places the 48-bit registers as SAT-3 says")
    func ataPassThrough() {
        // smartctl's IDENTIFY DEVICE: 85 08 0e 00 00 00 01 00 00 00 00 00 00 00 ec 00.
        checkRoundTrip(
            CDB.ATAPassThrough16.identifyDevice(),
            [0x85, 0x08, 0x0E, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEC, 0x00])
        // LBA 0xAABB_CCDD_EEFF: byte 7 = LBA(31:24) CC, 8 = (7:0) FF, 9 = (39:32) BB,
        // 10 = (15:8) EE, 11 = (47:40) AA, 12 = (23:16) DD.
        checkRoundTrip(
            CDB.ATAPassThrough16.readDMAExt(lba: 0xAABB_CCDD_EEFF, sectorCount: 8),
            [0x85, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x08, 0xCC, 0xFF, 0xBB, 0xEE, 0xAA, 0xDD, 0x40, 0x25, 0x00])
        checkRoundTrip(
            CDB.ATAPassThrough16.writeDMAExt(lba: 1, sectorCount: 0x0102),
            [0x85, 0x0D, 0x06, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x40, 0x35, 0x00])
        checkRoundTrip(
            CDB.ATAPassThrough16.flushCacheExt(),
            [0x85, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEA, 0x00])
        var everything = CDB.ATAPassThrough16(
            protocol: .fpdma,
            taskFile: ATATaskFile(
                features: 0xA1B2, count: 0xC3D4, lba: 0x1234_5678_9ABC, device: 0xE5, command: .readFPDMAQueued),
            extend: true, transferFromDevice: true, transferInBlocks: false, transferLengthLocation: .tpsiu,
            checkCondition: true, transferInLogicalSectors: true, multipleCount: 5, offline: 2, control: 0x80)
        checkRoundTrip(
            everything,
            [0x85, 0xB9, 0xBB, 0xA1, 0xB2, 0xC3, 0xD4, 0x56, 0xBC, 0x34, 0x9A, 0x12, 0x78, 0xE5, 0x60, 0x80])
        everything.extend = false
        #expect(CDB.ATAPassThrough16(bytes: everything.bytes) == everything)
    }

    @Test("decode dispatches on the operation code and never traps")
    func decode() {
        #expect(CDB.decode([0x28, 0, 0, 0, 0, 1, 0, 0, 2, 0]) == .read10(CDB.Read10(lba: 1, transferLength: 2)))
        #expect(
            CDB.decode(CDB.Write16(lba: 9, transferLength: 3).bytes) == .write16(CDB.Write16(lba: 9, transferLength: 3))
        )
        #expect(CDB.decode([]) == .unsupported([]))
        #expect(CDB.decode([0x28, 0, 0]) == .unsupported([0x28, 0, 0]))
        #expect(CDB.decode([0x1B, 0, 0, 0, 1, 0]) == .unsupported([0x1B, 0, 0, 0, 1, 0]))
        var random = RandomStream(seed: 7, name: "cdb-fuzz")
        for _ in 0..<10_000 {
            let length = Int(random.below(20))
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if case .unsupported(let given) = CDB.decode(bytes) { #expect(given == bytes) }
        }
    }
}

@Suite("SCSI parameter data")
struct ParameterDataTests {
    @Test("READ CAPACITY data round-trips; short data is refused or zero-filled")
    func readCapacity() {
        let ten = ReadCapacity10Data(lastLBA: 0x0001_FFFF, blockLength: 512)
        #expect(ten.bytes == [0x00, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00])
        #expect(ReadCapacity10Data(bytes: ten.bytes) == ten)
        #expect(ReadCapacity10Data(bytes: ten.bytes.prefix(7)) == nil)

        let sixteen = ReadCapacity16Data(
            lastLBA: 0x1_0000_0000, blockLength: 4096, logicalBlocksPerPhysicalBlockExponent: 3, lowestAlignedLBA: 1)
        let bytes = sixteen.bytes
        #expect(bytes.count == 32)
        #expect(Array(bytes[0..<16]) == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 3, 0, 1])
        #expect(ReadCapacity16Data(bytes: bytes) == sixteen)
        #expect(
            ReadCapacity16Data(bytes: bytes.prefix(12)) == ReadCapacity16Data(lastLBA: 0x1_0000_0000, blockLength: 4096)
        )
        #expect(ReadCapacity16Data(bytes: bytes.prefix(11)) == nil)
    }

    @Test("REPORT LUNS data encodes single-level LUNs and reports truncation")
    func reportLUNs() {
        #expect(ReportLUNsData.lun(5) == 0x0005_0000_0000_0000)
        #expect(ReportLUNsData.lun(300) == 0x412C_0000_0000_0000)
        #expect(ReportLUNsData.number(of: 0x412C_0000_0000_0000) == 300)
        #expect(ReportLUNsData.number(of: 0x0005_0000_0000_0000) == 5)
        #expect(ReportLUNsData.number(of: 0x0105_0000_0000_0000) == nil)
        let data = ReportLUNsData(luns: [ReportLUNsData.lun(0), ReportLUNsData.lun(1)])
        #expect(data.bytes == [0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(ReportLUNsData(bytes: data.bytes) == data)
        let truncated = ReportLUNsData(bytes: data.bytes.prefix(16))
        #expect(truncated?.luns == [0])
        #expect(truncated?.reportedCount == 2)
        #expect(ReportLUNsData(bytes: [0, 0, 0]) == nil)
    }

    @Test("standard INQUIRY data pads and trims its strings")
    func inquiry() {
        let data = StandardInquiryData(vendor: "IOFABRIC", product: "SimDisk", revision: "1.0")
        let bytes = data.bytes
        #expect(bytes.count == 36)
        #expect(Array(bytes[0..<8]) == [0x00, 0x00, 0x06, 0x02, 31, 0x00, 0x00, 0x02])
        #expect(Array(bytes[16..<32]) == Array("SimDisk         ".utf8))
        #expect(StandardInquiryData(bytes: bytes) == data)
        #expect(StandardInquiryData(bytes: bytes.prefix(35)) == nil)
    }
}
