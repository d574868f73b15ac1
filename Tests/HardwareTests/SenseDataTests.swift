import Hardware
import Testing

@Suite("Sense data")
struct SenseDataTests {
    @Test("fixed format: build gives the SPC bytes, and parses back")
    func fixedRoundTrip() throws {
        let medium = SenseData.fixed(.mediumError, .unrecoveredReadError, information: 0x0001_2345)
        let bytes = medium.encoded()
        #expect(
            bytes == [0xF0, 0x00, 0x03, 0x00, 0x01, 0x23, 0x45, 0x0A, 0, 0, 0, 0, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(try SenseData(decoding: bytes) == medium)

        let illegal = SenseData.fixed(
            .illegalRequest, .invalidFieldInCDB, senseKeySpecific: .fieldPointer(inCDB: true, byte: 1, bit: 4))
        let illegalBytes = illegal.encoded()
        #expect(illegalBytes == [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0x00, 0xCC, 0x00, 0x01])
        let decoded = try SenseData(decoding: illegalBytes)
        #expect(decoded == illegal)
        #expect(decoded.senseKeySpecific?.fieldPointer.inCDB == true)
        #expect(decoded.senseKeySpecific?.fieldPointer.bit == 4)
        #expect(decoded.senseKeySpecific?.fieldPointer.byte == 1)
        #expect(decoded.description == "ILLEGAL REQUEST 24/00 INVALID FIELD IN CDB")

        var deferred = SenseData(
            isDeferred: true, senseKey: .hardwareError, additionalSenseCode: .internalTargetFailure,
            commandSpecificInformation: 0xDEAD_BEEF, fieldReplaceableUnitCode: 7, incorrectLength: true)
        #expect(try SenseData(decoding: deferred.encoded()) == deferred)
        // Fixed format cannot carry a 64-bit information field: VALID is cleared.
        deferred.information = 0x1_0000_0000
        #expect(deferred.encoded()[0] == 0x71)
        #expect(try SenseData(decoding: deferred.encoded()).information == nil)
    }

    @Test("fixed format shorter than 18 bytes decodes what is there")
    func fixedShort() throws {
        // 8-byte header only, as some devices return for NO SENSE.
        let header = try SenseData(decoding: [0x70, 0, 0x06, 0, 0, 0, 0, 0])
        #expect(header.senseKey == .unitAttention)
        #expect(header.additionalSenseCode == .noAdditionalSenseInformation)
        // ADDITIONAL SENSE LENGTH 6 cuts at byte 14: ASC/ASCQ present, FRU and SKS absent.
        let cut = try SenseData(decoding: [0x70, 0, 0x02, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0x04, 0x01, 0x55, 0x80, 0, 1])
        #expect(cut.additionalSenseCode == .logicalUnitBecomingReady)
        #expect(cut.fieldReplaceableUnitCode == 0)
        #expect(cut.senseKeySpecific == nil)
        #expect(throws: SenseDecodingError.truncated(format: .fixed, length: 2)) { try SenseData(decoding: [0x70, 0]) }
        #expect(throws: SenseDecodingError.empty) { try SenseData(decoding: []) }
        #expect(throws: SenseDecodingError.unsupportedResponseCode(0x7F)) { try SenseData(decoding: [0xFF, 0, 0]) }
    }

    @Test("descriptor format: information, ATA status return, truncated descriptors")
    func descriptorFormat() throws {
        let medium: [UInt8] = [
            0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x0C,
            0x00, 0x0A, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78,
        ]
        let decoded = try SenseData(decoding: medium)
        #expect(decoded.format == .descriptor)
        #expect(decoded.senseKey == .mediumError)
        #expect(decoded.additionalSenseCode == .unrecoveredReadError)
        #expect(decoded.information == 0x1234_5678)
        #expect(decoded.encoded() == medium)

        let ata: [UInt8] = [
            0x72, 0x01, 0x00, 0x1D, 0x00, 0x00, 0x00, 0x0E,
            0x09, 0x0C, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x50,
        ]
        let passThrough = try SenseData(decoding: ata)
        #expect(passThrough.senseKey == .recoveredError)
        #expect(passThrough.additionalSenseCode == .ataPassThroughInformationAvailable)
        #expect(
            passThrough.ataStatusReturn
                == ATAStatusReturn(extend: true, error: 0, count: 1, lba: 0, device: 0x40, status: 0x50))
        #expect(passThrough.encoded() == ata)

        // The ATA status return descriptor splits its LBA like the CDB does.
        let registers = ATAStatusReturn(
            extend: true, error: 0x40, count: 0, lba: 0xAABB_CCDD_EEFF, device: 0x40, status: 0x51)
        #expect(registers.descriptor.payload == [0x01, 0x40, 0, 0, 0xCC, 0xFF, 0xBB, 0xEE, 0xAA, 0xDD, 0x40, 0x51])
        #expect(ATAStatusReturn(descriptor: registers.descriptor) == registers)

        // A descriptor running past the end is dropped; the header still decodes.
        let truncated = try SenseData(decoding: [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x0C, 0x00, 0x0A, 0x80, 0x00])
        #expect(truncated.senseKey == .illegalRequest)
        #expect(truncated.information == nil)
        #expect(throws: SenseDecodingError.truncated(format: .descriptor, length: 1)) {
            try SenseData(decoding: [0x73])
        }

        // Every field through descriptor format and back.
        let full = SenseData(
            format: .descriptor, isDeferred: true, senseKey: .notReady,
            additionalSenseCode: .logicalUnitNotReadyFormatInProgress,
            information: 0x1_0000_0001, commandSpecificInformation: 2, fieldReplaceableUnitCode: 3,
            senseKeySpecific: .progress(0x8000), filemark: true, endOfMedium: true, incorrectLength: true,
            additionalDescriptors: [registers.descriptor])
        #expect(try SenseData(decoding: full.encoded()) == full)
    }

    @Test("garbage and short sense data never crash the decoder", arguments: [UInt64(1), 2, 3])
    func garbage(seed: UInt64) {
        var random = RandomStream(seed: seed, name: "sense-fuzz")
        for iteration in 0..<10_000 {
            let length = Int(random.below(40))
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Most inputs get a valid response code so that the decoder goes past byte 0.
            if length > 0 && random.chance(3, outOf: 4) {
                bytes[0] = (bytes[0] & 0x80) | (0x70 + UInt8(random.below(4)))
            }
            do {
                let sense = try SenseData(decoding: bytes)
                #expect(sense.senseKey.rawValue < 16, "seed \(seed) iteration \(iteration)")
                // Whatever decoded re-encodes, and the encoding decodes to the same key and code.
                let again = try SenseData(decoding: sense.encoded())
                #expect(
                    again.senseKey == sense.senseKey && again.additionalSenseCode == sense.additionalSenseCode,
                    "seed \(seed) iteration \(iteration): \(bytes)")
            } catch {
                #expect(
                    bytes.isEmpty || ![0x70, 0x71, 0x72, 0x73].contains(bytes[0] & 0x7F) || bytes.count < 3,
                    "seed \(seed) iteration \(iteration): \(error) for \(bytes)")
            }
        }
    }

    @Test("sense keys and additional sense codes have their SPC names")
    func names() {
        #expect(SenseKey.illegalRequest.rawValue == 5)
        #expect(SenseKey.unitAttention.description == "UNIT ATTENTION")
        #expect(SenseKey.abortedCommand.rawValue == 0xB)
        #expect(SenseKey.miscompare.description == "MISCOMPARE")
        #expect(
            AdditionalSenseCode.logicalBlockAddressOutOfRange.description == "21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE")
        #expect(
            AdditionalSenseCode.insufficientRegistrationResources.description
                == "55/04 INSUFFICIENT REGISTRATION RESOURCES")
        #expect(AdditionalSenseCode(asc: 0x04, ascq: 0x22).name == "LOGICAL UNIT NOT READY (ASCQ 0x22)")
        #expect(AdditionalSenseCode(asc: 0x99, ascq: 0x01).description == "99/01")
    }
}
