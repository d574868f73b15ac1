/// The active width of a link: how many lanes it uses (`ibv_port_attr.active_width`).
///
/// The raw values are the PortInfo encoding, one bit per width. Data rate is width × the
/// per-lane rate of the ``LinkSpeed``; see ``PortAttributes/dataRate``.
public struct LinkWidth: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// One lane. Verbs has no named constant; `ibv_devinfo` prints encoding 1 as `1X`
    /// (the kernel's `IB_WIDTH_1X`).
    public static let x1 = LinkWidth(rawValue: 1)

    /// Four lanes. Encoding 2 (the kernel's `IB_WIDTH_4X`).
    public static let x4 = LinkWidth(rawValue: 2)

    /// Eight lanes. Encoding 4 (the kernel's `IB_WIDTH_8X`).
    public static let x8 = LinkWidth(rawValue: 4)

    /// Twelve lanes. Encoding 8 (the kernel's `IB_WIDTH_12X`).
    public static let x12 = LinkWidth(rawValue: 8)

    /// Two lanes (IBTA 1.4 and later). Encoding 16 (the kernel's `IB_WIDTH_2X`).
    public static let x2 = LinkWidth(rawValue: 16)

    /// The number of lanes; nil for an encoding that is not one of the widths above.
    public var laneCount: Int? {
        switch rawValue {
        case 1: 1
        case 2: 4
        case 4: 8
        case 8: 12
        case 16: 2
        default: nil
        }
    }

    /// `4X`, `12X`…, or `invalid width (n)`.
    public var description: String {
        laneCount.map { "\($0)X" } ?? "invalid width (\(rawValue))"
    }
}
