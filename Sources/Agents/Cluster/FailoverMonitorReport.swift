import Hardware

/// Why a failover monitor did not take its failed partner over.
public enum TakeoverSkipReason: Hashable, Sendable, CustomStringConvertible {
    /// No hello ever arrived from the partner: the monitor does not know what to bring online.
    case noPartnerConfiguration
    /// The partner's last message said its NVRAM log is not in sync in this node's mirror half
    /// (a resync under way, or never done since it booted): a takeover would replay an
    /// incomplete copy and lose acknowledged writes. The survivor keeps what it serves and waits
    /// for the partner, which replays its own battery-backed log when it boots. A refusal.
    case partnerLogNotMirrored

    public var description: String {
        switch self {
        case .noPartnerConfiguration: "the partner's configuration never arrived"
        case .partnerLogNotMirrored: "partner's NVRAM log not mirrored (resync incomplete)"
        }
    }

    /// A refusal (taking over would lose data), not a lack of what a takeover needs.
    public var isRefusal: Bool { self == .partnerLogNotMirrored }
}

/// Which side of a giveback a monitor was on.
public enum GivebackRole: Hashable, Sendable {
    /// It had taken over and gave the partner's shelf back.
    case released
    /// It rebooted and took its own shelf back.
    case reclaimed
}

/// What a failover monitor tells its observer, with when it happened.
public enum FailoverReport: Hashable, Sendable {
    /// A connection to the partner came up on `interconnect`; `upCount` are up now.
    case interconnectUp(interconnect: Int, at: Instant, upCount: Int)
    /// The connection on `interconnect` went down; `upCount` remain up (the survivors carry all
    /// the heartbeats from now on).
    case interconnectDown(interconnect: Int, at: Instant, upCount: Int)
    /// The node serves its own shelf (after boot, or a giveback's reclaim).
    case servingOwnShelf(at: Instant)
    /// Nothing arrived from the partner since `lastHeard`: declared failed at `at`.
    case partnerFailed(at: Instant, lastHeard: Instant)
    /// The partner was declared failed but is not taken over.
    case takeoverSkipped(at: Instant, reason: TakeoverSkipReason)
    /// The partner's messages now say its NVRAM log is (`inSync`) or is no longer in sync in this
    /// node's mirror half (reported on every change, the first message of an incarnation included
    /// when it says in sync).
    case partnerMirror(inSync: Bool, at: Instant)
    /// The partner was heard again after ``partnerFailed(at:lastHeard:)`` without a takeover.
    case partnerRecovered(at: Instant)
    /// The node serves its partner's shelf too; the partner was declared failed at `partnerFailedAt`.
    case takeoverCompleted(at: Instant, partnerFailedAt: Instant)
    /// The fence was lost: the node serves nothing until it reboots.
    case fencedOut(at: Instant)
    /// A giveback ended on this side.
    case givebackCompleted(at: Instant, role: GivebackRole)
}

/// Receives a failover monitor's reports (the coordinator, a scenario's checker, a test).
public protocol FailoverMonitorObserver: AnyObject {
    func failoverMonitor(_ monitor: FailoverMonitor, reported report: FailoverReport)
}

/// A failover monitor's counters on one interconnect.
public struct FailoverInterconnectStatistics: Hashable, Sendable {
    public var heartbeatsSent = 0
    public var heartbeatsReceived = 0
    /// Every message, heartbeats included.
    public var messagesSent = 0
    public var messagesReceived = 0
    /// Sends refused by the connection (down, queue full) or completed unsuccessfully.
    public var sendFailures = 0
    public var connectionsUp = 0
    public var connectionsDown = 0

    public init() {}
}

/// A failover monitor's counters.
public struct FailoverMonitorStatistics: Hashable, Sendable {
    /// Indexed by interconnect.
    public var interconnects: [FailoverInterconnectStatistics] = []
    /// Heartbeat ticks, while normal and once the partner had been heard, with nothing from it
    /// since the previous tick.
    public var missedHeartbeats = 0
    /// Messages that did not decode: counted and dropped.
    public var malformedMessages = 0
    /// Messages older (by sequence) than one already seen: liveness only, state ignored.
    public var staleMessages = 0
    /// Valid messages that mean nothing in the monitor's state (a giveback request while normal…).
    public var ignoredMessages = 0
    /// How often the partner came back with a new incarnation.
    public var partnerIncarnations = 0
    public var partnerDeclaredFailed = 0
    public var takeovers = 0
    /// Partners declared failed and not taken over (no configuration, or a refusal).
    public var takeoversSkipped = 0
    /// Of those, refused because the partner's NVRAM log was not in sync here.
    public var takeoversRefused = 0
    /// Heartbeats sent at once because this node's log became in sync in the partner's mirror.
    public var syncAnnouncements = 0
    public var fencesLost = 0
    public var givebacks = 0
    /// Giveback requests that waited for this node's log to be in sync in the partner's mirror.
    public var givebacksDeferred = 0

    public init() {}

    /// The counters of `interconnect` (zero when it never had a connection).
    public func interconnect(_ interconnect: Int) -> FailoverInterconnectStatistics {
        interconnect < interconnects.count ? interconnects[interconnect] : FailoverInterconnectStatistics()
    }

    mutating func update(_ interconnect: Int, _ change: (inout FailoverInterconnectStatistics) -> Void) {
        while interconnects.count <= interconnect { interconnects.append(FailoverInterconnectStatistics()) }
        change(&interconnects[interconnect])
    }
}
