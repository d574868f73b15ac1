/// A SCSI generic request that cannot be built or submitted, or a SCSI device that cannot be
/// opened.
///
/// Failures of a submitted command are not errors of this kind: they arrive in the
/// ``SCSICompletion`` (status, sense data, host and driver status) on the loop.
public enum SCSIGenericError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The CDB length is outside 6…16, or 17…260 without being a valid variable-length CDB
    /// (operation code 0x7F with byte 7 giving the length beyond 8).
    case invalidCDBLength(Int)

    /// The transfer length is negative or exceeds 2³² − 1 bytes.
    case invalidTransferLength(Int)

    /// The timeout is not positive.
    case invalidTimeout(TimeSpan)

    /// The device already has its maximum of outstanding commands
    /// (``SCSIGenericDevice/queueDepth``); submit again after a completion.
    case queueFull

    /// The device is gone (removed, its shelf lost power, or the file descriptor was closed).
    case deviceGone

    /// No device at this path or name.
    case deviceNotFound(String)

    /// The device may not be opened; the text says what was refused.
    case accessDenied(String)

    /// The backend or device does not support the request; the text says what.
    case unsupported(String)

    /// A system call failed with `errno` (real backend only).
    case systemError(function: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidCDBLength(let length): "invalid CDB length \(length)"
        case .invalidTransferLength(let length): "invalid transfer length \(length)"
        case .invalidTimeout(let timeout): "invalid timeout \(timeout)"
        case .queueFull: "the device's command queue is full"
        case .deviceGone: "the device is gone"
        case .deviceNotFound(let name): "no SCSI device '\(name)'"
        case .accessDenied(let what): "access denied: \(what)"
        case .unsupported(let what): "unsupported: \(what)"
        case .systemError(let function, let errno): "\(function) failed: errno \(errno)"
        }
    }
}
