import Hardware
import Timebase

/// A 48-bit IEEE 802 MAC address (EUI-48).
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number, first octet most significant; below 2⁴⁸.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        precondition(rawValue >> 48 == 0, "a MAC address has 48 bits")
        self.rawValue = rawValue
    }

    /// The MAC address of a port whose GUID is `guid`.
    ///
    /// A GUID built from a MAC address the IEEE way (EUI-48 → EUI-64: `ff:fe` inserted after
    /// the third octet) gives that MAC address back. Any other GUID gives a locally
    /// administered unicast address from a stable hash of its value.
    public init(guid: GUID) {
        let value = guid.rawValue
        if (value >> 24) & 0xffff == 0xfffe {
            self.init(rawValue: (value >> 40) << 24 | value & 0xff_ffff)
        } else {
            self.init(locallyAdministered: StableHash.mix64(value))
        }
    }

    /// A locally administered unicast address (IEEE 802 §8.4: U/L bit set, I/G bit clear)
    /// from a stable hash of `name`, so the same name gives the same address in every run.
    public init(name: String) {
        self.init(locallyAdministered: StableHash.fnv1a64(name))
    }

    private init(locallyAdministered bits: UInt64) {
        self.init(rawValue: 0x02_00_0000_0000 | bits & 0xff_ffff_ffff)
    }

    /// Whether the I/G bit marks a group (multicast or broadcast) address.
    public var isGroup: Bool { (rawValue >> 40) & 1 == 1 }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Six colon-separated octets, e.g. `02:1a:2b:3c:4d:5e`.
    public var description: String {
        (0..<6).map { index in
            let octet = String((rawValue >> (40 - 8 * UInt64(index))) & 0xff, radix: 16)
            return octet.count == 2 ? octet : "0" + octet
        }.joined(separator: ":")
    }
}

/// An IPv4 address (RFC 791), the network address of a RoCE v2 port.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number, first octet most significant.
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// The IPv4-mapped GID `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), the form a RoCE v2 port's
    /// GID table holds for an IPv4 address.
    public var mappedGID: GID {
        GID(subnetPrefix: 0, interfaceID: 0x0000_ffff_0000_0000 | UInt64(rawValue))
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Dotted decimal, e.g. `10.0.0.1`.
    public var description: String {
        (0..<4).map { String((rawValue >> (24 - 8 * UInt32($0))) & 0xff) }.joined(separator: ".")
    }
}
