import Hardware
import SimHardware
import Testing

@Suite("SCSITarget ATA disk behind the bridge")
struct SCSITargetATATests {
    /// IDENTIFY word `index`, little-endian.
    private func word(_ data: [UInt8], _ index: Int) -> UInt16 {
        UInt16(data[2 * index]) | UInt16(data[2 * index + 1]) << 8
    }

    /// The ATA string in `words`, each word's high byte first (ACS-2 3.3.10), trailing spaces cut.
    private func string(_ data: [UInt8], _ words: ClosedRange<Int>) -> String {
        var bytes: [UInt8] = []
        for index in words { bytes += [data[2 * index + 1], data[2 * index]] }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffix()
    }

    @Test("IDENTIFY DEVICE decodes to the configured capacity, model, serial, firmware, LBA48 and write cache")
    func identify() {
        let configuration = TargetRig.ataDisk()
        var rig = TargetRig(configuration)
        let response = rig.run(CDB.ATAPassThrough16.identifyDevice().bytes, .fromDevice(count: 512))
        #expect(response.status == .good)
        let id = response.dataIn
        #expect(id.count == 512)
        #expect(string(id, 27...46) == configuration.product)
        #expect(string(id, 10...19) == configuration.serialNumber)
        #expect(string(id, 23...26) == configuration.revision)
        // Words 60–61: 28-bit capacity = min(blockCount, 0FFF_FFFFh).
        let capacity28 = UInt64(word(id, 60)) | UInt64(word(id, 61)) << 16
        #expect(capacity28 == min(configuration.blockCount, 0x0FFF_FFFF))
        // Words 100–103: the 48-bit capacity.
        let capacity48 = (0..<4).reduce(UInt64(0)) { $0 | UInt64(word(id, 100 + $1)) << UInt64(16 * $1) }
        #expect(capacity48 == configuration.blockCount)
        #expect(word(id, 83) & 0x0400 != 0 && word(id, 86) & 0x0400 != 0)  // LBA48 supported, enabled
        #expect(word(id, 82) & 0x0020 != 0)  // write cache supported
        #expect((word(id, 85) & 0x0020 != 0) == configuration.writeCacheEnabled)
        // Word 255: signature A5h; all 512 bytes sum to 0 modulo 256.
        #expect(id[510] == 0xA5)
        #expect(id.reduce(UInt8(0)) { $0 &+ $1 } == 0)
    }

    @Test("READ/WRITE DMA EXT move data; FLUSH CACHE EXT destages; SAT's INQUIRY says ATA")
    func dataPath() {
        var rig = TargetRig(TargetRig.ataDisk())
        let data = TargetRig.pattern(8 * 512, seed: 11)
        let lba: UInt64 = 0x1_0000_0000 >> 4  // above 24 bits, so the EXT registers matter
        let write = rig.run(CDB.ATAPassThrough16.writeDMAExt(lba: lba, sectorCount: 8).bytes, .toDevice(data))
        #expect(write.status == .good)
        #expect(rig.target.dirtyBlockCount == 8)
        let read = rig.run(CDB.ATAPassThrough16.readDMAExt(lba: lba, sectorCount: 8).bytes, .fromDevice(count: 4_096))
        #expect(read.status == .good && read.dataIn == data)
        // The SCSI READ the bridge translates sees the same blocks.
        #expect(
            rig.run(CDB.Read16(lba: lba, transferLength: 8).bytes, .fromDevice(count: 4_096)).dataIn == data)
        #expect(rig.run(CDB.ATAPassThrough16.flushCacheExt().bytes).status == .good)
        #expect(rig.target.dirtyBlockCount == 0)
        rig.target.powerLost()
        rig.target.powerRestored()
        _ = rig.run(CDB.TestUnitReady().bytes)  // takes the power-on unit attention
        #expect(
            rig.run(CDB.ATAPassThrough16.readDMAExt(lba: lba, sectorCount: 8).bytes, .fromDevice(count: 4_096)).dataIn
                == data)

        let inquiry = rig.run(CDB.Inquiry(allocationLength: 36).bytes, .fromDevice(count: 36))
        let standard = StandardInquiryData(bytes: inquiry.dataIn)
        #expect(standard?.vendor == "ATA")
        #expect(standard?.product == String(TargetRig.ataDisk().product.prefix(16)))
        #expect(standard?.commandQueuing == false)
    }

    @Test("the bridge's persistent reservations fence an ATA disk as a SCSI disk's do")
    func reservations() {
        var rig = TargetRig(TargetRig.ataDisk())
        rig.reserveOut(.register, key: 0, serviceActionKey: 1, from: Controller.red)
        #expect(rig.reserveOut(.reserve, type: .writeExclusive, key: 1, from: Controller.red).status == .good)
        let write = rig.run(
            CDB.ATAPassThrough16.writeDMAExt(lba: 0, sectorCount: 1).bytes, .toDevice([UInt8](repeating: 1, count: 512)),
            from: Controller.blue)
        #expect(write.status == .reservationConflict)
        #expect(rig.write([UInt8](repeating: 1, count: 512), at: 0, from: Controller.blue).status == .reservationConflict)
        #expect(rig.read(1, at: 0, from: Controller.blue).dataIn == [UInt8](repeating: 0, count: 512))
    }

    @Test("an unsupported ATA command: ABORTED COMMAND with the ATA Status Return (ERR, ABRT)")
    func unsupportedCommand() {
        var rig = TargetRig(TargetRig.ataDisk())
        let smart = CDB.ATAPassThrough16(
            protocol: .nonData, taskFile: ATATaskFile(features: 0xD8, command: .smart), extend: false)
        let response = rig.run(smart.bytes)
        #expect(response.status == .checkCondition)
        let decoded = TargetRig.sense(response)
        #expect(decoded?.format == .descriptor)
        #expect(decoded?.senseKey == .abortedCommand)
        #expect(decoded?.ataStatusReturn?.error == 0x04)
        #expect(decoded?.ataStatusReturn.map { $0.status & 0x01 } == 0x01)
    }

    @Test("READ DMA EXT over a media error: MEDIUM ERROR, the LBA in the information and ATA descriptors")
    func mediaError() {
        var rig = TargetRig(TargetRig.ataDisk())
        rig.target.injectMediaError(lbas: 42..<43)
        let response = rig.run(
            CDB.ATAPassThrough16.readDMAExt(lba: 40, sectorCount: 4).bytes, .fromDevice(count: 2_048))
        let decoded = TargetRig.sense(response)
        #expect(decoded?.senseKey == .mediumError)
        #expect(decoded?.information == 42)
        #expect(decoded?.ataStatusReturn?.lba == 42)
        #expect(decoded?.ataStatusReturn?.error == 0x40)
        #expect(response.dataIn.count == (42 - 40) * 512)
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
