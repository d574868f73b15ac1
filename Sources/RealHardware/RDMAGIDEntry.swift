/// One entry of a port's GID table (`union ibv_gid` at an index), as read from the device.
///
/// On InfiniBand, GID 0 is the subnet prefix (`fe80::` by default) and the port GUID; on RoCE
/// the entries are derived from the network interface's IPv6 and IPv4-mapped addresses, e.g.
/// Soft-RoCE's GID 0 is the link-local address of its netdev.
public struct RDMAGIDEntry: Hashable, Sendable, CustomStringConvertible {
    /// The index in the port's GID table; the index a connection's address names (`sgid_index`).
    public var index: Int

    /// The 16 bytes of the GID, network byte order (`raw[16]`).
    public var bytes: [UInt8]

    /// The entry at `index` holding `bytes`.
    ///
    /// - Precondition: `bytes` has 16 elements.
    public init(index: Int, bytes: [UInt8]) {
        precondition(bytes.count == 16, "a GID has 16 bytes, not \(bytes.count)")
        self.index = index
        self.bytes = bytes
    }

    /// The high 64 bits (`global.subnet_prefix`), host order.
    public var subnetPrefix: UInt64 { Self.word(bytes[0..<8]) }

    /// The low 64 bits (`global.interface_id`), host order.
    public var interfaceID: UInt64 { Self.word(bytes[8..<16]) }

    /// Whether the entry is all zeros, which verbs uses for an unset entry.
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The GID the way `ibv_devinfo -v` prints it, eight groups of four hexadecimal digits:
    /// `fe80:0000:0000:0000:0000:5eff:fe12:3456`.
    public var gidText: String {
        stride(from: 0, to: 16, by: 2)
            .map { TextFormatting.hexDigits(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), digits: 4) }
            .joined(separator: ":")
    }

    /// `GID[0] fe80:0000:0000:0000:0000:5eff:fe12:3456`.
    public var description: String { "GID[\(index)] \(gidText)" }

    private static func word(_ slice: ArraySlice<UInt8>) -> UInt64 {
        slice.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
