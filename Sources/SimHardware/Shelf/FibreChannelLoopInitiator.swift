/// A port's index on one ``FibreChannelLoop``, in attachment order (which is also its place
/// around the ring).
public struct LoopPortID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: Int

    public init(index: Int) {
        self.index = index
    }

    public static func < (lhs: LoopPortID, rhs: LoopPortID) -> Bool { lhs.index < rhs.index }

    public var description: String { "loop port \(index)" }
}

/// The initiator side of a loop port (an I/O controller's port): told of responses, of
/// commands that could not be delivered, and of the loop's state. The loop calls these from
/// its own simulator events, never from inside ``FibreChannelLoop/send(_:from:to:)``.
public protocol FibreChannelLoopInitiator: AnyObject {
    /// A device's response (its data and FCP_RSP) has fully arrived at `port`.
    func loop(_ loop: FibreChannelLoop, delivered response: DriveResponse, at port: LoopPortID)

    /// `command` could not be delivered: its OPN to `device` came back unanswered (the device
    /// is bypassed or absent), which a real initiator learns from a failed PLOGI/ADISC.
    func loop(_ loop: FibreChannelLoop, couldNotOpen device: LoopPortID, for command: DriveCommand)

    /// The loop failed (`isUp` false: loss of signal, loop initialisation failure; everything
    /// in flight is lost) or came back after initialisation (`isUp` true).
    func loop(_ loop: FibreChannelLoop, stateChanged isUp: Bool)

    /// The device port `device` left the loop (its bay was pulled: the port bypass circuit
    /// closed) or joined it again; what the next loop initialisation tells every port.
    func loop(_ loop: FibreChannelLoop, device: LoopPortID, presenceChanged isPresent: Bool)
}
