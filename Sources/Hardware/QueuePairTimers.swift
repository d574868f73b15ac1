extension QueuePairAttributes {
    /// The local ACK timeout an exponent encodes: 4.096 µs × 2^`exponent`; nil for 0, which
    /// waits forever (IBA vol. 1, 9.7.6.1.3). Values above 31 are invalid and return nil.
    ///
    /// A requester retransmits after this long without an acknowledgement, ``retryCount``
    /// times, then fails with ``WorkCompletionStatus/retryExceeded``: how fast a dead peer is
    /// noticed.
    public static func localAckTimeout(exponent: UInt8) -> TimeSpan? {
        guard (1...31).contains(exponent) else { return nil }
        return .nanoseconds(4_096 << Int64(exponent))
    }

    /// The receiver-not-ready delay an RNR timer code encodes (IBA vol. 1, table 45; the
    /// kernel's `IB_RNR_TIMER_*`): code 0 is 655.36 ms, codes 1…31 run from 0.01 ms to
    /// 491.52 ms. Values above 31 are invalid and return nil.
    public static func minRNRTimerDelay(code: UInt8) -> TimeSpan? {
        // In units of 10 µs.
        let table: [Int64] = [
            65_536, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192,
            256, 384, 512, 768, 1_024, 1_536, 2_048, 3_072, 4_096, 6_144, 8_192, 12_288, 16_384, 24_576, 32_768, 49_152,
        ]
        guard Int(code) < table.count else { return nil }
        return .microseconds(table[Int(code)] * 10)
    }

    /// The RNR retry count that means "retry forever".
    public static let rnrRetryInfinite: UInt8 = 7
}
