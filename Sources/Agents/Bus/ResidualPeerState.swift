import Hardware

/// What a ``ResidualMessageStore`` sends to one peer: the go-back-N sender.
///
/// `pending[head...]` are the messages not yet acknowledged; the first has sequence number
/// `base`. The first `everSent` of them went out at least once; the first `inFlight` went out
/// in the current round (a timeout or a bus error starts a new round from the failed frame).
struct ResidualOutbound {
    var epoch: UInt32
    var base: UInt32 = 0
    private(set) var pending: [[UInt8]] = []
    private(set) var head = 0
    var everSent = 0
    var inFlight = 0
    /// Sends of the message at `base`.
    var baseSends = 0
    var timer: TimerHandle?
    /// The channel refused the last frame with `queueFull`.
    var blocked = false

    init(epoch: UInt32) {
        self.epoch = epoch
    }

    var count: Int { pending.count - head }

    func message(at index: Int) -> [UInt8] { pending[head + index] }

    mutating func append(_ payload: [UInt8]) { pending.append(payload) }

    /// Forgets the first `count` messages (acknowledged).
    mutating func removeFirst(_ count: Int) {
        precondition(count <= self.count, "acknowledging more than is pending")
        for index in head..<(head + count) { pending[index] = [] }
        head += count
        base &+= UInt32(count)
        everSent -= count
        inFlight = max(0, inFlight - count)
        if head > 64 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
        assert(everSent >= 0 && inFlight <= everSent && everSent <= self.count, "outbound counters inconsistent")
    }

    /// Drops everything and starts a new epoch at sequence 0; returns how many messages were dropped.
    mutating func restart(epoch newEpoch: UInt32) -> Int {
        let dropped = count
        self = ResidualOutbound(epoch: newEpoch)
        return dropped
    }
}

/// What a ``ResidualMessageStore`` receives from one peer: the go-back-N receiver.
struct ResidualInbound {
    /// The peer's current epoch; nil until its first frame numbered 0.
    var epoch: UInt32?
    var expected: UInt32 = 0
    /// An ack could not be issued (queue full): send it at the next retry.
    var ackOwed = false
}

/// Everything a store keeps about one peer.
struct ResidualPeer {
    let endpoint: BusEndpoint
    var outbound: ResidualOutbound
    var inbound = ResidualInbound()
}
