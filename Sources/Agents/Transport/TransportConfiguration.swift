import Hardware

/// The knobs of a verbs transport (``InfiniBandTransport``, ``RoCETransport``): queue sizes,
/// the management retry policy and the RC retry policy.
public struct TransportConfiguration: Hashable, Sendable {
    /// The Q_Key of every management QP. [assumption: a fixed, non-privileged Q_Key (bit 31
    /// clear, IBA vol. 1, 10.2.4), as CM-style services use; `0x1ee7` is ours]
    public var managementQueueKey: UInt32 = 0x1ee7
    /// How long the initiator waits for an answer to a query, connect or disconnect request
    /// before sending it again. [assumption: 5 ms, far above a fabric round trip of a few µs,
    /// far below the seconds a human notices]
    public var managementTimeout: TimeSpan = .milliseconds(5)
    /// How many times a request is sent again before the initiator gives up (nil / `.timedOut`).
    /// [assumption: 5, so a target is given up after 6 × 5 ms = 30 ms]
    public var managementRetries = 5
    /// Receives kept posted on the management QP. [assumption: enough for a burst of clients]
    public var managementReceives = 32
    /// Datagrams the management QP may have in flight. [assumption]
    public var managementSendSlots = 16
    /// Bytes of one management slot (a datagram, after the 40-byte routing-header slot of UD
    /// receives). The codec keeps every message under 1024 bytes (`ManagementMessage+Codec`).
    public var managementSlotBytes = 1024
    /// Registered send slots for messages on connections, shared by all connections: `send`
    /// answers `.queueFull` when none is free. [assumption: 256]
    public var messageSlots = 256
    /// Bytes of one message slot, sending and receiving: the longest encoded ``ConnectionMessage``.
    /// [assumption: 512 bytes is well above the request and response messages]
    public var messageSlotBytes = 512
    /// Receives posted per connection beyond the granted `maxOutstanding` (for messages the
    /// peer sends unprompted, e.g. a disconnect notice). [assumption: 4]
    public var receiveSlack = 4
    /// The most receives posted per connection for its granted requests (a client may be
    /// granted more; RNR retry covers the rest). [assumption: 256]
    public var maxReceiveDepth = 256
    /// The most send work requests outstanding per connection (messages and RDMA parts).
    /// [assumption: 128]
    public var sendQueueDepth = 128
    /// The most connections the transport carries (sizes the completion queue).
    /// [assumption: 64 clients per target]
    public var maxConnections = 64
    /// RC local ACK timeout exponent: 4.096 µs × 2^14 ≈ 67 ms (the kernel's usual 14; see
    /// `QueuePairAttributes.localAckTimeout(exponent:)`).
    public var ackTimeoutExponent: UInt8 = 14
    /// RC retries after a timeout before the connection fails (`retry_cnt`; 7 is the maximum, IBA).
    public var retryCount: UInt8 = 7
    /// RC retries after an RNR NAK (`rnr_retry`; 7 = forever, the backstop behind pre-posted receives).
    public var rnrRetry: UInt8 = QueuePairAttributes.rnrRetryInfinite
    /// RDMA READs a QP keeps outstanding as initiator and serves as responder. [assumption: 4,
    /// the InfiniHost limit in `HCAConfiguration.maxReadAtomic`]
    public var readAtomicDepth: UInt8 = 4

    public init() {}
}
