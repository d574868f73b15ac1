import Timebase

/// What a ``FibreChannelLoop`` has carried.
public struct FibreChannelLoopStatistics: Hashable, Sendable {
    /// FCP_DATA payload bytes delivered (read and write data).
    public var dataBytes = 0
    /// Every transmission character the loop carried for delivered and lost tenancies: frames,
    /// idles, ARB/OPN/CLS and their trips around the loop.
    public var wireBytes = 0
    /// Time the loop was owned by a port (a circuit, its arbitration and its close).
    public var busyTime = TimeSpan.zero
    /// Circuits opened (one per message).
    public var tenancies = 0
    /// Commands delivered to devices.
    public var commandsDelivered = 0
    /// Responses delivered to initiators.
    public var responsesDelivered = 0
    /// OPNs that came back unanswered (the destination was bypassed).
    public var openFailures = 0
    /// Messages lost: queued or in flight when the loop failed, sent while it was down, or
    /// addressed to or from a port that left the loop.
    public var lostMessages = 0
    /// Arbitrations won, per port (indexed by ``LoopPortID/index``).
    public var arbitrationWins: [Int] = []
    /// Data payload bytes sent, per source port.
    public var dataBytesSent: [Int] = []

    /// Fraction of `elapsed` the loop was owned.
    public func utilisation(over elapsed: TimeSpan) -> Double {
        elapsed > .zero ? busyTime.seconds / elapsed.seconds : 0
    }
}
