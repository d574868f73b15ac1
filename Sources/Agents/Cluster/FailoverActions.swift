import Hardware

/// What the failover monitor asks of its node: the coordinator (the UMA, the CTA, the NVRAM log
/// and mirror of one host storage node) implements it.
///
/// Every call but ``stopServing()`` is a request that the coordinator answers later by calling
/// the ``FailoverMonitor`` method named in its documentation, once, when the work is done. The
/// answer is never required from inside the call (the monitor has already moved to its waiting
/// state, so an answer from inside the call is accepted too). The monitor makes at most one
/// request at a time.
///
/// A node starts serving nothing: it serves its own shelf only after ``serveOwnShelf()`` or
/// ``reclaimOwnShelf()``, and its partner's only after ``takeOver(partnerConfiguration:)``.
public protocol FailoverActions: AnyObject {
    /// This node's configuration as the partner needs it for a takeover (the coordinator's LUN
    /// map): opaque bytes the monitor sends in its hello, at most
    /// ``FailoverMessage/maxConfigurationBytes`` long. Read whenever a hello is sent.
    var localConfiguration: [UInt8] { get }

    /// Whether this node's NVRAM log is in sync in the partner's mirror half: every write this
    /// node acknowledged is in the partner's copy (the mirror's re-send of the live log after a
    /// connection came up has completed, and the node has not acknowledged from its local log
    /// alone since). Read whenever a message is sent; the partner refuses to take this node over
    /// while it is false. Tell the monitor when it becomes true
    /// (``FailoverMonitor/localMirrorSyncChanged()``) so the partner learns at once.
    /// The default (coordinators with no NVRAM log, test doubles) is true: nothing to mirror.
    var localMirrorInSync: Bool { get }

    /// Start serving this node's own shelf (register and reserve through the A loop, bring its
    /// LUNs online, advertise them). Answer: ``FailoverMonitor/ownShelfServing()``.
    func serveOwnShelf()

    /// Booting with no partner in sight: find out whether the partner holds this node's shelf
    /// (its persistent reservation). Answer: ``FailoverMonitor/ownShelfChecked(heldByPartner:)``.
    func checkOwnShelf()

    /// The partner is declared failed: fence it (SCSI-3 PERSISTENT RESERVE OUT PREEMPT on its
    /// shelf through the B loop). Answer: ``FailoverMonitor/fenceCompleted(won:)``; `won == false`
    /// when the partner fenced this node first (split brain).
    func fencePartner()

    /// The fence won: replay the partner's log mirrored in local NVRAM, bring the partner's LUNs
    /// (described by `partnerConfiguration`, the partner's last hello) online and advertise them.
    /// Answer: ``FailoverMonitor/takeoverCompleted()``.
    func takeOver(partnerConfiguration: [UInt8])

    /// The fence was lost: stop serving everything at once. No answer: the node serves nothing
    /// until it reboots (the monitor stays ``FailoverMonitorState/fencedOut``).
    func stopServing()

    /// Double failure: this node booted while the partner held its shelf, and the partner failed
    /// before giving it back. The fence won: take this node's own shelf back (preempt the
    /// partner's reservation), replay the partner's log mirrored in local NVRAM into both
    /// shelves' LUNs, then serve both. Answer: ``FailoverMonitor/takeoverCompleted()``.
    /// The default (for coordinators that never see it) is ``takeOver(partnerConfiguration:)``.
    func takeOverBoth(partnerConfiguration: [UInt8])

    /// The partner is back and asks for its shelf: drain and stop serving its LUNs, flush,
    /// release its shelf. Answer: ``FailoverMonitor/partnerShelfReleased()``.
    func releasePartnerShelf()

    /// The partner released this node's shelf: take it back (reserve again through the A loop,
    /// bring the LUNs online, advertise). Answer: ``FailoverMonitor/ownShelfServing()``.
    func reclaimOwnShelf()
}

extension FailoverActions {
    public var localMirrorInSync: Bool { true }
    public func takeOverBoth(partnerConfiguration: [UInt8]) { takeOver(partnerConfiguration: partnerConfiguration) }
}
