import Hardware

/// ATA error register bits (ACS-2 6.2).
enum ATAErrorBits {
    /// ABRT: the command was aborted (unsupported, or invalid parameters).
    static let aborted: UInt8 = 0x04
    /// IDNF: the address is outside the user-addressable sectors.
    static let idNotFound: UInt8 = 0x10
    /// UNC: uncorrectable data.
    static let uncorrectable: UInt8 = 0x40
}

/// ATA PASS-THROUGH (16) on an ATA disk (SAT-3 12.2.2): IDENTIFY DEVICE, READ DMA EXT, WRITE
/// DMA EXT, FLUSH CACHE (EXT).
extension SCSITarget {
    /// ATA status after an error: DRDY (bit 6) and ERR (bit 0) (ACS-2 6.2).
    static let ataErrorStatus: UInt8 = 0x41

    mutating func beginATAPassThrough(_ command: DriveCommand, _ passThrough: CDB.ATAPassThrough16) -> TargetStep {
        let file = passThrough.taskFile
        switch file.command {
        case .identifyDevice:
            return .respond(dataIn(command, identifyDeviceData, allocationLength: 512))
        case .readDMAExt, .writeDMAExt:
            // COUNT 0 means 65 536 sectors (ACS-2 7.22, 7.58).
            let sectors = file.count == 0 ? 65_536 : Int(file.count)
            let (end, overflow) = file.lba.addingReportingOverflow(UInt64(sectors))
            guard !overflow, end <= configuration.blockCount else {
                return .respond(
                    ataError(
                        command, key: .illegalRequest, code: .logicalBlockAddressOutOfRange,
                        error: ATAErrorBits.idNotFound, lba: file.lba))
            }
            if file.command == .readDMAExt {
                return beginRead(command, lba: file.lba, blocks: sectors, viaATA: true)
            }
            // Assumption: WRITE DMA EXT honours the write cache like WRITE without FUA (ACS-2
            // has WRITE DMA FUA EXT for the other case).
            return beginWrite(command, lba: file.lba, blocks: sectors, forceUnitAccess: false, viaATA: true)
        case .flushCacheExt, .flushCache:
            return .access(PendingCommand(command: command, access: .flush, dataOut: [], viaATAPassThrough: true))
        default:
            return .respond(
                ataError(
                    command, key: .abortedCommand, code: .noAdditionalSenseInformation, error: ATAErrorBits.aborted,
                    lba: file.lba))
        }
    }

    /// CHECK CONDITION for an ATA command that ended with ERR: descriptor-format sense with the
    /// given key and code, an Information descriptor when `information` is given, and SAT's
    /// ATA Status Return descriptor (SAT-3 12.2.2.6) with `error`, DRDY|ERR and `lba`.
    ///
    /// The key and code follow the error (assumption, after libata's `ata_to_sense_error`):
    /// ABRT → ABORTED COMMAND 00/00; IDNF → ILLEGAL REQUEST, LBA OUT OF RANGE; UNC → MEDIUM
    /// ERROR, UNRECOVERED READ ERROR.
    func ataError(
        _ command: DriveCommand, key: SenseKey, code: AdditionalSenseCode, error: UInt8, lba: UInt64,
        information: UInt64? = nil, dataIn: [UInt8] = []
    ) -> DriveResponse {
        let registers = ATAStatusReturn(
            extend: true, error: error, count: 0, lba: lba, device: ATATaskFile.lbaMode, status: Self.ataErrorStatus)
        let sense = SenseData(
            format: .descriptor, senseKey: key, additionalSenseCode: code, information: information,
            additionalDescriptors: [registers.descriptor])
        return answer(
            command, status: .checkCondition, sense: sense.encoded(), dataIn: dataIn,
            residual: command.request.dataTransfer.byteCount - dataIn.count)
    }

    /// IDENTIFY DEVICE data (ACS-2 7.16, table 45): 256 little-endian words.
    ///
    /// Set: word 0 (ATA device), 10–19 serial, 23–26 firmware, 27–46 model (strings with the
    /// two characters of each word swapped), 47 and 59 (16 sectors per DRQ block), 49 (LBA and
    /// DMA supported), 53 (words 64–70 and 88 valid), 60–61 (28-bit capacity, at most
    /// 0FFF_FFFFh), 80 (ATA8-ACS and ACS-2), 82–87 (write cache supported/enabled, FLUSH CACHE
    /// and FLUSH CACHE EXT, LBA48), 88 (UDMA 0–5, mode 5 selected), 100–103 (48-bit capacity),
    /// 106 and 117–118 (logical sector size when not 512 bytes), 255 (signature A5h and
    /// checksum).
    var identifyDeviceData: [UInt8] {
        var words = [UInt16](repeating: 0, count: 256)
        words[0] = 0x0040
        Self.put(configuration.serialNumber, words: 10...19, into: &words)
        Self.put(configuration.revision, words: 23...26, into: &words)
        Self.put(configuration.product, words: 27...46, into: &words)
        words[47] = 0x8010
        words[49] = 0x0300
        words[53] = 0x0006
        words[59] = 0x0110
        let capacity28 = min(configuration.blockCount, 0x0FFF_FFFF)
        words[60] = UInt16(truncatingIfNeeded: capacity28)
        words[61] = UInt16(truncatingIfNeeded: capacity28 >> 16)
        words[63] = 0x0007
        words[64] = 0x0003
        words[80] = 0x0300
        words[82] = 0x0020  // write cache supported
        words[83] = 0x7400  // bit 14 valid, 13 FLUSH CACHE EXT, 12 FLUSH CACHE, 10 LBA48
        words[84] = 0x4000
        words[85] = configuration.writeCacheEnabled ? 0x0020 : 0
        words[86] = 0x3400  // the enabled counterparts of word 83
        words[87] = 0x4000
        words[88] = 0x203F
        for index in 0..<4 {
            words[100 + index] = UInt16(truncatingIfNeeded: configuration.blockCount >> UInt64(16 * index))
        }
        // World wide name (ACS-2 7.16.7.56: words 108–111, word 108 first, NAA in its top nibble);
        // word 84 bit 8 says it is there (set below with the valid bit).
        for index in 0..<4 {
            words[108 + index] = UInt16(truncatingIfNeeded: configuration.worldWideName >> UInt64(48 - 16 * index))
        }
        if configuration.worldWideName != 0 { words[84] |= 0x0100 }
        words[106] = 0x4000
        if configuration.blockSize != 512 {
            words[106] |= 0x1000
            let sizeInWords = UInt32(configuration.blockSize / 2)
            words[117] = UInt16(truncatingIfNeeded: sizeInWords)
            words[118] = UInt16(truncatingIfNeeded: sizeInWords >> 16)
        }
        words[255] = 0x00A5
        var bytes = [UInt8]()
        bytes.reserveCapacity(512)
        for word in words {
            bytes.append(UInt8(truncatingIfNeeded: word))
            bytes.append(UInt8(truncatingIfNeeded: word >> 8))
        }
        // Checksum: the byte that makes all 512 bytes sum to 0 modulo 256 (ACS-2 7.16.7.88).
        let sum = bytes[0..<511].reduce(UInt8(0)) { $0 &+ $1 }
        bytes[511] = 0 &- sum
        return bytes
    }

    /// Writes `text` (ASCII, space padded) into `range` of `words`, first character in each
    /// word's high byte (ACS-2 3.3.10).
    private static func put(_ text: String, words range: ClosedRange<Int>, into words: inout [UInt16]) {
        var characters = ascii(text).prefix(2 * range.count)
        while characters.count < 2 * range.count { characters.append(0x20) }
        let bytes = Array(characters)
        for (offset, index) in range.enumerated() {
            words[index] = UInt16(bytes[2 * offset]) << 8 | UInt16(bytes[2 * offset + 1])
        }
    }
}
