import Hardware

/// One request the target served (or refused), for reports: what it was and where its time went.
public struct TargetRequestRecord: Hashable, Sendable {
    public var connection: ConnectionID
    public var lun: UInt16
    public var operation: BlockOperation
    public var bytes: Int
    public var received: Instant
    public var responded: Instant
    public var status: IOStatus
    public var times: ServiceTimes
}

/// Told of every request the CTA finishes.
public protocol TargetObserver: AnyObject {
    func requestServed(_ record: TargetRequestRecord)
}

/// The CTA's counters. Rejections by reason are the data-path security's evidence.
public struct CTAStatistics: Hashable, Sendable {
    public var requests = 0
    public var completed = 0
    public var rejected: [RejectReason: Int] = [:]
    /// Messages from clients that did not decode.
    public var malformed = 0
    /// Messages from RTAs that did not decode, or named a transaction the CTA does not hold.
    public var unexpectedAgentMessages = 0
    public var transferFailures = 0
    /// Transactions abandoned because their connection closed.
    public var abandoned = 0

    public init() {}

    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
}
