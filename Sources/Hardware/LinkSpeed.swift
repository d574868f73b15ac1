/// The active per-lane speed of a link (`ibv_port_attr.active_speed`).
///
/// The raw values are the PortInfo encoding, one bit per speed. Each speed has a signalling
/// rate (what `ibv_devinfo` prints) and a data rate after line coding: SDR, DDR and QDR use
/// 8b/10b (80 %), FDR10 and later 64b/66b (FDR10's 10.3125 Gbaud carries 10 Gb/s; FDR's
/// 14.0625 Gbaud carries 13.64 Gb/s) and HDR/NDR PAM4 lanes carry 50 and 100 Gb/s.
public struct LinkSpeed: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Single data rate: 2.5 Gb/s signalling, 2 Gb/s data per lane.
    /// Encoding 1 (the kernel's `IB_SPEED_SDR`).
    public static let sdr = LinkSpeed(rawValue: 1)

    /// Double data rate: 5 Gb/s signalling, 4 Gb/s data per lane.
    /// Encoding 2 (the kernel's `IB_SPEED_DDR`).
    public static let ddr = LinkSpeed(rawValue: 2)

    /// Quad data rate: 10 Gb/s signalling, 8 Gb/s data per lane.
    /// Encoding 4 (the kernel's `IB_SPEED_QDR`).
    public static let qdr = LinkSpeed(rawValue: 4)

    /// FDR10: 10.3125 Gb/s signalling with 64b/66b, 10 Gb/s data per lane.
    /// Encoding 8 (the kernel's `IB_SPEED_FDR10`).
    public static let fdr10 = LinkSpeed(rawValue: 8)

    /// Fourteen data rate: 14.0625 Gb/s signalling with 64b/66b, 13.636 Gb/s data per lane.
    /// Encoding 16 (the kernel's `IB_SPEED_FDR`).
    public static let fdr = LinkSpeed(rawValue: 16)

    /// Enhanced data rate: 25.78125 Gb/s signalling with 64b/66b, 25 Gb/s data per lane.
    /// Encoding 32 (the kernel's `IB_SPEED_EDR`).
    public static let edr = LinkSpeed(rawValue: 32)

    /// High data rate: 50 Gb/s data per lane (PAM4). Encoding 64 (the kernel's `IB_SPEED_HDR`).
    public static let hdr = LinkSpeed(rawValue: 64)

    /// Next data rate: 100 Gb/s data per lane (PAM4). Encoding 128 (the kernel's `IB_SPEED_NDR`).
    public static let ndr = LinkSpeed(rawValue: 128)

    /// The data rate of one lane in bits per second, after line coding; nil for an unknown
    /// encoding.
    public var dataRatePerLane: Int64? {
        switch rawValue {
        case 1: 2_000_000_000
        case 2: 4_000_000_000
        case 4: 8_000_000_000
        case 8: 10_000_000_000
        case 16: 13_636_363_636  // 14.0625 Gbaud × 64/66, rounded down.
        case 32: 25_000_000_000
        case 64: 50_000_000_000
        case 128: 100_000_000_000
        default: nil
        }
    }

    /// The signalling rate of one lane in bits per second (line rate, before coding); nil for
    /// an unknown encoding.
    public var signallingRatePerLane: Int64? {
        switch rawValue {
        case 1: 2_500_000_000
        case 2: 5_000_000_000
        case 4: 10_000_000_000
        case 8: 10_312_500_000
        case 16: 14_062_500_000
        case 32: 25_781_250_000
        case 64: 53_125_000_000
        case 128: 106_250_000_000
        default: nil
        }
    }

    /// `SDR`, `QDR`, `FDR10`…, or `invalid speed (n)`.
    public var description: String {
        switch rawValue {
        case 1: "SDR"
        case 2: "DDR"
        case 4: "QDR"
        case 8: "FDR10"
        case 16: "FDR"
        case 32: "EDR"
        case 64: "HDR"
        case 128: "NDR"
        default: "invalid speed (\(rawValue))"
        }
    }
}
