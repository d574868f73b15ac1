import Glibc
import Hardware

/// A SCSI device through the Linux SCSI generic driver (`/dev/sgN`, or a SCSI block device
/// that accepts SG_IO): the ``Hardware/SCSIGenericDevice`` of the real backend.
///
/// ``submit(_:handler:)`` never blocks the loop. The request goes to the device's worker
/// thread(s) (``SGIOWorkerPool``: a small locked FIFO), which run `ioctl(SG_IO)` synchronously
/// straight on the request's data array or the completion's new one (``KernelSGIOExecutor``) and post the job's number
/// to the loop through a ``RealNodeRuntime/Waker``. On the loop the outcome becomes a
/// ``Hardware/SCSICompletion`` with the simulated device's rules
/// (``Hardware/SCSICompletion/init(request:sgio:duration:)``) and reaches the handler, always on
/// a later turn than the submit.
///
/// The contract's other promises:
/// - Timeouts: the request's ``Hardware/SCSIRequest/timeout`` (rounded up to milliseconds) is
///   SG_IO's; the kernel answers a command it aborted with `DID_TIME_OUT`, which completes it
///   ``Hardware/SCSIHostStatus/timeOut``. A watchdog timer on the loop does the same
///   ``RealSCSIGenericDeviceConfiguration/watchdogGrace`` later if the kernel has not answered,
///   and discards the late answer.
/// - ``close()``: later submits throw ``Hardware/SCSIGenericError/deviceGone``; commands not yet
///   started complete ``Hardware/SCSIHostStatus/noConnect``; running ones finish; the threads
///   are joined, the descriptor closed. Their completions still arrive on the loop.
/// - PERSISTENT RESERVE OUT PREEMPT AND ABORT goes out as PREEMPT on a LIO tcm_loop LUN
///   (``sendsPreemptAndAbortAsPreempt``, ``PreemptAndAbortOnTCMLoop``): the real command hangs
///   that kernel's target core.
/// - ``name`` is the path as given (a symbolic link such as `/dev/iofabric/sg-red0-red` is
///   followed to open the device, and keeps its name); ``describe(_:of:)`` turns a completion that failed into one line
///   naming the device, the command and what went wrong.
///
/// - Warning: Not thread-safe, like every `SCSIGenericDevice`: call it on its runtime's loop.
///   Call ``close()`` when done: until then the runtime holds the device (its waker's handler).
public final class RealSCSIGenericDevice: SCSIGenericDevice, WakeHandler, TimerHandler {
    /// The device's path, e.g. `/dev/sg0` (or the name given to an injected executor).
    public let name: String
    public let queueDepth: Int
    public var outstandingCount: Int { pending.count }
    /// The sg driver's version (`SG_GET_VERSION_NUM`, e.g. 30536 for 3.5.36); 0 for an
    /// injected executor.
    public let sgVersion: Int
    /// What the driver says of the descriptor's sizes.
    public let limits: SCSIGenericLimits
    /// Whether a PREEMPT AND ABORT is sent as PREEMPT: the configuration's
    /// ``RealSCSIGenericDeviceConfiguration/preemptAndAbortAsPreempt``, or when it is nil, whether
    /// the device is a LIO tcm_loop LUN (``PreemptAndAbortOnTCMLoop/isTCMLoopDevice(path:sysfs:)``).
    public let sendsPreemptAndAbortAsPreempt: Bool
    public let configuration: RealSCSIGenericDeviceConfiguration
    /// What the device did so far.
    public private(set) var statistics = RealSCSIGenericDeviceStatistics()
    /// The last failed `ioctl(SG_IO)` as one line, e.g. `/dev/sg0: SG_IO for tag 4 failed:
    /// Input/output error`; its completion carries only a host status.
    public private(set) var lastSystemError: String?

    private struct Pending {
        var request: SCSIRequest
        var handler: any SCSICompletionHandler
        var submitted: Instant
        var watchdog: TimerHandle
    }

    private let runtime: RealNodeRuntime
    private var waker: RealNodeRuntime.Waker?
    private var pool: SGIOWorkerPool?
    private var fileDescriptor: Int32?
    /// Requests accepted and not completed, by job number. Looked up, never iterated.
    private var pending: [UInt64: Pending] = [:]
    private var nextJob: UInt64 = 0
    private var isClosed = false

    /// Opens `path` and starts its worker thread(s) on `runtime`.
    ///
    /// - Throws: ``RealDeviceError/openFailed(path:errno:)`` (e.g. ENOENT: no such device),
    ///   ``RealDeviceError/permissionDenied(path:)``, ``RealDeviceError/notSCSIGeneric(path:)``,
    ///   ``RealDeviceError/ioctlFailed(path:request:errno:)``,
    ///   ``RealDeviceError/threadStartFailed(device:errno:)``. Each says which device, in one line.
    public convenience init(
        path: String, runtime: RealNodeRuntime,
        configuration: RealSCSIGenericDeviceConfiguration = RealSCSIGenericDeviceConfiguration()
    ) throws(RealDeviceError) {
        let descriptor = try openSCSIGenericDevice(path: path)
        do {
            try self.init(
                name: path, executor: KernelSGIOExecutor(fileDescriptor: descriptor.fileDescriptor), runtime: runtime,
                configuration: configuration, sgVersion: descriptor.sgVersion, limits: descriptor.limits,
                preemptAndAbortAsPreempt: configuration.preemptAndAbortAsPreempt
                    ?? PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: path))
        } catch {
            Glibc.close(descriptor.fileDescriptor)
            throw error
        }
        fileDescriptor = descriptor.fileDescriptor
    }

    /// A device named `name` whose commands run through `executor` (tests inject one; the
    /// path initializer uses ``KernelSGIOExecutor``). `preemptAndAbortAsPreempt` nil takes the
    /// configuration's, and false when that is nil too.
    ///
    /// - Throws: ``RealDeviceError/threadStartFailed(device:errno:)``.
    public init(
        name: String, executor: any SGIOExecutor, runtime: RealNodeRuntime,
        configuration: RealSCSIGenericDeviceConfiguration = RealSCSIGenericDeviceConfiguration(),
        sgVersion: Int = 0, limits: SCSIGenericLimits = SCSIGenericLimits(), preemptAndAbortAsPreempt: Bool? = nil
    ) throws(RealDeviceError) {
        self.name = name
        self.sendsPreemptAndAbortAsPreempt = preemptAndAbortAsPreempt ?? configuration.preemptAndAbortAsPreempt ?? false
        self.runtime = runtime
        self.configuration = configuration
        self.queueDepth = configuration.queueDepth
        self.sgVersion = sgVersion
        self.limits = limits
        let waker = runtime.makeWaker(handler: self)
        self.waker = waker
        do {
            pool = try SGIOWorkerPool(executor: executor, waker: waker, threadCount: configuration.workerThreads)
        } catch {
            runtime.closeWaker(waker)
            throw .threadStartFailed(device: name, errno: error.errno)
        }
    }

    // MARK: Submitting

    public func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        guard !isClosed, let pool else { throw .deviceGone }
        guard pending.count < queueDepth else { throw .queueFull }
        guard request.cdb.count <= SGIOLimits.maxCDBLength else {
            throw .unsupported(
                "\(name): a \(request.cdb.count)-byte CDB (SG_IO takes at most \(SGIOLimits.maxCDBLength) bytes)")
        }
        nextJob += 1
        let job = nextJob
        let watchdog = runtime.scheduleTimer(
            after: request.timeout + configuration.watchdogGrace, handler: self, token: job)
        pending[job] = Pending(request: request, handler: handler, submitted: runtime.now, watchdog: watchdog)
        var command = SGIOCommand(request)
        let replacement = sendsPreemptAndAbortAsPreempt ? PreemptAndAbortOnTCMLoop.replacement(for: command.cdb) : nil
        if let replacement { command.cdb = replacement }
        guard pool.enqueue(job, command: command) else {
            pending[job] = nil
            runtime.cancelTimer(watchdog)
            throw .deviceGone
        }
        statistics.submitted += 1
        if replacement != nil { statistics.preemptAndAbortSentAsPreempt += 1 }
    }

    // MARK: Completing

    /// A worker finished job `token` (or ``close()`` cancelled it): complete its request.
    public func wakeReceived(_ token: UInt64) {
        guard let result = pool?.takeResult(token) else { return }
        guard let entry = pending.removeValue(forKey: token) else {
            // The watchdog completed it already.
            statistics.lateAnswersDiscarded += 1
            finishClosingIfIdle()
            return
        }
        runtime.cancelTimer(entry.watchdog)
        if result.systemError != 0 && result.systemError != ECANCELED {
            statistics.systemErrors += 1
            lastSystemError =
                "\(name): SG_IO for tag \(entry.request.tag) failed: \(TextFormatting.errnoText(result.systemError))"
        }
        statistics.executionTime += result.executionTime
        statistics.lastExecutionTime = result.executionTime
        deliver(
            SCSICompletion(request: entry.request, sgio: result, duration: runtime.now - entry.submitted), to: entry)
    }

    /// Job `token`'s watchdog: the kernel has not answered well past the timeout.
    public func timerFired(_ token: UInt64) {
        guard let entry = pending.removeValue(forKey: token) else { return }
        statistics.watchdogTimeouts += 1
        deliver(
            SCSICompletion(
                tag: entry.request.tag, status: .good, hostStatus: .timeOut,
                residual: entry.request.dataTransfer.byteCount, duration: runtime.now - entry.submitted),
            to: entry)
    }

    private func deliver(_ completion: SCSICompletion, to entry: Pending) {
        statistics.completed += 1
        statistics.turnaroundTime += runtime.now - entry.submitted
        if completion.hostStatus == .timeOut { statistics.timeouts += 1 }
        if completion.isGood {
            if case .fromDevice = entry.request.dataTransfer { statistics.bytesRead += completion.dataIn.count }
            if case .toDevice(let data) = entry.request.dataTransfer {
                statistics.bytesWritten += data.count - completion.residual
            }
        }
        entry.handler.scsiRequestCompleted(completion)
        finishClosingIfIdle()
    }

    // MARK: Closing

    /// Closes the device: no new submits; commands not started complete with `DID_NO_CONNECT`,
    /// the running ones finish; joins the worker threads (blocking for as long as the running
    /// commands take, at most about their timeouts) and closes the descriptor. The completions
    /// arrive on later turns of the loop. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        pool?.stop()
        if let fd = fileDescriptor {
            Glibc.close(fd)
            fileDescriptor = nil
        }
        finishClosingIfIdle()
    }

    /// Once closed and idle, releases the waker (and with it the runtime's hold on the device).
    private func finishClosingIfIdle() {
        guard isClosed, pending.isEmpty, let waker else { return }
        runtime.closeWaker(waker)
        self.waker = nil
    }

    // MARK: Describing

    /// One line for a completion that did not go well, naming the device, the command and why,
    /// e.g. `/dev/sg0: READ(10) tag 7: CHECK CONDITION, sense key ILLEGAL REQUEST (0x5),
    /// ASC/ASCQ 0x21/0x00 (LOGICAL BLOCK ADDRESS OUT OF RANGE)` or `/dev/sg0: READ(16) tag 3:
    /// timed out after 5000 ms (DID_TIME_OUT)`. Pass the request to name the command and the
    /// timeout.
    public func describe(_ completion: SCSICompletion, of request: SCSIRequest? = nil) -> String {
        SGIOFailureText.line(device: name, completion: completion, request: request)
    }
}

/// SG_IO's own limits, mirrored from CIOFabric_sg.h.
enum SGIOLimits {
    /// `sg_io_hdr.cmd_len` is an unsigned char (`CIOFabric_SG_MAX_CDB`).
    static let maxCDBLength = 255
}
