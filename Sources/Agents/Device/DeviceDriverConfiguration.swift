import Hardware

/// How a device driver module (``SCSIDeviceDriver``, ``ATADeviceDriver``) times and retries
/// the commands it sends.
public struct DeviceDriverConfiguration: Hashable, Sendable {
    /// The timeout of every SCSI command: the device completes a command not answered in time
    /// with `DID_TIME_OUT`, and the driver reports ``IOStatus/deviceUnavailable``.
    ///
    /// Default 30 s: Linux `sd`'s `SD_TIMEOUT` (drivers/scsi/sd.h). It must exceed a disk's
    /// spin-up (20 s for the simulated atlas10K, REFERENCE.md C.4), since a reinserted disk
    /// holds its first command until it is up to speed.
    public var commandTimeout: TimeSpan
    /// How many times one command is sent again after UNIT ATTENTION, BUSY, TASK SET FULL or
    /// a host status meaning "not sent" (`DID_BUS_BUSY`, `DID_IMM_RETRY`, `DID_REQUEUE`),
    /// before the driver gives up and reports the last answer.
    ///
    /// Default 5: Linux `sd`'s `SD_MAX_RETRIES` (drivers/scsi/sd.h).
    public var retries: Int
    /// How long the driver waits before sending again a command the device answered BUSY or
    /// TASK SET FULL, or after the device refused a submission while none of this driver's
    /// commands were outstanding (so no completion will wake it). UNIT ATTENTION is retried at
    /// once, as the Linux mid-layer does (`scsi_check_sense` → `ADD_TO_MLQUEUE`).
    ///
    /// Default 3 ms: Linux's `SCSI_QUEUE_DELAY` (drivers/scsi/scsi_lib.c), the delay before a
    /// busy device's queue runs again.
    public var retryDelay: TimeSpan

    public init(
        commandTimeout: TimeSpan = .seconds(30), retries: Int = 5, retryDelay: TimeSpan = .milliseconds(3)
    ) {
        precondition(commandTimeout > .zero, "a command timeout must be positive")
        precondition(retries >= 0, "retries must not be negative")
        precondition(retryDelay >= .zero, "a retry delay must not be negative")
        self.commandTimeout = commandTimeout
        self.retries = retries
        self.retryDelay = retryDelay
    }
}
