/// An InfiniBand path or port MTU (`enum ibv_mtu`): the largest payload of one packet.
///
/// The raw values are the verbs encoding (1…5), not byte counts; ``byteCount`` converts.
/// A message larger than the path MTU is segmented into packets of this size by the HCA.
public struct MTU: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// 256 bytes.
    ///
    /// The corresponding C constant is `IBV_MTU_256`.
    public static let mtu256 = MTU(rawValue: 1)

    /// 512 bytes.
    ///
    /// The corresponding C constant is `IBV_MTU_512`.
    public static let mtu512 = MTU(rawValue: 2)

    /// 1024 bytes.
    ///
    /// The corresponding C constant is `IBV_MTU_1024`.
    public static let mtu1024 = MTU(rawValue: 3)

    /// 2048 bytes.
    ///
    /// The corresponding C constant is `IBV_MTU_2048`.
    public static let mtu2048 = MTU(rawValue: 4)

    /// 4096 bytes.
    ///
    /// The corresponding C constant is `IBV_MTU_4096`.
    public static let mtu4096 = MTU(rawValue: 5)

    /// The MTU in bytes (256 << (rawValue − 1)); nil for a value outside `IBV_MTU_256…4096`.
    public var byteCount: Int? {
        (1...5).contains(rawValue) ? 128 << Int(rawValue) : nil
    }

    /// The MTU of exactly `byteCount` bytes (256, 512, 1024, 2048 or 4096); nil otherwise.
    public init?(byteCount: Int) {
        guard let code = (1...5).first(where: { 128 << $0 == byteCount }) else { return nil }
        rawValue = Int32(code)
    }

    public static func < (lhs: MTU, rhs: MTU) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The byte count, e.g. `2048`, or `invalid MTU (7)`.
    public var description: String {
        byteCount.map(String.init) ?? "invalid MTU (\(rawValue))"
    }
}
