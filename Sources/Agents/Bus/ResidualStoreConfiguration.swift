import Hardware

/// Tunables of a ``ResidualMessageStore``.
public struct ResidualStoreConfiguration: Hashable, Sendable {
    /// How long a message waits for its acknowledgement before it is sent again.
    /// Assumption: 500 µs is an order above moving a 4 KiB segment across a 32-bit/33 MHz PCI
    /// bus (≈ 32 µs at the measured 128 MB/s, REFERENCE.md C.1) and below a disk's average
    /// rotational latency (2–4 ms, REFERENCE.md C.4), so a retransmission costs little.
    public var retransmitTimeout: TimeSpan = .microseconds(500)
    /// Sends of one message before its peer is declared unreachable.
    /// Assumption: 16 × 500 µs = 8 ms without progress means the peer is gone, not busy.
    public var maxAttempts = 16
    /// Frames sent and not yet acknowledged, per peer (the go-back-N window).
    /// Assumption: 32 covers the messages of a queue depth of 16 requests in flight.
    public var maxFramesInFlight = 32
    /// How long to wait before issuing again after the channel refused with
    /// ``BusChannelError/queueFull`` (sooner if one of the store's own operations completes).
    /// Assumption: 2 µs, about a 256-byte message at 128 MB/s (REFERENCE.md C.1).
    public var busyRetryDelay: TimeSpan = .microseconds(2)

    public init() {}
}

/// Counters of a ``ResidualMessageStore``.
public struct ResidualStoreStatistics: Hashable, Sendable {
    /// Messages handed to ``ResidualMessageStore/send(_:to:)``.
    public var sent = 0
    /// Messages handed to the delegate (each exactly once).
    public var delivered = 0
    /// Messages the peer acknowledged (and the store forgot).
    public var acknowledged = 0
    /// Data frames sent again (timeout, bus error, go-back-N).
    public var retransmissions = 0
    /// Data frames received again after delivery (a lost ack, a retransmission).
    public var duplicatesDropped = 0
    /// Frames that failed to decode.
    public var malformedFrames = 0
    /// Bus operations of the store that completed with an error or were refused as closed.
    public var busErrors = 0
    /// Data frames ahead of the next expected one (go-back-N drops them; the sender resends).
    public var outOfOrderDropped = 0
    /// Frames of an epoch that is not the current one (a peer's earlier life), and acks that
    /// acknowledge nothing this store sent.
    public var staleFrames = 0
    /// Times the channel refused with ``BusChannelError/queueFull`` (the store retried later).
    public var busyRetries = 0
    /// Peers declared unreachable.
    public var peersUnreachable = 0
    /// Messages dropped when a peer was declared unreachable or reset.
    public var messagesDropped = 0
    /// Peers seen to start a new epoch (they restarted or reset).
    public var peerRestarts = 0

    public init() {}
}
