/// The checksums the packet writers need, computed bit by bit from their definitions
/// (packets in a report are few; a table would buy nothing).
public enum Checksums {
    /// CRC-32 as Ethernet's FCS and InfiniBand's ICRC use it (IBA 1.2.1 §7.8.1 names the
    /// Ethernet polynomial 0x04C11DB7): reflected, initial value 0xFFFFFFFF, final complement.
    /// `crc32(Array("123456789".utf8)) == 0xCBF43926` (the standard check value).
    public static func crc32<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// InfiniBand's VCRC (IBA 1.2.1 §7.8.2): CRC-16 with polynomial 0x100B
    /// (x¹⁶+x¹²+x³+x+1), processed reflected like the ICRC (0xD008 reversed), initial value
    /// 0xFFFF, final complement.
    public static func vcrc16<S: Sequence>(_ bytes: S) -> UInt16 where S.Element == UInt8 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xD008 : crc >> 1 }
        }
        return ~crc
    }

    /// The Internet checksum (RFC 1071): the complement of the one's-complement sum of
    /// 16-bit big-endian words. Over an IPv4 header whose checksum field is filled in, the
    /// result is 0.
    public static func internet<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt32 = 0
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum += UInt32(high) << 8 | UInt32(low)
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
