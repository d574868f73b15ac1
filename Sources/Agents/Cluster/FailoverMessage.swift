/// What a failover message says, beyond who sent it.
public enum FailoverMessageBody: Hashable, Sendable {
    /// Sent on every connection as it comes up: the sender's configuration (opaque to the
    /// monitor: the coordinator's LUN map), which the partner keeps for a takeover. Whether the
    /// sender serves the receiver's shelf is its state's ``FailoverMonitorState/holdsPartnerShelf``.
    case hello(configuration: [UInt8])
    /// Every heartbeat interval on every connection.
    case heartbeat
    /// A booting node whose shelf the partner holds asks for it back (repeated on every message
    /// from the partner until the partner gives back: idempotent).
    case givebackRequest
    /// The partner released the requester's shelf: take it back.
    case givebackReady
    /// The requester serves its shelf again: giveback over.
    case givebackDone
}

/// One message between the failover monitors of two partners (on any cluster interconnect).
///
/// Every message carries the sender's incarnation (drawn at each boot), a sequence number
/// (one counter for every message the monitor sends, on any connection, so the receiver can
/// tell the latest state across interconnects), the sender's state, and whether the sender's
/// NVRAM log is mirrored in full in the receiver's NVRAM (``mirrorInSync``): without it the
/// receiver must not take the sender over.
///
/// Wire format (big-endian) in `FailoverMessage+Codec.swift`; decoding never traps.
public struct FailoverMessage: Hashable, Sendable {
    /// Which boot of the sender's node.
    public var incarnation: UInt64
    /// The sender's message counter.
    public var sequence: UInt64
    /// The sender monitor's state when it sent the message.
    public var state: FailoverMonitorState
    /// The sender's NVRAM log is in sync in the receiver's mirror half: every record the sender
    /// acknowledged is there (its mirror's re-send of the live log completed, and it has not
    /// acknowledged from its local log alone since). See ``FailoverActions/localMirrorInSync``.
    public var mirrorInSync: Bool
    public var body: FailoverMessageBody

    public init(incarnation: UInt64, sequence: UInt64, state: FailoverMonitorState, mirrorInSync: Bool = false,
                body: FailoverMessageBody) {
        self.incarnation = incarnation
        self.sequence = sequence
        self.state = state
        self.mirrorInSync = mirrorInSync
        self.body = body
    }
}
