import Hardware

/// The knobs of a ``ClusterConnectionManager``: slam-connect timing, the retry policy and the
/// RC timeouts of the slam and client QPs.
public struct ClusterConnectionManagerConfiguration: Hashable, Sendable {
    /// How often a side waiting in WaitingOnPartner(3) or AttemptingWrite(5) examines its slot
    /// (local memory the partner's RDMA WRITE changes). [assumption: 100 µs, a local memory
    /// check, far below the waits and a few fabric round trips]
    public var pollInterval: TimeSpan = .microseconds(100)
    /// How long a side waits in WaitingOnPartner(3) or AttemptingWrite(5) before Error.
    /// [assumption: 50 ms, above the ~17 ms a dead partner's read takes to fail]
    public var waitTimeout: TimeSpan = .milliseconds(50)
    /// How long Error lasts before the QP is reset and the handshake starts again from Initial.
    /// [assumption: 10 ms, so a retry loop costs little and a returning partner is found fast]
    public var retryDelay: TimeSpan = .milliseconds(10)
    /// How often a Connected side RDMA-reads the partner's state record, to notice a partner
    /// that died or restarted its handshake while no client traffic flows.
    /// [assumption: 1 ms; the failover monitor's heartbeats normally notice first]
    public var keepaliveInterval: TimeSpan = .milliseconds(1)
    /// Local ACK timeout exponent of the slam and client QPs: 4.096 µs × 2^10 ≈ 4.2 ms
    /// (IBA vol. 1, 9.7.6.1.3). With ``retryCount`` 3 a dead partner fails an operation after
    /// (3 + 1) × 4.2 ≈ 17 ms: "fail in tens of ms" [assumption: the brief's target, far below
    /// the kernel's usual 14 (67 ms × 8), because the interconnect is one cable]
    public var ackTimeoutExponent: UInt8 = 10
    /// RC retries after a timeout (`retry_cnt`, 0…7). [assumption, see ``ackTimeoutExponent``]
    public var retryCount: UInt8 = 3
    /// RNR retries of client QPs (`rnr_retry`; 7 = forever, the backstop behind pre-posted
    /// receives). The slam QP uses the same.
    public var rnrRetry: UInt8 = QueuePairAttributes.rnrRetryInfinite
    /// RDMA READs outstanding per QP as initiator and responder. [assumption: 4, the InfiniHost
    /// limit in `HCAConfiguration.maxReadAtomic`]
    public var readAtomicDepth: UInt8 = 4
    /// Bytes of one manager message buffer on the slam QP (connection information, ready).
    /// [assumption: 2 KiB holds the information of over 30 clients with 32-byte names]
    public var managerMessageBytes = 2048
    /// Receives kept posted on the slam QP for manager messages. [assumption: a session sends
    /// 2 messages each way]
    public var managerReceives = 4
    /// Receives posted per client connection beyond its `maxOutstanding`. [assumption: 4]
    public var receiveSlack = 4

    public init() {}
}
