import Hardware

/// What a ``ClientInitiator`` tells its owner. Every call runs on the runtime's loop, never from
/// inside a call into the initiator. Every method has an empty default.
public protocol ClientInitiatorDelegate: AnyObject {
    /// ``ClientInitiator/discover(_:)`` (or the discovery that ``ClientInitiator/connect(to:luns:)``
    /// starts) rebuilt `unit` from `target`'s answers.
    func initiator(_ initiator: ClientInitiator, discovered unit: IOUnitAdvertisement, at target: ServiceAddress)
    /// A query went unanswered after the transport's retries, or the answers did not add up.
    func initiator(_ initiator: ClientInitiator, discoveryFailedAt target: ServiceAddress)
    /// The connection is up (first time, or again after a loss); ``ClientInitiator/devices``
    /// holds a ``RemoteLUNDevice`` per granted LUN.
    func initiator(_ initiator: ClientInitiator, connected connection: ConnectionID, grant: ConnectionGrant)
    /// The first connect failed at every address; the initiator is idle again (queued requests failed).
    func initiator(_ initiator: ClientInitiator, connectFailed reason: ConnectFailure)
    /// The connection ended; its outstanding requests are held, to be sent again on the next
    /// connection. Reconnection follows.
    func initiator(_ initiator: ClientInitiator, connectionLost connection: ConnectionID, reason: ConnectionCloseReason)
    /// A failover is over: the first good response arrived on the connection that replaced the
    /// lost one (`record` says when, where, after how many attempts, and what was re-issued).
    func initiator(_ initiator: ClientInitiator, failedOver record: InitiatorFailoverRecord)
    /// A target the initiator reconnected to advertises the LUN of a device with another block
    /// length (`found`): that connection is refused and the next address tried.
    func initiator(_ initiator: ClientInitiator, mismatched expected: LUNProfile, found: LUNProfile, at target: ServiceAddress)
    /// Reconnection gave up after `attempts` attempts (every round failed, or the failover
    /// timeout passed); held requests failed with ``IOStatus/deviceUnavailable`` and new ones
    /// fail at once.
    func initiator(_ initiator: ClientInitiator, gaveUpAfter attempts: Int)
    /// A request submitted with ``ClientInitiator/submit(_:tag:)`` completed.
    func initiator(_ initiator: ClientInitiator, completed tag: UInt64, status: IOStatus)
    /// The buffer span of a request that timed out is the caller's again: its pieces were
    /// answered or their connection closed, so the target can no longer write into it. For
    /// every other request the completion itself hands the span back.
    func initiator(_ initiator: ClientInitiator, released tag: UInt64)
}

extension ClientInitiatorDelegate {
    public func initiator(_ initiator: ClientInitiator, discovered unit: IOUnitAdvertisement, at target: ServiceAddress) {}
    public func initiator(_ initiator: ClientInitiator, discoveryFailedAt target: ServiceAddress) {}
    public func initiator(_ initiator: ClientInitiator, connected connection: ConnectionID, grant: ConnectionGrant) {}
    public func initiator(_ initiator: ClientInitiator, connectFailed reason: ConnectFailure) {}
    public func initiator(_ initiator: ClientInitiator, connectionLost connection: ConnectionID, reason: ConnectionCloseReason) {}
    public func initiator(_ initiator: ClientInitiator, failedOver record: InitiatorFailoverRecord) {}
    public func initiator(_ initiator: ClientInitiator, mismatched expected: LUNProfile, found: LUNProfile, at target: ServiceAddress) {}
    public func initiator(_ initiator: ClientInitiator, gaveUpAfter attempts: Int) {}
    public func initiator(_ initiator: ClientInitiator, completed tag: UInt64, status: IOStatus) {}
    public func initiator(_ initiator: ClientInitiator, released tag: UInt64) {}
}
