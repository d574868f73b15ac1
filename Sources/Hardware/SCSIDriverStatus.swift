/// What the Linux SCSI driver reports about a command (`sg_io_hdr.driver_status`).
///
/// The low four bits are the driver code (the constants below); older kernels or-ed a
/// `SUGGEST_*` hint into the high four bits, which ``code`` masks off. Recent kernels report
/// little here beyond ``sense`` (sense data is present) and ``timeout``.
public struct SCSIDriverStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// No driver error.
    ///
    /// The corresponding C constant is `DRIVER_OK`.
    public static let ok = SCSIDriverStatus(rawValue: 0x00)

    /// The driver was busy.
    ///
    /// The corresponding C constant is `DRIVER_BUSY`.
    public static let busy = SCSIDriverStatus(rawValue: 0x01)

    /// A soft error.
    ///
    /// The corresponding C constant is `DRIVER_SOFT`.
    public static let soft = SCSIDriverStatus(rawValue: 0x02)

    /// A media error.
    ///
    /// The corresponding C constant is `DRIVER_MEDIA`.
    public static let media = SCSIDriverStatus(rawValue: 0x03)

    /// A driver error.
    ///
    /// The corresponding C constant is `DRIVER_ERROR`.
    public static let error = SCSIDriverStatus(rawValue: 0x04)

    /// The request was invalid.
    ///
    /// The corresponding C constant is `DRIVER_INVALID`.
    public static let invalid = SCSIDriverStatus(rawValue: 0x05)

    /// The command timed out.
    ///
    /// The corresponding C constant is `DRIVER_TIMEOUT`.
    public static let timeout = SCSIDriverStatus(rawValue: 0x06)

    /// A hard error.
    ///
    /// The corresponding C constant is `DRIVER_HARD`.
    public static let hard = SCSIDriverStatus(rawValue: 0x07)

    /// Sense data is present in the completion (normal with CHECK CONDITION).
    ///
    /// The corresponding C constant is `DRIVER_SENSE`.
    public static let sense = SCSIDriverStatus(rawValue: 0x08)

    /// The driver code without the suggestion bits (`driver_status & DRIVER_MASK`).
    public var code: SCSIDriverStatus { SCSIDriverStatus(rawValue: rawValue & 0x0f) }

    /// The C constant's name of ``code``, e.g. `DRIVER_SENSE`, or `driver status 0xNN`.
    public var description: String {
        let names = [
            "DRIVER_OK", "DRIVER_BUSY", "DRIVER_SOFT", "DRIVER_MEDIA", "DRIVER_ERROR", "DRIVER_INVALID",
            "DRIVER_TIMEOUT", "DRIVER_HARD", "DRIVER_SENSE",
        ]
        let code = Int(rawValue & 0x0f)
        let base = code < names.count ? names[code] : "driver status 0x" + HexFormatting.hex(code, digits: 2)
        return rawValue > 0x0f ? base + " (0x" + HexFormatting.hex(rawValue, digits: 2) + ")" : base
    }
}
