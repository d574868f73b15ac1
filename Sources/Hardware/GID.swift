/// A 128-bit InfiniBand global identifier (`union ibv_gid`): a 64-bit subnet prefix and a
/// 64-bit interface identifier (usually the port GUID), in the shape of an IPv6 address.
///
/// The default subnet prefix is `fe80::`; a GID then reads
/// `fe80:0000:0000:0000:0002:c903:0000:1234`, the form `ibv_devinfo -v` prints. On RoCE
/// (Ethernet link layer) GIDs are derived from the port's IPv6 or IPv4-mapped addresses.
public struct GID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The high 64 bits (`global.subnet_prefix`), host order.
    public var subnetPrefix: UInt64
    /// The low 64 bits (`global.interface_id`), host order.
    public var interfaceID: UInt64

    public init(subnetPrefix: UInt64, interfaceID: UInt64) {
        self.subnetPrefix = subnetPrefix
        self.interfaceID = interfaceID
    }

    /// The link-local GID of a port: prefix `fe80::`, interface identifier `guid`.
    public init(linkLocal guid: GUID) {
        self.init(subnetPrefix: GID.linkLocalSubnetPrefix, interfaceID: guid.rawValue)
    }

    /// The default (link-local) subnet prefix, `fe80:0000:0000:0000`.
    public static let linkLocalSubnetPrefix: UInt64 = 0xfe80_0000_0000_0000

    /// The all-zero GID, which verbs uses for an unset table entry.
    public static let zero = GID(subnetPrefix: 0, interfaceID: 0)

    /// The GID whose 16 raw bytes (`raw[16]`, network order) are `bytes`; nil unless there are
    /// exactly sixteen.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let all = Array(bytes)
        subnetPrefix = all[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        interfaceID = all[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The 16 raw bytes in network order, as `union ibv_gid.raw` holds them.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: subnetPrefix >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: interfaceID >> (56 - 8 * $0)) }
    }

    /// The port GUID embedded in the interface identifier.
    public var interfaceGUID: GUID { GUID(rawValue: interfaceID) }

    public static func < (lhs: GID, rhs: GID) -> Bool {
        (lhs.subnetPrefix, lhs.interfaceID) < (rhs.subnetPrefix, rhs.interfaceID)
    }

    /// Eight colon-separated groups of four hexadecimal digits, never abbreviated.
    public var description: String {
        let groups =
            (0..<4).map { UInt16(truncatingIfNeeded: subnetPrefix >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: interfaceID >> (48 - 16 * $0)) }
        return groups.map { HexFormatting.hex($0, digits: 4) }.joined(separator: ":")
    }
}
