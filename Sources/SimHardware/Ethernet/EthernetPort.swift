import Timebase

/// One port of the fabric, a NIC's or a switch's: its transmitter (a FIFO per priority, the
/// frame on the wire, the partner's pauses), its buffer accounting, and its statistics.
final class EthernetPort {
    /// What the port belongs to.
    enum Owner {
        /// The NIC of the attachment with this index.
        case nic(Int)
        /// Port `port` (1-based) of the switch with this index.
        case bridge(Int, port: Int)
    }

    /// Priorities (802.1p PCP values).
    static let priorityCount = 8

    let index: Int
    let owner: Owner
    /// `host0` for a NIC, `sw0/3` for a switch port: for messages and reports.
    let name: String
    /// The link plugged in, if any.
    var link: Int?

    // MARK: Transmitter

    /// One FIFO per priority; transmission selection is strict priority (IEEE 802.1Q §8.6.8.1),
    /// highest first, skipping priorities the partner paused.
    var queues = [FrameFIFO](repeating: FrameFIFO(), count: priorityCount)
    /// The frame on the wire, until its last bit has left.
    var transmitting: Int?
    /// When the frame on the wire ends (a PFC frame waits for it).
    var busyUntil = Instant.zero
    /// Priorities the partner paused, and since when at least one has been.
    var pausedMask: UInt8 = 0
    var pausedSince = Instant.zero

    // MARK: Receiver (PFC)

    /// Priorities on which this port has paused its partner.
    var pauseSentMask: UInt8 = 0

    // MARK: Switch buffer accounting

    /// Egress: bytes of lossy frames queued here (at most the output buffer size).
    var lossyBytes = 0
    /// Ingress: bytes per priority received here on lossless priorities and not yet sent on.
    var ingressBytes = [Int](repeating: 0, count: priorityCount)
    /// Ingress thresholds for lossless priorities, set when the link is connected: pause at
    /// `xoffBytes`, resume at `xonBytes`, never hold more than `losslessLimitBytes`.
    var xoffBytes = Int.max
    var xonBytes = Int.max
    var losslessLimitBytes = Int.max

    var statistics = EthernetPortStatistics()

    init(index: Int, owner: Owner, name: String) {
        self.index = index
        self.owner = owner
        self.name = name
    }

    /// The switch this port belongs to, if any.
    var switchIndex: Int? {
        if case .bridge(let index, _) = owner { return index }
        return nil
    }

    /// The next frame strict priority selects, removed from its queue; nil when every
    /// non-empty queue is paused.
    func dequeueNext() -> Int? {
        var priority = EthernetPort.priorityCount - 1
        while priority >= 0 {
            if pausedMask & (1 << priority) == 0, let slot = queues[priority].pop() { return slot }
            priority -= 1
        }
        return nil
    }

    /// Frames waiting in the transmit queues.
    var queuedFrames: Int { queues.reduce(0) { $0 + $1.count } }

    /// Applies a PFC frame from the partner: `pause` the priorities in `mask`, or resume them.
    func applyPause(mask: UInt8, pause: Bool, at now: Instant) {
        let before = pausedMask
        pausedMask = pause ? before | mask : before & ~mask
        if before == 0 && pausedMask != 0 { pausedSince = now }
        if before != 0 && pausedMask == 0 { statistics.pausedTime += now - pausedSince }
    }

    /// The statistics with a pause still in progress counted up to `now`.
    func statistics(at now: Instant) -> EthernetPortStatistics {
        var result = statistics
        if pausedMask != 0 { result.pausedTime += now - pausedSince }
        return result
    }
}
