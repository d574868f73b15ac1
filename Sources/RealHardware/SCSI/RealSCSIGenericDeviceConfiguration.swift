import Hardware

/// How a ``RealSCSIGenericDevice`` queues and runs its commands.
public struct RealSCSIGenericDeviceConfiguration: Hashable, Sendable {
    /// The most commands accepted outstanding at once (``Hardware/SCSIGenericDevice/queueDepth``).
    ///
    /// Default 16: `SG_MAX_QUEUE` (<scsi/sg.h>), the sg driver's limit of commands outstanding
    /// per file descriptor, which the `SCSIGenericDevice` contract quotes.
    public var queueDepth: Int

    /// How many worker threads run SG_IO for the device, each one command at a time: how many
    /// commands are in the kernel at once.
    ///
    /// Default 1 (assumption: one thread per device, as the design asks; it is what one
    /// synchronous SG_IO caller such as `sg_dd` gets, and the commands of a device reach it in
    /// submission order). More threads give the device real command queuing, up to
    /// ``queueDepth``.
    public var workerThreads: Int

    /// How long past a request's own timeout the device waits for the kernel's answer before
    /// completing the request with `DID_TIME_OUT` itself and discarding the late answer.
    ///
    /// The SCSI layer normally answers a timed-out command with `DID_TIME_OUT` at the timeout;
    /// this is the backstop for an error handler that escalates (abort, device, bus, host
    /// reset) and holds the ioctl longer. Default 10 s: Linux's `SCSI_TIMEOUT` (2 × HZ) plus
    /// time for the abort and one reset step (assumption; drivers/scsi/scsi_priv.h gives 2 s
    /// per step, the rest is margin).
    public var watchdogGrace: TimeSpan

    /// Whether PERSISTENT RESERVE OUT PREEMPT AND ABORT goes to the device as PREEMPT
    /// (``PreemptAndAbortOnTCMLoop``): nil (the default) decides by the device, on for a LUN
    /// of a LIO tcm_loop host, where PREEMPT AND ABORT hangs the Linux 6.1 target core, off
    /// elsewhere; true or false forces it.
    public var preemptAndAbortAsPreempt: Bool?

    public init(
        queueDepth: Int = 16, workerThreads: Int = 1, watchdogGrace: TimeSpan = .seconds(10),
        preemptAndAbortAsPreempt: Bool? = nil
    ) {
        precondition(queueDepth >= 1, "a queue depth must be at least 1")
        precondition(workerThreads >= 1, "an SG_IO device needs a worker thread")
        precondition(watchdogGrace >= .zero, "a watchdog grace must not be negative")
        self.queueDepth = queueDepth
        self.workerThreads = min(workerThreads, queueDepth)
        self.watchdogGrace = watchdogGrace
        self.preemptAndAbortAsPreempt = preemptAndAbortAsPreempt
    }
}
