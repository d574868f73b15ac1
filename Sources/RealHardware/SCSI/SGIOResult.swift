import Hardware

/// What one SG_IO returned: `struct sg_io_hdr`'s outputs, the data read, or the errno of the
/// ioctl when it failed. Plain `Sendable` data, made on a worker thread and read on the loop.
public struct SGIOResult: Hashable, Sendable {
    /// The errno of `ioctl(SG_IO)` when it failed (the command's outcome is then unknown and
    /// every other field is zero or empty); 0 when the command ran.
    public var systemError: Int32
    /// The SCSI status byte (`status`).
    public var status: UInt8
    /// `masked_status` (the status shifted right by one; obsolete, kept for traces).
    public var maskedStatus: UInt8
    /// `host_status` (DID_*).
    public var hostStatus: UInt16
    /// `driver_status` (DRIVER_*).
    public var driverStatus: UInt16
    /// The `sb_len_wr` bytes of sense data the device wrote.
    public var sense: [UInt8]
    /// `resid`: requested minus transferred bytes.
    public var residual: Int32
    /// `duration`: the command's time in the kernel, in milliseconds.
    public var durationMilliseconds: UInt32
    /// `info`: SG_INFO_* flags.
    public var info: UInt32
    /// For a command from the device, the whole data buffer after the command
    /// (``SGIOCommand/transferLength`` bytes, the last ``residual`` of them not written by it);
    /// empty otherwise.
    public var dataIn: [UInt8]
    /// The time the executor spent in the ioctl, on the monotonic clock (finer than
    /// ``durationMilliseconds``): what SG_IO itself costs, without the hand-offs to and from
    /// the loop.
    public var executionTime: TimeSpan

    /// A result from its parts; everything left out is zero or empty (an all-default result is
    /// a GOOD command with nothing transferred back).
    public init(
        systemError: Int32 = 0, status: UInt8 = 0, maskedStatus: UInt8 = 0, hostStatus: UInt16 = 0,
        driverStatus: UInt16 = 0, sense: [UInt8] = [], residual: Int32 = 0, durationMilliseconds: UInt32 = 0,
        info: UInt32 = 0, dataIn: [UInt8] = [], executionTime: TimeSpan = .zero
    ) {
        self.systemError = systemError
        self.status = status
        self.maskedStatus = maskedStatus
        self.hostStatus = hostStatus
        self.driverStatus = driverStatus
        self.sense = sense
        self.residual = residual
        self.durationMilliseconds = durationMilliseconds
        self.info = info
        self.dataIn = dataIn
        self.executionTime = executionTime
    }

    /// A result for an ioctl that failed with `errno`.
    public static func failed(errno code: Int32, executionTime: TimeSpan = .zero) -> SGIOResult {
        SGIOResult(systemError: code, executionTime: executionTime)
    }

    /// The status, host, driver and sense parts as an ``SGIOStatus``, whose description names
    /// them (`CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), ASC/ASCQ 0x24/0x00 (...)`).
    public var sgioStatus: SGIOStatus {
        SGIOStatus(status: status, hostStatus: hostStatus, driverStatus: driverStatus, sense: sense)
    }
}
