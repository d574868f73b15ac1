import Hardware

/// How one request of a ``ClientInitiator`` went, for reports: told to the
/// ``ClientInitiatorObserver`` when the request completes.
public struct InitiatorRequestRecord: Hashable, Sendable {
    /// The submitter's tag (a ``RemoteLUNDevice``'s own token for its commands).
    public var tag: UInt64
    public var request: BlockRequest
    /// Bytes the request moves (blocks × the LUN's block length).
    public var bytes: Int
    /// Pieces sent to the target (a request larger than the grant's maxTransferBytes is split).
    public var pieces: Int
    public var submitted: Instant
    public var completed: Instant
    public var status: IOStatus
    /// The target's service times, summed over the pieces that were answered.
    public var times: ServiceTimes
    /// The fabric's share: over the answered pieces, the sum of (round trip − the target's
    /// ``ServiceTimes/total``). Pieces overlap, so with several pieces it is a share of work,
    /// not of the request's latency.
    public var fabric: TimeSpan

    /// From submission to completion.
    public var latency: TimeSpan { completed - submitted }
}

/// Told of every completed request of a ``ClientInitiator`` (to build histograms and the
/// breakdown of where time went).
public protocol ClientInitiatorObserver: AnyObject {
    func requestCompleted(_ record: InitiatorRequestRecord)
}

/// Counters of a ``ClientInitiator``: every rejection and anomaly counted.
public struct InitiatorStatistics: Hashable, Sendable {
    public var submitted = 0
    public var completed = 0
    /// Requests failed locally without being sent (no such LUN, a bad range or buffer, gave up).
    public var rejectedLocally = 0
    public var piecesSent = 0
    public var timedOut = 0
    /// Responses to pieces of requests that had already timed out.
    public var lateResponses = 0
    /// Responses with a tag no piece in flight has (a duplicate, or from an old connection).
    public var unknownResponses = 0
    /// Messages that did not decode (counted, dropped).
    public var malformedMessages = 0
    /// Well-formed messages a client never expects (a request), or on a connection not its own.
    public var unexpectedMessages = 0
    /// Sends the transport refused (retried later).
    public var sendFailures = 0
    public var connectionLosses = 0
    /// Attempts (discovery or connect, at any address) made after a loss.
    public var reconnectAttempts = 0
    /// Connections that came up again after a loss.
    public var reconnects = 0
    /// Attempts that failed: refused (e.g. `notReady`, `noLUNsGranted` while a partner takes
    /// over), unanswered, or a grant that could not replace the lost connection.
    public var failedConnectAttempts = 0
    /// Requests whose pieces, lost with a connection, were sent again on the next one.
    public var requestsReissued = 0
    /// Pieces sent again (a lost piece may be cut again to a smaller grant).
    public var piecesReissued = 0
    /// Failovers that outlasted ``InitiatorConfiguration/failoverTimeout`` (held requests failed).
    public var failoverTimeouts = 0
    /// LUNs a new target advertised with another block length than their device's.
    public var profileMismatches = 0
    /// Grants refused on a reconnection: a device's LUN missing or mismatched.
    public var refusedGrants = 0
    /// Liveness probes sent to a silent target, and those it did not answer (each closed the connection).
    public var livenessProbes = 0
    public var livenessFailures = 0
    public var discoveryFailures = 0

    public init() {}
}
