import Hardware

/// What a ``RealSCSIGenericDevice`` did so far.
public struct RealSCSIGenericDeviceStatistics: Hashable, Sendable {
    /// Requests accepted by `submit`.
    public var submitted = 0
    /// Completions delivered (every accepted request gets exactly one).
    public var completed = 0
    /// Completions with ``Hardware/SCSIHostStatus/timeOut`` (from the kernel or the watchdog).
    public var timeouts = 0
    /// Of those, completed by the loop's watchdog because the kernel did not answer.
    public var watchdogTimeouts = 0
    /// Answers that came after the watchdog had completed their request, thrown away.
    public var lateAnswersDiscarded = 0
    /// PREEMPT AND ABORTs sent as PREEMPT (``RealSCSIGenericDevice/sendsPreemptAndAbortAsPreempt``).
    public var preemptAndAbortSentAsPreempt = 0
    /// `ioctl(SG_IO)` calls that failed with an errno.
    public var systemErrors = 0
    /// Bytes moved by good reads and writes.
    public var bytesRead = 0
    public var bytesWritten = 0
    /// The worker threads' time inside SG_IO, all commands together, and the last command's.
    public var executionTime = TimeSpan.zero
    public var lastExecutionTime = TimeSpan.zero
    /// From `submit` to the completion on the loop, all commands together: ``executionTime``
    /// plus the wait for a worker and the hand-offs to and from the loop.
    public var turnaroundTime = TimeSpan.zero

    /// All zero.
    public init() {}
}
