/// Packet sequence numbers: 24-bit counters compared within half their range (IBA vol. 1
/// §9.7.1), so that ordering survives wrap-around.
enum PSN {
    static let mask: UInt32 = 0x00ff_ffff

    @inline(__always)
    static func add(_ psn: UInt32, _ count: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: Int(psn) &+ count) & mask
    }

    /// `a - b` as a signed distance in (-2^23, 2^23].
    @inline(__always)
    static func distance(_ a: UInt32, from b: UInt32) -> Int {
        let raw = Int((a &- b) & mask)
        return raw > 0x80_0000 ? raw - 0x100_0000 : raw
    }
}
