import Hardware
import Timebase

/// The data rate of a full-duplex IEEE 802.3 link, after line coding: the rate MAC frames
/// move at.
///
/// Both rates modelled here carry exactly their nominal rate of data:
/// - 1000BASE-X (IEEE 802.3 clause 36) signals at 1.25 GBd with 8b/10b coding: 1 Gb/s of data.
/// - 10GBASE-R (IEEE 802.3 clause 49) signals at 10.3125 GBd with 64b/66b coding: 10 Gb/s.
///
/// Every frame also costs ``TransportHeaderSize/ethernetPreambleAndGap`` (7 preamble + 1 SFD +
/// 12 minimum inter-packet gap, IEEE 802.3 clauses 3.2.1, 4.4.2) bytes of wire time.
public struct EthernetLinkRate: Hashable, Sendable, CustomStringConvertible {
    /// Data bits per second.
    public var bitsPerSecond: Int64

    public init(bitsPerSecond: Int64) {
        precondition(bitsPerSecond > 0, "an Ethernet link rate is positive")
        self.bitsPerSecond = bitsPerSecond
    }

    /// 1 Gb/s (1000BASE-X, 8b/10b at 1.25 GBd).
    public static let gigabit = EthernetLinkRate(bitsPerSecond: 1_000_000_000)
    /// 10 Gb/s (10GBASE-R, 64b/66b at 10.3125 GBd).
    public static let tenGigabit = EthernetLinkRate(bitsPerSecond: 10_000_000_000)

    /// The time a frame of `frameBytes` (Ethernet header through FCS) occupies the wire,
    /// preamble, start-of-frame delimiter and inter-packet gap included.
    @inlinable
    public func wireTime(frameBytes: Int) -> TimeSpan {
        TimeSpan.transmission(bytes: frameBytes + TransportHeaderSize.ethernetPreambleAndGap, bitsPerSecond: bitsPerSecond)
    }

    /// The width verbs reports for a RoCE port at this rate, as Linux's `ib_get_eth_speed`
    /// (drivers/infiniband/core/verbs.c) maps netdev speeds: up to 10 Gb/s is 1X, 20 and 40 Gb/s
    /// 4X, 25 Gb/s 1X, faster 4X.
    public var activeWidth: LinkWidth {
        switch bitsPerSecond {
        case ...10_000_000_000: .x1
        case ...20_000_000_000: .x4
        case ...25_000_000_000: .x1
        default: .x4
        }
    }

    /// The speed verbs reports for a RoCE port at this rate (`ib_get_eth_speed`): up to 1 Gb/s
    /// SDR, up to 10 Gb/s FDR10 (so 10GbE reads as 1X FDR10, whose 10 Gb/s of data happens to
    /// be exact), 20 Gb/s DDR, 25 Gb/s EDR, 40 Gb/s FDR10, faster EDR.
    ///
    /// Only a label: ``EthernetAttachment/dataRate`` is the true Ethernet rate, which for 1GbE
    /// differs from 1X SDR's 2 Gb/s.
    public var activeSpeed: LinkSpeed {
        switch bitsPerSecond {
        case ...1_000_000_000: .sdr
        case ...10_000_000_000: .fdr10
        case ...20_000_000_000: .ddr
        case ...25_000_000_000: .edr
        case ...40_000_000_000: .fdr10
        default: .edr
        }
    }

    /// `1 Gb/s`, `10 Gb/s`, or the rate in Mb/s.
    public var description: String {
        bitsPerSecond % 1_000_000_000 == 0
            ? "\(bitsPerSecond / 1_000_000_000) Gb/s" : "\(bitsPerSecond / 1_000_000) Mb/s"
    }
}
