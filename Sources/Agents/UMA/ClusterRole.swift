import Hardware

/// A storage target's part in an HA cluster (``TargetConfiguration/cluster``): the persistent
/// reservation keys of both systems and the disk they arbitrate on.
public struct ClusterRole: Hashable, Sendable {
    /// This system's reservation key, registered on every disk it reaches (primary and partner paths).
    public var ownKey: UInt64
    /// The partner's reservation key: what a fence preempts.
    public var partnerKey: UInt64
    /// The WWN of the mailbox disk: one disk both systems reach, the cluster's arbitration
    /// point (the first PREEMPT there wins the fence).
    public var mailboxWorldWideName: UInt64

    /// - Precondition: two different, nonzero keys (SPC-3: a zero key is no registration).
    public init(ownKey: UInt64, partnerKey: UInt64, mailboxWorldWideName: UInt64) {
        precondition(ownKey != 0 && partnerKey != 0 && ownKey != partnerKey, "cluster keys must differ and be nonzero")
        self.ownKey = ownKey
        self.partnerKey = partnerKey
        self.mailboxWorldWideName = mailboxWorldWideName
    }
}

/// How a fence ended (``UnitManagementAgent/fencePartner(_:)``).
public enum FenceOutcome: Hashable, Sendable {
    /// This system preempted the partner on the mailbox disk, then on every partner disk.
    case won
    /// The partner preempted first: this system is no longer registered on the mailbox disk.
    case lost
    /// The mailbox disk is not reachable (not found, or it did not answer): no arbitration.
    case unavailable
}

/// What ``UnitManagementAgent/takeOverPartner(configuration:)`` mapped.
public struct TakeoverMapping: Hashable, Sendable {
    /// The partner's LUNs now in the table, under their own numbers.
    public var luns: [UInt16] = []
    /// The partner's LUNs whose disk none of this system's partner paths reaches (by WWN), or
    /// whose number is taken.
    public var unmapped: [UInt16] = []

    public init(luns: [UInt16] = [], unmapped: [UInt16] = []) {
        self.luns = luns
        self.unmapped = unmapped
    }
}
