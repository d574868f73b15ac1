/// A device on a shelf's loops: a disk drive, reached through port A and port B.
///
/// The loop (``FibreChannelLoop``) owns transport: arbitration, the shared bandwidth, the
/// time each frame takes. The device owns what happens inside it: queueing, the medium,
/// the command set. The two meet here.
///
/// Contract:
/// - The loop calls ``receive(_:on:)`` when a command (and, for a write, its data) has fully
///   arrived at the device on `port`; never re-entrantly from inside
///   ``DriveResponsePath/send(_:from:)``.
/// - The device answers every command it receives exactly once, through the
///   ``DriveResponsePath`` of the port the command arrived on, unless it has failed (a dead or
///   unpowered device answers nothing; the initiator's timeout notices).
/// - A device may answer in any order (tagged command queueing).
public protocol LoopDevice: AnyObject {
    /// The device's place, e.g. `"red.shelf0.bay3"`.
    var name: String { get }

    /// The presence signal of the device's bay: whether the device is present and
    /// participating in the loops. A device pulled from its bay is bypassed by the loops' port
    /// bypass circuits and reached by no one. One object for the device's life, which the
    /// loops keep and read at each arbitration.
    var presence: PresenceSignal { get }

    /// The loop that will carry answers from `port`; set once when the shelf is built.
    func connect(_ port: DrivePort, to path: any DriveResponsePath)

    /// A command has arrived on `port`.
    func receive(_ command: DriveCommand, on port: DrivePort)
}

extension LoopDevice {
    /// Whether the device is present in its bay (``presence``).
    public var isPresent: Bool { presence.isPresent }
}

/// A bay's presence signal (a drive's "present" pin, which the shelf's port bypass circuits
/// sense): a class so the loops read the one the device changes, without a call per read.
public final class PresenceSignal {
    /// False while the device is pulled from its bay.
    public var isPresent: Bool

    public init(isPresent: Bool = true) {
        self.isPresent = isPresent
    }
}

/// The way back from a device to initiators: the loop one of the device's ports is on.
public protocol DriveResponsePath: AnyObject {
    /// The device has `response` ready (its data in the device's buffer): the loop
    /// arbitrates, carries the data and the status frame, and delivers them to the initiator.
    /// Called on the simulator's loop; the device must not expect anything to happen before
    /// it returns.
    func send(_ response: DriveResponse, from device: any LoopDevice)
}
