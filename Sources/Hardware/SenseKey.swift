/// The general category of a CHECK CONDITION (SPC-4 sense keys, 4 bits).
///
/// The additional sense code (``AdditionalSenseCode``) says more precisely what happened.
public struct SenseKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Nothing to report (e.g. sense data with only the information field or flags).
    ///
    /// The corresponding C constant is `NO_SENSE`.
    public static let noSense = SenseKey(rawValue: 0x0)

    /// The command succeeded after recovery by the device.
    ///
    /// The corresponding C constant is `RECOVERED_ERROR`.
    public static let recoveredError = SenseKey(rawValue: 0x1)

    /// The logical unit cannot be accessed now (spinning up, no medium, standby path).
    ///
    /// The corresponding C constant is `NOT_READY`.
    public static let notReady = SenseKey(rawValue: 0x2)

    /// A non-recoverable error in the medium (unreadable sector).
    ///
    /// The corresponding C constant is `MEDIUM_ERROR`.
    public static let mediumError = SenseKey(rawValue: 0x3)

    /// A non-recoverable hardware failure.
    ///
    /// The corresponding C constant is `HARDWARE_ERROR`.
    public static let hardwareError = SenseKey(rawValue: 0x4)

    /// The command or its parameters are invalid; the device did nothing.
    ///
    /// The corresponding C constant is `ILLEGAL_REQUEST`.
    public static let illegalRequest = SenseKey(rawValue: 0x5)

    /// Something changed that the initiator must hear about (reset, power on, reservations
    /// preempted); the command was not run and may be retried.
    ///
    /// The corresponding C constant is `UNIT_ATTENTION`.
    public static let unitAttention = SenseKey(rawValue: 0x6)

    /// The medium is protected against the operation (write protect).
    ///
    /// The corresponding C constant is `DATA_PROTECT`.
    public static let dataProtect = SenseKey(rawValue: 0x7)

    /// Blank medium or format-defined end of data (sequential devices).
    ///
    /// The corresponding C constant is `BLANK_CHECK`.
    public static let blankCheck = SenseKey(rawValue: 0x8)

    /// Vendor-specific condition (SPC-4 sense key 9h; no C constant).
    public static let vendorSpecific = SenseKey(rawValue: 0x9)

    /// A copy or compare command was aborted.
    ///
    /// The corresponding C constant is `COPY_ABORTED`.
    public static let copyAborted = SenseKey(rawValue: 0xA)

    /// The device aborted the command (a transport or internal problem); retrying may work.
    ///
    /// The corresponding C constant is `ABORTED_COMMAND`.
    public static let abortedCommand = SenseKey(rawValue: 0xB)

    /// A buffered device reached the end of the partition with data left.
    ///
    /// The corresponding C constant is `VOLUME_OVERFLOW`.
    public static let volumeOverflow = SenseKey(rawValue: 0xD)

    /// The source data did not match the medium (VERIFY, COMPARE AND WRITE).
    ///
    /// The corresponding C constant is `MISCOMPARE`.
    public static let miscompare = SenseKey(rawValue: 0xE)

    /// A command completed with sense data worth reporting (SPC-5 sense key Fh; no C constant).
    public static let completed = SenseKey(rawValue: 0xF)

    /// The SPC name, e.g. `ILLEGAL REQUEST`.
    public var description: String {
        switch rawValue {
        case 0x0: "NO SENSE"
        case 0x1: "RECOVERED ERROR"
        case 0x2: "NOT READY"
        case 0x3: "MEDIUM ERROR"
        case 0x4: "HARDWARE ERROR"
        case 0x5: "ILLEGAL REQUEST"
        case 0x6: "UNIT ATTENTION"
        case 0x7: "DATA PROTECT"
        case 0x8: "BLANK CHECK"
        case 0x9: "VENDOR SPECIFIC"
        case 0xA: "COPY ABORTED"
        case 0xB: "ABORTED COMMAND"
        case 0xC: "EQUAL (obsolete)"
        case 0xD: "VOLUME OVERFLOW"
        case 0xE: "MISCOMPARE"
        case 0xF: "COMPLETED"
        default: "sense key 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}
