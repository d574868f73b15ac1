/// Big-endian field access on byte arrays, for CDBs, sense data and parameter data.
///
/// Every SCSI and ATA pass-through field is big-endian (SPC-4 3.5.2); these helpers keep the
/// shifting in one place (agents use them for their own on-disk stamps too). Callers check
/// lengths before calling.
public enum BigEndianBytes {
    /// The unsigned integer in `count` bytes of `bytes` starting at `offset`.
    public static func read(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + count) {
            value = value << 8 | UInt64(bytes[index])
        }
        return value
    }

    /// Stores the low `count` bytes of `value` into `bytes` starting at `offset`, most
    /// significant first.
    public static func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int, count: Int) {
        for index in 0..<count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - index)))
        }
    }
}
