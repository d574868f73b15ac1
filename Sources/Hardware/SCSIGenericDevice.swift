/// A SCSI (or ATA, through SAT pass-through) device reached through the SCSI generic
/// interface: a `/dev/sg*` node on real hardware, a simulated disk in a shelf in simulation.
///
/// Submit a command now; its completion arrives later, on the node's ``NodeRuntime`` loop,
/// through the handler's ``SCSICompletionHandler/scsiRequestCompleted(_:)``.
///
/// Implementers must guarantee:
/// - Every request ``submit(_:handler:)`` accepts completes exactly once, and never from
///   inside `submit`, even when the outcome is known at once (a removed disk, an invalid
///   opcode): the completion is delivered on a later turn of the loop.
/// - A request that does not complete within its ``SCSIRequest/timeout`` completes with
///   ``SCSIHostStatus/timeOut``; a late answer from the device is discarded.
/// - Completions of one device may arrive in any order (tagged command queuing); agents match
///   them by ``SCSIRequest/tag``.
/// - A device that is gone completes outstanding requests with ``SCSIHostStatus/noConnect``
///   and refuses new ones with ``SCSIGenericError/deviceGone``.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol SCSIGenericDevice: AnyObject {
    /// The device's name: its path on real hardware (`/dev/sg3`), its place in the topology in
    /// simulation (`red.shelf0.slot3`).
    var name: String { get }

    /// The most commands the device accepts outstanding at once (SG_IO's queue is 16 per file
    /// descriptor by default; a simulated disk's is its configured queue depth).
    var queueDepth: Int { get }

    /// The number of accepted requests not yet completed.
    var outstandingCount: Int { get }

    /// Submits `request`; `handler` receives its completion later, on the loop.
    ///
    /// The corresponding C interface is `write(2)` of an `sg_io_hdr` on the sg file descriptor,
    /// completed by `read(2)` when it polls readable (the asynchronous form of `SG_IO`).
    ///
    /// - Parameters:
    ///   - request: the command.
    ///   - handler: the object told of the completion; the device keeps it alive until then.
    /// - Throws: ``SCSIGenericError/queueFull`` when ``outstandingCount`` has reached
    ///   ``queueDepth``; ``SCSIGenericError/deviceGone``. Nothing is completed for a request
    ///   that was refused.
    func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError)
}

/// An object told of the completions of SCSI requests, without a closure per command.
public protocol SCSICompletionHandler: AnyObject {
    /// The request tagged `completion.tag` completed. Runs on the node's loop, never
    /// re-entrantly from inside ``SCSIGenericDevice/submit(_:handler:)``.
    func scsiRequestCompleted(_ completion: SCSICompletion)
}
