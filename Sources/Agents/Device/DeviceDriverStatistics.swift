/// What one device driver module did: every operation accounted for, every rejection and
/// retry counted.
///
/// Invariant: `operations == completed + inProgress`, where `completed` sums the outcome
/// counters (``good`` + ``checkConditions`` + ``unavailable`` + ``rejected`` +
/// ``reservationConflicts``: a RESERVATION CONFLICT ends its operation).
public struct DeviceDriverStatistics: Hashable, Sendable {
    /// Operations asked for (identify, read, write, flush).
    public var operations = 0
    /// Operations completed ``IOStatus/good``.
    public var good = 0
    /// Operations completed with CHECK CONDITION passed up.
    public var checkConditions = 0
    /// Operations completed ``IOStatus/deviceUnavailable``.
    public var unavailable = 0
    /// Operations refused before any command was sent (no blocks, partial blocks, too long).
    public var rejected = 0
    /// SCSI commands the device accepted (retries and split steps included).
    public var commandsIssued = 0
    /// Commands sent again after UNIT ATTENTION.
    public var unitAttentionRetries = 0
    /// Commands sent again after BUSY or TASK SET FULL.
    public var busyRetries = 0
    /// Commands sent again after a host status meaning the command was not sent.
    public var hostRetries = 0
    /// Operations that, when asked for, had to wait in the driver because the device's queue
    /// was full (or others were already waiting).
    public var queuedForSlot = 0
    /// The most operations waiting in the driver for a device slot at once.
    public var maxWaiting = 0
    /// Commands the device completed with `DID_TIME_OUT` (or `DRIVER_TIMEOUT`).
    public var timeouts = 0
    /// Commands completed with any other host or driver error (including `DID_NO_CONNECT`),
    /// or refused by the device as gone.
    public var hostErrors = 0
    /// Answers that did not decode: sense data, INQUIRY, VPD, READ CAPACITY or IDENTIFY data,
    /// or a short data transfer. Each fails its operation ``IOStatus/deviceUnavailable``.
    public var malformedResponses = 0
    /// Completions that named no command of this driver (dropped).
    public var strayCompletions = 0
    /// Completions answered RESERVATION CONFLICT (another initiator holds the device).
    public var reservationConflicts = 0

    public init() {}

    /// Operations completed, whatever the outcome.
    public var completed: Int { good + checkConditions + unavailable + rejected + reservationConflicts }
}
