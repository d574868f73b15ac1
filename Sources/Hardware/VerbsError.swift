/// A failure to set up or change verbs resources: opening a device, allocating, registering,
/// creating, modifying a queue pair.
///
/// These are thrown, typed, from set-up calls. Failures of posted work are not errors of this
/// kind: they arrive as ``WorkCompletion/status`` values on the loop.
public enum VerbsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The node has no RDMA device (none listed, or none in the simulated topology).
    case noDevice

    /// No device has this name.
    case deviceNotFound(name: String)

    /// The device context was closed, or the device failed (``VerbsAsyncEventType/deviceFatal``).
    case deviceClosed

    /// The port number is not one of the device's ports (1…physical port count).
    case invalidPort(UInt8)

    /// The queue pair cannot move between these states
    /// (see ``QueuePairState/canTransition(to:)``).
    case invalidQueuePairTransition(from: QueuePairState, to: QueuePairState)

    /// The transition is allowed but the attributes are wrong: some it requires are `missing`,
    /// or some it does not take are `unexpected`
    /// (see ``QueuePairType/requiredAttributes(from:to:)``).
    case invalidQueuePairAttributes(
        from: QueuePairState, to: QueuePairState, missing: QueuePairAttributeMask, unexpected: QueuePairAttributeMask)

    /// A device limit or memory ran out; the text names the resource, e.g. `memory regions`.
    case resourceExhausted(String)

    /// An argument is out of range or inconsistent; the text says which.
    case invalidArgument(String)

    /// The caller may not use the device or the memory (permissions on `/dev/infiniband`,
    /// locked-memory limit for registration); the text says what was refused.
    case accessDenied(String)

    /// The object is still in use by others and cannot be destroyed; the text names the users.
    case busy(String)

    /// The backend or device does not support the request; the text says what.
    case unsupported(String)

    /// A system call or verbs function failed with `errno` (real backend only).
    case systemError(function: String, errno: Int32)

    public var description: String {
        switch self {
        case .noDevice:
            "no RDMA device"
        case .deviceNotFound(let name):
            "no RDMA device named '\(name)'"
        case .deviceClosed:
            "the RDMA device is closed or failed"
        case .invalidPort(let port):
            "invalid port \(port)"
        case .invalidQueuePairTransition(let from, let to):
            "invalid QP state transition \(from) → \(to)"
        case .invalidQueuePairAttributes(let from, let to, let missing, let unexpected):
            "invalid attributes for QP transition \(from) → \(to)"
                + (missing.isEmpty ? "" : ", missing \(missing)")
                + (unexpected.isEmpty ? "" : ", unexpected \(unexpected)")
        case .resourceExhausted(let resource):
            "out of \(resource)"
        case .invalidArgument(let what):
            "invalid argument: \(what)"
        case .accessDenied(let what):
            "access denied: \(what)"
        case .busy(let what):
            "busy: \(what)"
        case .unsupported(let what):
            "unsupported: \(what)"
        case .systemError(let function, let errno):
            "\(function) failed: errno \(errno)"
        }
    }
}
