import Timebase

/// What a ``FibreChannelLoop`` has carried.
public struct FibreChannelLoopStatistics: Hashable, Sendable {
    /// FCP_DATA payload bytes delivered (read and write data).
    public var dataBytes = 0
    /// Every transmission character of the circuits completed: frames, idles, ARB/OPN/CLS and
    /// their trips round the loop.
    public var wireBytes = 0
    /// Time the loop was owned by a port (a circuit, its arbitration and its close).
    public var busyTime = TimeSpan.zero
    /// Loop tenancies: arbitrations won.
    public var tenancies = 0
    /// Circuits opened and closed (one per message, including OPNs that came back).
    public var circuits = 0
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
