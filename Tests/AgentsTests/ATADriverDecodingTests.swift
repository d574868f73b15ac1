import Agents
import Hardware
import Testing

/// IDENTIFY DEVICE data for `data` (ACS-3 7.12.7), the inverse of the DDM's decoder: word 0
/// (ATA device), serial 10–19, model 27–46, 60–61 (28-bit capacity), 83 (LBA48), 100–103,
/// 106/117–118 (logical sector size when not 512), 108–111 (WWN), 255 (signature, checksum).
func identifyDeviceBytes(_ data: ATAIdentifyData) -> [UInt8] {
    var words = [UInt16](repeating: 0, count: 256)
    words[0] = 0x0040
    func put(_ text: String, _ range: ClosedRange<Int>) {
        var characters = Array(text.utf8.prefix(2 * range.count))
        while characters.count < 2 * range.count { characters.append(0x20) }
        for (offset, index) in range.enumerated() {
            words[index] = UInt16(characters[2 * offset]) << 8 | UInt16(characters[2 * offset + 1])
        }
    }
    put(data.serialNumber, 10...19)
    put(data.model, 27...46)
    let capacity28 = min(data.sectorCount, 0x0FFF_FFFF)
    words[60] = UInt16(truncatingIfNeeded: capacity28)
    words[61] = UInt16(truncatingIfNeeded: capacity28 >> 16)
    words[83] = 0x4400
    for index in 0..<4 { words[100 + index] = UInt16(truncatingIfNeeded: data.sectorCount >> UInt64(16 * index)) }
    words[106] = 0x4000
    if data.logicalSectorSize != 512 {
        words[106] |= 0x1000
        words[117] = UInt16(truncatingIfNeeded: data.logicalSectorSize / 2)
        words[118] = UInt16(truncatingIfNeeded: (data.logicalSectorSize / 2) >> 16)
    }
    for index in 0..<4 { words[108 + index] = UInt16(truncatingIfNeeded: data.worldWideName >> UInt64(48 - 16 * index)) }
    words[255] = UInt16(ATAIdentifyData.signature)
    var bytes = words.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    bytes[511] = 0 &- bytes[0..<511].reduce(UInt8(0)) { $0 &+ $1 }
    return bytes
}

/// The ATA sense as the simulated SATL returns it: descriptor format, an Information
/// descriptor, and the ATA Status Return with `error` and DRDY|ERR.
func ataErrorSense(key: SenseKey, code: AdditionalSenseCode, error: UInt8, status: UInt8 = 0x41, lba: UInt64)
    -> SenseData
{
    let registers = ATAStatusReturn(extend: true, error: error, count: 0, lba: lba, device: 0x40, status: status)
    return SenseData(
        format: .descriptor, senseKey: key, additionalSenseCode: code, information: lba,
        additionalDescriptors: [registers.descriptor])
}

@Suite("ATA DDM decoders and error translation")
struct ATADriverDecodingTests {
    let sample = ATAIdentifyData(
        model: "ST380021A Barracuda ATA IV", serialNumber: "3HV0ABCD", sectorCount: 156_301_488,
        worldWideName: 0x5000_C500_0102_0304)

    @Test("IDENTIFY DEVICE round trip: model, serial, 48-bit capacity, 4 KiB sectors, WWN")
    func identifyRoundTrip() throws {
        #expect(try ATAIdentifyData(decoding: identifyDeviceBytes(sample)) == sample)
        var large = sample
        large.sectorCount = 1 << 40
        large.logicalSectorSize = 4096
        #expect(try ATAIdentifyData(decoding: identifyDeviceBytes(large)) == large)
        let identity = sample.identity
        #expect(identity.vendor == "ATA" && identity.product == sample.model && identity.blockLength == 512)
    }

    @Test("IDENTIFY DEVICE: without LBA48 the capacity is words 60–61; a bad checksum and short data are refused")
    func identifyEdges() throws {
        var bytes = identifyDeviceBytes(sample)
        bytes[166] = 0
        bytes[167] = 0  // word 83: no LBA48
        bytes[510] = 0  // no signature: no checksum check
        #expect(try ATAIdentifyData(decoding: bytes).sectorCount == min(sample.sectorCount, 0x0FFF_FFFF))
        var corrupt = identifyDeviceBytes(sample)
        corrupt[54] ^= 0x01
        #expect(throws: MessageDecodingError.fieldOutOfRange("IDENTIFY checksum")) { try ATAIdentifyData(decoding: corrupt) }
        #expect(throws: MessageDecodingError.truncated(needed: 512, available: 100)) {
            try ATAIdentifyData(decoding: Array(identifyDeviceBytes(sample).prefix(100)))
        }
    }

    @Test("fuzz: 10 000 IDENTIFY DEVICE inputs never trap and what is accepted is stable")
    func fuzzIdentify() {
        var other = sample
        other.logicalSectorSize = 4096
        other.worldWideName = 0
        let outcome = fuzz(
            seed: 0xA7A, samples: [sample, other], encode: identifyDeviceBytes, decode: { try ATAIdentifyData(decoding: $0) })
        #expect(outcome.inputs == 10_000 && outcome.unstable == 0)
        #expect(outcome.accepted > 0 && outcome.rejected > 0)
    }

    @Test("SAT translation: UNC → MEDIUM ERROR 11/00 at the LBA registers; IDNF → 21/00; ABRT → ABORTED 00/00; DF → 44/00")
    func translation() {
        let lba: UInt64 = 0x0000_1234_5678
        let unc = ATASenseTranslation.summary(
            of: ataErrorSense(key: .abortedCommand, code: .noAdditionalSenseInformation, error: ATASenseTranslation.uncorrectableBit, lba: lba))
        #expect(unc == SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: lba))
        let idnf = ATASenseTranslation.summary(
            of: ataErrorSense(key: .abortedCommand, code: .noAdditionalSenseInformation, error: ATASenseTranslation.idNotFoundBit, lba: lba))
        #expect(idnf == SenseSummary(senseKey: .illegalRequest, additionalSenseCode: 0x21, additionalSenseCodeQualifier: 0))
        let abrt = ATASenseTranslation.summary(
            of: ataErrorSense(key: .illegalRequest, code: .invalidFieldInCDB, error: ATASenseTranslation.abortedBit, lba: lba))
        #expect(abrt == SenseSummary(senseKey: .abortedCommand, additionalSenseCode: 0, additionalSenseCodeQualifier: 0))
        let fault = ATASenseTranslation.summary(
            of: ataErrorSense(key: .noSense, code: .noAdditionalSenseInformation, error: 0, status: 0x60, lba: lba))
        #expect(fault.senseKey == .hardwareError && fault.additionalSenseCode == 0x44)
        // No error in the registers (CK_COND): the device's own sense passes.
        let information = ataErrorSense(key: .recoveredError, code: .ataPassThroughInformationAvailable, error: 0, status: 0x40, lba: lba)
        #expect(ATASenseTranslation.summary(of: information).senseKey == .recoveredError)
        // Fixed-format sense without the descriptor (a UNIT ATTENTION from the bridge) passes too.
        #expect(ATASenseTranslation.summary(of: .fixed(.unitAttention, .powerOnOccurred)).senseKey == .unitAttention)
    }
}
