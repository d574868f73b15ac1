/// The PROTOCOL field of an ATA PASS-THROUGH command (SAT-3 table "PROTOCOL field"): how the
/// SATL runs the ATA command.
public struct ATAProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 4-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 0x0f, "ATA protocol \(rawValue) exceeds 4 bits")
        self.rawValue = rawValue
    }

    /// ATA hardware reset.
    public static let hardwareReset = ATAProtocol(rawValue: 0)
    /// Software reset.
    public static let softwareReset = ATAProtocol(rawValue: 1)
    /// Non-data (FLUSH CACHE EXT, CHECK POWER MODE).
    public static let nonData = ATAProtocol(rawValue: 3)
    /// PIO data-in (IDENTIFY DEVICE).
    public static let pioDataIn = ATAProtocol(rawValue: 4)
    /// PIO data-out.
    public static let pioDataOut = ATAProtocol(rawValue: 5)
    /// DMA (READ DMA EXT, WRITE DMA EXT).
    public static let dma = ATAProtocol(rawValue: 6)
    /// Execute device diagnostic.
    public static let deviceDiagnostic = ATAProtocol(rawValue: 8)
    /// DEVICE RESET.
    public static let deviceReset = ATAProtocol(rawValue: 9)
    /// UDMA data-in.
    public static let udmaDataIn = ATAProtocol(rawValue: 10)
    /// UDMA data-out.
    public static let udmaDataOut = ATAProtocol(rawValue: 11)
    /// NCQ (READ/WRITE FPDMA QUEUED).
    public static let fpdma = ATAProtocol(rawValue: 12)
    /// Return the ATA registers of the last command, without running one.
    public static let returnResponseInformation = ATAProtocol(rawValue: 15)

    /// E.g. `DMA`, `PIO Data-In`, or `protocol n`.
    public var description: String {
        switch rawValue {
        case 0: "Hard Reset"
        case 1: "SRST"
        case 3: "Non-data"
        case 4: "PIO Data-In"
        case 5: "PIO Data-Out"
        case 6: "DMA"
        case 8: "Execute Device Diagnostic"
        case 9: "Device Reset"
        case 10: "UDMA Data In"
        case 11: "UDMA Data Out"
        case 12: "FPDMA"
        case 15: "Return Response Information"
        default: "protocol \(rawValue)"
        }
    }
}

/// The T_LENGTH field of an ATA PASS-THROUGH command: where the transfer length is.
public struct ATATransferLengthLocation: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 2-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 3, "T_LENGTH \(rawValue) exceeds 2 bits")
        self.rawValue = rawValue
    }

    /// No data is transferred.
    public static let noData = ATATransferLengthLocation(rawValue: 0)
    /// The length is in the FEATURES field.
    public static let features = ATATransferLengthLocation(rawValue: 1)
    /// The length is in the COUNT field (the usual choice).
    public static let count = ATATransferLengthLocation(rawValue: 2)
    /// The length is in the TPSIU (the transport's information unit).
    public static let tpsiu = ATATransferLengthLocation(rawValue: 3)
}

/// An ATA command opcode (ACS-3), carried in the COMMAND field of an ATA PASS-THROUGH.
///
/// The C names are the Linux kernel's `<linux/ata.h>` (not a user-space header).
public struct ATACommandCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// IDENTIFY DEVICE: 512 bytes of device identity and capabilities.
    ///
    /// The corresponding C constant is `ATA_CMD_ID_ATA`.
    public static let identifyDevice = ATACommandCode(rawValue: 0xEC)

    /// READ DMA EXT: read sectors by 48-bit LBA.
    ///
    /// The corresponding C constant is `ATA_CMD_READ_EXT`.
    public static let readDMAExt = ATACommandCode(rawValue: 0x25)

    /// WRITE DMA EXT: write sectors by 48-bit LBA.
    ///
    /// The corresponding C constant is `ATA_CMD_WRITE_EXT`.
    public static let writeDMAExt = ATACommandCode(rawValue: 0x35)

    /// READ FPDMA QUEUED: NCQ read.
    ///
    /// The corresponding C constant is `ATA_CMD_FPDMA_READ`.
    public static let readFPDMAQueued = ATACommandCode(rawValue: 0x60)

    /// WRITE FPDMA QUEUED: NCQ write.
    ///
    /// The corresponding C constant is `ATA_CMD_FPDMA_WRITE`.
    public static let writeFPDMAQueued = ATACommandCode(rawValue: 0x61)

    /// FLUSH CACHE: flush the volatile write cache (28-bit).
    ///
    /// The corresponding C constant is `ATA_CMD_FLUSH`.
    public static let flushCache = ATACommandCode(rawValue: 0xE7)

    /// FLUSH CACHE EXT: flush the volatile write cache.
    ///
    /// The corresponding C constant is `ATA_CMD_FLUSH_EXT`.
    public static let flushCacheExt = ATACommandCode(rawValue: 0xEA)

    /// CHECK POWER MODE: the power state comes back in the COUNT register.
    ///
    /// The corresponding C constant is `ATA_CMD_CHK_POWER`.
    public static let checkPowerMode = ATACommandCode(rawValue: 0xE5)

    /// SMART (the FEATURES field selects the subcommand).
    ///
    /// The corresponding C constant is `ATA_CMD_SMART`.
    public static let smart = ATACommandCode(rawValue: 0xB0)

    /// E.g. `IDENTIFY DEVICE`, or `ATA command 0xNN`.
    public var description: String {
        switch rawValue {
        case 0xEC: "IDENTIFY DEVICE"
        case 0x25: "READ DMA EXT"
        case 0x35: "WRITE DMA EXT"
        case 0x60: "READ FPDMA QUEUED"
        case 0x61: "WRITE FPDMA QUEUED"
        case 0xE7: "FLUSH CACHE"
        case 0xEA: "FLUSH CACHE EXT"
        case 0xE5: "CHECK POWER MODE"
        case 0xB0: "SMART"
        default: "ATA command 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}

/// The ATA registers of a command, as ATA PASS-THROUGH(16) carries them (48-bit layout).
///
/// For a 28-bit command (EXTEND clear) only the low bytes of ``features`` and ``count`` and
/// bits 23…0 of ``lba`` are meaningful, and LBA bits 27…24 go in the low nibble of
/// ``device``; the CDB builder writes the fields as given and does not move them.
public struct ATATaskFile: Hashable, Sendable {
    /// FEATURES (15:0).
    public var features: UInt16
    /// COUNT (15:0): usually the sector count.
    public var count: UInt16
    /// LBA (47:0); bits above 47 are not encodable and are dropped by the builder.
    public var lba: UInt64
    /// DEVICE: bit 6 selects LBA addressing.
    public var device: UInt8
    /// COMMAND.
    public var command: ATACommandCode

    public init(features: UInt16 = 0, count: UInt16 = 0, lba: UInt64 = 0, device: UInt8 = 0, command: ATACommandCode) {
        self.features = features
        self.count = count
        self.lba = lba
        self.device = device
        self.command = command
    }

    /// The DEVICE bit that selects LBA (rather than CHS) addressing.
    public static let lbaMode: UInt8 = 0x40
}

/// SAT's ATA Status Return sense descriptor (type 09h): the ATA registers after a pass-through
/// command that failed or asked for them with CK_COND.
public struct ATAStatusReturn: Hashable, Sendable {
    /// EXTEND: the registers are 48-bit.
    public var extend: Bool
    /// ERROR.
    public var error: UInt8
    /// COUNT (15:0).
    public var count: UInt16
    /// LBA (47:0).
    public var lba: UInt64
    /// DEVICE.
    public var device: UInt8
    /// STATUS: bit 0 ERR, bit 5 DF (device fault), bit 6 DRDY.
    public var status: UInt8

    public init(extend: Bool, error: UInt8, count: UInt16, lba: UInt64, device: UInt8, status: UInt8) {
        self.extend = extend
        self.error = error
        self.count = count
        self.lba = lba
        self.device = device
        self.status = status
    }

    /// Decodes a type 09h descriptor with at least the 12 payload bytes SAT defines; nil for
    /// any other descriptor.
    public init?(descriptor: SenseDescriptor) {
        let p = descriptor.payload
        guard descriptor.type == SenseDescriptor.ataStatusReturnType, p.count >= 12 else { return nil }
        extend = p[0] & 0x01 != 0
        error = p[1]
        count = UInt16(p[2]) << 8 | UInt16(p[3])
        lba = ATALBA.decode(low: p[5], mid: p[7], high: p[9], lowExt: p[4], midExt: p[6], highExt: p[8])
        device = p[10]
        status = p[11]
    }

    /// The descriptor (type 09h, additional length 0Ch).
    public var descriptor: SenseDescriptor {
        let (low, mid, high, lowExt, midExt, highExt) = ATALBA.encode(lba)
        return SenseDescriptor(
            type: SenseDescriptor.ataStatusReturnType,
            payload: [
                extend ? 1 : 0, error, UInt8(count >> 8), UInt8(truncatingIfNeeded: count), lowExt, low, midExt, mid,
                highExt, high, device, status,
            ])
    }
}

/// The split of a 48-bit LBA over the ATA LBA registers: LBA low = bits 7:0, mid = 15:8,
/// high = 23:16, and their "previous" (EXT) halves bits 31:24, 39:32, 47:40.
enum ATALBA {
    static func encode(_ lba: UInt64) -> (
        low: UInt8, mid: UInt8, high: UInt8, lowExt: UInt8, midExt: UInt8, highExt: UInt8
    ) {
        (
            UInt8(truncatingIfNeeded: lba), UInt8(truncatingIfNeeded: lba >> 8), UInt8(truncatingIfNeeded: lba >> 16),
            UInt8(truncatingIfNeeded: lba >> 24), UInt8(truncatingIfNeeded: lba >> 32),
            UInt8(truncatingIfNeeded: lba >> 40)
        )
    }

    static func decode(low: UInt8, mid: UInt8, high: UInt8, lowExt: UInt8, midExt: UInt8, highExt: UInt8) -> UInt64 {
        UInt64(low) | UInt64(mid) << 8 | UInt64(high) << 16 | UInt64(lowExt) << 24 | UInt64(midExt) << 32
            | UInt64(highExt) << 40
    }
}
