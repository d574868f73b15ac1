/// The three sense-key-specific bytes of sense data, when their SKSV bit is set (SPC-4
/// 4.5.2.4): a field pointer for ILLEGAL REQUEST, a progress indication for NOT READY, or a
/// retry count for errors.
///
/// ``rawValue`` holds the 24 bits as they appear on the wire, SKSV (bit 23) included.
public struct SenseKeySpecific: RawRepresentable, Hashable, Sendable {
    /// The three bytes, big-endian, in the low 24 bits; bit 23 (SKSV) is always set.
    public var rawValue: UInt32

    /// The value of the three wire bytes `rawValue`; sets SKSV.
    public init(rawValue: UInt32) {
        self.rawValue = (rawValue & 0x7f_ffff) | 0x80_0000
    }

    /// A field pointer for ILLEGAL REQUEST: the offending `byte` of the CDB (`inCDB`) or of
    /// the parameter list, and optionally the bit within it.
    public static func fieldPointer(inCDB: Bool, byte: UInt16, bit: UInt8? = nil) -> SenseKeySpecific {
        var value = UInt32(byte)
        if inCDB { value |= 0x40_0000 }
        if let bit { value |= 0x08_0000 | UInt32(bit & 0x07) << 16 }
        return SenseKeySpecific(rawValue: value)
    }

    /// A progress indication for NOT READY (format in progress…): `fraction` / 65 536 done.
    public static func progress(_ fraction: UInt16) -> SenseKeySpecific {
        SenseKeySpecific(rawValue: UInt32(fraction))
    }

    /// Read as a field pointer: whether it points into the CDB (C/D), the bit if BPV is set,
    /// and the byte.
    public var fieldPointer: (inCDB: Bool, bit: UInt8?, byte: UInt16) {
        (
            rawValue & 0x40_0000 != 0, rawValue & 0x08_0000 != 0 ? UInt8((rawValue >> 16) & 0x07) : nil,
            UInt16(truncatingIfNeeded: rawValue)
        )
    }

    /// Read as a progress indication or retry count: the low 16 bits.
    public var progress: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// The three wire bytes.
    public var bytes: [UInt8] {
        [
            UInt8(truncatingIfNeeded: rawValue >> 16), UInt8(truncatingIfNeeded: rawValue >> 8),
            UInt8(truncatingIfNeeded: rawValue),
        ]
    }
}
