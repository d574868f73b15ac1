import Hardware

/// The failover monitor's timing.
public struct FailoverMonitorConfiguration: Hashable, Sendable {
    /// How often a heartbeat goes out on every up connection. [assumption: 50 ms; with 4 misses
    /// the partner is declared failed 200 ms after its last message, which keeps a takeover well
    /// under a second yet is 10⁴ times a simulated interconnect's round trip, so queueing on a
    /// busy interconnect never fakes a failure]
    public var heartbeatInterval: TimeSpan
    /// The partner is declared failed when nothing arrived from it, on any connection, for
    /// `missedHeartbeats × heartbeatInterval`. [assumption: 4, so one or two lost or late
    /// heartbeats never trigger a takeover]
    public var missedHeartbeats: Int
    /// How long a booting node waits for a connection to its partner before it checks whether
    /// the partner holds its shelf (and, while it does, how often it checks again).
    /// [assumption: 1 s: a live partner's slam connect over an idle interconnect takes a few
    /// round trips (microseconds); a partner that is itself booting needs its boot time]
    public var bootPartnerWait: TimeSpan
    /// Messages kept outstanding on one connection at most (the heartbeats of a few intervals
    /// plus the hello and giveback messages). [assumption: 16]
    public var maxOutstanding: Int

    public init(heartbeatInterval: TimeSpan = .milliseconds(50), missedHeartbeats: Int = 4,
                bootPartnerWait: TimeSpan = .seconds(1), maxOutstanding: Int = 16) {
        precondition(heartbeatInterval > .zero, "the heartbeat interval must be positive")
        precondition(missedHeartbeats >= 1, "at least one heartbeat must be missed")
        precondition(bootPartnerWait > .zero, "the boot wait must be positive")
        precondition(maxOutstanding >= 1, "at least one outstanding message")
        self.heartbeatInterval = heartbeatInterval
        self.missedHeartbeats = missedHeartbeats
        self.bootPartnerWait = bootPartnerWait
        self.maxOutstanding = maxOutstanding
    }

    /// `missedHeartbeats × heartbeatInterval`: how long the partner may stay silent.
    public var failureTimeout: TimeSpan { heartbeatInterval * Int64(missedHeartbeats) }
}
