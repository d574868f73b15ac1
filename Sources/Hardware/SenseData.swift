/// Decoded SCSI sense data: why a command ended in CHECK CONDITION (SPC-4 4.5).
///
/// One value type for both wire formats. ``init(decoding:)`` reads fixed format (response
/// codes 70h/71h) and descriptor format (72h/73h); ``encoded()`` writes ``format``. Fields a
/// format cannot carry are dropped when encoding (see ``encoded()``).
public struct SenseData: Hashable, Sendable, CustomStringConvertible {
    /// The two wire formats. A closed set: SPC defines no third.
    public enum Format: Hashable, Sendable {
        /// Fixed format: 18 bytes, 32-bit information field.
        case fixed
        /// Descriptor format: an 8-byte header and typed descriptors, 64-bit information.
        case descriptor
    }

    /// The wire format decoded from, or to encode in.
    public var format: Format
    /// Whether the error belongs to an earlier command (response codes 71h, 73h) rather than
    /// the one that returned it (70h, 72h).
    public var isDeferred: Bool
    /// The category.
    public var senseKey: SenseKey
    /// The precise condition.
    public var additionalSenseCode: AdditionalSenseCode
    /// The information field when valid: for media errors, the first LBA in error.
    public var information: UInt64?
    /// The command-specific information field (e.g. the LBA of a COMPARE AND WRITE
    /// miscompare); nil when absent (in fixed format, also when zero).
    public var commandSpecificInformation: UInt64?
    /// The field-replaceable unit code; 0 when none.
    public var fieldReplaceableUnitCode: UInt8
    /// The sense-key-specific bytes when their SKSV bit is set.
    public var senseKeySpecific: SenseKeySpecific?
    /// FILEMARK (sequential devices).
    public var filemark: Bool
    /// EOM, end of medium (sequential devices).
    public var endOfMedium: Bool
    /// ILI, incorrect length indicator.
    public var incorrectLength: Bool
    /// Descriptor format: descriptors other than types 00h–05h, whose contents the fields above
    /// hold (for example SAT's ATA Status Return, type 09h), in wire order. Empty for fixed format.
    public var additionalDescriptors: [SenseDescriptor]

    public init(
        format: Format = .fixed, isDeferred: Bool = false, senseKey: SenseKey, additionalSenseCode: AdditionalSenseCode,
        information: UInt64? = nil, commandSpecificInformation: UInt64? = nil, fieldReplaceableUnitCode: UInt8 = 0,
        senseKeySpecific: SenseKeySpecific? = nil, filemark: Bool = false, endOfMedium: Bool = false,
        incorrectLength: Bool = false, additionalDescriptors: [SenseDescriptor] = []
    ) {
        self.format = format
        self.isDeferred = isDeferred
        self.senseKey = senseKey
        self.additionalSenseCode = additionalSenseCode
        self.information = information
        self.commandSpecificInformation = commandSpecificInformation
        self.fieldReplaceableUnitCode = fieldReplaceableUnitCode
        self.senseKeySpecific = senseKeySpecific
        self.filemark = filemark
        self.endOfMedium = endOfMedium
        self.incorrectLength = incorrectLength
        self.additionalDescriptors = additionalDescriptors
    }

    /// Fixed-format sense for a current error, the form simulated disks return by default.
    ///
    /// - Parameters:
    ///   - senseKey: the category.
    ///   - code: the precise condition.
    ///   - information: the information field (e.g. the failing LBA); nil leaves VALID clear.
    ///   - senseKeySpecific: e.g. a ``SenseKeySpecific/fieldPointer(inCDB:byte:bit:)``.
    public static func fixed(
        _ senseKey: SenseKey, _ code: AdditionalSenseCode, information: UInt32? = nil,
        senseKeySpecific: SenseKeySpecific? = nil
    ) -> SenseData {
        SenseData(
            format: .fixed, senseKey: senseKey, additionalSenseCode: code, information: information.map(UInt64.init),
            senseKeySpecific: senseKeySpecific)
    }

    /// The ATA Status Return descriptor (SAT), if the sense data carries one.
    public var ataStatusReturn: ATAStatusReturn? {
        additionalDescriptors.lazy.compactMap { ATAStatusReturn(descriptor: $0) }.first
    }

    /// E.g. `MEDIUM ERROR 11/00 UNRECOVERED READ ERROR, information 0x1234`.
    public var description: String {
        var text = (isDeferred ? "deferred " : "") + "\(senseKey) \(additionalSenseCode)"
        if let information { text += ", information 0x" + String(information, radix: 16) }
        return text
    }
}

/// Why bytes do not decode as sense data.
public enum SenseDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// There are no bytes.
    case empty
    /// The response code (byte 0, low 7 bits) is not 70h–73h.
    case unsupportedResponseCode(UInt8)
    /// Too few bytes to hold the sense key: `length` bytes of `format`.
    case truncated(format: SenseData.Format, length: Int)

    public var description: String {
        switch self {
        case .empty: "no sense data"
        case .unsupportedResponseCode(let code):
            "unsupported sense response code 0x" + HexFormatting.hex(code, digits: 2)
        case .truncated(let format, let length): "\(format) sense data truncated to \(length) bytes"
        }
    }
}
