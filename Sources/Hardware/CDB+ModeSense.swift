/// The PC field of MODE SENSE (SPC-4 6.11, table "Page control (PC) field"): which values of
/// the mode pages to return.
public struct ModePageControl: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 2-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 3, "page control \(rawValue) exceeds 2 bits")
        self.rawValue = rawValue
    }

    /// The values in effect now.
    public static let current = ModePageControl(rawValue: 0)
    /// A mask: 1 bits mark the fields MODE SELECT may change.
    public static let changeable = ModePageControl(rawValue: 1)
    /// The values after a power on with no saved values.
    public static let `default` = ModePageControl(rawValue: 2)
    /// The values saved in non-volatile memory.
    public static let saved = ModePageControl(rawValue: 3)

    public var description: String {
        switch rawValue {
        case 0: "current"
        case 1: "changeable"
        case 2: "default"
        default: "saved"
        }
    }
}

/// Page codes of the mode pages this system uses (SPC-4 7.5, SBC-3 6.4).
public enum ModePageCode {
    /// The Caching mode page (SBC-3 6.4.5): WCE, RCD.
    public static let caching: UInt8 = 0x08
    /// The Control mode page (SPC-4 7.5.7): queueing, D_SENSE.
    public static let control: UInt8 = 0x0A
    /// "Return all pages" (SPC-4 table "Mode page codes").
    public static let allPages: UInt8 = 0x3F
    /// "Return all subpages" in the SUBPAGE CODE field.
    public static let allSubpages: UInt8 = 0xFF
}

extension CDB {
    /// MODE SENSE (6) (SPC-4 6.11): the mode parameter header, block descriptors and the mode
    /// pages asked for, as ``ModeParameters``. Data in.
    ///
    /// Layout: `1A dbd pc|page subpage allocation-length control`; DBD is bit 3 of byte 1, PC
    /// bits 7…6 and PAGE CODE bits 5…0 of byte 2.
    public struct ModeSense6: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.modeSense6
        public static let length = 6

        /// DBD: disable block descriptors (return none).
        public var disableBlockDescriptors: Bool
        /// PC: current, changeable, default or saved values.
        public var pageControl: ModePageControl
        /// PAGE CODE (6 bits), e.g. ``ModePageCode/caching`` or ``ModePageCode/allPages``.
        public var pageCode: UInt8
        /// SUBPAGE CODE (0 for the page itself).
        public var subpageCode: UInt8
        /// The most bytes to return.
        public var allocationLength: UInt8
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            pageCode: UInt8, subpageCode: UInt8 = 0, pageControl: ModePageControl = .current,
            disableBlockDescriptors: Bool = false, allocationLength: UInt8 = 0xFF, control: UInt8 = 0
        ) {
            self.disableBlockDescriptors = disableBlockDescriptors
            self.pageControl = pageControl
            self.pageCode = pageCode & 0x3f
            self.subpageCode = subpageCode
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = disableBlockDescriptors ? 0x08 : 0
            b[2] = pageControl.rawValue << 6 | (pageCode & 0x3f)
            b[3] = subpageCode
            b[4] = allocationLength
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            disableBlockDescriptors = b[1] & 0x08 != 0
            pageControl = ModePageControl(rawValue: b[2] >> 6)
            pageCode = b[2] & 0x3f
            subpageCode = b[3]
            allocationLength = b[4]
            control = b[5]
        }
    }

    /// MODE SENSE (10) (SPC-4 6.12): as ``ModeSense6`` with a 16-bit allocation length, an
    /// 8-byte header and, with LLBAA, 16-byte block descriptors. Data in.
    ///
    /// Layout: `5A llbaa|dbd pc|page subpage 00 00 00 allocation-length(2) control`; LLBAA is
    /// bit 4 and DBD bit 3 of byte 1.
    public struct ModeSense10: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.modeSense10
        public static let length = 10

        /// LLBAA: the initiator accepts long (16-byte) LBA block descriptors.
        public var longLBAAccepted: Bool
        /// DBD: disable block descriptors (return none).
        public var disableBlockDescriptors: Bool
        /// PC: current, changeable, default or saved values.
        public var pageControl: ModePageControl
        /// PAGE CODE (6 bits).
        public var pageCode: UInt8
        /// SUBPAGE CODE (0 for the page itself).
        public var subpageCode: UInt8
        /// The most bytes to return.
        public var allocationLength: UInt16
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            pageCode: UInt8, subpageCode: UInt8 = 0, pageControl: ModePageControl = .current,
            disableBlockDescriptors: Bool = false, longLBAAccepted: Bool = false, allocationLength: UInt16 = 0x1000,
            control: UInt8 = 0
        ) {
            self.longLBAAccepted = longLBAAccepted
            self.disableBlockDescriptors = disableBlockDescriptors
            self.pageControl = pageControl
            self.pageCode = pageCode & 0x3f
            self.subpageCode = subpageCode
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = (longLBAAccepted ? 0x10 : 0) | (disableBlockDescriptors ? 0x08 : 0)
            b[2] = pageControl.rawValue << 6 | (pageCode & 0x3f)
            b[3] = subpageCode
            BigEndianBytes.write(UInt64(allocationLength), into: &b, at: 7, count: 2)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            longLBAAccepted = b[1] & 0x10 != 0
            disableBlockDescriptors = b[1] & 0x08 != 0
            pageControl = ModePageControl(rawValue: b[2] >> 6)
            pageCode = b[2] & 0x3f
            subpageCode = b[3]
            allocationLength = UInt16(BigEndianBytes.read(b, at: 7, count: 2))
            control = b[9]
        }
    }
}

/// One mode page as it appears in mode parameter data (SPC-4 7.5.2): the page_0 format
/// (`PS|SPF=0|code length parameters…`) or, with a non-zero subpage, the sub_page format
/// (`PS|SPF=1|code subpage length(2) parameters…`).
public struct ModePage: Hashable, Sendable {
    /// PAGE CODE (6 bits).
    public var code: UInt8
    /// SUBPAGE CODE; 0 selects the page_0 format.
    public var subpage: UInt8
    /// PS: the page can be saved.
    public var parametersSavable: Bool
    /// The bytes after the page length field.
    public var parameters: [UInt8]

    public init(code: UInt8, subpage: UInt8 = 0, parametersSavable: Bool = false, parameters: [UInt8]) {
        self.code = code & 0x3f
        self.subpage = subpage
        self.parametersSavable = parametersSavable
        self.parameters = parameters
    }

    /// The page's encoding.
    public var bytes: [UInt8] {
        let ps: UInt8 = parametersSavable ? 0x80 : 0
        if subpage == 0 {
            return [ps | code, UInt8(truncatingIfNeeded: parameters.count)] + parameters
        }
        return [ps | 0x40 | code, subpage, UInt8(truncatingIfNeeded: parameters.count >> 8),
                UInt8(truncatingIfNeeded: parameters.count)] + parameters
    }

    /// Parses the pages that follow the header and block descriptors; a page that runs past
    /// the end is dropped with the ones after it.
    static func pages(in b: [UInt8], from start: Int) -> [ModePage] {
        var pages: [ModePage] = []
        var offset = start
        while offset + 2 <= b.count {
            let subpageFormat = b[offset] & 0x40 != 0
            let headerLength = subpageFormat ? 4 : 2
            guard offset + headerLength <= b.count else { break }
            let length =
                subpageFormat ? Int(BigEndianBytes.read(b, at: offset + 2, count: 2)) : Int(b[offset + 1])
            let end = offset + headerLength + length
            guard end <= b.count else { break }
            pages.append(
                ModePage(
                    code: b[offset] & 0x3f, subpage: subpageFormat ? b[offset + 1] : 0,
                    parametersSavable: b[offset] & 0x80 != 0, parameters: Array(b[(offset + headerLength)..<end])))
            offset = end
        }
        return pages
    }
}

/// The Caching mode page (SBC-3 6.4.5, page 08h, 20 bytes with its header): the fields this
/// system uses.
public struct CachingModePage: Hashable, Sendable {
    /// WCE: the write cache is enabled (writes complete once cached).
    public var writeCacheEnabled: Bool
    /// RCD: the read cache is disabled.
    public var readCacheDisabled: Bool

    /// The PAGE LENGTH of the Caching page: 12h.
    public static let parameterLength = 0x12

    public init(writeCacheEnabled: Bool, readCacheDisabled: Bool = false) {
        self.writeCacheEnabled = writeCacheEnabled
        self.readCacheDisabled = readCacheDisabled
    }

    /// Reads WCE (byte 2 bit 2) and RCD (byte 2 bit 0) of `page`; nil for another page or a
    /// page too short to hold byte 2.
    public init?(_ page: ModePage) {
        guard page.code == ModePageCode.caching, page.subpage == 0, let flags = page.parameters.first else {
            return nil
        }
        writeCacheEnabled = flags & 0x04 != 0
        readCacheDisabled = flags & 0x01 != 0
    }

    /// The page, with every other field zero.
    public var page: ModePage {
        var parameters = [UInt8](repeating: 0, count: Self.parameterLength)
        parameters[0] = (writeCacheEnabled ? 0x04 : 0) | (readCacheDisabled ? 0x01 : 0)
        return ModePage(code: ModePageCode.caching, parameters: parameters)
    }
}

/// Mode parameter data as MODE SENSE returns it (SPC-4 7.5.3–7.5.5): a header, block
/// descriptors, mode pages.
///
/// The 6-byte-CDB form has a 4-byte header with a 1-byte MODE DATA LENGTH; the 10-byte form
/// an 8-byte header with 2-byte lengths and the LONGLBA bit. Block descriptors are kept as the
/// raw bytes (8 per short descriptor, 16 per long one; SBC-3 6.4.2 gives their fields).
public struct ModeParameters: Hashable, Sendable {
    /// MEDIUM TYPE (0 for a disk).
    public var mediumType: UInt8
    /// DEVICE-SPECIFIC PARAMETER; for a disk (SBC-3 6.4.1) bit 7 is WP and bit 4 DPOFUA.
    public var deviceSpecificParameter: UInt8
    /// LONGLBA (10-byte form only): the block descriptors are 16 bytes long.
    public var longLBA: Bool
    /// The block descriptors, concatenated.
    public var blockDescriptors: [UInt8]
    /// The mode pages in order.
    public var pages: [ModePage]

    public init(
        mediumType: UInt8 = 0, deviceSpecificParameter: UInt8 = 0, longLBA: Bool = false, blockDescriptors: [UInt8] = [],
        pages: [ModePage]
    ) {
        self.mediumType = mediumType
        self.deviceSpecificParameter = deviceSpecificParameter
        self.longLBA = longLBA
        self.blockDescriptors = blockDescriptors
        self.pages = pages
    }

    /// A short LBA mode parameter block descriptor (SBC-3 6.4.2): NUMBER OF LOGICAL BLOCKS
    /// (FFFF_FFFFh when it does not fit), reserved, LOGICAL BLOCK LENGTH (3 bytes).
    public static func shortBlockDescriptor(blockCount: UInt64, blockLength: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8)
        BigEndianBytes.write(min(blockCount, UInt64(UInt32.max)), into: &b, at: 0, count: 4)
        BigEndianBytes.write(UInt64(blockLength), into: &b, at: 5, count: 3)
        return b
    }

    /// A long LBA mode parameter block descriptor (SBC-3 6.4.2.3): NUMBER OF LOGICAL BLOCKS
    /// (8 bytes), reserved (4), LOGICAL BLOCK LENGTH (4).
    public static func longBlockDescriptor(blockCount: UInt64, blockLength: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 16)
        BigEndianBytes.write(blockCount, into: &b, at: 0, count: 8)
        BigEndianBytes.write(UInt64(blockLength), into: &b, at: 12, count: 4)
        return b
    }

    private var pageBytes: [UInt8] { pages.flatMap(\.bytes) }

    /// The MODE SENSE (6) form: `mode-data-length medium-type device-specific bd-length`, then
    /// the descriptors and pages. MODE DATA LENGTH excludes itself; lengths that do not fit
    /// their fields are truncated (the caller keeps the data small).
    public var mode6Bytes: [UInt8] {
        let body = blockDescriptors + pageBytes
        return [
            UInt8(truncatingIfNeeded: 3 + body.count), mediumType, deviceSpecificParameter,
            UInt8(truncatingIfNeeded: blockDescriptors.count),
        ] + body
    }

    /// The MODE SENSE (10) form: `mode-data-length(2) medium-type device-specific longlba 00
    /// bd-length(2)`, then the descriptors and pages.
    public var mode10Bytes: [UInt8] {
        let body = blockDescriptors + pageBytes
        var header = [UInt8](repeating: 0, count: 8)
        BigEndianBytes.write(UInt64(6 + body.count), into: &header, at: 0, count: 2)
        header[2] = mediumType
        header[3] = deviceSpecificParameter
        header[4] = longLBA ? 0x01 : 0
        BigEndianBytes.write(UInt64(blockDescriptors.count), into: &header, at: 6, count: 2)
        return header + body
    }

    /// Decodes the MODE SENSE (6) form; nil with fewer than 4 bytes or descriptors past the end.
    /// Bytes beyond MODE DATA LENGTH are ignored.
    public init?(mode6 input: some Collection<UInt8>) {
        var b = Array(input)
        guard b.count >= 4 else { return nil }
        b = Array(b.prefix(Int(b[0]) + 1))
        guard b.count >= 4 else { return nil }
        let descriptorEnd = 4 + Int(b[3])
        guard descriptorEnd <= b.count else { return nil }
        self.init(
            mediumType: b[1], deviceSpecificParameter: b[2], blockDescriptors: Array(b[4..<descriptorEnd]),
            pages: ModePage.pages(in: b, from: descriptorEnd))
    }

    /// Decodes the MODE SENSE (10) form; nil with fewer than 8 bytes or descriptors past the
    /// end. Bytes beyond MODE DATA LENGTH are ignored.
    public init?(mode10 input: some Collection<UInt8>) {
        var b = Array(input)
        guard b.count >= 8 else { return nil }
        b = Array(b.prefix(Int(BigEndianBytes.read(b, at: 0, count: 2)) + 2))
        guard b.count >= 8 else { return nil }
        let descriptorEnd = 8 + Int(BigEndianBytes.read(b, at: 6, count: 2))
        guard descriptorEnd <= b.count else { return nil }
        self.init(
            mediumType: b[2], deviceSpecificParameter: b[3], longLBA: b[4] & 0x01 != 0,
            blockDescriptors: Array(b[8..<descriptorEnd]), pages: ModePage.pages(in: b, from: descriptorEnd))
    }

    /// The first page with `code` (and subpage 0), if present.
    public func page(_ code: UInt8) -> ModePage? {
        pages.first { $0.code == code && $0.subpage == 0 }
    }
}
