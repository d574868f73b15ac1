/// A 64-bit EUI-64 globally unique identifier of an InfiniBand node, port or system image.
///
/// Verbs reports GUIDs in network byte order (`__be64 node_guid`); this type holds the value in
/// host order, so `0x0002_c903_0000_1234` prints as `0002:c903:0000:1234`, the form
/// `ibv_devinfo` prints.
public struct GUID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The GUID as a number, most significant byte first on the wire.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The eight bytes in wire (big-endian) order.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> (56 - 8 * $0)) }
    }

    /// The GUID whose wire bytes are `bytes`; nil unless there are exactly eight.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        rawValue = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public static func < (lhs: GUID, rhs: GUID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Four groups of four hexadecimal digits, e.g. `0002:c903:0000:1234`.
    public var description: String {
        (0..<4).map { HexFormatting.hex(UInt16(truncatingIfNeeded: rawValue >> (48 - 16 * $0)), digits: 4) }
            .joined(separator: ":")
    }
}
