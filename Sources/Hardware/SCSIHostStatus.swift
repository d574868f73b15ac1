/// What the host adapter (initiator side) reports about a command (`sg_io_hdr.host_status`).
///
/// Anything but ``ok`` means the command may not have reached the target, or its outcome is
/// unknown: the SCSI status and sense data are then not meaningful.
/// The values are the Linux `DID_*` codes (`<scsi/scsi_status.h>` in the kernel; user-space
/// headers do not carry them).
public struct SCSIHostStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// No error.
    ///
    /// The corresponding C constant is `DID_OK`.
    public static let ok = SCSIHostStatus(rawValue: 0x00)

    /// The target could not be reached before the timeout (a pulled cable, a dead loop).
    ///
    /// The corresponding C constant is `DID_NO_CONNECT`.
    public static let noConnect = SCSIHostStatus(rawValue: 0x01)

    /// The bus stayed busy through the timeout.
    ///
    /// The corresponding C constant is `DID_BUS_BUSY`.
    public static let busBusy = SCSIHostStatus(rawValue: 0x02)

    /// The command timed out (the request's timeout elapsed) and was aborted.
    ///
    /// The corresponding C constant is `DID_TIME_OUT`.
    public static let timeOut = SCSIHostStatus(rawValue: 0x03)

    /// The target is invalid.
    ///
    /// The corresponding C constant is `DID_BAD_TARGET`.
    public static let badTarget = SCSIHostStatus(rawValue: 0x04)

    /// The command was aborted (by the host, e.g. on reset or timeout handling).
    ///
    /// The corresponding C constant is `DID_ABORT`.
    public static let abort = SCSIHostStatus(rawValue: 0x05)

    /// A parity error on the bus.
    ///
    /// The corresponding C constant is `DID_PARITY`.
    public static let parity = SCSIHostStatus(rawValue: 0x06)

    /// An internal error of the host adapter.
    ///
    /// The corresponding C constant is `DID_ERROR`.
    public static let error = SCSIHostStatus(rawValue: 0x07)

    /// The bus or device was reset while the command ran.
    ///
    /// The corresponding C constant is `DID_RESET`.
    public static let reset = SCSIHostStatus(rawValue: 0x08)

    /// An unexpected interrupt.
    ///
    /// The corresponding C constant is `DID_BAD_INTR`.
    public static let badInterrupt = SCSIHostStatus(rawValue: 0x09)

    /// Forced past the mid-layer.
    ///
    /// The corresponding C constant is `DID_PASSTHROUGH`.
    public static let passthrough = SCSIHostStatus(rawValue: 0x0a)

    /// The low-level driver asks for a retry.
    ///
    /// The corresponding C constant is `DID_SOFT_ERROR`.
    public static let softError = SCSIHostStatus(rawValue: 0x0b)

    /// Retry without decrementing the retry count.
    ///
    /// The corresponding C constant is `DID_IMM_RETRY`.
    public static let immediateRetry = SCSIHostStatus(rawValue: 0x0c)

    /// Requeue the command.
    ///
    /// The corresponding C constant is `DID_REQUEUE`.
    public static let requeue = SCSIHostStatus(rawValue: 0x0d)

    /// A transport disruption blocked the port; the transport class retries or fails the I/O.
    ///
    /// The corresponding C constant is `DID_TRANSPORT_DISRUPTED`.
    public static let transportDisrupted = SCSIHostStatus(rawValue: 0x0e)

    /// The transport class failed the I/O fast.
    ///
    /// The corresponding C constant is `DID_TRANSPORT_FAILFAST`.
    public static let transportFailfast = SCSIHostStatus(rawValue: 0x0f)

    /// A permanent target failure; do not retry on other paths. (Removed from recent kernels.)
    ///
    /// The corresponding C constant is `DID_TARGET_FAILURE`.
    public static let targetFailure = SCSIHostStatus(rawValue: 0x10)

    /// A permanent nexus failure; another path may work. (Removed from recent kernels.)
    ///
    /// The corresponding C constant is `DID_NEXUS_FAILURE`.
    public static let nexusFailure = SCSIHostStatus(rawValue: 0x11)

    /// Space allocation on the device failed.
    ///
    /// The corresponding C constant is `DID_ALLOC_FAILURE`.
    public static let allocationFailure = SCSIHostStatus(rawValue: 0x12)

    /// A medium error.
    ///
    /// The corresponding C constant is `DID_MEDIUM_ERROR`.
    public static let mediumError = SCSIHostStatus(rawValue: 0x13)

    /// Marginal transport errors.
    ///
    /// The corresponding C constant is `DID_TRANSPORT_MARGINAL`.
    public static let transportMarginal = SCSIHostStatus(rawValue: 0x14)

    /// The C constant's name, e.g. `DID_TIME_OUT`, or `host status 0xNN`.
    public var description: String {
        let names = [
            "DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT", "DID_BAD_TARGET", "DID_ABORT", "DID_PARITY",
            "DID_ERROR", "DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR", "DID_IMM_RETRY",
            "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED", "DID_TRANSPORT_FAILFAST", "DID_TARGET_FAILURE",
            "DID_NEXUS_FAILURE", "DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR", "DID_TRANSPORT_MARGINAL",
        ]
        return Int(rawValue) < names.count
            ? names[Int(rawValue)] : "host status 0x" + HexFormatting.hex(rawValue, digits: 2)
    }
}
